"""What the public verification page knows (web/verifikasi.py): the final documents the renderer published
(`DocumentPublished`, `apv_final_document`), found by any of their files' SHA-256 or by the document id the Lembar
Pengesahan's QR code names, with the approval chain of that version; and the verdict on an uploaded file.

Why two addresses: the QR code is printed inside the PDF, so it cannot carry that PDF's own SHA-256 (the hash covers
the QR code). It names the document (`/verifikasi/dokumen/{document_id}`), whose page lists every final file with its
SHA-256; `/verifikasi/{sha256}` resolves the SHA-256 of any final file (.pdf, .docx, .xlsx)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, col, select

from services.approval.domain import ChainEntry, Draft, approval_chain
from services.approval.models import DraftRow, FinalDocumentRow
from shared.signing import PdfCheck

SHA256 = re.compile(r"[0-9a-f]{64}")
DOCUMENT_ID = re.compile(r"[A-Za-z0-9._-]{1,120}")


@dataclass(frozen=True)
class Published:
    """One published final document: its files and the chain that approved its version."""

    document_id: str
    draft_id: str
    jenis: str
    tahun: int
    periode: str
    version: int
    files: dict[str, str]  # format -> sha256
    published_at: datetime
    chain: tuple[ChainEntry, ...]


def is_sha256(text: str) -> bool:
    return SHA256.fullmatch(text) is not None


def _published(session: Session, fin: FinalDocumentRow) -> Published | None:
    row = session.get(DraftRow, fin.draft_id)
    if row is None:
        return None
    draft = Draft.from_dict(json.loads(row.data))
    chain = approval_chain(replace(draft, version=fin.version))  # the chain of the published version
    return Published(
        document_id=fin.document_id,
        draft_id=fin.draft_id,
        jenis=row.jenis,
        tahun=row.tahun,
        periode=row.periode,
        version=fin.version,
        files=dict(json.loads(fin.files)),
        published_at=fin.published_at,
        chain=chain,
    )


def by_sha256(session: Session, sha256: str) -> Published | None:
    """The final document one of whose files has this SHA-256 (lower-case hex, checked by the caller)."""
    if not is_sha256(sha256):
        return None
    # the files column is JSON {format: sha256}: a 64-hex needle cannot match anything but a whole hash
    for fin in session.exec(select(FinalDocumentRow).where(col(FinalDocumentRow.files).contains(sha256))):
        if sha256 in json.loads(fin.files).values():
            return _published(session, fin)
    return None


def by_document_id(session: Session, document_id: str) -> Published | None:
    if DOCUMENT_ID.fullmatch(document_id) is None:
        return None
    fin = session.exec(select(FinalDocumentRow).where(FinalDocumentRow.document_id == document_id)).first()
    return _published(session, fin) if fin is not None else None


@dataclass(frozen=True)
class Verdict:
    """An uploaded file judged: its SHA-256, the final document it is (None: none), its signatures."""

    sha256: str
    published: Published | None
    check: PdfCheck

    @property
    def valid(self) -> bool:
        """A final document of this office, byte for byte, and every signature it carries intact and trusted."""
        if self.published is None or not self.check.readable:
            return False
        return all(s.valid for s in self.check.signatures)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
