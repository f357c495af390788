"""The envelope every event travels in (docs/design.md §2). Decimals travel as strings."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field

from shared.events.versions import current_version
from shared.strictjson import JsonObject


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


def new_envelope(
    type_: str,
    payload: BaseModel | JsonObject,
    *,
    producer: str,
    correlation_id: str | None = None,
    causation: Envelope | None = None,
    version: int | None = None,
    causation_id: str | None = None,
) -> Envelope:
    """Build an envelope; the correlation id is copied from the causing event when there is one."""
    body = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    return Envelope(
        type=type_,
        version=version or current_version(type_),
        producer=producer,
        correlation_id=correlation_id or (causation.correlation_id if causation else str(uuid4())),
        causation_id=causation.event_id if causation else causation_id,
        payload=body,
    )
