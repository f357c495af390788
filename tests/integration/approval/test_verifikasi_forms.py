"""The public verification page (issue 15, item 10) against what an outsider sends it, on a real Redis: a file over
the upload limit is told the file limit (not the 1 MB text-form limit), a form whose `berkas` is text or holds two
files gets the page with a clear 400 (never FastAPI's JSON with Python type names, never the last file judged), HEAD
answers as GET does without a body, and an error page under /verifikasi leads back to verification, never to the
officials' inbox."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.approval.main import create_app
from tests.integration.ops.conftest import event, eventually, put

SHA = "ab" * 32
DOC = "2024-TW1-v1-final"


@pytest.fixture
def app(settings, r) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


@pytest.fixture
def published(app: TestClient, settings, r) -> str:
    """TW1 version 1 rendered and published final (the renderer's events): its PDF's SHA-256."""
    draft = {"draft_id": "2024-TW1", "tahun": 2024, "periode": "TW1", "jenis": "triwulan", "version": 1,
             "document_id": "2024-TW1-v1", "recap_revision": 1, "files": {}}  # fmt: skip
    put(r, settings, event("DraftRendered", draft, "renderer"))
    final = {"document_id": DOC, "draft_id": "2024-TW1", "jenis": "triwulan", "tahun": 2024, "periode": "TW1",
             "version": 1, "recap_revision": 1, "files": {"pdf": SHA, "docx": "cd" * 32}}  # fmt: skip
    put(r, settings, event("DocumentPublished", final, "renderer"))
    eventually(lambda: app.get(f"/api/v1/verifikasi/{SHA}").status_code == 200, what="DocumentPublished recorded")
    return SHA


def token(app: TestClient) -> str:
    page = app.get("/verifikasi")
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def no_internals(text: str) -> None:
    assert "UploadFile" not in text and "<class" not in text and "Traceback" not in text


def test_a_file_over_the_upload_limit_is_told_the_file_limit(app, settings):
    limit = settings.max_upload_bytes  # 20 MB by default: what the form says
    form = app.get("/verifikasi").text
    assert "paling besar 20 MB" in form
    big = b"%PDF-1.7\n" + b"0" * (30 * 1024 * 1024)  # 30 MB: refused from its Content-Length, before it is read
    res = app.post("/verifikasi", data={"csrf": token(app)}, files={"berkas": ("besar.pdf", big, "application/pdf")})
    assert res.status_code == 413 and limit == 20 * 1024 * 1024
    assert "paling besar 20 MB per berkas" in res.text and "Pilih berkas PDF yang lebih kecil" in res.text
    assert "1 MB" not in res.text and "persingkat teksnya" not in res.text  # not the text forms' message
    assert 'href="/verifikasi"' in res.text and "Kembali ke verifikasi" in res.text
    assert 'href="/kotak-masuk"' not in res.text
    app.cookies.set("lapkin_bahasa", "en")
    english = app.post("/verifikasi", data={"csrf": "x"}, files={"berkas": ("big.pdf", big, "application/pdf")})
    assert english.status_code == 413 and "at most 20 MB per file" in english.text


def test_berkas_sent_as_text_is_a_clear_page_not_json(app):
    res = app.post("/verifikasi", data={"csrf": token(app), "berkas": "bukan berkas"})
    assert res.status_code == 400 and res.headers["content-type"].startswith("text/html")
    assert "Berkas: harus berupa berkas yang diunggah" in res.text
    assert 'id="berkas"' in res.text  # the form again, to choose the file
    no_internals(res.text)


def test_two_files_in_one_form_are_refused_not_the_last_judged(app, published):
    two = [
        ("berkas", ("a.pdf", b"%PDF-1.7 a", "application/pdf")),
        ("berkas", ("b.pdf", b"%PDF-1.7 b", "application/pdf")),
    ]
    res = app.post("/verifikasi", data={"csrf": token(app)}, files=two)
    assert res.status_code == 400 and "kirim satu berkas saja" in res.text
    assert 'id="verdict"' not in res.text  # nothing was judged
    one = app.post(
        "/verifikasi", data={"csrf": token(app)}, files={"berkas": ("a.pdf", b"%PDF-1.7 a", "application/pdf")}
    )
    assert one.status_code == 200 and 'id="verdict"' in one.text  # one file: judged as before


@pytest.mark.parametrize("path", ["/verifikasi", f"/verifikasi/{SHA}", f"/verifikasi/dokumen/{DOC}"])
def test_head_answers_like_get_without_a_body(app, published, path):
    get = app.get(path)
    head = app.head(path)
    assert get.status_code == head.status_code == 200
    assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))
    assert app.head(f"/verifikasi/{'0' * 64}").status_code == 404  # unknown: as GET says


@pytest.mark.parametrize(
    ("path", "status"),
    [("/verifikasi/dokumen/x%00", 422), ("/verifikasi/dokumen/a/b", 404), ("/verifikasi/bukan-hash", 400)],
)
def test_public_error_pages_lead_back_to_verification_never_to_the_inbox(app, path, status):
    res = app.get(path)
    assert res.status_code == status
    assert 'href="/verifikasi"' in res.text and "Kembali ke verifikasi" in res.text
    assert "/kotak-masuk" not in res.text  # the officials' inbox is no way back for an anonymous visitor
