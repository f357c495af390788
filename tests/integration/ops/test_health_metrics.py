"""`/healthz` and `/metrics` of a service on a real Redis: a deleted consumer group turns health to 503 naming it,
and a restart (which recreates the group) brings 200 back; after some traffic `/metrics` has every series with
plausible values; the correlation id comes in and goes out with `X-Correlation-Id` and reaches the events."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr

from services.aggregator.main import create_app as aggregator_app
from services.collector.main import create_app
from shared.observability import GroupState, JsonFormatter, correlation
from tests.integration.ops.conftest import event, eventually, ops_settings, put
from tests.support.s3 import S3Server


def series(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        got = dict(re.findall(r'(\w+)="([^"]*)"', line.rsplit(" ", 1)[0]))
        if all(got.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_healthz_turns_503_when_the_group_is_deleted_and_200_after_a_restart(settings, r):
    # the guard would recreate the group within a second (tests/integration/kernel/test_redis_loss.py): not here
    settings = settings.model_copy(update={"redis_check_interval_s": 3600.0})
    app = create_app(settings)
    stream = settings.stream("approval")  # the collector reads the approval service's stream
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        r.xgroup_destroy(stream, "collector")
        res = client.get("/healthz")
        assert res.status_code == 503
        assert res.json()["problems"] == [f"group collector missing on {stream}"]
        assert series(client.get("/metrics").text, "lapkin_consumer_group_up", stream=stream) == 0
    with TestClient(create_app(settings)) as client:  # a restart recreates the group
        assert client.get("/healthz").status_code == 200
        assert series(client.get("/metrics").text, "lapkin_consumer_group_up", stream=stream) == 1


def test_healthz_asks_an_s3_file_store_only_where_files_are_kept(settings, r, s3_server: S3Server):
    """A service that keeps files answers 503 naming the file store when its S3 bucket does not answer (a wrong
    secret here: the bucket refuses us), without the secret in the answer; the aggregator keeps none: still 200."""
    bucket = s3_server.new_bucket()
    good = settings.model_copy(update={**s3_server.settings(bucket), "redis_check_interval_s": 3600.0})
    with TestClient(create_app(good)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
    wrong = good.model_copy(update={"s3_secret_key": SecretStr("not-the-secret")})
    with TestClient(create_app(wrong)) as client:
        res = client.get("/healthz")
        assert res.status_code == 503, res.text
        (problem,) = res.json()["problems"]
        assert problem.startswith("file store: ") and "HTTP 403" in problem and "not-the-secret" not in problem
    with TestClient(aggregator_app(wrong)) as client:
        assert client.get("/healthz").status_code == 200


def test_a_stuck_group_is_a_problem_a_slow_one_is_not():
    slow = GroupState("s", "g", True, pending=3, oldest_pending_s=2.0)
    stuck = GroupState("s", "g", True, pending=3, oldest_pending_s=200.0)
    assert slow.problem(reclaim_idle_ms=60_000) is None
    assert "stuck" in (stuck.problem(reclaim_idle_ms=60_000) or "")
    assert GroupState("s", "g", False).problem(60_000) == "group g missing on s"


def test_metrics_after_traffic(tmp_path, r, pk_2024, submissions_2024):
    settings = ops_settings(tmp_path, reclaim_idle_ms=300, max_deliveries=2)
    app = create_app(settings)
    rt: Any = app.state.rt

    def boom(session, env, payload):  # a handler that always fails: retried, then dead-lettered
        raise RuntimeError("broken handler")

    rt.handlers["PeriodeClosed"] = boom
    admin = {"Authorization": f"Bearer {settings.admin_token}"}
    try:
        with TestClient(app) as client:
            pk = client.put(
                "/api/v1/perjanjian-kinerja/2024", json=pk_2024, headers={**admin, "X-Correlation-Id": "corr-pk"}
            )
            assert pk.status_code == 200 and pk.headers["x-correlation-id"] == "corr-pk"
            key = client.post("/api/v1/units/BPS/api-keys", headers=admin).json()["api_key"]
            subs = [s for s in submissions_2024 if s["unit"] == "BPS"][:2]
            for sub in subs:
                res = client.post(
                    "/api/v1/laporan-triwulan",
                    json=sub,
                    headers={"Authorization": f"Bearer {key}", "X-Correlation-Id": "corr-from-the-agency"},
                )
                assert res.status_code == 202, res.text
                assert res.headers["x-correlation-id"] == "corr-from-the-agency"
            assert client.get("/healthz").headers["x-correlation-id"]  # a new one when none is sent
            put(r, settings, event("DraftApproved", _decision(), "approval"))  # consumed (not final: no change)
            put(r, settings, event("PeriodeClosed", {"tahun": 2024, "periode": "TW1", "closed_by": "t"}, "approval"))
            r.xadd(settings.stream("approval"), {"__data__": '{"not": "an envelope"}'})  # dead-lettered at once

            def scraped() -> str | None:
                text = client.get("/metrics").text
                done = series(text, "lapkin_events_dead_lettered_total", type="PeriodeClosed")
                # the dead-letter counter moves before FastStream acks the entry (after our handler returns): wait
                # for the ack too, or a scrape between the two sees the entry still pending
                acked = (
                    series(text, "lapkin_consumer_group_pending", stream=settings.stream("approval"), group="collector")
                    == 0
                )
                return (
                    text
                    if done and acked and series(text, "lapkin_events_published_total", type="TriwulanSubmitted") == 2
                    else None
                )

            text = eventually(scraped, timeout=20, what="the handler failures to reach the dead letters")
        approval = settings.stream("approval")
        assert series(text, "lapkin_http_requests_total", route="/api/v1/laporan-triwulan", status="202") == 2
        assert series(text, "lapkin_http_requests_total", route="/api/v1/units/{kode}/api-keys", status="201") == 1
        assert series(text, "lapkin_http_request_duration_seconds_count", route="/api/v1/laporan-triwulan") == 2
        assert (
            series(text, "lapkin_http_request_duration_seconds_bucket", route="/api/v1/laporan-triwulan", le="+Inf")
            == 2
        )
        assert series(text, "lapkin_events_published_total", type="PerjanjianKinerjaPublished") == 1
        assert series(text, "lapkin_events_consumed_total", stream=approval, type="DraftApproved") == 1
        assert (series(text, "lapkin_handler_failures_total", type="PeriodeClosed") or 0) >= 2
        assert series(text, "lapkin_events_dead_lettered_total", stream=approval, type="unreadable") == 1
        assert series(text, "lapkin_dead_letters", stream=approval) == 2  # waiting in the DLQ: alert on it
        assert series(text, "lapkin_outbox_backlog") == 0
        assert series(text, "lapkin_consumer_group_pending", stream=approval, group="collector") == 0
        assert series(text, "lapkin_consumer_group_lag", stream=approval, group="collector") == 0
        assert series(text, "lapkin_consumer_group_oldest_pending_seconds", stream=approval) == 0
        assert "# TYPE lapkin_http_request_duration_seconds histogram" in text
        # an event emitted by a request carries its correlation id (unless the service names one: a submission's)
        bodies = [
            json.loads(f[b"__data__"][f[b"__data__"].index(b"{") :]) for _, f in r.xrange(settings.stream("collector"))
        ]
        assert [b["correlation_id"] for b in bodies if b["type"] == "PerjanjianKinerjaPublished"] == ["corr-pk"]
    finally:
        keys = list(r.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            r.delete(*keys)


def _decision() -> dict[str, Any]:
    return {
        "draft_id": "2024-TW1",
        "tahun": 2024,
        "periode": "TW1",
        "jenis": "triwulan",
        "version": 1,
        "step": 5,
        "actor": {"id": 1, "nama": "Kasubag"},
        "final": False,
    }


def test_json_log_lines_carry_the_correlation_id():
    import logging

    record = logging.LogRecord("lapkin.x", logging.INFO, "f", 1, "applied %s", ("E1",), None)
    with correlation("corr-9"):
        line = json.loads(JsonFormatter("aggregator").format(record))
    assert line["message"] == "applied E1" and line["correlation_id"] == "corr-9" and line["service"] == "aggregator"


def test_alerted_counters_start_at_0_and_reconcile_figures_are_what_redis_holds_now(settings, r):
    """Counters an alert's `increase()` watches are there at 0 before their first event; the reconciliation series
    follow the `lapkin.reconcile` key: absent before, the figures while it is there, absent again once it is lost."""
    from shared.messaging.guard import RECOVERY_REASONS
    from shared.observability import reconcile_key

    app = create_app(settings)
    stream = settings.stream("approval")  # the collector reads the approval service's stream
    with TestClient(app) as client:
        text = client.get("/metrics").text
        for reason in RECOVERY_REASONS:
            assert series(text, "lapkin_redis_recoveries_total", reason=reason) is not None, reason
        assert series(text, "lapkin_events_dead_lettered_total", stream=stream, type="unreadable") == 0
        for type_ in app.state.rt.handlers:
            assert series(text, "lapkin_events_dead_lettered_total", stream=stream, type=type_) == 0, type_
        assert series(text, "lapkin_reconcile_timestamp_seconds") is None
        found = {"at": "2026-12-01T00:00:00+00:00", "at_unix": 1764547200.0, "gaps": {"collector-aggregator": 2}}
        r.set(reconcile_key(settings.stream_prefix), json.dumps(found))
        text = client.get("/metrics").text
        assert series(text, "lapkin_reconcile_timestamp_seconds") == 1764547200.0
        assert series(text, "lapkin_reconcile_gaps", check="collector-aggregator") == 2
        r.delete(reconcile_key(settings.stream_prefix))  # Redis lost it
        text = client.get("/metrics").text
        assert series(text, "lapkin_reconcile_timestamp_seconds") is None
        assert series(text, "lapkin_reconcile_gaps", check="collector-aggregator") is None
