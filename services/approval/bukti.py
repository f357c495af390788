"""Evidence files of a disposition's result (a follow-up's proof of use, issue 17): stored content-addressed in the
file store (shared/storage.py: the approval service's data folder, data_dir/approval/bukti/<sha[:2]>/<sha>, or the
table apv_file with LAPKIN_FILE_STORE=database), rows in apv_disposisi_bukti.

What a file is comes from its bytes (shared/filetype.py, the collector's rule): PDF, PNG, JPEG, xlsx or docx, at most
10 MB each. A refused file leaves nothing behind. Nothing uploaded is run or shown inline: the download is an
attachment typed by its content (`shared.filetype.file_response`), with `nosniff`.

Order of a write, as the collector's: each upload goes to a temp file in the store (hashed and checked on the way),
is renamed to its content address (or copied into the store), and only then is its row committed — never a row
without its file."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from starlette.datastructures import UploadFile as StarletteUpload

from services.approval.models import FILES
from shared.config import Settings
from shared.errors import ApiError, ErrorItem
from shared.filetype import MEDIA_TYPES, detect, display_name, named_as
from shared.private import private_dir
from shared.service import Runtime
from shared.storage import FileStore, open_store

MAX_BYTES = 10 * 1024 * 1024  # one evidence file
MAX_FILES = 10  # files with one result
ACCEPTED = {k: MEDIA_TYPES[k] for k in ("pdf", "png", "jpeg", "xlsx", "docx")}
CHUNK = 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024  # an XLSX/DOCX's members, as its directory declares them, in all
MAX_RATIO = 100  # declared size over compressed size, of a member or the whole (real office files: under ~20)
ZIP_KINDS = ("xlsx", "docx")
SHA256 = re.compile(r"[0-9a-f]{64}")


def root(settings: Settings) -> Path:
    """The local folder: the store itself (LAPKIN_FILE_STORE=local), the uploads' temp files, and where the database
    store still finds files kept before the switch."""
    return settings.data_dir / "approval" / "bukti"


def files(rt: Runtime) -> FileStore:
    """The approval service's file store (one per process, made when the app is built)."""
    store = rt.state.get("files")
    if store is None:
        store = rt.state["files"] = open_store(rt.settings, rt.engine, FILES, root(rt.settings))
    return store  # type: ignore[no-any-return]


def bukti_path(settings: Settings, sha256: str) -> Path:
    """Where the file with this SHA-256 is kept; a ValueError for anything that is not one (no path tricks)."""
    if not SHA256.fullmatch(sha256):
        raise ValueError("not a sha256")
    return root(settings) / sha256[:2] / sha256


@dataclass(frozen=True)
class Upload:
    """An uploaded file as the route got it: the client's name (never trusted) and its bytes."""

    nama: str | None
    source: BinaryIO


@dataclass(frozen=True)
class Staged:
    """An accepted upload in its temp file, not yet at its content address."""

    path: Path
    sha256: str
    size: int
    media_type: str
    nama: str


def uploads_of(parts: Sequence[object]) -> list[Upload]:
    """The files of a multipart `bukti` field (an empty file input sends a part with no name: skipped); a part that is
    text, not a file, is refused (422 naming `bukti`) rather than silently left out."""
    found: list[Upload] = []
    for part in parts:
        if isinstance(part, StarletteUpload):
            if part.filename:
                found.append(Upload(part.filename, part.file))
        else:
            raise ApiError(
                422,
                [_error("not_a_file", "harus berkas (bagian multipart dengan nama berkas), bukan teks",
                        "must be a file (a multipart part with a filename), not text")],
            )  # fmt: skip
    return found


def _error(rule: str, msg_id: str, msg_en: str) -> ErrorItem:
    return ErrorItem("bukti", rule, f"bukti: {msg_id}", f"bukti: {msg_en}")


def _size(limit: int) -> str:
    return f"{limit / 1048576:g} MB"


def stage(settings: Settings, uploads: Sequence[Upload]) -> list[Staged]:
    """Every upload in a temp file of the store, or ApiError (413 for a file over the limit, else 422) naming each
    refused file; nothing is left behind on refusal."""
    if len(uploads) > MAX_FILES:
        raise ApiError(
            422,
            [
                _error(
                    "too_many_files",
                    f"paling banyak {MAX_FILES} berkas sekaligus",
                    f"at most {MAX_FILES} files at once",
                )
            ],
        )
    staged: list[Staged] = []
    errors: list[ErrorItem] = []
    status = 422
    tmp_dir = private_dir(root(settings) / "tmp")  # 0700, like the store's folders (shared/private.py)
    try:
        for upload in uploads:
            nama = display_name(upload.nama)
            fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
            path = Path(name)
            digest, size, over = hashlib.sha256(), 0, False
            with os.fdopen(fd, "wb") as out:
                while chunk := upload.source.read(CHUNK):
                    size += len(chunk)
                    if size > MAX_BYTES:
                        over = True
                        break
                    digest.update(chunk)
                    out.write(chunk)
            found = detect(path, ACCEPTED) if not over and size else None
            if over:
                status = 413
                errors.append(
                    _error("too_large", f'"{nama}" melebihi {_size(MAX_BYTES)}', f'"{nama}" is over {_size(MAX_BYTES)}')
                )
            elif size == 0:
                errors.append(_error("empty_file", f'"{nama}" kosong', f'"{nama}" is empty'))
            elif found is None or found.content_type is None:
                allowed = ", ".join(k.upper() for k in ACCEPTED)
                kind = found.kind if found else "?"
                errors.append(
                    _error(
                        "invalid_file_type",
                        f'"{nama}" jenis tidak diizinkan (terdeteksi: {kind}); yang diizinkan: {allowed}',
                        f'"{nama}" is a type not allowed (detected: {kind}); allowed: {allowed}',
                    )
                )
            elif found.kind in ZIP_KINDS and (bomb := _zip_bomb(path, nama)) is not None:
                errors.append(bomb)
            else:
                media = found.content_type
                staged.append(Staged(path, digest.hexdigest(), size, media, named_as(nama, media)))
                continue
            path.unlink(missing_ok=True)
    except BaseException:
        discard(staged)
        raise
    if errors:
        discard(staged)
        raise ApiError(status, errors)
    return staged


def _zip_bomb(path: Path, nama: str) -> ErrorItem | None:
    """An XLSX/DOCX (a zip) that would unpack to more than MAX_UNPACKED, or compresses absurdly well (a zip bomb),
    read from its central directory only: nothing is inflated to check it."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return _error("invalid_file_type", f'"{nama}" arsip rusak', f'"{nama}" is a broken archive')
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    absurd = any(m.file_size > CHUNK and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members)
    if unpacked > MAX_UNPACKED or absurd or unpacked > MAX_RATIO * max(packed, 1) + CHUNK:
        return _error(
            "zip_bomb",
            f'"{nama}" terurai menjadi {_size(unpacked)} (rasio {unpacked // max(packed, 1)}:1); paling banyak '
            f"{_size(MAX_UNPACKED)} dan rasio {MAX_RATIO}:1",
            f'"{nama}" unpacks to {_size(unpacked)} (ratio {unpacked // max(packed, 1)}:1); at most '
            f"{_size(MAX_UNPACKED)} and a ratio of {MAX_RATIO}:1",
        )
    return None


def place(store: FileStore, staged: Staged) -> None:
    """The staged file into the store, at its content address (the same bytes may already be there: same file)."""
    store.put_file(staged.path, staged.sha256)


def discard(staged: Sequence[Staged]) -> None:
    for s in staged:
        s.path.unlink(missing_ok=True)
