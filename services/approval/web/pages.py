"""The officials' pages for dispositions, socialisation and SOP compliance.

`/disposisi` issue a disposition and list those received and sent; `/disposisi/{id}` one of them, marked done by its
recipient; `POST /draf/{id}/sosialisasi` circulate a draft; `/sosialisasi/{id}` a circulation (opening it as a
recipient records the read receipt; everyone sees who has not read it yet); `/kepatuhan-sop?tahun=2024` the SOP
compliance table. Every form is CSRF-checked first; a refusal changes nothing and says why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, select

from services.approval import disposisi, kepatuhan, sosialisasi
from services.approval.disposisi import PERIODES
from services.approval.models import DraftRow, Official
from services.approval.oversight import oversees
from services.approval.web.documents import documents_view
from services.approval.web.i18n import fmt_duration, periode_name, t
from services.approval.web.sessions import csrf_ok
from services.approval.web.views import (
    _current,
    _draft_context,
    _lang,
    _message,
    _page,
    _refused,
    _role_name,
    _to_login,
    _workflow,
    disposisi_view,
    sosialisasi_view,
)
from shared import clock
from shared.errors import ApiError
from shared.formatting import MISSING
from shared.service import RowId, RuntimeDep, SessionDep

router = APIRouter(include_in_schema=False)

DEFAULT_INSTRUKSI = {  # SOP step 1 and step 2 start with these
    "sekretaris": "Kumpulkan data laporan kinerja triwulan dari subbag/seksi, OPD dan instansi terkait.",
    "subkor": "Rekap dan olah data laporan kinerja triwulan menjadi draf laporan kinerja.",
}
DEFAULT_KEPADA = {"sekretaris": "subkor", "subkor": "staf"}


def _form_context(request: Request, db: Any, official: Official, lang: str, form: dict[str, Any]) -> dict[str, Any]:
    wf, now = _workflow(request), datetime.now(UTC)
    steps = wf.disposisi_steps(official.role)
    people = [
        {"id": o.id, "label": f"{o.nama} ({_role_name(request, o.role, lang)})"}
        for o in db.exec(select(Official).where(Official.active == True).order_by(col(Official.nama)))  # noqa: E712
        if o.id != official.id and wf.roles.get(o.role) is not None and wf.roles[o.role].decides
    ]
    return {
        "roles": [(code, _role_name(request, code, lang)) for code, r in wf.roles.items() if r.decides],
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
        "received": [disposisi_view(request, db, r, lang, now, official) for r in disposisi.for_official(db, official)],
        "sent": [disposisi_view(request, db, r, lang, now, official) for r in disposisi.sent_by(db, official)],
        "errors": [],
        "may_issue": bool(wf.roles.get(official.role) and wf.roles[official.role].decides),
    }


@router.get("/disposisi")
def disposisi_page(request: Request, db: SessionDep) -> Response:
    ws, official = _current(request, db)
    if official is None:
        return _to_login(ws)
    ctx = _form_context(request, db, official, _lang(request), {})
    return _page(request, "disposisi.html", ws, ctx, official=official)


@router.post("/disposisi")
def disposisi_issue(
    request: Request,
    db: SessionDep,
    rt: RuntimeDep,
    csrf: str | None = Form(None),
    kepada_role: str = Form(""),
    kepada_id: str = Form(""),
    instruksi: str = Form(""),
    batas_waktu: str = Form(""),
    catatan: str = Form(""),
    tahun: str = Form(""),
    periode: str = Form(""),
    langkah: str = Form(""),
) -> Response:
    lang = _lang(request)
    ws, official = _current(request, db)
    if official is None:
        return _to_login(ws)
    form = {
        "kepada_role": kepada_role, "kepada_id": kepada_id, "instruksi": instruksi, "batas_waktu": batas_waktu,
        "catatan": catatan, "tahun": tahun, "periode": periode, "langkah": langkah,
    }  # fmt: skip
    if not csrf_ok(ws, csrf):
        ctx = {**_form_context(request, db, official, lang, form), "errors": [t("msg_csrf", lang)]}
        return _page(request, "disposisi.html", ws, ctx, official=official, status=403)
    try:  # a role and an official both chosen: refused with the form kept (disposisi.validate), never reduced
        row = disposisi.issue(db, rt, _workflow(request), official, form)
    except ApiError as err:
        db.rollback()
        messages = [e.message_id if lang == "id" else e.message_en for e in err.errors] or [_message(err, lang)]
        ctx = {**_form_context(request, db, official, lang, form), "errors": messages}
        return _page(request, "disposisi.html", ws, ctx, official=official, status=err.status)
    return RedirectResponse(f"/disposisi/{row.id}?pesan=disposisi", status_code=303)


@router.get("/disposisi/{disposisi_id}")
def disposisi_detail(disposisi_id: RowId, request: Request, db: SessionDep) -> Response:
    ws, official = _current(request, db)
    if official is None:
        return _to_login(ws)
    lang = _lang(request)
    row = db.get(disposisi.DisposisiRow, disposisi_id)
    if row is None:
        return _refused(request, ws, official, t("disposisi_not_found", lang), "/disposisi", 404,
                        title=t("not_found_title", lang), back_label=t("back_disposisi", lang))  # fmt: skip
    if not disposisi.may_read(row, official):  # issuer, recipients and oversight only
        return _refused(request, ws, official, t("disposisi_not_allowed", lang), "/disposisi", 403,
                        back_label=t("back_disposisi", lang))  # fmt: skip
    ctx = {
        "x": disposisi_view(request, db, row, lang, datetime.now(UTC), official),
        "may_finish": disposisi.is_recipient(row, official) and row.selesai_at is None,
    }
    return _page(request, "disposisi_detail.html", ws, ctx, official=official)


@router.post("/disposisi/{disposisi_id}/selesai")
def disposisi_finish(disposisi_id: RowId, request: Request, db: SessionDep, csrf: str | None = Form(None)) -> Response:
    lang = _lang(request)
    ws, official = _current(request, db)
    if official is None:
        return _to_login(ws)
    back = f"/disposisi/{disposisi_id}"
    if not csrf_ok(ws, csrf):
        return _refused(request, ws, official, t("msg_csrf", lang), back, 403)
    try:
        disposisi.mark_done(db, disposisi_id, official)
    except ApiError as err:
        db.rollback()
        return _refused(request, ws, official, _message(err, lang), back, err.status)
    return RedirectResponse(f"{back}?pesan=disposisi_selesai", status_code=303)


# ---- socialisation -------------------------------------------------------------------------------------------------


@router.post("/draf/{draft_id}/sosialisasi")
def draft_circulate(
    draft_id: str,
    request: Request,
    db: SessionDep,
    rt: RuntimeDep,
    csrf: str | None = Form(None),
    penerima: list[str] = Form([]),
    catatan: str = Form(""),
) -> Response:
    lang = _lang(request)
    ws, official = _current(request, db)
    if official is None:
        return _to_login(ws)
    back = f"/draf/{quote(draft_id)}"
    if not csrf_ok(ws, csrf):
        return _refused(request, ws, official, t("msg_csrf", lang), back, 403)
    try:
        sos = sosialisasi.circulate(db, rt, _workflow(request), official, draft_id, {"penerima": penerima,
                                                                                     "catatan": catatan})  # fmt: skip
    except ApiError as err:
        db.rollback()
        row = db.get(DraftRow, draft_id)
        if err.status != 422 or row is None:
            return _refused(request, ws, official, _message(err, lang), back, err.status)
        # the form again, with what was chosen and written kept, each error next to its field
        errors: dict[str, str] = {}
        for e in err.errors:
            field = e.field if e.field in ("penerima", "catatan") else "penerima"
            errors.setdefault(field, e.message_id if lang == "id" else e.message_en)
        ctx = {
            **_draft_context(request, db, row, official, lang),
            "sos_errors": errors, "sos_penerima": penerima, "sos_catatan": catatan,
        }  # fmt: skip
        return _page(request, "draft.html", ws, ctx, official=official, status=422)
    return RedirectResponse(f"/sosialisasi/{sos.id}?pesan=sosialisasi", status_code=303)


@router.get("/sosialisasi/{sosialisasi_id}")
def sosialisasi_page(sosialisasi_id: RowId, request: Request, db: SessionDep, rt: RuntimeDep) -> Response:
    """Opening it as a recipient records the read receipt (once)."""
    ws, official = _current(request, db)
    if official is None:
        return _to_login(ws)
    lang = _lang(request)
    sos = db.get(sosialisasi.SosialisasiRow, sosialisasi_id)
    if sos is None:
        return _refused(request, ws, official, t("sosialisasi_not_found", lang), "/kotak-masuk", 404,
                        title=t("not_found_title", lang))  # fmt: skip
    if not sosialisasi.may_see(db, sos, official):
        return _refused(request, ws, official, t("sosialisasi_not_allowed", lang), f"/draf/{quote(sos.draft_id)}",
                        403, back_label=t("open_draft", lang))  # fmt: skip
    just_read = sosialisasi.acknowledge(db, rt, sos, official)
    ctx = {
        "s": sosialisasi_view(request, db, sos, lang, datetime.now(UTC), official),
        "documents": documents_view(db, db.get(DraftRow, sos.draft_id), lang),  # the final once there is one
        "notice": t("msg_dibaca", lang) if just_read else None,
    }
    if not just_read:
        ctx.pop("notice")
    return _page(request, "sosialisasi.html", ws, ctx, official=official)


# ---- SOP compliance ------------------------------------------------------------------------------------------------


@router.get("/kepatuhan-sop")
def compliance_page(request: Request, db: SessionDep, tahun: str = "") -> Response:
    ws, official = _current(request, db)
    if official is None:
        return _to_login(ws)
    lang = _lang(request)
    wf, years = _workflow(request), _years_with_records(db)
    try:
        year = int(tahun.strip()) if tahun.strip() else _newest_measured(db, wf, years)
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        return _refused(request, ws, official, t("tahun_invalid", lang), "/kepatuhan-sop", 422)

    def dur(value: Any) -> str:
        return fmt_duration(value, lang, seconds=True) if value is not None else MISSING

    rows = [
        {
            **r,
            "label": r["kegiatan"] if lang == "id" else r["activity_en"],
            "role_label": _role_name(request, r["role"], lang),
            "waktu_label": dur(r["waktu"]),
            "median_label": dur(r["median"]),
            "worst_label": dur(r["worst"]),
            "share_label": f"{round(r['share'] * 100)} %" if r["share"] is not None else t("no_data", lang),
            "worst_late": r["worst_late"],  # a disposition with a due date is judged by that date
        }
        for r in kepatuhan.report(db, wf, year)
    ]
    ctx = {"rows": rows, "tahun": year, "years": [y for y in years if y != year]}
    return _page(request, "kepatuhan.html", ws, ctx, official=official)


def _years_with_records(db: Any) -> list[int]:
    """Every year a draft, a disposisi or a circulation belongs to, newest first."""
    found: set[int] = set()
    for model in (DraftRow, disposisi.DisposisiRow, sosialisasi.SosialisasiRow):
        found.update(y for y in db.exec(select(model.tahun).distinct()) if isinstance(y, int))
    return sorted(found, reverse=True)


def _newest_measured(db: Any, wf: Any, years: list[int]) -> int:
    """The year the page opens on: the newest with a measured step, else the newest with any record, else this
    year (the calendar year has often nothing yet: its first quarter is reported in April)."""
    for year in years:
        if any(r["n"] for r in kepatuhan.report(db, wf, year)):
            return year
    return years[0] if years else clock.office_date().year
