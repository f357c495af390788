"""The renderer's HTTP routes (CONTRACT.md, Renderer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from sqlmodel import col, select

from services.renderer.models import Document
from shared.errors import api_error
from shared.service import SessionDep, StaffDep

router = APIRouter(prefix="/api/v1", tags=["renderer"])
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def public(doc: Document) -> dict[str, Any]:
    hashes = json.loads(doc.sha256)
    return {
        "id": doc.id,
        "draft_id": doc.draft_id,
        "jenis": doc.jenis,
        "tahun": doc.tahun,
        "periode": doc.periode,
        "version": doc.version,
        "recap_revision": doc.recap_revision,
        "status": doc.status,
        "sha256": hashes.get("pdf"),
        "files": hashes,
        "formats": sorted(hashes),
        "created_at": doc.created_at.isoformat(),
        "folder": doc.folder,
    }


@router.get("/documents")
def list_documents(
    session: SessionDep, _: StaffDep, tahun: int | None = Query(None), periode: str | None = Query(None)
) -> list[dict[str, Any]]:
    query = select(Document)
    if tahun is not None:
        query = query.where(Document.tahun == tahun)
    if periode is not None:
        query = query.where(Document.periode == periode)
    rows = session.exec(query.order_by(col(Document.tahun), col(Document.periode), col(Document.version)))
    return [public(d) for d in rows]


@router.get("/documents/{doc_id}/file.{fmt}")
def get_file(
    doc_id: str, fmt: Annotated[str, PathParam(pattern="^(docx|pdf|xlsx)$")], session: SessionDep, _: StaffDep
) -> FileResponse:
    doc = session.get(Document, doc_id)
    path = Path(doc.folder) / f"laporan.{fmt}" if doc else None
    if doc is None or path is None or not path.exists():
        raise api_error(404, "id", "not_found", "Dokumen tidak ditemukan.", "Document not found.")
    name = f"laporan-{doc.jenis}-{doc.tahun}-{doc.periode}-v{doc.version}{'-final' if doc.status == 'final' else ''}"
    return FileResponse(path, media_type=CONTENT_TYPES[fmt], filename=f"{name}.{fmt}")
