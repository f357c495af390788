"""Writing text into an .xlsx so it stays text: a value from a unit or the PK is data, never a formula, and a
control character it may hold cannot make the workbook unwritable (openpyxl refuses it: IllegalCharacterError)."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet


def clean(value: Any) -> Any:
    """Text without the control characters XML (and so .xlsx) cannot hold; other values as they are."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def put(ws: Worksheet, row: int, col: int, value: Any) -> Cell:
    """`ws.cell(row, col, value)` with text kept a string cell (openpyxl stores text starting "=" as a formula;
    a string cell is shown as typed, whatever it starts with)."""
    cell = ws.cell(row, col, clean(value))
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell
