"""The draft page (`/draf/{id}`): the draft's card, its recap (a unit-bound official's part, or the whole), the
latest return's banner, what changed since the previous version, its history, the forms it offers the reader
(decision, correction, circulation) and its documents; and the inbox that lists the drafts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TypedDict

from sqlmodel import Session

import services.approval.web.i18n as i18n
import services.approval.web.present as present
from services.approval import disposisi, domain, handlers, kualitas, pemeriksaan, queries, sosialisasi, tindaklanjut
from services.approval.answers import KoreksiSelesai, Pemeriksaan, Penjelasan, ReturnView, Riwayat
from services.approval.lke import Lke
from services.approval.models import DraftRow, Official
from services.approval.web.documents import Documents, documents_view
from services.approval.web.i18n import ACTIONS, fmt_datetime, pick, t
from services.approval.web.presenters.cards import (
    PENGINGAT_ROLES,
    DisposisiCard,
    DraftCard,
    PengingatCard,
    SosialisasiCard,
    disposisi_view,
    pengingat_view,
    row_view,
    sosialisasi_view,
)
from services.approval.web.presenters.changes import Changes, changes
from services.approval.web.presenters.common import Reader, as_actor
from services.approval.web.presenters.kualitas import KualitasView, kualitas_view
from shared.clock import office_date
from shared.formatting import MISSING, fmt_date
from shared.sakip import PERIODE_PATTERN, JsonObject, periode_label

DRAFT_ID = re.compile(rf"(?P<tahun>20\d\d)-(?P<periode>{PERIODE_PATTERN.removeprefix('^').removesuffix('$')})")


class Inbox(TypedDict):
    to_act: list[DraftCard]
    for_info: list[DraftCard]
    today: str
    disposisi: list[DisposisiCard]
    to_read: list[SosialisasiCard]
    pengingat: list[PengingatCard]


class UnitDelivery(TypedDict):
    kode: str
    nama: str
    delivered: bool


class NamedCode(TypedDict):
    kode: str
    nama: str


class IndikatorChoice(TypedDict):
    """An indicator the return form offers for correction."""

    kode: str | None
    unit: str
    nama: str


class KoreksiBanner(TypedDict):
    """The latest return, as the banner at the top of the draft page shows it."""

    active: bool
    version: int
    reason: str | None
    by: str
    when: str
    units: list[UnitDelivery]
    indikator: list[NamedCode]
    closed_without_data: list[KoreksiSelesai]
    resolved_by: str | None
    resolved_when: str | None


class IndicatorRow(TypedDict):
    """An indicator's row of the draft page's recap, its figures as the page shows them."""

    koreksi: bool
    kode: str | None
    unit: str
    nama: str
    satuan: str
    target: str
    realisasi: str
    capaian: str
    predikat: str
    tindak_lanjut: str | None  # under target: the follow-up form, prefilled (issue 17)


class HistoryRow(Riwayat):
    when: str
    action_label: str
    role_label: str


class Recipient(TypedDict):
    id: int | None
    nama: str
    role: str


class DraftPage(TypedDict):
    """Everything the draft page shows (templates/draft.html)."""

    d: DraftCard
    koreksi: KoreksiBanner | None
    owing: list[str]
    koreksi_note_min: int
    rows: list[IndicatorRow]
    recap: JsonObject | None
    capaian_instansi: str
    predikat_instansi: str
    prev_version: int | None
    changes: Changes | None
    history: list[HistoryRow]
    seq: int
    approve_label: str
    error: str | None
    note: str
    reason: str
    unit_part: bool
    unit_toggle: bool
    koreksi_units: list[NamedCode]
    unit_name: str
    koreksi_indikator: list[IndikatorChoice]
    circulate: bool
    recipients: list[Recipient]
    circulations: list[SosialisasiCard]
    documents: Documents
    checks: ChecksView | None
    kualitas: KualitasView | None


class Explanation(TypedDict):
    """What a unit already wrote about the indicator: who (quarter, unit) and the texts, labelled."""

    siapa: str
    teks: str


class MissingAnalysis(TypedDict):
    kode: str
    nama: str
    unit: str
    capaian: str
    tindakan: str
    penjelasan: list[Explanation]


class FindingView(TypedDict):
    teks: str
    unit: str | None
    tindakan: str
    penjelasan: list[Explanation]


class ChecksView(TypedDict):
    """The checks before approval as the draft page lists them (templates/draft.html, `#pemeriksaan`)."""

    analisis: list[MissingAnalysis]
    konsistensi: list[FindingView]


def _explanations(items: list[Penjelasan], names: dict[str, str], lang: str) -> list[Explanation]:
    out: list[Explanation] = []
    for p in items:
        who = [i18n.periode_name(f"TW{p['triwulan']}", lang)] if p["triwulan"] else []
        if p["unit"]:
            who.append(p["unit_nama"] or present.unit_label(p["unit"], names))
        texts = [f"{t(f'expl_{k}', lang)}: {p[k]}" for k in pemeriksaan.ANALYSIS_TEXTS if p[k]]  # type: ignore[literal-required]
        out.append({"siapa": ", ".join(who), "teks": "; ".join(texts)})
    return out


def checks_view(checks: Pemeriksaan, names: dict[str, str], lang: str) -> ChecksView | None:
    """The reader's language's lines of the checks, each naming the unit that answers for it, what the approver may
    do, and what the unit already wrote; None when there is nothing to show."""
    if not checks["analisis_belum_ada"] and not checks["konsistensi"]:
        return None
    return {
        "analisis": [
            {
                "kode": m["indikator"],
                "nama": m["nama"],
                "unit": m["unit_nama"] or present.unit_label(m["unit"], names),
                "capaian": present.figure(m["capaian"], lang),
                "tindakan": m["tindakan_id"] if lang == "id" else m["tindakan_en"],
                "penjelasan": _explanations(m["penjelasan"], names, lang),
            }
            for m in checks["analisis_belum_ada"]
        ],
        "konsistensi": [
            {
                "teks": f["message_id"] if lang == "id" else f["message_en"],
                "unit": f["unit_nama"] or (present.unit_label(f["unit"], names) if f["unit"] else None),
                "tindakan": f["tindakan_id"] if lang == "id" else f["tindakan_en"],
                "penjelasan": _explanations(f["penjelasan"], names, lang),
            }
            for f in checks["konsistensi"]
        ],
    }


def inbox_context(r: Reader, db: Session, official: Official) -> Inbox:
    """The inbox: the drafts waiting for the reader and the others, the dispositions and circulations for them, and
    (for those who chase the units) the units' reminders."""
    lang, wf, now = r.lang, r.wf, r.now
    names = present.unit_names(db)
    drafts: list[DraftCard] = []
    for d in handlers.list_drafts(db, wf, as_actor(official), None, None):
        row = db.get(DraftRow, d["id"])
        view = row_view(r, d, handlers.to_domain(row) if row else None, names)
        if row is not None and queries.circulation_due(wf, row, official, db):
            view["expected"] = t("act_circulate", lang).format(step=sosialisasi.step_for(row))
        drafts.append(view)
    drafts.sort(key=lambda d: (d["tahun"], d["periode"]), reverse=True)
    return {
        "to_act": [d for d in drafts if d["actionable"]],
        "for_info": [d for d in drafts if not d["actionable"]],
        "today": fmt_date(office_date(now), lang),
        "disposisi": [
            disposisi_view(r, db, row, official) for row in disposisi.for_official(db, official, open_only=True)
        ],
        "to_read": [sosialisasi_view(r, db, row, official) for row in sosialisasi.unread_for(db, official)],
        "pengingat": [pengingat_view(p, lang, names) for p in handlers.pengingat(db)]
        if official.role in PENGINGAT_ROLES
        else [],
    }


def not_found_message(draft_id: str, lang: str) -> str:
    """An unknown draft: "Tidak ditemukan", as an unknown disposition or circulation; the address of a period whose
    draft is not made yet says when it will be (a semester's or the year's once its quarters are final)."""
    message = t("draft_not_found", lang)
    if (m := DRAFT_ID.fullmatch(draft_id)) is not None:
        key = "draft_not_yet_quarter" if m["periode"].startswith("TW") else "draft_not_yet_merged"
        message = t(key, lang).format(report=periode_label(m["periode"], int(m["tahun"]), lang))
    return message


def return_view(r: Reader, ret: ReturnView, indicators: list[JsonObject], units: dict[str, str]) -> KoreksiBanner:
    """The latest return, for the banner at the top of the draft page: reason, who, the units by name (with whether
    each has sent new data) and the indicators to correct; `active` until the draft is submitted or approved again."""
    lang = r.lang
    names = {i.get("kode"): i.get("nama") or "" for i in indicators}
    return {
        "active": not ret["resolved"],
        "version": ret["version"],
        "reason": ret["note"],
        "by": f"{ret['actor'] or MISSING} ({r.role(ret['role'])})",
        "when": fmt_datetime(datetime.fromisoformat(ret["at"]), lang),
        "units": [
            {"kode": u, "nama": present.unit_label(u, units), "delivered": ret["delivered"].get(u, False)}
            for u in ret["units"]
        ],
        "indikator": [{"kode": k, "nama": names.get(k, "")} for k in ret["indikator"]],
        "closed_without_data": [  # the Kepala Seksi's notes
            {**k, "tanpa_data": [present.unit_label(u, units) for u in k["tanpa_data"]]}
            for k in ret["koreksi_selesai"]
            if k["tanpa_data"]
        ],
        "resolved_by": ret["resolved_by"],
        "resolved_when": fmt_datetime(datetime.fromisoformat(ret["resolved_at"]), lang) if ret["resolved_at"] else None,
    }


def draft_context(
    r: Reader, db: Session, row: DraftRow, official: Official, *, all_rows: bool = False, lke: Lke | None = None
) -> DraftPage:
    """Everything the draft page shows of `row` to `official` (templates/draft.html); `lke`: the evaluation
    worksheet the quality check maps to (the service's, else the bundled one)."""
    wf, lang = r.wf, r.lang
    draft = handlers.to_domain(row)
    names = present.unit_names(db, row.tahun)
    info = row_view(r, handlers.public(wf, row, as_actor(official), db), draft, names)
    stage = domain.current_stage(wf, draft)
    recap = queries.recap(db, row.tahun, row.periode, row.recap_revision)
    rekap: JsonObject = recap.get("rekap", {}) if recap else {}
    rows: list[IndicatorRow] = []
    indicators: list[JsonObject] = rekap.get("indikator", [])
    unit_part = bool(official.unit) and any(i.get("penanggung_jawab") == official.unit for i in indicators)
    ret = handlers.latest_return(db, row) if row.state != domain.FINAL else None
    koreksi = return_view(r, ret, indicators, names) if ret else None
    to_correct = {i["kode"] for i in koreksi["indikator"]} if koreksi and koreksi["active"] else set()
    owing = (
        [present.unit_label(u, names) for u in draft.koreksi_units if not (ret and ret["delivered"].get(u))]
        if draft.koreksi_role
        else []
    )
    may_issue = tindaklanjut.may_issue(wf, official)  # the form's links only to who may issue one
    for ind in indicators:
        if unit_part and not all_rows and ind.get("penanggung_jawab") != official.unit:
            continue  # a unit-bound official sees that unit's part (the whole on request)
        rows.append(
            {
                "koreksi": ind.get("kode") in to_correct,
                "kode": ind.get("kode"),
                "unit": present.unit_label(ind.get("penanggung_jawab"), names) if ind.get("penanggung_jawab") else "",
                "nama": ind.get("nama") or "",
                "satuan": ind.get("satuan") or "",
                "target": present.indicator_figure(ind, "target", lang),
                "realisasi": present.indicator_figure(ind, "realisasi", lang),
                "capaian": present.indicator_figure(ind, "capaian", lang),
                "predikat": i18n.predikat(ind.get("predikat"), lang),
                "tindak_lanjut": tindaklanjut.draft_link(ind, row.tahun, row.periode) if may_issue else None,
            }
        )
    prev_version, prev = queries.previous_recap(db, row)
    diff = (
        changes(
            prev,
            recap,
            lang,
            queries.quarter_recaps(db, row.tahun, prev),
            queries.quarter_recaps(db, row.tahun, recap),
            names,
        )
        if prev is not None and recap is not None
        else None
    )
    history: list[HistoryRow] = [
        {
            **h,
            "when": fmt_datetime(datetime.fromisoformat(h["at"]), lang),
            "action_label": pick(ACTIONS, h["action"], lang),
            "role_label": r.role(h["role"]) if h["role"] else "",
            "units": [present.unit_label(u, names) for u in h.get("units") or []],
            "tanpa_data": [present.unit_label(u, names) for u in h.get("tanpa_data") or []],
        }
        for h in handlers.history(db, row.id, official)
    ]
    koreksi_units: list[str] = []
    koreksi_indikator: list[IndikatorChoice] = []
    if stage is not None and stage.on_return and stage.on_return.koreksi and info["may_return"]:
        by_unit = handlers.units_of(rekap)
        koreksi_units = sorted(u for u in by_unit if not official.unit or u == official.unit)
        koreksi_indikator = [
            {
                "kode": i.get("kode"),
                "unit": present.unit_label(i.get("penanggung_jawab"), names),
                "nama": i.get("nama") or "",
            }
            for i in indicators
            if i.get("penanggung_jawab") in koreksi_units
        ]
    circulate = sosialisasi.may_circulate(wf, row, official)
    recipients: list[Recipient] = []
    if circulate:
        recipients = [
            {"id": o.id, "nama": o.nama, "role": r.role(o.role)}
            for o in queries.active_officials(db)
            if o.id != official.id and wf.roles.get(o.role) is not None and wf.roles[o.role].decides
        ]
    circulations = [
        sosialisasi_view(r, db, s, official)
        for s in sosialisasi.for_draft(db, row.id)
        if sosialisasi.may_see(db, s, official)  # who has read it: for the sender, recipients and oversight only
    ]
    approve_label = "approve"
    if draft.koreksi_role:
        approve_label = "msg_koreksi_selesai"
    elif stage is not None and stage.action == "submit":
        approve_label = "submit"
    return {
        "d": info,
        "koreksi": koreksi,  # the latest return: the banner at the top, its indicators marked in `rows`
        "owing": owing,  # closing the correction without new data from these units needs a note
        "koreksi_note_min": domain.KOREKSI_NOTE_MIN,
        "rows": rows,
        "recap": recap.get("rekap") if recap else None,
        "capaian_instansi": present.figure(rekap.get("capaian_instansi"), lang),
        "predikat_instansi": i18n.predikat(rekap.get("predikat_instansi"), lang),
        "prev_version": prev_version,
        "changes": diff,
        "history": history,
        "seq": len(draft.history),
        "approve_label": t(approve_label, lang)
        if approve_label != "msg_koreksi_selesai"
        else pick(ACTIONS, "koreksi_selesai", lang),
        "error": None,
        "note": "",
        "reason": "",
        "unit_part": unit_part and not all_rows,
        "unit_toggle": unit_part,
        "koreksi_units": [{"kode": u, "nama": present.unit_label(u, names)} for u in koreksi_units],
        "unit_name": present.unit_label(official.unit, names) if official.unit else "",
        "koreksi_indikator": koreksi_indikator,
        "circulate": circulate,
        "recipients": recipients,
        "circulations": circulations,
        "documents": documents_view(db, row, lang),  # the draft's PDF, or the final files (templates/_documents.html)
        # before a decision, what an evaluator would ask about (analysis missing, figures that disagree); not once final
        "checks": checks_view(pemeriksaan.for_draft(db, row), names, lang) if row.state != domain.FINAL else None,
        # the LKjIP's quality check against the evaluation worksheet (TAHUNAN and semester drafts, issue 17)
        "kualitas": kualitas_view(kualitas.for_draft(db, wf, lke or kualitas.lke_of({}), row), lang),
    }
