"""An Excel cell becomes the decimal string the JSON route reads (issue 12): in plain notation and to the 15
significant digits Excel keeps, so the bounds of shared.decimals judge the number the sheet shows."""

from __future__ import annotations

from typing import Any

import pytest

from services.collector.excel import _number_text
from shared.decimals import NotADecimal, read_decimal


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (62.5, "62.5"),
        (1180.0, "1180"),
        (1180, "1180"),
        (0.1 + 0.2, "0.3"),  # a formula's binary noise: the sheet shows 0.3
        (0.00001, "0.00001"),  # repr would be 1e-05, which the syntax refuses
        (999999999999999.0, "999999999999999"),
        (" 62.5 ", "62.5"),  # text is trimmed, then validated as sent
        ("abc", "abc"),
    ],
)
def test_a_cell_is_read_as_the_sheet_shows_it(cell: Any, text: str) -> None:
    assert _number_text(cell) == text


@pytest.mark.parametrize(
    ("cell", "rule"), [(1e300, "too_many_digits"), (1e16, "too_many_digits"), (1e-7, "too_many_decimals")]
)
def test_a_cell_beyond_the_bounds_is_refused_by_them(cell: float, rule: str) -> None:
    with pytest.raises(NotADecimal) as refused:
        read_decimal(_number_text(cell))
    assert refused.value.rule == rule
