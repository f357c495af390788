"""The reporting calendar (SOP steps 1–2): when a quarter's and a month's reporting opens and is due, whether a
report is on time, when the reminders fall due, and the year's calendar as an admin sets it.

Deadlines are office time (LAPKIN_TIMEZONE, shared/clock.py; Asia/Jakarta by default); stored moments are UTC."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from services.collector.core.errors import Conflict
from services.collector.core.validation import TAHUN_MAX, TAHUN_MIN, Problems, check_fields
from shared.clock import OFFICE, as_utc

QUARTERS = (1, 2, 3, 4)
END_OF_DAY = time(23, 59, 59)
DUE_DAY = 10  # a period is due the 10th of the month after it ends


@dataclass(frozen=True)
class Window:
    """A quarter's reporting window: reports are taken from `opens`, on time until `due` (inclusive)."""

    opens: datetime
    due: datetime
    configured: bool = False  # set by an admin (a configured calendar refuses early reports)


def _month_after(tahun: int, month: int) -> tuple[int, int]:
    return (tahun + 1, 1) if month == 12 else (tahun, month + 1)


def default_window(tahun: int, triwulan: int, tz: tzinfo = OFFICE) -> tuple[datetime, datetime]:
    """Opens the day after the quarter ends (00:00 office time); due the 10th of the month after the quarter,
    23:59:59 office time."""
    year, month = _month_after(tahun, triwulan * 3)
    opens = datetime.combine(date(year, month, 1), time(0, 0), tzinfo=tz)
    due = datetime.combine(date(year, month, DUE_DAY), END_OF_DAY, tzinfo=tz)
    return opens, due


def month_deadline(tahun: int, bulan: int, tz: tzinfo = OFFICE) -> datetime:
    """A month's progress is on time until the 10th of the next month, 23:59:59 office time (the quarterly default
    deadline, applied to the month)."""
    year, month = _month_after(tahun, bulan)
    return datetime.combine(date(year, month, DUE_DAY), END_OF_DAY, tzinfo=tz)


def quarter_of(bulan: int) -> int:
    return (bulan - 1) // 3 + 1


def window(tahun: int, triwulan: int, stored: tuple[datetime, datetime] | None, tz: tzinfo = OFFICE) -> Window:
    """The quarter's window: the year's calendar row when an admin set one, else the defaults."""
    if stored is None:
        return Window(*default_window(tahun, triwulan, tz))
    return Window(as_utc(stored[0]).astimezone(tz), as_utc(stored[1]).astimezone(tz), configured=True)


def on_time(received_at: datetime, due: datetime) -> bool:
    """A report is on time up to and including the deadline's last second."""
    return received_at <= due


def ensure_opened(tahun: int, triwulan: int, w: Window, received_at: datetime, tz: tzinfo = OFFICE) -> None:
    """A configured calendar refuses a report before its quarter opens (the defaults take early reports)."""
    if w.configured and received_at < w.opens:
        day = w.opens.astimezone(tz).date().isoformat()
        raise Conflict.one(
            "triwulan",
            "periode_belum_dibuka",
            f"Pelaporan triwulan {triwulan} tahun {tahun} belum dibuka; dibuka {day}.",
            f"Reporting for quarter {triwulan} of {tahun} is not open yet; it opens {day}.",
        )


def shown_status(status: str, w: Window, now: datetime) -> str:
    """A quarter's status as the period status shows it: an open quarter whose configured calendar has not opened
    it yet is `belum_dibuka` (a report would be refused, `ensure_opened`); the default window refuses no report."""
    return "belum_dibuka" if status == "open" and w.configured and now < w.opens else status


def reminder_points(opens: datetime, due: datetime, days_before: int) -> list[tuple[str, datetime]]:
    """When each reminder of a quarter falls due: `pengingat` N days before the deadline (never before the window
    opens) and `terlambat` at the deadline."""
    return [("pengingat", max(opens, due - timedelta(days=days_before))), ("terlambat", due)]


def points_due(
    opens: datetime, due: datetime, days_before: int, now: datetime, catch_up: timedelta
) -> list[tuple[str, datetime]]:
    """The reminder points reached at `now` and passed no longer ago than `catch_up` (older ones are stale)."""
    return [(jenis, at) for jenis, at in reminder_points(opens, due, days_before) if at <= now <= at + catch_up]


def parse_moment(value: Any, end_of_day: bool, tz: tzinfo = OFFICE) -> datetime | None:
    """An ISO date (start or end of that day in office time) or datetime (office time when it names no zone)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, END_OF_DAY if end_of_day else time(0, 0), tzinfo=tz)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


WINDOW_YEARS = ("tanggal harus dalam rentang tahun yang diterima", "the date must fall within the years accepted")


KALENDER_FIELDS = frozenset({"triwulan"})
WINDOW_FIELDS = frozenset({"triwulan", "buka", "deadline"})


def read_kalender(tahun: int, body: Any, tz: tzinfo = OFFICE) -> dict[int, tuple[datetime, datetime]]:
    """The year's calendar as an admin sends it: `triwulan` lists {triwulan, buka?, deadline?}; what is left out takes
    the default, so `{"triwulan": []}` is the default calendar. Every quarter's window, or Invalid."""
    p = Problems()
    if not isinstance(body, dict):
        raise p.refuse("body", "not_an_object")
    check_fields(p, body, KALENDER_FIELDS)  # a misspelt field would leave the default silently
    items = body.get("triwulan")
    if not isinstance(items, list):
        raise p.refuse("triwulan", "required" if items is None else "not_a_list")
    chosen: dict[int, tuple[datetime, datetime]] = {}
    for i, item in enumerate(items):
        where = f"triwulan[{i}]"
        if not isinstance(item, dict):
            p.add(where, "not_an_object")
            continue
        check_fields(p, item, WINDOW_FIELDS, f"{where}.")
        tw = item.get("triwulan")
        if isinstance(tw, bool) or not isinstance(tw, int) or tw not in QUARTERS:
            p.add(f"{where}.triwulan", "not_allowed", " (1–4)", " (1–4)")
            continue
        if tw in chosen:
            p.add(f"{where}.triwulan", "duplicate", f" ({tw})", f" ({tw})")
            continue
        found = _read_window(p, where, item, default_window(tahun, tw, tz), tz)
        if found is not None:
            chosen[tw] = found
    p.check()
    return {tw: chosen.get(tw) or default_window(tahun, tw, tz) for tw in QUARTERS}


def _read_window(
    p: Problems, where: str, item: Mapping[str, object], default: tuple[datetime, datetime], tz: tzinfo
) -> tuple[datetime, datetime] | None:
    opens, due = default
    bad = False
    for key, end_of_day in (("buka", False), ("deadline", True)):
        if item.get(key) is None:
            continue
        moment = parse_moment(item[key], end_of_day, tz)
        if moment is None:
            p.add(f"{where}.{key}", "not_a_date", " (ISO 8601)", " (ISO 8601)")
            bad = True
        elif not TAHUN_MIN <= moment.year <= TAHUN_MAX:  # 0001-01-01 or 9999-12-31 reached the database
            span = f" ({TAHUN_MIN}–{TAHUN_MAX})"
            p.add(f"{where}.{key}", "out_of_range", span, span, message=WINDOW_YEARS)
            bad = True
        elif key == "buka":
            opens = moment
        else:
            due = moment
    if bad:
        return None
    if due <= opens:
        p.add(f"{where}.deadline", "before_opening", " (deadline <= buka)", " (deadline <= buka)")
        return None
    return opens, due
