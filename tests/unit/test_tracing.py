"""Tracing (shared/tracing.py): OFF without an OTLP endpoint (no provider, no SDK loaded, no middleware, envelopes as
before), and the W3C trace context the envelope carries: written from the active span, copied from the causing
event, read back as a consumer span's parent, and an envelope without it (or with a bad one) still read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from shared import tracing
from shared.events.envelope import Envelope, new_envelope

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def spans() -> Iterator[tuple[trace.Tracer, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider.get_tracer("test"), exporter
    provider.shutdown()


def test_without_an_endpoint_no_provider_is_made_and_no_sdk_is_loaded(tmp_path: Path) -> None:
    # a fresh interpreter: what a service process does at start with OTEL_EXPORTER_OTLP_ENDPOINT unset
    script = f"""
import sys
from opentelemetry import trace
from opentelemetry.trace import ProxyTracerProvider
from pathlib import Path
from shared import tracing
from shared.config import Settings
from services.collector.main import create_app

assert tracing.make_provider("collector") is None
app = create_app(Settings(data_dir=Path({str(tmp_path)!r}), database_url=None, admin_token="a", secret_key="s"))
rt = app.state.rt
assert rt.tracer is None and rt.tracer_provider is None
assert isinstance(trace.get_tracer_provider(), ProxyTracerProvider), "a global provider was installed"
assert "OpenTelemetryMiddleware" not in [m.cls.__name__ for m in app.user_middleware]
# (redis-py imports the SDK's metrics module when it is installed: its own, not a provider)
loaded = sorted(m for m in sys.modules if m.startswith(("opentelemetry.sdk.trace", "opentelemetry.exporter",
                                                        "opentelemetry.instrumentation")))
assert not loaded, loaded
rt.engine.dispose()
print("off")
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().endswith("off")


def test_fastapis_own_telemetry_draws_no_span_even_with_a_global_provider(tmp_path: Path) -> None:
    """Newer FastAPI traces every request itself once a global provider is set (an operator's
    `opentelemetry-instrument`, FASTAPI_OTEL_AUTO_CONFIGURE): the services trace through shared/tracing.py only, so
    it is off (shared.service.NO_NATIVE_TELEMETRY) and a request makes no span of FastAPI's own."""
    script = f"""
from pathlib import Path
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from shared.config import Settings
from shared.service import build_app

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
app = build_app("renderer", tables=[], routers=[], settings=Settings(data_dir=Path({str(tmp_path)!r}),
                database_url=None, admin_token="a", secret_key="s"))
assert TestClient(app).get("/tidak-ada").status_code == 404
print("spans", [s.name for s in exporter.get_finished_spans()])
"""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}, "FASTAPI_OTEL_AUTO_CONFIGURE": "true"}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "spans []"


def test_an_endpoint_turns_it_on_with_the_service_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    for name, expected in ((None, "lapkin-collector"), ("dinas-collector", "dinas-collector")):
        if name is None:
            monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
        else:
            monkeypatch.setenv("OTEL_SERVICE_NAME", name)
        provider = tracing.make_provider("collector")
        assert provider is not None
        try:
            assert provider.resource.attributes["service.name"] == expected
        finally:
            provider.shutdown()
    assert trace.get_tracer_provider() is not provider  # never the global one: each app keeps its own


def test_an_envelope_without_trace_context_parses_and_is_written_as_before() -> None:
    old = {
        "event_id": "e-1", "type": "TriwulanSubmitted", "version": 1, "occurred_at": "2024-04-05T01:00:00Z",
        "producer": "collector", "correlation_id": "c-1", "causation_id": None, "payload": {"unit": "BPS"},
    }  # fmt: skip
    env = Envelope.model_validate(old)
    assert env.traceparent is None and env.tracestate is None
    assert json.loads(env.model_dump_json()) == {**old, "occurred_at": "2024-04-05T01:00:00Z"}  # no null keys added
    made = new_envelope("TriwulanSubmitted", {"unit": "BPS"}, producer="collector")  # no span active: none
    assert "traceparent" not in json.loads(made.model_dump_json())
    assert tracing.event_span(None, "process X", env).__enter__() is None  # no tracer: nothing to do


def test_an_envelope_made_in_a_span_carries_it_and_a_consumer_continues_it(
    spans: tuple[trace.Tracer, InMemorySpanExporter],
) -> None:
    tracer, exporter = spans
    with tracer.start_as_current_span("POST /api/v1/laporan-triwulan") as request:
        env = new_envelope("TriwulanSubmitted", {"unit": "BPS"}, producer="collector")
    ctx = request.get_span_context()
    flags = f"{int(ctx.trace_flags):02x}"  # sampled (and, from newer SDKs, the random-trace-id bit)
    assert env.traceparent == f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{flags}"
    assert Envelope.model_validate_json(env.model_dump_json()).traceparent == env.traceparent  # survives the outbox

    with tracing.event_span(tracer, "process TriwulanSubmitted", env, {"messaging.destination.name": "s"}):
        recap = new_envelope("RekapCompleted", {}, producer="aggregator", causation=env)
    consumed = next(s for s in exporter.get_finished_spans() if s.name == "process TriwulanSubmitted")
    assert consumed.kind == SpanKind.CONSUMER
    assert consumed.context.trace_id == ctx.trace_id and consumed.parent is not None
    assert consumed.parent.span_id == ctx.span_id
    assert consumed.attributes["lapkin.correlation_id"] == env.correlation_id
    assert recap.traceparent == f"00-{ctx.trace_id:032x}-{consumed.context.span_id:016x}-{flags}"  # the handler's span

    # outside any span (work left for later, or a service with tracing off) the causing event's context carries on
    later = new_envelope("DraftRendered", {}, producer="renderer", causation=recap)
    assert later.traceparent == recap.traceparent


def test_a_bad_traceparent_starts_a_trace_of_its_own(spans: tuple[trace.Tracer, InMemorySpanExporter]) -> None:
    tracer, exporter = spans
    for bad in ("", "junk", "00-" + "0" * 32 + "-" + "1" * 16 + "-01", "00-" + "a" * 32 + "-" + "0" * 16 + "-01"):
        assert tracing.parse_traceparent(bad) is None
    env = new_envelope("X", {}, producer="p").model_copy(update={"traceparent": "00-zz-11-01"})
    with tracing.event_span(tracer, "process X", env):
        pass
    (span,) = exporter.get_finished_spans()
    assert span.parent is None  # a root, not an error
    assert tracing.trace_id_of("00-" + "ab" * 16 + "-" + "cd" * 8 + "-01") == "ab" * 16


def test_the_operators_event_row_names_the_trace_id() -> None:
    from services.approval.web.presenters.operator import row_view

    row = {"stream": "lapkin.collector", "id": "1700000000000-0", "type": "X", "producer": "collector",
           "correlation_id": "c", "event_id": "e", "payload": {}}  # fmt: skip
    assert row_view(row)["trace_id"] == ""  # type: ignore[arg-type]
    traced = {**row, "traceparent": "00-" + "ab" * 16 + "-" + "cd" * 8 + "-01"}
    assert row_view(traced)["trace_id"] == "ab" * 16  # type: ignore[arg-type]
