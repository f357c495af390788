"""The version producers write of each event type: 1 unless the type has been bumped (a rename or a change of
meaning; consumers upcast older versions at the edge, shared/events/catalogue.py). Kept apart from the catalogue so
that building an envelope (shared/events/envelope.py) needs no model: the two never import each other."""

from __future__ import annotations

BUMPED: dict[str, int] = {
    "PerjanjianKinerjaPublished": 2,  # the typed PK (targets as Decimals, a range as min/max)
    "RekapCompleted": 2,  # the typed Rekap
}


def current_version(type_: str) -> int:
    return BUMPED.get(type_, 1)
