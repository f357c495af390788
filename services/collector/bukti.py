"""Evidence files (bukti dukung, issue #3 item 7): attached to a quarterly submission, stored on disk by their
sha256 in the file store (shared/storage.py: data_dir/bukti/<sha[:2]>/<sha>, or the table col_file with
LAPKIN_FILE_STORE=database), listed with the submission and downloadable by officials.

Order of a write: the upload goes to a temp file next to the store (hashed and type-checked on the way), is renamed
to its content address (or copied into the store), and only then is the row committed. So there is never a row
without its file; a file without a row (a commit that failed) is harmless and taken over by the next upload of the
same bytes."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from uuid import uuid4

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from services.collector import answers as a
from services.collector.core.errors import Conflict, Invalid, NotFound, NotPermitted, TooLarge
from services.collector.core.validation import shown
from services.collector.filetype import ACCEPTED, Detected, detect, named_as
from services.collector.filetype import MAX_FILENAME as MAX_FILENAME  # the tests' import
from services.collector.handlers import STATUS_ROLES, ensure_open, may_act_for, utc_now
from services.collector.models import FILES, Bukti, Submission, Unit
from shared.errors import FORBIDDEN
from shared.filetype import display_name as display_name  # shared with the approval service's evidence
from shared.private import private_dir
from shared.service import Caller, Runtime
from shared.storage import FileMissing, FileStore, open_store

log = logging.getLogger("lapkin.files")

CHUNK = 1024 * 1024
MAX_KETERANGAN = 1000


# ---- the store on disk --------------------------------------------------------------------------------------


def store_root(data_dir: Path) -> Path:
    """The local folder: the store itself (LAPKIN_FILE_STORE=local), the uploads' temp files, and where the database
    store still finds files kept before the switch."""
    return data_dir / "bukti"


def files(rt: Runtime) -> FileStore:
    """The collector's file store (one per process, made when the app is built)."""
    store = rt.state.get("files")
    if store is None:
        local = store_root(rt.settings.data_dir)
        store = rt.state["files"] = open_store(rt.settings, rt.engine, FILES, local)
    return store  # type: ignore[no-any-return]


def blob_path(root: Path, sha256: str) -> Path:
    return root / sha256[:2] / sha256


@dataclass(frozen=True)
class Staged:
    """An accepted upload in its temp file, not yet at its content address."""

    path: Path
    sha256: str
    size: int
    detected: Detected


def stage(source: BinaryIO, root: Path, limit: int) -> Staged:
    """Copy an upload to a temp file in the store (same filesystem: the later rename is atomic), hashing it on the
    way; refuse it, leaving nothing behind, when it is over `limit` bytes, empty, or not an accepted type."""
    tmp_dir = private_dir(root / "tmp")  # 0700, like the store's folders (shared/private.py)
    fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
    path = Path(name)
    try:
        digest, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise Invalid.one("file", "empty_file", "file: berkas kosong", "file: the file is empty")
        detected = detect(path)
        if not detected.accepted:
            raise invalid_type(detected)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Staged(path, digest.hexdigest(), size, detected)


def place(staged: Staged, store: FileStore) -> None:
    """The staged file into the store, at its content address (the same bytes may already be there: same file)."""
    store.put_file(staged.path, staged.sha256)


def too_large(limit: int) -> Exception:
    size = f"{limit / 1048576:g} MiB" if limit >= 1048576 else f"{limit} bytes"
    return TooLarge.one(
        "file",
        "too_large",
        f"file: berkas melebihi batas ukuran ({size})",
        f"file: the file exceeds the size limit ({size})",
    )


def invalid_type(detected: Detected) -> Exception:
    allowed = ", ".join(k.upper() for k in ACCEPTED)
    return Invalid.one(
        "file",
        "invalid_file_type",
        f"file: jenis berkas tidak diizinkan (terdeteksi: {detected.kind}); yang diizinkan: {allowed}",
        f"file: file type not allowed (detected: {detected.kind}); allowed: {allowed}",
    )


# ---- the rows -----------------------------------------------------------------------------------------------


def load_submission(session: Session, submission_id: str) -> Submission:
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise NotFound.one(
            "submission_id",
            "unknown_submission",
            f"Laporan {shown(submission_id)} tidak dikenal.",
            f"Unknown submission {shown(submission_id)}.",
        )
    return sub


def is_staff(caller: Caller) -> bool:
    """Admin, or an official who follows collection."""
    return caller.kind == "admin" or (caller.kind == "official" and caller.role in STATUS_ROLES)


def check_may_read(session: Session, caller: Caller, unit: str) -> None:
    """Staff, and the unit's key (or its parent unit's)."""
    if is_staff(caller) or (caller.kind == "unit" and may_act_for(session, caller.id, unit)):
        return
    raise FORBIDDEN


def check_upload(session: Session, caller: Caller, submission_id: str) -> Submission:
    """Before the body is read: the submission exists, the caller may attach to it, its quarter is open."""
    sub = load_submission(session, submission_id)
    if caller.kind == "unit":
        if not may_act_for(session, caller.id, sub.unit):
            raise NotPermitted.one(
                "submission_id",
                "wrong_unit",
                f"Kunci API ini milik unit {caller.id}, bukan unit laporan ini ({sub.unit}).",
                f"This API key belongs to unit {caller.id}, not to this submission's unit ({sub.unit}).",
            )
    elif caller.kind != "admin":
        raise NotPermitted.one(None, "unit_key_required", "Gunakan kunci API unit.", "Use a unit's API key.")
    ensure_open(session, sub.tahun, sub.triwulan, sub.unit)
    return sub


def check_fields(sub: Submission, indikator: str | None, keterangan: str | None) -> None:
    if indikator is not None:
        named = {item.get("indikator") for item in json.loads(sub.body).get("realisasi", []) if isinstance(item, dict)}
        if indikator not in named:
            raise Invalid.one(
                "indikator",
                "unknown_indikator",
                f"indikator: {shown(indikator)} tidak ada dalam laporan ini",
                f"indikator: {shown(indikator)} is not in this submission",
            )
    if keterangan is not None and len(keterangan) > MAX_KETERANGAN:
        raise Invalid.one("keterangan", "too_long", "keterangan: terlalu panjang", "keterangan: is too long")


def attach(
    session: Session,
    *,
    store: FileStore,
    caller: Caller,
    sub: Submission,
    staged: Staged,
    filename: str,
    indikator: str | None,
    keterangan: str | None,
    max_count: int,
) -> tuple[Bukti, bool]:
    """The row for a staged file: (row, created). The same bytes on the same submission again answer the row
    already there. Locks the submission's row (PostgreSQL) so concurrent uploads count one after another."""
    session.get(Submission, sub.id, with_for_update=True)
    existing = _same_file(session, sub.id, staged.sha256)
    if existing is not None:
        return existing, False
    ensure_open(session, sub.tahun, sub.triwulan, sub.unit)  # it may have closed while the body came in
    count = session.exec(select(func.count()).select_from(Bukti).where(Bukti.submission_id == sub.id)).one()
    if count >= max_count:
        raise Conflict.one(
            "file",
            "too_many_files",
            f"file: laporan ini sudah memiliki {count} bukti (paling banyak {max_count})",
            f"file: this submission already has {count} evidence files (at most {max_count})",
        )
    place(staged, store)
    content_type = staged.detected.content_type or "application/octet-stream"
    row = Bukti(
        id=str(uuid4()),
        submission_id=sub.id,
        tahun=sub.tahun,
        triwulan=sub.triwulan,
        unit=sub.unit,
        indikator=indikator,
        keterangan=keterangan,
        filename=named_as(filename, content_type),
        content_type=content_type,
        size=staged.size,
        sha256=staged.sha256,
        uploaded_at=utc_now(),
        uploaded_by=uploader(caller),
    )
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # a concurrent upload of the same bytes won: answer its row
        session.rollback()
        existing = _same_file(session, sub.id, staged.sha256)
        if existing is None:
            raise
        return existing, False
    return row, True


def _same_file(session: Session, submission_id: str, sha256: str) -> Bukti | None:
    return session.exec(select(Bukti).where(Bukti.submission_id == submission_id, Bukti.sha256 == sha256)).first()


def uploader(caller: Caller) -> str:
    return {"unit": f"unit:{caller.id}", "official": f"official:{caller.id}"}.get(caller.kind, caller.kind)


def for_submission(session: Session, caller: Caller, submission_id: str) -> a.BuktiPengiriman:
    sub = load_submission(session, submission_id)
    check_may_read(session, caller, sub.unit)
    rows = session.exec(
        select(Bukti).where(Bukti.submission_id == sub.id).order_by(col(Bukti.uploaded_at), col(Bukti.id))
    )
    return {"submission_id": sub.id, "unit": sub.unit, "bukti": [public(r) for r in rows]}


def for_period(session: Session, caller: Caller, tahun: int, triwulan: int | None, unit: str | None) -> a.BuktiPeriode:
    """Evidence of a year (and quarter, and unit): officials and admin see every unit, a unit key its own (and
    its child units')."""
    query = select(Bukti).where(Bukti.tahun == tahun)
    if triwulan is not None:
        query = query.where(Bukti.triwulan == triwulan)
    if unit is not None:
        check_may_read(session, caller, unit)
        query = query.where(Bukti.unit == unit)
    elif caller.kind == "unit":
        query = query.where(col(Bukti.unit).in_(own_units(session, caller.id)))
    elif not is_staff(caller):
        raise FORBIDDEN
    rows = session.exec(query.order_by(col(Bukti.triwulan), col(Bukti.unit), col(Bukti.uploaded_at), col(Bukti.id)))
    return {"tahun": tahun, "triwulan": triwulan, "unit": unit, "bukti": [public(r) for r in rows]}


def own_units(session: Session, key_unit: str) -> list[str]:
    children = session.exec(select(Unit.kode).where(Unit.induk == key_unit))
    return [key_unit, *children]


def for_download(session: Session, caller: Caller, store: FileStore, bukti_id: str) -> tuple[Bukti, Path | bytes]:
    """The row and its file: a local path to stream, or the bytes the store read (checked against the SHA-256)."""
    row = session.get(Bukti, bukti_id)
    if row is None:
        raise NotFound.one("id", "unknown_bukti", f"Bukti {bukti_id} tidak dikenal.", f"Unknown evidence {bukti_id}.")
    check_may_read(session, caller, row.unit)
    try:
        return row, store.path(row.sha256) or store.get(row.sha256)
    except FileMissing as exc:
        log.error("evidence %s: %s", bukti_id, exc)  # where exactly (s3://bucket/key, the table, the folder): ops
        if exc.corrupt:
            raise NotFound.one(
                "id",
                "file_missing",
                "Berkas bukti rusak di penyimpanan (isinya tidak cocok dengan SHA-256-nya); beri tahu operator.",
                "The evidence file is damaged in the store (its bytes do not match its SHA-256); tell the operator.",
            ) from exc
        raise NotFound.one(
            "id",
            "file_missing",
            "Berkas bukti tidak ada di penyimpanan; beri tahu operator.",
            "The evidence file is missing from the store; tell the operator.",
        ) from exc


def public(row: Bukti) -> a.Bukti:
    uploaded_at = row.uploaded_at if row.uploaded_at.tzinfo else row.uploaded_at.replace(tzinfo=utc_now().tzinfo)
    return {
        "id": row.id,
        "submission_id": row.submission_id,
        "tahun": row.tahun,
        "triwulan": row.triwulan,
        "unit": row.unit,
        "indikator": row.indikator,
        "keterangan": row.keterangan,
        "filename": named_as(row.filename, row.content_type),  # a row stored before names followed the type
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "uploaded_at": uploaded_at.isoformat(),
        "uploaded_by": row.uploaded_by,
        "url": f"/api/v1/bukti/{row.id}",
    }
