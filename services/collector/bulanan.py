"""Monthly progress (issue 3, item 4): `POST /api/v1/laporan-bulanan`.

The same rules and the same path as the quarterly report (usecases.submit_bulanan, apply_report), kept in tables of
their own and published as `BulananSubmitted` for the aggregator's trend and early warning. Monthly reports are
progress only: they never touch the quarterly values, completeness or recaps. A month's deadline and quarter are
the calendar's (core/calendar.py)."""

from __future__ import annotations

from services.collector.core.calendar import month_deadline, quarter_of
from services.collector.usecases import submit_bulanan

__all__ = ["month_deadline", "quarter_of", "submit_bulanan"]
