"""Issue 4: the quarterly, semester and annual (LKIP) reports of the worked example in .docx, .pdf and .xlsx from
one view-model: the same numbers in all three, the LKIP chapters, A4 pages with numbers and the DRAF watermark,
charts in both documents, numeric cells, byte-identical re-renders, replaceable Word templates and the Lembar
Disposisi."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from services.renderer import documents
from services.renderer.documents import (
    REQUIRED_FIELDS,
    XLSX_HEADER_ROW,
    XLSX_NUMBER_FORMAT,
    XLSX_RUPIAH_FORMAT,
    missing_template_fields,
    render_all,
    render_disposisi,
    render_docx,
)
from services.renderer.viewmodel import build_view_model
from tests.unit.renderer.worked_example import load_pk, quarter_recaps, recaps, rendered

GENERATED_ON = date(2025, 1, 20)
KEPALA_NIP = "197205022002121009"
APPROVALS = [
    {"nama": "Budi Santoso, S.E.", "nip": "198001012005011001", "jabatan": "Sekretaris", "decided_at": "2025-01-22"},
    {
        "nama": "Dr. Ujang Hendra Gunawan, S.Sos, M.Si",
        "nip": KEPALA_NIP,
        "jabatan": "Kepala Dinas",
        "pangkat": "Pembina Utama Muda",
        "golongan": "IV/c",
        "decided_at": "2025-01-24",
    },
]
DISPOSISI = {
    "nomor": "005/117/DISNAKER/2024",
    "tanggal": "2024-04-15",
    "dari": {"nama": "Dr. Ujang Hendra Gunawan, S.Sos, M.Si", "jabatan": "Kepala Dinas", "nip": KEPALA_NIP},
    "kepada": {"nama": "Budi Santoso, S.E.", "jabatan": "Sekretaris"},
    "instruksi": "Lengkapi data penempatan <Juni> & laporkan",
    "batas_waktu": "2024-04-22",
    "catatan": "Koordinasikan dengan Bidang PENTA",
    "tahun": 2024,
    "periode": "TW1",
    "instansi": "Dinas Ketenagakerjaan Kota Tangerang",
}
needs_poppler = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm) not installed")


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in doc.sections for p in section.header.paragraphs]
    return "\n".join(parts)


def flat(text: str) -> str:
    """pdftotext breaks lines inside table cells: compare with whitespace collapsed."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def example() -> dict:
    return recaps()


@pytest.fixture(scope="module")
def pk() -> dict:
    return load_pk()


def vm_of(example: dict, pk: dict, periode: str, **kw) -> dict:
    kw.setdefault("final", False)
    return build_view_model(example[periode], pk=pk, generated_on=GENERATED_ON, quarters=quarter_recaps(example), **kw)


@pytest.fixture(scope="module")
def annual(example, pk) -> dict:
    vm = vm_of(example, pk, "TAHUNAN")
    return {"vm": vm, **rendered(vm)}


@pytest.fixture(scope="module")
def tw1(example, pk) -> dict:
    vm = vm_of(example, pk, "TW1")
    return {"vm": vm, **rendered(vm)}


def figures(vm: dict) -> set[str]:
    """Every number the report's tables show, as the view-model formats it."""
    shown = {vm["capaian_instansi"], *(s["capaian"] for s in vm["sasaran"])}
    for r in vm["rows"]:
        shown |= {r["realisasi"], r["capaian"], *r["target"].split(" – ")}
    for a in [*vm["anggaran"], vm["anggaran_total"]]:
        shown |= {a["pagu"], a["realisasi"], a["persen"]}
    for b in vm["perbandingan"]:
        shown |= {b["realisasi_lalu"], b["perubahan"], b["target_renstra"], b["capaian_renstra"]}
    return shown - {"–"}


# --- the view-models ---------------------------------------------------------------------------------------


def test_the_periode_picks_the_report_kind(example, pk):
    kinds = {p: vm_of(example, pk, p)["kind"] for p in ("TW1", "TW4", "S1", "S2", "TAHUNAN")}
    assert kinds == {"TW1": "triwulan", "TW4": "triwulan", "S1": "semester", "S2": "semester", "TAHUNAN": "tahunan"}
    s2 = vm_of(example, pk, "S2")
    assert s2["title"] == "Laporan Kinerja Semester II 2024" and s2["up_to_label"] == "s.d. Triwulan IV 2024"


def test_annual_view_model_carries_the_lkip_parts(annual):
    vm = annual["vm"]
    assert vm["title"] == "Laporan Kinerja Instansi Pemerintah Tahun 2024"
    assert vm["capaian_instansi"] == "99,84" and vm["predikat_instansi"] == "Sangat Baik"
    iku = vm["perbandingan"][0]
    assert (iku["realisasi_lalu"], iku["realisasi"], iku["perubahan"], iku["kondisi"]) == (
        "7,04",
        "6,82",
        "−0,22",
        "membaik",
    )
    assert (iku["target_renstra"], iku["capaian_renstra"]) == ("6,20", "90,00")  # negative polarity: (2·6,2−6,82)/6,2
    assert vm["anggaran_total"]["pagu"] == "Rp 28.700.000.000"
    assert vm["anggaran_total"]["realisasi_value"] == Decimal("27225000000")  # the TW II correction keeps its budget
    assert vm["anggaran"][0]["persen"] == "94,48"  # P-01: 17.715.000.000 / 18.750.000.000
    assert [p["label"] for p in vm["trend"][0]["points"]] == ["TW I", "TW II", "TW III", "TW IV"]
    ik21 = {t["kode"]: t for t in vm["trend"]}["IK-2.1"]
    assert [p["realisasi"] for p in ik21["points"]] == ["180", "450", "390", "260"]  # a count: no decimals
    assert [p["target"] for p in ik21["points"]] == ["200", "400", "400", "200"]
    assert vm["pk_rows"][8]["target"] == "90,00 – 100,00" and vm["pk_rows"][8]["tw"][0] == "15,00 – 25,00"
    assert "Dinas Ketenagakerjaan Kota Tangerang" in vm["profil"]["kedudukan"]
    assert any("99,84%" in t for t in vm["ringkasan"]) and vm["struktur"][0] == "Sekretariat"
    ss3 = {s["kode"]: s for s in vm["sasaran_detail"]}["SS-3"]
    # issue 15: BID-PENTA's June data note is IK-3.2's keterangan (a correction), no longer a kendala of SS-3
    assert [c["unit_kode"] for c in ss3["catatan"]] == [] and len(ss3["rows"]) == 2


def test_semester_trend_takes_its_quarters_from_the_quarter_recaps(example, pk):
    vm = vm_of(example, pk, "S1")
    assert [len(t["points"]) for t in vm["trend"]] == [2] * 9
    assert {t["kode"]: t for t in vm["trend"]}["IK-3.2"]["points"][1]["realisasi"] == "1.350"
    alone = build_view_model(example["S1"], pk=pk, final=False, generated_on=GENERATED_ON)  # no quarter recaps yet
    assert alone["trend"][0]["points"][0]["realisasi"] == "–" and alone["trend"][0]["points"][0]["target"] == "7,20"


def test_english_lkip(example, pk):
    vm = vm_of(example, pk, "TAHUNAN", locale="en")
    assert vm["capaian_instansi"] == "99.84" and vm["labels"]["bab1"] == "Chapter I Introduction"
    assert vm["anggaran_total"]["pagu"] == "Rp 28,700,000,000" and vm["perbandingan"][0]["kondisi"] == "improved"
    assert "Executive" in vm["labels"]["ringkasan"] and vm["profil"]["pemda"] == "City Government of Tangerang"


def test_the_office_text_block_can_be_replaced(example, pk):
    own = {"id": {"isu": ["Isu khusus {instansi} {tahun} {tak_dikenal}"], "pemda": "Pemerintah Kota Contoh"}}
    vm = vm_of(example, pk, "TAHUNAN", profil=own)
    assert vm["profil"]["isu"] == ["Isu khusus Dinas Ketenagakerjaan Kota Tangerang 2024 {tak_dikenal}"]
    assert vm["profil"]["pemda"] == "Pemerintah Kota Contoh" and vm["profil"]["tugas"]  # the rest from the default


# --- the three formats show the same numbers ----------------------------------------------------------------


@needs_poppler
@pytest.mark.parametrize("report", ["tw1", "annual"])
def test_pdf_docx_and_xlsx_show_the_same_numbers(report, request):
    r = request.getfixturevalue(report)
    vm = r["vm"]
    shown = figures(vm)
    pdf, docx = flat(pdf_text(r["pdf"])), flat(docx_text(r["docx"]))
    assert not sorted(f for f in shown if f not in pdf)
    assert not sorted(f for f in shown if f not in docx)
    wb = openpyxl.load_workbook(io.BytesIO(r["xlsx"]))
    ws = wb["Indikator"]
    cells = list(ws.iter_rows(min_row=XLSX_HEADER_ROW + 1, values_only=True))
    assert [c[2] for c in cells] == [row["kode"] for row in vm["rows"]]
    for c, row in zip(cells, vm["rows"], strict=True):  # columns: target 5, min 6, max 7, realisasi 8, capaian 9
        assert Decimal(str(c[8])) == row["realisasi_value"] and Decimal(str(c[9])) == row["capaian_value"]
        if row["target_value"] is not None:
            assert Decimal(str(c[5])) == row["target_value"] and c[6] is None and c[7] is None
        else:
            assert (Decimal(str(c[6])), Decimal(str(c[7]))) == row["target_range"] and c[5] is None
    ws = wb["Anggaran"]
    money = list(ws.iter_rows(min_row=XLSX_HEADER_ROW + 1))
    for cells_, a in zip(money[:-1], vm["anggaran"], strict=True):
        assert cells_[4].data_type == "n" and cells_[4].number_format == XLSX_RUPIAH_FORMAT
        assert (
            Decimal(str(cells_[4].value)) == a["pagu_value"] and Decimal(str(cells_[5].value)) == a["realisasi_value"]
        )
        assert Decimal(str(cells_[6].value)) == a["persen_value"] and cells_[6].number_format == XLSX_NUMBER_FORMAT


def test_annual_workbook_has_the_lkip_sheets_as_numbers(annual):
    wb = openpyxl.load_workbook(io.BytesIO(annual["xlsx"]))
    assert wb.sheetnames == [
        "Indikator",
        "Sasaran",
        "Per Triwulan",
        "Perbandingan",
        "Anggaran",
        "Kendala dan Solusi",
        "PK",
    ]
    comp = list(wb["Perbandingan"].iter_rows(min_row=XLSX_HEADER_ROW + 1))
    assert comp[0][4].value == pytest.approx(7.04) and comp[0][4].data_type == "n"
    # the Renstra end target: a single one in its column, a range's bounds in the Minimum/Maksimum columns after it
    assert comp[0][6].value == pytest.approx(-0.22) and comp[0][8].value == pytest.approx(6.2)
    assert comp[0][11].value == pytest.approx(90.0)
    assert [c.value for c in comp[8][8:12]] == [None, 90, 100, 100]  # IK-5.1: 90–100, 96,30 inside it
    quarterly = list(wb["Per Triwulan"].iter_rows(min_row=XLSX_HEADER_ROW + 1, values_only=True))
    assert len(quarterly) == 36 and quarterly[4][3:] == ("TW I", 200, None, None, 180)


# --- what the documents look like ----------------------------------------------------------------------------


def pages_as_png(pdf: bytes, folder: Path) -> list[Path]:
    (folder / "report.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(folder / "report.pdf"), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


@needs_poppler
def test_tw1_pdf_pages(tw1, tmp_path):
    pages = pages_as_png(tw1["pdf"], tmp_path)
    assert 2 <= len(pages) <= 5 and len(pages) == page_count(tw1["pdf"])
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pages)
    text = pdf_text(tw1["pdf"])
    assert f"Halaman 1 dari {len(pages)}" in text and "DRAF" in text and "LAPORAN KINERJA" in text
    assert "Rp 4.430.000.000" in text and "15,44" in text  # the quarter's budget absorption


@needs_poppler
def test_annual_pdf_is_an_lkip(annual, tmp_path):
    pages = pages_as_png(annual["pdf"], tmp_path)
    assert 16 <= len(pages) <= 26 and len(pages) == page_count(annual["pdf"])
    text = pdf_text(annual["pdf"])
    chapters = [
        "LAPORAN KINERJA INSTANSI",
        "KATA PENGANTAR",
        "DAFTAR ISI",
        "DAFTAR TABEL",
        "DAFTAR GRAFIK",
        "RINGKASAN EKSEKUTIF",
        "BAB I PENDAHULUAN",
        "BAB II PERENCANAAN KINERJA",
        "BAB III AKUNTABILITAS KINERJA",
        "B. Realisasi Anggaran",
        "BAB IV PENUTUP",
        "LAMPIRAN",
        "LEMBAR PENGESAHAN",
    ]
    positions = [text.find(c, text.find("BAB IV PENUTUP") if c == "LAMPIRAN" else 0) for c in chapters]
    assert -1 not in positions, [c for c, p in zip(chapters, positions, strict=True) if p < 0]
    assert f"Halaman 2 dari {len(pages)}" in text and "DRAF" in text
    # a draft is signed by nobody: no name from the PK's "kepala" under the report, the block says it is not
    # approved yet; the PK in the Lampiran is the PK's own, signed by its two parties on its own date. The Kata
    # Pengantar, a foreword, ends with the PK's head of the office (issue 15: place, date, Kepala Dinas)
    report = text[text.find("DAFTAR ISI") : text.find("Lampiran 1.", text.find("BAB IV PENUTUP"))]
    assert "Dr. Ujang Hendra Gunawan" not in report and KEPALA_NIP not in text and "20 Januari 2025" in text
    foreword = flat(text[: text.find("DAFTAR ISI")])
    assert "Tangerang, 20 Januari 2025" in foreword and "Dr. Ujang Hendra Gunawan" in foreword
    lampiran = flat(text[text.find("Lampiran 1.", text.find("BAB IV PENUTUP")) :])
    assert "PIHAK PERTAMA" in lampiran and "PIHAK KEDUA" in lampiran and "Tangerang, 31 Januari 2024" in lampiran
    assert "Dr. Ujang Hendra Gunawan" in lampiran and "Pembina Utama Muda (IV/c)" in lampiran
    assert "NIP. 19720502 200212 1 009" in lampiran and "Wali Kota Tangerang" in lampiran
    assert "Dokumen ini belum disahkan (DRAF)." in text
    assert "Mediasi tripartit" in text  # the units' solusi in the analysis


@needs_poppler
def test_final_annual_has_the_approval_chain_and_no_draf(example, pk):
    vm = vm_of(example, pk, "TAHUNAN", final=True, approvals=APPROVALS, version=3)
    files = rendered(vm)
    text = pdf_text(files["pdf"])
    assert "DRAF" not in text and "19800101 200501 1 001" in text and "24 Januari 2025" in text
    word = docx_text(files["docx"])
    assert "DRAF" not in word and "19800101 200501 1 001" in word and "Sekretaris" in word
    # the signature block: the last approver of the chain (the Kepala Dinas here), on the day of that approval
    assert vm["kepala"] == {"signed": True, "jabatan": "Kepala Dinas", "nama": APPROVALS[1]["nama"],
                            "nip": KEPALA_NIP, "tanggal": "24 Januari 2025", "status": "",
                            "pangkat": "Pembina Utama Muda", "golongan": "IV/c", "nip_label": "19720502 200212 1 009",
                            "tempat_tanggal": "Tangerang, 24 Januari 2025"}  # fmt: skip
    assert "belum disahkan" not in text and "belum disahkan" not in word
    # as an Indonesian office writes it (issue #15 item 8): place and day, position, name, pangkat (golongan), NIP
    block = ["Tangerang, 24 Januari 2025", "Kepala Dinas", APPROVALS[1]["nama"], "Pembina Utama Muda (IV/c)",
             "NIP. 19720502 200212 1 009"]  # fmt: skip
    for printed in (text, word):
        lines = [line.strip() for line in printed.splitlines()]
        start = len(lines) - 1 - lines[::-1].index(block[0])  # the last: the Kata Pengantar's names no pangkat
        assert [line for line in lines[start:] if line][: len(block)] == block


def test_docx_carries_both_charts_and_the_chapters(annual, tw1):
    assert len(Document(io.BytesIO(tw1["docx"])).inline_shapes) == 2
    # the LKIP: the two, and each indicator's multi-year chart beside its analysis
    assert len(Document(io.BytesIO(annual["docx"])).inline_shapes) == 2 + len(annual["vm"]["rows"]) == 11
    text = docx_text(annual["docx"])
    for heading in ("RINGKASAN EKSEKUTIF", "BAB I PENDAHULUAN", "BAB III AKUNTABILITAS KINERJA", "LAMPIRAN"):
        assert heading in text
    assert "DRAF" in text and "Rp 28.700.000.000" in text


def test_rerendering_gives_identical_bytes_and_text(example, pk, annual):
    again = render_all(vm_of(example, pk, "TAHUNAN"))
    assert again["docx"] == annual["docx"] and again["xlsx"] == annual["xlsx"]
    if shutil.which("pdftotext"):
        assert pdf_text(again["pdf"]) == pdf_text(annual["pdf"])


# --- the office's own templates -------------------------------------------------------------------------------


def test_bundled_templates_use_every_required_field():
    for jenis, path in documents.DOCX_TEMPLATES.items():
        assert missing_template_fields(path.read_bytes(), jenis) == [], jenis


def own_template(fields: set[str], marker: str = "KOP DINAS CONTOH") -> bytes:
    doc = Document()
    doc.add_paragraph(marker)
    for field in sorted(fields - {"rows", "sasaran"}):
        doc.add_paragraph(f"{{{{ {field} }}}}")
    doc.add_paragraph("{%p for r in rows %}")
    doc.add_paragraph("{{ r.kode }} {{ r.capaian }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p for s in sasaran %}")
    doc.add_paragraph("{{ s.nama }}")
    doc.add_paragraph("{%p endfor %}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_template_is_checked_for_the_fields_it_must_contain():
    assert missing_template_fields(own_template(REQUIRED_FIELDS["triwulan"]), "triwulan") == []
    assert missing_template_fields(own_template(REQUIRED_FIELDS["triwulan"] - {"capaian_instansi"}), "triwulan") == [
        "capaian_instansi"
    ]
    assert "pk_rows" in missing_template_fields(own_template(REQUIRED_FIELDS["triwulan"]), "tahunan")
    with pytest.raises(ValueError):
        missing_template_fields(b"not a docx", "triwulan")


def test_the_offices_template_is_used_when_present(tw1, tmp_path):
    (tmp_path / "triwulan.docx").write_bytes(own_template(REQUIRED_FIELDS["triwulan"]))
    text = docx_text(render_docx(tw1["vm"], template_dir=tmp_path))
    assert "KOP DINAS CONTOH" in text and "IKU-1 99,31" in text
    assert "KOP DINAS CONTOH" not in docx_text(render_docx(tw1["vm"], template_dir=tmp_path / "none"))


# --- lembar disposisi -------------------------------------------------------------------------------------------


@needs_poppler
def test_lembar_disposisi_in_pdf_and_docx():
    files = render_disposisi(DISPOSISI)
    assert set(files) == {"pdf", "docx"}
    for text in (flat(pdf_text(files["pdf"])), flat(docx_text(files["docx"]))):
        for shown in ("005/117/DISNAKER/2024", "15 April 2024", "22 April 2024", "Budi Santoso, S.E., Sekretaris"):
            assert shown in text
        assert "Lengkapi data penempatan <Juni> & laporkan" in text and KEPALA_NIP in text
        assert "Triwulan I 2024" in text and "Dinas Ketenagakerjaan Kota Tangerang".upper() in text.upper()
    again = render_disposisi(DISPOSISI)
    assert again["docx"] == files["docx"] and pdf_text(again["pdf"]) == pdf_text(files["pdf"])
    english = pdf_text(render_disposisi(DISPOSISI, locale="en")["pdf"])
    assert "Disposition Sheet".upper() in english.upper() and "22 April 2024" in english


DOCS_IMG = Path(__file__).resolve().parents[3] / "docs" / "img"


@needs_poppler
@pytest.mark.skipif(
    not __import__("os").environ.get("LAPKIN_UPDATE_SCREENSHOTS"), reason="writes docs/img only when asked"
)
def test_update_the_lkip_pages_in_docs(example, pk, tmp_path):
    """LAPKIN_UPDATE_SCREENSHOTS=1: seven pages of the final annual LKIP as docs/img/lkip-<n>.png: the cover, the
    Daftar Tabel/Grafik, Bab I's SDM, Bab II's Renstra, Bab III's scale and formulas, an analysis page with its
    multi-year charts, and the PK signed by both parties."""
    vm = vm_of(example, pk, "TAHUNAN", final=True, approvals=APPROVALS, version=1)
    pdf = documents.render_pdf(vm)
    (tmp_path / "lkip.pdf").write_bytes(pdf)
    pages = pdf_text(pdf).split("\f")
    markers = ["LAPORAN KINERJA", "DAFTAR TABEL", "C. Sumber Daya Manusia", "A. Rencana Strategis", "Rentang Capaian",
               "2. IK-2.1", "PIHAK PERTAMA"]  # fmt: skip
    chosen = [next(n for n, text in enumerate(pages, start=1) if m in text) for m in markers]
    for old in DOCS_IMG.glob("lkip-*.png"):
        old.unlink()
    for n, page in enumerate(chosen, start=1):
        out = tmp_path / f"p{n}"
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                        str(tmp_path / "lkip.pdf"), str(out)], check=True)  # fmt: skip
        shutil.copy(out.with_suffix(".png"), DOCS_IMG / f"lkip-{n}.png")
    assert len(list(DOCS_IMG.glob("lkip-*.png"))) == 7
