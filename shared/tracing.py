"""OpenTelemetry traces, one per piece of work: an agency's POST, the recap it changes, the draft drawn from that
recap and the record of the draft share one trace id, across the services (docs/operations.md, "Tracing").

OFF unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set: then no TracerProvider is
made, the SDK and the exporter are never imported, no middleware is added and `Runtime.tracer` is None, so a request
or an event costs nothing more than before. On, each app gets a TracerProvider of its own (service.name
`lapkin-<service>`, or `OTEL_SERVICE_NAME`), so four apps in one process (the tests) still name their own spans, and
spans go out over OTLP/HTTP in batches (the exporter reads the standard `OTEL_EXPORTER_OTLP_*` variables itself).

Across Redis the W3C trace context travels IN THE ENVELOPE (`Envelope.traceparent`, `tracestate`), not in stream
headers: events are published by the outbox relay after the commit, outside the request or handler that made them,
and an entry replayed from a dead letter or a pending draft drawn later is the stored envelope. `new_envelope` writes
the active span's context; a consumer's span (`consume_span`) takes the envelope's as its parent.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import (
    NonRecordingSpan,
    Span,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    Tracer,
    TraceState,
)

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import SpanProcessor, TracerProvider

ENDPOINT_VARS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
# W3C Trace Context, version 00: 32 hex trace id, 16 hex parent (span) id, 2 hex flags; all-zero ids are invalid
TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
TRACESTATE_MAX = 512  # the W3C limit is 32 members; an envelope keeps what fits, never an unbounded header

# tests set this to send every app's spans to one in-memory exporter (a SimpleSpanProcessor); None: OTLP when on
processor_factory: Callable[[], SpanProcessor] | None = None


def enabled() -> bool:
    """Tracing is on when an OTLP endpoint is named (or a test installed `processor_factory`)."""
    return processor_factory is not None or any(os.environ.get(name, "").strip() for name in ENDPOINT_VARS)


def service_name(service: str) -> str:
    return os.environ.get("OTEL_SERVICE_NAME", "").strip() or f"lapkin-{service}"


def make_provider(service: str) -> TracerProvider | None:
    """The app's TracerProvider, or None when tracing is off (nothing imported, nothing set up). Never installed as
    the global provider: each app passes its own to what it instruments."""
    if not enabled():
        return None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service_name(service)}))
    if processor_factory is not None:
        provider.add_span_processor(processor_factory())
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    return provider


def instrument_app(app: Any, provider: TracerProvider) -> None:
    """A server span per HTTP request (route template as its name, an incoming `traceparent` as its parent); the
    probes (/healthz, /metrics) are left out, and so are the per-chunk send/receive spans."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="/healthz,/metrics", exclude_spans=["receive", "send"]
    )


# ---- the envelope's trace context ------------------------------------------------------------------------------


def current_context() -> tuple[str | None, str | None]:
    """(traceparent, tracestate) of the active span, (None, None) when there is none (tracing off: no span is
    ever active, and this is one context lookup)."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None, None
    state = ctx.trace_state.to_header() if ctx.trace_state else ""
    return (
        f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}",
        state[:TRACESTATE_MAX] or None,
    )


def parse_traceparent(value: str | None, tracestate: str | None = None) -> SpanContext | None:
    """The remote span context a `traceparent` names; None when absent or not a valid W3C version-00 value (an
    event from before tracing, or a hand-written one, simply starts a trace of its own)."""
    if not value:
        return None
    found = TRACEPARENT.fullmatch(value.strip().lower())
    if found is None:
        return None
    trace_id, span_id, flags = int(found[1], 16), int(found[2], 16), int(found[3], 16)
    if trace_id == 0 or span_id == 0:
        return None
    state = TraceState.from_header([tracestate]) if tracestate else None
    return SpanContext(trace_id, span_id, is_remote=True, trace_flags=TraceFlags(flags & 0xFF), trace_state=state)


def trace_id_of(traceparent: str | None) -> str | None:
    """The 32-hex trace id of a `traceparent` (what a tracing UI searches by), None when it has none."""
    ctx = parse_traceparent(traceparent)
    return f"{ctx.trace_id:032x}" if ctx is not None else None


def parent_context(traceparent: str | None, tracestate: str | None = None) -> Context | None:
    ctx = parse_traceparent(traceparent, tracestate)
    return trace.set_span_in_context(NonRecordingSpan(ctx)) if ctx is not None else None


@contextmanager
def event_span(
    tracer: Tracer | None,
    name: str,
    env: Any,
    attributes: dict[str, Any] | None = None,
    kind: SpanKind = SpanKind.CONSUMER,
) -> Iterator[None]:
    """Within the block, a span whose parent is the envelope's `traceparent` (a root of its own when the envelope
    has none) is the active span: events emitted inside carry it on. With no tracer (tracing off), nothing at all."""
    if tracer is None:
        yield
        return
    attrs = {
        "messaging.system": "redis",
        "messaging.message.id": env.event_id,
        "messaging.message.conversation_id": env.correlation_id,
        "lapkin.event.type": env.type,
        "lapkin.correlation_id": env.correlation_id,
        **(attributes or {}),
    }
    parent = parent_context(env.traceparent, env.tracestate)
    with tracer.start_as_current_span(name, context=parent, kind=kind, attributes=attrs):
        yield


def start_publish_span(tracer: Tracer, stored: Any, stream: str, event_id: str, type_: str) -> Span:
    """The outbox relay's XADD of a stored envelope (`stored`, parsed from its JSON) as a PRODUCER span in the
    envelope's trace: the gap between the request's span and this one is the time the event waited in the outbox.
    Started for each event of a batch before its one round trip, ended after it (`end_span`); never the active
    span (nothing runs within it that could continue the trace)."""
    parent = parent_context(stored.get("traceparent"), stored.get("tracestate")) if isinstance(stored, dict) else None
    attrs = {
        "messaging.system": "redis",
        "messaging.operation.type": "publish",
        "messaging.destination.name": stream,
        "messaging.message.id": event_id,
        "lapkin.event.type": type_,
    }
    return tracer.start_span(f"publish {type_}", context=parent, kind=SpanKind.PRODUCER, attributes=attrs)


def end_span(span: Span, error: BaseException | None = None) -> None:
    """End the span; failed with `error` (recorded as start_as_current_span records an exception) when given."""
    if error is not None:
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
    span.end()


def inject_headers(headers: dict[str, str]) -> dict[str, str]:
    """`headers` with the active span's `traceparent` (and `tracestate`) added, for an HTTP call to another service
    (a web page fetching a document another service made); unchanged when no span is active."""
    traceparent, tracestate = current_context()
    if traceparent is None:
        return headers
    out = {**headers, "traceparent": traceparent}
    if tracestate:
        out["tracestate"] = tracestate
    return out
