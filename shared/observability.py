"""Metrics in the Prometheus text format (prometheus_client: counters, gauges, histograms with labels), the state of
the consumer groups a service reads (pending, oldest pending age, lag), structured JSON logs carrying the
correlation id, and the HTTP middleware that counts requests by route template and carries `X-Correlation-Id`.

One `Metrics` per app (`Runtime.metrics`), so several apps in one test process never mix their numbers.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NotRequired, TypedDict

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

correlation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("lapkin_correlation_id", default=None)
# the id the caller itself sent (valid `X-Correlation-Id`), None when the middleware made one up: work a request
# starts under an id of its own (a submission's) takes the caller's instead, so the caller's id finds it
caller_correlation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "lapkin_caller_correlation_id", default=None
)
CORRELATION_HEADER = "X-Correlation-Id"
STUCK_FACTOR = 3  # a group is stuck when its oldest pending entry has waited this many reclaim idle times


def reconcile_key(prefix: str) -> str:
    """Where `lapkin reconcile` leaves its newest result (JSON), for every service's /metrics and `lapkin status`."""
    return f"{prefix}.reconcile"


class ReconcileGap(TypedDict):
    """One difference `lapkin reconcile` found between a service and the one after it (`lapkin.reconcile.Gap`)."""

    check: str
    key: str
    want: str
    have: str
    owner: str
    event: str


class ReconcileResult(TypedDict):
    """The newest `lapkin reconcile` result, as left in Redis at `reconcile_key` (the first 100 gaps)."""

    at: str  # ISO 8601
    at_unix: float
    gaps: dict[str, int]  # check -> gaps found
    items: list[ReconcileGap]
    recent: int  # differences changed within the grace period, not judged
    repaired: NotRequired[int]  # with --repair: events re-emitted


@contextmanager
def correlation(cid: str | None) -> Iterator[None]:
    """Within the block, log lines (and events emitted without an explicit id) carry this correlation id."""
    token = correlation_id_var.set(cid)
    try:
        yield
    finally:
        correlation_id_var.reset(token)


# ---- metrics ----------------------------------------------------------------------------------------------------

# the exposition keeps the series we name and no more: prometheus_client would add a `<name>_created` series to every
# counter and histogram (OpenMetrics' creation time), which the text format for Prometheus does not need
disable_created_metrics()

DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
PROMETHEUS_CONTENT_TYPE = CONTENT_TYPE_LATEST


class _Reconciliation(Collector):
    """The newest `lapkin reconcile` result as two gauges, read at scrape time: both absent while there is none."""

    def __init__(self) -> None:
        self.result: ReconcileResult | None = None

    def collect(self) -> Iterable[Metric]:
        gaps = GaugeMetricFamily(
            "lapkin_reconcile_gaps",
            "Gaps the newest `lapkin reconcile` found, by check (absent while Redis holds no result).",
            labels=["check"],
        )
        at = GaugeMetricFamily(
            "lapkin_reconcile_timestamp_seconds", "When the newest `lapkin reconcile` ran (Unix time)."
        )
        if self.result is not None:
            for check, n in (self.result.get("gaps") or {}).items():
                gaps.add_metric([str(check)], float(n))
            if self.result.get("at_unix") is not None:
                at.add_metric([], float(self.result["at_unix"]))
        return [gaps, at]


class Metrics:
    """Every series a service exports, in a registry of its own (prometheus_client's `CollectorRegistry`), so several
    apps in one process never mix their numbers. Gauges about Redis and the outbox are refreshed at scrape time."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.registry = registry = CollectorRegistry()
        Info("lapkin_service", "The service that exports these series.", registry=registry).info({"service": service})
        self.http_requests = Counter(
            "lapkin_http_requests_total",
            "HTTP requests by route template and status.",
            ("method", "route", "status"),
            registry=registry,
        )
        self.http_latency = Histogram(
            "lapkin_http_request_duration_seconds",
            "HTTP request latency by route template.",
            ("method", "route"),
            registry=registry,
            buckets=DEFAULT_BUCKETS,
        )
        self.published = Counter(
            "lapkin_events_published_total",
            "Events the outbox relay published, by type.",
            ("stream", "type"),
            registry=registry,
        )
        self.consumed = Counter(
            "lapkin_events_consumed_total",
            "Events applied by this service's handlers, by type.",
            ("stream", "type"),
            registry=registry,
        )
        self.handler_failures = Counter(
            "lapkin_handler_failures_total",
            "Handler runs that raised (the event stays pending).",
            ("stream", "type"),
            registry=registry,
        )
        self.handler_latency = Histogram(
            "lapkin_handler_duration_seconds",
            "Time to apply one event, by type.",
            ("type",),
            registry=registry,
            buckets=DEFAULT_BUCKETS,
        )
        self.dead_lettered = Counter(
            "lapkin_events_dead_lettered_total",
            "Events this service sent to a dead-letter stream.",
            ("stream", "type"),
            registry=registry,
        )
        self.outbox_backlog = Gauge("lapkin_outbox_backlog", "Outbox rows not yet published.", registry=registry)
        self.group_up = Gauge(
            "lapkin_consumer_group_up",
            "1 when the consumer group exists on the stream.",
            ("stream", "group"),
            registry=registry,
        )
        self.group_pending = Gauge(
            "lapkin_consumer_group_pending",
            "Entries delivered to the group but not acknowledged.",
            ("stream", "group"),
            registry=registry,
        )
        self.group_oldest = Gauge(
            "lapkin_consumer_group_oldest_pending_seconds",
            "Idle time of the group's oldest pending entry (0 when none).",
            ("stream", "group"),
            registry=registry,
        )
        self.group_lag = Gauge(
            "lapkin_consumer_group_lag",
            "Entries in the stream the group has not read yet.",
            ("stream", "group"),
            registry=registry,
        )
        self.redis_recoveries = Counter(
            "lapkin_redis_recoveries_total",
            "Losses of Redis data this service found and repaired (groups recreated at 0, outbox re-published).",
            ("reason",),
            registry=registry,
        )
        self.republished = Counter(
            "lapkin_outbox_republished_total",
            "Outbox rows put back for publishing after a Redis data loss.",
            registry=registry,
        )
        self.dead_letters = Gauge(
            "lapkin_dead_letters",
            "Entries waiting in the dead-letter stream (<stream>.dlq) of each stream this service reads.",
            ("stream",),
            registry=registry,
        )
        self.reconciliation = _Reconciliation()
        registry.register(self.reconciliation)

    def start_at_zero(self, reasons: Iterable[str], streams_in: Iterable[str], types: Iterable[str]) -> None:
        """The counters alerts watch, exported at 0 from start for their known label values (a series that only
        appears with its first event gives Prometheus' `increase()` nothing to compare that first one with)."""
        for reason in reasons:
            self.redis_recoveries.labels(reason)
        for stream in streams_in:
            for type_ in (*types, "unreadable"):
                self.dead_lettered.labels(stream, type_)

    def update_groups(self, groups: list[GroupState]) -> None:
        for g in groups:
            self.group_up.labels(g.stream, g.group).set(1 if g.exists else 0)
            self.group_pending.labels(g.stream, g.group).set(g.pending)
            self.group_oldest.labels(g.stream, g.group).set(g.oldest_pending_s or 0.0)
            self.group_lag.labels(g.stream, g.group).set(g.lag if g.lag is not None else 0)

    def update_reconcile(self, result: ReconcileResult | None) -> None:
        """From the result the newest `lapkin reconcile` left in Redis (`reconcile_key`) now: both series are
        absent while Redis holds none (never run, or lost with Redis data), never an older figure."""
        self.reconciliation.result = result or None

    def render(self) -> bytes:
        """The Prometheus text format (`PROMETHEUS_CONTENT_TYPE`)."""
        return generate_latest(self.registry)


# ---- consumer groups --------------------------------------------------------------------------------------------


@dataclass
class GroupState:
    stream: str
    group: str
    exists: bool
    pending: int = 0
    oldest_pending_s: float | None = None  # idle time of the oldest pending entry
    lag: int | None = None  # None: Redis cannot tell (entries were deleted)
    consumers: int = 0

    def problem(self, reclaim_idle_ms: int, factor: int = STUCK_FACTOR) -> str | None:
        if not self.exists:
            return f"group {self.group} missing on {self.stream}"
        limit = factor * reclaim_idle_ms / 1000
        if self.oldest_pending_s is not None and self.oldest_pending_s > limit:
            return (
                f"group {self.group} stuck on {self.stream}: oldest of {self.pending} pending waited "
                f"{self.oldest_pending_s:.1f}s (> {factor}x reclaim idle {reclaim_idle_ms / 1000:g}s)"
            )
        return None


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def group_states(client: Any, streams: Iterable[str], group: str | None = None) -> list[GroupState]:
    """The state of `group` on each stream (or of every group on it when `group` is None), from XINFO GROUPS and
    XPENDING. An async Redis client."""
    from redis.exceptions import ResponseError

    out: list[GroupState] = []
    for stream in streams:
        try:
            infos = await client.xinfo_groups(stream)
        except ResponseError:
            infos = []
        found = False
        for info in infos:
            name = _text(info["name"])
            if group is not None and name != group:
                continue
            found = True
            pending = int(info.get("pending") or 0)
            oldest = None
            if pending:
                first = await client.xpending_range(stream, name, "-", "+", 1)
                oldest = first[0]["time_since_delivered"] / 1000 if first else None
            lag = info.get("lag")
            out.append(
                GroupState(
                    stream,
                    name,
                    True,
                    pending,
                    oldest,
                    int(lag) if lag is not None else None,
                    int(info.get("consumers") or 0),
                )
            )
        if group is not None and not found:
            out.append(GroupState(stream, group, False))
    return out


# ---- logs -------------------------------------------------------------------------------------------------------

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, service, message, correlation_id, and any `extra` fields."""

    def __init__(self, service: str | None = None) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {  # the record's own fields (`extra`) have any shape: written, never read
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if self.service:
            out["service"] = self.service
        cid = getattr(record, "correlation_id", None) or correlation_id_var.get()
        if cid:
            out["correlation_id"] = cid
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in out and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def configure_logging(service: str, level: int = logging.INFO) -> None:
    """JSON lines on stderr for the `lapkin.*` loggers (idempotent: one handler however many apps are built)."""
    logger = logging.getLogger("lapkin")
    for h in logger.handlers:
        if getattr(h, "_lapkin_json", False):
            h.setFormatter(JsonFormatter(service))
            return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    handler._lapkin_json = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > level:
        logger.setLevel(level)
    faststream = logging.getLogger("lapkin.faststream")  # its INFO lines (subscriber start/stop) are noise here
    if faststream.level == logging.NOTSET:
        faststream.setLevel(logging.WARNING)
    # a library's warning is a JSON line too, not two lines of raw text (the newcomer found pyHanko's in the logs);
    # cryptography's deprecation of DSA, which pyHanko imports and the office's certificates do not use, not at all
    warnings.filterwarnings("ignore", message="DSA is deprecated")
    logging.captureWarnings(True)
    py_warnings = logging.getLogger("py.warnings")
    if handler not in py_warnings.handlers:
        py_warnings.addHandler(handler)
        py_warnings.propagate = False


# ---- HTTP -------------------------------------------------------------------------------------------------------


CORRELATION_ID = re.compile(rb"[A-Za-z0-9._:/+=-]{1,128}")


def callers_correlation_id(raw: bytes) -> str | None:
    """The caller's `X-Correlation-Id` when it is a plain token (ASCII letters, digits, `._:/+=-`, at most 128), else
    None: the id is echoed in a header, written into events and logs, and a caller's bytes (not UTF-8, control
    characters, header breaks) must not reach any of them."""
    raw = raw.strip()
    return raw.decode("ascii") if CORRELATION_ID.fullmatch(raw) else None


def caller_correlation_id() -> str | None:
    """The valid `X-Correlation-Id` the current request's caller sent, None without one (or outside a request)."""
    return caller_correlation_id_var.get()


class HttpObservability:
    """Pure ASGI (streams and server-sent events pass through untouched): a correlation id per request, from
    `X-Correlation-Id` or new, set in the contextvar and echoed in the response; requests counted by route
    template (`/items/{item_id}`, never the raw path) and status, with latency. With `traced` (tracing on), the
    correlation id is also an attribute of the request's span."""

    def __init__(self, app: ASGIApp, metrics: Metrics, traced: bool = False) -> None:
        self.app, self.metrics, self.traced = app, metrics, traced

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = callers_correlation_id(headers.get(b"x-correlation-id", b""))
        cid = given or str(uuid.uuid4())
        status = {"code": 500}
        started = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-correlation-id", cid.encode())]
            await send(message)

        if self.traced:  # the request's server span (shared/tracing.py) names the correlation id operators search by
            from opentelemetry import trace

            trace.get_current_span().set_attribute("lapkin.correlation_id", cid)
        token, given_token = correlation_id_var.set(cid), caller_correlation_id_var.set(given)
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            caller_correlation_id_var.reset(given_token)
            correlation_id_var.reset(token)
            route = scope.get("route")
            template = getattr(route, "path", None) or ("unmatched" if status["code"] == 404 else "other")
            method = scope.get("method", "GET")
            self.metrics.http_requests.labels(method, template, str(status["code"])).inc()
            self.metrics.http_latency.labels(method, template).observe(time.perf_counter() - started)
