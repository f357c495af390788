"""What a client sends is bounded in size and time (shared/httphead.py). An attacker with one unit's key sent 200
headers of 1 MiB and took the collector from 392 MB to 1,05 GB, because uvicorn's httptools parser keeps a header of
any size; and uvicorn waits for ever for a head or a body that does not come, so as many half-sent requests as its
--limit-concurrency made it answer 503 to everyone. Here a real uvicorn server runs the protocol every service runs
with (`--http shared.httphead:BoundedHead`; the time rules on a shorter clock): over MAX_HEAD_BYTES a 431 with the
error body, the connection closed after reading little more than the bound; a head or body that does not arrive in
time a 408 and the connection closed; under the bounds, heads, bodies, slow but steady uploads, keep-alive and
pipelining as before."""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lapkin.supervisor import Supervisor
from shared.config import Settings
from shared.httphead import (
    FD_RESERVE,
    HTTP_PROTOCOL,
    MAX_HEAD_BYTES,
    MAX_HEADER_FIELDS,
    MAX_PIPELINED,
    BoundedHead,
    connection_limit,
)
from shared.logthrottle import EVERY_S, LINES_PER_KIND, Throttle


async def echo(request: Request) -> JSONResponse:
    if request.query_params.get("dawdle"):  # the app is behind: it reads the body late
        await asyncio.sleep(float(request.query_params["dawdle"]))
    body = await request.body()
    pad = "x" * int(request.query_params.get("pad", "0"))  # a large answer
    return JSONResponse(
        {"header": len(request.headers.get("x-big", "")), "body": len(body), **({"pad": pad} if pad else {})}
    )


class Quick(BoundedHead):
    """The same rules on a clock 25 times shorter: 0,8 s for a head (at most 1,6 s), 0,8 s for a body, each 500
    bytes received adding 40 ms, 2,4 s for a client to read again; and 4 connections from one address."""

    head_timeout_s, head_timeout_max_s, body_timeout_s, min_rate = 0.8, 1.6, 0.8, 500 * 25
    write_timeout_s, max_connections_per_peer = 2.4, 4


SERVERS: dict[int, uvicorn.Server] = {}  # by port


@contextmanager
def serving(protocol: type[BoundedHead]) -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    config = uvicorn.Config(
        Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"])]),
        host="127.0.0.1",
        port=port,
        http=protocol,
        log_level="critical",
        lifespan="off",
    )
    server = SERVERS[port] = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with serving(Quick) as port:
        yield port


def request(path: str = "/echo", big: int = 0, body: bytes = b"", method: str = "GET") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: t\r\n"
    if big:
        head += f"X-Big: {'a' * big}\r\n"
    if body:
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


def answers(sock: socket.socket, count: int) -> list[tuple[int, dict]]:
    """`count` HTTP answers read off `sock` (each with a Content-Length)."""
    buf, out = b"", list[tuple[int, dict]]()
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
    # what the kernel buffers on both sides plus at most one read past the bound, not the megabytes sent
    assert sent_until_cut_off(port, b"GET /echo HTTP/1.1\r\nHost: t\r\nX-Big: ") < 8 * 1024 * 1024


def sent_until_cut_off(port: int, start: bytes) -> int:
    """`start`, then 16 MiB that never end its line: how much was sent before the server closed the connection."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(start)
        try:
            for _ in range(64 * 16):
                sock.sendall(b"a" * 16384)
                sent += 16384
        except (BrokenPipeError, ConnectionResetError):
            return sent
    pytest.fail("the server read all 16 MiB")


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


def test_a_trailer_without_end_is_cut_off_like_a_header(port: int) -> None:
    """The outsider's trailer: after a chunked body's last chunk, 40 MiB of one trailer line never ended took the
    service from 153 to 442 MB. What comes between a body's pieces is bounded as a head is."""
    start = b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-T: "
    assert sent_until_cut_off(port, start) < 8 * 1024 * 1024


def test_header_lines_are_counted_not_only_their_bytes(port: int) -> None:
    """300 heads of 16.000 empty headers (63 KiB each, under the byte bound) took 530 MB: each line costs far more
    than its 4 bytes. At most MAX_HEADER_FIELDS lines, trailers included."""
    lines = b"".join(b"a%d: b\r\n" % i for i in range(MAX_HEADER_FIELDS + 1))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /echo HTTP/1.1\r\nHost: t\r\n" + lines + b"\r\n")
        ((status, body),) = answers(sock, 1)
        assert status == 431 and f"{MAX_HEADER_FIELDS}" in body["errors"][0]["message_en"]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        trailers = b"".join(b"t%d: v\r\n" % i for i in range(MAX_HEADER_FIELDS))
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n" + trailers)
        ((status, _),) = answers(sock, 1)
        assert status == 431  # the head's 2 lines and the trailers' 100: over
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        ninety = b"".join(b"a%d: b\r\n" % i for i in range(90))
        sock.sendall(request(big=10).replace(b"\r\n\r\n", b"\r\n" + ninety + b"\r\n"))
        assert answers(sock, 1) == [(200, {"header": 10, "body": 0})]  # 92 lines


def test_a_chunked_body_in_many_small_pieces_and_its_trailer_go_through(port: int) -> None:
    pieces = b"".join(b"a\r\n0123456789\r\n" for _ in range(20_000))  # 200.000 bytes, 100.000 of framing
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
            + pieces
            + b"0\r\nX-Checksum: abc\r\n\r\n"
        )
        assert answers(sock, 1) == [(200, {"header": 0, "body": 200_000})]


def connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))


def test_half_sent_heads_get_408_in_time(port: int) -> None:
    """Half a head each: uvicorn waited for ever (and, with --limit-concurrency, answered 503 to everyone else while
    as many stayed). Now each gets a 408 once its time is up."""
    held = [connect(port) for _ in range(4)]
    for sock in held:
        sock.sendall(b"GET /echo HTTP/1.1\r\nHost: t\r\nX-Big: aaa")
    started = time.monotonic()
    for sock in held:
        ((status, body),) = answers(sock, 1)
        assert status == 408 and body["errors"][0]["rule"] == "request_timeout"
        assert "header" in body["errors"][0]["message_id"] and "headers" in body["errors"][0]["message_en"]
        assert sock.recv(1) == b""
        sock.close()
    assert 0.7 < time.monotonic() - started < 5
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request())
        assert answers(sock, 1) == [(200, {"header": 0, "body": 0})]


def test_one_address_cannot_hold_every_connection(port: int) -> None:
    """The second outsider's 600 idle connections made uvicorn's --limit-concurrency answer its plain 503 to
    everyone. The services no longer run with that limit; one address that is not a trusted proxy keeps at most
    `max_connections_per_peer` open (4 here, 128 in service): beyond, a 429 in the error body, closed; another
    address, and the trusted proxy (127.0.0.1 unless FORWARDED_ALLOW_IPS says otherwise), still get in at once."""
    held = [connect(port, "127.0.0.2") for _ in range(4)]
    time.sleep(0.1)
    with connect(port, "127.0.0.2") as extra:
        ((status, body),) = answers(extra, 1)
        assert status == 429 and body["errors"][0]["rule"] == "too_many_connections"
        assert extra.recv(1) == b""
    for source in ("127.0.0.3", "127.0.0.1"):
        with connect(port, source) as other:
            other.sendall(request())
            assert answers(other, 1) == [(200, {"header": 0, "body": 0})]
    for sock in held:
        sock.close()
    time.sleep(0.1)
    with connect(port, "127.0.0.2") as again:  # the address's connections given back as they closed
        again.sendall(request())
        assert answers(again, 1) == [(200, {"header": 0, "body": 0})]


def test_an_upgrade_request_is_answered_as_any_other_and_gives_its_connection_back(port: int) -> None:
    """The third outsider's 128 WebSocket upgrade requests (answered 403 in plain text) locked their address out
    until a restart: uvicorn handed each connection to another protocol, whose closing this one never saw. No service
    speaks WebSocket: the header is ignored, and the address's connections come back as they close."""
    upgrade = b"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
    upgrade += b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    for _ in range(6):  # more than the 4 connections an address keeps here
        with connect(port, "127.0.0.5") as sock:
            sock.sendall(request().replace(b"\r\n\r\n", b"\r\n" + upgrade))
            assert answers(sock, 1) == [(200, {"header": 0, "body": 0})]
        time.sleep(0.05)
    with connect(port, "127.0.0.5") as sock:
        sock.sendall(request())
        assert answers(sock, 1) == [(200, {"header": 0, "body": 0})]


def test_a_trailer_over_the_bound_in_one_read_is_refused(port: int) -> None:
    with connect(port) as sock:
        trailer = b"X-T: " + b"a" * (MAX_HEAD_BYTES + 1024) + b"\r\n\r\n"
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n" + trailer)
        ((status, _),) = answers(sock, 1)
        assert status == 431


class Few(Quick):
    max_connections = 3


def test_connections_in_all_stay_below_what_the_process_can_open() -> None:
    """Connections from many addresses (the third outsider's nine, under an open-files limit of 1.024) left the
    process no descriptor to accept anyone with: an empty reply for every client. A process keeps at most
    `connection_limit()` open (3 here); beyond, 503 `busy` in the error body, and the others are served."""
    with serving(Few) as port:
        held = [connect(port, f"127.0.0.{n}") for n in (2, 3, 4)]
        time.sleep(0.1)
        with connect(port, "127.0.0.5") as extra:
            ((status, body),) = answers(extra, 1)
            assert status == 503 and body["errors"][0]["rule"] == "busy"
        held[0].sendall(request())
        assert answers(held[0], 1) == [(200, {"header": 0, "body": 0})]
        for sock in held:
            sock.close()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert connection_limit() <= max(16, soft - FD_RESERVE) and soft == hard  # raised to the hard limit


def test_a_refusal_is_logged_once_a_minute_per_address(caplog: pytest.LogCaptureFixture) -> None:
    """24.593 refused connections wrote 4,2 MiB of log in 10 s: one line a minute per address and kind now."""
    now = [1000.0]
    throttle = Throttle(clock=lambda: now[0])
    log = logging.getLogger("lapkin.http")
    with caplog.at_level(logging.WARNING, logger="lapkin.http"):
        for _ in range(100):
            throttle.warning(log, "test", "10.9.9.1", "refused %s", "10.9.9.1")
        throttle.warning(log, "test", "10.9.9.2", "refused %s", "10.9.9.2")
    assert [r.getMessage() for r in caplog.records] == ["refused 10.9.9.1", "refused 10.9.9.2"]
    now[0] += EVERY_S + 1  # a minute on
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="lapkin.http"):
        throttle.warning(log, "test", "10.9.9.1", "refused %s", "10.9.9.1")
    assert [r.getMessage() for r in caplog.records] == ["refused 10.9.9.1 (99 more like it in the last minute)"]


def test_refusals_from_many_addresses_are_at_most_a_few_lines_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    """The fourth outsider sent one malformed request from each of 30.000 addresses: 29.882 lines in 20 s, each
    address's first. A kind writes LINES_PER_KIND a minute from all addresses together, then one line counting the
    rest; another kind has its own."""
    now = [1000.0]
    throttle = Throttle(clock=lambda: now[0])
    log = logging.getLogger("lapkin.http")
    with caplog.at_level(logging.WARNING, logger="lapkin.http"):
        for n in range(30_000):
            throttle.warning(log, "invalid", f"10.{n // 65536}.{n // 256 % 256}.{n % 256}", "bad %s", n)
        throttle.warning(log, "gone", "10.0.0.1", "gone")
        assert len(caplog.records) == LINES_PER_KIND + 1
        now[0] += EVERY_S + 1
        throttle.warning(log, "invalid", "10.200.0.1", "bad %s", "again")
    said = [r.getMessage() for r in caplog.records[LINES_PER_KIND + 1 :]]
    assert said == [f"{30_000 - LINES_PER_KIND} more invalid warnings in the last minute, over the {LINES_PER_KIND} "
                    "a minute written one by one", "bad again"]  # fmt: skip
    assert len(throttle.by_address) == LINES_PER_KIND + 2  # only the addresses written are remembered


def test_a_client_that_does_not_read_its_answers_is_cut_off(port: int) -> None:
    """The second outsider's pipelined requests, never read, held their places for as long as it liked. A client
    that reads nothing for `write_timeout_s` (2,4 s here, 60 s in service) is cut off, and its places come back."""
    server = SERVERS[port]
    sock = connect(port, "127.0.0.4")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.sendall(request("/echo?pad=600000") * 10)  # 6 MB of answers: more than the sockets' buffers hold
    time.sleep(0.5)
    assert any(p.client and p.client[0] == "127.0.0.4" for p in server.server_state.connections)
    deadline = time.monotonic() + 6
    while any(p.client and p.client[0] == "127.0.0.4" for p in server.server_state.connections):
        assert time.monotonic() < deadline, "a client reading nothing kept its connection"
        time.sleep(0.1)
    sock.close()


def test_what_is_not_http_is_refused_in_the_error_body(port: int) -> None:
    with connect(port) as sock:
        sock.sendall(b"GET /echo HTTP/1.1\r\nHost: t\r\nBad header line\r\n\r\n")
        ((status, body),) = answers(sock, 1)
        assert status == 400 and body["errors"][0]["rule"] == "invalid_http"


def test_a_connection_that_sends_nothing_is_closed_without_a_word(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        started = time.monotonic()
        assert sock.recv(100) == b""
        assert 0.7 < time.monotonic() - started < 5


def test_a_head_trickled_in_is_cut_off_at_its_longest(port: int) -> None:
    """Each byte adds to the head's time, up to its longest (1,6 s here, 40 s in service)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /echo HTTP/1.1\r\nHost: t\r\nX-Big: ")
        started = time.monotonic()
        with pytest.raises((BrokenPipeError, ConnectionResetError)):
            while time.monotonic() - started < 5:
                sock.sendall(b"a" * 400)  # 400 bytes every 50 ms: each adds 32 ms, the head never ends
                time.sleep(0.05)
        assert time.monotonic() - started < 2.5


def test_a_body_that_does_not_come_is_408_and_a_slow_steady_one_goes_through(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nab")
        ((status, body),) = answers(sock, 1)
        assert status == 408 and body["errors"][0]["rule"] == "request_timeout"
        assert "isi permintaan" in body["errors"][0]["message_id"] and "body" in body["errors"][0]["message_en"]
        assert sock.recv(1) == b""
    chunks, size = 8, 5000  # 40.000 bytes over 2 s, far past 0,8 s: each chunk adds 0,2 s, more than it waits
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: {chunks * size}\r\n\r\n".encode())
        for _ in range(chunks):
            time.sleep(0.25)
            sock.sendall(b"x" * size)
        assert answers(sock, 1) == [(200, {"header": 0, "body": chunks * size})]


class Strict(Quick):
    min_rate = 10**12  # bytes received add (next to) nothing: only the wait for the app can keep the body's clock


def test_an_app_that_reads_late_is_not_the_clients_delay() -> None:
    """A body larger than uvicorn's buffer stops the reading until the app reads it: that wait is not counted."""
    body = b"x" * (1024 * 1024)
    with serving(Strict) as port, socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request("/echo?dawdle=2", method="POST", body=body))
        assert answers(sock, 1) == [(200, {"header": 0, "body": len(body)})]


def test_every_service_runs_with_it(tmp_path) -> None:
    supervisor = Supervisor(Settings(data_dir=tmp_path), {}, services=("collector",))  # type: ignore[call-arg]
    command = supervisor.command("collector")
    assert command[command.index("--http") + 1] == HTTP_PROTOCOL


def test_requests_sent_ahead_of_their_answers_wait_at_most_max_pipelined(port: int) -> None:
    """The fourth outsider sent small requests on one connection without ever reading an answer: uvicorn read on and
    queued every one (16 MiB took a service from 140 MiB to 1 GiB). Now at most MAX_PIPELINED wait behind the answer
    under way; the next is a 429 after their answers, nothing after it is read, and the connection closes."""
    server = SERVERS[port]
    with connect(port, "127.0.0.6") as sock:
        sock.sendall(request("/echo?dawdle=0.6") + request() * 99)  # in one read, while the first is answered
        time.sleep(0.3)
        (mine,) = [p for p in server.server_state.connections if p.client and p.client[0] == "127.0.0.6"]
        assert mine.overflowed and len(mine.pipeline) == MAX_PIPELINED  # the 99 not all queued
        got = answers(sock, MAX_PIPELINED + 2)
        assert [status for status, _ in got] == [200] * (MAX_PIPELINED + 1) + [429]
        assert got[-1][1]["errors"][0]["rule"] == "too_many_pipelined"
        assert sock.recv(1) == b""  # closed: the other 82 not carried out
    with connect(port, "127.0.0.6") as sock:  # the address is not held against: a new connection is served
        sock.sendall(request() * 3)
        assert [status for status, _ in answers(sock, 3)] == [200, 200, 200]


def test_requests_waiting_for_their_turn_are_not_read_ahead_of(port: int) -> None:
    """uvicorn resumed reading after each answer while requests still waited: a client that never read its answers
    got more of its requests read and queued after every answer. Now nothing more is read while any waits; once
    none does, what came meanwhile is read and answered."""
    server = SERVERS[port]
    with connect(port, "127.0.0.7") as sock:
        sock.sendall(request("/echo?dawdle=0.1") * 10)  # a second of answers, within the bound
        time.sleep(0.25)
        (mine,) = [p for p in server.server_state.connections if p.client and p.client[0] == "127.0.0.7"]
        waiting = len(mine.pipeline)
        sock.sendall(request() * 10)  # ten more while those wait
        time.sleep(0.25)
        assert len(mine.pipeline) < waiting <= 8  # the ten not read: the queue only went down
        got = answers(sock, 20)
        assert [status for status, _ in got] == [200] * 20 and not mine.overflowed


def test_uvicorns_line_for_an_answer_its_client_left_is_one_throttled_warning(caplog: pytest.LogCaptureFixture) -> None:
    """The fifth outsider's connections, each closed while its answer was stalled, wrote uvicorn's plain-text ERROR
    "ASGI callable returned without completing response." each: 192 in 10 s. It is one throttled warning now."""
    seen: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    keep = Keep()
    uvicorn_error = logging.getLogger("uvicorn.error")
    level, disabled = uvicorn_error.level, uvicorn_error.disabled  # this module's servers set it to critical
    uvicorn_error.setLevel(logging.WARNING)
    uvicorn_error.disabled = False
    uvicorn_error.addHandler(keep)
    try:
        with caplog.at_level(logging.WARNING, logger="lapkin.http"):
            for _ in range(50):
                uvicorn_error.error("ASGI callable returned without completing response.")
            uvicorn_error.error("something else")
    finally:
        uvicorn_error.removeHandler(keep)
        uvicorn_error.setLevel(level)
        uvicorn_error.disabled = disabled
    assert seen == ["something else"]
    assert [r.getMessage() for r in caplog.records if r.name == "lapkin.http"] == [
        "an answer was left incomplete: its client had gone (uvicorn)"]  # fmt: skip
