"""The request's head is bounded (shared/httphead.py): an attacker with one unit's key sent 200 headers of 1 MiB and
took the collector from 392 MB to 1,05 GB, because uvicorn's httptools parser keeps a header of any size. Here a real
uvicorn server runs the protocol every service runs with (`--http shared.httphead:BoundedHead`): over MAX_HEAD_BYTES
a 431 with the error body, the connection closed after reading little more than the bound; under it, heads, bodies,
keep-alive and pipelining as before."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lapkin.supervisor import Supervisor
from shared.config import Settings
from shared.httphead import HTTP_PROTOCOL, MAX_HEAD_BYTES


async def echo(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse({"header": len(request.headers.get("x-big", "")), "body": len(body)})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    config = uvicorn.Config(
        Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"])]),
        host="127.0.0.1",
        port=port,
        http=HTTP_PROTOCOL,
        log_level="error",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(10)


def request(path: str = "/echo", big: int = 0, body: bytes = b"", method: str = "GET") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: t\r\n"
    if big:
        head += f"X-Big: {'a' * big}\r\n"
    if body:
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def answers(sock: socket.socket, count: int) -> list[tuple[int, dict]]:
    """`count` HTTP answers read off `sock` (each with a Content-Length)."""
    buf, out = b"", []
    while len(out) < count:
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {len(out)} answers: {buf[:200]!r}"
            buf += chunk
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        length = next(int(v) for k, _, v in (h.partition(": ") for h in lines[1:]) if k.lower() == "content-length")
        while len(buf) < length:
            chunk = sock.recv(65536)
            assert chunk
            buf += chunk
        out.append((int(lines[0].split()[1]), json.loads(buf[:length])))
        buf = buf[length:]
    return out


def test_a_head_over_the_bound_is_refused_with_431_and_the_error_body(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request(big=MAX_HEAD_BYTES + 1024))
        ((status, body),) = answers(sock, 1)
        assert status == 431
        (error,) = body["errors"]
        assert error["field"] == "headers" and error["rule"] == "too_large"
        assert "64 KiB" in error["message_id"] and "64 KiB" in error["message_en"]
        assert sock.recv(1) == b""  # closed


def test_a_megabyte_header_is_not_read_to_its_end(port: int) -> None:
    """The attacker's header: the server answers and closes long before the client has sent it all."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /echo HTTP/1.1\r\nHost: t\r\nX-Big: ")
        chunk = b"a" * 16384
        try:
            for _ in range(64 * 16):  # 16 MiB, never finished
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        else:
            pytest.fail("the server read a 16 MiB header to its end")
    # what the kernel buffers on both sides plus at most one read past the bound, not the megabytes sent
    assert sent < 8 * 1024 * 1024


def test_under_the_bound_heads_bodies_keep_alive_and_pipelining_are_as_before(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request(big=MAX_HEAD_BYTES - 1024))  # just under
        assert answers(sock, 1) == [(200, {"header": MAX_HEAD_BYTES - 1024, "body": 0})]
        body = b"x" * (4 * MAX_HEAD_BYTES)  # a body, sent with its head in one write, is never counted
        sock.sendall(request(method="POST", body=body))
        assert answers(sock, 1) == [(200, {"header": 0, "body": len(body)})]
        for _ in range(3):  # heads on one connection add up to more than the bound: each is counted alone
            sock.sendall(request(big=MAX_HEAD_BYTES // 2))
            assert answers(sock, 1) == [(200, {"header": MAX_HEAD_BYTES // 2, "body": 0})]
        sock.sendall(request(big=100) + request(method="POST", body=b"abc") + request())  # pipelined
        assert answers(sock, 3) == [(200, {"header": 100, "body": 0}), (200, {"header": 0, "body": 3}),
                                    (200, {"header": 0, "body": 0})]  # fmt: skip


def test_every_service_runs_with_it(tmp_path) -> None:
    supervisor = Supervisor(Settings(data_dir=tmp_path), {}, services=("collector",))  # type: ignore[call-arg]
    command = supervisor.command("collector")
    assert command[command.index("--http") + 1] == HTTP_PROTOCOL
