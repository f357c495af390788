"""The report year: one rule for every path, query, form and body that names one (pure: the collector's core
reads it too)."""

from __future__ import annotations

from typing import Any

YEAR_MIN, YEAR_MAX = 2000, 2100  # every report year Lapkin takes, in a path, a query, a form or a body


def year_value(value: Any, *, text: bool = True) -> int | None:
    """A report year (YEAR_MIN–YEAR_MAX), or None. An int, never a bool; with `text` also a path segment, query or
    form field of ASCII digits only (spaces around allowed): "2024.0", "+2024", "2_024" and "２０２４" are not years,
    though Python's int() and pydantic's lax int would read some of them as 2024. A JSON API with no type coercion
    passes `text=False` ("2024" in a body is refused there)."""
    if text and isinstance(value, str):
        digits = value.strip()
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 4:
            return None
        value = int(digits)
    if isinstance(value, bool) or not isinstance(value, int) or not YEAR_MIN <= value <= YEAR_MAX:
        return None
    return value
