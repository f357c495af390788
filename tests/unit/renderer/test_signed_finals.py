"""Issue 15, item 10 in the renderer: a final PDF carries the office's PAdES signature (pyHanko) in a visible box on
its Lembar Pengesahan and a QR code linking to its public verification page; a draft carries neither; without a
certificate the final is unsigned and its page says so.

What is checked, precisely:
- pyHanko's own validator (`validate_pdf_signature`, the office certificate as the only trust root, no fetching)
  judges the signature intact, valid, trusted, and covering the whole file; one flipped byte in the signed range
  makes it not intact.
- poppler's `pdfsig` (an independent implementation) reports "Signature is Valid." and "Total document signed" for
  the signed file and not "Signature is Valid." for the one with the flipped byte. It does not know our self-signed
  certificate, so its *certificate* line ("issuer isn't Trusted") is not asserted.
- the QR code on the page decodes to the verification link: by `zbarimg` on the rasterised page when zbar-tools is
  installed, and always by reading the QR image out of the PDF module by module and comparing it with segno's
  matrix of the link."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import segno
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from services.renderer.documents import Seal, render_pdf
from services.renderer.documents.seal import QR_BORDER, QR_SCALE
from services.renderer.viewmodel import build_view_model
from shared.config import Settings
from shared.signing import (
    SignatureBox,
    install_office_certificate,
    load_credential,
    make_office_certificate,
    office_credential,
    sign_pdf,
    verify_pdf,
)
from tests.unit.renderer.test_signatory_and_dates import pdf_text
from tests.unit.renderer.worked_example import load_pk, quarter_recaps, recaps

OFFICE = "Dinas Ketenagakerjaan Kota Tangerang"
PASSWORD = b"uji-sertifikat"
APPROVED_AT = datetime(2024, 4, 12, 9, 30, tzinfo=UTC)
APPROVALS = [
    {"nama": "Budi Subkor", "nip": "198205052008011002", "jabatan": "Sub Koordinator", "decided_at": "2024-04-12"}
]
URL = "https://lapkin.example.go.id/verifikasi/dokumen/2024-TW1-v1-final"


@pytest.fixture(scope="module")
def credential():
    p12 = make_office_certificate(OFFICE, PASSWORD, now=datetime(2024, 1, 1, tzinfo=UTC))
    return load_credential(p12, PASSWORD)


@pytest.fixture(scope="module")
def all_recaps():
    return recaps()


def vm_of(all_recaps, periode: str, final: bool = True):
    return build_view_model(
        all_recaps[periode],
        pk=load_pk(),
        final=final,
        generated_on=date(2024, 4, 12),
        version=1,
        approvals=APPROVALS if final else (),
        quarters=quarter_recaps(all_recaps),
    )


@pytest.fixture(scope="module")
def signed_tw1(all_recaps, credential) -> bytes:
    return render_pdf(vm_of(all_recaps, "TW1"), seal=Seal(URL, credential, APPROVED_AT))


def pyhanko_status(pdf: bytes, credential):
    """pyHanko's validator on the file's one signature, the office certificate as trust root."""
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    root = asn1_x509.Certificate.load(credential.certificate.public_bytes(serialization.Encoding.DER))
    signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    assert len(signatures) == 1
    assert signatures[0].field_name == "Pengesahan"
    return validate_pdf_signature(signatures[0], ValidationContext(trust_roots=[root], allow_fetching=False))


def flipped(pdf: bytes) -> bytes:
    """One bit changed inside the first content stream (in the signed byte range, nowhere near /Contents)."""
    at = pdf.index(b"stream\n") + 40
    data = bytearray(pdf)
    data[at] ^= 0x01
    return bytes(data)


def pdfsig(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


def test_pyhanko_validates_the_signed_final_and_refuses_one_flipped_byte(signed_tw1, credential):
    status = pyhanko_status(signed_tw1, credential)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signer_reported_dt == APPROVED_AT  # the approval's moment, not the clock's
    assert status.signing_cert.subject.native["common_name"] == OFFICE
    assert status.signing_cert.subject.native["organization_name"] == "Pemerintah Kota Tangerang"

    broken = pyhanko_status(flipped(signed_tw1), credential)
    assert not broken.intact and not broken.bottom_line


def test_the_annual_lkip_final_is_signed_too(all_recaps, credential):
    pdf = render_pdf(vm_of(all_recaps, "TAHUNAN"), seal=Seal(URL, credential, APPROVED_AT))
    check = verify_pdf(pdf, [credential.certificate])
    assert check.signed_valid and len(check.signatures) == 1
    assert "Tanda Tangan Elektronik" in pdf_text(pdf)


@pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils (pdfsig) not installed")
def test_pdfsig_reads_the_signature_as_valid_and_the_flipped_copy_as_not(signed_tw1, tmp_path):
    out = pdfsig(signed_tw1, tmp_path)
    assert "Signature Field Name: Pengesahan" in out
    assert f"Signer Certificate Common Name: {OFFICE}" in out
    assert "Signature Type: ETSI.CAdES.detached" in out  # PAdES
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out
    broken = pdfsig(flipped(signed_tw1), tmp_path)
    assert "Signature is Valid." not in broken


def test_the_signature_is_visible_in_the_box_on_the_lembar_pengesahan(signed_tw1):
    reader = PdfReader(io.BytesIO(signed_tw1))
    last = len(reader.pages) - 1
    widgets = [
        a.get_object()
        for page_no, page in enumerate(reader.pages)
        for a in page.get("/Annots", []) or []
        if a.get_object().get("/FT") == "/Sig" and page_no == last
    ]
    assert len(widgets) == 1, "one signature widget, on the last page (the Lembar Pengesahan)"
    x1, y1, x2, y2 = (float(v) for v in widgets[0]["/Rect"])
    assert x2 - x1 > 200 and y2 - y1 > 60, "a visible box (8,4 cm × 2,6 cm), not an invisible 0×0 field"
    assert "/AP" in widgets[0]
    page_text = reader.pages[last].extract_text()
    assert "LEMBAR PENGESAHAN" in page_text and "Tanda Tangan Elektronik" in page_text


def test_signing_is_reproducible_for_the_same_pdf_and_moment(all_recaps, credential):
    """The signature adds nothing random (WeasyPrint's own output is not byte-stable across renders here, so the
    same drawn PDF is signed twice): the signing time is the approval's and the file identifier derives from the
    content."""
    unsigned = render_pdf(vm_of(all_recaps, "TW1"), seal=Seal(URL, None, APPROVED_AT))
    box = SignatureBox(page=0, box=(300.0, 100.0, 540.0, 175.0))
    first = sign_pdf(unsigned, credential, signing_time=APPROVED_AT, box=box)
    assert sign_pdf(unsigned, credential, signing_time=APPROVED_AT, box=box) == first
    assert sign_pdf(unsigned, credential, signing_time=datetime(2024, 4, 13, tzinfo=UTC), box=box) != first
    assert verify_pdf(first, [credential.certificate]).signed_valid


def _qr_matrix_from_pdf(pdf: bytes, size: int) -> list[list[bool]]:
    """The QR image on the last page (a `size`-module code), read back module by module (dark = True)."""
    side = (size + 2 * QR_BORDER) * QR_SCALE
    page = PdfReader(io.BytesIO(pdf)).pages[-1]  # WeasyPrint's pages share one image resource dictionary
    images = [i.image for i in page.images if i.image.width == i.image.height == side]
    assert len(images) == 1, "one QR code on the Lembar Pengesahan"
    img = images[0].convert("L")
    half = QR_SCALE // 2
    return [
        [
            img.getpixel(((c + QR_BORDER) * QR_SCALE + half, (r + QR_BORDER) * QR_SCALE + half)) < 128
            for c in range(size)
        ]
        for r in range(size)
    ]


def test_the_qr_code_encodes_the_verification_link(signed_tw1, tmp_path):
    expected = [[bool(v) for v in row] for row in segno.make(URL, error="m", micro=False).matrix]
    assert _qr_matrix_from_pdf(signed_tw1, len(expected)) == expected
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):  # an independent decoder, from the printed page
        pdf = tmp_path / "doc.pdf"
        pdf.write_bytes(signed_tw1)
        pages = len(PdfReader(io.BytesIO(signed_tw1)).pages)
        subprocess.run(["pdftoppm", "-f", str(pages), "-l", str(pages), "-r", "150", "-png", str(pdf),
                        str(tmp_path / "page")], check=True)  # fmt: skip
        png = next(tmp_path.glob("page*.png"))
        out = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True).stdout
        assert out.strip() == URL


def test_a_final_without_a_certificate_is_unsigned_and_says_so(all_recaps):
    pdf = render_pdf(vm_of(all_recaps, "TW1"), seal=Seal(URL, None, APPROVED_AT))
    assert b"/ByteRange" not in pdf and b"/Sig" not in pdf
    text = pdf_text(pdf)
    assert "tidak ditandatangani secara elektronik" in text
    assert verify_pdf(pdf, []).signatures == ()


def test_a_draft_gets_no_seal_even_when_one_is_given(all_recaps, credential):
    pdf = render_pdf(vm_of(all_recaps, "TW1", final=False), seal=Seal(URL, credential, APPROVED_AT))
    assert b"/ByteRange" not in pdf
    text = pdf_text(pdf)
    assert "verifikasi" not in text and "Tanda Tangan Elektronik" not in text


def test_the_office_certificate_from_settings(tmp_path):
    settings = Settings(data_dir=tmp_path)
    assert office_credential(settings) is None  # nothing configured, nothing installed: unsigned
    made = install_office_certificate(settings, OFFICE)
    assert made == tmp_path / "signing" / "kantor.p12"
    assert (made.stat().st_mode & 0o777) == 0o600 and (
        (tmp_path / "signing" / "kantor.pass").stat().st_mode & 0o777
    ) == 0o600
    cred = office_credential(settings)
    assert cred is not None and cred.signer_name == OFFICE
    assert install_office_certificate(settings, "Lain") is None  # never replaces an installed one
    assert "kantor.pass" not in repr(cred) and cred.password.decode() not in repr(cred)


def test_a_configured_certificate_that_cannot_be_opened_is_an_error_naming_no_password(tmp_path):
    from shared.signing import SigningConfigError

    p12 = tmp_path / "bsre.p12"
    p12.write_bytes(make_office_certificate(OFFICE, PASSWORD))
    settings = Settings(data_dir=tmp_path, signing_p12=p12, signing_password="salah-sandi")
    with pytest.raises(SigningConfigError) as err:
        office_credential(settings)
    assert "salah-sandi" not in str(err.value) and "bsre.p12" in str(err.value)
    assert "salah-sandi" not in repr(settings)
    ok = Settings(data_dir=tmp_path, signing_p12=p12, signing_password=PASSWORD.decode())
    assert office_credential(ok) is not None
    pass_file = tmp_path / "pass"
    pass_file.write_bytes(PASSWORD + b"\n")
    by_file = Settings(data_dir=tmp_path, signing_p12=p12, signing_password_file=pass_file)
    assert office_credential(by_file) is not None


def test_a_hostile_upload_is_unreadable_not_an_exception():
    assert not verify_pdf(b"not a pdf at all", []).readable
    assert not verify_pdf(b"%PDF-1.7\n" + b"\x00" * 100, []).signed_valid


def test_without_a_box_the_signature_is_invisible_and_still_valid(all_recaps, credential):
    """Invisible-compatible: a layout without the box (an office's own template, say) still gets a valid signature,
    in a field with an empty rectangle."""
    unsigned = render_pdf(vm_of(all_recaps, "TW1"), seal=Seal(URL, None, APPROVED_AT))
    signed = sign_pdf(unsigned, credential, signing_time=APPROVED_AT, box=None)
    assert verify_pdf(signed, [credential.certificate]).signed_valid
    widgets = [
        a.get_object()
        for page in PdfReader(io.BytesIO(signed)).pages
        for a in page.get("/Annots", []) or []
        if a.get_object().get("/FT") == "/Sig"
    ]
    assert len(widgets) == 1 and [float(v) for v in widgets[0]["/Rect"]] == [0.0, 0.0, 0.0, 0.0]


def test_empty_signing_settings_are_unset(tmp_path, monkeypatch):
    """deploy/compose.yaml lists every signing setting, empty unless the office fills it in."""
    for name in ("SIGNING_P12", "SIGNING_PASSWORD", "SIGNING_PASSWORD_FILE", "SIGNING_TRUST", "PUBLIC_BASE_URL"):
        monkeypatch.setenv(f"LAPKIN_{name}", "")
    settings = Settings(data_dir=tmp_path)
    assert (settings.signing_p12, settings.signing_password, settings.public_base_url) == (None, None, None)
    assert office_credential(settings) is None
