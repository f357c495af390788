"""The one syntax and the bounds of every figure Lapkin takes in (targets, reported values, money):
docs/collection.md, "Angka yang diterima". Nothing else is accepted at the edge, and the arithmetic downstream is sized
for exactly these (its precision follows MAX_INTEGER_DIGITS and MAX_DECIMAL_PLACES).

Syntax: an optional minus, ASCII digits, and optionally '.' and more ASCII digits — nothing else (no spaces, '+',
exponent, '_', thousands separator or non-ASCII digit). A JSON string is read as written; a JSON number is held to
the same syntax by the text it was sent as (shared.strictjson.JsonNumber), so `1e2` is refused in both forms.
Bounds: at most MAX_INTEGER_DIGITS digits before the point and MAX_DECIMAL_PLACES after it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from shared.strictjson import JsonNumber

MAX_INTEGER_DIGITS = 15  # below 10^15: a thousand trillion rupiah, far above any office's budget
MAX_DECIMAL_PLACES = 6
_SYNTAX = re.compile(r"-?([0-9]+)(?:\.([0-9]+))?")  # [0-9], not \d: \d takes every script's digits


class NotADecimal(ValueError):
    """`rule`: not_a_number (not the syntax), too_many_digits or too_many_decimals (beyond the bounds)."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def _text(value: Any) -> str | None:
    """The figure as written: a string as sent, a JSON number by its literal, an int or a Decimal in plain notation."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, JsonNumber):
        return value.literal
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):  # a float not from a request body: its shortest decimal
        number = Decimal(repr(value)) if isinstance(value, float) else value
        return format(number, "f") if number.is_finite() else None
    return None


def read_decimal(value: Any) -> Decimal:
    """The value as a Decimal when it is written in the syntax and within the bounds, else NotADecimal."""
    text = _text(value)
    match = _SYNTAX.fullmatch(text) if text is not None else None
    if match is None:
        raise NotADecimal("not_a_number")
    whole, fraction = match.group(1), match.group(2) or ""
    if len(whole) > MAX_INTEGER_DIGITS:
        raise NotADecimal("too_many_digits")
    if len(fraction) > MAX_DECIMAL_PLACES:
        raise NotADecimal("too_many_decimals")
    number = Decimal(text)  # type: ignore[arg-type]  # text is not None once matched
    return number.copy_abs() if number.is_zero() else number  # "-0" is 0


def as_decimal(value: Any) -> Decimal:
    """A figure already checked (a stored PK, a recap's text, a JSON number of an event) as a Decimal, read from its
    text: a float by its shortest repr (15.5 → Decimal("15.5"), not the binary value), as every consumer read it."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        raise NotADecimal("not_a_number")
    return Decimal(str(value))


def optional_decimal(value: Any) -> Decimal | None:
    """as_decimal, with None (and "", a figure not written) as None."""
    return None if value is None or value == "" else as_decimal(value)
