"""The collector's use cases for the PK, the calendar and the period status (SOP steps 1–2, 7): load, decide with
the core (services/collector/core/), save, and add outgoing events to the outbox. Reports: usecases.py."""

from __future__ import annotations

import functools
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.collector import answers as a
from services.collector import store
from services.collector.core import calendar
from services.collector.core.errors import Conflict, Invalid, pk_not_found
from services.collector.core.periode import PeriodeStatus, ensure_quarter_open, finalise, reopen
from services.collector.core.periode import close as close_quarter
from services.collector.core.pkdoc import PkDoc
from services.collector.core.report import HasNilai, ParsedPk, responsible
from services.collector.core.validation import validate_pk
from services.collector.filetype import named_as
from services.collector.models import (
    Bukti,
    CurrentValue,
    PeriodeState,
    PkVersion,
    ReportingWindow,
    Submission,
    Unit,
    UnitQuarter,
)
from shared.clock import as_utc
from shared.events import catalogue as ev
from shared.events.envelope import Envelope
from shared.sakip import PERIODE_QUARTERS, TRIWULAN_PERIODES, PerjanjianKinerja
from shared.service import Runtime

STATUS_ROLES = ("kepala_dinas", "subkor", "sekretaris", "kabid", "kasi", "staf", "operator")  # follow collection
default_window, _parse_moment = calendar.default_window, calendar.parse_moment


def latest_pk(session: Session, tahun: int) -> PkVersion | None:
    query = select(PkVersion).where(PkVersion.tahun == tahun).order_by(col(PkVersion.version).desc())
    return session.exec(query.limit(1)).first()


class PkCache:
    """Parsed PK versions per database (engine). A version's row never changes once written, so each is parsed
    once per process instead of once per report; a report still asks the database which version is the newest,
    inside its own transaction, so a new PK applies from the next report on."""

    SIZE = 8  # versions kept per database

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_engine: weakref.WeakKeyDictionary[Engine, OrderedDict[tuple[int, int], ParsedPk]] = (
            weakref.WeakKeyDictionary()
        )

    def latest(self, session: Session, tahun: int) -> ParsedPk | None:
        version = store.pk_version(session, tahun)
        if version is None:
            return None
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        with self._lock:
            found = self._by_engine.setdefault(engine, OrderedDict()).get((tahun, version))
        if found is not None:
            return found
        row = session.get(PkVersion, (tahun, version))
        assert row is not None
        parsed = ParsedPk.of(version, json.loads(row.body))
        with self._lock:
            versions = self._by_engine.setdefault(engine, OrderedDict())
            versions[(tahun, version)] = parsed
            while len(versions) > self.SIZE:
                versions.popitem(last=False)
        return parsed


PK_CACHE = PkCache()


def put_pk(session: Session, rt: Runtime, tahun: int, body: Any) -> a.PkTersimpan:
    """A new PK version for the year (every problem listed, Invalid); the same PK again makes none."""
    problems = validate_pk(body, tahun)
    if problems:
        raise Invalid(problems)
    current = latest_pk(session, tahun)
    version = (current.version + 1) if current else 1
    doc = cast(PkDoc, {**body, "tahun": tahun})  # checked by validate_pk
    units = doc["units"]
    n_ind = sum(len(s["indikator"]) for s in doc["sasaran"])
    if current is not None and json.loads(current.body) == doc:  # the same PK again: no new version, no event
        return {"tahun": tahun, "version": current.version, "indikator": n_ind, "units": len(units), "changed": False}
    try:
        with session.no_autoflush:  # the version's row is written at commit, where a concurrent PUT shows
            session.add(PkVersion(tahun=tahun, version=version, body=json.dumps(doc)))
            for u in units:
                unit = session.get(Unit, u["kode"]) or Unit(kode=u["kode"], nama=u["nama"], jenis=u["jenis"])
                unit.nama, unit.jenis, unit.induk = u["nama"], u["jenis"], u.get("induk")
                session.add(unit)
        rt.emit(
            session,
            "PerjanjianKinerjaPublished",
            ev.PerjanjianKinerjaPublished(tahun=tahun, version=version, pk=PerjanjianKinerja.from_document(doc)),
        )
        session.commit()
    except IntegrityError as exc:  # a concurrent PUT took this version (or made the same new unit)
        session.rollback()
        raise Conflict.one(
            None,
            "concurrent_submission",
            "Ada pengiriman Perjanjian Kinerja lain yang bersamaan, ulangi.",
            "A concurrent PK upload won the race; retry.",
        ) from exc
    rt.committed()
    return {"tahun": tahun, "version": version, "indikator": n_ind, "units": len(units), "changed": True}


def quarter_window(session: Session, tahun: int, triwulan: int) -> calendar.Window:
    """A quarter's window: the year's calendar when an admin set one, else the defaults."""
    return _window(tahun, triwulan, store.window_row(session, tahun, triwulan))


@functools.lru_cache(maxsize=64)
def _window(tahun: int, triwulan: int, stored: tuple[datetime, datetime] | None) -> calendar.Window:
    """calendar.window of a stored row (Window is frozen: one object serves every report of the same row)."""
    return calendar.window(tahun, triwulan, stored)


def window(session: Session, tahun: int, triwulan: int) -> tuple[datetime, datetime, bool]:
    """(opens, deadline, configured) of a quarter."""
    w = quarter_window(session, tahun, triwulan)
    return w.opens, w.due, w.configured


def deadline(session: Session, tahun: int, triwulan: int) -> datetime:
    return window(session, tahun, triwulan)[1]


def calendar_configured(session: Session, tahun: int) -> bool:
    return (
        session.exec(select(ReportingWindow.tahun).where(ReportingWindow.tahun == tahun).limit(1)).first() is not None
    )


def get_kalender(session: Session, tahun: int) -> a.Kalender:
    rows: list[a.JendelaTersimpan] = []
    for triwulan in (1, 2, 3, 4):
        opens, due, _ = window(session, tahun, triwulan)
        rows.append({"triwulan": triwulan, "buka": opens.isoformat(), "deadline": due.isoformat()})
    return {"tahun": tahun, "configured": calendar_configured(session, tahun), "triwulan": rows}


def put_kalender(session: Session, tahun: int, body: Any) -> a.Kalender:
    """Set the year's calendar (core.calendar.read_kalender): a set calendar refuses early submissions."""
    for tw, (opens, due) in calendar.read_kalender(tahun, body).items():
        row = session.get(ReportingWindow, (tahun, tw)) or ReportingWindow(
            tahun=tahun, triwulan=tw, opens_at=opens, deadline=due
        )
        row.opens_at, row.deadline, row.updated_at = opens.astimezone(UTC), due.astimezone(UTC), utc_now()
        session.add(row)
    session.commit()
    return get_kalender(session, tahun)


def periode_state(session: Session, tahun: int, triwulan: int) -> PeriodeState:
    return session.get(PeriodeState, (tahun, triwulan)) or PeriodeState(tahun=tahun, triwulan=triwulan)


def may_act_for(session: Session, key_unit: str, unit: str) -> bool:
    """A key acts for its unit, and for the units that name that unit as their parent (induk)."""
    if key_unit == unit:
        return True
    row = session.get(Unit, unit)
    return row is not None and row.induk == key_unit


def _status(state: PeriodeState) -> PeriodeStatus:
    return PeriodeStatus(state.status, frozenset(json.loads(state.reopened)))


def _hold(state: PeriodeState, st: PeriodeStatus) -> None:
    state.status, state.reopened = st.status, json.dumps(sorted(st.reopened))


def status_of(session: Session, tahun: int, triwulan: int) -> PeriodeStatus:
    return _parsed_status(*store.periode_status(session, tahun, triwulan))


@functools.lru_cache(maxsize=64)
def _parsed_status(status: str, reopened: str) -> PeriodeStatus:
    """A stored status read (PeriodeStatus is frozen: one object serves every report of the same stored row)."""
    return PeriodeStatus(status, frozenset(json.loads(reopened)))


def ensure_open(session: Session, tahun: int, triwulan: int, unit: str) -> None:
    """Conflict once the quarter is closed or final, unless a correction reopened it for this unit."""
    ensure_quarter_open(tahun, triwulan, status_of(session, tahun, triwulan), unit)


class HasIndikator(HasNilai, Protocol):
    indikator: str


def quarter_event(uq: store.HeldQuarter, values: Iterable[HasIndikator], *, on_time: bool) -> ev.TriwulanSubmitted:
    """The unit's quarter as of its newest revision: what a submission that made it publishes."""
    assert uq.last_submission_id is not None and uq.last_received_at is not None
    return ev.TriwulanSubmitted(
        tahun=uq.tahun,
        triwulan=uq.triwulan,
        unit=uq.unit,
        submission_id=uq.last_submission_id,
        revision=uq.revision,
        realisasi=snapshot(values),
        on_time=on_time,
        received_at=uq.last_received_at.isoformat(),
        anggaran={"realisasi": uq.anggaran_realisasi} if uq.anggaran_realisasi is not None else None,
        kendala=uq.kendala,
        solusi=uq.solusi,
    )


def resend_quarter(session: Session, tahun: int, triwulan: int, unit: str) -> ev.TriwulanSubmitted | None:
    """The newest TriwulanSubmitted of a unit's quarter again, from the stored data (`lapkin reconcile --repair`:
    a consumer that never got it keeps only a newer revision than it holds, so sending it again is harmless)."""
    uq = store.load_quarter(session, tahun, triwulan, unit, lock=False)
    if not uq.revision or uq.last_submission_id is None or uq.last_received_at is None:
        return None
    made = session.get(Submission, uq.last_submission_id)
    values = store.current_values(session, tahun, triwulan, unit).values()
    return quarter_event(uq, values, on_time=made.on_time if made is not None else True)


def snapshot(values: Iterable[HasIndikator]) -> list[ev.NilaiItem]:
    """The unit's complete current values, in indicator order (the events carry a snapshot, not a delta)."""
    return [
        ev.NilaiItem(
            indikator=v.indikator,
            nilai=v.nilai,
            keterangan=v.keterangan,
            penyebab=v.penyebab,
            kendala=v.kendala,
            solusi=v.solusi,
            tindak_lanjut=v.tindak_lanjut,
        )
        for v in sorted(values, key=lambda v: v.indikator)
    ]


def periode_status(session: Session, tahun: int, periode: str, only_unit: str | None) -> a.StatusPeriode:
    triwulan = TRIWULAN_PERIODES[periode]
    pk_row = latest_pk(session, tahun)
    if pk_row is None:
        raise pk_not_found()
    w = quarter_window(session, tahun, triwulan)
    due = w.due
    evidence = bukti_by_unit(session, tahun, triwulan)
    rows: list[a.StatusUnit] = []
    for unit, codes in sorted(responsible(json.loads(pk_row.body)).items()):
        uq = session.get(UnitQuarter, (tahun, triwulan, unit))
        have = set(
            session.exec(
                select(CurrentValue.indikator).where(
                    CurrentValue.tahun == tahun, CurrentValue.triwulan == triwulan, CurrentValue.unit == unit
                )
            )
        )
        missing = [c for c in codes if c not in have]
        submitted = not missing
        completed = uq.completed_at if uq else None
        if completed is not None and completed.tzinfo is None:
            completed = completed.replace(tzinfo=UTC)
        history: list[a.RiwayatRevisi] = [
            {
                "revision": sub.revision,
                "submission_id": sub.id,
                "received_at": as_utc(sub.received_at).isoformat(),
                "late": not calendar.on_time(as_utc(sub.received_at), due),
            }
            for sub in session.exec(
                select(Submission)
                .where(
                    Submission.tahun == tahun,
                    Submission.triwulan == triwulan,
                    Submission.unit == unit,
                    col(Submission.changed).is_(True),
                )
                .order_by(col(Submission.revision))
            )
        ]
        rows.append(
            {
                "unit": unit,
                "submitted": submitted,
                "on_time": calendar.on_time(completed, due) if (submitted and completed) else None,
                "revision": uq.revision if uq else 0,
                "missing_indikator": missing,
                "history": history,
                "bukti": {"count": len(evidence.get(unit, [])), "files": evidence.get(unit, [])},
            }
        )
    state = periode_state(session, tahun, triwulan)
    visible = [r for r in rows if only_unit is None or r["unit"] == only_unit]
    return {
        "tahun": tahun,
        "periode": periode,
        "status": calendar.shown_status(state.status, w, utc_now()),
        "buka": w.opens.isoformat(),
        "deadline": due.isoformat(),
        "expected_units": len(rows),
        "submitted_units": sum(r["submitted"] for r in rows),
        "on_time_units": sum(bool(r["on_time"]) for r in rows),
        "units": visible,
    }


def bukti_by_unit(session: Session, tahun: int, triwulan: int) -> dict[str, list[a.BerkasBukti]]:
    """Each unit's evidence files of the quarter, oldest first: enough to find them (download: /api/v1/bukti/{id})."""
    out: dict[str, list[a.BerkasBukti]] = {}
    query = select(Bukti).where(Bukti.tahun == tahun, Bukti.triwulan == triwulan)
    for row in session.exec(query.order_by(col(Bukti.uploaded_at), col(Bukti.id))):
        out.setdefault(row.unit, []).append(
            {
                "id": row.id,
                "submission_id": row.submission_id,
                "filename": named_as(row.filename, row.content_type),
                "sha256": row.sha256,
            }
        )
    return out


def kelengkapan(session: Session, tahun: int) -> a.Kelengkapan:
    """The office-wide reporting rate summary per quarter (after DHIS2's): expected units, actual (every indicator
    reported), on time (complete by the deadline), and both as a percentage of expected."""
    quarters: list[a.KelengkapanTriwulan] = []
    for periode in TRIWULAN_PERIODES:
        s = periode_status(session, tahun, periode, None)
        expected, actual, on_time = s["expected_units"], s["submitted_units"], s["on_time_units"]
        quarters.append(
            {
                "periode": periode,
                "status": s["status"],
                "deadline": s["deadline"],
                "expected": expected,
                "actual": actual,
                "on_time": on_time,
                "reporting_rate": round(100 * actual / expected, 1) if expected else None,
                "on_time_rate": round(100 * on_time / expected, 1) if expected else None,
            }
        )
    return {"tahun": tahun, "triwulan": quarters}


def close_periode(session: Session, rt: Runtime, tahun: int, periode: str, closed_by: str) -> a.PeriodeDitutup:
    triwulan = TRIWULAN_PERIODES[periode]
    if latest_pk(session, tahun) is None:
        raise pk_not_found()
    state = periode_state(session, tahun, triwulan)
    closing = close_quarter(_status(state))
    if closing.changed:  # an open quarter closes; closing again ends a correction's reopening
        _hold(state, closing.after)
        session.add(state)
        if closing.announce:
            rt.emit(session, "PeriodeClosed", ev.PeriodeClosed(tahun=tahun, periode=periode, closed_by=closed_by))
        session.commit()
        if closing.announce:
            rt.committed()
    return {"tahun": tahun, "periode": periode, "status": state.status}


# ---- consumed events ---------------------------------------------------------------------------------------


def on_koreksi_requested(session: Session, env: Envelope, payload: ev.KoreksiRequested) -> None:
    """A return that needs new data reopens exactly the named units of the named quarter(s)."""
    for triwulan in _quarters(payload.periode):
        state = periode_state(session, payload.tahun, triwulan)
        _hold(state, reopen(_status(state), payload.units))
        session.add(state)


def on_draft_approved(session: Session, env: Envelope, payload: ev.DraftApproved) -> None:
    """The final approval makes the period final for collection."""
    if not payload.final:
        return
    for triwulan in _quarters(payload.periode):
        state = periode_state(session, payload.tahun, triwulan)
        _hold(state, finalise(_status(state)))
        session.add(state)


def _quarters(periode: str) -> list[int]:
    return list(PERIODE_QUARTERS.get(periode, (0,)))


def utc_now() -> datetime:
    return datetime.now(UTC)
