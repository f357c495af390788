"""The renderer's HTTP routes (docs/contract.md, Renderer)."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, Response
from sqlmodel import col, select
from starlette.exceptions import HTTPException

from services.renderer import schemas as s
from services.renderer.authoring import REQUIRED_FIELDS, TemplateRefused, check_docx_template
from services.renderer.handlers import files
from services.renderer.models import Document
from shared.contract import answer
from shared.errors import ApiError, ErrorItem, api_error, error_responses
from shared.private import write_private
from shared.service import AdminDep, RuntimeDep, SessionDep, StaffDep
from shared.storage import FileMissing, verify

log = logging.getLogger("lapkin.renderer")
router = APIRouter(prefix="/api/v1", tags=["renderer"], responses=error_responses(401, 403, 404, 413, 422, 429, 503))
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def public(doc: Document) -> s.Dokumen:
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


@router.get(
    "/documents",
    response_model=None,
    responses=answer(200, list[s.Dokumen], "Dokumen, urut tahun, periode, versi / the documents"),
)
def list_documents(
    session: SessionDep,
    _: StaffDep,
    tahun: int | None = Query(None, ge=2000, le=2100),
    periode: str | None = Query(None),
) -> list[s.Dokumen]:
    query = select(Document)
    if tahun is not None:
        query = query.where(Document.tahun == tahun)
    if periode is not None:
        query = query.where(Document.periode == periode)
    rows = session.exec(query.order_by(col(Document.tahun), col(Document.periode), col(Document.version)))
    return [public(d) for d in rows]


FILE_MISSING = api_error(
    404,
    "id",
    "file_missing",
    "Berkas dokumen ini rusak atau tidak ada di penyimpanan; pulihkan dari cadangan (docs/storage.md).",
    "This document's file is damaged or missing from the store; restore it from a backup (docs/storage.md).",
)


@router.get(
    "/documents/{doc_id}/file.{fmt}",
    response_class=FileResponse,
    responses={200: {"description": "The document's file", "content": {t: {} for t in CONTENT_TYPES.values()}}},
)
def get_file(
    doc_id: str,
    fmt: Annotated[str, PathParam(pattern="^(docx|pdf|xlsx)$")],
    session: SessionDep,
    rt: RuntimeDep,
    _: StaffDep,
) -> Response:
    """The file from the document's folder on this machine, else from the shared store by its SHA-256 (checked as it
    is read): any replica answers for a document any other made (LAPKIN_FILE_STORE=database, docs/storage.md)."""
    doc = session.get(Document, doc_id)
    if doc is None:
        raise api_error(404, "id", "not_found", "Dokumen tidak ditemukan.", "Document not found.")
    stem = "disposisi" if doc.jenis == "disposisi" else "laporan"
    name = f"{stem}-{doc.jenis}-{doc.tahun}-{doc.periode}-v{doc.version}{'-final' if doc.status == 'final' else ''}"
    path = Path(doc.folder) / f"{stem}.{fmt}"
    sha = json.loads(doc.sha256).get(fmt)
    body: bytes | None = None
    if path.is_file():
        # checked like the stores' files: a damaged copy in the folder is never served as the document (the store
        # may hold the right bytes; else the 404 says the file is damaged or missing)
        try:
            body = verify(path, sha) if sha is not None else path.read_bytes()
        except FileMissing as exc:
            log.error("document %s: %s", doc_id, exc)
    if body is None:
        try:
            if sha is None:
                raise FileMissing("-", "this document's formats")
            body = files(rt).get(sha)
        except FileMissing as exc:
            log.error("document %s: %s", doc_id, exc)
            raise FILE_MISSING from exc
    disposition = f'attachment; filename="{name}.{fmt}"'  # as FileResponse names it
    return Response(body, media_type=CONTENT_TYPES[fmt], headers={"Content-Disposition": disposition})


@router.put(
    "/templates/{jenis}.docx",
    response_model=None,
    responses=answer(200, s.TemplatDiterima, "Templat diterima / the template accepted"),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                CONTENT_TYPES["docx"]: {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
                },
            },
        }
    },
)
async def put_template(
    jenis: Annotated[str, PathParam(pattern="^(triwulan|semester|tahunan|disposisi)$")],
    request: Request,
    rt: RuntimeDep,
    _: AdminDep,
) -> s.TemplatDiterima:
    """The office's own Word template for one report kind: the .docx as the body (or a multipart `file`);
    accepted only when docxtpl can read it, it uses nothing but the documented fields, filters and tests
    (`templating`, docs/reports.md) and every required field; then used for later renders."""
    if request.headers.get("content-type", "").startswith("multipart/"):
        try:
            form = await request.form(max_files=1)
        except HTTPException as exc:  # starlette's 400 for a malformed multipart body
            raise api_error(
                422, "file", "invalid_form", "Isi multipart tidak valid.", "Malformed multipart body."
            ) from exc
        try:
            upload = form.get("file")
            data = await upload.read() if upload is not None and not isinstance(upload, str) else b""
        finally:
            await form.close()
    else:
        data = await request.body()
    if not data:
        raise api_error(422, "file", "required", "Berkas templat .docx wajib dikirim.", "A .docx template is required.")
    try:
        refused, missing = check_docx_template(data, jenis)
    except TemplateRefused as exc:
        raise api_error(
            422,
            "file",
            "invalid_template",
            f"Templat tidak dapat dibaca sebagai .docx docxtpl: {exc}",
            f"The template cannot be read as a docxtpl .docx: {exc}",
        ) from exc
    if refused or missing:
        raise ApiError(422, [*map(_not_allowed, refused[:MAX_REPORTED]), *(_missing(f, jenis) for f in missing)])
    write_private(rt.settings.data_dir / "templates" / f"{jenis}.docx", data)
    return {"jenis": jenis, "sha256": hashlib.sha256(data).hexdigest(), "fields": sorted(REQUIRED_FIELDS[jenis])}


MAX_REPORTED = 20  # refused constructs named in one answer


def _not_allowed(what: str) -> ErrorItem:
    return ErrorItem(
        "file",
        "not_allowed",
        f"Templat memakai {what}, yang tidak diizinkan (lihat isian dan filter yang didokumentasikan).",
        f"The template uses {what}, which is not allowed (see the documented fields and filters).",
    )


def _missing(field: str, jenis: str) -> ErrorItem:
    return ErrorItem(
        field,
        "missing_field",
        f"Templat {jenis} tidak memuat isian wajib {{{{ {field} }}}}.",
        f"The {jenis} template does not use the required field {{{{ {field} }}}}.",
    )
