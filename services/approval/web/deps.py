"""Who is asking, as FastAPI dependencies of the officials' pages: `CurrentOfficial` (the logged-in official, or the
login page), `CurrentOperator` (an operator, or a 403 page), `CsrfForm` (the form's CSRF token, or a 403 page that
changes nothing) and `CsrfValid` (the token's verdict, for a form whose refusal is its own page again).

A dependency that refuses raises; `install` turns each refusal into its page. A page's address is checked before
who asks: a path parameter that is not what the route takes (`/disposisi/abc`) is the app's not-found page for
everyone, as it was when each view looked up the official itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlmodel import Session

import services.approval.web.rendering as rendering
from services.approval.models import Official
from services.approval.web.i18n import t
from services.approval.web.paths import local_referer, safe_local
from services.approval.web.sessions import WebSession, csrf_ok, new_session, read_session, session_live
from shared.i18n import operator_text
from shared.service import SessionDep

LANDING = "/kotak-masuk"


@dataclass
class Viewer:
    """The logged-in official asking for a page, with their session (its CSRF token) and language."""

    ws: WebSession
    official: Official
    lang: str


class LoginRequired(Exception):
    """No official is logged in (or the session expired): the login page, coming back here after."""

    def __init__(self, ws: WebSession) -> None:
        super().__init__("login required")
        self.ws = ws


class Refused(Exception):
    """A page refused before its view ran: the error page, with the way back."""

    def __init__(self, viewer: Viewer, message: str, back: str, status: int) -> None:
        super().__init__(message)
        self.viewer, self.message, self.back, self.status = viewer, message, back, status


def session_official(request: Request, db: Session) -> tuple[WebSession, Official | None]:
    """The request's session and its official, when the session is still live on the server and the official
    active."""
    ws = read_session(request)
    if ws.uid is None:
        return ws, None
    if not session_live(db, ws):  # logged out (a copied cookie), or the official's sessions were ended
        return new_session(), None
    row = db.get(Official, ws.uid)
    if row is None or not row.active:
        return new_session(), None
    return ws, row


def current(request: Request, db: Session) -> tuple[WebSession, Official | None]:
    """As `session_official`; without an official the session remembers the page to come back to."""
    ws, official = session_official(request, db)
    if official is None:
        ws.back = return_to(request)
    return ws, official


def return_to(request: Request) -> str | None:
    """Where a login sends the official back: the page asked for (a GET), or the page a form was posted from (a
    POST: its textareas' drafts are kept in the browser, static/app.js, and come back there)."""
    if request.method == "GET":
        target = safe_local(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    else:
        target = local_referer(request)
    if target is None or target in ("/", LANDING) or target.startswith(("/masuk", "/keluar")):
        return None
    return target


def _check_path(request: Request) -> None:
    """The route's path parameters, validated before anything else (as FastAPI does for a route without
    dependencies): a wrong address is the not-found page, whoever asks."""
    route = request.scope.get("route")
    if isinstance(route, APIRoute) and route.dependant.path_params:
        _, errors = request_params_to_args(route.dependant.path_params, request.path_params)
        if errors:
            raise RequestValidationError(errors)


def current_official(request: Request, db: SessionDep) -> Viewer:
    _check_path(request)
    ws, official = current(request, db)
    if official is None:
        raise LoginRequired(ws)
    return Viewer(ws, official, rendering.lang(request))


CurrentOfficial = Annotated[Viewer, Depends(current_official)]


def current_operator(viewer: CurrentOfficial) -> Viewer:
    """The operators' pages: any other role gets a 403 page."""
    if viewer.official.role != "operator":
        raise Refused(viewer, operator_text("forbidden", viewer.lang), LANDING, 403)
    return viewer


CurrentOperator = Annotated[Viewer, Depends(current_operator)]


def csrf_form(request: Request, viewer: CurrentOfficial, csrf: str | None = Form(None)) -> None:
    """The form's CSRF token, compared with the session's before anything else happens; refused: the error page
    (nothing changed), back to the page the form is on."""
    if csrf_ok(viewer.ws, csrf):
        return
    path = request.url.path
    back = quote(path.rsplit("/", 1)[0]) or LANDING  # `/draf/{id}/keputusan` is a form on `/draf/{id}`
    if path.startswith("/operator/"):
        raise Refused(viewer, operator_text("csrf", viewer.lang), back, 403)
    raise Refused(viewer, t("msg_csrf", viewer.lang), back, 403)


CsrfForm = Depends(csrf_form)


def csrf_valid(request: Request, csrf: str | None = Form(None)) -> bool:
    """The form's CSRF token matches the session's (for a form whose refusal shows the form again)."""
    return csrf_ok(read_session(request), csrf)


CsrfValid = Annotated[bool, Depends(csrf_valid)]


def install(app: Any) -> None:
    """The pages of the dependencies' refusals."""

    async def login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return rendering.to_login(exc.ws)

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Refused)
        viewer = exc.viewer
        return rendering.refused(request, viewer.ws, viewer.official, exc.message, exc.back, exc.status)

    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(Refused, refused)
