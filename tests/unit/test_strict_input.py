"""Issue 12, item 8: one plain decimal syntax within stated bounds (shared.decimals) and one strict JSON parse
(shared.strictjson), whatever the service."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from shared.decimals import NotADecimal, read_decimal
from shared.strictjson import JsonNumber, StrictJsonError, loads


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "0"),
        ("62.5", "62.5"),
        ("62.50", "62.50"),
        ("-3", "-3"),  # the syntax takes a minus; the collector's rule refuses it as negative_value
        ("-0", "0"),
        ("007", "7"),
        ("999999999999999.999999", "999999999999999.999999"),
        ("0.000001", "0.000001"),
        (1180, "1180"),
        (JsonNumber("62.50"), "62.50"),
        (JsonNumber("123456789012345.123456"), "123456789012345.123456"),  # exact, not through a float
    ],
)
def test_plain_decimals_within_the_bounds_are_read_exactly(value: Any, expected: str) -> None:
    assert str(read_decimal(value)) == expected


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("١٢٣", "not_a_number"),  # Arabic-Indic digits: Python's Decimal and int take them
        ("１２", "not_a_number"),  # fullwidth digits
        ("1_000", "not_a_number"),  # Decimal("1_000") is 1000
        ("1,5", "not_a_number"),
        ("1.000.000", "not_a_number"),
        (" 5", "not_a_number"),
        ("5 ", "not_a_number"),
        ("+5", "not_a_number"),
        (".5", "not_a_number"),
        ("5.", "not_a_number"),
        ("1e3", "not_a_number"),
        ("1E+300", "not_a_number"),
        ("NaN", "not_a_number"),
        ("Infinity", "not_a_number"),
        ("", "not_a_number"),
        (True, "not_a_number"),
        (None, "not_a_number"),
        ([1], "not_a_number"),
        (JsonNumber("1e2"), "not_a_number"),  # a JSON number keeps to the same syntax
        (JsonNumber("1E+300"), "not_a_number"),
        ("9" * 16, "too_many_digits"),
        ("9" * 41, "too_many_digits"),
        (10**15, "too_many_digits"),
        (2**70, "too_many_digits"),
        ("1.0000001", "too_many_decimals"),
        (JsonNumber("0.0000001"), "too_many_decimals"),
        (1e300, "too_many_digits"),  # a float not from a request: by its plain decimal
    ],
)
def test_anything_else_is_refused_with_its_rule(value: Any, rule: str) -> None:
    with pytest.raises(NotADecimal) as refused:
        read_decimal(value)
    assert refused.value.rule == rule


def test_a_json_key_given_twice_is_refused_at_any_depth() -> None:
    for raw in ('{"a": 1, "a": 1}', '{"x": [{"nilai": "5", "nilai": "6"}]}', '[{"b": {"c": 1, "c": 2}}]'):
        with pytest.raises(StrictJsonError) as refused:
            loads(raw)
        assert refused.value.rule == "duplicate_key"
    assert loads('{"a": {"a": 1}, "b": [{"a": 2}]}') == {"a": {"a": 1}, "b": [{"a": 2}]}  # same key, other objects


@pytest.mark.parametrize("raw", ["NaN", '{"a": Infinity}', "[-Infinity]", "{", b"\xff", "'a'"])
def test_what_is_not_json_is_refused(raw: Any) -> None:
    with pytest.raises(StrictJsonError) as refused:
        loads(raw)
    assert refused.value.rule == "invalid_json"


def test_a_json_number_keeps_its_text_and_stays_a_float() -> None:
    body = loads('{"nilai": 62.50, "besar": 123456789012345.123456, "n": 7}')
    assert body["nilai"].literal == "62.50" and body["besar"].literal == "123456789012345.123456"
    assert isinstance(body["nilai"], float) and body["nilai"] == 62.5 and body["n"] == 7
    assert json.loads(json.dumps(body)) == {"nilai": 62.5, "besar": 123456789012345.12, "n": 7}
    assert Decimal(body["besar"].literal) == Decimal("123456789012345.123456")


@pytest.mark.parametrize(
    ("value", "text", "year"),
    [
        (2024, True, 2024), ("2024", True, 2024), (" 2024 ", True, 2024), (2000, False, 2000), (2100, False, 2100),
        ("2024", False, None), (True, True, None), (2024.0, True, None), ("2024.0", True, None), ("+2024", True, None),
        ("2_024", True, None), ("２０２４", True, None), ("1999", True, None), (2101, False, None), ("", True, None),
        ("0002024", True, None), (None, True, None),
    ],
)  # fmt: skip
def test_one_rule_for_a_report_year(value, text, year):
    """Every page and API of the approval service reads a year through `year_value` (there were six copies)."""
    from shared.sakip.tahun import year_value

    assert year_value(value, text=text) == year


@pytest.mark.parametrize(
    "text", ["2024", " 2024 ", "2101", "2024.0", "+2024", "2_024", "２０２４", "", "0002024", "9" * 5000]
)
def test_the_year_in_an_address_follows_the_forms_rule(text):
    """The pemanfaatan export's path reads its year by the forms' rule (`year_text`, the text part of `year_value`),
    not a copy of its own: refused where the digits are not a year's, read as the same number where they are (an
    address has no spaces around its year; a form may)."""
    from services.approval.pemanfaatan import whole_year
    from shared.sakip.tahun import year_text, year_value

    read = year_text(text.strip())  # a form's year: spaces around allowed
    assert year_value(text) == (read if read in range(2000, 2101) else None)
    if year_text(text) is None:
        with pytest.raises(ValueError, match="whole number"):
            whole_year(text)
    else:
        assert whole_year(text) == year_text(text)
