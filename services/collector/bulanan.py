"""Monthly progress (issue 3, item 4): `POST /api/v1/laporan-bulanan`.

The same rules as the quarterly report (handlers.read_report, diff_values), kept in tables of their own and
published as `BulananSubmitted` for the aggregator's trend and early warning. Monthly reports are progress only:
they never touch the quarterly values, completeness or recaps.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any
from uuid import uuid4

from sqlmodel import Session, select

from services.collector.handlers import (
    OFFICE_TZ,
    Report,
    apply_catatan,
    catatan_changed,
    diff_values,
    periode_state,
    read_report,
    snapshot,
)
from services.collector.models import BulananSubmission, BulananValue, UnitMonth
from services.collector.validation import Problems
from shared.errors import api_error
from shared.events import catalogue as ev
from shared.service import Runtime

BULAN_RANGE = ("harus bilangan bulat 1–12", "must be a whole number from 1 to 12")


def quarter_of(bulan: int) -> int:
    return (bulan - 1) // 3 + 1


def month_deadline(tahun: int, bulan: int) -> datetime:
    """A month's progress is on time until the 10th of the next month, 23:59:59 office time (LAPKIN_TIMEZONE; the
    quarterly default deadline, applied to the month)."""
    year, month = (tahun + 1, 1) if bulan == 12 else (tahun, bulan + 1)
    return datetime.combine(date(year, month, 10), time(23, 59, 59), tzinfo=OFFICE_TZ)


def _check_bulan(p: Problems, body: dict[str, Any]) -> None:
    bulan = body.get("bulan")
    if bulan is None:
        p.add("bulan", "required")
    elif isinstance(bulan, bool) or not isinstance(bulan, int):
        p.add("bulan", "not_an_integer")
    elif not 1 <= bulan <= 12:
        p.add("bulan", "out_of_range", f" ({bulan})", f" ({bulan})", message=BULAN_RANGE)


def submit_bulanan(
    session: Session, rt: Runtime, *, key_unit: str, body: Any, dry_run: bool, received_at: datetime
) -> dict[str, Any]:
    """Accept a month's progress. A month is refused (409 periode_closed) only once its quarter's report is final
    (and the unit is not reopened for correction): a closed quarter still takes progress, which is informational
    and changes no recap. Months not yet ended are accepted."""
    report = read_report(session, key_unit, body, _check_bulan, "bulan")
    bulan = report.body["bulan"]
    triwulan = quarter_of(bulan)
    state = periode_state(session, report.tahun, triwulan)
    if state.status == "final" and report.unit not in json.loads(state.reopened):
        raise api_error(
            409,
            "bulan",
            "periode_closed",
            f"Laporan triwulan {triwulan} tahun {report.tahun} sudah final; bulan {bulan} tidak menerima data lagi.",
            f"The report of quarter {triwulan} of {report.tahun} is final; month {bulan} takes no more data.",
        )
    return _apply(session, rt, report=report, bulan=bulan, dry_run=dry_run, received_at=received_at)


def _apply(
    session: Session, rt: Runtime, *, report: Report, bulan: int, dry_run: bool, received_at: datetime
) -> dict[str, Any]:
    tahun, unit = report.tahun, report.unit
    # the unit's month row is the lock concurrent reports of that month take turns on (as the quarter's row)
    um = session.get(UnitMonth, (tahun, bulan, unit), with_for_update=not dry_run) or UnitMonth(
        tahun=tahun, bulan=bulan, unit=unit
    )
    current = {
        v.indikator: v
        for v in session.exec(
            select(BulananValue).where(
                BulananValue.tahun == tahun, BulananValue.bulan == bulan, BulananValue.unit == unit
            )
        )
    }
    diff = diff_values(current, report.good)
    changed = bool(diff.changes) or catatan_changed(um, report)
    revision = um.revision + 1 if changed else um.revision
    on_time = received_at <= month_deadline(tahun, bulan)
    submission_id = str(uuid4())
    answer = {"submission_id": submission_id, "revision": revision, "on_time": on_time, "summary": diff.summary()}
    if dry_run or not changed:  # an unchanged report makes no revision, stores nothing and emits nothing
        return answer
    session.add(
        BulananSubmission(
            id=submission_id,
            tahun=tahun,
            bulan=bulan,
            unit=unit,
            revision=revision,
            received_at=received_at,
            on_time=on_time,
            body=json.dumps(report.body),
        )
    )
    for kode, nilai, keterangan in diff.changes:
        row = current.get(kode) or BulananValue(
            tahun=tahun,
            bulan=bulan,
            unit=unit,
            indikator=kode,
            nilai=nilai,
            revision=revision,
            submission_id=submission_id,
        )
        row.nilai, row.revision, row.submission_id = nilai, revision, submission_id
        if keterangan is not None:
            row.keterangan = keterangan
        session.add(row)
        current[kode] = row
    um.revision, um.last_submission_id, um.last_received_at = revision, submission_id, received_at
    apply_catatan(um, report)
    session.add(um)
    rt.emit(
        session,
        "BulananSubmitted",
        ev.BulananSubmitted(
            tahun=tahun,
            bulan=bulan,
            unit=unit,
            submission_id=submission_id,
            revision=revision,
            realisasi=snapshot(current.values()),
            on_time=on_time,
            received_at=received_at.isoformat(),
            anggaran={"realisasi": um.anggaran_realisasi} if um.anggaran_realisasi is not None else None,
            kendala=um.kendala,
            solusi=um.solusi,
        ),
        correlation_id=submission_id,
    )
    return answer
