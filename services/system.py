"""The system the four services make together: which services there are, the port each listens on by default, and
which producer's stream each reads.

The kernel (`shared/`) names no service; what it needs to know of the system is registered from here when any service
is imported (`services/__init__.py` imports this module): the services and their default ports
(`shared.config.register_services`), the producing services the event index covers and what it reads from the
payloads (`shared.messaging.index.register_producers`, `register_fields`); the operators' tools get the streams and
consumer groups (`Ops`).
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.config import register_services
from shared.messaging import registry as index
from shared.messaging.entries import EnvelopeJson, PayloadView

DEFAULT_PORTS = {"collector": 8001, "aggregator": 8002, "approval": 8003, "renderer": 8004}
SERVICES = tuple(DEFAULT_PORTS)
PRODUCERS = SERVICES  # every service writes its own stream

# the consumer groups the running system keeps on each producer's stream: every service that reads it (its
# `consumes`, checked against the services themselves by tests/unit/test_ops_groups.py) and the approval service's
# event indexer, which reads them all
READERS = {
    "collector": ("aggregator", "approval", "renderer"),
    "aggregator": ("approval", "renderer"),
    "approval": ("aggregator", "collector", "renderer"),
    "renderer": ("approval",),
}


def periode_of(payload: PayloadView) -> str | None:
    """The period an event is about: its `periode`, else its quarter (`TW<n>`) or month (`B<nn>`)."""
    if payload.get("periode"):
        return str(payload["periode"])
    if payload.get("triwulan"):
        return f"TW{payload['triwulan']}"
    bulan = payload.get("bulan")
    if bulan:
        return f"B{int(bulan if isinstance(bulan, int | float) else str(bulan)):02d}"
    return None


def units_of(payload: PayloadView) -> list[str]:
    units = [str(payload["unit"])] if payload.get("unit") else []
    more = payload.get("units") or []
    if not isinstance(more, Iterable):
        raise TypeError(f"units is not a list: {more!r}")  # as iterating it would
    return units + [str(u) for u in more if u]


def periods_of(payload: PayloadView) -> list[str]:
    """`<tahun>` and `<tahun>-<periode>`: the log filters by a year or by one period of it."""
    tahun, periode = payload.get("tahun"), periode_of(payload)
    return [str(tahun), *([f"{tahun}-{periode}"] if periode else [])] if tahun else []


def recap_period(env: EnvelopeJson) -> tuple[str, str] | None:
    """A RekapCompleted is drawn from its period's submissions: ("periode", "2024-TW1"), else None."""
    payload = env.get("payload") if isinstance(env.get("payload"), dict) else {}
    assert isinstance(payload, dict)
    if env.get("type") != "RekapCompleted" or not payload.get("tahun"):
        return None
    periode = periode_of(payload)
    return ("periode", f"{payload['tahun']}-{periode}") if periode else None


# what the operators' event index reads from the payloads of the event catalogue (shared/events/)
INDEX_FIELDS = index.IndexFields(
    filters={"unit": units_of, "periode": periods_of},
    refs=("submission_id", "draft_id", "document_id"),
    versioned=("draft", "draft_id", "version"),  # a draft is made in versions: its trace follows each
    reports=("draft_id", "document_id"),  # a report's trace also shows the recap and the submissions it came from
    sources=("submission_id",),
    drawn_from=recap_period,
)

register_services(DEFAULT_PORTS)
index.register_producers(PRODUCERS)
index.register_fields(INDEX_FIELDS)
