"""The renderer's event handlers (SOP steps 3–4, 7, 9): draft documents for a complete recap, final ones
once approved, each in .docx, .pdf and .xlsx from one view-model."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from services.renderer import documents
from services.renderer.models import Document, RenPk
from services.renderer.viewmodel import build_view_model
from shared.events import catalogue as ev
from shared.events.envelope import Envelope
from shared.service import Runtime

FORMATS = ("docx", "pdf", "xlsx")
JENIS = {"S1": "semester", "S2": "semester", "TAHUNAN": "tahunan"}
VOLATILE = ("revision", "status", "inputs")


def jenis_of(periode: str) -> str:
    return JENIS.get(periode, "triwulan")


def content_hash(rekap: dict[str, Any]) -> str:
    stable = {k: v for k, v in rekap.items() if k not in VOLATILE}
    return hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()


def latest_document(session: Session, draft_id: str) -> Document | None:
    query = select(Document).where(Document.draft_id == draft_id).order_by(col(Document.version).desc())
    return session.exec(query.limit(1)).first()


def render_files(folder: Path, vm: Any) -> dict[str, str]:
    """Write the three formats; returns {format: sha256}."""
    folder.mkdir(parents=True, exist_ok=True)
    hashes = {}
    for fmt, render in (
        ("docx", documents.render_docx),
        ("pdf", documents.render_pdf),
        ("xlsx", documents.render_xlsx),
    ):
        data = render(vm)
        target = folder / f"laporan.{fmt}"
        tmp = target.with_suffix(f".{fmt}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        hashes[fmt] = hashlib.sha256(data).hexdigest()
    return hashes


def _generated_on(value: datetime | None) -> date:
    return (value or datetime.now()).date()


def make_handlers(rt: Runtime) -> dict[str, Any]:
    root = rt.settings.documents_dir

    def on_pk_published(session: Session, env: Envelope, p: ev.PerjanjianKinerjaPublished) -> None:
        row = session.get(RenPk, p.tahun)
        if row is not None and row.version >= p.version:
            return
        row = row or RenPk(tahun=p.tahun, version=p.version, body="")
        row.version, row.body = p.version, json.dumps(p.pk)
        session.add(row)

    def on_rekap_completed(session: Session, env: Envelope, p: ev.RekapCompleted) -> None:
        """A draft only for a complete recap; a semester or the year only once its quarters are final."""
        if p.status != "complete" or p.rekap.get("quarters_final") is False:
            return
        draft_id = f"{p.tahun}-{p.periode}"
        digest = content_hash(p.rekap)
        last = latest_document(session, draft_id)
        if last is not None and (last.content_hash == digest or last.status == "final"):
            return
        version = (last.version + 1) if last else 1
        pk_row = session.get(RenPk, p.tahun)
        pk = json.loads(pk_row.body) if pk_row else None
        vm = build_view_model(
            p.rekap,
            pk=pk,
            final=False,
            generated_on=_generated_on(env.occurred_at),
            version=version,
            locale=rt.settings.locale,
        )
        folder = root / str(p.tahun) / p.periode / f"v{version}"
        hashes = render_files(folder, vm)
        doc = Document(
            id=f"{draft_id}-v{version}",
            draft_id=draft_id,
            jenis=jenis_of(p.periode),
            tahun=p.tahun,
            periode=p.periode,
            version=version,
            recap_revision=p.revision,
            content_hash=digest,
            status="draft",
            sha256=json.dumps(hashes),
            folder=str(folder),
            rekap=json.dumps(p.rekap),
        )
        session.add(doc)
        rt.emit(
            session,
            "DraftRendered",
            ev.DraftRendered(
                draft_id=draft_id,
                document_id=doc.id,
                jenis=doc.jenis,
                tahun=p.tahun,
                periode=p.periode,
                version=version,
                recap_revision=p.revision,
                files=hashes,
            ),
            causation=env,
        )

    def on_draft_approved(session: Session, env: Envelope, p: ev.DraftApproved) -> None:
        """The final approval: publish the signed documents, immutable, with their SHA-256."""
        if not p.final:
            return
        draft = session.get(Document, f"{p.draft_id}-v{p.version}")
        final_id = f"{p.draft_id}-v{p.version}-final"
        if draft is None or session.get(Document, final_id) is not None:
            return
        pk_row = session.get(RenPk, draft.tahun)
        vm = build_view_model(
            json.loads(draft.rekap),
            pk=json.loads(pk_row.body) if pk_row else None,
            final=True,
            generated_on=_generated_on(env.occurred_at),
            version=draft.version,
            approvals=p.chain,
            locale=rt.settings.locale,
        )
        folder = Path(draft.folder) / "final"
        hashes = render_files(folder, vm)
        session.add(
            Document(
                id=final_id,
                draft_id=draft.draft_id,
                jenis=draft.jenis,
                tahun=draft.tahun,
                periode=draft.periode,
                version=draft.version,
                recap_revision=draft.recap_revision,
                content_hash=draft.content_hash,
                status="final",
                sha256=json.dumps(hashes),
                folder=str(folder),
                rekap=draft.rekap,
                approvals=json.dumps(p.chain),
            )
        )
        rt.emit(
            session,
            "DocumentPublished",
            ev.DocumentPublished(
                document_id=final_id,
                draft_id=draft.draft_id,
                jenis=draft.jenis,
                tahun=draft.tahun,
                periode=draft.periode,
                version=draft.version,
                recap_revision=draft.recap_revision,
                files=hashes,
            ),
            causation=env,
        )

    return {
        "PerjanjianKinerjaPublished": on_pk_published,
        "RekapCompleted": on_rekap_completed,
        "DraftApproved": on_draft_approved,
    }
