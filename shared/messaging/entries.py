"""What the operators' tools read back from the streams, as types: an event's envelope as a stream holds it, the row
a page or a command shows of one entry, and a dead letter.

These are the shapes the kernel writes (`shared.events.envelope.Envelope` as JSON; `EventConsumer`'s dead letters),
read back without validation: an entry someone wrote by hand may lack a key or hold another type, so the readers
`.get` a key and check a value before they use it. Importing this module loads no broker, database or web framework
(`shared.messaging.registry` imports it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Required, TypedDict

from shared.strictjson import JsonObject

# an event's payload as the index reads it: each event type has its own shape (shared/events/catalogue.py), which
# the index never validates, so a filter checks a value before it uses it
PayloadView = Mapping[str, object]


class EnvelopeJson(TypedDict, total=False):
    """An event's envelope on a stream: `Envelope.model_dump(mode="json")`, read back as written."""

    event_id: str
    type: str
    version: int
    occurred_at: str  # ISO 8601
    producer: str
    correlation_id: str
    causation_id: str | None
    payload: JsonObject  # the event type's own shape
    traceparent: str  # W3C trace context of the span that made it (absent when tracing was off)
    tracestate: str


class EventRow(EnvelopeJson):
    """One entry of a service's stream as the operators' tools show it: where it is, and its envelope."""

    stream: Required[str]
    id: Required[str]  # the entry id (`<ms>-<seq>`)


class _DeadLetterFields(TypedDict, total=False):
    envelope: EnvelopeJson | str  # the event that failed, as it arrived (text: it was not JSON)
    dead_reason: str
    original_stream: str
    original_entry_id: str | None
    delivery_count: int
    consumer: str  # the consumer group (older dead letters name only this)
    service: str
    worker: str
    failed_at: str  # ISO 8601
    last_error: str
    retry_stream: str  # it failed again after a replay: read from this retry stream
    retry_entry_id: str | None


class DeadLetterJson(_DeadLetterFields, total=False):
    """A dead letter as a consumer group writes it on `<stream>.dlq` (`shared.messaging.streams.EventConsumer`)."""

    group: str  # the consumer group that failed it (older dead letters name it only in `consumer`)


class DeadLetterRow(_DeadLetterFields):
    """A dead letter as the operators' tools show it: where it is, the group that failed it, its row id."""

    dlq: Required[str]
    id: Required[str]
    group: Required[str | None]  # None: the letter names no consumer group
    row: Required[str]  # `<producer>:<entry id>`, as an operator names it


def once_per_event(rows: list[EventRow]) -> list[EventRow]:
    """The first entry of each event id, in order: the outbox relay publishes again an event whose XADD it could not
    confirm (a crash in between), and consumers apply it once; a trace that listed both would read as two
    submissions."""
    seen: set[object] = set()
    kept = []
    for row in rows:
        event_id = row.get("event_id")
        if event_id is not None:
            if event_id in seen:
                continue
            seen.add(event_id)
        kept.append(row)
    return kept

