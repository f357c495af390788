"""The Dokumen block of the draft page and of a circulation (templates/_documents.html): a draft's PDF, or once the
draft is final its final .pdf, .docx and .xlsx with each file's SHA-256 (routes in web/final.py), or, while the
renderer has not published the final yet, a note saying so."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Literal, NotRequired, TypedDict
from urllib.parse import quote

import httpx
from fastapi.responses import Response, StreamingResponse
from sqlmodel import Session
from starlette.background import BackgroundTask

from services.approval import handlers
from services.approval.models import DraftRow
from services.approval.web.i18n import fmt_datetime
from shared.service import Runtime
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
    published = fin.published_at if fin.published_at.tzinfo else fin.published_at.replace(tzinfo=UTC)
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


async def stream_document(rt: Runtime, document_id: str, fmt: str, filename: str, inline: bool) -> Response | None:
    """One of the renderer's files, streamed through; None when the renderer has no such document (yet), a 502
    response when it cannot be reached."""
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
        return Response("renderer unavailable", status_code=502, media_type="text/plain")
    if upstream.status_code != 200:
        await upstream.aclose()
        await client.aclose()
        if upstream.status_code == 404:
            return None
        return Response(f"renderer answered {upstream.status_code}", status_code=502, media_type="text/plain")

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
