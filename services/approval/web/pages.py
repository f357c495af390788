"""The officials' pages for dispositions, socialisation and SOP compliance.

`/disposisi` issue a disposition and list those received and sent; `/disposisi/{id}` one of them, marked done by its
recipient; `POST /draf/{id}/sosialisasi` circulate a draft; `/sosialisasi/{id}` a circulation (opening it as a
recipient records the read receipt; everyone sees who has not read it yet); `/kepatuhan-sop?tahun=2024` the SOP
compliance table. Every form is CSRF-checked first (web/deps.py); a refusal changes nothing and says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

import services.approval.web.rendering as rendering
from services.approval import bukti as bukti_store
from services.approval import disposisi, queries, sosialisasi, tindaklanjut
from services.approval.models import DraftRow
from services.approval.oversight import oversees
from services.approval.web.deps import CsrfForm, CsrfValid, CurrentOfficial, Viewer
from services.approval.web.documents import documents_view
from services.approval.web.i18n import t
from services.approval.web.presenters.cards import disposisi_view, sosialisasi_view
from services.approval.web.presenters.common import reader
from services.approval.web.presenters.draft import draft_context
from services.approval.web.presenters.pages import analysis_board, compliance_rows, disposisi_form
from services.approval.web.rendering import message, page, refused
from services.approval.web.tindaklanjut import labelled
from shared import clock
from shared.errors import ApiError, ErrorItem
from shared.sakip.tahun import year_value
from shared.service import RowId, RuntimeDep, SessionDep
from shared.strictform import StrictFormRoute

router = APIRouter(include_in_schema=False)


@router.get("/disposisi")
def disposisi_page(request: Request, db: SessionDep, viewer: CurrentOfficial, tahun: str = "") -> Response:
    """Received and sent; for the oversight roles (who may read them all) also every disposition of the year."""
    r = reader(rendering.workflow(request), viewer.lang)
    ctx: dict[str, object] = {**disposisi_form(r, db, viewer.official, {})}
    if oversees(viewer.official):
        year = disposisi.newest_year(db, clock.office_date(r.now).year)
        year = year_value(tahun) or year
        ctx["all_year"] = year
        ctx["all_rows"] = [disposisi_view(r, db, d, viewer.official) for d in disposisi.of_year(db, year)]
    return page(request, "disposisi.html", viewer.ws, ctx, official=viewer.official)


@router.post("/disposisi")
def disposisi_issue(
    request: Request,
    db: SessionDep,
    rt: RuntimeDep,
    viewer: CurrentOfficial,
    csrf_valid: CsrfValid,
    kepada_role: str = Form(""),
    kepada_id: str = Form(""),
    instruksi: str = Form(""),
    batas_waktu: str = Form(""),
    catatan: str = Form(""),
    tahun: str = Form(""),
    periode: str = Form(""),
    langkah: str = Form(""),
) -> Response:
    language, official, ws = viewer.lang, viewer.official, viewer.ws
    r = reader(rendering.workflow(request), language)
    form = {
        "kepada_role": kepada_role, "kepada_id": kepada_id, "instruksi": instruksi, "batas_waktu": batas_waktu,
        "catatan": catatan, "tahun": tahun, "periode": periode, "langkah": langkah,
    }  # fmt: skip
    if not csrf_valid:  # refused with the form kept
        ctx = {**disposisi_form(r, db, official, form), "errors": [t("msg_csrf", language)]}
        return page(request, "disposisi.html", ws, ctx, official=official, status=403)
    try:  # a role and an official both chosen: refused with the form kept (disposisi.validate), never reduced
        row = disposisi.issue(db, rt, r.wf, official, form)
    except ApiError as err:
        db.rollback()
        messages = [e.message_id if language == "id" else e.message_en for e in err.errors] or [message(err, language)]
        ctx = {**disposisi_form(r, db, official, form), "errors": messages}
        return page(request, "disposisi.html", ws, ctx, official=official, status=err.status)
    return RedirectResponse(f"/disposisi/{row.id}?pesan=disposisi", status_code=303)


@router.get("/disposisi/{disposisi_id}")
def disposisi_detail(disposisi_id: RowId, request: Request, db: SessionDep, viewer: CurrentOfficial) -> Response:
    return detail_page(disposisi_id, request, db, viewer)


def detail_page(
    disposisi_id: int,
    request: Request,
    db: Session,
    viewer: Viewer,
    *,
    errors: Sequence[ErrorItem] = (),
    hasil: str = "",
    status: int = 200,
) -> Response:
    """The disposition; for its recipient the form that marks it done (a follow-up: with result and evidence; a
    refused form comes back here with what was written kept and the errors)."""
    language, official, ws = viewer.lang, viewer.official, viewer.ws
    row = db.get(disposisi.DisposisiRow, disposisi_id)
    if row is None:
        return refused(request, ws, official, t("disposisi_not_found", language), "/disposisi", 404,
                       title=t("not_found_title", language), back_label=t("back_disposisi", language))  # fmt: skip
    if not disposisi.may_read(row, official):  # issuer, recipients and oversight only
        return refused(request, ws, official, t("disposisi_not_allowed", language), "/disposisi", 403,
                       back_label=t("back_disposisi", language))  # fmt: skip
    r = reader(rendering.workflow(request), language)
    ctx = {
        "x": disposisi_view(r, db, row, official),
        "may_finish": disposisi.is_recipient(row, official) and row.selesai_at is None,
        "tl": tindaklanjut.public(db, r.wf, row, r.now) if disposisi.is_follow_up(row) else None,
        "bukti": [{**disposisi.public_bukti(b), "tautan": f"/disposisi/{row.id}/bukti/{b.sha256}"}
                  for b in disposisi.evidence(db, row)],
        "hasil": row.hasil,
        "done_errors": labelled(errors, language),  # the form's labels, not field paths
        "done_hasil": hasil,
        "max_bukti_mb": bukti_store.MAX_BYTES // (1024 * 1024),
    }  # fmt: skip
    return page(request, "disposisi_detail.html", ws, ctx, official=official, status=status)


strict_form = APIRouter(include_in_schema=False, route_class=StrictFormRoute)  # multipart text read strictly


@strict_form.post("/disposisi/{disposisi_id}/selesai", dependencies=[CsrfForm])
def disposisi_finish(
    disposisi_id: RowId,
    request: Request,
    db: SessionDep,
    rt: RuntimeDep,
    viewer: CurrentOfficial,
    hasil: str = Form(""),
    bukti: list[UploadFile | str] = File([]),
) -> Response:
    """Done, with the result (`hasil`, required for a follow-up) and evidence files (`bukti`, multipart)."""
    back = f"/disposisi/{disposisi_id}"
    try:
        uploads = bukti_store.uploads_of(bukti)
        disposisi.mark_done(db, rt, disposisi_id, viewer.official, hasil=hasil, uploads=uploads)
    except ApiError as err:
        db.rollback()
        if err.status not in (413, 422):
            return refused(request, viewer.ws, viewer.official, message(err, viewer.lang), back, err.status)
        shown = hasil.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # bytes not UTF-8: U+FFFD
        return detail_page(disposisi_id, request, db, viewer, errors=err.errors, hasil=shown, status=err.status)
    return RedirectResponse(f"{back}?pesan=disposisi_selesai", status_code=303)


# ---- socialisation -------------------------------------------------------------------------------------------------


@router.post("/draf/{draft_id}/sosialisasi", dependencies=[CsrfForm])
def draft_circulate(
    draft_id: str,
    request: Request,
    db: SessionDep,
    rt: RuntimeDep,
    viewer: CurrentOfficial,
    penerima: list[str] = Form([]),
    catatan: str = Form(""),
) -> Response:
    language, official, ws = viewer.lang, viewer.official, viewer.ws
    back = f"/draf/{quote(draft_id)}"
    r = reader(rendering.workflow(request), language)
    try:
        sos = sosialisasi.circulate(db, rt, r.wf, official, draft_id, {"penerima": penerima, "catatan": catatan})
    except ApiError as err:
        db.rollback()
        row = db.get(DraftRow, draft_id)
        if err.status != 422 or row is None:
            return refused(request, ws, official, message(err, language), back, err.status)
        # the form again, with what was chosen and written kept, each error next to its field
        errors: dict[str, str] = {}
        for e in err.errors:
            field = e.field if e.field in ("penerima", "catatan") else "penerima"
            errors.setdefault(field, e.message_id if language == "id" else e.message_en)
        ctx = {
            **draft_context(r, db, row, official, lke=rendering.lke(request)),
            "sos_errors": errors, "sos_penerima": penerima, "sos_catatan": catatan,
        }  # fmt: skip
        return page(request, "draft.html", ws, ctx, official=official, status=422)
    return RedirectResponse(f"/sosialisasi/{sos.id}?pesan=sosialisasi", status_code=303)


@router.get("/sosialisasi/{sosialisasi_id}")
def sosialisasi_page(
    sosialisasi_id: RowId, request: Request, db: SessionDep, rt: RuntimeDep, viewer: CurrentOfficial
) -> Response:
    """Opening it as a recipient records the read receipt (once)."""
    language, official, ws = viewer.lang, viewer.official, viewer.ws
    sos = db.get(sosialisasi.SosialisasiRow, sosialisasi_id)
    if sos is None:
        return refused(request, ws, official, t("sosialisasi_not_found", language), "/kotak-masuk", 404,
                       title=t("not_found_title", language))  # fmt: skip
    if not sosialisasi.may_see(db, sos, official):
        return refused(request, ws, official, t("sosialisasi_not_allowed", language), f"/draf/{quote(sos.draft_id)}",
                       403, back_label=t("open_draft", language))  # fmt: skip
    just_read = sosialisasi.acknowledge(db, rt, sos, official)
    ctx = {
        "s": sosialisasi_view(reader(rendering.workflow(request), language), db, sos, official),
        "documents": documents_view(db, db.get(DraftRow, sos.draft_id), language),  # the final once there is one
        "notice": t("msg_dibaca", language) if just_read else None,
    }
    if not just_read:
        ctx.pop("notice")
    return page(request, "sosialisasi.html", ws, ctx, official=official)


# ---- SOP compliance ------------------------------------------------------------------------------------------------


@router.get("/kepatuhan-sop")
def compliance_page(request: Request, db: SessionDep, viewer: CurrentOfficial, tahun: str = "") -> Response:
    r = reader(rendering.workflow(request), viewer.lang)
    years = queries.years_with_records(db)
    try:
        year = year_value(tahun) if tahun.strip() else queries.newest_measured(db, r.wf, years)
        if year is None:
            raise ValueError
    except ValueError:
        return refused(request, viewer.ws, viewer.official, t("tahun_invalid", r.lang), "/kepatuhan-sop", 422)
    ctx = {
        "rows": compliance_rows(r, db, year), "tahun": year, "years": [y for y in years if y != year],
        "analisis": analysis_board(db, year, viewer.lang),  # the quarters' indicators no unit has explained
    }  # fmt: skip
    return page(request, "kepatuhan.html", viewer.ws, ctx, official=viewer.official)


router.include_router(strict_form)
