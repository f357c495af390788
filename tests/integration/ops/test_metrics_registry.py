"""`/metrics` comes from prometheus_client: each service its own registry, so several apps in one process export
their own numbers and nothing lands in the library's global registry; the text format parses with the library's own
parser and carries every series name the alerts and dashboards use; absent is absent (no `_created` series, no
reconciliation figures before a reconciliation)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from services.aggregator.main import create_app as aggregator_app
from services.collector.main import create_app as collector_app
from shared.observability import Metrics

NAMES = {  # every family a service exports (what the alerts and dashboards of docs/ and deploy/ read)
    "lapkin_service_info",
    "lapkin_http_requests_total",
    "lapkin_http_request_duration_seconds",
    "lapkin_events_published_total",
    "lapkin_events_consumed_total",
    "lapkin_handler_failures_total",
    "lapkin_handler_duration_seconds",
    "lapkin_events_dead_lettered_total",
    "lapkin_outbox_backlog",
    "lapkin_consumer_group_up",
    "lapkin_consumer_group_pending",
    "lapkin_consumer_group_oldest_pending_seconds",
    "lapkin_consumer_group_lag",
    "lapkin_redis_recoveries_total",
    "lapkin_outbox_republished_total",
    "lapkin_dead_letters",
    "lapkin_reconcile_gaps",
    "lapkin_reconcile_timestamp_seconds",
}


def families(text: str) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    return {f.name: [(s.name, s.labels, s.value) for s in f.samples] for f in text_string_to_metric_families(text)}


def typed(text: str) -> set[str]:
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}


def test_two_apps_in_one_process_keep_their_own_numbers(settings):
    with TestClient(collector_app(settings)) as collector, TestClient(aggregator_app(settings)) as aggregator:
        for _ in range(3):
            assert collector.get("/healthz").status_code == 200
        res = collector.get("/metrics")
        assert res.headers["content-type"] == CONTENT_TYPE_LATEST
        mine, theirs = res.text, aggregator.get("/metrics").text
    assert typed(mine) == NAMES and typed(theirs) == NAMES
    assert families(mine)["lapkin_service_info"] == [("lapkin_service_info", {"service": "collector"}, 1.0)]
    assert families(theirs)["lapkin_service_info"] == [("lapkin_service_info", {"service": "aggregator"}, 1.0)]
    health = {"method": "GET", "route": "/healthz", "status": "200"}
    assert ("lapkin_http_requests_total", health, 3.0) in families(mine)["lapkin_http_requests"]
    assert not any(labels == health for _, labels, _ in families(theirs)["lapkin_http_requests"])
    assert "_created" not in mine
    assert not [m for m in REGISTRY.collect() if m.name.startswith("lapkin_")]  # the global registry stays empty


def test_reconciliation_figures_are_absent_until_there_is_a_result_and_absent_again_after():
    metrics = Metrics("collector")
    assert families(metrics.render().decode())["lapkin_reconcile_gaps"] == []
    metrics.update_reconcile({"at_unix": 1764547200.0, "gaps": {"collector-aggregator": 2}})
    found = families(metrics.render().decode())
    assert found["lapkin_reconcile_gaps"] == [("lapkin_reconcile_gaps", {"check": "collector-aggregator"}, 2.0)]
    assert found["lapkin_reconcile_timestamp_seconds"] == [("lapkin_reconcile_timestamp_seconds", {}, 1764547200.0)]
    metrics.update_reconcile(None)
    assert families(metrics.render().decode())["lapkin_reconcile_timestamp_seconds"] == []
