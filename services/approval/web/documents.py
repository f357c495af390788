"""The Dokumen block of the draft page and of a circulation (templates/_documents.html): a draft's PDF, or once the
draft is final its final .pdf, .docx and .xlsx with each file's SHA-256 (routes in web/final.py), or, while the
renderer has not published the final yet, a note saying so."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any
from urllib.parse import quote

from sqlmodel import Session

from services.approval import handlers
from services.approval.models import DraftRow
from services.approval.web.i18n import fmt_datetime

FORMATS = ("pdf", "docx", "xlsx")


def documents_view(db: Session, row: DraftRow | None, lang: str) -> dict[str, Any]:
    """What the Dokumen block of the draft page and of a circulation shows (templates/_documents.html)."""
    if row is None:
        return {"state": "none"}
    base = f"/draf/{quote(row.id)}"
    if row.state != "final":
        return {"state": "draft", "pdf": f"{base}/dokumen.pdf"}
    fin = handlers.final_document(db, row)
    if fin is None:
        return {"state": "pending"}
    hashes = json.loads(fin.files)
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
