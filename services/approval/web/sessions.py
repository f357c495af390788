"""Signed-cookie sessions and CSRF tokens for the officials' web app.

The cookie holds `{"csrf": <random>, "uid": <official id or absent>, "sid": <random, with uid>}`, signed with the
shared secret (`settings.resolved_secret_key()`) and timestamped when it is issued (at login). A session older than
`settings.token_ttl_s` has expired: the official goes back to the login page with a message. A logged-in session
also lives on the server (`apv_web_session`, keyed by the SHA-256 of `sid`): logging out deletes it, and so do
deactivating the official and resetting the password, so a copy of the cookie opens nothing afterwards. Every POST form
carries the session's `csrf` in a hidden field, compared in constant time before anything else happens.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import NotRequired, TypedDict

from fastapi import Request, Response
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session, col, delete

from services.approval.models import WebSessionRow
from shared.events.envelope import utcnow

SESSION_COOKIE = "lapkin_sesi"
LANG_COOKIE = "lapkin_bahasa"
_SALT = "lapkin-approval-web-session"


class SessionCookie(TypedDict):
    """What the signed session cookie holds: the CSRF token, and once logged in the official and the server-side
    session's id."""

    csrf: str
    uid: NotRequired[int]
    sid: NotRequired[str | None]


@dataclass
class WebSession:
    csrf: str
    uid: int | None = None
    sid: str | None = None  # the server-side session's id (logged in only)
    expired: bool = False  # an official's session that ran out (say so on the login page)
    fresh: bool = False  # not from the cookie: must be set on the response
    back: str | None = None  # the page to return to after logging in (not stored in the cookie)

    def to_dict(self) -> SessionCookie:
        out: SessionCookie = {"csrf": self.csrf}
        if self.uid is not None:
            out["uid"], out["sid"] = self.uid, self.sid
        return out


def _serializer(request: Request) -> URLSafeTimedSerializer:
    secret = request.app.state.rt.settings.resolved_secret_key()
    return URLSafeTimedSerializer(secret, salt=_SALT)


def new_session() -> WebSession:
    return WebSession(csrf=secrets.token_urlsafe(24), fresh=True)


def _row_id(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def start_session(db: Session, official_id: int, ttl_s: int) -> WebSession:
    """A logged-in session, stored (and the expired ones deleted): a new CSRF token with every login."""
    sid = secrets.token_urlsafe(32)
    db.exec(delete(WebSessionRow).where(col(WebSessionRow.created_at) < utcnow() - timedelta(seconds=ttl_s)))
    db.add(WebSessionRow(id=_row_id(sid), official_id=official_id))
    db.commit()
    return WebSession(csrf=secrets.token_urlsafe(24), uid=official_id, sid=sid, fresh=True)


def session_live(db: Session, session: WebSession) -> bool:
    """The cookie's session is still on the server, for the official it names."""
    if session.uid is None or not session.sid:
        return False
    row = db.get(WebSessionRow, _row_id(session.sid))
    return row is not None and row.official_id == session.uid


def end_session(db: Session, session: WebSession) -> None:
    if session.sid:
        db.exec(delete(WebSessionRow).where(col(WebSessionRow.id) == _row_id(session.sid)))
        db.commit()


def read_session(request: Request) -> WebSession:
    """The request's session; a fresh anonymous one when there is none, it is tampered with, or it expired."""
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return new_session()
    ttl = request.app.state.rt.settings.token_ttl_s
    serializer = _serializer(request)
    try:
        data = serializer.loads(raw, max_age=ttl)
    except SignatureExpired as exc:
        try:  # the signature was right, only too old: was it an official's session?
            payload = serializer.load_payload(exc.payload) if exc.payload is not None else None
        except BadSignature:
            payload = None
        had_user = isinstance(payload, dict) and payload.get("uid") is not None
        session = new_session()
        session.expired = had_user
        return session
    except BadSignature:
        return new_session()
    if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
        return new_session()
    uid, sid = data.get("uid"), data.get("sid")
    return WebSession(
        csrf=data["csrf"], uid=uid if isinstance(uid, int) else None, sid=sid if isinstance(sid, str) else None
    )


def write_session(request: Request, response: Response, session: WebSession) -> None:
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        _serializer(request).dumps(session.to_dict()),
        httponly=True,  # a browser-session cookie: the signed timestamp, not the browser, decides when it expires
        samesite="lax",
        secure=secure,
        path="/",
    )


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def csrf_ok(session: WebSession, submitted: str | None) -> bool:
    if not submitted or session.fresh:
        return False
    return hmac.compare_digest(session.csrf.encode(), submitted.encode())
