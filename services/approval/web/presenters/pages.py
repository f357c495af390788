"""The disposition page (its form with the choices the server accepts from the reader, and the dispositions received
and sent) and the SOP compliance table."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TypedDict

from sqlmodel import Session

import services.approval.web.present as present
from services.approval import disposisi, kepatuhan, pemeriksaan, queries
from services.approval.kepatuhan import StepMeasure
from services.approval.models import Official
from services.approval.oversight import oversees
from services.approval.web.i18n import fmt_duration, periode_name, t
from services.approval.web.presenters.cards import DisposisiCard, disposisi_view
from services.approval.web.presenters.common import Reader
from shared import clock
from shared.formatting import MISSING
from shared.sakip import PERIODES

DEFAULT_INSTRUKSI = {  # SOP step 1 and step 2 start with these
    "sekretaris": "Kumpulkan data laporan kinerja triwulan dari subbag/seksi, OPD dan instansi terkait.",
    "subkor": "Rekap dan olah data laporan kinerja triwulan menjadi draf laporan kinerja.",
}
DEFAULT_KEPADA = {"sekretaris": "subkor", "subkor": "staf"}


class Person(TypedDict):
    id: int | None
    label: str


class DisposisiPage(TypedDict):
    """The disposition page (templates/disposisi.html): the form's choices (code, label), what was typed, and the
    dispositions received and sent."""

    roles: list[tuple[str, str]]
    people: list[Person]
    steps: list[tuple[int, str]]
    periodes: list[tuple[str, str]]
    form: dict[str, str]
    received: list[DisposisiCard]
    sent: list[DisposisiCard]
    errors: list[str]
    may_issue: bool


class ComplianceRow(StepMeasure):
    """An SOP step's row of the compliance table: the measure with its labels."""

    label: str
    role_label: str
    waktu_label: str
    median_label: str
    worst_label: str
    share_label: str


def disposisi_form(r: Reader, db: Session, official: Official, form: Mapping[str, str]) -> DisposisiPage:
    """The disposition page: the form (what was typed kept in `form`) and the dispositions received and sent."""
    wf, lang, now = r.wf, r.lang, r.now
    steps = wf.disposisi_steps(official.role)
    people: list[Person] = [
        {"id": o.id, "label": f"{o.nama} ({r.role(o.role)})"}
        for o in queries.active_officials(db)
        if o.id != official.id and wf.roles.get(o.role) is not None and wf.roles[o.role].decides
    ]
    return {
        "roles": [(code, r.role(code)) for code, role in wf.roles.items() if role.decides],
        "people": people,
        "steps": [  # the steps the server accepts from this official: their role's own (oversight: every step)
            (s.nomor, f"{s.nomor}. {s.kegiatan if lang == 'id' else s.activity_en}")
            for s in wf.steps
            if s.role == official.role or oversees(official)
        ],
        "periodes": [(p, periode_name(p, lang)) for p in PERIODES],  # labels shown, codes sent
        "form": {
            "kepada_role": DEFAULT_KEPADA.get(official.role, ""),
            "kepada_id": "",
            "instruksi": DEFAULT_INSTRUKSI.get(official.role, ""),
            "batas_waktu": "",
            "catatan": "",
            "tahun": str(clock.office_date(now).year),
            "periode": "",
            "langkah": str(steps[0].nomor) if steps else "",
            **form,
        },
        "received": [disposisi_view(r, db, row, official) for row in disposisi.for_official(db, official)],
        "sent": [disposisi_view(r, db, row, official) for row in disposisi.sent_by(db, official)],
        "errors": [],
        "may_issue": bool(wf.roles.get(official.role) and wf.roles[official.role].decides),
    }


def compliance_rows(r: Reader, db: Session, year: int) -> list[ComplianceRow]:
    """Each SOP step's time standard against the measured median and worst times of `year`."""
    lang = r.lang

    def dur(value: timedelta | None) -> str:
        return fmt_duration(value, lang, seconds=True) if value is not None else MISSING

    return [
        {
            **row,
            "label": row["kegiatan"] if lang == "id" else row["activity_en"],
            "role_label": r.role(row["role"]),
            "waktu_label": dur(row["waktu"]),
            "median_label": dur(row["median"]),
            "worst_label": dur(row["worst"]),
            "share_label": f"{round(row['share'] * 100)} %" if row["share"] is not None else t("no_data", lang),
            "worst_late": row["worst_late"],  # a disposition with a due date is judged by that date
        }
        for row in kepatuhan.report(db, r.wf, year)
    ]


class AnalysisBoardRow(TypedDict):
    """A quarter's indicator without analysis (the compliance page's board): the unit by name, capaian as read."""

    periode: str
    periode_label: str
    kode: str
    nama: str
    unit: str
    capaian: str


def analysis_board(db: Session, year: int, lang: str) -> list[AnalysisBoardRow]:
    """Per quarter of `year`, the indicators outside 100–120 % whose responsible unit gave no cause (penyebab)."""
    names = present.unit_names(db, year)
    return [
        {
            "periode": m["periode"],
            "periode_label": periode_name(m["periode"], lang),
            "kode": m["indikator"],
            "nama": m["nama"],
            "unit": present.unit_label(m["unit"], names),
            "capaian": present.figure(m["capaian"], lang),
        }
        for m in pemeriksaan.board(db, year)
    ]
