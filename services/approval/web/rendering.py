"""How a page of the officials' app is answered: the Jinja2 templates with the context every page shares (language,
CSRF token, the notice of `?pesan=`, who is logged in), the error page, the way to the login page."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.approval import kualitas, limits
from services.approval.lke import Lke
from services.approval.models import Official
from services.approval.web.i18n import lang_of, t
from services.approval.web.presenters.common import role_label
from services.approval.web.sessions import LANG_COOKIE, WebSession, clear_session, write_session
from services.approval.workflow import Workflow
from shared.errors import ApiError

HERE = Path(__file__).resolve().parent.parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
STATIC_DIR = HERE / "static"
MESSAGES = (
    "logged_out", "expired", "login_required", "approve", "submit", "final", "return", "koreksi_selesai",
    "disposisi", "disposisi_selesai", "sosialisasi", "dibaca", "tindak_lanjut",
)  # fmt: skip

DONE_MESSAGES = (
    "approve", "submit", "final", "return", "koreksi_selesai", "disposisi", "disposisi_selesai", "sosialisasi",
    "tindak_lanjut",
)  # fmt: skip


def lang(request: Request) -> str:
    """The reader's language (the language cookie; Indonesian by default)."""
    return lang_of(request.cookies.get(LANG_COOKIE))


def workflow(request: Request) -> Workflow:
    return request.app.state.rt.state["workflow"]  # type: ignore[no-any-return]


def lke(request: Request) -> Lke:
    """The evaluation worksheet the service loaded at its start (services/approval/kualitas.lke_of)."""
    return kualitas.lke_of(request.app.state.rt.state)


def role_name(request: Request, code: str | None, language: str) -> str:
    return role_label(workflow(request), code, language)


def page(
    request: Request,
    name: str,
    ws: WebSession,
    ctx: Mapping[str, object],
    *,
    official: Official | None = None,
    status: int = 200,
) -> Response:
    language = lang(request)
    pesan = request.query_params.get("pesan")
    context = {
        "lang": language,
        "other_lang": "en" if language == "id" else "id",
        "t": lambda key: t(key, language),
        "csrf": ws.csrf,
        # this page with its whole query, as one parameter (the language switch comes back to it, `ke` included)
        "here": quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="/"),
        "official": official,
        "role_name": (lambda code: role_name(request, code, language)),
        "notice": t(f"msg_{pesan}", language) if pesan in MESSAGES else None,
        "done": pesan in DONE_MESSAGES,  # a form was saved: the page's script forgets its kept drafts
        "max_text": limits.MAX_TEXT,
        "sos_errors": {},
        "sos_penerima": [],
        "sos_catatan": "",
        **ctx,
    }
    response = TEMPLATES.TemplateResponse(request, name, context, status_code=status)
    if ws.fresh:
        write_session(request, response, ws)
    response.headers["Cache-Control"] = "no-store"
    return response


def refused(
    request: Request,
    ws: WebSession,
    official: Official | None,
    message: str,
    back: str,
    status: int,
    *,
    title: str | None = None,
    back_label: str | None = None,
) -> Response:
    """The error page: what was refused, and the way back."""
    ctx = {"message": message, "back": back, "title": title, "back_label": back_label}
    return page(request, "error.html", ws, ctx, official=official, status=status)


def to_login(ws: WebSession) -> Response:
    """To the login page, saying why (logged out, or the session expired), and where to come back to."""
    url = f"/masuk?pesan={'expired' if ws.expired else 'login_required'}"
    if ws.back:
        url += f"&ke={quote(ws.back, safe='')}"
    response = RedirectResponse(url, status_code=303)
    if ws.expired:
        clear_session(response)
    return response


def message(err: ApiError, language: str) -> str:
    """A refusal of the domain (an ApiError) as one line on a page."""
    if not err.errors:
        return t("error_title", language)
    first = err.errors[0]
    if first.rule == "reason_required":
        return t("msg_reason_required", language)
    return first.message_id if language == "id" else first.message_en
