"""The collector's report use cases (SOP step 2): load what the unit holds, decide with the core, save, and add the
outgoing event to the outbox, in the caller's transaction (the caller commits).

The quarterly and the monthly report share one path (`apply_report`); what differs is where the unit's period is
kept, a `Ledger`: its quarter (col_unit_quarter, through store.py's prepared SQL, the busiest path) or its month."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import uuid4

from pydantic import BaseModel
from sqlmodel import Session, select

from services.collector import answers as a
from services.collector import excel, handlers, keys, pk, store
from services.collector.core import calendar, periode
from services.collector.core.errors import NotFound, pk_not_found
from services.collector.core.report import (
    Diff,
    HasCatatan,
    ParsedPk,
    Report,
    apply_catatan,
    catatan_changed,
    check_bulan,
    check_triwulan,
    completes,
    diff_values,
    keeps,
    read_report,
)
from services.collector.core.validation import shown
from services.collector.models import BulananSubmission, BulananValue, Unit, UnitMonth
from shared.events import catalogue as ev
from shared.observability import caller_correlation_id
from shared.sakip import PerjanjianKinerja
from shared.security import new_api_key
from shared.service import Runtime


class StoredFacts:
    """What reading a report asks (core.report.Known), answered from the collector's tables."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def unit_exists(self, unit: str) -> bool:
        return self.session.get(Unit, unit) is not None

    def may_act_for(self, key_unit: str, unit: str) -> bool:
        return handlers.may_act_for(self.session, key_unit, unit)

    def pk(self, tahun: int) -> ParsedPk | None:
        return handlers.PK_CACHE.latest(self.session, tahun)


class Held(HasCatatan, Protocol):
    """A unit's period as held: its revision and newest submission (and the catatan of HasCatatan)."""

    revision: int
    last_submission_id: str | None
    last_received_at: datetime | None


V = TypeVar("V", bound=handlers.HasIndikator)  # a value as the ledger holds it


class Ledger(Protocol[V]):
    """Where a unit's quarter or month is kept, and its values (indicator code -> value)."""

    def load(self, session: Session, *, lock: bool) -> Held: ...

    def values(self, session: Session) -> dict[str, V]: ...

    def record(self, session: Session, made: Made, current: dict[str, V]) -> None:
        """Store the submission and its changed values (and update `current` to match)."""

    def keep(self, session: Session, held: Held, report: Report, current: dict[str, V]) -> None: ...

    def event(self, held: Held, current: dict[str, V], on_time: bool) -> tuple[str, BaseModel]: ...


@dataclass(frozen=True)
class Made:
    """A submission that changed something: what its ledger stores."""

    report: Report
    diff: Diff
    submission_id: str
    revision: int
    received_at: datetime
    on_time: bool


def apply_report(
    session: Session,
    rt: Runtime,
    *,
    report: Report,
    ledger: Ledger[V],
    due: datetime,
    dry_run: bool,
    received_at: datetime,
) -> a.LaporanDiterima:
    """Weigh the report against what the unit holds and, when it changes something and is no dry run, store it as
    the next revision and publish the unit's period as of that revision."""
    # The unit's row is the lock concurrent reports of its period take turns on (PostgreSQL; SQLite's writer is
    # alone already). A first report has no row to lock yet: a concurrent one then fails on the primary key (409).
    held = ledger.load(session, lock=not dry_run)
    current = ledger.values(session)
    diff = diff_values(current, report.good, report.analisis)
    step = periode.resubmission(
        held.revision, changed=bool(diff.changes) or catatan_changed(held, report), dry_run=dry_run
    )
    on_time = calendar.on_time(received_at, due)
    submission_id = str(uuid4())
    # The id answered always exists: the stored submission that holds the data when nothing changed (evidence is
    # attached to it), none for a dry run that would store a new one.
    shown_id = submission_id if step.stores else None if step.changed else held.last_submission_id
    answer: a.LaporanDiterima = {
        "submission_id": shown_id,
        "revision": step.revision,
        "on_time": on_time,
        "summary": diff.summary(),
    }
    if not step.stores:
        return answer
    made = Made(
        report, diff, submission_id=submission_id, revision=step.revision, received_at=received_at, on_time=on_time
    )
    ledger.record(session, made, current)
    held.revision, held.last_submission_id, held.last_received_at = step.revision, submission_id, received_at
    apply_catatan(held, report)
    ledger.keep(session, held, report, current)
    name, payload = ledger.event(held, current, on_time)
    # the agency's own X-Correlation-Id finds the event when it sent one; the submission id is in the payload anyway
    rt.emit(session, name, payload, correlation_id=caller_correlation_id() or submission_id)
    return answer


class QuarterLedger:
    def __init__(self, tahun: int, triwulan: int, unit: str) -> None:
        self.tahun, self.triwulan, self.unit = tahun, triwulan, unit

    def load(self, session: Session, *, lock: bool) -> store.HeldQuarter:
        return store.load_quarter(session, self.tahun, self.triwulan, self.unit, lock=lock)

    def values(self, session: Session) -> dict[str, store.HeldValue]:
        return dict(store.current_values(session, self.tahun, self.triwulan, self.unit))

    def record(self, session: Session, made: Made, current: dict[str, store.HeldValue]) -> None:
        store.add_submission(
            session,
            {
                "id": made.submission_id,
                "tahun": self.tahun,
                "triwulan": self.triwulan,
                "unit": self.unit,
                "revision": made.revision,
                "changed": True,
                "received_at": made.received_at,
                "on_time": made.on_time,
                "body": json.dumps(made.report.body),
            },
        )
        store.save_values(
            session,
            tahun=self.tahun,
            triwulan=self.triwulan,
            unit=self.unit,
            changes=made.diff.changes,
            analisis=made.diff.analisis,
            held=current,
            revision=made.revision,
            submission_id=made.submission_id,
        )

    def keep(self, session: Session, held: Held, report: Report, current: dict[str, store.HeldValue]) -> None:
        assert isinstance(held, store.HeldQuarter)
        if held.completed_at is None and completes(report, current):
            held.completed_at = held.last_received_at
        store.save_quarter(session, held)

    def event(self, held: Held, current: dict[str, store.HeldValue], on_time: bool) -> tuple[str, BaseModel]:
        assert isinstance(held, store.HeldQuarter)
        return "TriwulanSubmitted", handlers.quarter_event(held, current.values(), on_time=on_time)


class MonthLedger:
    def __init__(self, tahun: int, bulan: int, unit: str) -> None:
        self.tahun, self.bulan, self.unit = tahun, bulan, unit

    def load(self, session: Session, *, lock: bool) -> UnitMonth:
        key = (self.tahun, self.bulan, self.unit)
        found = session.get(UnitMonth, key, with_for_update=lock)
        return found or UnitMonth(tahun=self.tahun, bulan=self.bulan, unit=self.unit)

    def values(self, session: Session) -> dict[str, BulananValue]:
        query = select(BulananValue).where(
            BulananValue.tahun == self.tahun, BulananValue.bulan == self.bulan, BulananValue.unit == self.unit
        )
        return {v.indikator: v for v in session.exec(query)}

    def record(self, session: Session, made: Made, current: dict[str, BulananValue]) -> None:
        session.add(
            BulananSubmission(
                id=made.submission_id,
                tahun=self.tahun,
                bulan=self.bulan,
                unit=self.unit,
                revision=made.revision,
                received_at=made.received_at,
                on_time=made.on_time,
                body=json.dumps(made.report.body),
            )
        )
        for kode, nilai, keterangan in made.diff.changes:
            row = current.get(kode) or BulananValue(
                tahun=self.tahun,
                bulan=self.bulan,
                unit=self.unit,
                indikator=kode,
                nilai=nilai,
                revision=made.revision,
                submission_id=made.submission_id,
            )
            texts = keeps(current.get(kode), made.diff.analisis.get(kode, {}))
            row.nilai, row.revision, row.submission_id = nilai, made.revision, made.submission_id
            row.penyebab, row.kendala = texts["penyebab"], texts["kendala"]
            row.solusi, row.tindak_lanjut = texts["solusi"], texts["tindak_lanjut"]
            if keterangan is not None:
                row.keterangan = keterangan
            session.add(row)
            current[kode] = row

    def keep(self, session: Session, held: Held, report: Report, current: dict[str, BulananValue]) -> None:
        session.add(held)

    def event(self, held: Held, current: dict[str, BulananValue], on_time: bool) -> tuple[str, BaseModel]:
        assert held.last_submission_id is not None and held.last_received_at is not None
        return "BulananSubmitted", ev.BulananSubmitted(
            tahun=self.tahun,
            bulan=self.bulan,
            unit=self.unit,
            submission_id=held.last_submission_id,
            revision=held.revision,
            realisasi=handlers.snapshot(current.values()),
            on_time=on_time,
            received_at=held.last_received_at.isoformat(),
            anggaran={"realisasi": held.anggaran_realisasi} if held.anggaran_realisasi is not None else None,
            kendala=held.kendala,
            solusi=held.solusi,
        )


def submit_triwulan(
    session: Session, rt: Runtime, *, key_unit: str | None, body: Any, dry_run: bool, received_at: datetime
) -> a.LaporanDiterima:
    """One quarterly report. `key_unit` is the unit of the API key; None is the admin (bulk imports), who may report
    for any known unit."""
    report = read_report(
        body, key_unit=key_unit, known=StoredFacts(session), check_period=check_triwulan, period_field="triwulan"
    )
    tahun, unit, triwulan = report.tahun, report.unit, report.body["triwulan"]
    w = handlers.quarter_window(session, tahun, triwulan)
    calendar.ensure_opened(tahun, triwulan, w, received_at)
    periode.ensure_quarter_open(tahun, triwulan, handlers.status_of(session, tahun, triwulan), unit)
    ledger = QuarterLedger(tahun, triwulan, unit)
    return apply_report(session, rt, report=report, ledger=ledger, due=w.due, dry_run=dry_run, received_at=received_at)


def submit_bulanan(
    session: Session, rt: Runtime, *, key_unit: str, body: Any, dry_run: bool, received_at: datetime
) -> a.LaporanDiterima:
    """A month's progress: the quarterly report's rules, kept in tables of its own. Refused only once its quarter is
    final (and the unit not reopened): a closed quarter still takes progress, which changes no recap. Months not yet
    ended are accepted."""
    report = read_report(
        body, key_unit=key_unit, known=StoredFacts(session), check_period=check_bulan, period_field="bulan"
    )
    tahun, unit, bulan = report.tahun, report.unit, report.body["bulan"]
    triwulan = calendar.quarter_of(bulan)
    periode.ensure_month_open(tahun, bulan, triwulan, handlers.status_of(session, tahun, triwulan), unit)
    due = calendar.month_deadline(tahun, bulan)
    ledger = MonthLedger(tahun, bulan, unit)
    return apply_report(session, rt, report=report, ledger=ledger, due=due, dry_run=dry_run, received_at=received_at)


def create_api_key(session: Session, kode: str) -> a.KunciApiBaru:
    """A new API key for a known unit: the key itself is answered this once, only its hash is kept."""
    if session.get(Unit, kode) is None:
        raise NotFound.one("kode", "unknown_unit", f"Unit {shown(kode)} tidak dikenal.", f"Unknown unit {shown(kode)}.")
    key = new_api_key()
    row = keys.new_row(kode, key)
    session.add(row)
    session.commit()
    return {"unit": kode, "api_key": key, "id": row.id}


def pk_versions(session: Session, tahun: int) -> a.DaftarVersiPk:
    """Every version of the year's PK, each with what it changed against the one before (PK perubahan)."""
    rows = pk.versions(session, tahun)
    if not rows:
        raise pk_not_found()
    return pk.summary(tahun, rows)


def template(session: Session, tahun: int, unit: str, triwulan: int | None) -> tuple[bytes, str]:
    """The unit's pre-filled sheet of the newest PK, and its file name; `triwulan` pre-fills that cell."""
    pk_row = handlers.latest_pk(session, tahun)
    if pk_row is None:
        raise pk_not_found()
    doc = PerjanjianKinerja.from_document(json.loads(pk_row.body))
    unit_row = next((u for u in doc.units if u.kode == unit), None)
    if unit_row is None:
        raise NotFound.one("unit", "unknown_unit", f"Unit {shown(unit)} tidak dikenal.", f"Unknown unit {shown(unit)}.")
    if not excel.indicators_of(doc, unit):
        raise NotFound.one(
            "unit",
            "no_indikator",
            f"Unit {unit} tidak bertanggung jawab atas indikator apa pun dalam PK {tahun}.",
            f"Unit {unit} is responsible for no indicator of the {tahun} PK.",
        )
    name = re.sub(r"[^A-Za-z0-9._-]", "_", f"laporan-triwulan-{tahun}-{unit}.xlsx")
    return excel.build_template(doc, unit_row, triwulan), name
