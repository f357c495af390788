"""Collector: evidence files (bukti dukung) on a quarterly submission — upload with the type read from the content,
size and count limits, the content-addressed store, listing and download, who may do what; in-process on real
Redis + database (SQLite, or PostgreSQL with LAPKIN_TEST_DATABASE_URL)."""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from redis import Redis
from sqlalchemy import text
from sqlmodel import func, select

from services.collector.models import Bukti
from shared.security import issue_token
from tests.integration.conftest import Service, _drop_schema, auth, make_settings, put_pk, unit_key
from tests.support.modes import loose_modes
from tests.support.s3 import S3Server

LIMIT = 64 * 1024  # the test's upload limit
MAX_FILES = 3
SUBMIT = "/api/v1/laporan-triwulan"


@pytest.fixture
def svc(tmp_path: Path, database_url: str | None, redis_client: Redis, pk: dict[str, Any]) -> Iterator[Service]:
    """The collector with small limits (64 KiB per file, 3 files per submission) and the worked-example PK, plus a
    child unit SEKSI-PENTA (induk BID-PENTA) responsible for IK-3.2."""
    yield from collector(tmp_path, database_url, redis_client, pk, "local")


@pytest.fixture
def db_svc(tmp_path: Path, database_url: str | None, redis_client: Redis, pk: dict[str, Any]) -> Iterator[Service]:
    """The same with LAPKIN_FILE_STORE=database (shared/storage.py): PostgreSQL only."""
    if not database_url:
        pytest.skip("the database file store needs PostgreSQL: set LAPKIN_TEST_DATABASE_URL")
    yield from collector(tmp_path, database_url, redis_client, pk, "database")


@pytest.fixture
def s3_svc(
    tmp_path: Path, database_url: str | None, redis_client: Redis, pk: dict[str, Any], s3_server: S3Server
) -> Iterator[Service]:
    """The same with LAPKIN_FILE_STORE=s3: a fresh bucket of moto's S3 server process (tests/support/s3.py)."""
    bucket = s3_server.new_bucket()
    yield from collector(tmp_path, database_url, redis_client, pk, **s3_server.settings(bucket, "lapkin/"))


@pytest.fixture
def s3_down_svc(
    tmp_path: Path, database_url: str | None, redis_client: Redis, pk: dict[str, Any], s3_server: S3Server
) -> Iterator[Service]:
    """LAPKIN_FILE_STORE=s3 with nothing listening at the endpoint (an outage of the store)."""
    given = {**s3_server.settings("lapkin-files"), "s3_endpoint_url": "http://127.0.0.1:9"}
    yield from collector(tmp_path, database_url, redis_client, pk, **given)


def collector(
    tmp_path: Path, database_url: str | None, redis_client: Redis, pk: dict[str, Any], file_store: str, **more: Any
) -> Iterator[Service]:
    from services.collector.main import create_app

    settings = make_settings(tmp_path, database_url).model_copy(
        update={"max_upload_bytes": LIMIT, "max_bukti_per_submission": MAX_FILES, "file_store": file_store, **more}
    )
    pk["units"].append({"kode": "SEKSI-PENTA", "nama": "Seksi Penempatan", "jenis": "seksi", "induk": "BID-PENTA"})
    pk["sasaran"][2]["indikator"][1]["penanggung_jawab"] = "SEKSI-PENTA"
    try:
        with TestClient(create_app(settings)) as client:
            service = Service(client, settings, redis_client)
            put_pk(service, pk)
            yield service
    finally:
        keys = list(redis_client.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis_client.delete(*keys)
        _drop_schema(database_url, "collector")


# ---- tiny real files --------------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
PDF += b"trailer <</Root 1 0 R>>\n%%EOF\n"


def image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (3, 2), (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


def xlsx() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["indikator", "nilai"])  # type: ignore[union-attr]
    wb.active.append(["IK-3.1", 60])  # type: ignore[union-attr]
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def a_zip(entries: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in entries.items():
            z.writestr(name, text)
    return buf.getvalue()


DOCX = a_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
PLAIN_ZIP = a_zip({"laporan.txt": "isi"})


# ---- helpers ----------------------------------------------------------------------------------------------------


def submit(svc: Service, unit: str = "BID-PENTA", nilai: str = "60", key_unit: str | None = None) -> str:
    body = {"tahun": 2024, "triwulan": 1, "unit": unit, "realisasi": [{"indikator": "IK-3.1", "nilai": nilai}]}
    if unit == "SEKSI-PENTA":
        body["realisasi"] = [{"indikator": "IK-3.2", "nilai": nilai}]
    r = svc.client.post(SUBMIT, json=body, headers=auth(unit_key(svc, key_unit or unit)))
    assert r.status_code == 202, r.text
    return str(r.json()["submission_id"])


def upload(
    svc: Service,
    sub: str,
    content: bytes,
    filename: str = "bukti.pdf",
    unit: str = "BID-PENTA",
    headers: dict[str, str] | None = None,
    **fields: str,
) -> Any:
    files = {"file": (filename, content, "application/octet-stream")}
    h = headers if headers is not None else auth(unit_key(svc, unit))
    return svc.client.post(f"{SUBMIT}/{sub}/bukti", files=files, data=fields, headers=h)


def official(svc: Service, role: str = "kabid") -> dict[str, str]:
    token = issue_token(
        svc.settings.resolved_secret_key(), official_id=7, username="pejabat", role=role, unit=None, ttl_s=600
    )
    return auth(token)


def store(svc: Service) -> Path:
    return svc.settings.data_dir / "bukti"


def blobs(svc: Service) -> list[str]:
    """The files at content addresses (never the temp folder)."""
    root = store(svc)
    return sorted(p.name for p in root.glob("??/*") if p.is_file()) if root.exists() else []


def temp_files(svc: Service) -> list[Path]:
    return list((store(svc) / "tmp").glob("*"))


def row_count(svc: Service) -> int:
    with svc.session() as s:
        return int(s.exec(select(func.count()).select_from(Bukti)).one())


def assert_nothing_stored(svc: Service, rows: int = 0, files: int = 0) -> None:
    assert row_count(svc) == rows
    assert len(blobs(svc)) == files
    assert temp_files(svc) == []


def rule(r: Any) -> str:
    errors = r.json()["errors"]
    assert len(errors) == 1 and set(errors[0]) == {"field", "rule", "message_id", "message_en"}
    return str(errors[0]["rule"])


# ---- accepted files -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("laporan.pdf", lambda: PDF, "application/pdf"),
        ("foto.png", lambda: image("PNG"), "image/png"),
        ("foto.jpg", lambda: image("JPEG"), "image/jpeg"),
        ("rekap.xlsx", xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_pdf_png_jpeg_and_xlsx_are_accepted_and_stored_by_their_hash(
    svc: Service, name: str, make: Any, content_type: str
) -> None:
    content = make()
    sub = submit(svc)
    r = upload(svc, sub, content, name, indikator="IK-3.1", keterangan="Notulen rapat")
    assert r.status_code == 201, r.text
    row = r.json()
    sha = hashlib.sha256(content).hexdigest()
    assert row["content_type"] == content_type and row["sha256"] == sha and row["size"] == len(content)
    assert row["submission_id"] == sub and row["unit"] == "BID-PENTA" and (row["tahun"], row["triwulan"]) == (2024, 1)
    assert row["filename"] == name and row["indikator"] == "IK-3.1" and row["keterangan"] == "Notulen rapat"
    assert row["uploaded_by"] == "unit:BID-PENTA" and row["url"] == f"/api/v1/bukti/{row['id']}"
    path = store(svc) / sha[:2] / sha
    assert path.read_bytes() == content
    assert temp_files(svc) == []
    assert loose_modes(store(svc)) == []  # evidence is the owner's only: 0600 files in 0700 folders


def test_the_type_comes_from_the_content_not_the_name(svc: Service) -> None:
    sub = submit(svc)
    r = upload(svc, sub, PDF, "foto.png")
    assert r.status_code == 201, r.text
    assert r.json()["content_type"] == "application/pdf" and r.json()["filename"] == "foto.pdf"
    got = svc.client.get(r.json()["url"], headers=svc.admin)
    assert got.headers["content-type"] == "application/pdf"


POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"


def test_a_pdf_html_polyglot_sent_as_html_is_stored_and_downloaded_as_pdf(svc: Service) -> None:
    sub = submit(svc)
    r = upload(svc, sub, POLYGLOT, "evil.html")
    assert r.status_code == 201, r.text
    assert r.json()["content_type"] == "application/pdf" and r.json()["filename"] == "evil.pdf"
    with svc.session() as s:
        assert s.exec(select(Bukti.filename)).one() == "evil.pdf"
    got = svc.client.get(r.json()["url"], headers=official(svc))
    assert got.status_code == 200 and got.content == POLYGLOT
    assert got.headers["content-type"] == "application/pdf" and got.headers["x-content-type-options"] == "nosniff"
    disposition = got.headers["content-disposition"]
    assert disposition == "attachment; filename=\"evil.pdf\"; filename*=UTF-8''evil.pdf"
    listed = svc.client.get(f"{SUBMIT}/{sub}/bukti", headers=svc.admin).json()["bukti"]
    assert [b["filename"] for b in listed] == ["evil.pdf"]


def test_a_row_stored_under_another_extension_is_listed_and_downloaded_with_its_types(svc: Service) -> None:
    sub = submit(svc)
    r = upload(svc, sub, POLYGLOT, "evil.pdf")
    with svc.session() as s:  # as an upload stored it before names followed the type
        row = s.get(Bukti, r.json()["id"])
        assert row is not None
        row.filename = "evil.html"
        s.add(row)
        s.commit()
    got = svc.client.get(r.json()["url"], headers=svc.admin)
    assert 'filename="evil.pdf"' in got.headers["content-disposition"]
    status = svc.client.get("/api/v1/periode/2024/TW1/status", headers=svc.admin).json()
    files = [f["filename"] for u in status["units"] for f in u["bukti"]["files"]]
    assert files == ["evil.pdf"]


# ---- refused files ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "detected"),
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 200, "exe"),
        (b"ini hanya teks biasa, bukan PDF\n", "text"),
        (DOCX, "docx"),
        (PLAIN_ZIP, "zip"),
        (b"PK\x03\x04 not really a zip", "zip"),
        (b"GIF89a\x01\x00\x01\x00", "gif"),
    ],
)
def test_other_content_named_pdf_is_422_naming_what_was_detected(svc: Service, content: bytes, detected: str) -> None:
    sub = submit(svc)
    r = upload(svc, sub, content, "laporan.pdf")
    assert r.status_code == 422, r.text
    assert rule(r) == "invalid_file_type"
    err = r.json()["errors"][0]
    assert err["field"] == "file" and f"terdeteksi: {detected}" in err["message_id"]
    assert f"detected: {detected}" in err["message_en"]
    assert_nothing_stored(svc)


def test_an_empty_file_a_missing_file_and_a_bad_indikator_are_422(svc: Service) -> None:
    sub = submit(svc)
    r = upload(svc, sub, b"", "kosong.pdf")
    assert r.status_code == 422 and rule(r) == "empty_file"
    r = svc.client.post(f"{SUBMIT}/{sub}/bukti", data={"indikator": "IK-3.1"}, headers=auth(unit_key(svc, "BID-PENTA")))
    assert r.status_code == 422 and rule(r) == "required"
    r = svc.client.post(f"{SUBMIT}/{sub}/bukti", json={"file": "x"}, headers=auth(unit_key(svc, "BID-PENTA")))
    assert r.status_code == 422 and rule(r) == "required"
    r = upload(svc, sub, PDF, indikator="IK-3.2")  # BID-PENTA's submission only named IK-3.1
    assert r.status_code == 422 and rule(r) == "unknown_indikator"
    r = upload(svc, sub, PDF, keterangan="x" * 1001)
    assert r.status_code == 422 and rule(r) == "too_long"
    two = [("file", ("a.pdf", PDF, "application/pdf")), ("file", ("b.pdf", PDF + b" ", "application/pdf"))]
    r = svc.client.post(f"{SUBMIT}/{sub}/bukti", files=two, headers=auth(unit_key(svc, "BID-PENTA")))
    assert r.status_code == 422 and rule(r) == "invalid_multipart"
    assert_nothing_stored(svc)


# ---- size ---------------------------------------------------------------------------------------------------------


def test_a_file_at_the_limit_is_accepted_one_byte_over_is_413(svc: Service) -> None:
    sub = submit(svc)
    at_limit = PDF + b"0" * (LIMIT - len(PDF))
    over = PDF + b"1" * (LIMIT - len(PDF) + 1)
    r = upload(svc, sub, over)
    assert r.status_code == 413 and rule(r) == "too_large"
    assert r.json()["errors"][0]["field"] == "file"
    assert_nothing_stored(svc)
    r = upload(svc, sub, at_limit)
    assert r.status_code == 201, r.text
    assert r.json()["size"] == LIMIT


def test_an_upload_whose_content_length_is_too_big_is_413_before_anything_is_looked_up(svc: Service) -> None:
    big = PDF + b"x" * (LIMIT + 100 * 1024)
    r = upload(svc, "no-such-submission", big)  # 413, not 404: the body-size limit answered first
    assert r.status_code == 413 and rule(r) == "too_large"
    assert_nothing_stored(svc)


def test_a_chunked_upload_over_the_limit_is_413_while_streaming(svc: Service) -> None:
    sub = submit(svc)
    boundary = "lapkinboundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="besar.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    body += PDF + b"y" * (LIMIT + 100 * 1024) + f"\r\n--{boundary}--\r\n".encode()

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(body), 16 * 1024):
            yield body[i : i + 16 * 1024]

    headers = {**auth(unit_key(svc, "BID-PENTA")), "content-type": f"multipart/form-data; boundary={boundary}"}
    r = svc.client.post(f"{SUBMIT}/{sub}/bukti", content=chunks(), headers=headers)
    assert r.status_code == 413 and rule(r) == "too_large"
    assert_nothing_stored(svc)


# ---- idempotence, content addressing, count -----------------------------------------------------------------------


def test_the_same_file_again_on_the_same_submission_answers_the_existing_row(svc: Service) -> None:
    sub = submit(svc)
    first = upload(svc, sub, PDF, "a.pdf")
    again = upload(svc, sub, PDF, "nama-lain.pdf")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json()
    assert_nothing_stored(svc, rows=1, files=1)


def test_the_same_file_on_two_submissions_is_two_rows_and_one_copy_on_disk(svc: Service) -> None:
    sub1 = submit(svc, nilai="60")
    sub2 = submit(svc, nilai="61")
    assert sub1 != sub2
    a, b = upload(svc, sub1, PDF), upload(svc, sub2, PDF)
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"] and a.json()["sha256"] == b.json()["sha256"]
    assert_nothing_stored(svc, rows=2, files=1)


def test_a_submission_holds_at_most_the_configured_number_of_files(svc: Service) -> None:
    sub = submit(svc)
    for i in range(MAX_FILES):
        assert upload(svc, sub, PDF + str(i).encode(), f"{i}.pdf").status_code == 201
    r = upload(svc, sub, PDF + b"extra", "extra.pdf")
    assert r.status_code == 409 and rule(r) == "too_many_files"
    assert_nothing_stored(svc, rows=MAX_FILES, files=MAX_FILES)
    assert upload(svc, sub, PDF + b"0", "0.pdf").status_code == 200  # re-sending one it has is still idempotent


# ---- state: unknown submission, closed period --------------------------------------------------------------------


def test_an_unknown_submission_is_404(svc: Service) -> None:
    r = upload(svc, "00000000-0000-0000-0000-000000000000", PDF)
    assert r.status_code == 404 and rule(r) == "unknown_submission"
    r = svc.client.get(f"{SUBMIT}/00000000-0000-0000-0000-000000000000/bukti", headers=svc.admin)
    assert r.status_code == 404
    assert svc.client.get("/api/v1/bukti/nope", headers=svc.admin).status_code == 404
    assert_nothing_stored(svc)


def test_a_closed_period_refuses_evidence_with_409(svc: Service) -> None:
    sub = submit(svc)
    assert upload(svc, sub, PDF).status_code == 201
    assert svc.client.post("/api/v1/periode/2024/TW1/close", headers=svc.admin).status_code == 200
    r = upload(svc, sub, PDF + b"more")
    assert r.status_code == 409 and rule(r) == "periode_closed"
    r = upload(svc, sub, PDF + b"more", headers=svc.admin)
    assert r.status_code == 409 and rule(r) == "periode_closed"
    assert_nothing_stored(svc, rows=1, files=1)
    assert svc.client.get(f"{SUBMIT}/{sub}/bukti", headers=official(svc)).json()["bukti"][0]["size"] == len(PDF)


# ---- who may do what ----------------------------------------------------------------------------------------------


def test_another_units_key_is_403_on_upload_list_and_download(svc: Service) -> None:
    sub = submit(svc)
    r = upload(svc, sub, PDF)
    assert r.status_code == 201
    url = r.json()["url"]
    other = auth(unit_key(svc, "BID-HI"))
    r = upload(svc, sub, PDF + b"x", headers=other)
    assert r.status_code == 403 and rule(r) == "wrong_unit"
    assert svc.client.get(f"{SUBMIT}/{sub}/bukti", headers=other).status_code == 403
    assert svc.client.get(url, headers=other).status_code == 403
    penta_only = {"tahun": 2024, "unit": "BID-PENTA"}
    assert svc.client.get("/api/v1/bukti", params=penta_only, headers=other).status_code == 403
    assert svc.client.get("/api/v1/bukti", params={"tahun": 2024}, headers=other).json()["bukti"] == []
    # and without credentials, 401; an official cannot upload
    assert svc.client.get(url).status_code == 401
    assert upload(svc, sub, PDF + b"y", headers={}).status_code == 401
    r = upload(svc, sub, PDF + b"z", headers=official(svc))
    assert r.status_code == 403 and rule(r) == "unit_key_required"
    assert_nothing_stored(svc, rows=1, files=1)


def test_a_parent_units_key_attaches_to_its_childs_submission_and_the_admin_may_too(svc: Service) -> None:
    sub = submit(svc, unit="SEKSI-PENTA", key_unit="BID-PENTA")
    r = upload(svc, sub, PDF, unit="BID-PENTA", indikator="IK-3.2")
    assert r.status_code == 201 and r.json()["unit"] == "SEKSI-PENTA"
    r = upload(svc, sub, image("PNG"), "foto.png", headers=svc.admin)
    assert r.status_code == 201 and r.json()["uploaded_by"] == "admin"
    assert upload(svc, sub, xlsx(), "x.xlsx", unit="SEKSI-PENTA").status_code == 201  # the child's own key
    # the child cannot reach its parent's evidence
    parent_sub = submit(svc)
    assert upload(svc, parent_sub, PDF, unit="SEKSI-PENTA").status_code == 403
    mine = svc.client.get("/api/v1/bukti", params={"tahun": 2024}, headers=auth(unit_key(svc, "BID-PENTA")))
    assert {b["unit"] for b in mine.json()["bukti"]} == {"SEKSI-PENTA"}
    child = svc.client.get("/api/v1/bukti", params={"tahun": 2024}, headers=auth(unit_key(svc, "SEKSI-PENTA")))
    assert len(child.json()["bukti"]) == 3


def test_an_official_downloads_identical_bytes_with_safe_headers(svc: Service) -> None:
    content = xlsx()
    sub = submit(svc)
    name = "Rekap Triwulan I – Penempatan; final.xlsx"
    r = upload(svc, sub, content, "../../etc/" + name)
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == name  # no path
    got = svc.client.get(r.json()["url"], headers=official(svc, "staf"))
    assert got.status_code == 200
    assert got.content == content and hashlib.sha256(got.content).hexdigest() == r.json()["sha256"]
    assert got.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert got.headers["x-content-type-options"] == "nosniff"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert 'filename="Rekap Triwulan I _ Penempatan_ final.xlsx"' in disposition  # the ASCII fallback
    assert disposition.count(";") == 2  # the name's own ";" is encoded in both forms
    # the unit itself, and the admin, may download too
    assert svc.client.get(r.json()["url"], headers=auth(unit_key(svc, "BID-PENTA"))).content == content
    assert svc.client.get(r.json()["url"], headers=svc.admin).content == content


def test_evidence_is_listed_per_submission_and_per_unit_and_quarter(svc: Service) -> None:
    sub1 = submit(svc, nilai="60")
    sub2 = submit(svc, nilai="61")
    a = upload(svc, sub1, PDF, "a.pdf").json()
    b = upload(svc, sub2, image("JPEG"), "b.jpg").json()
    listed = svc.client.get(f"{SUBMIT}/{sub1}/bukti", headers=official(svc, "subkor"))
    assert listed.status_code == 200
    assert listed.json() == {"submission_id": sub1, "unit": "BID-PENTA", "bukti": [a]}
    own = svc.client.get(f"{SUBMIT}/{sub2}/bukti", headers=auth(unit_key(svc, "BID-PENTA")))
    assert own.json()["bukti"] == [b]
    q = {"tahun": 2024, "triwulan": 1, "unit": "BID-PENTA"}
    period = svc.client.get("/api/v1/bukti", params=q, headers=official(svc))
    assert period.status_code == 200 and [x["id"] for x in period.json()["bukti"]] == [a["id"], b["id"]]
    assert svc.client.get("/api/v1/bukti", params={**q, "triwulan": 2}, headers=svc.admin).json()["bukti"] == []
    everyone = svc.client.get("/api/v1/bukti", params={"tahun": 2024}, headers=svc.admin)
    assert len(everyone.json()["bukti"]) == 2
    assert svc.client.get("/api/v1/bukti", params={"tahun": 2024, "triwulan": 5}, headers=svc.admin).status_code == 422
    assert svc.client.get("/api/v1/bukti", headers=svc.admin).status_code == 422  # tahun is required


def test_the_period_status_lists_each_units_evidence(svc: Service) -> None:
    sub = submit(svc)
    a = upload(svc, sub, PDF, "a.pdf").json()
    b = upload(svc, sub, image("PNG"), "b.png").json()
    rows = {u["unit"]: u for u in svc.client.get("/api/v1/periode/2024/TW1/status", headers=svc.admin).json()["units"]}
    files = [{"id": x["id"], "submission_id": sub, "filename": x["filename"], "sha256": x["sha256"]} for x in (a, b)]
    assert rows["BID-PENTA"]["bukti"] == {"count": 2, "files": files}
    assert rows["BID-HI"]["bukti"] == {"count": 0, "files": []}
    tw2 = svc.client.get("/api/v1/periode/2024/TW2/status", headers=svc.admin).json()["units"]
    assert all(u["bukti"]["count"] == 0 for u in tw2)


def test_a_file_left_without_a_row_is_taken_over_by_the_next_upload_of_the_same_bytes(svc: Service) -> None:
    sha = hashlib.sha256(PDF).hexdigest()
    orphan = store(svc) / sha[:2] / sha
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(PDF)  # as a commit that failed after the rename would leave it
    r = upload(svc, submit(svc), PDF)
    assert r.status_code == 201 and r.json()["sha256"] == sha
    assert_nothing_stored(svc, rows=1, files=1)
    assert svc.client.get(r.json()["url"], headers=svc.admin).content == PDF


def test_with_the_database_store_a_file_is_a_checked_row_and_a_lost_one_a_404(db_svc: Service) -> None:
    svc = db_svc
    sub = submit(svc)
    r = upload(svc, sub, PDF)
    assert r.status_code == 201, r.text
    row = r.json()
    assert blobs(svc) == [] and temp_files(svc) == []  # in col_file, not in this machine's folder
    with svc.rt.engine.connect() as conn:
        kept = conn.execute(text("SELECT sha256, size FROM col_file")).all()
    assert kept == [(hashlib.sha256(PDF).hexdigest(), len(PDF))]
    got = svc.client.get(row["url"], headers=svc.admin)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["x-content-sha256"] == row["sha256"] and got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith('attachment; filename="bukti.pdf"')
    assert upload(svc, sub, PDF).status_code == 200  # the same bytes again: the row already there, one file
    with svc.rt.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM col_file")).scalar() == 1
        conn.execute(text("UPDATE col_file SET data = :d"), {"d": b"%PDF-1.4 tampered"})
    lost = svc.client.get(row["url"], headers=svc.admin)
    assert lost.status_code == 404 and lost.json()["errors"][0]["rule"] == "file_missing"
    assert lost.json()["errors"][0]["message_en"] == (
        "The evidence file is damaged in the store (its bytes do not match its SHA-256); tell the operator."
    )


def test_with_the_s3_store_a_file_is_a_checked_object_and_a_tampered_one_a_404(
    s3_svc: Service, s3_server: S3Server, caplog: pytest.LogCaptureFixture
):
    svc = s3_svc
    sub = submit(svc)
    row = upload(svc, sub, PDF).json()
    key = f"lapkin/col_file/{row['sha256']}"
    bucket = svc.settings.s3_bucket
    assert blobs(svc) == [] and temp_files(svc) == []  # in the bucket, not in this machine's folder
    assert s3_server.client().get_object(Bucket=bucket, Key=key)["Body"].read() == PDF
    got = svc.client.get(row["url"], headers=svc.admin)
    assert got.status_code == 200 and got.content == PDF and got.headers["x-content-sha256"] == row["sha256"]
    assert upload(svc, sub, PDF).status_code == 200  # the same bytes again: one row, one object
    s3_server.client().put_object(Bucket=bucket, Key=key, Body=b"%PDF-1.4 tampered")
    with caplog.at_level(logging.ERROR, logger="lapkin.files"):
        lost = svc.client.get(row["url"], headers=svc.admin)
    assert lost.status_code == 404 and lost.json()["errors"][0]["rule"] == "file_missing"
    assert "damaged in the store" in lost.json()["errors"][0]["message_en"]  # an outsider saw "missing" said
    assert any(f"s3://{bucket}/{key}" in r.getMessage() for r in caplog.records)  # the operator learns where
    s3_server.client().delete_object(Bucket=bucket, Key=key)
    gone = svc.client.get(row["url"], headers=svc.admin).json()["errors"][0]
    assert gone["rule"] == "file_missing" and gone["message_en"] == (
        "The evidence file is missing from the store; tell the operator."
    )


def test_with_the_s3_store_away_an_upload_is_a_503_and_keeps_nothing(s3_down_svc: Service):
    svc = s3_down_svc
    r = upload(svc, submit(svc), PDF)
    assert r.status_code == 503 and r.headers["retry-after"] == "5", r.text
    assert rule(r) == "file_store_unavailable"
    assert row_count(svc) == 0  # no row names a file the store does not hold
