"""Indonesian (default) and English presentation of numbers, dates and rupiah, with Babel.

Rounding is half up, as the SAKIP arithmetic presents figures (Babel on its own rounds half even).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

MISSING = "–"  # shown where a figure does not exist (no data, zero target)
_BABEL_LOCALE = {"id": "id_ID", "en": "en_GB"}


def _babel_locale(locale: str) -> str:
    return _BABEL_LOCALE.get(locale, locale)


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """In a context as wide as the result: quantize raises where it has more digits than the context's precision
    (Python's default 28), and a figure is never refused for being large."""
    digits = max(28, value.adjusted() + places + 2)  # + a carry: 99.995 → 100.00
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=Context(prec=digits))


def fmt_number(value: Decimal | int | None, places: int = 2, locale: str = "id") -> str:
    """1234.56 → "1.234,56" (id) or "1,234.56" (en); None → "–"."""
    if value is None:
        return MISSING
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    rounded = round_half_up(Decimal(value), places)
    return format_decimal(rounded, format=pattern, locale=_babel_locale(locale))


def fmt_date(value: date | datetime, locale: str = "id") -> str:
    """date(2024, 1, 8) → "8 Januari 2024" (id) or "8 January 2024" (en)."""
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, "d MMMM y", locale=_babel_locale(locale))


def fmt_rupiah(value: Decimal | int, locale: str = "id") -> str:
    """Rp 1.250.000.000 with the space officials expect; decimals only when the amount is not whole."""
    amount = Decimal(value)
    places = 0 if amount == amount.to_integral_value() else 2
    return f"Rp {fmt_number(amount, places, locale)}"
