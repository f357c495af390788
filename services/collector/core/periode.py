"""A period's status for collection (SOP steps 2 and 7): open, closed by the admin, final once the recap is approved,
and the correction window a return opens for named units; and what a (re)submission does to a unit's revision."""

from __future__ import annotations

from dataclasses import dataclass, replace

from services.collector.core.errors import Conflict


@dataclass(frozen=True)
class PeriodeStatus:
    """A quarter's status; `reopened` are the units a correction (KoreksiRequested) let report again."""

    status: str = "open"
    reopened: frozenset[str] = frozenset()

    def takes_quarterly(self, unit: str) -> bool:
        """A quarter takes reports while open, and from a reopened unit once closed or final."""
        return self.status == "open" or unit in self.reopened

    def takes_monthly(self, unit: str) -> bool:
        """A month is progress only: its quarter refuses it once final (unless reopened), not when merely closed."""
        return self.status != "final" or unit in self.reopened


def ensure_quarter_open(tahun: int, triwulan: int, st: PeriodeStatus, unit: str) -> None:
    if not st.takes_quarterly(unit):
        raise Conflict.one(
            "triwulan",
            "periode_closed",
            f"Triwulan {triwulan} tahun {tahun} sudah ditutup ({st.status}).",
            f"Quarter {triwulan} of {tahun} is closed ({st.status}).",
        )


def ensure_month_open(tahun: int, bulan: int, triwulan: int, st: PeriodeStatus, unit: str) -> None:
    if not st.takes_monthly(unit):
        raise Conflict.one(
            "bulan",
            "periode_closed",
            f"Laporan triwulan {triwulan} tahun {tahun} sudah final; bulan {bulan} tidak menerima data lagi.",
            f"The report of quarter {triwulan} of {tahun} is final; month {bulan} takes no more data.",
        )


@dataclass(frozen=True)
class Closing:
    """What closing a quarter does: its new status, and whether that is news (PeriodeClosed is published)."""

    after: PeriodeStatus
    changed: bool
    announce: bool


def close(st: PeriodeStatus) -> Closing:
    """The admin closes a quarter: an open one closes (announced); closing a closed one again ends a correction's
    reopening (not announced); a final one stays final."""
    if st.status == "open":
        return Closing(PeriodeStatus("closed"), changed=True, announce=True)
    if st.status == "closed" and st.reopened:
        return Closing(PeriodeStatus("closed"), changed=True, announce=False)
    return Closing(st, changed=False, announce=False)


def reopen(st: PeriodeStatus, units: list[str]) -> PeriodeStatus:
    """A return that needs new data reopens exactly the named units (added to those reopened already)."""
    return replace(st, reopened=st.reopened | frozenset(units))


def finalise(st: PeriodeStatus) -> PeriodeStatus:
    """The final approval makes the period final for collection and ends every reopening."""
    return PeriodeStatus("final")


@dataclass(frozen=True)
class Resubmission:
    """What a report does to the unit's period: a change makes the next revision and is stored; an unchanged report
    keeps the revision and stores nothing (a second no-op row at the same revision would collide); a dry run
    answers the same and stores nothing."""

    revision: int
    changed: bool
    stores: bool


def resubmission(held_revision: int, *, changed: bool, dry_run: bool) -> Resubmission:
    revision = held_revision + 1 if changed else held_revision
    return Resubmission(revision, changed, stores=changed and not dry_run)
