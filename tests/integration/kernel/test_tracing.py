"""One trace per piece of work (shared/tracing.py): an agency's quarterly report POSTed to the collector, the
aggregator's recap, the renderer's draft and the approval service recording it share one trace id, across the
outbox relays and Redis, with every span's parent in the trace. All four apps run in this process on the real Redis
(a random stream prefix) with their spans in one in-memory exporter; each app names its own service."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from faststream.redis.parser.binary import BinaryMessageFormatV1
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from redis import Redis

from shared import tracing
from shared.config import Settings
from tests.integration.conftest import _drop_schema, make_settings
from tests.integration.ops.conftest import eventually

SERVICES = ("collector", "aggregator", "renderer", "approval")


def service_of(span: ReadableSpan) -> str:
    return str(span.resource.attributes["service.name"]).removeprefix("lapkin-")


@pytest.fixture
def office(
    tmp_path: Path, database_url: str | None, redis_client: Redis, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[dict[str, TestClient], Settings, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    monkeypatch.setattr(tracing, "processor_factory", lambda: SimpleSpanProcessor(exporter))
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)  # each app names itself: lapkin-<service>
    from services.aggregator.main import create_app as aggregator_app
    from services.approval.main import create_app as approval_app
    from services.collector.main import create_app as collector_app
    from services.renderer.main import create_app as renderer_app

    settings = make_settings(tmp_path, database_url)
    makers = {"collector": collector_app, "aggregator": aggregator_app, "renderer": renderer_app,
              "approval": approval_app}  # fmt: skip
    try:
        with (
            TestClient(makers["collector"](settings)) as col,
            TestClient(makers["aggregator"](settings)) as agg,
            TestClient(makers["renderer"](settings)) as ren,
            TestClient(makers["approval"](settings), follow_redirects=False) as appr,
        ):
            yield {"collector": col, "aggregator": agg, "renderer": ren, "approval": appr}, settings, exporter
    finally:
        keys = list(redis_client.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis_client.delete(*keys)
        for service in SERVICES:
            _drop_schema(database_url, service)


def test_one_report_is_one_trace_through_the_four_services(
    office: tuple[dict[str, TestClient], Settings, InMemorySpanExporter],
    pk_2024: dict[str, Any],
    submissions_2024: list[dict[str, Any]],
) -> None:
    clients, settings, exporter = office
    col, agg = clients["collector"], clients["aggregator"]
    admin = {"Authorization": f"Bearer {settings.admin_token}"}
    assert all(c.app.state.rt.tracer is not None for c in clients.values())  # type: ignore[attr-defined]

    r = col.put("/api/v1/perjanjian-kinerja/2024", json=pk_2024, headers=admin)
    assert r.status_code == 200, r.text
    # every unit's TW1 report but the last, applied by the aggregator before the last is sent: the last one completes
    # the recap, so its trace is the one that runs on to a draft (a recap coalesced from a burst is drawn later)
    tw1 = [s for s in submissions_2024 if s["triwulan"] == 1]
    keys = {}
    for sub in tw1:
        key = col.post(f"/api/v1/units/{sub['unit']}/api-keys", headers=admin)
        assert key.status_code == 201, key.text
        keys[sub["unit"]] = {"Authorization": f"Bearer {key.json()['api_key']}"}
    for sub in tw1[:-1]:
        assert col.post("/api/v1/laporan-triwulan", json=sub, headers=keys[sub["unit"]]).status_code == 202
    consumer = agg.app.state.rt.consumer  # type: ignore[attr-defined]
    eventually(lambda: consumer.consumed >= len(tw1), 60, "the aggregator to apply the PK and the first reports")
    last = tw1[-1]
    posted = col.post("/api/v1/laporan-triwulan", json=last, headers=keys[last["unit"]])
    assert posted.status_code == 202, posted.text
    correlation_id = posted.headers["x-correlation-id"]

    def server_span() -> ReadableSpan | None:
        return next(
            (s for s in exporter.get_finished_spans()
             if s.kind == SpanKind.SERVER and s.attributes.get("lapkin.correlation_id") == correlation_id),
            None,
        )  # fmt: skip

    post = eventually(server_span, 10, "the POST's span")
    assert service_of(post) == "collector" and post.parent is None  # the trace starts at the agency's request
    trace_id = post.context.trace_id

    def in_trace() -> list[ReadableSpan]:
        return [s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id]

    def recorded() -> bool:  # the approval service applied the renderer's DraftRendered, in this trace
        return any(service_of(s) == "approval" and s.name == "process DraftRendered" for s in in_trace())

    def seen() -> str:  # what the failure names: the trace's spans so far, and every span's name
        mine = sorted((service_of(s), s.name) for s in in_trace())
        return f"{mine}; all: {sorted({(service_of(s), s.name) for s in exporter.get_finished_spans()})}"

    try:
        eventually(recorded, 60, "the approval service to record the draft, in the report's trace")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {seen()}") from None
    spans = in_trace()
    names = {(service_of(s), s.name) for s in spans}
    assert {service_of(s) for s in spans} == set(SERVICES), names
    for step in (
        ("collector", "publish TriwulanSubmitted"),
        ("aggregator", "process TriwulanSubmitted"),
        ("aggregator", "publish RekapCompleted"),
        ("renderer", "process RekapCompleted"),
        ("renderer", "render draft 2024-TW1"),
        ("renderer", "publish DraftRendered"),
        ("approval", "process DraftRendered"),
    ):
        assert step in names, f"{step} missing from {sorted(names)}"
    ids = {s.context.span_id for s in spans}
    for s in spans:  # the chain is whole: every span but the request's has its parent in the trace
        if s is not post:
            assert s.parent is not None and s.parent.span_id in ids, f"{service_of(s)} {s.name}: parent not in trace"
    consumer_spans = [s for s in spans if s.kind == SpanKind.CONSUMER]
    assert {service_of(s) for s in consumer_spans} == {"aggregator", "renderer", "approval"}
    assert all(s.attributes.get("lapkin.correlation_id") for s in consumer_spans)

    # the event carries it (the operators' trace page shows it beside the correlation id); the other reports have
    # traces of their own
    hex_id = f"{trace_id:032x}"
    mine = [e for e in _events(settings, "collector") if tracing.trace_id_of(e.get("traceparent")) == hex_id]
    assert [(e["type"], e["payload"]["unit"]) for e in mine] == [("TriwulanSubmitted", last["unit"])]


def _events(settings: Settings, service: str) -> list[dict[str, Any]]:
    redis = Redis.from_url(settings.redis_url)
    try:
        out = []
        for _, fields in redis.xrange(settings.stream(service)):
            body, _headers = BinaryMessageFormatV1.parse(fields[b"__data__"])
            out.append(json.loads(body))
        return out
    finally:
        redis.close()
