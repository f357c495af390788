"""A strict JSON parse for request bodies (RFC 8259 as written, read one way): an object naming a key twice is
refused rather than read as its last value, `NaN`/`Infinity` (which Python's json takes) are refused, and a JSON
number with a fraction or exponent keeps the text it was sent as (`JsonNumber.literal`), so a service that reads
decimals can hold it to its own syntax and read it exactly instead of through a binary float."""

from __future__ import annotations

import json
from typing import Any

# a JSON object whose shape this code does not know: an event's payload (each event type has its own, read by its
# model in shared/events/catalogue.py), a request body before its model reads it
JsonObject = dict[str, Any]


class StrictJsonError(ValueError):
    """Why a body was refused: `rule` (invalid_json, duplicate_key) and, for a duplicate, the key."""

    def __init__(self, rule: str, key: str | None = None) -> None:
        super().__init__(rule if key is None else f"{rule}: {key}")
        self.rule, self.key = rule, key


class JsonNumber(float):
    """A JSON number with a fraction or exponent: a float (as json.loads gives) that remembers its text."""

    __slots__ = ("literal",)
    literal: str

    def __new__(cls, literal: str) -> JsonNumber:
        number = super().__new__(cls, literal)
        number.literal = literal
        return number


class JsonBigInteger(JsonNumber):
    """A JSON integer with more digits than Python turns into an int (sys.get_int_max_str_digits, 4300): valid
    JSON, kept as its text (a float of it is inf), so the field that holds it answers `too_many_digits` rather than
    the whole body `invalid_json`."""

    __slots__ = ()


def _integer(literal: str) -> int | JsonBigInteger:
    try:
        return int(literal)
    except ValueError:  # over the int-string limit (the limit is checked before any conversion work)
        return JsonBigInteger(literal)


def _object(pairs: list[tuple[str, Any]]) -> JsonObject:
    out: JsonObject = {}
    for key, value in pairs:
        if key in out:
            raise StrictJsonError("duplicate_key", key if len(key) <= 80 else key[:80] + "…")  # a message shows it
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise StrictJsonError("invalid_json", name)  # NaN, Infinity, -Infinity: not JSON


def loads(raw: bytes | str) -> Any:
    """The JSON value of `raw` (UTF-8), or StrictJsonError."""
    try:
        return json.loads(
            raw, object_pairs_hook=_object, parse_constant=_constant, parse_float=JsonNumber, parse_int=_integer
        )
    except StrictJsonError:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise StrictJsonError("invalid_json") from exc
