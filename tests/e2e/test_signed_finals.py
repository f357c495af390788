"""Issue 15, item 10 through the real services: with the office's certificate installed where `lapkin demo` puts it,
the final TW1 PDF the renderer publishes is PAdES-signed; the SHA-256 its DocumentPublished carries resolves on the
approval service's public page `/verifikasi/{sha256}` (document, period, version, approval chain), as does the
document page the QR code names; an upload of the file verifies ("COCOK"), a copy with one changed byte does not
("TIDAK COCOK"), and hostile input (not hex, unknown hash, not a PDF, no CSRF token, too large) gets a clear page,
never a 500."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader

from services.renderer.handlers import verification_url
from shared.signing import install_office_certificate, office_credential, verify_pdf
from tests.e2e.test_quarterly_approval import decide, tokens, wait

OFFICE = "Dinas Ketenagakerjaan Kota Tangerang"


@pytest.fixture(scope="module")
def final_tw1(system, acknowledged) -> dict:
    """TW1 approved (staf submits, Sub Koordinator approves) with the office certificate installed; the published
    final document (the renderer's record of DocumentPublished: id and each file's SHA-256) and its PDF."""
    assert install_office_certificate(system.settings, OFFICE) is not None
    with httpx.Client(timeout=60) as client:
        who = tokens(system, client)

        def draft():
            r = client.get(
                system.url("approval", "/api/v1/drafts"), params={"tahun": 2024, "periode": "TW1"}, headers=who["staf"]
            )
            return r.json()[0] if r.status_code == 200 and r.json() else None

        d = wait(draft, "the TW1 draft", timeout=120)
        assert decide(system, client, who["staf"], d["id"], "approve", "Diajukan").status_code == 200
        assert decide(system, client, who["subkor"], d["id"], "approve", "Disetujui").status_code == 200

        def final_doc():
            r = client.get(
                system.url("renderer", "/api/v1/documents"), params={"tahun": 2024, "periode": "TW1"},
                headers=system.admin,
            )  # fmt: skip
            return next((x for x in r.json() if x["status"] == "final"), None)

        doc = wait(final_doc, "the final TW1 documents", timeout=120)
        pdf = client.get(system.url("renderer", f"/api/v1/documents/{doc['id']}/file.pdf"), headers=system.admin)
        assert pdf.status_code == 200

        def published():  # the approval service has recorded DocumentPublished
            return client.get(system.url("approval", f"/api/v1/verifikasi/{doc['files']['pdf']}")).status_code == 200

        wait(published, "DocumentPublished to reach the approval service")
        return {**doc, "pdf": pdf.content}


def csrf_form(client: httpx.Client, system) -> str:
    """The verification page's form token (the page sets the visitor's anonymous session cookie)."""
    page = client.get(system.url("approval", "/verifikasi"))
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def upload(client: httpx.Client, system, data: bytes, name: str = "laporan.pdf", token: str | None = None):
    token = csrf_form(client, system) if token is None else token
    return client.post(
        system.url("approval", "/verifikasi"),
        data={"csrf": token},
        files={"berkas": (name, data, "application/pdf")},
    )


def test_the_published_final_pdf_is_signed_with_the_office_certificate(system, final_tw1):
    credential = office_credential(system.settings)
    assert credential is not None
    check = verify_pdf(final_tw1["pdf"], [credential.certificate])
    assert check.signed_valid and [s.signer for s in check.signatures] == [OFFICE]
    if shutil.which("pdfsig"):
        path = Path(system.settings.data_dir) / "tw1-final.pdf"
        path.write_bytes(final_tw1["pdf"])
        out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
        assert "Signature is Valid." in out and "Total document signed" in out


def test_the_published_sha256_resolves_on_the_public_page(system, final_tw1):
    sha = final_tw1["files"]["pdf"]
    with httpx.Client(timeout=30) as anonymous:  # no login
        page = anonymous.get(system.url("approval", f"/verifikasi/{sha}"))
        assert page.status_code == 200
        for text in ("Laporan Kinerja Triwulan", "Triwulan I 2024", "Rina Staf", "Budi Subkor",
                     "Sub Koordinator Perencanaan", sha, final_tw1["files"]["docx"]):  # fmt: skip
            assert text in page.text, text
        assert re.search(r"\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|"
                         r"November|Desember) \d{4}", page.text)  # fmt: skip
        anonymous.cookies.set("lapkin_bahasa", "en")
        english = anonymous.get(system.url("approval", f"/verifikasi/{sha.upper()}"))
        assert english.status_code == 200 and "Quarter I 2024" in english.text and "Approval chain" in english.text
        as_json = anonymous.get(system.url("approval", f"/api/v1/verifikasi/{sha}")).json()
        assert as_json["document_id"] == final_tw1["id"] and as_json["periode"] == "TW1"
        assert [c["nama"] for c in as_json["chain"]] == ["Rina Staf", "Budi Subkor"]
        assert {f["format"]: f["sha256"] for f in as_json["files"]} == final_tw1["files"]


def test_the_qr_code_names_the_document_page(system, final_tw1, tmp_path):
    url = verification_url(system.settings, f"/verifikasi/dokumen/{final_tw1['id']}")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(final_tw1["pdf"])).pages[-1:])
    assert "Tanda Tangan Elektronik" in text
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):
        pdf = tmp_path / "final.pdf"
        pdf.write_bytes(final_tw1["pdf"])
        n = len(PdfReader(io.BytesIO(final_tw1["pdf"])).pages)
        subprocess.run(["pdftoppm", "-f", str(n), "-l", str(n), "-r", "150", "-png", str(pdf), str(tmp_path / "p")],
                       check=True)  # fmt: skip
        decoded = subprocess.run(["zbarimg", "-q", "--raw", str(next(tmp_path.glob("p*.png")))],
                                 capture_output=True, text=True).stdout.strip()  # fmt: skip
        assert decoded == url
    with httpx.Client(timeout=30) as anonymous:
        page = anonymous.get(url)
        assert page.status_code == 200 and final_tw1["files"]["pdf"] in page.text and "Budi Subkor" in page.text


def test_an_upload_of_the_file_verifies_and_one_changed_byte_does_not(system, final_tw1):
    with httpx.Client(timeout=60) as client:
        good = upload(client, system, final_tw1["pdf"])
        assert good.status_code == 200
        assert 'data-valid="true"' in good.text and "COCOK" in good.text and "TIDAK COCOK" not in good.text
        assert "utuh dan sah" in good.text and final_tw1["files"]["pdf"] in good.text

        data = bytearray(final_tw1["pdf"])
        data[data.index(b"stream\n") + 40] ^= 0x01
        bad = upload(client, system, bytes(data))
        assert bad.status_code == 200
        assert 'data-valid="false"' in bad.text and "TIDAK COCOK" in bad.text
        assert "TIDAK UTUH" in bad.text  # the signature itself says the content changed

        client.cookies.set("lapkin_bahasa", "en")
        english = upload(client, system, bytes(data))
        assert "NOT VALID" in english.text


def test_hostile_requests_get_clear_pages_never_a_500(system, final_tw1):
    with httpx.Client(timeout=60) as client:
        r = client.get(system.url("approval", "/verifikasi/not-a-hash"))
        assert r.status_code == 400 and "64 karakter heksadesimal" in r.text
        unknown = "0" * 64
        r = client.get(system.url("approval", f"/verifikasi/{unknown}"))
        assert r.status_code == 404 and "Tidak ada dokumen final" in r.text
        r = client.get(system.url("approval", f"/api/v1/verifikasi/{unknown}"))
        assert r.status_code == 404 and r.json()["errors"][0]["rule"] == "not_found"
        r = client.get(system.url("approval", "/verifikasi/dokumen/2099-TW9-v1-final"))
        assert r.status_code == 404
        r = upload(client, system, b"PK\x03\x04 a zip, not a PDF", name="x.pdf")
        assert r.status_code == 400 and "bukan berkas PDF" in r.text
        r = upload(client, system, b"", name="kosong.pdf")
        assert r.status_code == 400
        r = upload(client, system, b"%PDF-1.7\n garbage that is no PDF structure", name="rusak.pdf")
        assert r.status_code == 200 and "TIDAK COCOK" in r.text and "tidak dapat dibaca" in r.text
        r = upload(client, system, final_tw1["pdf"], token="forged")
        assert r.status_code == 403 and 'data-valid="true"' not in r.text
        limit = system.settings.max_upload_bytes
        r = upload(client, system, b"%PDF-1.7\n" + b"0" * (limit + 1), name="besar.pdf")
        assert r.status_code == 413
