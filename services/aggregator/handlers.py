"""The aggregator's event handlers (SOP steps 2–3, 6, 9): keep the newest inputs, recompute every period's
recap, and publish a new revision (RekapCompleted) for each period whose recap changed.

A recompute reads the whole year, so it is done once per burst rather than once per event: while more events wait
in the stream (or follow in the consumer's batch), or while the year was recomputed less than LAPKIN_RECAP_WINDOW_MS
ago, a handler only records its input and marks the year stale (in the same transaction); the next handler with
nothing waiting after a quiet window — or the sweep, every window — recomputes it (docs/benchmarks.md)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, localcontext
from typing import Any, TypedDict

from sqlalchemy import Engine, bindparam, delete, event
from sqlalchemy.orm import defer
from sqlmodel import Session, col, func, select

from services.aggregator.domain import PERIODE_QUARTERS, PERIODES, PRECISION, Indikator, round2
from services.aggregator.models import AggBulanan, AggInput, AggPeriode, AggPk, AggStale, AggTren, RekapRevision
from services.aggregator.rekap import Sasaran, build_analisis, build_rekap, parse_pk
from services.aggregator.schemas import AnggaranBulanan, Tren
from services.aggregator.tren import build_tren
from shared.db import per_dialect
from shared.events import catalogue as ev
from shared.events.envelope import Envelope, utcnow
from shared.messaging.streams import Handler, events_waiting
from shared.sakip import ANALISIS_FIELDS, Periode, Rekap, responsibility
from shared.sakip.document import AnggaranRekapDoc, CatatanDoc, KelengkapanDoc, PkDoc, RekapDoc
from shared.sakip.rekap import Status
from shared.service import Runtime
from shared.tracing import current_context

log = logging.getLogger("lapkin.aggregator")
STALE_SWEEP_S = 1.0  # the sweep's tick when the recap window is 0 (the longest a recap waits behind a burst)


def responsible(pk: PkDoc) -> dict[str, set[str]]:
    """unit -> the indicators it must report."""
    by_unit = responsibility(i for s in pk["sasaran"] for i in s["indikator"])
    return {unit: set(codes) for unit, codes in by_unit.items()}


@dataclass(frozen=True)
class Year:
    """Everything one year's recaps are computed from, loaded once per event."""

    tahun: int
    pk_version: int
    pk: PkDoc
    sasaran: list[Sasaran]
    indikator: list[Indikator]
    inputs: list[AggInput]
    values: dict[str, dict[int, Decimal]]
    flags: dict[str, AggPeriode]
    expected: dict[str, set[str]]  # unit -> the indicators it must report
    reported: dict[tuple[int, int | str], set[str]]  # (triwulan, unit) -> the indicators its input holds


@dataclass(frozen=True)
class ParsedPk:
    pk: PkDoc
    sasaran: list[Sasaran]
    indikator: list[Indikator]
    expected: dict[str, set[str]]


# Per database (engine) and process: parsed PK versions (a version never changes once published) and the newest
# recap revision of each period, whose body a recompute compares against (re-read when another process wrote one).
_PARSED: weakref.WeakKeyDictionary[Engine, dict[tuple[int, int], ParsedPk]] = weakref.WeakKeyDictionary()
_LAST: weakref.WeakKeyDictionary[Engine, dict[tuple[int, str], tuple[int, str, str]]] = weakref.WeakKeyDictionary()


_REMEMBER = "lapkin_recaps_written"
# per database and process: when each year's last recompute ended and how long it took (time.monotonic), for the
# recap window
_RECOMPUTED: weakref.WeakKeyDictionary[Engine, dict[int, tuple[float, float]]] = weakref.WeakKeyDictionary()
RECOMPUTE_SHARE = 0.2  # in a burst, at most about this share of the aggregator's time goes to recomputing a year


def _recent(engine: Engine, tahun: int, window_s: float) -> bool:
    """Whether this process recomputed the year too recently to do it again (then a report only marks it stale):
    less than `window_s` ago, or — when a recompute takes longer than the window allows (a big office, a busy
    machine) — less than its duration / RECOMPUTE_SHARE ago."""
    last = _RECOMPUTED.get(engine, {}).get(tahun)
    if last is None or window_s <= 0:
        return False
    ended, took = last
    return time.monotonic() - ended < max(window_s, took / RECOMPUTE_SHARE)


@event.listens_for(Session, "after_commit")
def _remember_written(session: Any) -> None:
    """The recaps a transaction wrote become the remembered newest once it commits (never before: a rollback
    must not leave memory ahead of the table)."""
    written = session.info.pop(_REMEMBER, None)
    if written:
        _LAST.setdefault(_engine(session), {}).update(written)


@event.listens_for(Session, "after_rollback")
def _forget_written(session: Any) -> None:
    session.info.pop(_REMEMBER, None)


def _engine(session: Session) -> Engine:
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    return engine


def parsed_pk(session: Session, pk_row: AggPk) -> ParsedPk:
    cache = _PARSED.setdefault(_engine(session), {})
    key = (pk_row.tahun, pk_row.version)
    if key not in cache:
        pk: PkDoc = json.loads(pk_row.body)
        cache[key] = ParsedPk(pk, *parse_pk(pk), responsible(pk))
    return cache[key]


def load_year(session: Session, tahun: int) -> Year | None:
    pk_row = session.get(AggPk, tahun)
    if pk_row is None:
        return None
    parsed = parsed_pk(session, pk_row)
    # populate_existing: a handler writes agg_input with Core statements, which an object loaded earlier in the
    # same transaction would not show
    query = select(AggInput).where(AggInput.tahun == tahun).execution_options(populate_existing=True)
    inputs = sorted(session.exec(query), key=lambda r: (r.triwulan, r.unit))
    values: dict[str, dict[int, Decimal]] = {}
    reported: dict[tuple[int, int | str], set[str]] = {}
    for row in inputs:
        held = json.loads(row.values)
        reported[(row.triwulan, row.unit)] = set(held)
        for kode, nilai in held.items():
            values.setdefault(kode, {})[row.triwulan] = Decimal(nilai)
    flags = {p.periode: p for p in session.exec(select(AggPeriode).where(AggPeriode.tahun == tahun))}
    return Year(
        tahun, pk_row.version, parsed.pk, parsed.sasaran, parsed.indikator, inputs, values, flags, parsed.expected,
        reported,
    )  # fmt: skip


class QuartersFinal(TypedDict, total=False):
    quarters_final: bool  # a semester or the year only


class RekapResult(TypedDict):
    rekap: RekapDoc  # the recap's document form (GET /rekap; RekapCompleted v1; Rekap.from_document types it)
    inputs: dict[str, int]  # "<triwulan>:<unit>" -> the input revision used


def compute(session: Session, tahun: int, periode: str) -> RekapResult | None:
    """The recap of everything received so far, with status and completeness (None without a PK)."""
    year = load_year(session, tahun)
    return None if year is None else compute_from(year, periode)


def compute_from(year: Year, periode: str) -> RekapResult:
    tahun, pk, inputs, flags = year.tahun, year.pk, year.inputs, year.flags
    figures = build_rekap(
        tahun=tahun, periode=periode, sasaran=year.sasaran, indikator=year.indikator, values=year.values
    )
    expected = year.expected
    quarters = PERIODE_QUARTERS[periode]
    kel: KelengkapanDoc = {"expected_units": 0, "submitted_units": 0, "on_time_units": 0}
    complete_all = True
    for q in quarters:
        by_unit = {r.unit: r for r in inputs if r.triwulan == q}
        submitted = [u for u, codes in expected.items() if u in by_unit and codes <= year.reported[(q, u)]]
        kel["expected_units"] += len(expected)
        kel["submitted_units"] += len(submitted)
        kel["on_time_units"] += sum(1 for u in submitted if by_unit[u].complete_on_time)
        flag = flags.get(f"TW{q}")
        if not (len(submitted) == len(expected) or (flag and (flag.closed or flag.final))):
            complete_all = False
    own = flags.get(periode)
    status: Status = "final" if own and own.final else ("complete" if complete_all else "provisional")
    units = {u["kode"]: u["nama"] for u in pk.get("units", []) if u.get("kode") and u.get("nama")}  # by name
    # SOP step 6 / 9: a semester or the year is drafted once its quarters are final
    final: QuartersFinal = {}
    if len(quarters) > 1:
        final["quarters_final"] = all((f := flags.get(f"TW{q}")) is not None and f.final for q in quarters)
    catatan: list[CatatanDoc] = [
        {"triwulan": r.triwulan, "unit": r.unit, "kendala": r.kendala, "solusi": r.solusi}
        for r in inputs
        if r.triwulan in quarters and (r.kendala or r.solusi)
    ]
    notes = {(r.triwulan, r.unit): json.loads(r.analisis) for r in inputs if r.triwulan in quarters and r.analisis}
    analisis = build_analisis(year.indikator, notes)
    anggaran = _anggaran(pk, [r for r in inputs if r.triwulan in quarters])
    rekap: RekapDoc = {
        **figures, "status": status, "kelengkapan": kel, "pk_version": year.pk_version, "units": units, **final,
        "catatan": catatan, "analisis": analisis, "anggaran": anggaran,
    }  # fmt: skip
    inputs_used = {f"{r.triwulan}:{r.unit}": r.revision for r in inputs if r.triwulan in quarters}
    return {"rekap": rekap, "inputs": inputs_used}


def _anggaran(pk: PkDoc, inputs: list[AggInput]) -> list[AnggaranRekapDoc]:
    """Budget realisation per programme: the money its unit reported spent in the period's quarters."""
    out: list[AnggaranRekapDoc] = []
    for prog in pk.get("program") or []:
        pagu = Decimal(str(prog["pagu"]))
        with localcontext(prec=PRECISION):
            spent = sum(
                (Decimal(r.anggaran_realisasi) for r in inputs if r.unit == prog.get("unit") and r.anggaran_realisasi),
                Decimal(0),
            )
            pct = (spent / pagu * 100) if pagu else None
        out.append(
            {
                "kode": prog["kode"],
                "nama": prog["nama"],
                "sasaran": prog.get("sasaran"),
                "unit": prog.get("unit"),
                "pagu": str(pagu),
                "realisasi": str(spent),
                "persen": None if pct is None else str(round2(pct)),
            }
        )
    return out


def latest_revision(session: Session, tahun: int, periode: str) -> RekapRevision | None:
    query = (
        select(RekapRevision)
        .where(RekapRevision.tahun == tahun, RekapRevision.periode == periode)
        .order_by(col(RekapRevision.revision).desc())
        .limit(1)
    )
    return session.exec(query).first()


def last_recap(session: Session, tahun: int, periode: str) -> tuple[int, str, str] | None:
    """(revision, body, inputs) of the period's newest recap: from this process's memory when the table's newest
    revision is the one remembered."""
    query = select(func.max(RekapRevision.revision)).where(
        RekapRevision.tahun == tahun, RekapRevision.periode == periode
    )
    newest = session.exec(query).one()
    if newest is None:
        return None
    known = _LAST.setdefault(_engine(session), {}).get((tahun, periode))
    if known is not None and known[0] == newest:
        return known
    row = session.get(RekapRevision, (tahun, periode, newest))
    assert row is not None
    _LAST[_engine(session)][(tahun, periode)] = (row.revision, row.body, row.inputs)
    return row.revision, row.body, row.inputs


def recompute(
    session: Session,
    rt: Runtime,
    tahun: int,
    causation: Envelope | None,
    *,
    causation_id: str | None = None,
    correlation_id: str | None = None,
    causes: dict[str, list[str]] | None = None,
    more_expected: bool = False,
) -> None:
    """Store and publish a new revision for every period whose recap or input revisions changed: a recap always
    says which revision of each input it used (docs/design.md §3), also when a new input revision moves no figure (a
    `terakhir` indicator's earlier quarter), or the revision would name inputs it was not computed from. The cause
    is, per period, the newest coalesced event that touched it (`causes`), else the handled event, or (for a stale
    year) the newest event that left it stale. `more_expected`: reports for the year are still arriving
    (RekapCompleted.more_expected; `recompute_stale`)."""
    started = time.monotonic()
    year = load_year(session, tahun)
    if year is None:
        return
    try:
        _recompute_year(session, rt, year, causation, causation_id, correlation_id, causes, more_expected)
    finally:
        _RECOMPUTED.setdefault(_engine(session), {})[tahun] = (time.monotonic(), time.monotonic() - started)


def _recompute_year(
    session: Session,
    rt: Runtime,
    year: Year,
    causation: Envelope | None,
    causation_id: str | None,
    correlation_id: str | None,
    causes: dict[str, list[str]] | None,
    more_expected: bool = False,
) -> None:
    tahun = year.tahun
    for periode in PERIODES:
        result = compute_from(year, periode)
        body = json.dumps(result["rekap"], sort_keys=True)
        inputs = json.dumps(result["inputs"], sort_keys=True)
        last = last_recap(session, tahun, periode)
        if last is not None and last[1] == body and json.loads(last[2]) == result["inputs"]:
            continue
        revision = (last[0] + 1) if last else 1
        session.info.setdefault(_REMEMBER, {})[(tahun, periode)] = (revision, body, inputs)  # once committed (below)
        session.add(
            RekapRevision(
                tahun=tahun,
                periode=periode,
                revision=revision,
                status=result["rekap"]["status"],
                body=body,
                inputs=inputs,
            )
        )
        typed = Rekap.from_document({**result["rekap"], "revision": revision})
        assert typed.status is not None  # compute_from always sets it
        rt.emit(
            session,
            "RekapCompleted",
            ev.RekapCompleted(
                tahun=tahun,
                periode=Periode(periode),
                revision=revision,
                status=typed.status,
                rekap=typed,
                inputs=result["inputs"],
                more_expected=more_expected,
            ),
            **_cause(periode, causes, causation, causation_id, correlation_id),
        )


# ---- monthly progress: trend and early warning (never part of a recap) --------------------------------------


def on_bulanan_submitted(session: Session, env: Envelope, p: ev.BulananSubmitted) -> None:
    """Keep the unit's newest snapshot of the month as the trend's values; an older one arriving late changes
    nothing. Recaps are not recomputed: monthly reports are progress only."""
    row = session.get(AggBulanan, (p.tahun, p.bulan, p.unit), with_for_update=True)
    if row is not None and row.revision >= p.revision:
        return
    row = row or AggBulanan(tahun=p.tahun, bulan=p.bulan, unit=p.unit, revision=0, submission_id="")
    row.revision, row.submission_id = p.revision, p.submission_id
    row.anggaran_realisasi = (p.anggaran or {}).get("realisasi")
    session.add(row)
    held = {
        t.indikator: t
        for t in session.exec(
            select(AggTren).where(AggTren.tahun == p.tahun, AggTren.bulan == p.bulan, AggTren.unit == p.unit)
        )
    }
    snapshot = {item.indikator: item.nilai for item in p.realisasi}
    for kode, nilai in snapshot.items():
        value = held.get(kode) or AggTren(tahun=p.tahun, indikator=kode, bulan=p.bulan, unit=p.unit, nilai=nilai)
        value.nilai = nilai
        session.add(value)
    for kode, gone in held.items():  # a snapshot is complete: what it no longer holds is no longer reported
        if kode not in snapshot:
            session.delete(gone)


def monthly_values(session: Session, tahun: int, pk: PkDoc) -> dict[str, dict[int, Decimal]]:
    """indikator → month → value. The unit now responsible for the indicator (newest PK) wins a month another
    unit also reported (responsibility moved between PK versions)."""
    owner = {kode: unit for unit, codes in responsible(pk).items() for kode in codes}
    values: dict[str, dict[int, Decimal]] = {}
    rows = session.exec(select(AggTren).where(AggTren.tahun == tahun).order_by(col(AggTren.unit)))
    for t in rows:
        months = values.setdefault(t.indikator, {})
        if t.bulan not in months or owner.get(t.indikator) == t.unit:
            months[t.bulan] = Decimal(t.nilai)
    return values


def tren(session: Session, tahun: int) -> Tren | None:
    """GET /api/v1/tren/{tahun}: the monthly trend and early warning per indicator of the newest PK (None
    without a PK)."""
    year_pk = session.get(AggPk, tahun)
    if year_pk is None:
        return None
    pk: PkDoc = json.loads(year_pk.body)
    _, indikator = parse_pk(pk)
    out = build_tren(tahun, year_pk.version, indikator, monthly_values(session, tahun, pk))
    rows = list(session.exec(select(AggBulanan).where(AggBulanan.tahun == tahun)))
    return {**out, "anggaran": monthly_anggaran(pk, rows)}


def monthly_anggaran(pk: PkDoc, rows: list[AggBulanan]) -> list[AnggaranBulanan]:
    """Per programme, the money its unit reported spent in each month it sent (monthly progress): a monthly
    `anggaran.realisasi` was acknowledged and shown nowhere (outsider check)."""
    out: list[AnggaranBulanan] = []
    for prog in pk.get("program") or []:
        months = sorted(
            (r.bulan, r.anggaran_realisasi) for r in rows if r.unit == prog.get("unit") and r.anggaran_realisasi
        )
        out.append(
            {
                "kode": prog["kode"],
                "unit": prog.get("unit"),
                "pagu": str(Decimal(str(prog["pagu"]))),
                "bulan": [{"bulan": b, "realisasi": str(Decimal(v))} for b, v in months],
            }
        )
    return out


class Cause(TypedDict, total=False):
    """What a new recap revision names as its cause (Runtime.emit's keywords)."""

    causation: Envelope | None
    causation_id: str | None
    correlation_id: str | None
    traceparent: str | None


def _cause(
    periode: str,
    causes: dict[str, list[str]] | None,
    causation: Envelope | None,
    causation_id: str | None,
    correlation_id: str | None,
) -> Cause:
    named = (causes or {}).get(periode)
    if named:  # [event_id, correlation_id] and, since tracing, the trace context it was noted in (may be "")
        return {"causation_id": named[0], "correlation_id": named[1], "traceparent": (named[2:] or [""])[0] or None}
    # the sweep's recap of a period no waiting event touched: the trace its named cause was noted in
    noted = next((c[2] for c in (causes or {}).values() if causation_id and c[0] == causation_id and c[2:]), "")
    return {"causation": causation, "causation_id": causation_id, "correlation_id": correlation_id,
            "traceparent": noted or None}  # fmt: skip


def periods_touched(env: Envelope) -> tuple[str, ...]:
    """The periods whose recap an event can change: a quarter's report its quarter, semester and year; anything
    else (a PK version, a period closed or final) every period."""
    if env.type == "TriwulanSubmitted":
        q = env.payload.get("triwulan")
        return tuple(p for p, quarters in PERIODE_QUARTERS.items() if q in quarters)
    return PERIODES


def _note_cause(causes: dict[str, list[str]], env: Envelope) -> dict[str, list[str]]:
    """Each period the event touches names it as its cause, with the trace it was handled in (the handler's span,
    else the event's own `traceparent`): a recap the sweep computes later still continues that trace."""
    traceparent = current_context()[0] or env.traceparent or ""
    for periode in periods_touched(env):
        causes[periode] = [env.event_id, env.correlation_id or "", traceparent]
    return causes


INPUT, STALE = AggInput.__table__, AggStale.__table__  # type: ignore[attr-defined]


def _upserts(table: Any, keys: list[str], changes: dict[str, Any], where: Any = None) -> dict[str, Any]:
    """INSERT … ON CONFLICT (keys) DO UPDATE, one per dialect (shared.db.per_dialect); rowcount says whether a row
    was written."""

    def build(insert: Any) -> Any:
        stmt = insert(table)
        return stmt.on_conflict_do_update(
            index_elements=[table.c[k] for k in keys],
            set_={name: change(stmt.excluded) for name, change in changes.items()},
            where=where(stmt.excluded) if where is not None else None,
        )

    return per_dialect(build)


def _newer(name: str) -> Any:
    return lambda excluded: excluded[name]


# a unit's quarter snapshot: written only over an older revision (an older snapshot arriving late changes nothing);
# complete_on_time is kept once set (the first snapshot holding all the unit's indicators decides it)
_INPUT_NEWER = ("revision", "submission_id", "values", "anggaran_realisasi", "kendala", "solusi", "analisis")
_INPUT_UPSERT = _upserts(
    INPUT,
    ["tahun", "triwulan", "unit"],
    {
        **{name: _newer(name) for name in _INPUT_NEWER},
        "complete_on_time": lambda excluded: func.coalesce(INPUT.c.complete_on_time, excluded.complete_on_time),
    },
    where=lambda excluded: INPUT.c.revision < excluded.revision,
)
_STALE_NEWER = ("event_id", "correlation_id", "marked_at", "causes")
_STALE_UPSERT = _upserts(STALE, ["tahun"], {name: _newer(name) for name in _STALE_NEWER})
_STALE_CAUSES = select(STALE.c.causes, STALE.c.marked_at).where(STALE.c.tahun == bindparam("tahun"))
_STALE_DELETE = delete(STALE).where(STALE.c.tahun == bindparam("tahun"))
# session.info: tahun -> (its stale causes, when last marked) as this transaction left them (None: not stale)
_STALE_KNOWN = "lapkin_stale_causes"


def refresh(session: Session, rt: Runtime, tahun: int, env: Envelope) -> None:
    """Recompute the year now, or mark it stale while more events wait (module docstring). Called with the year
    locked (_lock_year): while the lock is held, the year's stale mark changes only here, so it is read once per
    transaction. Each period's new recap revision names as its cause the newest coalesced event that touched that
    period, not merely the last event of the burst."""
    if session.get(AggPk, tahun) is None:
        return  # no PK: nothing to recap yet
    conn = session.connection()
    known: dict[int, tuple[dict[str, list[str]], datetime] | None] = session.info.setdefault(_STALE_KNOWN, {})
    if tahun not in known:
        held = conn.execute(_STALE_CAUSES, {"tahun": tahun}).first()
        known[tahun] = None if held is None else (json.loads(held[0]), held[1])
    stale = known[tahun]
    causes = _note_cause(dict(stale[0]) if stale is not None else {}, env)
    # the cheap test first: events_waiting() may ask Redis (through the consumer's event loop)
    if _recent(_engine(session), tahun, rt.settings.recap_window_ms / 1000) or events_waiting() > 0:
        now = utcnow()
        row = {"tahun": tahun, "event_id": env.event_id, "correlation_id": env.correlation_id,
               "marked_at": now, "causes": json.dumps(causes)}  # fmt: skip
        conn.execute(_STALE_UPSERT[conn.dialect.name], row)
        known[tahun] = (causes, now)
        return
    # reports coalesced into the year a moment ago: a burst goes on (the renderer then waits for its end)
    burst = stale is not None and still_arriving(stale[1], rt.settings.recap_window_ms / 1000)
    recompute(session, rt, tahun, env, causes=causes, more_expected=burst)
    if stale is not None:  # this recompute covered what an earlier event left stale
        conn.execute(_STALE_DELETE, {"tahun": tahun})
        known[tahun] = None


def still_arriving(marked_at: datetime, window_s: float) -> bool:
    """Whether the year's reports are still arriving: the newest one left it stale within the last two recap windows
    (the sweep looks once per window: a mark since its previous look), so a newer recap is likely to follow. Then
    the renderer waits for the burst's end before drawing (RekapCompleted.more_expected); a year last marked longer
    ago is recapped as the burst's last word."""
    if window_s <= 0:
        return False
    if marked_at.tzinfo is None:  # SQLite gives the stored UTC back without its zone
        marked_at = marked_at.replace(tzinfo=UTC)
    return utcnow() - marked_at < timedelta(seconds=2 * window_s)


def recompute_stale(rt: Runtime) -> int:
    """Recompute every stale year, each in its own transaction; returns how many."""
    with Session(rt.read_engine or rt.engine) as session:
        years = list(session.exec(select(AggStale.tahun)))
    done = 0
    window_s = rt.settings.recap_window_ms / 1000
    for tahun in years:
        if _recent(rt.engine, tahun, window_s):  # a handler recomputed it a moment ago: the next tick
            continue
        with Session(rt.engine) as session:
            _lock_year(session, tahun)
            stale = session.get(AggStale, tahun)
            if stale is None:  # a handler or another process got there first
                continue
            recompute(
                session, rt, tahun, None, causation_id=stale.event_id, correlation_id=stale.correlation_id,
                causes=json.loads(stale.causes), more_expected=still_arriving(stale.marked_at, window_s),
            )  # fmt: skip
            session.delete(stale)
            session.commit()
        rt.committed()
        done += 1
    return done


async def sweep(rt: Runtime) -> None:
    """The aggregator's clock: every recap window (STALE_SWEEP_S when it is 0), the stale years (a recap never waits
    longer behind a burst)."""
    tick = rt.settings.recap_window_ms / 1000 or STALE_SWEEP_S
    while True:
        try:
            await asyncio.to_thread(recompute_stale, rt)
        except Exception:  # a database hiccup: the year stays stale, the next tick tries again
            log.exception("recomputing stale years failed")
        await asyncio.sleep(tick)


async def start(rt: Runtime) -> None:
    rt.background.append(asyncio.create_task(sweep(rt), name="stale-recaps"))


_LOCKED = "lapkin_years_locked"  # session.info: tahun -> the AggPk row this transaction holds locked


def _lock_year(session: Session, tahun: int) -> AggPk | None:
    """Serialise recaps of one year across aggregator processes (PostgreSQL row lock; SQLite serialises writes).
    The PK's body is read only when its parsed form is not in memory yet (parsed_pk). The lock is taken once per
    transaction: a consumer's batch (up to 50 events in one transaction) holds it from its year's first event on,
    so later events of the year get the row this transaction already holds. A year without a PK row is asked again
    each time (its first PK version may be inserted in the same transaction)."""
    locked: dict[int, AggPk] | None = session.info.get(_LOCKED)
    if locked is not None and tahun in locked:
        return locked[tahun]
    query = select(AggPk).where(AggPk.tahun == tahun).options(defer(AggPk.body)).with_for_update()  # type: ignore[arg-type]
    row = session.exec(query).first()
    if row is not None:
        session.info.setdefault(_LOCKED, {})[tahun] = row
    return row


@event.listens_for(Session, "after_transaction_end")
def _forget_locks(session: Any, transaction: Any) -> None:
    """A lock lasts as long as its transaction (a rolled-back savepoint releases one taken inside it): forget them
    when the session's transaction or a savepoint ends; at worst the next event asks once more. (A flush's inner
    subtransaction ends too, with nothing released.)"""
    if transaction.parent is None or transaction.nested:
        session.info.pop(_LOCKED, None)
        session.info.pop(_STALE_KNOWN, None)


def _analisis_json(items: list[ev.NilaiItem]) -> str | None:
    """The snapshot's analysis as agg_input keeps it: indikator -> its four fields, for the items with a text."""
    held = {
        item.indikator: {key: getattr(item, key) for key in ANALISIS_FIELDS}
        for item in items
        if any(getattr(item, key) for key in ANALISIS_FIELDS)
    }
    return json.dumps(held, sort_keys=True) if held else None


def make_handlers(rt: Runtime) -> dict[str, Handler]:
    def on_pk_published(session: Session, env: Envelope, p: ev.PerjanjianKinerjaPublished) -> None:
        row = _lock_year(session, p.tahun)
        if row is not None and row.version >= p.version:
            return
        row = row or AggPk(tahun=p.tahun, version=p.version, body="")
        row.version, row.body = p.version, json.dumps(p.pk.document())  # the form stored since v1 (parse_pk)
        session.add(row)
        session.flush()
        refresh(session, rt, p.tahun, env)

    def on_triwulan_submitted(session: Session, env: Envelope, p: ev.TriwulanSubmitted) -> None:
        pk_row = _lock_year(session, p.tahun)
        values = {item.indikator: item.nilai for item in p.realisasi}
        complete_on_time = None  # kept only when the row has none yet (the upsert's coalesce)
        if pk_row is not None and parsed_pk(session, pk_row).expected.get(p.unit, set()) <= values.keys():
            complete_on_time = p.on_time
        row = {
            "tahun": p.tahun, "triwulan": p.triwulan, "unit": p.unit, "revision": p.revision,
            "submission_id": p.submission_id, "values": json.dumps(values),
            "anggaran_realisasi": (p.anggaran or {}).get("realisasi"), "kendala": p.kendala, "solusi": p.solusi,
            "analisis": _analisis_json(p.realisasi), "complete_on_time": complete_on_time,
        }  # fmt: skip
        conn = session.connection()
        if conn.execute(_INPUT_UPSERT[conn.dialect.name], row).rowcount != 1:
            return  # an older snapshot arriving late changes nothing
        refresh(session, rt, p.tahun, env)

    def on_periode_closed(session: Session, env: Envelope, p: ev.PeriodeClosed) -> None:
        _lock_year(session, p.tahun)
        flag = session.get(AggPeriode, (p.tahun, p.periode)) or AggPeriode(tahun=p.tahun, periode=p.periode)
        flag.closed = True
        session.add(flag)
        session.flush()
        refresh(session, rt, p.tahun, env)

    def on_draft_approved(session: Session, env: Envelope, p: ev.DraftApproved) -> None:
        if not p.final:
            return
        _lock_year(session, p.tahun)
        flag = session.get(AggPeriode, (p.tahun, p.periode)) or AggPeriode(tahun=p.tahun, periode=p.periode)
        flag.final = True
        session.add(flag)
        session.flush()
        refresh(session, rt, p.tahun, env)

    return {
        "PerjanjianKinerjaPublished": on_pk_published,
        "TriwulanSubmitted": on_triwulan_submitted,
        "BulananSubmitted": on_bulanan_submitted,
        "PeriodeClosed": on_periode_closed,
        "DraftApproved": on_draft_approved,
    }
