"""Reminders (SOP step 1–2, issue 3.3): `SubmissionOverdue` to the units that still owe a quarter's data.

Two reminder points per open quarter: `pengingat` N days before the deadline (`LAPKIN_REMINDER_DAYS_BEFORE`, never
before the window opens) and `terlambat` at the deadline. At each point every unit that has not reported all of its
indicators gets ONE event listing what it still owes; a unit that has reported everything gets nothing. Each
(unit, quarter, point) is sent once: the row in `col_reminder` is written in the same transaction as the event, and
its primary key settles a race between two collector processes. A point passed more than
`LAPKIN_REMINDER_CATCH_UP_DAYS` ago (the service was down, or the year is long past) is skipped, so starting the
system on an old year's data does not flood the Sub Koordinator with stale reminders. Closed and final quarters
get none.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.collector.core.calendar import points_due
from services.collector.handlers import periode_state, responsible, utc_now, window
from services.collector.models import CurrentValue, PkVersion, ReminderSent
from shared.config import Settings
from shared.events import catalogue as ev
from shared.service import Runtime

log = logging.getLogger("lapkin.collector.reminders")


def due_reminders(session: Session, settings: Settings, now: datetime) -> list[ev.SubmissionOverdue]:
    """The reminders that are due at `now` and not sent yet (pure read; `send_due` stores and emits them)."""
    out: list[ev.SubmissionOverdue] = []
    catch_up = timedelta(days=settings.reminder_catch_up_days)
    years = sorted(set(session.exec(select(PkVersion.tahun))))
    for tahun in years:
        pk_row = session.exec(
            select(PkVersion).where(PkVersion.tahun == tahun).order_by(col(PkVersion.version).desc()).limit(1)
        ).one()
        pk = json.loads(pk_row.body)
        owed, names = responsible(pk), {u["kode"]: u["nama"] for u in pk.get("units", [])}
        for triwulan in (1, 2, 3, 4):
            opens, due, _ = window(session, tahun, triwulan)
            points = points_due(opens, due, settings.reminder_days_before, now, catch_up)
            if not points or periode_state(session, tahun, triwulan).status != "open":
                continue
            have: dict[str, set[str]] = {}
            for unit, kode in session.exec(
                select(CurrentValue.unit, CurrentValue.indikator).where(
                    CurrentValue.tahun == tahun, CurrentValue.triwulan == triwulan
                )
            ):
                have.setdefault(unit, set()).add(kode)
            sent = {
                (r.unit, r.jenis)
                for r in session.exec(
                    select(ReminderSent).where(ReminderSent.tahun == tahun, ReminderSent.triwulan == triwulan)
                )
            }
            for unit, codes in sorted(owed.items()):
                missing = [c for c in codes if c not in have.get(unit, set())]
                if not missing:
                    continue
                for jenis, _at in points:
                    if (unit, jenis) in sent:
                        continue
                    out.append(
                        ev.SubmissionOverdue(
                            tahun=tahun,
                            periode=f"TW{triwulan}",
                            unit=unit,
                            deadline=due.isoformat(),
                            missing_indikator=missing,
                            jenis=jenis,
                            nama_unit=names.get(unit),
                        )
                    )
    return out


def send_due(rt: Runtime, engine: Engine, now: datetime | None = None) -> int:
    """Store and emit every due reminder in one transaction; returns how many were sent (0 when another process
    sent them first)."""
    now = now or utc_now()
    with Session(engine) as session:
        reminders = due_reminders(session, rt.settings, now)
        if not reminders:
            return 0
        for r in reminders:
            session.add(
                ReminderSent(
                    tahun=r.tahun,
                    triwulan=int(r.periode[2:]),
                    unit=r.unit,
                    jenis=r.jenis,
                    missing=json.dumps(r.missing_indikator),
                    sent_at=now,
                )
            )
            rt.emit(session, "SubmissionOverdue", r, correlation_id=f"pengingat-{r.tahun}-{r.periode}-{r.unit}")
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return 0
    rt.committed()
    return len(reminders)


async def run(rt: Runtime) -> None:
    """The collector's reminder clock: checks every `reminder_interval_s` until cancelled."""
    interval = rt.settings.reminder_interval_s
    while True:
        try:
            sent = await asyncio.to_thread(send_due, rt, rt.engine)
            if sent:
                log.info("reminders: %s SubmissionOverdue sent", sent)
        except Exception:  # a database or Redis hiccup: try again at the next tick
            log.exception("reminders: check failed")
        await asyncio.sleep(interval)


async def start(rt: Runtime) -> Any:
    if rt.settings.reminder_interval_s > 0:
        rt.background.append(asyncio.create_task(run(rt), name="reminders"))
