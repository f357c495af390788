"""The memoised reads of a report's path (services/collector/handlers.py): a quarter's Window and a quarter's
status are built once per stored row; another row (a calendar or a status changed since) must give its own answer,
never the one remembered for the row before."""

from __future__ import annotations

from datetime import UTC, datetime

from services.collector import handlers
from services.collector.core import calendar


def test_a_changed_calendar_row_gives_its_own_window() -> None:
    first = (datetime(2024, 4, 1, tzinfo=UTC), datetime(2024, 4, 10, tzinfo=UTC))
    moved = (datetime(2024, 4, 1, tzinfo=UTC), datetime(2024, 4, 20, tzinfo=UTC))
    assert handlers._window(2024, 1, None) == calendar.window(2024, 1, None)  # the defaults
    assert handlers._window(2024, 1, first) == calendar.window(2024, 1, first)
    assert handlers._window(2024, 1, moved) == calendar.window(2024, 1, moved)
    assert handlers._window(2024, 1, moved).due != handlers._window(2024, 1, first).due
    assert handlers._window(2024, 2, None) != handlers._window(2024, 1, None)  # the quarter is in the key
    assert not handlers._window(2024, 1, None).configured and handlers._window(2024, 1, first).configured


def test_a_changed_status_row_gives_its_own_status() -> None:
    assert handlers._parsed_status("open", "[]").takes_quarterly("BPS")
    assert not handlers._parsed_status("closed", "[]").takes_quarterly("BPS")
    reopened = handlers._parsed_status("closed", '["BPS"]')
    assert reopened.takes_quarterly("BPS") and not reopened.takes_quarterly("BID-HI")
    assert handlers._parsed_status("closed", "[]").reopened == frozenset()
