"""Issue 13, items 2, 7 and 9 in the renderer: documents are dated by the office's calendar (an approval at 23:30
UTC on 31 March is 1 April in WIB; 15:30 UTC is still 31 March in WIB but 1 April in WIT), the signature block prints
the official who approved the report in the signatory's role (the approval service marks them in the chain), a
draft prints no signatory, and a Lembar Disposisi sent to a jabatan names the jabatan."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import UTC, datetime

import pytest
from docx import Document

from services.approval.signatory import signed_chain
from services.approval.workflow import load_workflow
from services.renderer.documents import render_all, render_disposisi
from services.renderer.handlers import _generated_on
from services.renderer.viewmodel import build_view_model
from shared import clock
from tests.unit.renderer.worked_example import load_pk, quarter_recaps, recaps

LATE_UTC = datetime(2024, 3, 31, 23, 30, tzinfo=UTC)  # 06:30 WIB on 1 April
AFTERNOON_UTC = datetime(2024, 3, 31, 15, 30, tzinfo=UTC)  # 22:30 WIB on 31 March, 00:30 WIT on 1 April


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", " ", out)


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return re.sub(r"\s+", " ", "\n".join(parts))


def chain(at: datetime) -> list[dict]:
    def entry(stage, action, role, nama, nip, jabatan):
        return {"stage": stage, "action": action, "step": 9, "role": role, "actor_id": stage + 1, "nama": nama,
                "nip": nip, "jabatan": jabatan, "decided_at": at.isoformat(), "note": None}  # fmt: skip

    return [
        entry(0, "submit", "staf", "Rina Staf", "199001012015032001", "Staf"),
        entry(1, "approve", "kabid", "Kiki Kabid", "197801012003121001", "Kepala Bidang"),
        entry(2, "approve", "sekretaris", "Sari Sekretaris", "197501012000032001", "Sekretaris Dinas"),
        entry(3, "approve", "kepala_dinas", "Dr. Hadi Kadis", "196901011995031001", "Kepala Dinas"),
    ]


@pytest.fixture(autouse=True)
def _wib():
    clock.configure("Asia/Jakarta")
    yield
    clock.configure("Asia/Jakarta")


@pytest.fixture(scope="module")
def example() -> dict:
    return {"pk": load_pk(), "recaps": recaps()}


def annual_vm(example, *, final: bool, approvals=(), generated_on=None):
    return build_view_model(
        example["recaps"]["TAHUNAN"], pk=example["pk"], final=final, approvals=approvals,
        generated_on=generated_on or _generated_on(LATE_UTC), quarters=quarter_recaps(example["recaps"]),
    )  # fmt: skip


def test_the_chain_marks_the_workflow_signatory_with_the_office_day():
    wf = load_workflow()
    signed = signed_chain(wf, "tahunan", chain(LATE_UTC))
    assert [e.get("signatory", False) for e in signed] == [False, False, False, True]
    assert signed[3]["tanggal"] == "2024-04-01" and signed[3]["role_nama"] == "Kepala Dinas"
    semester = signed_chain(wf, "semester", chain(LATE_UTC)[:3])
    assert [e["nama"] for e in semester if e.get("signatory")] == ["Sari Sekretaris"]
    # the quarterly report's signatory is the Sub Koordinator who approved it
    tw = signed_chain(wf, "triwulan", [{**chain(LATE_UTC)[1], "role": "subkor", "nama": "Budi Subkor"}])
    assert tw[0]["signatory"] and tw[0]["nama"] == "Budi Subkor"
    # the workflow names the sekretaris for the semester: a kabid's approval never signs it
    assert not any(e.get("signatory") for e in signed_chain(wf, "semester", chain(LATE_UTC)[:2]))


def test_final_lkip_prints_the_approving_kepala_dinas_on_the_office_day(example):
    vm = annual_vm(example, final=True, approvals=signed_chain(load_workflow(), "tahunan", chain(LATE_UTC)))
    assert vm["generated_on_label"] == "1 April 2024"
    assert [a["decided_at"] for a in vm["approvals"]] == ["1 April 2024"] * 4
    assert vm["kepala"]["nama"] == "Dr. Hadi Kadis" and vm["kepala"]["tanggal"] == "1 April 2024"
    files = render_all(vm)
    for text in (pdf_text(files["pdf"]), docx_text(files["docx"])):
        assert "Dr. Hadi Kadis" in text and "19690101 199503 1 001" in text and "1 April 2024" in text
        assert "31 Maret 2024" not in text
        # the PK's kepala never signs what he did not approve: he is named only where the PK itself is quoted,
        # Bab II's statement of who signed the PK and the PK's signature (pihak pertama) in the Lampiran
        assert re.sub(r"\s+", " ", text).count("Dr. Ujang Hendra Gunawan") == 2


def test_a_draft_prints_no_signatory(example):
    vm = annual_vm(example, final=False)
    assert vm["kepala"]["signed"] is False and vm["kepala"]["nama"] == ""
    files = render_all(vm)
    for text in (pdf_text(files["pdf"]), docx_text(files["docx"])):
        assert "Dokumen ini belum disahkan (DRAF)." in text
        # the PK's, as above, and the Kata Pengantar's: a draft's foreword ends with the PK's head of the office
        assert re.sub(r"\s+", " ", text).count("Dr. Ujang Hendra Gunawan") == 3


def test_a_wit_office_dates_by_its_own_calendar(example):
    assert _generated_on(AFTERNOON_UTC).isoformat() == "2024-03-31"  # WIB: still 31 March
    clock.configure("Asia/Jayapura")
    assert _generated_on(AFTERNOON_UTC).isoformat() == "2024-04-01"
    signed = signed_chain(load_workflow(), "tahunan", chain(AFTERNOON_UTC))
    assert signed[3]["tanggal"] == "2024-04-01"
    vm = annual_vm(example, final=True, approvals=signed, generated_on=_generated_on(AFTERNOON_UTC))
    assert vm["generated_on_label"] == "1 April 2024" and vm["kepala"]["tanggal"] == "1 April 2024"
    assert {a["decided_at"] for a in vm["approvals"]} == {"1 April 2024"}


def test_lembar_disposisi_to_a_jabatan_names_the_jabatan():
    d = {
        "nomor": "001/DISNAKER/PSM/2024",
        "tanggal": _generated_on(LATE_UTC),
        "dari": {"nama": "Sari Sekretaris", "jabatan": "", "role": "sekretaris", "role_nama": "Sekretaris Dinas"},
        "kepada": {"role": "subkor", "role_nama": "Sub Koordinator Perencanaan"},
        "instruksi": "Rekap data TW1",
        "tahun": 2024,
        "periode": "TW1",
    }
    files = render_disposisi(d)
    for text in (pdf_text(files["pdf"]), docx_text(files["docx"])):
        assert "Sub Koordinator Perencanaan" in text and "1 April 2024" in text
        assert "Sari Sekretaris, Sekretaris Dinas" in text
        assert not re.search(r"Kepada\s*–", text)
