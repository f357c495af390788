"""The officials' app's error pages where no page route answers: a request refused before any route ran
(`shared.inputguard`: a NUL in a form field; `shared.service.BodySizeLimit`: a body over the size limit), an
unexpected failure (`shared.inputguard.LastResort`), and a wrong address (404) — each a page in the app's layout, with
the way back. The JSON API keeps its JSON error body."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

import services.approval.web.deps as deps
import services.approval.web.rendering as rendering
from services.approval.web.i18n import t
from services.approval.web.paths import local_referer
from services.approval.web.sessions import read_session
from shared.errors import ApiError, ErrorItem
from shared.formatting import fmt_number


def error_page(request: Request, err: ApiError) -> Response:
    """The web app's error page for a request refused before any page ran (a NUL in a form field, `shared.inputguard`;
    a body over the size limit, `shared.service.BodySizeLimit`) or one that failed unexpectedly: the message, and the
    way back — to the form's page when the refused request was a form's (its textareas' kept drafts come back
    there, static/app.js)."""
    lang = rendering.lang(request)
    back, back_label = "/kotak-masuk", None
    if is_public(request.url.path):  # the public verification page's visitor: no officials' inbox for them
        back, back_label = PUBLIC_HOME, t("vf_back", lang)
    elif request.method == "POST" and (page := local_referer(request)):
        back, back_label = page, t("back_form", lang)
    settings = request.app.state.rt.settings
    if err.errors and err.errors[0].rule == "too_large" and is_upload(request):
        # an uploaded file over its limit (a multipart body gets the upload limit, shared.service.BodySizeLimit)
        message = t("vf_upload_too_large", lang).format(limit=_size(settings.max_upload_bytes, lang))
    elif err.errors and err.errors[0].rule == "too_large":
        message = t("msg_too_large", lang).format(limit=_size(settings.max_body_bytes, lang))
    elif err.errors and err.errors[0].field == "path":  # a NUL in the address: no page has it, said plainly
        message = t("msg_bad_address", lang)
    elif err.errors and err.errors[0].rule == "unreadable_form":
        message = t("msg_unreadable_form", lang)
    else:
        message = rendering.message(err, lang)
    ctx = {"message": message, "back": back, "back_label": back_label, "title": None}
    response = rendering.page(request, "error.html", read_session(request), ctx, status=err.status)
    response.headers.update(err.headers or {})
    return response


PUBLIC_HOME = "/verifikasi"  # the pages anyone may open, without logging in (web/verifikasi.py)


def is_public(path: str) -> bool:
    return path == PUBLIC_HOME or path.startswith(f"{PUBLIC_HOME}/")


def is_upload(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/")


def _size(n: int, lang: str) -> str:
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size:
            return f"{fmt_number(Decimal(n) / size, 0 if n % size == 0 else 1, locale=lang)} {unit}"
    return f"{n} byte"


NOT_FOUND_BY_PREFIX = (  # an unknown address under a page family: that family's message and the way back
    ("/sosialisasi/", "sosialisasi_not_found", "/kotak-masuk", "back_inbox"),
    ("/disposisi/", "disposisi_not_found", "/disposisi", "back_disposisi"),
    ("/draf/", "draft_not_found", "/kotak-masuk", "back_inbox"),
    ("/operator/peristiwa/", "event_not_found", "/operator/peristiwa", "back_event_log"),
    (f"{PUBLIC_HOME}/", "page_not_found", PUBLIC_HOME, "vf_back"),
)


def not_found_page(request: Request, status: int = 404, key: str | None = None) -> Response:
    """Run in a worker thread: it looks up who is logged in, for the page's menu. `key`: the message, when not the
    one of the address's page family."""
    lang, path = rendering.lang(request), request.url.path
    with Session(request.app.state.rt.engine) as db:
        ws, official = deps.session_official(request, db)
    found, back, back_key = "page_not_found", "/kotak-masuk", "back_inbox"
    for prefix, k, b, bk in NOT_FOUND_BY_PREFIX:
        if path.startswith(prefix):
            found, back, back_key = k, b, bk
            break
    key = key or found
    ctx = {"message": t(key, lang), "back": back, "back_label": t(back_key, lang), "title": t("not_found_title", lang)}
    return rendering.page(request, "error.html", ws, ctx, official=official, status=status)


def install_web_errors(app: Any) -> None:
    """Outside the JSON API (`/api/`) and the ops routes, a wrong address is the app's own 404 page, not a JSON body
    (a path parameter that is not an id, `/sosialisasi/abc`, is a wrong address too); a form's address opened with
    GET (`/draf/2024-TW1/keputusan`, the address a refused form's page shows) leads to the page the form is on."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    json_http = app.exception_handlers[StarletteHTTPException]
    json_validation = app.exception_handlers[RequestValidationError]

    def is_page(request: Request) -> bool:
        if request.url.path.startswith("/static/"):  # a file the browser opened as a page (not one a page loads)
            return "text/html" in request.headers.get("accept", "")
        return not request.url.path.startswith(("/api/", "/healthz", "/metrics"))

    async def http_error(request: Request, exc: Exception) -> Response:
        if is_page(request) and isinstance(exc, StarletteHTTPException) and exc.status_code == 404:
            return await run_in_threadpool(not_found_page, request)
        if is_page(request) and isinstance(exc, StarletteHTTPException) and exc.status_code == 400:
            # a form's body the server could not read (a broken multipart body): the app's page, not JSON
            unreadable = ApiError(400, [ErrorItem("body", "unreadable_form", str(exc.detail), str(exc.detail))])
            return await run_in_threadpool(error_page, request, unreadable)
        if is_page(request) and isinstance(exc, StarletteHTTPException) and exc.status_code == 405:
            if request.method == "GET":  # a form's address opened (reloaded, bookmarked, "back"): its page
                return RedirectResponse(request.url.path.rsplit("/", 1)[0] or "/", status_code=303)
        return await json_http(request, exc)  # type: ignore[no-any-return]

    async def validation_error(request: Request, exc: Exception) -> Response:
        errors: list[Any] = getattr(exc, "errors", list)()
        if is_page(request) and any(tuple(e.get("loc", ())) == ("path", "fmt") for e in errors):
            # a file format no document has (`/draf/2024-TW1/final.exe`): said so, whatever the draft
            return await run_in_threadpool(not_found_page, request, 404, "format_unknown")
        if is_page(request) and any(e.get("loc", ("",))[0] == "path" for e in errors):
            return await run_in_threadpool(
                not_found_page, request, 422
            )  # not a number any row could have: nothing found, 422 as the API
        return await json_validation(request, exc)  # type: ignore[no-any-return]

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    deps.install(app)  # the pages of the web app's dependencies' refusals (login required, CSRF, not an operator)
