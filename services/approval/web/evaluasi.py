"""The self-assessment pages of the SAKIP evaluation (services/approval/evaluasi.py).

`/evaluasi` the years (state, score, grade, per component: the trend side by side); `/evaluasi/{tahun}` the
worksheet: per criterion its text, the data's answer with coverage and links (measured ones), the office's
answer/note/evidence form (kepala_dinas, sekretaris, subkor, staf), the inspektorat's comment/final-answer form, and
its value; the running score and grade per component and in total; "Tutup evaluasi" for the inspektorat, with a
confirmation. Every form is CSRF-checked; a refusal changes nothing and shows the page again with the reason next to
the criterion.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from services.approval import evaluasi, queries
from services.approval.lke import Lke
from services.approval.models import Official
from services.approval.web.deps import CsrfForm, CsrfValid, CurrentOfficial, Viewer
from services.approval.web.i18n import fmt_datetime, t
from services.approval.web.rendering import message, page, refused
from shared.errors import ApiError, ErrorItem
from shared.formatting import fmt_number
from shared.service import RuntimeDep, SessionDep

router = APIRouter(include_in_schema=False)
BUKTI_ROWS = 3  # evidence rows the form offers beyond those already given


def _num(value: str | None, lang: str) -> str:
    if value is None:
        return "–"
    try:
        return fmt_number(Decimal(value), 2, lang)
    except (InvalidOperation, ValueError):
        return value


def _grade(lke: Lke, kode: str | None, lang: str) -> str:
    """ "BB (Sangat Baik)" / "BB (Very good)": the grade's name in the reader's language (the worksheet's
    `nama_en`; a file without one shows its Indonesian name)."""
    if not kode:
        return "–"
    found = next((p for p in lke.predikat if p.kode == kode), None)
    nama = "" if found is None else (found.nama_en or found.nama) if lang == "en" else found.nama
    return f"{kode} ({nama})" if nama else kode


def _year(tahun: str) -> int | None:
    try:
        return evaluasi.check_year(tahun)
    except ApiError:
        return None


def _trend(db: Session, lke: Lke, lang: str) -> dict[str, Any]:
    rows = evaluasi.years(db)
    known = {r["tahun"] for r in rows}
    others = [y for y in queries.years_with_records(db) if y not in known]
    best = max((Decimal(r["nilai"]) for r in rows if r["nilai"]), default=Decimal(100))
    years = [
        {
            **r,
            "nilai_label": _num(r["nilai"], lang),
            "predikat_label": _grade(lke, r["predikat"], lang),
            "komponen_label": {k: _num(v, lang) for k, v in r["komponen"].items()},
            "lebar": str(int(Decimal(r["nilai"]) * 100 / max(best, Decimal(100)))) if r["nilai"] else "0",
            "closed_label": fmt_datetime(_dt(r["closed_at"]), lang) if r["closed_at"] else None,
        }
        for r in rows
    ]
    return {
        "years": years,
        "others": others,
        "komponen": [(k.kode, k.nama if lang == "id" else k.nama_en) for k in lke.komponen],
    }


def _dt(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


@router.get("/evaluasi")
def evaluasi_index(request: Request, db: SessionDep, viewer: CurrentOfficial) -> Response:
    lke = evaluasi.lke_of(request.app.state.rt.state)
    ctx = {**_trend(db, lke, viewer.lang), "lke": lke}
    return page(request, "evaluasi.html", viewer.ws, ctx, official=viewer.official)


def _sheet(
    request: Request, db: Session, viewer: Viewer, year: int, *, errors: dict[str, str] | None = None,
    kept: dict[str, dict[str, Any]] | None = None, close_error: str | None = None, status: int = 200,
) -> Response:  # fmt: skip
    lang, official = viewer.lang, viewer.official
    lke = evaluasi.lke_of(request.app.state.rt.state)
    sheet = evaluasi.worksheet(db, lke, year, evaluasi.data_checks(db, year, lke))
    ctx = {
        "s": sheet,
        "lke": lke,
        "closed": sheet["state"] == "ditutup",
        "may_answer": evaluasi.may_answer(official),
        "may_review": evaluasi.may_review(official),
        "nilai_label": _num(sheet["nilai"], lang),
        "predikat_label": _grade(lke, sheet["predikat"], lang),
        "num": lambda v: _num(v, lang),
        "grade": lambda k: _grade(lke, k, lang),
        "closed_label": fmt_datetime(_dt(sheet["closed_at"]), lang) if sheet["closed_at"] else None,
        "errors": errors or {},
        "kept": kept or {},
        "close_error": close_error,
        "bukti_rows": BUKTI_ROWS,
    }
    return page(request, "evaluasi_tahun.html", viewer.ws, ctx, official=official, status=status)


@router.get("/evaluasi/{tahun}")
def evaluasi_year(tahun: str, request: Request, db: SessionDep, viewer: CurrentOfficial) -> Response:
    year = _year(tahun)
    if year is None:
        return refused(request, viewer.ws, viewer.official, t("tahun_invalid", viewer.lang), "/evaluasi", 422)
    return _sheet(request, db, viewer, year)


FIELD_LABELS = {  # a field of the domain's errors → the form's label (i18n key); evidence rows add their number
    "jawaban": "ev_jawaban_kantor", "catatan": "catatan", "bukti": "ev_bukti", "komentar": "ev_komentar",
    "jawaban_akhir": "ev_jawaban_akhir", "judul": "ev_bukti_judul", "tautan": "ev_bukti_tautan",
}  # fmt: skip
_ROW = re.compile(r"^bukti\[(\d+)\](?:\.(judul|tautan))?$")


def _filled_rows(form: dict[str, Any]) -> list[int]:
    """The form's evidence rows (1-based) that were filled in, in the order _body sends them."""
    pairs = zip(form["bukti_judul"], form["bukti_tautan"], strict=False)
    return [n for n, (j, u) in enumerate(pairs, start=1) if j.strip() or u.strip()]


def field_label(field: str | None, rows: list[int], lang: str) -> str | None:
    """The label the form shows for an error's field: "bukti[0].tautan" → "Tautan bukti 1" (the form's row)."""
    if field is None:
        return None
    row = _ROW.match(field)
    if row is None:
        return t(FIELD_LABELS[field], lang) if field in FIELD_LABELS else None
    i, part = int(row.group(1)), row.group(2) or "bukti"
    n = rows[i] if i < len(rows) else i + 1
    return f"{t(FIELD_LABELS[part], lang)} {n}"


def form_message(item: ErrorItem, rows: list[int], lang: str) -> str:
    """An error as the form shows it: under the field's label, not its path ("Tautan bukti 1: harus alamat …")."""
    text = item.message_id if lang == "id" else item.message_en
    label = field_label(item.field, rows, lang)
    if label is None or item.field is None:
        return text
    prefix = f"{item.field}: "
    return f"{label}: {text[len(prefix) :]}" if text.startswith(prefix) else text


def _body(official: Official, form: dict[str, Any]) -> dict[str, Any]:
    """The posted form as the domain's body: the office's fields, or the inspektorat's."""
    if form["bagian"] == "inspektorat":
        return {"komentar": form["komentar"], "jawaban_akhir": form["jawaban_akhir"]}
    pairs = zip(form["bukti_judul"], form["bukti_tautan"], strict=False)
    bukti = [{"judul": j, "tautan": u} for j, u in pairs if j.strip() or u.strip()]
    return {"jawaban": form["jawaban"], "catatan": form["catatan"], "bukti": bukti}


@router.post("/evaluasi/{tahun}/kriteria/{kode}")
def evaluasi_answer(
    tahun: str,
    kode: str,
    request: Request,
    db: SessionDep,
    rt: RuntimeDep,
    viewer: CurrentOfficial,
    csrf_valid: CsrfValid,
    bagian: str = Form("kantor"),
    jawaban: str = Form(""),
    catatan: str = Form(""),
    bukti_judul: list[str] = Form([]),
    bukti_tautan: list[str] = Form([]),
    komentar: str = Form(""),
    jawaban_akhir: str = Form(""),
) -> Response:
    lang, official = viewer.lang, viewer.official
    year = _year(tahun)
    if year is None:
        return refused(request, viewer.ws, official, t("tahun_invalid", lang), "/evaluasi", 422)
    form = {
        "bagian": bagian, "jawaban": jawaban, "catatan": catatan, "bukti_judul": bukti_judul,
        "bukti_tautan": bukti_tautan, "komentar": komentar, "jawaban_akhir": jawaban_akhir,
    }  # fmt: skip
    if not csrf_valid:
        return _sheet(request, db, viewer, year, errors={kode: t("msg_csrf", lang)}, kept={kode: form}, status=403)
    lke = evaluasi.lke_of(rt.state)
    try:
        evaluasi.answer(db, rt, lke, official, year, kode, _body(official, form))
    except ApiError as err:
        db.rollback()
        rows = _filled_rows(form)
        texts = [form_message(e, rows, lang) for e in err.errors] or [message(err, lang)]
        return _sheet(request, db, viewer, year, errors={kode: " ".join(texts)}, kept={kode: form}, status=err.status)
    return RedirectResponse(f"/evaluasi/{year}?pesan=evaluasi#k-{kode}", status_code=303)


@router.post("/evaluasi/{tahun}/tutup", dependencies=[CsrfForm])
def evaluasi_close(
    tahun: str, request: Request, db: SessionDep, rt: RuntimeDep, viewer: CurrentOfficial, konfirmasi: str = Form("")
) -> Response:
    lang, official = viewer.lang, viewer.official
    year = _year(tahun)
    if year is None:
        return refused(request, viewer.ws, official, t("tahun_invalid", lang), "/evaluasi", 422)
    if konfirmasi != "ya" and evaluasi.may_review(official):  # the confirmation box, ticked
        return _sheet(request, db, viewer, year, close_error=t("ev_confirm_required", lang), status=422)
    lke = evaluasi.lke_of(rt.state)
    try:
        evaluasi.close(db, rt, lke, official, year, evaluasi.data_checks(db, year, lke))
    except ApiError as err:
        db.rollback()
        return _sheet(request, db, viewer, year, close_error=message(err, lang), status=err.status)
    return RedirectResponse(f"/evaluasi/{year}?pesan=evaluasi_ditutup", status_code=303)
