"""Signed-cookie sessions and CSRF tokens for the officials' web app.

The cookie holds `{"csrf": <random>, "uid": <official id or absent>}`, signed with the shared secret
(`settings.resolved_secret_key()`) and timestamped when it is issued (at login). A session older than
`settings.token_ttl_s` has expired: the official goes back to the login page with a message. Every POST form
carries the session's `csrf` in a hidden field, compared in constant time before anything else happens.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SESSION_COOKIE = "lapkin_sesi"
LANG_COOKIE = "lapkin_bahasa"
_SALT = "lapkin-approval-web-session"


@dataclass
class WebSession:
    csrf: str
    uid: int | None = None
    expired: bool = False  # an official's session that ran out (say so on the login page)
    fresh: bool = False  # not from the cookie: must be set on the response

    def to_dict(self) -> dict[str, Any]:
        return {"csrf": self.csrf, **({"uid": self.uid} if self.uid is not None else {})}


def _serializer(request: Request) -> URLSafeTimedSerializer:
    secret = request.app.state.rt.settings.resolved_secret_key()
    return URLSafeTimedSerializer(secret, salt=_SALT)


def new_session(uid: int | None = None) -> WebSession:
    return WebSession(csrf=secrets.token_urlsafe(24), uid=uid, fresh=True)


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
    uid = data.get("uid")
    return WebSession(csrf=data["csrf"], uid=uid if isinstance(uid, int) else None)


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
