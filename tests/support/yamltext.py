"""Helpers for tests of the data files an office may replace (workflow.yaml, evaluasi.yaml)."""

from __future__ import annotations


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The line (1-based) of the `occurrence`-th `needle` in `text`: where a broken file's error must point."""
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    return text.count("\n", 0, start) + 1
