"""The aggregator's event handlers (SOP steps 2–3, 6, 9): keep the newest inputs, recompute every period's
recap, and publish a new revision (RekapCompleted) for each period whose recap changed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from services.aggregator.domain import PERIODE_QUARTERS, PERIODES
from services.aggregator.models import AggBulanan, AggInput, AggPeriode, AggPk, AggTren, RekapRevision
from services.aggregator.rekap import build_rekap, parse_pk
from services.aggregator.tren import build_tren
from shared.events import catalogue as ev
from shared.events.envelope import Envelope
from shared.service import Runtime


def responsible(pk: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for s in pk["sasaran"]:
        for i in s["indikator"]:
            out.setdefault(i["penanggung_jawab"], set()).add(i["kode"])
    return out


@dataclass(frozen=True)
class Year:
    """Everything one year's recaps are computed from, loaded once per event."""

    tahun: int
    pk_version: int
    pk: dict[str, Any]
    sasaran: list[Any]
    indikator: list[Any]
    inputs: list[AggInput]
    values: dict[str, dict[int, Decimal]]
    flags: dict[str, AggPeriode]


_PK_CACHE: dict[str, tuple[dict[str, Any], list[Any], list[Any]]] = {}


def load_year(session: Session, tahun: int) -> Year | None:
    pk_row = session.get(AggPk, tahun)
    if pk_row is None:
        return None
    # a PK version never changes: parse it once per process. Keyed by its text, not (tahun, version): one process may
    # serve several databases (the tests' offices), each with its own PK 2024 version 1
    key = pk_row.body
    if key not in _PK_CACHE:
        pk = json.loads(pk_row.body)
        if len(_PK_CACHE) >= 16:
            _PK_CACHE.clear()
        _PK_CACHE[key] = (pk, *parse_pk(pk))
    pk, sasaran, indikator = _PK_CACHE[key]
    inputs = sorted(session.exec(select(AggInput).where(AggInput.tahun == tahun)), key=lambda r: (r.triwulan, r.unit))
    values: dict[str, dict[int, Decimal]] = {}
    for row in inputs:
        for kode, nilai in json.loads(row.values).items():
            values.setdefault(kode, {})[row.triwulan] = Decimal(nilai)
    flags = {p.periode: p for p in session.exec(select(AggPeriode).where(AggPeriode.tahun == tahun))}
    return Year(tahun, pk_row.version, pk, sasaran, indikator, inputs, values, flags)


def compute(session: Session, tahun: int, periode: str) -> dict[str, Any] | None:
    """The recap of everything received so far, with status and completeness (None without a PK)."""
    year = load_year(session, tahun)
    return None if year is None else compute_from(year, periode)


def compute_from(year: Year, periode: str) -> dict[str, Any]:
    tahun, pk, inputs, flags = year.tahun, year.pk, year.inputs, year.flags
    rekap = build_rekap(
        tahun=tahun, periode=periode, sasaran=year.sasaran, indikator=year.indikator, values=year.values
    )
    expected = responsible(pk)
    quarters = PERIODE_QUARTERS[periode]
    kel = {"expected_units": 0, "submitted_units": 0, "on_time_units": 0}
    complete_all = True
    for q in quarters:
        by_unit = {r.unit: r for r in inputs if r.triwulan == q}
        submitted = [u for u, codes in expected.items() if u in by_unit and codes <= set(json.loads(by_unit[u].values))]
        kel["expected_units"] += len(expected)
        kel["submitted_units"] += len(submitted)
        kel["on_time_units"] += sum(1 for u in submitted if by_unit[u].complete_on_time)
        flag = flags.get(f"TW{q}")
        if not (len(submitted) == len(expected) or (flag and (flag.closed or flag.final))):
            complete_all = False
    own = flags.get(periode)
    status = "final" if own and own.final else ("complete" if complete_all else "provisional")
    rekap["status"] = status
    rekap["kelengkapan"] = kel
    rekap["pk_version"] = year.pk_version
    if len(quarters) > 1:  # SOP step 6 / 9: a semester or the year is drafted once its quarters are final
        rekap["quarters_final"] = all((f := flags.get(f"TW{q}")) is not None and f.final for q in quarters)
    rekap["catatan"] = [
        {"triwulan": r.triwulan, "unit": r.unit, "kendala": r.kendala, "solusi": r.solusi}
        for r in inputs
        if r.triwulan in quarters and (r.kendala or r.solusi)
    ]
    rekap["anggaran"] = _anggaran(pk, [r for r in inputs if r.triwulan in quarters])
    inputs_used = {f"{r.triwulan}:{r.unit}": r.revision for r in inputs if r.triwulan in quarters}
    return {"rekap": rekap, "inputs": inputs_used}


def _anggaran(pk: dict[str, Any], inputs: list[AggInput]) -> list[dict[str, Any]]:
    """Budget realisation per programme: the money its unit reported spent in the period's quarters."""
    out = []
    for prog in pk.get("program", []):
        spent = sum(
            (Decimal(r.anggaran_realisasi) for r in inputs if r.unit == prog.get("unit") and r.anggaran_realisasi),
            Decimal(0),
        )
        pagu = Decimal(str(prog["pagu"]))
        pct = (spent / pagu * 100) if pagu else None
        out.append(
            {
                "kode": prog["kode"],
                "nama": prog["nama"],
                "sasaran": prog.get("sasaran"),
                "unit": prog.get("unit"),
                "pagu": str(pagu),
                "realisasi": str(spent),
                "persen": None if pct is None else str(pct.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")),
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


def recompute(session: Session, rt: Runtime, tahun: int, causation: Envelope) -> None:
    """Store and publish a new revision for every period whose recap or input revisions changed: a recap always
    says which revision of each input it used (DESIGN.md), also when a new input revision moves no figure (a
    `terakhir` indicator's earlier quarter), or the revision would name inputs it was not computed from."""
    year = load_year(session, tahun)
    if year is None:
        return
    for periode in PERIODES:
        result = compute_from(year, periode)
        body = json.dumps(result["rekap"], sort_keys=True)
        last = latest_revision(session, tahun, periode)
        if last is not None and last.body == body and json.loads(last.inputs) == result["inputs"]:
            continue
        revision = (last.revision + 1) if last else 1
        session.add(
            RekapRevision(
                tahun=tahun,
                periode=periode,
                revision=revision,
                status=result["rekap"]["status"],
                body=body,
                inputs=json.dumps(result["inputs"]),
            )
        )
        rt.emit(
            session,
            "RekapCompleted",
            ev.RekapCompleted(
                tahun=tahun,
                periode=periode,
                revision=revision,
                status=result["rekap"]["status"],
                rekap={**result["rekap"], "revision": revision},
                inputs=result["inputs"],
            ),
            causation=causation,
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


def monthly_values(session: Session, tahun: int, pk: dict[str, Any]) -> dict[str, dict[int, Decimal]]:
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


def tren(session: Session, tahun: int) -> dict[str, Any] | None:
    """GET /api/v1/tren/{tahun}: the monthly trend and early warning per indicator of the newest PK (None
    without a PK)."""
    year_pk = session.get(AggPk, tahun)
    if year_pk is None:
        return None
    pk = json.loads(year_pk.body)
    _, indikator = parse_pk(pk)
    return build_tren(tahun, year_pk.version, indikator, monthly_values(session, tahun, pk))


def _lock_year(session: Session, tahun: int) -> AggPk | None:
    """Serialise recaps of one year across aggregator processes (PostgreSQL row lock; SQLite serialises writes)."""
    return session.exec(select(AggPk).where(AggPk.tahun == tahun).with_for_update()).first()


def make_handlers(rt: Runtime) -> dict[str, Any]:
    def on_pk_published(session: Session, env: Envelope, p: ev.PerjanjianKinerjaPublished) -> None:
        row = _lock_year(session, p.tahun)
        if row is not None and row.version >= p.version:
            return
        row = row or AggPk(tahun=p.tahun, version=p.version, body="")
        row.version, row.body = p.version, json.dumps(p.pk)
        session.add(row)
        session.flush()
        recompute(session, rt, p.tahun, env)

    def on_triwulan_submitted(session: Session, env: Envelope, p: ev.TriwulanSubmitted) -> None:
        pk_row = _lock_year(session, p.tahun)
        row = session.get(AggInput, (p.tahun, p.triwulan, p.unit))
        if row is not None and row.revision >= p.revision:
            return  # an older snapshot arriving late changes nothing
        values = {item.indikator: item.nilai for item in p.realisasi}
        row = row or AggInput(
            tahun=p.tahun, triwulan=p.triwulan, unit=p.unit, revision=0, submission_id="", values="{}"
        )
        row.revision, row.submission_id, row.values = p.revision, p.submission_id, json.dumps(values)
        row.anggaran_realisasi = (p.anggaran or {}).get("realisasi")
        row.kendala, row.solusi = p.kendala, p.solusi
        if row.complete_on_time is None and pk_row is not None:
            codes = responsible(json.loads(pk_row.body)).get(p.unit, set())
            if codes <= set(values):
                row.complete_on_time = p.on_time
        session.add(row)
        session.flush()
        recompute(session, rt, p.tahun, env)

    def on_periode_closed(session: Session, env: Envelope, p: ev.PeriodeClosed) -> None:
        _lock_year(session, p.tahun)
        flag = session.get(AggPeriode, (p.tahun, p.periode)) or AggPeriode(tahun=p.tahun, periode=p.periode)
        flag.closed = True
        session.add(flag)
        session.flush()
        recompute(session, rt, p.tahun, env)

    def on_draft_approved(session: Session, env: Envelope, p: ev.DraftApproved) -> None:
        if not p.final:
            return
        _lock_year(session, p.tahun)
        flag = session.get(AggPeriode, (p.tahun, p.periode)) or AggPeriode(tahun=p.tahun, periode=p.periode)
        flag.final = True
        session.add(flag)
        session.flush()
        recompute(session, rt, p.tahun, env)

    return {
        "PerjanjianKinerjaPublished": on_pk_published,
        "TriwulanSubmitted": on_triwulan_submitted,
        "BulananSubmitted": on_bulanan_submitted,
        "PeriodeClosed": on_periode_closed,
        "DraftApproved": on_draft_approved,
    }
