"""What the system tells the kernel about itself, kept apart from the machinery that uses it so that registering
costs nothing: importing this module loads no broker, database or web framework (the services' pure cores import
`services`, which registers the system from here).

The producing services whose streams the event index covers, and what the index reads from the payloads
(`IndexFields`); `shared.messaging.index` reads both from here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from shared.messaging.entries import EnvelopeJson, PayloadView

ENVELOPE_FILTERS = ("type", "service")
_PRODUCERS: list[str] = []  # the system's producing services, as the system registers them (register_producers)


def register_producers(names: Iterable[str]) -> None:
    """Name the services whose streams the index covers by default: the system does, when its module is imported
    (services/system.py); an `EventIndex` or `Indexer` given `producers` uses those instead."""
    _PRODUCERS[:] = list(dict.fromkeys(names))


def registered_producers() -> tuple[str, ...]:
    return tuple(_PRODUCERS)


@dataclass(frozen=True)
class IndexFields:
    """What the index reads from an event's payload, beyond the envelope (type, producer, correlation and causation
    ids). The system registers it (`register_fields`); the kernel names no payload field."""

    # filter name → its values for a payload (what an operator narrows the log by; the menus offer what was seen)
    filters: Mapping[str, Callable[[PayloadView], list[str]]] = field(default_factory=dict)
    refs: tuple[str, ...] = ()  # payload fields whose value names a piece of work: a trace starts from any of them
    # (index key, id field, version field) of work made in versions: a trace follows a version from the event that
    # made it on
    versioned: tuple[str, str, str] | None = None
    reports: tuple[str, ...] = ()  # ref fields of a report: its trace also shows what it was drawn from
    sources: tuple[str, ...] = ()  # ref fields of the events reports are drawn from
    # (filter, value) whose source events an event was drawn from, written before it (None: drawn from none)
    drawn_from: Callable[[EnvelopeJson], tuple[str, str] | None] = lambda env: None


_FIELDS: list[IndexFields] = [IndexFields()]


def register_fields(fields: IndexFields) -> None:
    """Name what the index reads from payloads (services/system.py does, when the services are imported)."""
    _FIELDS[0] = fields


def registered_fields() -> IndexFields:
    return _FIELDS[0]


def filters() -> tuple[str, ...]:
    """What a page may filter by: the envelope's type and producer, the registered filters, the correlation id."""
    return (*ENVELOPE_FILTERS, *registered_fields().filters, "corr")
