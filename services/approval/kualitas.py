"""The quality check of an LKjIP as the approval service shows it (issue #17 item 2): on a TAHUNAN or semester draft
(its page, next to the decision, and GET /api/v1/drafts/{id}) and, for the self-assessment, per year.

The checks are shared.sakip.kualitas' and services/approval/tindaklanjut.cakupan's (the follow-ups);
this reads what they need from the service's own tables — the newest PK version (apv_pk), the recap revision the
draft was drawn from (apv_rekap), the year's reports and when each became final (apv_draft, apv_draft_history) —
and maps each check to the worksheet's criteria that name it (`terukur`): the answer its coverage earns
(`Skala.dari_cakupan`) and each component's predicted range (`lke.rentang`: the unmeasured criteria at 0 for its
floor, at their scale's best answer for its ceiling — one measured answer never stands for a whole sub-component)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from sqlmodel import Session, col, select

from services.approval import domain, queries, tindaklanjut
from services.approval.answers import Kualitas, KualitasKomponen, KualitasKriteria
from services.approval.lke import Lke, load_lke, rentang
from services.approval.models import DraftHistory, DraftRow, PerjanjianKinerjaRow, RekapRow
from services.approval.workflow import Workflow
from shared import clock
from shared.sakip import kualitas as k
from shared.sakip.periode import PERIODES

JENIS = ("TAHUNAN", "S1", "S2")  # the reports the LKjIP's quality check is shown on
RECAP_COMPLETE = ("complete", "final")  # a recap's statuses (services/aggregator) with every unit's data in
FINALISING = ("submit", "approve", "koreksi_selesai")  # the decisions whose last one makes a version final


def lke_of(state: Mapping[str, Any]) -> Lke:
    """The worksheet the service loaded at its start (`rt.state["lke"]`, services/approval/main.py); the bundled
    one where a service was built without it (a test's app)."""
    found = state.get("lke")
    return found if isinstance(found, Lke) else _bundled()


@cache
def _bundled() -> Lke:
    return load_lke()


def draft_link(row_id: str) -> str:
    return f"/draf/{row_id}"


def pk_of(db: Session, tahun: int) -> dict[str, Any] | None:
    """The newest PK version of the year the collector published (None before any arrives)."""
    row = db.exec(
        select(PerjanjianKinerjaRow)
        .where(PerjanjianKinerjaRow.tahun == tahun)
        .order_by(col(PerjanjianKinerjaRow.version).desc())
    ).first()
    return dict(json.loads(row.body)) if row else None


def final_on(db: Session, row: DraftRow) -> date | None:
    """The office's day the draft's current version became final: its last submit/approve (None: not final)."""
    if row.state != domain.FINAL:
        return None
    last = db.exec(
        select(DraftHistory)
        .where(
            DraftHistory.draft_id == row.id,
            DraftHistory.version == row.version,
            col(DraftHistory.action).in_(FINALISING),
        )
        .order_by(col(DraftHistory.at).desc())
    ).first()
    return clock.office_date(last.at if last else row.updated_at)


def reports(db: Session, tahun: int) -> dict[str, k.Laporan]:
    """The year's reports as the checks read them: drafted, the day each became final, its page."""
    out: dict[str, k.Laporan] = {}
    for row in db.exec(select(DraftRow).where(DraftRow.tahun == tahun)):
        out[row.periode] = {"periode": row.periode, "ada": True, "final_on": final_on(db, row),
                            "tautan": draft_link(row.id)}  # fmt: skip
    return out


def recaps_complete(db: Session, tahun: int) -> dict[str, bool]:
    """Each quarter of the year with a recap: True when one of its revisions is complete (the aggregator's status
    "complete": every unit's data in, or "final": the quarter closed), False when every revision is "provisional"
    (some unit's data still missing)."""
    out: dict[str, bool] = {}
    rows = db.exec(select(RekapRow.periode, RekapRow.status).where(RekapRow.tahun == tahun))
    for periode, status in rows:
        if periode.startswith("TW"):
            out[periode] = out.get(periode, False) or status in RECAP_COMPLETE
    return out


def deadlines(lke: Lke, tahun: int) -> dict[str, date]:
    """Every period's due day by the worksheet's rules (`Lke.tenggat`)."""
    t = lke.tenggat
    return {
        p: k.batas(tahun, p, tahunan=t.tahunan, triwulan_hari=t.triwulan_hari, semester_hari=t.semester_hari)
        for p in PERIODES
    }


def checks(
    db: Session, lke: Lke, tahun: int, periode: str, rekap: dict[str, Any], draft_id: str | None
) -> dict[str, k.Cek]:
    """Every data check of one report; {} without the year's PK (nothing to check against)."""
    pk = pk_of(db, tahun)
    if pk is None:
        return {}
    page = draft_link(draft_id) if draft_id else None
    out = k.semua(
        pk,
        rekap,
        tahun=tahun,
        periode=periode,
        laporan=reports(db, tahun),
        tenggat=deadlines(lke, tahun),
        tautan_indikator=(lambda kode: f"{page}#ind-{kode}") if page else None,
        tautan_sasaran=(lambda kode: f"{page}#recap") if page else None,
        rekap_lengkap=recaps_complete(db, tahun),
    )
    out.update(tindaklanjut.cakupan(db, tahun))  # tindak_lanjut, tindak_lanjut_selesai
    return out


def checks_for_year(db: Session, tahun: int, lke: Lke) -> dict[str, k.Cek]:
    """The year's checks for the self-assessment: those of its TAHUNAN report (the recap its draft was drawn from,
    else the newest annual recap; without any, the recap-bound checks see nothing)."""
    row = db.get(DraftRow, f"{tahun}-TAHUNAN")
    stored = queries.recap(db, tahun, "TAHUNAN", row.recap_revision) if row else None
    stored = stored or queries.newest_recap(db, tahun, "TAHUNAN")
    return checks(db, lke, tahun, "TAHUNAN", dict(stored["rekap"]) if stored else {}, row.id if row else None)


def of_checks(lke: Lke, found: dict[str, k.Cek]) -> Kualitas:
    """The worksheet's measured criteria with the check that measures each, the answer its coverage earns, and per
    component the range its score may still take given those answers (criteria whose check has nothing to look at
    count as unmeasured)."""
    kriteria: list[KualitasKriteria] = []
    answers: dict[str, str] = {}
    measured: dict[str, int] = {}
    for komp, sub, kr in lke.semua_kriteria():
        if kr.terukur is None or kr.terukur not in found:
            continue
        c = found[kr.terukur]
        jawaban = lke.skala[kr.skala].dari_cakupan(Decimal(c["cakupan"])) if c["cakupan"] is not None else None
        if jawaban is not None:
            answers[kr.kode] = jawaban
            measured[komp.kode] = measured.get(komp.kode, 0) + 1
        kriteria.append(
            {
                "kode": kr.kode,
                "teks": kr.teks,
                "teks_en": kr.teks_en,
                "komponen": komp.kode,
                "sub": sub.kode,
                "kunci": c["kunci"],
                "judul_id": c["judul_id"],
                "judul_en": c["judul_en"],
                "ada": c["ada"],
                "dari": c["dari"],
                "cakupan": c["cakupan"],
                "jawaban": jawaban,
                "kurang": c["kurang"],
            }
        )
    ranges = {r["kode"]: r for r in rentang(lke, answers)}
    komponen: list[KualitasKomponen] = []
    for komp in lke.komponen:
        jumlah = sum(len(s.kriteria) for s in komp.sub)
        n = measured.get(komp.kode, 0)
        komponen.append(
            {
                "kode": komp.kode,
                "nama": komp.nama,
                "nama_en": komp.nama_en,
                "bobot": str(komp.bobot.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
                "prediksi_min": ranges[komp.kode]["bawah"] if n else None,
                "prediksi_maks": ranges[komp.kode]["atas"] if n else None,
                "terukur": n,
                "jumlah": jumlah,
            }
        )
    return {"lembar": lke.kode, "kriteria": kriteria, "komponen": komponen}


def for_draft(db: Session, wf: Workflow, lke: Lke, row: DraftRow | None) -> Kualitas | None:
    """The quality check of a TAHUNAN or semester draft (None for a quarter's, or before the year's PK arrives):
    its data checks on the recap revision its version was drawn from."""
    if row is None or row.periode not in JENIS:
        return None
    stored = queries.recap(db, row.tahun, row.periode, row.recap_revision)
    found = checks(db, lke, row.tahun, row.periode, dict(stored["rekap"]) if stored else {}, row.id)
    return of_checks(lke, found) if found else None
