"""The envelope every event travels in (docs/design.md §2). Decimals travel as strings.

`traceparent` and `tracestate` carry the W3C trace context of the span that made the event (shared/tracing.py): an
additive optional field, so the version numbers stay; absent when tracing is off (never written as null, so an
envelope made without tracing is byte for byte what it was), and an envelope without them still parses."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field

from shared.events.versions import current_version
from shared.strictjson import JsonObject
from shared.tracing import current_context


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")  # tolerant reader

    event_id: str = Field(default_factory=lambda: str(uuid4()))
    type: str
    version: int = 1
    occurred_at: datetime = Field(default_factory=utcnow)
    producer: str
    correlation_id: str
    causation_id: str | None = None
    payload: JsonObject  # the event type's own shape: its model in shared/events/catalogue.py reads it
    traceparent: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="W3C trace context (`00-<trace id>-<span id>-<flags>`) of the span that made the event; absent "
        "when tracing is off. A consumer's span takes it as its parent (docs/operations.md, Tracing).",
    )
    tracestate: str | None = Field(
        default=None, exclude_if=lambda v: v is None, description="W3C `tracestate` that goes with `traceparent`."
    )


def new_envelope(
    type_: str,
    payload: BaseModel | JsonObject,
    *,
    producer: str,
    correlation_id: str | None = None,
    causation: Envelope | None = None,
    version: int | None = None,
    causation_id: str | None = None,
    traceparent: str | None = None,
) -> Envelope:
    """Build an envelope; the correlation id is copied from the causing event when there is one. The trace context
    is `traceparent` when given (work left for later names the trace it belongs to), else the active span's (an
    HTTP request's, a handler's), else the causing event's (a service whose tracing is off still continues it)."""
    body = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    tracestate = None
    if traceparent is None:
        traceparent, tracestate = current_context()
    if traceparent is None and causation is not None:
        traceparent, tracestate = causation.traceparent, causation.tracestate
    env = Envelope(
        type=type_,
        version=version or current_version(type_),
        producer=producer,
        correlation_id=correlation_id or (causation.correlation_id if causation else str(uuid4())),
        causation_id=causation.event_id if causation else causation_id,
        payload=body,
    )
    if traceparent is None:  # tracing off: the envelope as before, nothing more validated
        return env
    return env.model_copy(update={"traceparent": traceparent, "tracestate": tracestate})
