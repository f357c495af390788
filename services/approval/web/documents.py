"""The Dokumen block of the draft page and of a circulation (templates/_documents.html): a draft's PDF, or once the
draft is final its final .pdf, .docx and .xlsx with each file's SHA-256 (routes in web/final.py), or, while the
renderer has not published the final yet, a note saying so. And the files themselves, streamed from the renderer; when
one cannot be served, the app's own page saying why (`unavailable_page`): the file store down (503), the file
missing or damaged (404, "tell the operator"), the renderer unreachable (502)."""

from __future__ import annotations

import json
from typing import Literal, NotRequired, TypedDict
from urllib.parse import quote

import httpx
from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session
from starlette.background import BackgroundTask

from services.approval import handlers
from services.approval.models import DraftRow, Official
from services.approval.web import rendering
from services.approval.web.i18n import fmt_datetime, t
from services.approval.web.sessions import WebSession
from shared.clock import as_utc
from shared.service import DATABASE_RETRY_AFTER_S, Runtime
from shared.tracing import inject_headers

FORMATS = ("pdf", "docx", "xlsx")


class DocumentFile(TypedDict):
    fmt: str
    sha256: str
    url: str


class Documents(TypedDict):
    """The Dokumen block: `none` (no draft), `draft` (its PDF), `pending` (final, not published yet) or `final` (the
    published files with their SHA-256)."""

    state: Literal["none", "draft", "pending", "final"]
    pdf: NotRequired[str]
    document_id: NotRequired[str]
    published_label: NotRequired[str]
    files: NotRequired[list[DocumentFile]]


def documents_view(db: Session, row: DraftRow | None, lang: str) -> Documents:
    """What the Dokumen block of the draft page and of a circulation shows (templates/_documents.html)."""
    if row is None:
        return {"state": "none"}
    base = f"/draf/{quote(row.id)}"
    if row.state != "final":
        return {"state": "draft", "pdf": f"{base}/dokumen.pdf"}
    fin = handlers.final_document(db, row)
    if fin is None:
        return {"state": "pending"}
    hashes: dict[str, str] = json.loads(fin.files)  # format -> SHA-256
    published = as_utc(fin.published_at)
    return {
        "state": "final",
        "document_id": fin.document_id,
        "published_label": fmt_datetime(published, lang),
        "pdf": f"{base}/dokumen.pdf",
        "files": [
            {"fmt": fmt, "sha256": hashes[fmt], "url": f"{base}/dokumen.pdf" if fmt == "pdf" else f"{base}/final.{fmt}"}
            for fmt in FORMATS
            if fmt in hashes
        ],
    }


MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# why the renderer did not give a file: it has no such document (yet); it has, but the file is missing or damaged in
# the store (its 404 `file_missing`); the file store is down (its 503 `file_store_unavailable`); it cannot be reached
# or answered something else
Unavailable = Literal["absent", "file_missing", "store_down", "renderer_down"]


def upstream_failure(status: int, body: bytes) -> Unavailable:
    """What the renderer's refusal of a file means, from its status and its error body's rule."""
    try:
        rules = {e.get("rule") for e in json.loads(body).get("errors", [])}
    except (ValueError, AttributeError, TypeError):
        rules = set()
    if status == 404:
        return "file_missing" if "file_missing" in rules else "absent"
    if status == 503 and "file_store_unavailable" in rules:
        return "store_down"
    return "renderer_down"


def unavailable_page(
    request: Request, ws: WebSession, official: Official, why: Unavailable, back: str, absent_key: str
) -> Response:
    """The app's page for a file that cannot be served, saying what is true: storage down (try again in a few
    minutes; 503 with Retry-After), the file missing or damaged (tell the operator; 404), the document service
    unreachable (502); `absent_key`: the message when the renderer has no such document (yet)."""
    lang = rendering.lang(request)
    if why == "store_down":
        response = rendering.refused(request, ws, official, t("file_store_down", lang), back, 503)
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
        return response
    if why == "file_missing":
        return rendering.refused(request, ws, official, t("file_damaged", lang), back, 404)
    if why == "renderer_down":
        return rendering.refused(request, ws, official, t("renderer_down", lang), back, 502)
    status = 409 if absent_key.endswith("_pending") else 404
    return rendering.refused(request, ws, official, t(absent_key, lang), back, status)


async def stream_document(
    rt: Runtime, document_id: str, fmt: str, filename: str, inline: bool
) -> Response | Unavailable:
    """One of the renderer's files, streamed through; else why not (`unavailable_page` says it to the official)."""
    url = f"{rt.settings.base_url('renderer')}/api/v1/documents/{quote(document_id)}/file.{fmt}"
    client = httpx.AsyncClient(timeout=httpx.Timeout(30, connect=5))
    try:
        upstream = await client.send(
            client.build_request(
                "GET", url, headers=inject_headers({"Authorization": f"Bearer {rt.settings.resolved_admin_token()}"})
            ),
            stream=True,
        )
    except httpx.HTTPError:
        await client.aclose()
        return "renderer_down"
    if upstream.status_code != 200:
        try:
            body = await upstream.aread()
        except httpx.HTTPError:
            body = b""
        await upstream.aclose()
        await client.aclose()
        return upstream_failure(upstream.status_code, body)

    async def close() -> None:
        await upstream.aclose()
        await client.aclose()

    disposition = "inline" if inline else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{filename}"', "Cache-Control": "no-store"}
    if "content-length" in upstream.headers:
        headers["Content-Length"] = upstream.headers["content-length"]
    return StreamingResponse(
        upstream.aiter_raw(), media_type=MEDIA[fmt], headers=headers, background=BackgroundTask(close)
    )
