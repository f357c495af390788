"""The documents an official opens from the web app, fetched from the renderer with the admin token and streamed
through: a final draft's final .pdf (inline), .docx and .xlsx with the SHA-256 of each (the renderer's
`DocumentPublished`, recorded by `handlers.on_document_published`), and a disposition's Lembar Disposisi.

While a draft is final but its final documents are not published yet, the pages and links say so: the draft's PDF is
never served as if it were the final.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

import services.approval.web.deps as deps
import services.approval.web.rendering as rendering
from services.approval import disposisi, handlers
from services.approval.models import DisposisiRow, DraftRow, FinalDocumentRow, Official
from services.approval.web.documents import documents_view as documents_view
from services.approval.web.documents import stream_document, unavailable_page
from services.approval.web.i18n import t
from services.approval.web.sessions import WebSession
from shared.service import RowId, Runtime, RuntimeDep
from shared.tracing import inject_headers

router = APIRouter(include_in_schema=False)


def _lookup(
    request: Request, rt: Runtime, draft_id: str
) -> tuple[WebSession, Official | None, DraftRow | None, FinalDocumentRow | None]:
    with Session(rt.engine) as db:
        ws, official = deps.current(request, db)
        row = db.get(DraftRow, draft_id)
        fin = handlers.final_document(db, row) if row is not None else None
        return ws, official, row, fin


async def serve_final(request: Request, rt: Runtime, draft_id: str, fmt: str) -> Response:
    """A final draft's final file; a page saying the final is being published (409) while it is not yet."""
    ws, official, row, fin = await run_in_threadpool(_lookup, request, rt, draft_id)
    if official is None:
        return rendering.to_login(ws)
    lang = rendering.lang(request)
    if row is None:
        return rendering.refused(request, ws, official, t("draft_not_found", lang), "/kotak-masuk", 404,
                        title=t("not_found_title", lang), back_label=t("back_inbox", lang))  # fmt: skip
    back = f"/draf/{quote(draft_id)}"
    if row.state != "final":
        return rendering.refused(request, ws, official, t("final_not_yet", lang), back, 404)
    if fin is None:
        return rendering.refused(request, ws, official, t("final_pending", lang), back, 409)
    name = f"{fin.document_id}.{fmt}"
    answer = await stream_document(rt, fin.document_id, fmt, name, inline=fmt == "pdf")
    if isinstance(answer, str):  # published (its row is here), so a renderer without it has lost it: not "pending"
        return unavailable_page(request, ws, official, answer, back, "file_damaged")
    return answer


@router.get("/draf/{draft_id}/final.{fmt}")
async def final_file(
    draft_id: str, fmt: Annotated[str, PathParam(pattern="^(pdf|docx|xlsx)$")], request: Request, rt: RuntimeDep
) -> Response:
    """The final .pdf (inline), .docx or .xlsx of a final draft."""
    return await serve_final(request, rt, draft_id, fmt)


def _safe(nomor: str) -> str:
    """The renderer's id of a disposition's documents (services/renderer/handlers.py on_disposisi_issued)."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in nomor)


async def _lembar_id(rt: Runtime, tahun: int, nomor: str) -> str | None:
    """The newest Lembar Disposisi the renderer made for this number, or None (not made yet, or unreachable)."""
    url = f"{rt.settings.base_url('renderer')}/api/v1/documents"
    headers = inject_headers({"Authorization": f"Bearer {rt.settings.resolved_admin_token()}"})
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(30, connect=5)) as client:
            r = await client.get(url, params={"tahun": tahun}, headers=headers)
    except httpx.HTTPError:
        return None
    if r.status_code != 200:
        return None
    mine = [d for d in r.json() if d.get("draft_id") == f"disposisi-{_safe(nomor)}"]
    return max(mine, key=lambda d: d["version"])["id"] if mine else None


@router.get("/disposisi/{disposisi_id}/lembar.{fmt}")
async def lembar_disposisi(
    disposisi_id: RowId,
    fmt: Annotated[str, PathParam(pattern="^(pdf|docx)$")],
    request: Request,
    rt: RuntimeDep,
) -> Response:
    """The Lembar Disposisi (.pdf inline, .docx) of a disposition, as its page `/disposisi/{id}` links it."""

    def lookup() -> tuple[WebSession, Official | None, DisposisiRow | None]:
        with Session(rt.engine) as db:
            ws, official = deps.current(request, db)
            return ws, official, db.get(DisposisiRow, disposisi_id)

    ws, official, row = await run_in_threadpool(lookup)
    if official is None:
        return rendering.to_login(ws)
    lang = rendering.lang(request)
    if row is None:
        return rendering.refused(request, ws, official, t("disposisi_not_found", lang), "/disposisi", 404,
                        title=t("not_found_title", lang), back_label=t("back_disposisi", lang))  # fmt: skip
    if not disposisi.may_read(row, official):  # as its page: issuer, recipients and oversight only
        return rendering.refused(request, ws, official, t("disposisi_not_allowed", lang), "/disposisi", 403,
                        back_label=t("back_disposisi", lang))  # fmt: skip
    back = f"/disposisi/{disposisi_id}"
    document_id = await _lembar_id(rt, row.tahun, row.nomor)
    if document_id is None:
        return rendering.refused(request, ws, official, t("lembar_pending", lang), back, 409)
    name = f"lembar-disposisi-{_safe(row.nomor)}.{fmt}"
    answer = await stream_document(rt, document_id, fmt, name, inline=fmt == "pdf")
    if isinstance(answer, str):
        return unavailable_page(request, ws, official, answer, back, "lembar_pending")
    return answer
