"""The report year: one rule for every path, query, form and body that names one (pure: the collector's core
reads it too)."""

from __future__ import annotations

from typing import Any

YEAR_MIN, YEAR_MAX = 2000, 2100  # every report year Lapkin takes, in a path, a query, a form or a body


def year_text(digits: str) -> int | None:
    """The number a year written as text is, or None: at most four ASCII digits and nothing else. "2024.0", "+2024",
    "2_024" and "２０２４" are not years, though Python's int() and pydantic's lax int would read some of them as 2024.
    The range is `year_value`'s (or the route's); a form's spaces around are `year_value`'s to allow."""
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 4 else None


def year_value(value: Any, *, text: bool = True) -> int | None:
    """A report year (YEAR_MIN–YEAR_MAX), or None. An int, never a bool; with `text` also a path segment, query or
    form field as `year_text` reads it, spaces around allowed. A JSON API with no type coercion passes `text=False`
    ("2024" in a body is refused there)."""
    if text and isinstance(value, str):
        value = year_text(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not YEAR_MIN <= value <= YEAR_MAX:
        return None
    return value
