"""What an evidence file really is, from its bytes (never its name), for every service that takes uploads: each
passes the kinds it accepts (the units' evidence: PDF, PNG, JPEG, xlsx; a follow-up's evidence: docx too).

A name or a client's Content-Type can lie; the first bytes (and for a zip, its entries) cannot without breaking the
file. An xlsx is a zip holding `[Content_Types].xml` and `xl/` entries: a docx or a plain zip is not one."""

from __future__ import annotations

import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from fastapi.responses import FileResponse, Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEAD_BYTES = 16
MAX_FILENAME = 200  # a file name as stored and shown


@dataclass(frozen=True)
class Detected:
    kind: str  # pdf | png | jpeg | xlsx, or what was found instead: docx, zip, exe, text, …
    content_type: str | None  # None: not an accepted kind

    @property
    def accepted(self) -> bool:
        return self.content_type is not None


MEDIA_TYPES = {  # every kind some service accepts, with its media type; each service passes its own selection
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "xlsx": XLSX,
    "docx": DOCX,
}
ACCEPTED = {k: MEDIA_TYPES[k] for k in ("pdf", "png", "jpeg", "xlsx")}  # the units' evidence (the default)
# the extensions each accepted type goes by, the usual one first: a stored and downloaded name carries one of them
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg", "jpe"),
    XLSX: ("xlsx",),
    DOCX: ("docx",),
}
SIGNATURES = (  # (magic, kind): the accepted kinds first, then a few refused ones worth naming
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"MZ", "exe"),
    (b"\x7fELF", "elf"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole (doc/xls lama)"),
    (b"Rar!", "rar"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
)


def detect(path: Path, accepted: Mapping[str, str] = ACCEPTED) -> Detected:
    """The kind of the file at `path`, from its content; its media type when `accepted` (kind → type) names it."""
    with path.open("rb") as f:
        head = f.read(HEAD_BYTES)
    if head.startswith(b"PK\x03\x04"):
        return _named(_zip_kind(path), accepted)
    for magic, kind in SIGNATURES:
        if head.startswith(magic):
            return _named(kind, accepted)
    return _named("text" if _looks_like_text(head) else "unknown", accepted)


def _named(kind: str, accepted: Mapping[str, str]) -> Detected:
    return Detected(kind, accepted.get(kind))


def _zip_kind(path: Path) -> str:
    """xlsx, docx, pptx, or plain zip (a broken archive is no xlsx either)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "zip (rusak/corrupt)"
    if "[Content_Types].xml" not in names:
        return "zip"
    for prefix, kind in (("xl/", "xlsx"), ("word/", "docx"), ("ppt/", "pptx")):
        if any(n.startswith(prefix) for n in names):
            return kind
    return "zip"


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data"  # a character cut at the end of the sample
    return True


def named_as(name: str, content_type: str) -> str:
    """The name with the extension of what the file is: a PDF uploaded as `evil.html` is `evil.pdf`, so nothing that
    goes by the name (a browser, a desktop opening the download) takes it for HTML. A last part that does not look
    like an extension (`laporan v1.2`) is kept and the extension added."""
    extensions = EXTENSIONS.get(content_type)
    if not extensions:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and ext.lower() in extensions:
        return name
    if dot and stem and ext.isalnum() and not ext.isdigit() and len(ext) <= 10:
        name = stem
    return name[: MAX_FILENAME - len(extensions[0]) - 1] + "." + extensions[0]


def display_name(raw: str | None, default: str = "bukti") -> str:
    """The client's file name, safe to show and to put in a header: no path, no control characters, bounded."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in name)
    name = " ".join(name.split()).strip(". ")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: MAX_FILENAME - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:MAX_FILENAME]
    return name or default


def file_response(filename: str, content_type: str, sha256: str, body: Path | bytes) -> Response:
    """The stored bytes as an attachment, typed by their content and never sniffed into something else, named with
    the extension of that type: streamed from a local file, or the bytes a shared store read (shared/storage.py)."""
    filename = named_as(filename, content_type)
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename)
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    headers = {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-cache",
        "X-Content-SHA256": sha256,
    }
    if isinstance(body, bytes):
        return Response(body, media_type=content_type, headers=headers)
    return FileResponse(body, media_type=content_type, headers=headers)
