"""Issue 15, items 5 (counts never with decimals), 6 (quarterly and semester reports) and 9 (Excel): decimals per
indicator, the cumulative budget, Rencana Aksi progress, early warnings, no duplicated table in S1, no page holding
only the signature, both charts on one page, and a workbook with numeric targets, SUM totals, print setup and
filters (recomputed by LibreOffice where Calc is installed)."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from services.renderer.documents import XLSX_HEADER_ROW, render_pdf, render_xlsx
from services.renderer.viewmodel import build_view_model
from tests.unit.renderer.worked_example import load_pk, quarter_recaps, recaps, rendered

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
APPROVALS = [{"nama": "Budi Santoso, S.E.", "nip": "198001012005011001", "jabatan": "Sekretaris",
              "decided_at": "2024-07-22"}]  # fmt: skip


@pytest.fixture(scope="module")
def example() -> dict:
    return recaps()


def vm_of(example: dict, periode: str, pk: dict | None = None, **kw) -> dict:
    kw.setdefault("final", False)
    kw.setdefault("quarters", quarter_recaps(example))
    return build_view_model(example[periode], pk=pk or load_pk(), generated_on=date(2025, 1, 20), **kw)


@pytest.fixture(scope="module")
def files(example) -> dict:
    return {p: rendered(vm_of(example, p)) for p in ("TW1", "TW2", "S1", "S2")}


def pdf_pages(pdf: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return text.decode().split("\f")[:-1]


# --- decimals per indicator -------------------------------------------------------------------------------------


def test_counts_are_shown_without_decimals_and_percentages_with_two(example):
    vm = vm_of(example, "TW2")
    rows = {r["kode"]: r for r in vm["rows"]}
    ik21 = rows["IK-2.1"]
    assert (ik21["target"], ik21["realisasi"], ik21["realisasi_sd"]) == ("400", "450", "630")
    assert (rows["IK-4.2"]["target"], rows["IK-4.2"]["realisasi"]) == ("1", "2")  # kasus
    assert (rows["IKU-1"]["realisasi"], rows["IKU-1"]["capaian"]) == ("7,05", "100,70")  # %; capaian always 2
    assert rows["IK-2.1"]["capaian"] == "112,50" and rows["IK-3.2"]["target_sd"] == "2.300"
    assert {t["kode"]: t for t in vm["trend"]}["IK-3.2"]["points"][0]["realisasi"] == "910"
    assert {p["kode"]: p for p in vm["pk_rows"]}["IK-2.1"]["tw"] == ["200", "400", "400", "200"]
    annual = {b["kode"]: b for b in vm_of(example, "TAHUNAN")["perbandingan"]}
    assert (annual["IK-2.1"]["realisasi_lalu"], annual["IK-4.2"]["target_renstra"]) == ("1.105", "2")


def test_the_recaps_desimal_wins_over_the_pks(example):
    pk = load_pk()
    pk["sasaran"][1]["indikator"][1]["desimal"] = 1  # IK-2.2
    recap = copy.deepcopy(example["TW2"])
    recap["indikator"][1]["desimal"] = 3  # IK-2.1
    recap["indikator"][2].pop("desimal", None)  # IK-2.2: a recap drawn before rows carried it → the PK's
    vm = build_view_model(recap, pk=pk, final=False, generated_on=date(2025, 1, 20))
    rows = {r["kode"]: r for r in vm["rows"]}
    assert rows["IK-2.1"]["realisasi"] == "450,000" and rows["IK-2.2"]["realisasi"] == "83,0"


@needs_poppler
def test_no_count_prints_decimals_in_the_pdf(files):
    text = "".join(pdf_pages(files["TW2"]["pdf"]))
    assert "1.200" in text and "2.260" in text
    assert not re.search(r"\b(1\.200|2\.260|4\.800|1\.350),00", text)


# --- S1: the period table once ------------------------------------------------------------------------------------


@needs_poppler
def test_s1_prints_its_period_table_once_and_s2_its_cumulative_one(example, files):
    assert not vm_of(example, "S1")["has_sd"] and vm_of(example, "S2")["has_sd"]
    s1, s2 = "".join(pdf_pages(files["S1"]["pdf"])), "".join(pdf_pages(files["S2"]["pdf"]))
    assert s1.count("Capaian Kinerja Kumulatif") == 0 and s2.count("Capaian Kinerja Kumulatif") == 1
    assert s1.count("Capaian Kinerja per Indikator —") == 1
    word = Document(io.BytesIO(files["S1"]["docx"]))
    tables_with_iku = [t for t in word.tables if any("Tingkat Pengangguran" in c.text for c in t.columns[1].cells)]
    assert len(tables_with_iku) == 1  # the period table (Rencana Aksi has it in column 1 too: counted once above)


# --- cumulative budget --------------------------------------------------------------------------------------------


def _spent(example: dict, *quarters: int) -> Decimal:
    return sum((Decimal(a["realisasi"]) for q in quarters for a in example[f"TW{q}"]["anggaran"]), Decimal(0))


def test_the_cumulative_budget_adds_the_quarters_before_the_period(example):
    pagu = sum(Decimal(str(p["pagu"])) for p in load_pk()["program"])
    for periode, quarters in (("TW2", (1, 2)), ("TW4", (1, 2, 3, 4)), ("S2", (1, 2, 3, 4))):
        vm = vm_of(example, periode)
        total = vm["anggaran_total"]
        assert vm["anggaran_sd"] and total["realisasi_sd_value"] == _spent(example, *quarters), periode
        expected = (_spent(example, *quarters) / pagu * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert total["persen_sd_value"] == expected
    assert not vm_of(example, "S1")["anggaran_sd"] and not vm_of(example, "TW1")["anggaran_sd"]
    lost = vm_of(example, "TW3", quarters={2: example["TW2"]})  # TW1's recap missing: not a wrong sum
    assert lost["anggaran_total"]["realisasi_sd"] == "–" and not lost["anggaran_sd"]


@needs_poppler
def test_tw2_pdf_shows_the_cumulative_budget(example, files):
    text = "".join(pdf_pages(files["TW2"]["pdf"]))
    assert "Rp 12.205.000.000" in text and "42,53" in text  # 4.430.000.000 + 7.775.000.000 of 28.700.000.000


# --- Rencana Aksi and early warnings ------------------------------------------------------------------------------


def test_rencana_aksi_shows_the_plan_and_the_realisasi_up_to_the_period(example):
    ra = {r["kode"]: r for r in vm_of(example, "TW2")["rencana_aksi"]}["IK-2.1"]
    assert ra["target"] == "1.200" and [p["target"] for p in ra["tw"]] == ["200", "400", "400", "200"]
    assert [p["realisasi"] for p in ra["tw"]] == ["180", "450", "–", "–"]
    assert [p["berjalan"] for p in ra["tw"]] == [True, True, False, False] and ra["capaian_sd"] == "105,00"
    assert vm_of(example, "TAHUNAN")["rencana_aksi"] == []


def test_early_warnings_are_the_indicators_below_100_percent_to_date(example):
    recap = example["TW2"]
    below = [r["kode"] for r in recap["indikator"] if Decimal(r["capaian_sd"]) < 100]
    vm = vm_of(example, "TW2")
    assert [w["kode"] for w in vm["peringatan"]] == below and {w["level"] for w in vm["peringatan"]} == {"kuning"}
    assert "2.260 orang" in {w["kode"]: w for w in vm["peringatan"]}["IK-3.2"]["pesan"]
    worse = copy.deepcopy(example)
    worse["TW2"]["indikator"][0]["capaian_sd"] = "84.99"
    assert vm_of(worse, "TW2")["peringatan"][0]["level"] == "merah"


# --- pages: no lone signature, charts packed ---------------------------------------------------------------------


SIGNATURE_OR_FRAME = re.compile(
    r"^(Dokumen ini belum disahkan \(DRAF\)\.|Halaman \d+ dari \d+|DRAF|Laporan Kinerja .*"
    r"— Dinas .*|.*Sekretaris|Budi Santoso, S\.E\.|NIP\.? .*|(\w+, )?\d+ Juli 2024|"
    r"\w[\w ]*\(\w+/\w\)|)$"
)  # the running header and footer, the watermark, the signature block (last: pangkat (golongan))


@needs_poppler
@pytest.mark.parametrize("final", [False, True])
def test_no_page_holds_only_the_signature(example, final):
    for periode in ("TW1", "TW2", "S1", "S2"):
        kw = {"final": True, "approvals": APPROVALS} if final else {}
        pages = pdf_pages(rendered(vm_of(example, periode, **kw))["pdf"])
        for n, page in enumerate(pages, start=1):
            rest = [ln.strip() for ln in page.splitlines() if not SIGNATURE_OR_FRAME.match(ln.strip())]
            assert rest, f"{periode} page {n} holds only the signature block"


@needs_poppler
@pytest.mark.parametrize("extra", [10, 13])
def test_a_long_last_table_takes_its_last_rows_to_the_signature(example, extra):
    """With 10 to 13 more notes the signature block of S1 fell on a page of its own (before issue 15)."""
    recap = copy.deepcopy(example["S1"])
    note = "Kendala tambahan nomor {} yang cukup panjang untuk dua baris teks dalam sel tabel"
    recap["catatan"] += [{"triwulan": 2, "unit": "BID-HI", "kendala": note.format(i), "solusi": f"Solusi {i}"}
                         for i in range(extra)]  # fmt: skip
    vm = build_view_model(recap, pk=load_pk(), final=True, approvals=APPROVALS, generated_on=date(2025, 1, 20),
                          quarters=quarter_recaps(example))  # fmt: skip
    for n, page in enumerate(pdf_pages(render_pdf(vm)), start=1):
        assert [ln for ln in page.splitlines() if not SIGNATURE_OR_FRAME.match(ln.strip())], f"page {n}"


@needs_poppler
def test_both_charts_share_one_page(files):
    for periode, f in files.items():
        listing = subprocess.run(["pdfimages", "-list", "-"], input=f["pdf"], capture_output=True, check=True)
        rows = [line.split() for line in listing.stdout.decode().splitlines()[2:]]
        pages = [r[0] for r in rows if r[2] == "image"]  # not the charts' alpha masks (smask)
        assert len(pages) == 2 and pages[0] == pages[1], periode


def test_docx_keeps_the_last_table_with_the_signature_and_the_charts_together(files):
    doc = Document(io.BytesIO(files["TW2"]["docx"]))
    body = doc.element.body
    paras = list(body.iter(qn("w:p")))
    status = next(i for i, p in enumerate(paras) if "belum disahkan" in "".join(p.itertext()))
    kept = [p.pPr is not None and p.pPr.find(qn("w:keepNext")) is not None for p in paras[status - 6 : status]]
    assert all(kept)  # the catatan table's last rows run on into the signature
    drawings = [i for i, p in enumerate(paras) if p.find(".//" + qn("w:drawing")) is not None]
    breaks = [i for i, p in enumerate(paras) if p.find(".//" + qn("w:br")) is not None]
    assert len(drawings) == 2 and any(status < b < drawings[0] for b in breaks)  # charts after a page break


# --- Excel ----------------------------------------------------------------------------------------------------------


def test_workbook_targets_are_numbers_totals_are_sums_and_sheets_print(example, files):
    wb = openpyxl.load_workbook(io.BytesIO(files["TW2"]["xlsx"]))
    ind = wb["Indikator"]
    head = [c.value for c in ind[XLSX_HEADER_ROW]]
    assert head[5:8] == ["Target", "Target Minimum", "Target Maksimum"]
    ik51 = [c for c in ind[XLSX_HEADER_ROW + 9]]
    assert ik51[5].value is None and (ik51[6].value, ik51[7].value) == (40, 50) and ik51[6].data_type == "n"
    ik21 = [c for c in ind[XLSX_HEADER_ROW + 2]]
    assert ik21[5].value == 400 and ik21[5].number_format == "#,##0" and ik21[8].number_format == "#,##0"
    money = wb["Anggaran"]
    total = [c.value for c in money[money.max_row]]
    n = len(example["TW2"]["anggaran"])
    first, last = XLSX_HEADER_ROW + 1, XLSX_HEADER_ROW + n
    assert total[4:6] == [f"=SUM(E{first}:E{last})", f"=SUM(F{first}:F{last})"]
    assert total[7] == f"=SUM(H{first}:H{last})" and str(total[6]).startswith("=IF(")
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows.replace("$", "") == f"{XLSX_HEADER_ROW}:{XLSX_HEADER_ROW}"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{XLSX_HEADER_ROW}:")
    assert money.auto_filter.ref.endswith(str(last))  # the total row stays outside the filter


def _calc(xlsx: bytes, folder: Path) -> Path | None:
    """LibreOffice recomputes the workbook (xlsx → xlsx, headless); None when it cannot (no Calc installed)."""
    if not shutil.which("soffice"):
        return None
    (folder / "in").mkdir()
    (folder / "in" / "r.xlsx").write_bytes(xlsx)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{folder}/lo", "--headless", "--convert-to", "xlsx",
         "--outdir", str(folder / "out"), str(folder / "in" / "r.xlsx")],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    out = folder / "out" / "r.xlsx"
    return out if out.is_file() else None


def test_libreoffice_recomputes_the_sums_to_the_decimal_totals(example, tmp_path):
    vm = vm_of(example, "TW2")
    out = _calc(render_xlsx(vm), tmp_path)
    if out is None:
        pytest.skip("LibreOffice Calc is not installed (Debian libreoffice-calc-nogui)")
    ws = openpyxl.load_workbook(out, data_only=True)["Anggaran"]
    total = [c.value for c in ws[ws.max_row]]
    t = vm["anggaran_total"]
    assert Decimal(str(total[4])) == t["pagu_value"] and Decimal(str(total[5])) == t["realisasi_value"]
    assert Decimal(str(total[7])) == t["realisasi_sd_value"]
    assert Decimal(str(total[6])) == t["persen_value"] and Decimal(str(total[8])) == t["persen_sd_value"]
