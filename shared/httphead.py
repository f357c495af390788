"""uvicorn's httptools protocol with what a client sends bounded in size and in time, so that no one — with or
without credentials — can hold a service's memory or its places by sending slowly or without end.

**Size.** At most `MAX_HEAD_BYTES` of request line and headers; beyond, a 431 with the error body and the connection
closed. httptools (llhttp) keeps a header of any size in memory until its line ends: an attacker with one unit's key
sent 200 headers of 1 MiB each and took a service from 392 MB to 1,05 GB. uvicorn bounds the head only for h11
(`h11_max_incomplete_event_size`), which costs more CPU per request. The head is measured twice: the bytes read while
a message's head is not complete (what the parser keeps: at most one read, ≤ 256 KiB, past the bound, and a body is
never counted), and the URL and headers as parsed (a head that came in one read). The same bound holds for what
comes between a body's pieces (chunk framing, and the trailers after a chunked body: 40 MiB of one unended trailer
took a service from 153 to 442 MB), and at most `MAX_HEADER_FIELDS` header lines, trailers included (300 heads of
16.000 empty headers each, 63 KiB apiece, took 530 MB).

**Time** (the rule of Apache's mod_reqtimeout, with its defaults). uvicorn waits for ever for a head that does not
end and for a body that does not come, and its `--limit-concurrency` counts those connections: as many half-sent
requests as the limit made it answer 503 to everyone, for as long as they stayed. Here a head must be complete
within `HEAD_TIMEOUT_S`, each `MIN_RATE` bytes received adding a second, at most `HEAD_TIMEOUT_MAX_S`; a body within
`BODY_TIMEOUT_S`, each `MIN_RATE` bytes adding a second (a large upload at a modest rate goes on; a trickle does
not). Beyond, a 408 with the error body (nothing when the client sent nothing at all, or when its answer has
begun) and the connection closed; the app sees the client gone, and a request whose body did not arrive whole is
never carried out (`InputGuard`). While this side has stopped reading (the app is behind), the clock waits too.

Every service runs with it: `uvicorn --http shared.httphead:BoundedHead` (lapkin/supervisor.py, deploy/compose.yaml).
Caddy, the reverse proxy in deploy/, bounds heads before that by its own defaults (1 MiB, read within a minute); it
passes bodies on as they come, so a body's clock is this one."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import resource
from asyncio import TimerHandle
from functools import lru_cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shared.errors import ErrorItem, error_body
from shared.logthrottle import warn

log = logging.getLogger("lapkin.http")
HTTP_PROTOCOL = "shared.httphead:BoundedHead"  # uvicorn --http
MAX_HEAD_BYTES = 64 * 1024  # a unit's key, an official's cookie and the usual headers take < 2 KiB
MAX_HEADER_FIELDS = 100  # header lines, trailers too (Apache's LimitRequestFields): each costs far more than its bytes
HEAD_TIMEOUT_S = 20.0
HEAD_TIMEOUT_MAX_S = 40.0
BODY_TIMEOUT_S = 20.0
MIN_RATE = 500  # bytes a second: each MIN_RATE bytes received adds a second to the deadline
WRITE_TIMEOUT_S = 60.0  # a client that reads nothing of its answer for this long is cut off (Apache's Timeout)
MAX_CONNECTIONS_PER_PEER = 128  # open connections from one address that is not a trusted proxy
MAX_CONNECTIONS = 4096  # open connections of a process in all, and always FD_RESERVE below its open-files limit
FD_RESERVE = 256  # descriptors kept for the database, Redis, files and the logs
# requests sent on one connection ahead of the answer under way (HTTP/1.1 pipelining, which no browser does): they
# wait, read, for their turn; the one past this bound and all after it are not read (429, the connection closed once
# those before it are answered). uvicorn read on and queued every one: one connection sending 16 MiB of small
# requests it never read the answers of took a service from 140 MiB to 1 GiB (the fourth outsider)
MAX_PIPELINED = 16

HEAD_TOO_LARGE = [
    ErrorItem(
        "headers",
        "too_large",
        f"headers: baris permintaan dan header melebihi {MAX_HEAD_BYTES // 1024} KiB atau {MAX_HEADER_FIELDS} baris "
        "header; permintaan tidak diproses.",
        f"headers: the request line and headers exceed {MAX_HEAD_BYTES // 1024} KiB or {MAX_HEADER_FIELDS} header "
        "lines; the request was not processed.",
    )
]
TOO_SLOW = {
    phase: [
        ErrorItem(
            None,
            "request_timeout",
            f"Permintaan tidak datang utuh pada waktunya ({words_id}); permintaan tidak diproses.",
            f"The request did not arrive whole in time ({words_en}); the request was not processed.",
        )
    ]
    for phase, words_id, words_en in (
        ("head", "baris permintaan dan header", "its request line and headers"),
        ("body", "isi permintaan", "its body"),
    )
}


TOO_MANY_CONNECTIONS = [
    ErrorItem(
        None,
        "too_many_connections",
        f"Terlalu banyak koneksi terbuka dari alamat ini (paling banyak {MAX_CONNECTIONS_PER_PEER}); koneksi ditutup.",
        f"Too many open connections from this address (at most {MAX_CONNECTIONS_PER_PEER}); the connection is closed.",
    )
]
TOO_MANY_PIPELINED = [
    ErrorItem(
        None,
        "too_many_pipelined",
        f"Lebih dari {MAX_PIPELINED} permintaan dikirim mendahului jawabannya pada satu koneksi; permintaan ini dan "
        "sesudahnya tidak diproses, koneksi ditutup. Tunggu jawaban sebelum mengirim lagi.",
        f"More than {MAX_PIPELINED} requests were sent ahead of their answers on one connection; this request and "
        "those after it were not processed, and the connection is closed. Wait for answers before sending more.",
    )
]
BUSY = [
    ErrorItem(
        None,
        "busy",
        "Layanan sedang menerima terlalu banyak koneksi sekaligus; koneksi ditutup. Coba lagi sebentar lagi.",
        "The service has too many connections open at once; the connection is closed. Try again shortly.",
    )
]
INVALID_HTTP = [
    ErrorItem(
        None,
        "invalid_http",
        "Permintaan HTTP tidak valid; permintaan tidak diproses.",
        "Invalid HTTP request; the request was not processed.",
    )
]


@lru_cache(maxsize=4096)  # asked for every request: an address is parsed once
def trusted_proxy(address: str) -> bool:
    """Is `address` a proxy whose X-Forwarded-For uvicorn believes (FORWARDED_ALLOW_IPS, read as uvicorn reads it,
    once, at start; its default 127.0.0.1)? Its connections and requests carry many clients': no per-address bound
    applies to it."""
    names = [name.strip() for name in os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1").split(",") if name.strip()]
    if "*" in names:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # a Unix socket's peer, or no address
        return False
    for name in names:
        try:
            if ip in ipaddress.ip_network(name, strict=False):
                return True
        except ValueError:  # a host name: not an address a peer has
            continue
    return False


@lru_cache(maxsize=1)
def connection_limit() -> int:
    """MAX_CONNECTIONS, or fewer when the open-files limit is lower: a process out of descriptors cannot reach its
    database or accept anyone (the third outsider's connections from nine addresses, under a limit of 1.024, left
    every other client an empty reply). The soft limit is raised to the hard one first, once."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
    except (ValueError, OSError):  # not allowed here: keep the limit there is
        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(16, min(MAX_CONNECTIONS, soft - FD_RESERVE))


def log_refusal(kind: str, peer: str, message: str, *args: Any) -> None:
    """A refusal's warning, throttled (shared/logthrottle.py): a refused connection costs the attacker one connect
    (24.593 of them wrote 4,2 MiB of log in 10 s)."""
    warn(log, kind, peer, message, *args)


class _NotTwice(logging.Filter):
    """uvicorn's own lines a client can cause at will, in plain text and unthrottled: the one for what is not HTTP
    (BoundedHead.send_400_response writes it, throttled), and the ERROR for an answer its client left before it was
    complete (LastResort logs that client as gone): one per connection closed while its answer was stalled, 192
    in 10 s from one address (the fifth outsider). The latter becomes a throttled warning of its own."""

    def filter(self, record: logging.LogRecord) -> bool:
        said = record.getMessage()
        if said == "Invalid HTTP request received.":
            return False
        if said == "ASGI callable returned without completing response.":
            warn(log, "unfinished", "", "an answer was left incomplete: its client had gone (uvicorn)")
            return False
        return True


logging.getLogger("uvicorn.error").addFilter(_NotTwice())


def _peers(server_state: Any) -> dict[str, int]:
    """Open connections by peer address, shared by one server's connections."""
    found: dict[str, int] | None = getattr(server_state, "lapkin_peers", None)
    if found is None:
        found = server_state.lapkin_peers = {}
    return found


def answer(status: bytes, errors: list[ErrorItem], retry_after: bool = False) -> bytes:
    body = json.dumps(error_body(errors), ensure_ascii=False).encode()
    return (
        b"HTTP/1.1 " + status + b"\r\n"
        b"content-type: application/json\r\n"
        b"content-length: "
        + str(len(body)).encode()
        + b"\r\n"
        + (b"retry-after: 1\r\n" if retry_after else b"")
        + b"connection: close\r\n\r\n"
        + body
    )


def head_too_large_answer() -> bytes:
    return answer(b"431 Request Header Fields Too Large", HEAD_TOO_LARGE)


class _Overflow(Exception):
    """Stops the parser in the middle of a read: BoundedHead._overflow."""


class BoundedHead(HttpToolsProtocol):
    # class attributes, so that a test can run the same rules on a shorter clock
    head_timeout_s, head_timeout_max_s = HEAD_TIMEOUT_S, HEAD_TIMEOUT_MAX_S
    body_timeout_s, min_rate = BODY_TIMEOUT_S, MIN_RATE
    write_timeout_s, max_connections_per_peer = WRITE_TIMEOUT_S, MAX_CONNECTIONS_PER_PEER
    max_connections: int | None = None  # None: connection_limit()
    max_pipelined = MAX_PIPELINED

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_head = True  # between a message's start (or the previous one's end) and its headers' end
        self.head_bytes = 0  # bytes read while in the head: bounds what the parser keeps of a head not yet complete
        self.head_size = 0  # the current head's URL and headers as parsed: bounds a head that came in one read
        self.fields = 0  # header lines of the current message, trailers included
        self.between = 0  # bytes read in the body phase since the last piece of body (framing, trailers)
        self.body_seen = False
        self.refused = False
        self.overflowed = False  # more requests sent ahead than max_pipelined: the rest are not read (_overflow)
        self.phase: str | None = None  # "head" or "body" while its clock runs
        self.started = self.deadline = 0.0
        self.timer: TimerHandle | None = None
        self.write_timer: TimerHandle | None = None
        self.peer: str | None = None  # counted in _peers while open

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        peer = self._address()
        limit = self.max_connections or connection_limit()
        if len(self.connections) > limit:  # this one is counted already
            log_refusal("busy", "", "over %d open connections in all: 503, closed", limit)
            self._refuse_connection(answer(b"503 Service Unavailable", BUSY, retry_after=True))
            return
        if peer and not trusted_proxy(peer):
            peers = _peers(self.server_state)
            if peers.get(peer, 0) >= self.max_connections_per_peer:
                log_refusal(
                    "peer", peer, "%s: over %d open connections: 429, closed", peer, self.max_connections_per_peer
                )
                self._refuse_connection(answer(b"429 Too Many Requests", TOO_MANY_CONNECTIONS, retry_after=True))
                return
            peers[peer] = peers.get(peer, 0) + 1
            self.peer = peer
        self._arm("head")  # a connection that sends nothing is not kept either

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self.write_timer is not None:
            self.write_timer.cancel()
            self.write_timer = None
        if self.peer is not None:
            peers = _peers(self.server_state)
            left = peers.pop(self.peer, 1) - 1
            if left > 0:
                peers[self.peer] = left
            self.peer = None
        super().connection_lost(exc)

    def _refuse_connection(self, refusal: bytes) -> None:
        self.refused, self.in_head = True, False
        self.transport.write(refusal)
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to what is not HTTP, in the error body (its own is plain text)."""
        if self.overflowed:  # not an invalid request: _overflow stopped the parser (its exception lands here)
            return
        log_refusal("invalid", self._address(), "%s: %s", self._peer(), msg)
        self.transport.write(answer(b"400 Bad Request", INVALID_HTTP))
        self.transport.close()

    def _should_upgrade_to_ws(self) -> bool:
        """No service speaks WebSocket: an Upgrade header is ignored and the request answered as any other. uvicorn
        handed an upgraded connection to another protocol, so this one never saw it close (the third outsider's 128
        upgrade requests left their address locked out until a restart)."""
        return False

    def _unsupported_upgrade_warning(self) -> None:
        pass  # see _should_upgrade_to_ws: not a problem to log for every such request

    def pause_writing(self) -> None:
        """The client stopped reading: it has `write_timeout_s` to read again (pipelined requests it never read held
        their places for as long as it liked), then the connection is cut and the app sees it gone."""
        super().pause_writing()
        if self.write_timer is None:
            self.write_timer = self.loop.call_later(self.write_timeout_s, self._write_timed_out)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self.write_timer is not None:
            self.write_timer.cancel()
            self.write_timer = None

    def _write_timed_out(self) -> None:
        self.write_timer = None
        if self.flow.write_paused and not self.transport.is_closing():
            log_refusal(
                "unread",
                self._address(),
                "%s: read nothing of its answer for %g s: cut",
                self._peer(),
                self.write_timeout_s,
            )
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        if self.in_head:
            if self.phase is None:  # the first bytes of the next request on this connection
                self._arm("head")
            self.head_bytes += len(data)
        else:
            self.between += len(data)
        self._extend(len(data))
        super().data_received(data)  # may end the head: on_headers_complete counts no more
        if self.body_seen:  # a piece of body came in this read: what came between is counted from here
            self.between, self.body_seen = 0, False
        if (self.head_bytes if self.in_head else self.between) > MAX_HEAD_BYTES:
            self.refuse()

    def on_url(self, url: bytes) -> None:
        self.head_size += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.refused:
            return
        self.fields += 1
        if self.fields > MAX_HEADER_FIELDS:
            self.refuse()  # the parser goes on through this read; nothing more is kept
            return
        self.head_size += len(name) + len(value) + 4  # ": " and CRLF
        if self.head_size > MAX_HEAD_BYTES:  # trailers too, which on_headers_complete never sees
            self.refuse()
            return
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.in_head, self.head_bytes, self.between = False, 0, 0
        if self.refused:
            return
        if self.head_size > MAX_HEAD_BYTES:
            self.refuse()  # the app never sees the request
            return
        if len(self.pipeline) >= self.max_pipelined:
            self._overflow()
        self._arm("body")  # disarmed by on_message_complete, at once for a request without a body
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        """uvicorn resumes reading after every answer, with requests still queued behind it: a client that never
        reads its answers got more of its requests read (and queued) after each one. Reading resumes once none is
        left waiting; after an overflow, the refusal follows the last answer and the connection closes."""
        super().on_response_complete()
        if self.transport.is_closing():
            return
        if self.overflowed:
            self.flow.pause_reading()
            if not self.pipeline and self.cycle is not None and self.cycle.response_complete:
                self.transport.write(answer(b"429 Too Many Requests", TOO_MANY_PIPELINED, retry_after=True))
                self.transport.close()
        elif self.pipeline:
            self.flow.pause_reading()

    def _overflow(self) -> None:
        """More requests sent ahead than max_pipelined: this one and the rest of what was read are not parsed,
        nothing more is read; those queued before it are answered, then the 429 (on_response_complete). Raised out
        of the parser's callback, the exception stops the parse (uvicorn takes it for an invalid request:
        send_400_response lets it be)."""
        self.overflowed = self.refused = True
        self.in_head = False
        self._disarm()
        self.flow.pause_reading()
        log_refusal(
            "pipelined",
            self._address(),
            "%s: over %d requests sent ahead of their answers: 429, connection closed after theirs",
            self._peer(),
            self.max_pipelined,
        )
        raise _Overflow

    def on_body(self, body: bytes) -> None:
        self.body_seen = True
        if not self.refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self.refused:
            return
        self._disarm()
        super().on_message_complete()
        self.in_head, self.head_bytes, self.head_size, self.fields, self.between = True, 0, 0, 0, 0

    def refuse(self) -> None:
        """431 with the error body; the connection closed (connection_lost lets the parser, and what it kept, go)."""
        if self.refused or self.transport.is_closing():
            return
        self.refused, self.in_head = True, False
        self._disarm()
        log_refusal(
            "head",
            self._address(),
            "%s: request head over %d bytes or %d lines: 431, connection closed",
            self._peer(),
            MAX_HEAD_BYTES,
            MAX_HEADER_FIELDS,
        )
        if self.answer_can_be_written():
            self.transport.write(head_too_large_answer())
        self.transport.close()

    def answer_can_be_written(self) -> bool:
        """No answer has begun on this connection for the request at hand (one can be written whole)."""
        return self.cycle is None or self.cycle.response_complete or not self.cycle.response_started

    # the clock ------------------------------------------------------------------------------------------------

    def _arm(self, phase: str) -> None:
        self._disarm()
        now = self.loop.time()
        self.phase, self.started = phase, now
        self.deadline = now + (self.head_timeout_s if phase == "head" else self.body_timeout_s)
        self.timer = self.loop.call_at(self.deadline, self._check)

    def _disarm(self) -> None:
        self.phase = None
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _extend(self, received: int) -> None:
        if self.phase is None:
            return
        self.deadline += received / self.min_rate
        if self.phase == "head":
            self.deadline = min(self.deadline, self.started + self.head_timeout_max_s)

    def _check(self) -> None:
        self.timer = None
        if self.phase is None or self.refused or self.transport.is_closing():
            return
        now = self.loop.time()
        waiting_on_us = self.flow.read_paused or (
            self.phase == "head" and self.cycle is not None and not self.cycle.response_complete
        )  # reading paused for the app, or the next head pipelined behind an answer still being made
        if waiting_on_us:
            self.started = now
            fresh = self.head_timeout_s if self.phase == "head" else self.body_timeout_s
            self.deadline = max(self.deadline, now + fresh)
        if now < self.deadline:
            self.timer = self.loop.call_at(self.deadline, self._check)
            return
        self._time_out()

    def _time_out(self) -> None:
        phase = self.phase or "head"
        self._disarm()
        self.refused, self.in_head = True, False
        sent_something = self.head_bytes > 0 if phase == "head" else self.answer_can_be_written()
        outcome = "408" if sent_something else "closed"
        log_refusal("slow", self._address(), "%s: request %s not complete in time: %s", self._peer(), phase, outcome)
        if sent_something:
            self.transport.write(answer(b"408 Request Timeout", TOO_SLOW[phase]))
        self.transport.close()

    def _address(self) -> str:
        return self.client[0] if self.client else ""

    def _peer(self) -> str:
        return f"{self.client[0]}:{self.client[1]}" if self.client else "client"
