"""uvicorn's httptools protocol with the request's head bounded: at most `MAX_HEAD_BYTES` of request line and headers,
beyond them a 431 with the error body and the connection closed.

httptools (llhttp) keeps a header of any size in memory until its line ends: an attacker with one unit's key sent
200 headers of 1 MiB each and took a service from 392 MB to 1,05 GB. uvicorn bounds the head only for h11
(`h11_max_incomplete_event_size`), which costs more CPU per request. Here the head is measured twice: the bytes read
while a message's head is not complete (what the parser keeps: at most one read, ≤ 256 KiB, past the bound, and a body
is never counted), and the URL and headers as parsed (a head that came in one read). Every service runs with it:
`uvicorn --http shared.httphead:BoundedHead` (lapkin/supervisor.py, deploy/compose.yaml). The reverse proxy in deploy/
bounds heads too (Caddy: 1 MiB by default)."""

from __future__ import annotations

import json
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shared.errors import ErrorItem, error_body

log = logging.getLogger("lapkin.http")
HTTP_PROTOCOL = "shared.httphead:BoundedHead"  # uvicorn --http
MAX_HEAD_BYTES = 64 * 1024  # a unit's key, an official's cookie and the usual headers take < 2 KiB

HEAD_TOO_LARGE = [
    ErrorItem(
        "headers",
        "too_large",
        f"headers: baris permintaan dan header melebihi {MAX_HEAD_BYTES // 1024} KiB; permintaan tidak diproses.",
        f"headers: the request line and headers exceed {MAX_HEAD_BYTES // 1024} KiB; the request was not processed.",
    )
]


def head_too_large_answer() -> bytes:
    body = json.dumps(error_body(HEAD_TOO_LARGE), ensure_ascii=False).encode()
    return (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
        b"content-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n"
        b"connection: close\r\n\r\n" + body
    )


class BoundedHead(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.in_head = True  # between a message's start (or the previous one's end) and its headers' end
        self.head_bytes = 0  # bytes read while in the head: bounds what the parser keeps of a head not yet complete
        self.head_size = 0  # the current head's URL and headers as parsed: bounds a head that came in one read
        self.refused = False

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        if self.in_head:
            self.head_bytes += len(data)
        super().data_received(data)  # may end the head: on_headers_complete counts no more
        if self.in_head and self.head_bytes > MAX_HEAD_BYTES:
            self.refuse()

    def on_url(self, url: bytes) -> None:
        self.head_size += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.head_size += len(name) + len(value) + 4  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.in_head, self.head_bytes = False, 0
        if self.head_size > MAX_HEAD_BYTES:
            self.refuse()  # the app never sees the request
            return
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self.refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self.refused:
            return
        super().on_message_complete()
        self.in_head, self.head_bytes, self.head_size = True, 0, 0

    def refuse(self) -> None:
        """431 with the error body; the connection closed (connection_lost lets the parser, and what it kept, go)."""
        if self.refused or self.transport.is_closing():
            return
        self.refused, self.in_head = True, False
        log.warning("%s: request head over %d bytes: 431, connection closed", self._peer(), MAX_HEAD_BYTES)
        self.transport.write(head_too_large_answer())
        self.transport.close()

    def _peer(self) -> str:
        return f"{self.client[0]}:{self.client[1]}" if self.client else "client"
