"""The cards of the inbox and their pages: a draft's row (its state, step, clock and what it asks of the reader), a
reminder to a unit, a disposition and a circulation."""

from __future__ import annotations

from datetime import datetime
from typing import NotRequired, TypedDict

from sqlmodel import Session

import services.approval.web.i18n as i18n
import services.approval.web.present as present
from services.approval import disposisi, domain, sosialisasi
from services.approval.answers import Circulation, Disposisi, Draf, PenerimaSosialisasi, Pengingat, Sosialisasi
from services.approval.handlers import NEW_VERSION_OVERDUE
from services.approval.models import DisposisiRow, DraftRow, Official, SosialisasiRow
from services.approval.web.i18n import JENIS, STATES, fmt_datetime, fmt_duration, pick, t
from services.approval.web.presenters.common import Clock, Reader, clock, step_label
from services.approval.workflow import Workflow
from shared.clock import as_utc, office_date
from shared.formatting import fmt_date
from shared.sakip import periode_label

PENGINGAT_ROLES = ("subkor", "sekretaris")  # who chases the units (SOP steps 1–2)


class Expected(TypedDict, total=False):
    """What a draft's card asks of its reader (`expected`); a final draft's step and the day it was made final."""

    expected: str | None
    step_label: str
    final_label: str | None


class DraftCard(Draf):
    """A draft as its card and its page show it: `handlers.public`'s answer with labels."""

    label: str
    jenis_label: str
    state_label: str
    step_label: str
    acting: str
    waited: str | None
    standard: str | None
    late: bool
    actionable: bool
    menunggu_label: str | None
    rekap_baru_label: str | None
    expected: str | None
    final_label: str | None


class PengingatCard(Pengingat):
    label: str
    jenis_label: str
    deadline_label: str
    late: bool


class DisposisiCard(Disposisi, Clock):
    """A disposition as its card and its page show it: the answer, its clock and labels."""

    due: NotRequired[str]  # a due date set: measured against it, not the step's standard (then None)
    late: bool
    done_late: bool
    overdue: bool
    dari_label: str
    kepada_label: str
    expected: str | None
    expected_you: bool
    batas_label: str | None
    issued_label: str
    done_label: str | None
    periode_label: str


class PenerimaCard(PenerimaSosialisasi):
    read_label: str | None


class SosialisasiCard(Circulation, Clock):
    """A circulation as its card shows it: its recipients with the time they read it, its clock and labels."""

    penerima: list[PenerimaCard]
    expected: str | None
    expected_you: bool
    final: bool
    label: str
    jenis_label: str
    sent_label: str


def row_view(
    r: Reader,
    d: Draf,
    draft: domain.Draft | None = None,
    names: dict[str, str] | None = None,
) -> DraftCard:
    """A draft as its card shows it (`handlers.public`'s dict with labels): state, step, who acts, its clock against
    the SOP standard, and what it asks of the reader."""
    wf, lang = r.wf, r.lang
    step_no = d["step"]
    step = wf.step(step_no) if step_no else None
    waited = r.now - as_utc(datetime.fromisoformat(d["stage_started_at"]))
    waits = [(m["periode"], m["tahun"]) for m in d.get("menunggu") or []]
    started = None if waits else step  # held back by the workflow's `requires`: its step's clock has not started
    late = bool(started and waited > started.waktu)
    view: DraftCard = {
        **d,
        "label": periode_label(d["periode"], d["tahun"], lang),
        "jenis_label": pick(JENIS, d["jenis"], lang),
        "state_label": state_label(r, d, draft),
        "step_label": step_label(step, lang),
        "acting": r.role(d.get("acting_role")),
        "waited": fmt_duration(waited, lang) if started else None,
        "standard": fmt_duration(started.waktu, lang) if started else None,
        "late": late,
        "actionable": d["may_approve"] or d["may_return"],
        # "Menunggu: Laporan Semester II 2024 disetujui"
        "menunggu_label": t("waiting_for", lang).format(reports=domain.reports_text(waits, lang)) if waits else None,
        # a newer recap than the one drawn: why there is no approve button (handlers.newer_recap)
        "rekap_baru_label": rekap_baru_label(d, lang),
        "expected": None,
        "final_label": None,
    }
    if draft is not None:
        view.update(expected(r, view, draft, names or {}))
    return view


def rekap_baru_label(d: Draf, lang: str) -> str | None:
    """Why there is no approve button: a newer recap than the one drawn, its new version being drawn or, past
    handlers.NEW_VERSION_OVERDUE, overdue (tell the operator)."""
    if d.get("rekap_baru") is None:
        return None
    received = d.get("rekap_baru_diterima")
    words = {
        "lama": d["recap_revision"],
        "baru": d["rekap_baru"],
        "sejak": fmt_datetime(datetime.fromisoformat(received), lang) if received else "-",
        "menit": int(NEW_VERSION_OVERDUE.total_seconds() // 60),
    }
    return t("rekap_baru_tertunda" if d.get("rekap_baru_tertunda") else "rekap_baru", lang).format(**words)


def state_label(r: Reader, d: Draf, draft: domain.Draft | None) -> str:
    """The state as a reader tells the steps apart: a waiting draft is "Menunggu diajukan" while at its compiler's
    submit stage, "Diperiksa {role}" once submitted (the gate's role); the others by their state."""
    lang = r.lang
    if d["state"] != domain.MENUNGGU or draft is None:
        return pick(STATES, d["state"], lang)
    stage = domain.current_stage(r.wf, draft)
    if stage is None:
        return pick(STATES, d["state"], lang)
    if stage.action == "submit":
        return t("state_to_submit", lang)
    return t("state_in_review", lang).format(role=r.role(stage.role))


def expected(r: Reader, d: DraftCard, draft: domain.Draft, names: dict[str, str]) -> Expected:
    """What the card asks of the reader: their own action, or whose turn it is; a final draft's SOP step and the
    date it was made final (in the office's time zone)."""
    wf, lang = r.wf, r.lang
    if d["state"] == "final":
        last = next((h for h in reversed(draft.history) if h.action in ("approve", "submit")), None)
        if last is None:
            return {"expected": t("act_none", lang)}
        try:
            label = step_label(wf.step(last.step), lang)
        except KeyError:
            label = str(last.step)
        final_on = fmt_date(as_utc(last.decided_at).astimezone(i18n.WIB), lang)
        return {"expected": t("act_none", lang), "step_label": label, "final_label": final_on}
    if d["state"] == "superseded":
        return {"expected": t("act_none", lang)}
    stage = domain.current_stage(wf, draft)
    role = d["acting"]
    waits = [(m["periode"], m["tahun"]) for m in d.get("menunggu") or []]
    if waits:  # held back by the workflow's `requires`: nobody's turn yet, it waits for those reports
        return {"expected": t("act_wait_reports", lang).format(reports=domain.reports_text(waits, lang))}
    if draft.koreksi_role:
        units = ", ".join(present.unit_label(u, names) for u in draft.koreksi_units) or t("act_units_named", lang)
        key = "act_koreksi" if d["actionable"] else "act_wait_koreksi"
        return {"expected": t(key, lang).format(units=units, role=role)}
    if stage is not None and stage.action == "submit":
        if d["actionable"]:
            return {"expected": t("act_resubmit" if d["state"] == "dikembalikan" else "act_submit", lang)}
        return {"expected": t("act_wait_submit", lang).format(role=role)}
    if d["actionable"]:
        # a newer recap: this version can only be returned; the new one comes back through the compiler
        return {"expected": t("act_wait_new_version" if d.get("rekap_baru") is not None else "act_approve", lang)}
    return {"expected": t("act_wait_approve", lang).format(role=role)}


def pengingat_view(p: Pengingat, lang: str, names: dict[str, str] | None = None) -> PengingatCard:
    nama = p["nama_unit"] or present.unit_label(p["unit"], names or {})
    return {
        **p,
        "label": f"{nama} · {periode_label(p['periode'], p['tahun'], lang)}",
        "jenis_label": t(f"pengingat_jenis_{p['jenis']}", lang),
        "deadline_label": fmt_datetime(datetime.fromisoformat(p["deadline"]), lang),
        "late": p["jenis"] == "terlambat",
    }


def disposisi_late(wf: Workflow, row: DisposisiRow, now: datetime) -> bool:
    """Is (or was, when done) the disposisi late? `disposisi.is_late`: against the due date its issuer set (a day in
    the office's calendar), else against its SOP step's time standard — the rule the SOP compliance page uses too."""
    return disposisi.is_late(wf, row, now)


def _disposisi_expected(row: DisposisiRow, viewer: Official | None, kepada_label: str, lang: str) -> str | None:
    """What the disposition's card asks of its reader: the recipient acts on it and marks it done; its issuer (and
    anyone else who may read it) waits for the recipient; nothing once done."""
    if viewer is None:
        return None
    if row.selesai_at is not None:
        return t("act_none", lang)
    if disposisi.is_recipient(row, viewer):
        return t("act_disposisi", lang)
    return t("act_wait_disposisi", lang).format(kepada=kepada_label)


def disposisi_view(r: Reader, db: Session, row: DisposisiRow, viewer: Official | None = None) -> DisposisiCard:
    wf, lang, now = r.wf, r.lang, r.now
    d = disposisi.public(db, wf, row)
    ran = clock(wf, row.langkah, row.issued_at, now, lang)
    overdue = bool(row.batas_waktu and office_date(now) > row.batas_waktu)
    kepada = d["kepada"]
    late = disposisi_late(wf, row, now)
    if row.batas_waktu:  # measured against its due date, not the step's standard
        ran = {**ran, "standard": None}
    kepada_label = (
        f"{kepada.get('nama')} ({r.role(kepada.get('role'))})" if kepada.get("nama") else r.role(kepada.get("role"))
    )
    view: DisposisiCard = {
        **d,
        **ran,
        "late": late and not row.selesai_at,
        "done_late": late and bool(row.selesai_at),
        "overdue": overdue and not row.selesai_at,
        "dari_label": f"{d['dari'].get('nama', '')} ({r.role(d['dari'].get('role'))})",
        "kepada_label": kepada_label,
        "expected": _disposisi_expected(row, viewer, kepada_label, lang),
        "expected_you": bool(viewer and row.selesai_at is None and disposisi.is_recipient(row, viewer)),
        "batas_label": fmt_date(row.batas_waktu, lang) if row.batas_waktu else None,
        "issued_label": fmt_datetime(as_utc(row.issued_at), lang),
        "done_label": fmt_datetime(as_utc(row.selesai_at), lang) if row.selesai_at else None,
        "periode_label": periode_label(row.periode, row.tahun, lang) if row.periode else str(row.tahun),
    }
    if row.batas_waktu:
        view["due"] = fmt_date(row.batas_waktu, lang)
    return view


def _sosialisasi_expected(status: Sosialisasi, viewer: Official | None, lang: str) -> str | None:
    """What a circulation asks of its reader: a recipient reads the report (then it is read); its sender waits for
    the readers."""
    if viewer is None:
        return None
    mine = next((p for p in status["penerima"] if p["id"] == viewer.id), None)
    if mine is not None:
        return t("act_read", lang) if mine["read_at"] is None else t("act_was_read", lang)
    if status["belum_dibaca"]:
        return t("act_wait_read", lang).format(n=len(status["belum_dibaca"]))
    return t("act_none", lang)


def sosialisasi_view(r: Reader, db: Session, row: SosialisasiRow, viewer: Official | None = None) -> SosialisasiCard:
    lang = r.lang
    status = sosialisasi.status(db, row)
    draft = db.get(DraftRow, row.draft_id)
    return {
        **status,
        "expected": _sosialisasi_expected(status, viewer, lang),
        "expected_you": bool(viewer and viewer.id in [p["id"] for p in status["penerima"] if p["read_at"] is None]),
        "final": bool(draft and draft.state == domain.FINAL),  # "Buka laporan", not "Buka draf"
        **clock(r.wf, row.langkah, row.sent_at, r.now, lang),
        "label": periode_label(draft.periode, draft.tahun, lang) if draft else row.draft_id,
        "jenis_label": pick(JENIS, draft.jenis, lang) if draft else "",
        "sent_label": fmt_datetime(as_utc(row.sent_at), lang),
        "penerima": [
            {**p, "read_label": fmt_datetime(datetime.fromisoformat(p["read_at"]), lang) if p["read_at"] else None}
            for p in status["penerima"]
        ],
    }
