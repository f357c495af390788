"""`lapkin files migrate`: the files an install kept in its data folder (LAPKIN_FILE_STORE=local) copied into the
shared store LAPKIN_FILE_STORE names (`database` or `s3`), so replicas on other machines serve them too
(docs/storage.md). Services already read a file missing from the shared store in the local folder, so the copy can be
made while they run, at leisure; it copies, never deletes, checks every file against its SHA-256 and is safe to run
again (what the store has already is skipped)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, Table
from sqlmodel import Session, select

from shared.config import Settings
from shared.storage import SHA256, FileStore, LocalStore, shared_store


@dataclass
class Copied:
    """What one service's copy did."""

    service: str
    copied: int = 0
    present: int = 0
    elsewhere: int = 0  # a document whose files this machine has not got (another one drew it): run it there
    bytes: int = 0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        said = (
            f"{self.service:<10} disalin/copied {self.copied} ({self.bytes / 1048576:.1f} MiB), "
            f"sudah ada/already there {self.present}"
        )
        if self.elsewhere:
            said += f", tidak di mesin ini/not on this machine {self.elsewhere}"
        return said + "".join(f"\n  ! {p}" for p in self.problems)


def _copy(store: FileStore, sha: str, path: Path, out: Copied) -> None:
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha:
        out.problems.append(f"{path}: isinya bukan {sha} / does not hold {sha} (not copied)")
        return
    store.put(data)
    out.copied += 1
    out.bytes += len(data)


def copy_folder(service: str, store: FileStore, local: LocalStore) -> Copied:
    """Evidence files: `<root>/<sha[:2]>/<sha>` (the collector's and the approval service's layout)."""
    out = Copied(service)
    for path in sorted(local.root.glob("??/*")):
        if not (path.is_file() and SHA256.fullmatch(path.name) and path.parent.name == path.name[:2]):
            continue
        if store.exists(path.name):
            out.present += 1
        else:
            _copy(store, path.name, path, out)
    return out


def copy_documents(engine: Engine, store: FileStore) -> Copied:
    """The renderer's documents: each one's files in its folder (`Document.folder`), named by the SHA-256 its row
    records for each format."""
    from services.renderer.models import Document

    out = Copied("renderer")
    with Session(engine) as session:
        docs = list(session.exec(select(Document)))
    for doc in docs:
        stem = "disposisi" if doc.jenis == "disposisi" else "laporan"
        for fmt, sha in sorted(json.loads(doc.sha256).items()):
            path = Path(doc.folder) / f"{stem}.{fmt}"
            if store.exists(sha):
                out.present += 1
            elif path.is_file():
                _copy(store, sha, path, out)
            else:
                out.elsewhere += 1
    return out


def migrate(settings: Settings, engines: dict[str, Engine]) -> list[Copied]:
    """Copy each service's local files into its part of the shared store (engines: collector, approval, renderer,
    migrated); the store is opened without the local fallback, so "already there" means there."""
    from services.approval import bukti as approval_bukti
    from services.approval.models import FILES as APPROVAL_FILES
    from services.collector import bukti as collector_bukti
    from services.collector.models import FILES as COLLECTOR_FILES
    from services.renderer.models import FILES as RENDERER_FILES

    def store(service: str, table: Table) -> FileStore:
        return shared_store(settings, engines[service], table)

    done = []
    if "collector" in engines:
        local = LocalStore(collector_bukti.store_root(settings.data_dir))
        done.append(copy_folder("collector", store("collector", COLLECTOR_FILES), local))
    if "approval" in engines:
        local = LocalStore(approval_bukti.root(settings))
        done.append(copy_folder("approval", store("approval", APPROVAL_FILES), local))
    if "renderer" in engines:
        done.append(copy_documents(engines["renderer"], store("renderer", RENDERER_FILES)))
    return done
