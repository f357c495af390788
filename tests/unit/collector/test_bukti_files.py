"""Evidence files, the pure parts: the type read from the content, the display name, the download headers."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from services.collector.bukti import MAX_FILENAME, display_name
from services.collector.bukti_api import file_response
from services.collector.filetype import XLSX, detect, named_as


def zipped(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in names:
            z.writestr(name, "x")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("content", "kind", "content_type"),
    [
        (b"%PDF-1.7\n...", "pdf", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg", "image/jpeg"),
        (zipped("[Content_Types].xml", "xl/workbook.xml"), "xlsx", XLSX),
        (zipped("[Content_Types].xml", "word/document.xml"), "docx", None),
        (zipped("xl/workbook.xml"), "zip", None),  # xl/ without [Content_Types].xml is no xlsx
        (zipped("a.txt"), "zip", None),
        (b"PK\x03\x04garbage", "zip (rusak/corrupt)", None),
        (b"MZ\x90\x00", "exe", None),
        (b"\x7fELF\x02\x01", "elf", None),
        (b"%PD", "text", None),  # a truncated signature is not the type
        ("Laporan triwulan — bukti".encode(), "text", None),
        (b"\x00\x01\x02\x03\xfe", "unknown", None),
    ],
)
def test_the_kind_comes_from_the_bytes(tmp_path: Path, content: bytes, kind: str, content_type: str | None) -> None:
    path = tmp_path / "upload.pdf"
    path.write_bytes(content)
    found = detect(path)
    assert (found.kind, found.content_type, found.accepted) == (kind, content_type, content_type is not None)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("laporan.pdf", "laporan.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\op\\Bukti Rapat.pdf", "Bukti Rapat.pdf"),
        ("a\r\nX-Evil: 1\x00.pdf", "a X-Evil: 1 .pdf"),
        ("  spasi   ganda .png ", "spasi ganda .png"),
        ("", "bukti"),
        (None, "bukti"),
        ("..", "bukti"),
    ],
)
def test_the_display_name_has_no_path_and_no_control_characters(raw: str | None, shown: str) -> None:
    assert display_name(raw) == shown


def test_a_long_name_is_bounded_and_keeps_its_extension() -> None:
    name = display_name("x" * 500 + ".xlsx")
    assert len(name) == MAX_FILENAME and name.endswith(".xlsx")


@pytest.mark.parametrize(
    ("name", "content_type", "stored"),
    [
        ("evil.html", "application/pdf", "evil.pdf"),
        ("laporan.PDF", "application/pdf", "laporan.PDF"),
        ("foto.jpeg", "image/jpeg", "foto.jpeg"),
        ("foto.png", "image/jpeg", "foto.jpg"),
        ("rekap.xlsm", XLSX, "rekap.xlsx"),
        ("evil.svg", "image/png", "evil.png"),
        ("laporan v1.2", "application/pdf", "laporan v1.2.pdf"),
        ("bukti", "application/pdf", "bukti.pdf"),
        ("a.b.html", "application/pdf", "a.b.pdf"),
    ],
)
def test_a_name_carries_the_extension_of_the_detected_type(name: str, content_type: str, stored: str) -> None:
    assert named_as(name, content_type) == stored


def test_a_long_name_given_the_types_extension_stays_bounded() -> None:
    name = named_as(display_name("x" * 500), "image/jpeg")
    assert len(name) == MAX_FILENAME and name.endswith("x.jpg")


def test_the_download_header_encodes_the_name_and_never_breaks_out(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"%PDF-")
    response = file_response('Bukti "final"; ü.html', "application/pdf", "ab" * 32, path)
    disposition = response.headers["content-disposition"]
    assert disposition == (
        "attachment; filename=\"Bukti _final__ _.pdf\"; filename*=UTF-8''Bukti%20%22final%22%3B%20%C3%BC.pdf"
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.media_type == "application/pdf"
