"""A request whose body did not arrive whole is never carried out. InputGuard read a JSON or form body up to the
client's disconnect (a dropped line, or shared/httphead.py's 408 for a body that stopped coming) and handed what had
come to the route as if it were the whole body: a form cut after `catatan=Setuju%20dengan` is itself a valid form.
Now the route is not called; a body read by the route itself (multipart) ends in Starlette's ClientDisconnect, which
LastResort logs as a client gone, not a 500 with a traceback."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from shared.inputguard import InputGuard, LastResort

carried_out: list[bytes] = []


async def act(request: Request) -> PlainTextResponse:
    form = await request.form() if request.headers["content-type"].startswith("multipart") else None
    carried_out.append(await request.body() if form is None else b"multipart")
    return PlainTextResponse("done")


# as build_app stacks them: Starlette's own error middleware outside, ours inside it
APP = Starlette(
    routes=[Route("/act", act, methods=["POST"])], middleware=[Middleware(LastResort), Middleware(InputGuard)]
)


def scope_of(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "scheme": "http",
        "server": ("t", 80),
        "client": ("c", 1),
        "root_path": "",
        "http_version": "1.1",
    }


def send_cut_off(content_type: bytes, first_part: bytes) -> list[dict[str, Any]]:
    """The first part of a body, then the client gone; what the app sent back."""
    incoming = [
        {"type": "http.request", "body": first_part, "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = scope_of("POST", "/act", [(b"content-type", content_type), (b"content-length", b"1000")])
    asyncio.run(APP(scope, receive, send))  # type: ignore[arg-type]
    return sent


@pytest.mark.parametrize(
    ("content_type", "first_part"),
    [
        (b"application/x-www-form-urlencoded", b"keputusan=setuju&catatan=Setuju%20dengan"),
        (b"application/json", b'{"tahun": 2024, "triwulan": 1'),
    ],
)
def test_a_body_cut_off_by_the_client_is_not_carried_out(content_type: bytes, first_part: bytes) -> None:
    carried_out.clear()
    send_cut_off(content_type, first_part)
    assert carried_out == []


def test_a_multipart_body_cut_off_is_a_client_gone_not_a_500(caplog: pytest.LogCaptureFixture) -> None:
    carried_out.clear()
    with caplog.at_level(logging.WARNING, logger="lapkin.input"):
        sent = send_cut_off(b"multipart/form-data; boundary=xyz", b'--xyz\r\nContent-Disposition: form-data; name="f"')
    assert carried_out == []
    assert not any(m.get("status") == 500 for m in sent)
    assert "client gone" in caplog.text and "Traceback" not in caplog.text
    assert not any(r.exc_info for r in caplog.records)


def test_an_answer_that_cannot_be_sent_is_a_client_gone_not_an_error(caplog: pytest.LogCaptureFixture) -> None:
    """The second outsider's pipelined requests, still waiting when their connection closed, each logged an
    "unexpected error" with two tracebacks (384 for 192 connections): the server's send failing is the client gone."""

    async def ok(_: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/ok", ok)], middleware=[Middleware(LastResort)])
    scope = scope_of("GET", "/ok", [])

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_: dict[str, Any]) -> None:
        raise RuntimeError("unable to perform operation on <TCPTransport closed=True>; the handler is closed")

    with caplog.at_level(logging.WARNING):
        asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    assert "client gone before its answer" in caplog.text
    assert not any(r.exc_info for r in caplog.records) and "unexpected error" not in caplog.text


def test_clients_gone_mid_body_are_one_line_a_minute_per_address(caplog: pytest.LogCaptureFixture) -> None:
    """The fourth outsider's connections, each a head and part of a body then gone, wrote a line each: 3.223 lines in
    5 s from one address. Now one line a minute per address (shared/logthrottle.py)."""
    with caplog.at_level(logging.WARNING, logger="lapkin.input"):
        for _ in range(50):
            send_cut_off(b"application/json", b'{"tahun": 2024')
            send_cut_off(b"multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=")
    assert [r.getMessage() for r in caplog.records] == ["POST /act: client gone before its body ended; not carried out"]
