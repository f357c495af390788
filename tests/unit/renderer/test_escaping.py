"""Hostile text comes out as text in every document: a unit named `<script>…`, an indicator named `{{7*7}}`, a
kendala that starts with `=` or holds a control character. The .docx is Jinja (docxtpl) over XML: a value is
inserted, never evaluated as a template, and XML-escaped; the .pdf is autoescaped HTML; the .xlsx keeps such text a
string cell (never a formula). Quarterly report, LKIP (annual) and Lembar Disposisi alike."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from typing import Any

import openpyxl
import pytest
from lxml import etree

from services.renderer.documents import render_all, render_disposisi
from services.renderer.viewmodel import build_view_model
from tests.unit.renderer.test_documents import _docx_text, _pdf_text
from tests.unit.renderer.worked_example import load_pk, load_submissions, quarter_recaps, recaps

SCRIPT = "<script>alert(1)</script>"
JINJA = "{{7*7}}"
STATEMENT = "{% if 1 %}jinja{% endif %}"
UNIT_NAME = f"Unit {SCRIPT} {JINJA}"
INSTANSI = f"Dinas {SCRIPT} & Co"
INDICATOR = f"TPT {JINJA} {STATEMENT}"
KENDALA = f'=HYPERLINK("http://contoh.invalid/?"&A1,"klik") {JINJA} <b>tebal</b> &amp;\x07'
SOLUSI = "@SUM(A1:A9) {{ config }} </td></tr></table>"
SHOWN = [UNIT_NAME, INSTANSI, INDICATOR, KENDALA.replace("\x07", ""), SOLUSI]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def nasty_recaps() -> dict[str, Any]:
    pk = load_pk()
    pk["instansi"]["nama"] = INSTANSI
    for unit in pk["units"]:
        if unit["kode"] == "BPS":
            unit["nama"] = UNIT_NAME
    pk["sasaran"][0]["indikator"][0]["nama"] = INDICATOR  # IKU-1, BPS's
    submissions = load_submissions()
    for sub in submissions:
        if sub["unit"] == "BPS":
            sub["kendala"], sub["solusi"] = KENDALA, SOLUSI
    return {"pk": pk, "recaps": recaps(pk=pk, submissions=submissions)}


@pytest.fixture(scope="module", params=["TW1", "TAHUNAN"])
def rendered(request: pytest.FixtureRequest, nasty_recaps: dict[str, Any]) -> dict[str, bytes]:
    all_recaps = nasty_recaps["recaps"]
    vm = build_view_model(
        all_recaps[request.param],
        pk=nasty_recaps["pk"],
        final=True,
        generated_on=date(2025, 1, 20),
        quarters=quarter_recaps(all_recaps),
        # the signature block prints the approving official: a hostile jabatan there is text too
        approvals=[
            {
                "nama": f"Penanda {SCRIPT}",
                "jabatan": f"Kepala {INSTANSI}",
                "action": "approve",
                "signatory": True,
                "decided_at": "2025-01-20T03:00:00+00:00",
            }
        ],  # fmt: skip
    )
    return render_all(vm)


def _xml_parts(docx: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.endswith(".xml")}


def assert_docx_literal(docx: bytes, shown: list[str]) -> None:
    for name, xml in _xml_parts(docx).items():
        etree.fromstring(xml)  # every part is still well-formed XML
        assert b"<script>" not in xml, name
    text = flat(_docx_text(docx))
    for s in shown:
        assert flat(s) in text, s


def assert_pdf_literal(pdf: bytes, shown: list[str]) -> None:
    text = _pdf_text(pdf)
    for s in shown:  # compared without whitespace: the PDF wraps long text anywhere ("</ script>")
        assert re.sub(r"\s+", "", s) in re.sub(r"\s+", "", text), s
    assert "&lt;" not in text and "&amp;amp;" not in text


def test_docx_shows_hostile_text_literally(rendered):
    assert_docx_literal(rendered["docx"], SHOWN)


def test_pdf_shows_hostile_text_literally(rendered):
    assert_pdf_literal(rendered["pdf"], SHOWN)


def test_xlsx_keeps_hostile_text_as_strings_never_formulas(rendered):
    wb = openpyxl.load_workbook(io.BytesIO(rendered["xlsx"]))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    formulas = [(c.parent.title, c.coordinate, c.value) for c in cells if c.data_type == "f"]
    # the only formulas are the renderer's own totals (issue 15 item 9): SUM and the absorption over cell references
    ours = re.compile(r'=(SUM\([A-Z]+\d+:[A-Z]+\d+\)|IF\([A-Z]+\d+=0,"",ROUND\([A-Z]+\d+/[A-Z]+\d+\*100,2\)\))')
    assert not [f for f in formulas if f[0] != "Anggaran" or not ours.fullmatch(f[2])]
    values = {str(c.value) for c in cells}
    for s in SHOWN:
        assert any(s in v for v in values), s


def test_lembar_disposisi_shows_hostile_text_literally():
    d = {
        "nomor": f"005/{JINJA}/2024",
        "tanggal": "2024-04-15",
        "dari": {"nama": f"Kepala {SCRIPT}", "jabatan": "Kepala Dinas", "nip": "197205022002121009"},
        "kepada": {"nama": f"Sekretaris {JINJA}", "jabatan": STATEMENT},
        "instruksi": f"Lengkapi {SCRIPT} & {JINJA}",
        "batas_waktu": "2024-04-22",
        "catatan": SOLUSI,
        "tahun": 2024,
        "periode": "TW1",
        "instansi": INSTANSI,
    }
    files = render_disposisi(d)
    shown = [f"005/{JINJA}/2024", f"Kepala {SCRIPT}", f"Sekretaris {JINJA}", f"Lengkapi {SCRIPT} & {JINJA}", SOLUSI]
    assert_docx_literal(files["docx"], shown)
    assert_pdf_literal(files["pdf"], shown)
