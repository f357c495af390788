"""What no service takes from a request, checked once for all of them before any route runs: JSON nested deeper than
`MAX_JSON_DEPTH` (Python's parser recurses: 1,000 levels were a RecursionError, a 500) and the NUL character in
any text — the path, a query parameter, a JSON string or key, a form field — which PostgreSQL cannot store (it was
a DataError, a 500). Each is a 422 with the error body, or the app's own error page for its web pages
(`app.state.error_page`). Integers are bounded where they are read (`row_id`, `shared.service.RowId`): what fits
depends on the field. Multipart bodies are left to the routes that stream them (their text fields: `check_text`).

`LastResort` turns any exception a route did not expect into a 500 with the error body (logged with its
traceback), instead of a plain-text answer and a dropped connection."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from itertools import accumulate
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import ApiError, ErrorItem, error_body
from shared.httphead import trusted_proxy
from shared.logthrottle import warn
from shared.security import bearer_token

log = logging.getLogger("lapkin.input")
MAX_JSON_DEPTH = 32  # a PK is 5 levels deep; nothing the services read comes near
MAX_ROW_ID = 2**31 - 1  # an integer key, as both databases store it
NUL = "\x00"
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # \ud800-\udfff: half of a UTF-16 pair, maybe alone
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # unrolled: one step per run of plain bytes
_BRACKETS = bytes(range(256)).translate(None, b"[]{}")  # every byte but the four: deleted by translate
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}

ErrorPage = Callable[[Request, ApiError], Response]


def too_deep(field: str = "body") -> ApiError:
    return ApiError(
        422,
        [
            ErrorItem(
                field,
                "too_deep",
                f"{field}: JSON bersarang lebih dari {MAX_JSON_DEPTH} tingkat",
                f"{field}: JSON nested more than {MAX_JSON_DEPTH} levels deep",
            )
        ],
    )


FIELD_SHOWN = 80  # characters of a field's name an error repeats: a form-typed JSON body is one long "name"


def _named(field: str) -> str:
    field = field.replace(NUL, "") or "body"
    return field if len(field) <= FIELD_SHOWN else field[: FIELD_SHOWN - 1] + "…"


def nul_character(field: str) -> ApiError:
    field = _named(field)
    return ApiError(
        422,
        [
            ErrorItem(
                field,
                "nul_character",
                f"{field}: tidak boleh memuat karakter NUL (\\u0000)",
                f"{field}: must not contain the NUL character (\\u0000)",
            )
        ],
    )


def lone_surrogate(field: str) -> ApiError:
    field = _named(field.encode("utf-8", "replace").decode("utf-8"))  # a key may be the culprit: "?" for it
    return ApiError(
        422,
        [
            ErrorItem(
                field,
                "invalid_character",
                f"{field}: memuat separuh pasangan surrogate UTF-16 (\\ud800–\\udfff) yang bukan karakter",
                f"{field}: holds half of a UTF-16 surrogate pair (\\ud800–\\udfff), which is not a character",
            )
        ],
    )


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def row_id(value: Any) -> int:
    """An integer key from a body or a form (an int, or its digits as text), bounded as the databases store it;
    ValueError otherwise (2^70 was a 500: SQLite's OverflowError, PostgreSQL's out-of-range)."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ROW_ID:
        raise ValueError(f"not an id: {value!r}")
    return value


def json_too_deep(raw: bytes) -> bool:
    """Does a JSON text nest deeper than MAX_JSON_DEPTH? Read without parsing it (so without recursing): its strings
    removed, the running sum of its brackets."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return False
    structure = _STRING.sub(b"", raw).translate(None, _BRACKETS)
    return max(accumulate(_STEP[b] for b in structure), default=0) > MAX_JSON_DEPTH


def nul_in_json(value: Any, path: str = "body") -> str | None:
    """The first place (as `field.sub[0]`) a decoded JSON value holds a NUL, in a key or a string."""
    for where, text in _strings(value, path):
        if NUL in text:
            return where
    return None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            here = k if path == "body" else f"{path}.{k}"
            yield here, k
            yield from _strings(v, here)
    elif isinstance(value, list):
        for n, v in enumerate(value):
            yield from _strings(v, f"{path}[{n}]")


def surrogate_in_json(value: Any, path: str = "body") -> str | None:
    """The first place a decoded JSON value holds a lone surrogate (`"\\ud800"` decodes to text no database or
    UTF-8 encoder takes: it was a UnicodeEncodeError, a 500, at the insert)."""
    for where, text in _strings(value, path):
        if _has_lone_surrogate(text):
            return where
    return None


def check_json(raw: bytes) -> None:
    """ApiError for a JSON body nested too deep or holding a NUL or a lone surrogate; anything else (invalid JSON
    too) is the route's."""
    if json_too_deep(raw):
        raise too_deep()
    nul = b"\\u0000" in raw or b"\x00" in raw
    surrogate = _SURROGATE_ESCAPE.search(raw) is not None
    if not (nul or surrogate):
        return
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return  # not JSON: the route says so
    if nul and (where := nul_in_json(value)) is not None:
        raise nul_character(where)
    if surrogate and (where := surrogate_in_json(value)) is not None:
        raise lone_surrogate(where)


def check_text(field: str, value: str | None) -> None:
    if value is not None and NUL in value:
        raise nul_character(field)
    if value is not None and _has_lone_surrogate(value):
        raise lone_surrogate(field)


def check_pairs(pairs: list[tuple[str, str]], where: str) -> None:
    for name, value in pairs:
        if NUL in name or NUL in value:
            raise nul_character(name.replace(NUL, "") or where)


class _HttpMiddleware:
    """An ASGI middleware for HTTP requests (anything else passes through)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        else:
            await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class InputGuard(_HttpMiddleware):
    """ASGI middleware: refuses the request (422, nothing reaches the app) when its path, query string, JSON body or
    urlencoded form holds a NUL, or its JSON nests deeper than MAX_JSON_DEPTH. Sits inside the body-size limit, so a
    body it buffers is never over it."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            if NUL in scope["path"]:
                raise nul_character("path")
            check_pairs(_query(scope), "query")
            kind = _body_kind(scope)
            if kind is None:
                await self.app(scope, receive, send)
                return
            body, more = await _read_body(receive)
            if more:  # the client went away before its body ended: a request not sent whole is not carried out
                _gone(scope, "client gone before its body ended; not carried out")
                return
            if kind == "json":
                check_json(body)
            else:
                check_pairs(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True), "body")
        except ApiError as refused:
            await refusal(scope, refused)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)


def _query(scope: Scope) -> list[tuple[str, str]]:
    raw = scope.get("query_string", b"").decode("latin-1")
    return parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="replace") if raw else []


def checked_as_json(scope: Scope) -> bool:
    """Did InputGuard look into this request's body already (`check_json`: it was sent as JSON)?"""
    return _body_kind(scope) == "json"


def _body_kind(scope: Scope) -> str | None:
    headers = dict(scope["headers"])
    ctype = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
    if ctype == "application/json" or ctype.endswith("+json"):
        return "json"
    if ctype == "application/x-www-form-urlencoded":
        return "form"
    return None


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole body, and what came instead of its end (a disconnect: then the body is not whole)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), []


def _replay(body: bytes, receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


def refusal(scope: Scope, refused: ApiError) -> Response:
    """The error body; the app's error page (`app.state.error_page`) for what is not its JSON API."""
    page: ErrorPage | None = getattr(getattr(scope.get("app"), "state", None), "error_page", None)
    request = Request(scope)
    if page is not None and not scope["path"].startswith("/api/"):
        return page(request, refused)
    return JSONResponse(error_body(refused.errors), status_code=refused.status)


INTERNAL_ERROR = ApiError(
    500,
    [
        ErrorItem(
            None,
            "internal_error",
            "Terjadi kesalahan di server; permintaan tidak diproses. Kesalahan sudah dicatat.",
            "The server failed; the request was not processed. The failure has been logged.",
        )
    ],
)


OVERLOADED = ApiError(
    503,
    [
        ErrorItem(
            None,
            "busy",
            "Layanan sedang menerima terlalu banyak permintaan sekaligus; permintaan tidak diproses. Coba lagi "
            "sebentar lagi.",
            "The service is receiving too many requests at once; the request was not processed. Try again shortly.",
        )
    ],
)
OVERLOADED_RETRY_AFTER_S = 1


def too_many_at_once(limit: int, by: str) -> ApiError:
    """429 for a caller over its share: `by` "credential" (one Authorization header) or "address" (one client)."""
    field, whose_id, whose_en = (
        ("Authorization", "dengan kredensial ini", "with these credentials")
        if by == "credential"
        else (None, "dari alamat ini", "from this address")
    )
    prefix = f"{field}: " if field else ""
    return ApiError(
        429,
        [
            ErrorItem(
                field,
                "too_many_at_once",
                f"{prefix}terlalu banyak permintaan sekaligus {whose_id} (paling banyak {limit} yang berjalan "
                "bersamaan); permintaan tidak diproses. Tunggu jawaban yang sedang berjalan.",
                f"{prefix}too many requests at once {whose_en} (at most {limit} under way together); the request "
                "was not processed. Wait for the answers under way.",
            )
        ],
        headers={"Retry-After": str(OVERLOADED_RETRY_AFTER_S)},
    )


class InFlightLimit(_HttpMiddleware):
    """ASGI middleware: at most `limit` HTTP requests of this process in the app at once; beyond them a 503 `busy`
    with the error body and Retry-After at once, nothing done — instead of a queue without bound, and instead of
    uvicorn's own plain-text 503 (whose --limit-concurrency the services no longer use: shared/httphead.py).

    No one caller takes every place (an attacker did, and the other units and the admin's revocation got 503s):
    - at most `per_credential` with one Authorization header (one API key, one token), read as the services read it
      (every spelling of the header for one token is one caller);
    - at most `per_address` from one client address (the proxy's X-Forwarded-For under deploy/, which uvicorn
      trusts from the proxy only), with or without credentials: made-up tokens and requests without any (a body sent
      slowly to any path is held while InputGuard reads it, before any route checks who sent it) count here too.
      A trusted proxy's own address (`shared.httphead.trusted_proxy`: 127.0.0.1 unless FORWARDED_ALLOW_IPS says
      otherwise) is many clients: it has no share of its own.
    Beyond either, a 429 `too_many_at_once`, nothing done; other callers still get in."""

    def __init__(self, app: ASGIApp, limit: int, per_credential: int = 0, per_address: int = 0) -> None:
        super().__init__(app)
        self.limit = limit
        self.per_credential = per_credential or limit
        self.per_address = per_address or limit
        self.in_flight = 0
        # at most `limit` entries each: one goes when its last request ends
        self.by_credential: dict[str, int] = {}
        self.by_address: dict[str, int] = {}

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.in_flight >= self.limit:
            response = refusal(scope, OVERLOADED)
            response.headers["Retry-After"] = str(OVERLOADED_RETRY_AFTER_S)
            await _answer_unless_gone(response, scope, receive, send)
            return
        credential = None
        for name, value in scope["headers"]:  # a loop, not next(generator): no Python call per header
            if name == b"authorization":
                credential = _credential(value)
                break
        client = scope.get("client")
        address = client[0] if client and not trusted_proxy(client[0]) else None  # a proxy carries many clients
        refused = None
        if address is not None and self.by_address.get(address, 0) >= self.per_address:
            refused = too_many_at_once(self.per_address, "address")
        elif credential is not None and self.by_credential.get(credential, 0) >= self.per_credential:
            refused = too_many_at_once(self.per_credential, "credential")
        if refused is not None:
            response = refusal(scope, refused)
            response.headers.update(refused.headers or {})
            await _answer_unless_gone(response, scope, receive, send)
            return
        if address is not None:
            self.by_address[address] = self.by_address.get(address, 0) + 1
        if credential is not None:
            self.by_credential[credential] = self.by_credential.get(credential, 0) + 1
        self.in_flight += 1  # one event loop: no lock needed
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            if address is not None:
                _release(self.by_address, address)
            if credential is not None:
                _release(self.by_credential, credential)


async def _answer_unless_gone(response: Response, scope: Scope, receive: Receive, send: Send) -> None:
    """A refusal, outside LastResort: a connection already gone (a pipelined request behind one cut off) is one
    warning line, not uvicorn's "Exception in ASGI application"."""
    try:
        await response(scope, receive, send)
    except Exception as exc:
        _gone(scope, f"client gone before its refusal ({exc})")


def _gone(scope: Scope, what: str) -> None:
    """A client gone before its request ended or its answer was sent: a warning, throttled per client address (a
    connect and a few bytes each: shared/logthrottle.py)."""
    client = scope.get("client")
    warn(log, "gone", client[0] if client else "", "%s %s: %s", scope["method"], scope["path"], what)


def _release(held: dict[str, int], who: str) -> None:
    left = held.pop(who) - 1
    if left:
        held[who] = left


def _credential(header: bytes) -> str:
    """The credentials the (first) Authorization header names, read as every service reads them
    (`shared.security.bearer_token`): every spelling of one token is one caller, as is every spelling of a Bearer
    header without one; another scheme, the header as sent."""
    text = header.decode("latin-1")
    token = bearer_token(text)
    if token is not None:
        return token
    return "" if text.partition(" ")[0].lower() == "bearer" else text  # a Bearer without a token, in any spelling


class _AnswerNotSent(Exception):
    """Sending the answer failed: the client's connection is gone."""


class LastResort(_HttpMiddleware):
    """ASGI middleware: an exception no handler took becomes a 500 with the error body (the app's error page for its
    web pages), logged with the request; the connection stays usable. Outside the body-size limit (whose own
    exception it lets that middleware answer), inside the metrics."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            try:
                await send(message)
            except Exception as exc:  # the connection is gone (the server's own send failed)
                raise _AnswerNotSent from exc

        try:
            await self.app(scope, receive, tracked)
        except ClientDisconnect:  # the client went away mid-body (or timed out, shared/httphead.py): no one to answer
            _gone(scope, "client gone before its body ended; not carried out")
        except _AnswerNotSent as gone:  # e.g. pipelined requests still waiting when their connection closed
            _gone(scope, f"client gone before its answer ({gone.__cause__})")
        except Exception:
            log.exception("%s %s: unexpected error", scope["method"], scope["path"])
            if started:
                raise  # the answer is under way: nothing better to send
            try:
                response = refusal(scope, INTERNAL_ERROR)
            except Exception:  # the error page itself failed
                log.exception("rendering the error page")
                response = JSONResponse(error_body(INTERNAL_ERROR.errors), status_code=500)
            await response(scope, receive, send)
