"""Issue 15 as read by outsiders on the quarterly, semester and annual reports: a count never printed with decimals
in any report kind and format (item 5); a count's own fraction shown, never rounded away; the per-indicator
analysis of a quarter or semester (item 1) apart from the units' general notes; the consistency notes with every
figure they cite printed in the same document; Excel columns wide enough for their numbers (item 9)."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from services.renderer.documents import XLSX_HEADER_ROW, chart_images, render_pdf, render_xlsx
from services.renderer.documents.pdf import report_html
from services.renderer.viewmodel import build_view_model
from shared.formatting import fmt_number
from shared.sakip import checks
from tests.unit.renderer.worked_example import PERIODES, load_pk, quarter_recaps, recaps, rendered

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
APPROVALS = [{"nama": "Budi Santoso, S.E.", "nip": "198001012005011001", "jabatan": "Sekretaris",
              "decided_at": "2024-07-22", "pangkat": "Pembina", "golongan": "IV/a"}]  # fmt: skip


@pytest.fixture(scope="module")
def example() -> dict:
    return recaps()


def vm_of(example: dict, periode: str, pk: dict | None = None, **kw: Any) -> dict:
    kw.setdefault("final", False)
    kw.setdefault("quarters", quarter_recaps(example))
    return build_view_model(example[periode], pk=pk or load_pk(), generated_on=date(2025, 1, 20), **kw)


def pdf_text(pdf: bytes, layout: bool = True) -> str:
    """The PDF's text: laid out as printed, or in reading order (each table cell's text together)."""
    args = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def docx_text(data: bytes) -> str:
    body = Document(io.BytesIO(data)).element.body
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p")))


# --- item 5: counts never with decimals, in every report kind and format --------------------------------------------


def _counts(pk: dict) -> dict[str, dict[str, Any]]:
    """The PK's count indicators (no decimals: orang, kasus)."""
    return {i["kode"]: i for s in pk["sasaran"] for i in s["indikator"] if i["satuan"] in ("orang", "kasus")}


def _numbers(value: Any) -> Iterator[Decimal]:
    """Every figure a JSON value holds (numeric strings and numbers, ranges' bounds, nested)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _numbers(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        yield Decimal(str(value))
    elif isinstance(value, str):
        for part in re.findall(r"-?\d+(?:\.\d+)?", value):
            yield Decimal(part)


def _count_figures(pk: dict, recap: dict) -> set[Decimal]:
    counts = _counts(pk)
    figures = {d for i in counts.values() for key, v in i.items() if key != "kode" for d in _numbers(v)}
    for row in recap["indikator"]:
        if row["kode"] in counts:
            figures |= {d for k in ("target", "realisasi", "target_sd", "realisasi_sd") for d in _numbers(row.get(k))}
    return figures


def _other_figures(pk: dict, recap: dict, vm: dict) -> set[Decimal]:
    """What may print with ",00" for good: the non-count indicators' figures, every capaian, absorption and ratio."""
    counts = _counts(pk)
    out = {d for s in pk["sasaran"] for i in s["indikator"] if i["kode"] not in counts for d in _numbers(i)}
    for row in recap["indikator"]:
        out |= set(_numbers(row.get("capaian"))) | set(_numbers(row.get("capaian_sd")))
        if row["kode"] not in counts:
            out |= set(_numbers(row))
    out |= set(_numbers(recap.get("anggaran"))) | set(_numbers(recap.get("sasaran")))

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v, key)
        elif isinstance(value, Decimal) and any(w in key for w in ("capaian", "persen", "serapan", "rasio")):
            out.add(value)

    walk(vm)
    return out


def _wrong_tokens(pk: dict, recap: dict, vm: dict) -> set[str]:
    """The count figures as they would print with two decimals ("1.200,00", "4,00"), except those that are also
    a percentage the document prints rightly (TW1: IK-4.2's capaian 200,00 % and IK-2.1's TW target 200)."""
    others = {fmt_number(d, 2) for d in _other_figures(pk, recap, vm)}
    return {fmt_number(d, 2) for d in _count_figures(pk, recap)} - others


def _found(tokens: set[str], text: str) -> set[str]:
    return {t for t in tokens if re.search(rf"(?<![\d.,]){re.escape(t)}(?![\d,])", text)}


@needs_poppler
@pytest.mark.parametrize("periode", PERIODES)
def test_no_count_figure_prints_decimals_in_any_report(example, periode):
    pk = load_pk()
    vm = vm_of(example, periode, final=periode == "TW1", approvals=APPROVALS if periode == "TW1" else ())
    wrong = _wrong_tokens(pk, example[periode], vm)
    assert {"1.200,00", "4.800,00"} <= wrong  # the scan looks for the figures outsiders saw
    files = rendered(vm)
    for kind, text in (("pdf", pdf_text(files["pdf"])), ("docx", docx_text(files["docx"]))):
        assert not _found(wrong, text), f"{periode} {kind}"
        assert re.search(r"(?<![\d.,])1\.200(?![\d,])", text), f"{periode} {kind}"  # IK-2.1's target, as a count
    counts = _counts(pk)
    for ws in openpyxl.load_workbook(io.BytesIO(files["xlsx"])).worksheets:
        head = [str(c.value or "") for c in ws[XLSX_HEADER_ROW]]
        if "Kode" not in head:
            continue
        kode = head.index("Kode")
        for row in ws.iter_rows(min_row=XLSX_HEADER_ROW + 1):
            if row[kode].value not in counts:
                continue
            for cell, name in zip(row, head, strict=False):
                if isinstance(cell.value, int | float | Decimal) and "Capaian" not in name and name != "No":
                    assert cell.number_format == "#,##0", (periode, ws.title, name, cell.number_format)


# --- item 5: a count's own fraction is shown, never rounded away ---------------------------------------------------


def _fractional(example: dict) -> dict:
    """TW2 where the unit sent 994.5 orang for IK-3.2 (as the recap would carry it, with its capaian from 994,5)."""
    recap = copy.deepcopy(example["TW2"])
    row = next(r for r in recap["indikator"] if r["kode"] == "IK-3.2")
    row["realisasi"] = "994.5"
    row["capaian"] = str((Decimal("994.5") / Decimal(row["target"]) * 100).quantize(Decimal("0.01")))
    return recap


def test_a_fractional_count_shows_its_own_decimals_and_a_whole_one_none(example):
    recap = _fractional(example)
    vm = build_view_model(recap, pk=load_pk(), final=False, generated_on=date(2025, 1, 20),
                          quarters=quarter_recaps(example))  # fmt: skip
    rows = {r["kode"]: r for r in vm["rows"]}
    assert rows["IK-3.2"]["realisasi"] == "994,5"  # not "995": capaian 76,50 is computed from 994,5
    assert rows["IK-3.2"]["target"] == "1.300" and rows["IK-2.1"]["realisasi"] == "450"
    assert rows["IKU-1"]["realisasi"] == "7,05"  # a percentage keeps its two
    assert {t["kode"]: t for t in vm["trend"]}["IK-3.2"]["points"][1]["realisasi"] == "994,5"
    ws = openpyxl.load_workbook(io.BytesIO(render_xlsx(vm)))["Indikator"]
    cells = {r[2].value: r for r in ws.iter_rows(min_row=XLSX_HEADER_ROW + 1)}
    realisasi = [c.value for c in ws[XLSX_HEADER_ROW]].index("Realisasi")
    assert cells["IK-3.2"][realisasi].number_format == "#,##0.0"  # Excel shows 994,5, not 995
    assert cells["IK-2.1"][realisasi].number_format == "#,##0"
    # the consistency note names the fraction as the table shows it
    assert any("994,5 orang" in k["pesan"] for k in vm["konsistensi"] if k["rule"] == "cacah_desimal")


# --- item 1: the per-indicator analysis of a quarter or semester ---------------------------------------------------


def test_tw1_and_s1_analyse_each_indicator_the_units_explained_or_outside_100_to_120(example):
    for periode in ("TW1", "S1"):
        vm = vm_of(example, periode)
        analysed = {a["indikator"] for a in example[periode]["analisis"]}
        outside = {r["kode"] for r in vm["rows"] if not (100 <= r["capaian_value"] <= 120)}
        assert {a["kode"] for a in vm["analisis_periode"]} == analysed | outside, periode
    tw1 = {a["kode"]: a for a in vm_of(example, "TW1")["analisis_periode"]}
    assert tw1["IK-2.1"]["capaian"] == "90,00" and tw1["IK-4.2"]["capaian"] == "200,00"
    assert tw1["IK-2.1"]["penyebab"].startswith("Dua paket pelatihan") and tw1["IK-2.1"]["sumber"].endswith("(TW I)")
    assert tw1["IK-2.3"]["tindak_lanjut"] != "–" and tw1["IK-4.2"]["solusi"] == "–"  # the unit sent none


def test_an_indicator_outside_100_to_120_without_a_cause_says_the_analysis_is_missing(example):
    recap = copy.deepcopy(example["TW1"])
    recap["analisis"] = [a for a in recap["analisis"] if a["indikator"] != "IK-4.2"]
    recap["analisis"] += [{"indikator": "IK-2.3", "triwulan": 1, "unit": "BID-PPTK", "penyebab": None,
                           "kendala": "Data alumni belum lengkap.", "solusi": None, "tindak_lanjut": None}]  # fmt: skip
    vm = build_view_model(recap, pk=load_pk(), final=False, generated_on=date(2025, 1, 20))
    rows = [a for a in vm["analisis_periode"] if a["kode"] in ("IK-4.2", "IK-2.3")]
    missing = {a["kode"] for a in rows if a["belum"]}
    assert missing == set(checks.analysis_missing(recap)) & {"IK-4.2", "IK-2.3"} == {"IK-4.2"}
    ik42 = next(a for a in rows if a["kode"] == "IK-4.2")
    assert (ik42["penyebab"], ik42["sumber"]) == ("–", "Bidang Hubungan Industrial dan Jaminan Sosial Tenaga Kerja")
    s1 = {a["kode"]: [x for x in vm_of(example, "S1")["analisis_periode"] if x["kode"] == a["kode"]]
          for a in vm_of(example, "S1")["analisis_periode"]}  # fmt: skip
    assert [a["sumber"][-5:] for a in s1["IK-4.2"]] == ["TW I)", "W II)"] and [a["first"] for a in s1["IK-4.2"]] == [
        True,
        False,
    ]
    assert s1["IK-4.2"][0]["span"] == 2


@needs_poppler
def test_an_indicator_no_unit_analysed_is_one_note_across_its_row_not_four_dashes(example):
    """A large office's draft lists many indicators outside 100–120 % that nobody has analysed yet: the PDF prints
    the missing-analysis note across Penyebab … Tindak lanjut (two cells instead of five, and a row of two lines:
    docs/benchmarks.md, issue 16 third pass); an indicator with any text from a unit keeps its four columns."""
    recap = copy.deepcopy(example["TW1"])
    recap["analisis"] = [a for a in recap["analisis"] if a["indikator"] != "IK-4.2"]
    vm = build_view_model(recap, pk=load_pk(), final=False, generated_on=date(2025, 1, 20))
    by_kode = {a["kode"]: a for a in vm["analisis_periode"]}
    assert by_kode["IK-4.2"]["kosong"] and by_kode["IK-4.2"]["belum"]
    assert not any(a["kosong"] for a in vm["analisis_periode"] if a["kode"] != "IK-4.2")
    html = report_html(vm, chart_images(vm))
    table = html[html.index('<table class="analisis">') :]
    rows: dict[str, str] = {}
    more: list[str] = []  # an indicator's first row (its cell spans the units' rows), and the further units' rows
    for row in table[: table.index("</table>")].split("<tr>")[2:]:
        kode = re.search(r"<td rowspan=\"[0-9]+\">[0-9]+\. (\S+)", row)
        if kode:
            rows[kode.group(1)] = row
        else:
            more.append(row)
    assert re.findall(r"<td[^>]*>", rows["IK-4.2"])[-1] == '<td colspan="4" class="tanpa-analisis">'
    assert vm["labels"]["analisis_belum"] in rows["IK-4.2"] and ">–<" not in rows["IK-4.2"]
    assert all(r.count("<td") == 6 for kode, r in rows.items() if kode != "IK-4.2")
    assert all(r.count("<td") == 5 for r in more)
    text = " ".join(pdf_text(render_pdf(vm), layout=False).split())
    assert text.count(vm["labels"]["analisis_belum"]) == sum(1 for a in vm["analisis_periode"] if a["belum"])
    assert all(a["kode"] in text for a in vm["analisis_periode"])


@needs_poppler
def test_the_analysis_and_the_units_notes_are_separate_sections_in_pdf_and_docx(example):
    for periode in ("TW1", "S1", "TW2"):
        vm = vm_of(example, periode)
        files = rendered(vm)
        word = docx_text(files["docx"])
        pdf = pdf_text(files["pdf"], layout=False)
        for text in (pdf, word):
            assert text.count("Analisis Capaian per Indikator") == 1, periode
            for a in vm["analisis_periode"]:  # every unit's cause, as sent
                words = set(text.split())  # a table cell's lines interleave with its neighbours' in the PDF's text
                assert set(a["penyebab"].split()[:8]) <= words, (periode, a["kode"])
            assert ("Catatan Unit Kerja" in text) == bool(vm["catatan"]), periode
            assert "Kendala dan Solusi" not in text  # the notes' old heading, that read as the analysis
    tw2 = vm_of(example, "TW2")
    assert tw2["catatan"]  # TW2's units sent general notes too: printed under their own heading


# --- item 1 / 5: consistency notes, every figure they cite printed in the same document ---------------------------


@needs_poppler
@pytest.mark.parametrize("periode", ["TW1", "TW2", "TW3", "TW4", "S1", "S2"])
def test_consistency_notes_cite_only_figures_the_document_prints(example, periode):
    vm = vm_of(example, periode)
    findings = checks.consistency(example[periode], quarter_recaps(example))
    assert [k["rule"] for k in vm["konsistensi"]] == [f["rule"] for f in findings]
    files = rendered(vm)
    for kind, text in (("pdf", pdf_text(files["pdf"], layout=False)), ("docx", docx_text(files["docx"]))):
        flat = " ".join(text.split())
        head = flat.index("Catatan Konsistensi Data")
        rest = flat[:head]  # the tables above the notes
        for k in vm["konsistensi"]:
            assert k["pesan"] in flat, (periode, kind)
            for figure in re.findall(r"\d[\d.]*,\d+|Rp [\d.]+", k["pesan"]):
                assert figure in rest, (periode, kind, figure)


def test_tw2_notes_that_ik51_differs_from_the_cumulative_absorption(example):
    vm = vm_of(example, "TW2")
    note = next(k for k in vm["konsistensi"] if k["rule"] == "serapan_anggaran")
    assert "47,50%" in note["pesan"] and "42,53%" in note["pesan"]
    assert vm["anggaran_total"]["persen_sd"] == "42,53"  # printed in the budget's cumulative column
    assert vm_of(example, "TW1")["anggaran_total"]["persen"] in next(
        k["pesan"] for k in vm_of(example, "TW1")["konsistensi"]
    )


def test_a_note_carries_the_units_analysis_of_its_indicator(example):
    recap = copy.deepcopy(example["TW2"])
    recap["analisis"].append({"indikator": "IK-5.1", "triwulan": 2, "unit": "SEKRETARIAT",
                              "penyebab": "Realisasi fisik dihitung dari SP2D yang terbit hingga 5 Juli.",
                              "kendala": None, "solusi": None, "tindak_lanjut": None})  # fmt: skip
    vm = build_view_model(recap, pk=load_pk(), final=False, generated_on=date(2025, 1, 20),
                          quarters=quarter_recaps(example))  # fmt: skip
    note = next(k for k in vm["konsistensi"] if k["kode"] == "IK-5.1")
    assert note["penjelasan"] and note["penjelasan"][0].endswith("SP2D yang terbit hingga 5 Juli.")
    over = copy.deepcopy(example["TW1"])
    over["anggaran"][3]["realisasi"] = "1500000000"  # above its pagu of 1.380.000.000
    vm = build_view_model(over, pk=load_pk(), final=False, generated_on=date(2025, 1, 20))
    note = next(k for k in vm["konsistensi"] if k["rule"] == "melebihi_pagu")
    assert "Rp 1.500.000.000" in note["pesan"] and "Rp 1.380.000.000" in note["pesan"]


def test_the_annual_report_has_no_periodic_sections(example):
    vm = vm_of(example, "TAHUNAN")
    assert vm["analisis_periode"] == [] and vm["konsistensi"] == []


# --- item 9: Excel columns fit their numbers ----------------------------------------------------------------------


def _calc_pdf(xlsx: dict[str, bytes], folder: Path) -> dict[str, str]:
    for name, data in xlsx.items():
        (folder / f"{name}.xlsx").write_bytes(data)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{folder}/lo", "--headless", "--norestore", "--convert-to", "pdf",
         "--outdir", str(folder / "out"), *(str(folder / f"{n}.xlsx") for n in xlsx)],
        capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    return {
        n: pdf_text((folder / "out" / f"{n}.pdf").read_bytes()) for n in xlsx if (folder / "out" / f"{n}.pdf").is_file()
    }


@needs_poppler
def test_no_excel_cell_prints_hashes(example, tmp_path):
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice Calc is not installed (Debian libreoffice-calc-nogui)")
    books = {p: render_xlsx(vm_of(example, p)) for p in ("TW1", "TW2", "TAHUNAN")}
    printed = _calc_pdf(books, tmp_path)
    if len(printed) < len(books):
        pytest.skip("LibreOffice could not print the workbooks (no Calc)")
    for name, text in printed.items():
        assert "###" not in text, name
        assert re.search(r"Rp 28[.,]700[.,]000[.,]000", text), name  # the pagu total, computed and shown whole


# --- item 6: no page holding only the signature, no half-empty chart page: the .docx as LibreOffice prints it ------

LONE = re.compile(
    r"^(Dokumen ini belum disahkan \(DRAF\)\.|Halaman \d+ dari \d+|DRAF|D|R|A|F|.*Laporan Kinerja .*|.*Sekretaris|"
    r"Budi Santoso, S\.E\.|NIP\.? .*|(\w+, )?\d+ Juli 2024|Pembina \(IV/a\)|)$"
)  # the running header and footer, the watermark, the signature block


@needs_poppler
def test_libreoffice_prints_no_lone_signature_and_both_charts_on_one_page(example, tmp_path):
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is not installed (Debian libreoffice-writer-nogui)")
    docs = {}
    for periode in ("TW1", "S1"):
        for final in (False, True):
            kw: dict[str, Any] = {"final": True, "approvals": APPROVALS} if final else {}
            docs[f"{periode}-{final}"] = rendered(vm_of(example, periode, **kw))["docx"]
    for name, data in docs.items():
        (tmp_path / f"{name}.docx").write_bytes(data)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--norestore", "--convert-to", "pdf",
         "--outdir", str(tmp_path / "out"), *(str(tmp_path / f"{n}.docx") for n in docs)],
        capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    for name in docs:
        out = tmp_path / "out" / f"{name}.pdf"
        if not out.is_file():
            pytest.skip("LibreOffice could not convert the .docx")
        pdf = out.read_bytes()
        for n, page in enumerate(pdf_text(pdf).split("\f")[:-1], start=1):
            assert [ln for ln in page.splitlines() if not LONE.match(ln.strip())], f"{name} page {n}"
        listing = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, check=True)
        rows = [line.split() for line in listing.stdout.decode().splitlines()[2:]]
        pages = {r[0] for r in rows if r[2] == "image"}
        assert len(pages) == 1, name  # both charts on one page, not one chart on a half-empty page


@pytest.mark.parametrize("periode", ["TW1", "TAHUNAN"])
def test_tw1_and_lkip_workbooks_sum_number_their_ranges_and_print(example, periode):
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(vm_of(example, periode))))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows, ws.title
    money = wb["Anggaran"]
    total = [c.value for c in money[money.max_row]]
    assert str(total[4]).startswith("=SUM(E") and str(total[5]).startswith("=SUM(F")
    sheets = [wb["Indikator"], *([wb["PK"]] if periode == "TAHUNAN" else [])]
    for ws in sheets:
        head = [c.value for c in ws[XLSX_HEADER_ROW]]
        low, high = (
            head.index(next(h for h in head if "Minimum" in str(h))),
            head.index(next(h for h in head if "Maksimum" in str(h))),
        )
        ik51 = next(r for r in ws.iter_rows(min_row=XLSX_HEADER_ROW + 1) if r[2].value == "IK-5.1")
        assert ik51[low].data_type == "n" and ik51[high].data_type == "n" and ik51[low].value < ik51[high].value
