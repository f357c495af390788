"""What the final's Lembar Pengesahan writes, read as an office reads it: the visible e-signature box's time the
Indonesian way ("6 Desember 2026 pukul 21.39 WIB", not "2026-12-06 21:39:12 WIB"), the approvers' NIPs spaced as the
signature block prints them ("19720502 200212 1 009"), and the note an approver gave with the decision ("Catatan: …"
under that approver's row: the DraftApproved chain carries it)."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader, PdfWriter

from services.renderer.documents import Seal, render_pdf
from services.renderer.viewmodel import build_view_model
from shared.signing import SignatureBox, load_credential, make_office_certificate, sign_pdf, stamp_time
from tests.unit.renderer.test_signatory_and_dates import pdf_text
from tests.unit.renderer.worked_example import load_pk, quarter_recaps, recaps

OFFICE = "Dinas Ketenagakerjaan Kota Tangerang"
WIB, WITA = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar")
MOMENT = datetime(2026, 12, 6, 14, 39, 12, tzinfo=UTC)  # 21.39 in Jakarta
NOTE = "Selisih serapan IK-5.1 dijelaskan Sekretariat: belanja pegawai dibayar Januari."


@pytest.fixture(scope="module")
def credential():
    return load_credential(make_office_certificate(OFFICE, b"pw"), b"pw")


def test_the_box_time_as_indonesians_write_it():
    assert stamp_time(MOMENT.astimezone(WIB)) == "6 Desember 2026 pukul 21.39 WIB"
    assert stamp_time(MOMENT.astimezone(WIB), "en") == "6 December 2026, 21:39 WIB"
    assert stamp_time(MOMENT.astimezone(WITA)) == "6 Desember 2026 pukul 22.39 WITA"  # an office in WITA


def _box_text(pdf: bytes) -> str:
    """The visible signature's appearance stream, its PDF string escapes (\\072 = ':') read back."""
    annots = PdfReader(io.BytesIO(pdf)).pages[0]["/Annots"]
    raw = b"".join(a.get_object()["/AP"]["/N"].get_object().get_data() for a in annots).decode("latin-1")
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), raw)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("id", "Waktu: 6 Desember 2026 pukul 21.39 WIB"), ("en", "Time: 6 December 2026, 21:39 WIB")],
)
def test_the_signature_box_writes_the_signing_time_so(credential, lang, expected):
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(blank)
    signed = sign_pdf(blank.getvalue(), credential, signing_time=MOMENT.astimezone(WIB),
                      box=SignatureBox(0, (50, 50, 320, 150)), lang=lang)  # fmt: skip
    text = _box_text(signed)
    assert expected in text and "2026-12-06" not in text and "21:39:12" not in text


def test_the_lembar_pengesahan_prints_spaced_nips_and_each_approvers_note(credential):
    approvals = [
        {"nama": "Rina Staf", "nip": "199001012015032001", "jabatan": "Staf Perencanaan",
         "decided_at": "2024-04-10T02:00:00+00:00", "note": None},
        {"nama": "Budi Subkor", "nip": "197205022002121009", "jabatan": "Sub Koordinator Perencanaan",
         "decided_at": "2024-04-12T02:30:00+00:00", "note": NOTE},
    ]  # fmt: skip
    all_recaps = recaps()
    vm = build_view_model(all_recaps["TW1"], pk=load_pk(), final=True, generated_on=date(2024, 4, 12), version=1,
                          approvals=approvals, quarters=quarter_recaps(all_recaps))  # fmt: skip
    assert [a["nip"] for a in vm["approvals"]] == ["19900101 201503 2 001", "19720502 200212 1 009"]
    assert [a["catatan"] for a in vm["approvals"]] == ["", NOTE]
    seal = Seal("https://lapkin.example.go.id/verifikasi/dokumen/x", credential, MOMENT.astimezone(WIB))
    text = pdf_text(render_pdf(vm, seal=seal))
    assert "19720502 200212 1 009" in text and "197205022002121009" not in text
    assert f"Catatan: {NOTE}" in text
    assert text.count("Catatan:") == 1  # only the approver who gave a note
