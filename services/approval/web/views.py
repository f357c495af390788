"""The officials' web app, server-rendered with Jinja2 (Bahasa Indonesia first, English on request).

`/masuk` login (`login.authenticate`: its refusals, throttling included, shown as a message), `/kotak-masuk` the
inbox, `/draf/{id}` a draft with its recap, PDF, changes since the previous version, history and the decision
forms, `/keluar` logout (ending the session on the server), `/bahasa/{id|en}` the language switch.
Decisions go through the same `handlers.decide` as the JSON API.

HTTP only: who asks and the CSRF check are dependencies (web/deps.py), what a page shows is built by
web/presenters/, the reads by services/approval/queries.py, the page itself by web/rendering.py.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

import services.approval.web.rendering as rendering
from services.approval import domain, handlers, limits, login
from services.approval.models import DraftRow, Official
from services.approval.web.deps import CsrfForm, CsrfValid, CurrentOfficial, Viewer, current
from services.approval.web.documents import stream_document, unavailable_page
from services.approval.web.final import serve_final
from services.approval.web.i18n import lang_of, t
from services.approval.web.paths import safe_local
from services.approval.web.presenters.common import reader
from services.approval.web.presenters.draft import draft_context, inbox_context, not_found_message
from services.approval.web.rendering import lang, message, page, refused, to_login
from services.approval.web.sessions import (
    LANG_COOKIE,
    WebSession,
    clear_session,
    end_session,
    new_session,
    read_session,
    start_session,
    write_session,
)
from shared.errors import ApiError
from shared.service import BUSY, BUSY_RETRY_AFTER_S, Caller, Runtime, RuntimeDep, SessionDep
from shared.slots import Busy

__all__ = ["landing", "router"]
router = APIRouter(include_in_schema=False)


# ---- login, logout, language -------------------------------------------------------------------------------------


def landing(official: Official) -> str:
    """Where an official starts: operators on the event log, the inspektorat on the AKIP evaluation, everyone else on
    the inbox."""
    if official.role == "inspektorat":
        return "/evaluasi"
    return "/operator/peristiwa" if official.role == "operator" else "/kotak-masuk"


@router.get("/")
def home(request: Request, db: SessionDep) -> Response:
    _, official = current(request, db)
    return RedirectResponse(landing(official) if official else "/masuk", status_code=303)


class LoginForm(TypedDict):
    """The login page: the refusal, the username kept, where to go after; a session that ran out says so."""

    error: str | None
    username: str
    ke: str
    notice: NotRequired[str]


@router.get("/masuk")
def login_form(request: Request, db: SessionDep, ke: str = "") -> Response:
    ws, official = current(request, db)
    target = safe_local(ke)
    if official is not None:
        return RedirectResponse(target or landing(official), status_code=303)
    ctx: LoginForm = {"error": None, "username": "", "ke": target or ""}
    if ws.expired:
        ctx["notice"] = t("msg_expired", lang(request))
    return page(request, "login.html", ws, ctx)


@router.post("/masuk")
async def login_submit(
    request: Request,
    rt: RuntimeDep,
    csrf_valid: CsrfValid,
    username: str = Form(""),
    password: str = Form(""),
    ke: str = Form(""),
) -> Response:
    language = lang(request)
    ws = read_session(request)
    target = safe_local(ke)
    if not csrf_valid:  # no official yet: the login form again, with a fresh token
        ctx: LoginForm = {"error": t("msg_csrf", language), "username": username, "ke": target or ""}
        return page(request, "login.html", new_session(), ctx, status=403)
    try:
        try:
            official = await login.authenticate(rt, login.client_of(request), username.strip(), password)
        except Busy as exc:  # every hashing slot taken: the page says so, as the API's 503 does
            raise ApiError(503, BUSY.errors, {"Retry-After": str(BUSY_RETRY_AFTER_S)}) from exc
    except ApiError as err:
        refused: LoginForm = {"error": message(err, language), "username": username, "ke": target or ""}
        answer = page(request, "login.html", ws, refused, status=err.status)
        answer.headers.update(err.headers or {})
        return answer
    assert official.id is not None
    uid = official.id
    session = await run_in_threadpool(_start, rt, uid)
    response = RedirectResponse(target or landing(official), status_code=303)  # the page asked for, if local
    write_session(request, response, session)
    return response


def _start(rt: Runtime, official_id: int) -> WebSession:
    with Session(rt.engine, expire_on_commit=False) as db:
        return start_session(db, official_id, rt.settings.token_ttl_s)


@router.post("/keluar", dependencies=[CsrfForm])
def logout(viewer: CurrentOfficial, db: SessionDep) -> Response:
    end_session(db, viewer.ws)  # on the server: a copy of the cookie opens nothing any more
    response = RedirectResponse("/masuk?pesan=logged_out", status_code=303)
    clear_session(response)
    return response


@router.get("/bahasa/{kode}")
def switch_language(kode: str, ke: str = "/") -> Response:
    target = ke if ke.startswith("/") and not ke.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(LANG_COOKIE, lang_of(kode), max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response


def _draft_not_found(request: Request, viewer: Viewer, draft_id: str = "") -> Response:
    language = viewer.lang
    return refused(request, viewer.ws, viewer.official, not_found_message(draft_id, language), "/kotak-masuk", 404,
                   title=t("not_found_title", language), back_label=t("back_inbox", language))  # fmt: skip


# ---- inbox and draft -----------------------------------------------------------------------------------------------


@router.get("/kotak-masuk")
def inbox(request: Request, db: SessionDep, viewer: CurrentOfficial) -> Response:
    ctx = inbox_context(reader(rendering.workflow(request), viewer.lang), db, viewer.official)
    return page(request, "inbox.html", viewer.ws, ctx, official=viewer.official)


@router.get("/draf/{draft_id}")
def draft_page(draft_id: str, request: Request, db: SessionDep, viewer: CurrentOfficial) -> Response:
    row = db.get(DraftRow, draft_id)
    if row is None:
        return _draft_not_found(request, viewer, draft_id)
    all_rows = request.query_params.get("semua") == "1"
    r = reader(rendering.workflow(request), viewer.lang)
    ctx = draft_context(r, db, row, viewer.official, all_rows=all_rows, lke=rendering.lke(request))
    return page(request, "draft.html", viewer.ws, ctx, official=viewer.official)


@router.post("/draf/{draft_id}/keputusan", dependencies=[CsrfForm])
def draft_decision(
    draft_id: str,
    request: Request,
    db: SessionDep,
    rt: RuntimeDep,
    viewer: CurrentOfficial,
    decision: str = Form(""),
    note: str = Form(""),
    version: str = Form(""),
    seq: str = Form(""),
    units: list[str] = Form([]),
    indikator: list[str] = Form([]),
) -> Response:
    language, official = viewer.lang, viewer.official
    back = f"/draf/{quote(draft_id)}"
    row = db.get(DraftRow, draft_id)
    if row is None:
        return _draft_not_found(request, viewer)
    draft = handlers.to_domain(row)
    form_kept = {"note": note if decision != "return" else "", "reason": note if decision == "return" else ""}
    label = (t("reason_field", "id"), t("reason_field", "en")) if decision == "return" else None
    if (long := limits.too_long("note", note, label)) is not None:
        text = long.message_id if language == "id" else long.message_en
        return _decision_refused(request, db, viewer, row, text, 422, form_kept)
    if version != str(row.version) or seq != str(len(draft.history)):
        return _decision_refused(request, db, viewer, row, t("msg_moved_on", language), 409, form_kept)
    wf = rendering.workflow(request)
    stage = domain.current_stage(wf, draft)
    caller = Caller("official", str(official.id), official.role, official.unit, official.username)
    body = {"decision": decision, "note": note, "version": row.version, "units": units, "indikator": indikator}
    try:
        result = handlers.decide(db, rt, wf, caller, draft_id, body)
    except ApiError as err:
        db.rollback()
        row = db.get(DraftRow, draft_id) or row
        # a newer recap: the page's own notice (#rekap-baru) says so already, a second box would repeat it
        boxed = None if err.errors and err.errors[0].rule == "newer_recap" else message(err, language)
        return _decision_refused(request, db, viewer, row, boxed, err.status, form_kept)
    if decision == "return":
        done = "return"
    elif result["state"] == "final":
        done = "final"
    elif draft.koreksi_role:
        done = "koreksi_selesai"
    else:
        done = "submit" if stage is not None and stage.action == "submit" else "approve"
    return RedirectResponse(f"{back}?pesan={done}", status_code=303)


def _decision_refused(
    request: Request,
    db: Session,
    viewer: Viewer,
    row: DraftRow,
    text: str | None,
    status: int,
    form_kept: dict[str, str],
) -> Response:
    db.refresh(row)
    r = reader(rendering.workflow(request), viewer.lang)
    ctx = {**draft_context(r, db, row, viewer.official, lke=rendering.lke(request)), "error": text, **form_kept}
    return page(request, "draft.html", viewer.ws, ctx, official=viewer.official, status=status)


@router.get("/draf/{draft_id}/dokumen.pdf")
async def draft_pdf(draft_id: str, request: Request, rt: RuntimeDep) -> Response:
    """The draft's PDF, fetched from the renderer with the admin token and streamed through; a final draft's final
    PDF (web/final.py). Who asks is looked up in a worker thread, its database session closed before streaming."""

    def lookup() -> tuple[WebSession, Official | None, str | None, bool]:
        with Session(rt.engine) as db:
            ws, official = current(request, db)
            row = db.get(DraftRow, draft_id)
            return ws, official, row.document_id if row else None, bool(row and row.state == "final")

    ws, official, document_id, final = await run_in_threadpool(lookup)
    if official is None:
        return to_login(ws)
    if final:  # a final draft's PDF is the final one, never the draft (web/final.py)
        return await serve_final(request, rt, draft_id, "pdf")
    if document_id is None:
        return Response(t("not_found", lang(request)), status_code=404, media_type="text/plain; charset=utf-8")
    answer = await stream_document(rt, document_id, "pdf", f"{document_id}.pdf", inline=True)
    if isinstance(answer, str):  # the app's page saying why (a draft's document the renderer lacks: lost)
        return unavailable_page(request, ws, official, answer, f"/draf/{quote(draft_id)}", "file_damaged")
    return answer
