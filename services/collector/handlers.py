"""The collector's use cases (SOP steps 1–2): load, decide, save, and add outgoing events to the outbox."""

from __future__ import annotations

import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Protocol
from uuid import uuid4

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.collector import store
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
from services.collector.validation import (
    TAHUN_MAX,
    TAHUN_MIN,
    Problems,
    check_fields,
    indikator_index,
    parse_decimal,
    read_number,
    read_tahun,
    validate_realisasi,
)
from shared import clock
from shared.errors import ApiError, api_error
from shared.events import catalogue as ev
from shared.events.envelope import Envelope
from shared.service import Runtime

OFFICE_TZ = clock.OFFICE  # the office's zone (LAPKIN_TIMEZONE, shared/clock.py): deadlines are office time
TRIWULAN_PERIODES = {"TW1": 1, "TW2": 2, "TW3": 3, "TW4": 4}
STATUS_ROLES = ("kepala_dinas", "subkor", "sekretaris", "kabid", "kasi", "staf", "operator")  # follow collection


def latest_pk(session: Session, tahun: int) -> PkVersion | None:
    query = select(PkVersion).where(PkVersion.tahun == tahun).order_by(col(PkVersion.version).desc())
    return session.exec(query.limit(1)).first()


@dataclass(frozen=True)
class ParsedPk:
    """One PK version, parsed, with the lookups every report needs. Shared between requests: never mutate it."""

    version: int
    doc: dict[str, Any]
    index: dict[str, dict[str, Any]]  # indicator code -> indicator
    responsible: dict[str, list[str]]  # unit -> the indicators it must report


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
        doc = json.loads(row.body)
        parsed = ParsedPk(version, doc, indikator_index(doc), responsible(doc))
        with self._lock:
            versions = self._by_engine.setdefault(engine, OrderedDict())
            versions[(tahun, version)] = parsed
            while len(versions) > self.SIZE:
                versions.popitem(last=False)
        return parsed


PK_CACHE = PkCache()


def put_pk(session: Session, rt: Runtime, tahun: int, body: dict[str, Any]) -> dict[str, Any]:
    current = latest_pk(session, tahun)
    version = (current.version + 1) if current else 1
    doc = {**body, "tahun": tahun}
    n_ind = sum(len(s["indikator"]) for s in body["sasaran"])
    if current is not None and json.loads(current.body) == doc:  # the same PK again: no new version, no event
        return {"tahun": tahun, "version": current.version, "indikator": n_ind, "units": len(body["units"]),
                "changed": False}  # fmt: skip
    try:
        with session.no_autoflush:  # the version's row is written at commit, where a concurrent PUT shows
            session.add(PkVersion(tahun=tahun, version=version, body=json.dumps(doc)))
            for u in body["units"]:
                unit = session.get(Unit, u["kode"]) or Unit(kode=u["kode"], nama=u["nama"], jenis=u["jenis"])
                unit.nama, unit.jenis, unit.induk = u["nama"], u["jenis"], u.get("induk")
                session.add(unit)
        rt.emit(
            session,
            "PerjanjianKinerjaPublished",
            ev.PerjanjianKinerjaPublished(tahun=tahun, version=version, pk=doc),
        )
        session.commit()
    except IntegrityError as exc:  # a concurrent PUT took this version (or made the same new unit)
        session.rollback()
        raise api_error(
            409,
            None,
            "concurrent_submission",
            "Ada pengiriman Perjanjian Kinerja lain yang bersamaan, ulangi.",
            "A concurrent PK upload won the race; retry.",
        ) from exc
    rt.committed()
    return {"tahun": tahun, "version": version, "indikator": n_ind, "units": len(body["units"]), "changed": True}


def _month_after(tahun: int, triwulan: int) -> tuple[int, int]:
    month = triwulan * 3 + 1
    return (tahun + 1, month - 12) if month > 12 else (tahun, month)


def default_window(tahun: int, triwulan: int) -> tuple[datetime, datetime]:
    """Default window: opens the day after the quarter ends (00:00 office time), deadline the 10th of the month
    after the quarter, 23:59:59 office time (LAPKIN_TIMEZONE)."""
    year, month = _month_after(tahun, triwulan)
    opens = datetime.combine(date(year, month, 1), time(0, 0), tzinfo=OFFICE_TZ)
    due = datetime.combine(date(year, month, 10), time(23, 59, 59), tzinfo=OFFICE_TZ)
    return opens, due


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def window(session: Session, tahun: int, triwulan: int) -> tuple[datetime, datetime, bool]:
    """(opens, deadline, configured) of a quarter: the year's calendar when an admin set one, else the defaults."""
    row = store.window_row(session, tahun, triwulan)
    if row is None:
        return (*default_window(tahun, triwulan), False)
    return _aware(row[0]).astimezone(OFFICE_TZ), _aware(row[1]).astimezone(OFFICE_TZ), True


def deadline(session: Session, tahun: int, triwulan: int) -> datetime:
    return window(session, tahun, triwulan)[1]


def calendar_configured(session: Session, tahun: int) -> bool:
    return (
        session.exec(select(ReportingWindow.tahun).where(ReportingWindow.tahun == tahun).limit(1)).first() is not None
    )


def _parse_moment(value: Any, end_of_day: bool) -> datetime | None:
    """An ISO date (start or end of that day in office time) or datetime (office time when it names no zone)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day, time(23, 59, 59) if end_of_day else time(0, 0), tzinfo=OFFICE_TZ)
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment.replace(tzinfo=OFFICE_TZ) if moment.tzinfo is None else moment


def get_kalender(session: Session, tahun: int) -> dict[str, Any]:
    rows = []
    for triwulan in (1, 2, 3, 4):
        opens, due, _ = window(session, tahun, triwulan)
        rows.append({"triwulan": triwulan, "buka": opens.isoformat(), "deadline": due.isoformat()})
    return {"tahun": tahun, "configured": calendar_configured(session, tahun), "triwulan": rows}


WINDOW_YEARS = ("tanggal harus dalam rentang tahun yang diterima", "the date must fall within the years accepted")


def put_kalender(session: Session, tahun: int, body: Any) -> dict[str, Any]:
    """Set the year's calendar. `triwulan` lists {triwulan, buka?, deadline?}; what is left out takes the default,
    so `{"triwulan": []}` sets the default calendar (which turns on the refusal of early submissions)."""
    p = Problems()
    if not isinstance(body, dict):
        raise ApiError(422, [*_only(p, "body", "not_an_object")])
    items = body.get("triwulan")
    if not isinstance(items, list):
        raise ApiError(422, [*_only(p, "triwulan", "required" if items is None else "not_a_list")])
    chosen: dict[int, tuple[datetime, datetime]] = {}
    for i, item in enumerate(items):
        where = f"triwulan[{i}]"
        if not isinstance(item, dict):
            p.add(where, "not_an_object")
            continue
        tw = item.get("triwulan")
        if isinstance(tw, bool) or not isinstance(tw, int) or tw not in (1, 2, 3, 4):
            p.add(f"{where}.triwulan", "not_allowed", " (1–4)", " (1–4)")
            continue
        if tw in chosen:
            p.add(f"{where}.triwulan", "duplicate", f" ({tw})", f" ({tw})")
            continue
        opens, due = default_window(tahun, tw)
        bad = False
        for key, end_of_day in (("buka", False), ("deadline", True)):
            if item.get(key) is None:
                continue
            moment = _parse_moment(item[key], end_of_day)
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
            continue
        if due <= opens:
            p.add(f"{where}.deadline", "before_opening", " (deadline <= buka)", " (deadline <= buka)")
            continue
        chosen[tw] = (opens, due)
    p.check()
    for tw in (1, 2, 3, 4):
        opens, due = chosen.get(tw) or default_window(tahun, tw)
        row = session.get(ReportingWindow, (tahun, tw)) or ReportingWindow(
            tahun=tahun, triwulan=tw, opens_at=opens, deadline=due
        )
        row.opens_at, row.deadline, row.updated_at = opens.astimezone(UTC), due.astimezone(UTC), utc_now()
        session.add(row)
    session.commit()
    return get_kalender(session, tahun)


def responsible(pk: dict[str, Any]) -> dict[str, list[str]]:
    """unit -> the indicators it must report (units with none are not expected)."""
    out: dict[str, list[str]] = {}
    for kode, ind in indikator_index(pk).items():
        out.setdefault(ind["penanggung_jawab"], []).append(kode)
    return out


def periode_state(session: Session, tahun: int, triwulan: int) -> PeriodeState:
    return session.get(PeriodeState, (tahun, triwulan)) or PeriodeState(tahun=tahun, triwulan=triwulan)


def may_act_for(session: Session, key_unit: str, unit: str) -> bool:
    """A key acts for its unit, and for the units that name that unit as their parent (induk)."""
    if key_unit == unit:
        return True
    row = session.get(Unit, unit)
    return row is not None and row.induk == key_unit


def ensure_open(session: Session, tahun: int, triwulan: int, unit: str) -> None:
    """409 once the quarter is closed or final, unless a correction reopened it for this unit."""
    status, reopened = store.periode_status(session, tahun, triwulan)
    if status != "open" and unit not in json.loads(reopened):
        raise api_error(
            409,
            "triwulan",
            "periode_closed",
            f"Triwulan {triwulan} tahun {tahun} sudah ditutup ({status}).",
            f"Quarter {triwulan} of {tahun} is closed ({status}).",
        )


@dataclass(frozen=True)
class Report:
    """The part every report shares (quarterly and monthly), validated: who, which year, which values."""

    tahun: int
    unit: str
    pk: dict[str, Any]
    good: list[tuple[str, Decimal, str | None]]
    spent: str | None
    body: dict[str, Any]
    responsible: dict[str, list[str]]  # of the PK: unit -> its indicators


REPORT_FIELDS = frozenset({"tahun", "unit", "realisasi", "anggaran", "kendala", "solusi"})


def read_report(
    session: Session,
    key_unit: str | None,
    body: Any,
    check_period: Callable[[Problems, dict[str, Any]], None],
    period_field: str,
) -> Report:
    """Validate a report's body (CONTRACT.md: every problem listed, 422; 403 for a unit the key may not act for).
    `check_period` checks the period's own field (`triwulan` or `bulan`) in its place in the list."""
    p = Problems()
    if not isinstance(body, dict):
        raise ApiError(422, [*_only(p, "body", "not_an_object")])
    check_fields(p, body, REPORT_FIELDS | {period_field})
    tahun, unit = read_tahun(p, body.get("tahun")), body.get("unit")
    check_period(p, body)
    if not isinstance(unit, str) or not unit:
        p.add("unit", "required")
    elif key_unit is None:
        if session.get(Unit, unit) is None:
            p.add("unit", "unknown_unit", f" ({unit})", f" ({unit})")
    elif not may_act_for(session, key_unit, unit):
        raise api_error(
            403,
            "unit",
            "wrong_unit",
            f"Kunci API ini milik unit {key_unit}, tidak dapat melapor untuk {unit}.",
            f"This API key belongs to unit {key_unit} and cannot report for {unit}.",
        )
    parsed = PK_CACHE.latest(session, tahun) if tahun is not None else None
    if tahun is not None and parsed is None:
        p.add("tahun", "pk_not_found", f" ({tahun})", f" ({tahun})")
    items = body.get("realisasi")
    empty = items == []
    if not isinstance(items, list):
        p.add("realisasi", "required" if items is None else "not_a_list")
        items = []
    good = validate_realisasi(p, items, unit if isinstance(unit, str) else "", parsed.index if parsed else {})
    spent = _read_anggaran(p, body.get("anggaran"))
    notes = False
    for key in ("kendala", "solusi"):
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            p.add(key, "not_a_string")
        elif isinstance(value, str) and len(value) > 4000:
            p.add(key, "too_long")
        notes = notes or (isinstance(value, str) and bool(value.strip()))
    if spent is not None and parsed is not None and isinstance(unit, str) and not _owns_programme(parsed.doc, unit):
        # the recap sums a unit's anggaran into the programmes it owns: with none, it would be acknowledged and lost
        p.add("anggaran.realisasi", "no_programme", f" ({unit})", f" ({unit})")
    if empty and spent is None and not notes:
        p.add("realisasi", "empty_report")  # names nothing: no value, no anggaran, no kendala or solusi
    p.check()
    assert tahun is not None and isinstance(unit, str) and parsed is not None
    return Report(tahun, unit, parsed.doc, good, None if spent is None else str(spent), body, parsed.responsible)


def _owns_programme(pk: dict[str, Any], unit: str) -> bool:
    return any(isinstance(prog, dict) and prog.get("unit") == unit for prog in pk.get("program") or [])


def _read_anggaran(p: Problems, anggaran: Any) -> Decimal | None:
    if anggaran is None:
        return None
    if not isinstance(anggaran, dict):
        p.add("anggaran", "not_an_object")
        return None
    check_fields(p, anggaran, frozenset({"realisasi"}), "anggaran.")
    return read_number(p, anggaran.get("realisasi"), "anggaran.realisasi", required=False)


def _check_triwulan(p: Problems, body: dict[str, Any]) -> None:
    triwulan = body.get("triwulan")
    if isinstance(triwulan, bool) or not isinstance(triwulan, int) or triwulan not in (1, 2, 3, 4):
        p.add("triwulan", "not_allowed", " (1–4)", " (1–4)")


def submit_triwulan(
    session: Session, rt: Runtime, *, key_unit: str | None, body: Any, dry_run: bool, received_at: datetime
) -> dict[str, Any]:
    """One quarterly report: validate, then store and emit in the caller's transaction (the caller commits).
    `key_unit` is the unit of the API key; None is the admin (bulk imports), who may report for any known unit."""
    report = read_report(session, key_unit, body, _check_triwulan, "triwulan")
    tahun, unit, triwulan = report.tahun, report.unit, report.body["triwulan"]
    opens, due, configured = window(session, tahun, triwulan)  # a configured calendar has a row for every quarter
    if configured:
        if received_at < opens:
            day = opens.astimezone(OFFICE_TZ).date().isoformat()
            raise api_error(
                409,
                "triwulan",
                "periode_belum_dibuka",
                f"Pelaporan triwulan {triwulan} tahun {tahun} belum dibuka; dibuka {day}.",
                f"Reporting for quarter {triwulan} of {tahun} is not open yet; it opens {day}.",
            )
    ensure_open(session, tahun, triwulan, unit)
    return _apply_submission(
        session, rt, report=report, triwulan=triwulan, due=due, dry_run=dry_run, received_at=received_at
    )


def _only(p: Problems, field: str, rule: str) -> list[Any]:
    p.add(field, rule)
    return p.items


class HasNilai(Protocol):
    nilai: str
    keterangan: str | None


class HasCatatan(Protocol):
    anggaran_realisasi: str | None
    kendala: str | None
    solusi: str | None


@dataclass
class Diff:
    """What a report changes against the values held: the summary counts and the values to write."""

    imported: int = 0
    updated: int = 0
    ignored: int = 0
    changes: list[tuple[str, str, str | None]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"imported": self.imported, "updated": self.updated, "ignored": self.ignored, "conflicts": []}


def diff_values(current: Mapping[str, HasNilai], good: list[tuple[str, Decimal, str | None]]) -> Diff:
    """A value equal as a decimal (60.00 == 60) with no new keterangan is ignored; others are imported or updated."""
    d = Diff()
    for kode, nilai, keterangan in good:
        old = current.get(kode)
        if old is None:
            d.imported += 1
        elif parse_decimal(old.nilai) == nilai and (keterangan is None or keterangan == old.keterangan):
            d.ignored += 1
            continue
        else:
            d.updated += 1
        d.changes.append((kode, str(nilai), keterangan))
    return d


def catatan_changed(row: HasCatatan, report: Report) -> bool:
    """Does the report change the anggaran (compared as decimals), kendala or solusi held in `row`?"""
    kendala, solusi, spent = report.body.get("kendala"), report.body.get("solusi"), report.spent
    return (
        (
            spent is not None
            and (row.anggaran_realisasi is None or parse_decimal(row.anggaran_realisasi) != parse_decimal(spent))
        )
        or (kendala is not None and kendala != row.kendala)
        or (solusi is not None and solusi != row.solusi)
    )


def apply_catatan(row: HasCatatan, report: Report) -> None:
    """Keep what the report names; what it leaves out stays as it was."""
    if report.spent is not None:
        row.anggaran_realisasi = report.spent
    if report.body.get("kendala") is not None:
        row.kendala = report.body["kendala"]
    if report.body.get("solusi") is not None:
        row.solusi = report.body["solusi"]


def _apply_submission(
    session: Session, rt: Runtime, *, report: Report, triwulan: int, due: datetime, dry_run: bool, received_at: datetime
) -> dict[str, Any]:
    tahun, unit = report.tahun, report.unit
    # Lock the unit's quarter (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers) so concurrent
    # submissions for it take turns instead of computing the same next revision. The first submission of a quarter
    # has no row to lock yet: a concurrent one then fails on the primary key and is answered 409.
    uq = store.load_quarter(session, tahun, triwulan, unit, lock=not dry_run)
    current = store.current_values(session, tahun, triwulan, unit)
    diff = diff_values(current, report.good)
    changed = bool(diff.changes) or catatan_changed(uq, report)
    revision = uq.revision + 1 if changed else uq.revision
    on_time = received_at <= due
    submission_id = str(uuid4())
    answer = {"submission_id": submission_id, "revision": revision, "on_time": on_time, "summary": diff.summary()}
    if dry_run:
        return answer
    if not changed:
        # Nothing to store: an unchanged submission makes no revision, and col_submission allows one row per
        # (unit, quarter, revision, changed) — a second no-op row at the same revision would collide (409).
        return answer
    store.add_submission(
        session,
        {"id": submission_id, "tahun": tahun, "triwulan": triwulan, "unit": unit, "revision": revision,
         "changed": changed, "received_at": received_at, "on_time": on_time, "body": json.dumps(report.body)},
    )  # fmt: skip
    store.save_values(
        session, tahun=tahun, triwulan=triwulan, unit=unit, changes=diff.changes, held=current, revision=revision,
        submission_id=submission_id,
    )  # fmt: skip
    uq.revision, uq.last_submission_id, uq.last_received_at = revision, submission_id, received_at
    apply_catatan(uq, report)
    if uq.completed_at is None and set(report.responsible.get(unit, [])) <= set(current):
        uq.completed_at = received_at
    store.save_quarter(session, uq)
    rt.emit(
        session,
        "TriwulanSubmitted",
        quarter_event(uq, current.values(), on_time=on_time),
        correlation_id=submission_id,
    )
    return answer


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
        ev.NilaiItem(indikator=v.indikator, nilai=v.nilai, keterangan=v.keterangan)
        for v in sorted(values, key=lambda v: v.indikator)
    ]


def periode_status(session: Session, tahun: int, periode: str, only_unit: str | None) -> dict[str, Any]:
    triwulan = TRIWULAN_PERIODES[periode]
    pk_row = latest_pk(session, tahun)
    if pk_row is None:
        raise api_error(404, "tahun", "pk_not_found", "Perjanjian Kinerja tahun ini belum ada.", "No PK for this year.")
    due = deadline(session, tahun, triwulan)
    evidence = bukti_by_unit(session, tahun, triwulan)
    rows = []
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
        history = [
            {
                "revision": sub.revision,
                "submission_id": sub.id,
                "received_at": _aware(sub.received_at).isoformat(),
                "late": _aware(sub.received_at) > due,
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
                "on_time": (completed <= due) if (submitted and completed) else None,
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
        "status": state.status,
        "deadline": due.isoformat(),
        "expected_units": len(rows),
        "submitted_units": sum(r["submitted"] for r in rows),
        "on_time_units": sum(bool(r["on_time"]) for r in rows),
        "units": visible,
    }


def bukti_by_unit(session: Session, tahun: int, triwulan: int) -> dict[str, list[dict[str, Any]]]:
    """Each unit's evidence files of the quarter, oldest first: enough to find them (download: /api/v1/bukti/{id})."""
    out: dict[str, list[dict[str, Any]]] = {}
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


def kelengkapan(session: Session, tahun: int) -> dict[str, Any]:
    """The office-wide reporting rate summary per quarter (after DHIS2's): expected units, actual (every indicator
    reported), on time (complete by the deadline), and both as a percentage of expected."""
    quarters = []
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


def close_periode(session: Session, rt: Runtime, tahun: int, periode: str, closed_by: str) -> dict[str, Any]:
    triwulan = TRIWULAN_PERIODES[periode]
    if latest_pk(session, tahun) is None:
        raise api_error(404, "tahun", "pk_not_found", "Perjanjian Kinerja tahun ini belum ada.", "No PK for this year.")
    state = periode_state(session, tahun, triwulan)
    if state.status == "open":
        state.status, state.reopened = "closed", "[]"
        session.add(state)
        rt.emit(session, "PeriodeClosed", ev.PeriodeClosed(tahun=tahun, periode=periode, closed_by=closed_by))
        session.commit()
        rt.committed()
    elif state.status == "closed" and state.reopened != "[]":  # closing again ends a correction's reopening
        state.reopened = "[]"
        session.add(state)
        session.commit()
    return {"tahun": tahun, "periode": periode, "status": state.status}


# ---- consumed events ---------------------------------------------------------------------------------------


def on_koreksi_requested(session: Session, env: Envelope, payload: ev.KoreksiRequested) -> None:
    """A return that needs new data reopens exactly the named units of the named quarter(s)."""
    for triwulan in _quarters(payload.periode):
        state = periode_state(session, payload.tahun, triwulan)
        reopened = sorted(set(json.loads(state.reopened)) | set(payload.units))
        state.reopened = json.dumps(reopened)
        session.add(state)


def on_draft_approved(session: Session, env: Envelope, payload: ev.DraftApproved) -> None:
    """The final approval makes the period final for collection."""
    if not payload.final:
        return
    for triwulan in _quarters(payload.periode):
        state = periode_state(session, payload.tahun, triwulan)
        state.status, state.reopened = "final", "[]"
        session.add(state)


def _quarters(periode: str) -> list[int]:
    return {"S1": [1, 2], "S2": [3, 4], "TAHUNAN": [1, 2, 3, 4]}.get(periode, [TRIWULAN_PERIODES.get(periode, 0)])


def utc_now() -> datetime:
    return datetime.now(UTC)
