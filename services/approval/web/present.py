"""How the officials' pages show figures, units and text limits: one place for each rule.

Figures: an indicator's own `desimal` when the PK or recap gives one, else 2 places for a "%" indicator and none for
a count ("1.200", not "1.200,00"); an achievement (capaian) is a percentage, always 2 places. Units: by name, from
the recap (`rekap.units`, the PK's unit list the aggregator passes on), then the collector's reminders
(`SubmissionOverdue.nama_unit`), the code only when neither names it. Text fields: `services.approval.limits` (the
textareas' `maxlength`).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from services.approval.limits import MAX_TEXT
from services.approval.units import unit_names
from shared.decimals import NotADecimal, optional_decimal
from shared.formatting import MISSING, fmt_number
from shared.sakip import Target

__all__ = ["MAX_TEXT", "decimal", "figure", "indicator_figure", "places_of", "unit_label", "unit_names"]
PERCENT_PLACES, COUNT_PLACES, MAX_PLACES = 2, 0, 6


def decimal(value: Any) -> Decimal | None:
    try:
        return optional_decimal(value)
    except (InvalidOperation, NotADecimal):
        return None


def places_of(ind: Mapping[str, object] | None) -> int:
    """Decimal places of an indicator's target and realisation."""
    ind = ind or {}
    own = ind.get("desimal")
    if isinstance(own, int) and not isinstance(own, bool) and 0 <= own <= MAX_PLACES:
        return own
    if isinstance(own, str) and own.isdigit() and int(own) <= MAX_PLACES:
        return int(own)
    return PERCENT_PLACES if str(ind.get("satuan") or "").strip() == "%" else COUNT_PLACES


def figure(value: Any, lang: str, places: int = PERCENT_PLACES) -> str:
    """A recap figure (a decimal string; a range target is "15.00-25.00") in the reader's locale."""
    bounds = _range(value)
    if bounds is not None:
        return f"{figure(bounds[0], lang, places)} – {figure(bounds[1], lang, places)}"
    number = decimal(value)
    return MISSING if number is None else fmt_number(number, places, locale=lang)


def _range(value: Any) -> tuple[Decimal, Decimal] | None:
    if not isinstance(value, str):
        return None
    try:
        return Target.parse(value).bounds
    except ValidationError:
        return None


def indicator_figure(ind: Mapping[str, object] | None, key: str, lang: str) -> str:
    """Target / realisasi (and their s.d. forms) with the indicator's decimals; capaian with 2."""
    ind = ind or {}
    places = PERCENT_PLACES if key.startswith("capaian") else places_of(ind)
    return figure(ind.get(key), lang, places)


def unit_label(code: str | None, names: dict[str, str]) -> str:
    if not code:
        return MISSING
    return names.get(code, code)
