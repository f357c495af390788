"""The operators' pages of the approval service on a real Redis: only the role `operator` sees them; the event log
with filters (through the index the service keeps), one envelope, the trace, dead letters replayed and dropped
behind the CSRF token (each action recorded), and the consumer groups."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from services.approval.main import create_app
from shared.messaging.index import EventIndex
from tests.integration.ops.conftest import event, eventually, put, session_cookie


@pytest.fixture
def app_client(settings, r) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


def official(client: TestClient, settings, username: str, role: str) -> int:
    body = {"username": username, "password": "rahasia-123", "nama": username.title(), "role": role}
    res = client.post("/api/v1/officials", json=body, headers={"Authorization": f"Bearer {settings.admin_token}"})
    assert res.status_code == 201, res.text
    return int(res.json()["id"])


def as_(client: TestClient, settings, uid: int) -> dict[str, str]:
    return {"Cookie": f"lapkin_sesi={session_cookie(settings, uid)}"}


def submitted(unit: str, sub: str) -> dict:
    return {
        "tahun": 2024,
        "triwulan": 1,
        "unit": unit,
        "submission_id": sub,
        "revision": 1,
        "realisasi": [],
        "on_time": True,
        "received_at": "2024-04-01T00:00:00+00:00",
    }


def trace_rows(html: str) -> dict[str, str]:
    """The trace page's rows: event id -> the row's HTML."""
    return dict(re.findall(r'<tr class="step"[^>]*data-event-id="([^"]+)">(.*?)</tr>', html, re.S))


def test_each_row_of_the_trace_names_its_own_opentelemetry_trace(app_client, settings, r):
    """Outsider finding: the trace page listed the trace ids above the table, tied to no row; a piece of work whose
    steps ran in several traces (a recap coalesces reports of other traces) could not be looked up step by step."""
    op = as_(app_client, settings, official(app_client, settings, "op2", "operator"))
    first, second = "12" * 16, "34" * 16
    envs = [
        event("TriwulanSubmitted", submitted("BPS", f"sub-{n}"), "collector", correlation_id="corr-agency-9", **kw)
        for n, kw in enumerate(
            [{"traceparent": f"00-{first}-{'ab' * 8}-01"}, {}, {"traceparent": f"00-{second}-{'cd' * 8}-01"}]
        )
    ]
    for e in envs:
        put(r, settings, e)
    index = EventIndex(r, settings.stream_prefix)
    eventually(lambda: len(index.trace("corr-agency-9")) == 3, what="the indexer")
    rows = trace_rows(app_client.get("/operator/jejak", params={"id": "corr-agency-9"}, headers=op).text)
    assert set(rows) == {e.event_id for e in envs}
    assert f'<code class="trace-id">{first}</code>' in rows[envs[0].event_id] and second not in rows[envs[0].event_id]
    assert "trace-id" not in rows[envs[1].event_id]  # made without tracing: no trace to name
    assert f'<code class="trace-id">{second}</code>' in rows[envs[2].event_id] and first not in rows[envs[2].event_id]


def test_only_operators_see_the_pages(app_client, settings, r):
    staf = official(app_client, settings, "staf1", "staf")
    for path in ("/operator/peristiwa", "/operator/jejak", "/operator/surat-mati", "/operator/grup"):
        assert app_client.get(path).status_code == 303  # not logged in: to the login page
        assert app_client.get(path, headers=as_(app_client, settings, staf)).status_code == 403
    assert app_client.get("/operator/peristiwa/langsung", headers=as_(app_client, settings, staf)).status_code == 403


def test_event_log_filters_envelope_trace_and_groups(app_client, settings, r):
    op = as_(app_client, settings, official(app_client, settings, "op1", "operator"))
    envs = [
        event("TriwulanSubmitted", submitted(u, f"sub-{n}"), "collector")
        for n, u in enumerate(["BPS", "DISNAKER", "BPS"])
    ]
    trace_id = "ab" * 16  # the second was made inside an OpenTelemetry span (shared/tracing.py)
    envs[1] = envs[1].model_copy(update={"traceparent": f"00-{trace_id}-{'cd' * 8}-01"})
    ids = [put(r, settings, e) for e in envs]
    index = EventIndex(r, settings.stream_prefix)
    eventually(lambda: len(index.page({"unit": "BPS"}).rows) == 2, what="the indexer")

    page = app_client.get("/operator/peristiwa", headers=op)
    assert page.status_code == 200
    html = page.text
    assert html.index(envs[2].event_id[:8]) < html.index(envs[1].event_id[:8]) < html.index(envs[0].event_id[:8])
    assert "/operator/peristiwa/langsung?" in html  # the live feed
    bps = app_client.get("/operator/peristiwa", params={"unit": "BPS"}, headers=op).text
    assert envs[0].event_id in bps and envs[2].event_id in bps and envs[1].event_id not in bps
    corr = app_client.get("/operator/peristiwa", params={"corr": envs[1].correlation_id}, headers=op).text
    assert envs[1].event_id in corr and envs[0].event_id not in corr
    none = app_client.get("/operator/peristiwa", params={"type": "DraftApproved"}, headers=op).text
    assert envs[0].event_id not in none

    one = app_client.get(f"/operator/peristiwa/{settings.stream('collector')}/{ids[1]}", headers=op)
    assert one.status_code == 200 and envs[1].event_id in one.text and "DISNAKER" in one.text
    assert f'id="otel-trace">{trace_id}<' in one.text  # beside the correlation id
    untraced = app_client.get(f"/operator/peristiwa/{settings.stream('collector')}/{ids[0]}", headers=op).text
    assert 'id="otel-trace"' not in untraced
    assert app_client.get(f"/operator/peristiwa/{settings.stream('collector')}/1-1", headers=op).status_code == 404

    trace = app_client.get("/operator/jejak", params={"id": "sub-1"}, headers=op).text
    assert envs[1].event_id in trace and envs[0].event_id not in trace
    assert f'<code class="trace-id">{trace_id}</code>' in trace  # to look the same work up in Jaeger/Tempo

    groups = app_client.get("/operator/grup", headers=op).text
    assert 'data-group="indexer"' in groups and 'data-group="approval"' in groups

    metrics = text_string_to_metric_families(app_client.get("/metrics").text)  # label order carries no meaning
    up = {
        tuple(sorted(s.labels.items())): s.value
        for f in metrics
        if f.name == "lapkin_consumer_group_up"
        for s in f.samples
    }
    assert up[(("group", "indexer"), ("stream", settings.stream("collector")))] == 1


def test_dead_letters_replay_and_drop_behind_csrf_and_recorded(app_client, settings, r):
    op = as_(app_client, settings, official(app_client, settings, "op2", "operator"))
    dlq = f"{settings.stream('collector')}.dlq"
    envs = [event("TriwulanSubmitted", submitted("BPS", f"dead-{n}"), "collector") for n in range(2)]
    dead = []
    for env in envs:
        letter = {
            "envelope": json.loads(env.model_dump_json()),
            "dead_reason": "handler failed",
            "delivery_count": 5,
            "original_stream": settings.stream("collector"),
            "consumer": "aggregator",
            "failed_at": "2024-04-01",
        }
        dead.append(r.xadd(dlq, {"__data__": json.dumps(letter)}).decode())
    page = app_client.get("/operator/surat-mati", headers=op)
    assert page.status_code == 200 and envs[0].event_id[:8] in page.text and 'name="csrf"' in page.text

    refused = app_client.post("/operator/surat-mati/kirim-ulang", data={"dlq": dlq, "entry": dead[0]}, headers=op)
    assert refused.status_code == 403 and r.xlen(dlq) == 2  # no token: nothing happens
    forged = {"dlq": dlq, "entry": dead[0], "csrf": "wrong"}
    assert app_client.post("/operator/surat-mati/kirim-ulang", data=forged, headers=op).status_code == 403

    ok = app_client.post(
        "/operator/surat-mati/kirim-ulang", data={"dlq": dlq, "entry": dead[0], "csrf": "csrf-token"}, headers=op
    )
    assert (
        ok.status_code == 303 and "replayed" in ok.headers["location"] and "grup=aggregator" in ok.headers["location"]
    )
    # the same event_id goes back to the group that failed it (its retry stream), not onto the stream all groups read
    assert r.xlen(settings.stream("collector")) == 0
    [(_, replayed)] = r.xrange(settings.retry_stream("aggregator"))
    assert envs[0].event_id in replayed[b"__data__"].decode()
    assert replayed[b"origin"].decode() == settings.stream("collector")
    notice = app_client.get(ok.headers["location"], headers=op).text
    assert "hanya ke grup konsumen aggregator" in notice
    groups = app_client.get("/operator/grup", headers=op).text  # the replay waits there, for the aggregator
    assert f'data-stream="{settings.retry_stream("aggregator")}"' in groups
    again = app_client.post(
        "/operator/surat-mati/kirim-ulang", data={"dlq": dlq, "entry": dead[0], "csrf": "csrf-token"}, headers=op
    )
    assert "gone" in again.headers["location"] and r.xlen(settings.retry_stream("aggregator")) == 1
    dropped = app_client.post(
        "/operator/surat-mati/buang",
        data={"dlq": dlq, "entry": dead[1], "csrf": "csrf-token", "yakin": "ya"},
        headers=op,
    )
    assert dropped.status_code == 303 and r.xlen(dlq) == 0
    actions = [(f[b"action"].decode(), f[b"by"].decode()) for _, f in r.xrange(f"{settings.stream_prefix}.ops")]
    assert actions == [("replay", "web:op2"), ("drop", "web:op2")]
    assert "web:op2" in app_client.get("/operator/surat-mati", headers=op).text
