"""The report's three forms (.docx, .pdf, .xlsx) show the same numbers as the view-model, escape nothing away,
mark drafts, and the workbook is byte-identical per view-model."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from docx import Document
from pypdf import PdfReader

from services.aggregator.rekap import build_rekap, parse_pk
from services.renderer.documents import (
    XLSX_HEADER_ROW,
    XLSX_NUMBER_FORMAT,
    capaian_chart_png,
    render_docx,
    render_pdf,
    render_xlsx,
)
from services.renderer.viewmodel import build_view_model
from shared.formatting import fmt_date, fmt_number, fmt_rupiah
from shared.sakip import periode_label, roman
from tests.unit.renderer.worked_example import rendered

NASTY = "<script>&{{7*7}}"
GENERATED_ON = date(2024, 4, 10)
APPROVALS = [
    {"nama": "Budi Santoso, S.E.", "nip": "198001012005011001", "jabatan": "Sekretaris", "decided_at": "2024-04-12"}
]


def _values(submissions: list[dict]) -> dict[str, dict[int, Decimal]]:
    values: dict[str, dict[int, Decimal]] = {}
    for sub in submissions:  # in order: a later submission replaces the values it names
        for item in sub["realisasi"]:
            values.setdefault(item["indikator"], {})[sub["triwulan"]] = Decimal(item["nilai"])
    return values


@pytest.fixture(scope="module")
def rekap(pk_2024, submissions_2024) -> dict:
    sasaran, indikator = parse_pk(pk_2024)
    rekap = build_rekap(
        tahun=2024, periode="TW1", sasaran=sasaran, indikator=indikator, values=_values(submissions_2024)
    )
    rekap["indikator"][1]["nama"] = f"Peserta pelatihan {NASTY}"
    rekap["catatan"] = [
        {"unit": "BID-HI", "kendala": "Mediasi tertunda", "solusi": "Jadwal ulang"},
        {"unit": NASTY, "kendala": "Data terlambat", "solusi": "Pengingat"},
    ]
    return rekap


@pytest.fixture(scope="module")
def draft_vm(rekap, pk_2024) -> dict:
    return build_view_model(rekap, pk=pk_2024, final=False, generated_on=GENERATED_ON)


@pytest.fixture(scope="module")
def final_vm(rekap, pk_2024) -> dict:
    return build_view_model(rekap, pk=pk_2024, final=True, generated_on=GENERATED_ON, version=2, approvals=APPROVALS)


def _pdf_text(pdf: bytes) -> str:
    if shutil.which("pdftotext"):  # poppler; pypdf where it is missing
        return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in doc.sections for p in section.header.paragraphs]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def draft_pdf_text(draft_vm) -> str:
    return _pdf_text(rendered(draft_vm)["pdf"])


@pytest.fixture(scope="module")
def final_pdf_text(final_vm) -> str:
    return _pdf_text(render_pdf(final_vm))


@pytest.fixture(scope="module")
def draft_docx_text(draft_vm) -> str:
    return _docx_text(rendered(draft_vm)["docx"])


def _shown_figures(vm: dict) -> set[str]:
    figures = {vm["capaian_instansi"], *(s["capaian"] for s in vm["sasaran"])}
    for row in vm["rows"]:
        figures |= {row[k] for k in ("target", "realisasi", "capaian", "realisasi_sd", "capaian_sd")}
    return figures


def test_view_model_formats_the_worked_example_in_indonesian(draft_vm):
    assert draft_vm["instansi"] == "Dinas Ketenagakerjaan Kota Tangerang"
    assert draft_vm["periode_label"] == "Triwulan I 2024"
    assert draft_vm["capaian_instansi"] == "95,31" and draft_vm["predikat_instansi"] == "Sangat Baik"
    by_kode = {r["kode"]: r for r in draft_vm["rows"]}
    assert by_kode["IK-3.2"]["target"] == "1.000" and by_kode["IK-3.2"]["target_value"] == Decimal("1000.00")
    assert by_kode["IK-5.1"]["target"] == "15,00 – 25,00"
    assert by_kode["IK-5.1"]["target_range"] == (Decimal("15.00"), Decimal("25.00"))
    assert by_kode["IKU-1"]["capaian_value"] == Decimal("99.31") and by_kode["IKU-1"]["capaian"] == "99,31"
    assert [r["sasaran_span"] for r in draft_vm["rows"]] == [1, 3, 0, 0, 2, 0, 2, 0, 1]
    assert draft_vm["draft"] and draft_vm["watermark"] == "DRAF"
    assert draft_vm["catatan"][0]["unit"] == "Bidang Hubungan Industrial dan Jaminan Sosial Tenaga Kerja"


def test_view_model_speaks_english_when_asked(rekap, pk_2024):
    vm = build_view_model(rekap, pk=pk_2024, final=False, generated_on=GENERATED_ON, locale="en")
    assert vm["periode_label"] == "Quarter I 2024" and vm["watermark"] == "DRAFT"
    assert vm["labels"]["capaian"] == "Achievement (%)" and vm["predikat_instansi"] == "Very Good"
    assert {r["kode"]: r["target"] for r in vm["rows"]}["IK-3.2"] == "1,000"


def test_pdf_shows_every_figure_of_the_view_model(draft_vm, draft_pdf_text):
    missing = sorted(f for f in _shown_figures(draft_vm) if f not in draft_pdf_text)
    assert not missing
    assert "Dinas Ketenagakerjaan Kota Tangerang" in draft_pdf_text and "Halaman 1 dari" in draft_pdf_text
    assert "Sangat Baik" in draft_pdf_text


def test_docx_shows_every_figure_of_the_view_model(draft_vm, draft_docx_text):
    missing = sorted(f for f in _shown_figures(draft_vm) if f not in draft_docx_text)
    assert not missing
    assert "TRIWULAN I 2024" in draft_docx_text


def test_xlsx_cells_are_the_view_models_decimals_as_numbers(draft_vm):
    ws = openpyxl.load_workbook(io.BytesIO(render_xlsx(draft_vm)))["Indikator"]
    header = [c.value for c in ws[XLSX_HEADER_ROW]]
    col = {name: header.index(name) for name in ("Kode", "Realisasi", "Capaian (%)", "Target")}
    rows = list(ws.iter_rows(min_row=XLSX_HEADER_ROW + 1))
    assert len(rows) == len(draft_vm["rows"])
    for cells, row in zip(rows, draft_vm["rows"], strict=True):
        assert cells[col["Kode"]].value == row["kode"]
        for name, key in (("Realisasi", "realisasi_value"), ("Capaian (%)", "capaian_value")):
            cell = cells[col[name]]
            assert cell.data_type == "n" and not isinstance(cell.value, str)
            # capaian with 2 decimals; realisasi with the indicator's (a count of orang or kasus: none)
            places = 2 if key == "capaian_value" else row["desimal"]
            assert cell.number_format == (XLSX_NUMBER_FORMAT if places == 2 else "#,##0" if places == 0 else None)
            assert Decimal(str(cell.value)) == row[key]
        if row["target_value"] is not None:
            assert Decimal(str(cells[col["Target"]].value)) == row["target_value"]


def test_xlsx_sasaran_sheet_carries_the_instansi_figure(draft_vm):
    ws = openpyxl.load_workbook(io.BytesIO(render_xlsx(draft_vm)))["Sasaran"]
    last = [c.value for c in ws[ws.max_row]]
    assert Decimal(str(last[3])) == Decimal("95.31") and last[4] == "Sangat Baik"


def test_xlsx_is_byte_identical_whatever_the_clock(draft_vm, monkeypatch):
    first = render_xlsx(draft_vm)
    later = time.time() + 86_400 * 400
    monkeypatch.setattr(time, "time", lambda: later)
    assert render_xlsx(draft_vm) == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2024, 4, 10, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2024-04-10T00:00:00Z" in core


def test_draft_pdf_says_draf_and_final_does_not(draft_pdf_text, final_pdf_text):
    assert "DRAF" in draft_pdf_text
    assert "DRAF" not in final_pdf_text


def test_final_documents_carry_the_lembar_pengesahan(final_vm, final_pdf_text):
    assert "LEMBAR PENGESAHAN" in final_pdf_text and "Budi Santoso, S.E." in final_pdf_text
    assert "12 April 2024" in final_pdf_text
    docx_text = _docx_text(render_docx(final_vm))
    assert "19800101 200501 1 001" in docx_text and "DRAF" not in docx_text


def test_unit_and_indicator_names_come_out_literally(draft_pdf_text, draft_docx_text):
    for text in (draft_pdf_text, draft_docx_text):
        assert text.count(NASTY) >= 2  # the indicator name and the catatan unit
        assert "&amp;" not in text and "&lt;" not in text


def test_chart_is_a_deterministic_png(draft_vm):
    png = capaian_chart_png(draft_vm)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and capaian_chart_png(draft_vm) == png


def test_fmt_number_uses_indonesian_separators_and_rounds_half_up():
    assert fmt_number(Decimal("1234.56")) == "1.234,56"
    assert fmt_number(Decimal("0.125")) == "0,13"
    assert fmt_number(Decimal("1234.56"), locale="en") == "1,234.56"
    assert fmt_number(Decimal("7"), places=0) == "7"
    assert fmt_number(None) == "–"


def test_fmt_date_spells_the_month_in_indonesian():
    assert fmt_date(date(2024, 1, 8)) == "8 Januari 2024"
    assert fmt_date(date(2024, 1, 8), locale="en") == "8 January 2024"


def test_fmt_rupiah_has_a_space_and_decimals_only_when_needed():
    assert fmt_rupiah(Decimal("1250000000")) == "Rp 1.250.000.000"
    assert fmt_rupiah(Decimal("1234.5")) == "Rp 1.234,50"


def test_roman_and_periode_labels():
    assert [roman(n) for n in (1, 2, 3, 4)] == ["I", "II", "III", "IV"]
    with pytest.raises(ValueError):
        roman(5)
    assert periode_label("TW1", 2024) == "Triwulan I 2024"
    assert periode_label("S2", 2024) == "Semester II 2024"
    assert periode_label("TAHUNAN", 2024) == "Tahun 2024"
    assert periode_label("TW3", 2024, locale="en") == "Quarter III 2024"
    assert periode_label("TAHUNAN", 2024, locale="en") == "Year 2024"


def test_every_format_names_the_pk_version_the_recap_used(rekap, pk_2024) -> None:
    """A mid-year PK perubahan: the report says which PK version its figures were measured against."""
    vm = build_view_model({**rekap, "pk_version": 2}, pk=pk_2024, final=False, generated_on=GENERATED_ON)
    assert vm["pk_label"] == " · Perjanjian Kinerja versi 2"
    assert "Perjanjian Kinerja versi 2" in _docx_text(render_docx(vm))
    assert "Perjanjian Kinerja versi 2" in _pdf_text(render_pdf(vm)).replace("\n", " ")
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(vm))).worksheets[0]
    assert "Perjanjian Kinerja versi 2" in str(sheet.cell(3, 1).value)
    en = build_view_model({**rekap, "pk_version": 2}, pk=pk_2024, final=False, generated_on=GENERATED_ON, locale="en")
    assert en["pk_label"] == " · Performance Agreement version 2"
    assert build_view_model(rekap, pk=pk_2024, final=False, generated_on=GENERATED_ON)["pk_label"] == ""
