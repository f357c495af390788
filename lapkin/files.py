"""`lapkin files migrate`: the files an install kept in its data folder (LAPKIN_FILE_STORE=local) copied into the
shared store LAPKIN_FILE_STORE names (`database` or `s3`), so replicas on other machines serve them too
(docs/storage.md). Services already read a file missing from the shared store in the local folder, so the copy can be
made while they run, at leisure; it copies, never deletes, checks every file against its SHA-256 and is safe to run
again (what the store has already, intact, is skipped; a damaged copy in the store is replaced from a good local one).

`lapkin files check`: every file the services' rows name, read back from the shared store and checked against its
SHA-256, so an operator learns of a damaged or lost object before an official does."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, Table
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from shared.config import Settings
from shared.db import on_postgresql
from shared.formatting import fmt_number
from shared.storage import SHA256, FileMissing, FileStore, LocalStore, shared_store

PROGRESS_EVERY_S = 5.0  # a long copy or check says how far it is at most this often
Say = Callable[[str], None]


class Progress:
    """'collector: 1.200 dari/of 5.000 berkas/files (24 %)' through `say`, at most every PROGRESS_EVERY_S seconds,
    while one service's files are copied or checked: with thousands of objects in a bucket either takes minutes."""

    def __init__(self, service: str, total: int, say: Say | None) -> None:
        self.service, self.total, self.say = service, total, say
        self.done = 0
        self.told = time.monotonic()

    def step(self) -> None:
        self.done += 1
        if self.say is None or self.done == self.total or time.monotonic() - self.told < PROGRESS_EVERY_S:
            return
        self.told = time.monotonic()
        self.say(
            f"  {self.service}: {fmt_number(self.done, 0)} dari/of {fmt_number(self.total, 0)} berkas/files "
            f"({self.done * 100 // self.total} %)"
        )


@dataclass
class Copied:
    """What one service's copy did."""

    service: str
    copied: int = 0
    present: int = 0
    elsewhere: int = 0  # a document whose files this machine has not got (another one drew it): run it there
    bytes: int = 0  # of the files copied
    repaired: int = 0  # a damaged copy in the store, replaced from a good local one
    repaired_bytes: int = 0
    problems: list[str] = field(default_factory=list)  # what is still wrong: exit status 1
    notes: list[str] = field(default_factory=list)  # what was mended

    def line(self) -> str:
        said = (
            f"{self.service:<10} disalin/copied {self.copied} ({self.bytes / 1048576:.1f} MiB), "
            f"sudah ada/already there {self.present}"
        )
        if self.repaired:
            said += f", diperbaiki/repaired {self.repaired} ({self.repaired_bytes / 1048576:.1f} MiB)"
        if self.elsewhere:
            said += f", tidak di mesin ini/not on this machine {self.elsewhere}"
        return said + "".join(f"\n  ! {p}" for p in self.notes + self.problems)


def in_store(store: FileStore, sha: str) -> FileMissing | None:
    """None when the store holds the file intact (read back and checked against its SHA-256, not only looked for:
    an object damaged behind the services' back is "there" to a HEAD); else why not (missing, or corrupt)."""
    try:
        store.get(sha)
    except FileMissing as exc:
        return exc
    return None


def _at(wrong: FileMissing) -> str:
    """Where the store's copy is, naming the file (an S3 location names it already, a table does not)."""
    return wrong.where if wrong.sha256 in wrong.where else f"{wrong.where}, {wrong.sha256}"


def _sync(store: FileStore, sha: str, path: Path, out: Copied) -> None:
    """One file of the folder into the store: skipped when intact there, copied when missing, replaced when damaged."""
    _sync_from(store, sha, lambda: path.read_bytes() if path.is_file() else None, str(path), out)


def _sync_from(store: FileStore, sha: str, read: Callable[[], bytes | None], source: str, out: Copied) -> None:
    """One file into the store from wherever `read` takes it (None: not on this machine; `source` says where)."""
    wrong = in_store(store, sha)
    if wrong is None:
        out.present += 1
        return
    data = read()
    if data is None:
        if wrong.corrupt:
            out.problems.append(
                f"{_at(wrong)}: rusak, tidak ada salinan di mesin ini / damaged, no copy on this machine "
                "(run it where the file was made, or restore it from a backup)"
            )
        else:
            out.elsewhere += 1
        return
    if hashlib.sha256(data).hexdigest() != sha:
        out.problems.append(f"{source}: isinya bukan {sha} / does not hold {sha} (not copied)")
        return
    if wrong.corrupt:
        store.replace(data)
        out.repaired += 1
        out.repaired_bytes += len(data)
        out.notes.append(f"{_at(wrong)}: rusak, diganti dari {source} / damaged, replaced from {source}")
    else:
        store.put(data)
        out.copied += 1
        out.bytes += len(data)


def copy_folder(service: str, store: FileStore, local: LocalStore, say: Say | None = None) -> Copied:
    """Evidence files: `<root>/<sha[:2]>/<sha>` (the collector's and the approval service's layout)."""
    out = Copied(service)
    paths = [
        path
        for path in sorted(local.root.glob("??/*"))
        if path.is_file() and SHA256.fullmatch(path.name) and path.parent.name == path.name[:2]
    ]
    progress = Progress(service, len(paths), say)
    for path in paths:
        _sync(store, path.name, path, out)
        progress.step()
    return out


def copy_documents(engine: Engine, store: FileStore, say: Say | None = None) -> Copied:
    """The renderer's documents: each one's files in its folder (`Document.folder`), named by the SHA-256 its row
    records for each format."""
    from services.renderer.models import Document

    out = Copied("renderer")
    with Session(engine) as session:
        docs = list(session.exec(select(Document)))
    files = [
        (sha, Path(doc.folder) / f"{'disposisi' if doc.jenis == 'disposisi' else 'laporan'}.{fmt}")
        for doc in docs
        for fmt, sha in sorted(json.loads(doc.sha256).items())
    ]
    progress = Progress("renderer", len(files), say)
    for sha, path in files:
        _sync(store, sha, path, out)
        progress.step()
    return out


def copy_table(service: str, engine: Engine, table: Table, store: FileStore, out: Copied, say: Say | None) -> None:
    """The files the service kept in its database table (LAPKIN_FILE_STORE=database before), into the bucket: an
    install moving from the database store to S3. Read one at a time; a row whose bytes are not its SHA-256 is said,
    not copied."""
    with engine.connect() as conn:
        shas = list(conn.execute(sql_select(table.c.sha256).order_by(table.c.sha256)).scalars())
    progress = Progress(service, len(shas), say)

    def row(sha: str) -> bytes | None:
        with engine.connect() as conn:
            data = conn.execute(sql_select(table.c.data).where(table.c.sha256 == sha)).scalar()
        return bytes(data) if data is not None else None

    for sha in shas:
        _sync_from(store, sha, partial(row, sha), f"table {table.name}, {sha}", out)
        progress.step()


def _tables() -> dict[str, Table]:
    from services.approval.models import FILES as APPROVAL_FILES
    from services.collector.models import FILES as COLLECTOR_FILES
    from services.renderer.models import FILES as RENDERER_FILES

    return {"collector": COLLECTOR_FILES, "approval": APPROVAL_FILES, "renderer": RENDERER_FILES}


def _stores(settings: Settings, engines: dict[str, Engine]) -> dict[str, FileStore]:
    """Each chosen service's part of the shared store, opened without the local fallback, so "there" means there."""
    tables = _tables()
    return {s: shared_store(settings, engine, tables[s]) for s, engine in engines.items()}


def migrate(settings: Settings, engines: dict[str, Engine], say: Say | None = None) -> list[Copied]:
    """Copy each service's local files into its part of the shared store (engines: collector, approval, renderer,
    migrated); `say` hears how far it is while it takes long."""
    from services.approval import bukti as approval_bukti
    from services.collector import bukti as collector_bukti

    stores = _stores(settings, engines)
    done = []
    if "collector" in stores:
        local = LocalStore(collector_bukti.store_root(settings.data_dir))
        done.append(copy_folder("collector", stores["collector"], local, say))
    if "approval" in stores:
        done.append(copy_folder("approval", stores["approval"], LocalStore(approval_bukti.root(settings)), say))
    if "renderer" in stores:
        done.append(copy_documents(engines["renderer"], stores["renderer"], say))
    if settings.file_store == "s3" and on_postgresql(settings):  # from the database store too, should it have been
        tables = _tables()
        for out in done:
            copy_table(out.service, engines[out.service], tables[out.service], stores[out.service], out, say)
    return done


@dataclass
class Checked:
    """What one service's check found: the files its rows name, read back from the shared store."""

    service: str
    checked: int = 0
    damaged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def line(self) -> str:
        said = (
            f"{self.service:<10} diperiksa/checked {self.checked}, rusak/damaged {len(self.damaged)}, "
            f"hilang/missing {len(self.missing)}"
        )
        return said + "".join(f"\n  ! {p}" for p in self.damaged + self.missing)


def recorded(service: str, engine: Engine) -> list[tuple[str, str]]:
    """(SHA-256, what names it) for every file the service's rows name: evidence by its row, documents by id and
    format."""
    from services.approval.models import DisposisiBukti
    from services.collector.models import Bukti
    from services.renderer.models import Document

    with Session(engine) as session:
        if service == "collector":
            rows = session.exec(select(Bukti.sha256, Bukti.submission_id).order_by(col(Bukti.id))).all()
            return [(sha, f"bukti of submission {sub}") for sha, sub in rows]
        if service == "approval":
            found = session.exec(select(DisposisiBukti.sha256, DisposisiBukti.disposisi_id)).all()
            return [(sha, f"bukti of disposisi {d}") for sha, d in found]
        docs = session.exec(select(Document).order_by(col(Document.id))).all()
        return [(sha, f"{doc.id}.{fmt}") for doc in docs for fmt, sha in sorted(json.loads(doc.sha256).items())]


def check(settings: Settings, engines: dict[str, Engine], say: Say | None = None) -> list[Checked]:
    """Read every recorded file back from the shared store and check it against its SHA-256 (each file once);
    `say` hears how far it is while it takes long."""
    done = []
    for service, store in _stores(settings, engines).items():
        out = Checked(service)
        files: dict[str, str] = {}
        for sha, named in recorded(service, engines[service]):
            files.setdefault(sha, named)  # each file once, named by the first row that names it
        progress = Progress(service, len(files), say)
        for sha, named in files.items():
            out.checked += 1
            wrong = in_store(store, sha)
            if wrong is not None and wrong.corrupt:
                out.damaged.append(f"{_at(wrong)} ({named}): rusak / damaged, SHA-256 does not match")
            elif wrong is not None:
                out.missing.append(f"{_at(wrong)} ({named}): hilang / missing")
            progress.step()
        done.append(out)
    return done
