"""Issue 15, an Inspektorat evaluator's reading of the worked example's LKIP (PDF, and the .docx as LibreOffice opens
it): one Renstra end target per indicator everywhere, the efficiency row of a sasaran without a programme said once,
the .docx in the PDF's order with captions kept with their charts and the PK signatures in one block, the Renstra
picture and the causes of a shortfall in the summary, the data-consistency notes in Bab III, and Indonesian wording
per polarity. Expected figures are worked out from examples/*.json here."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn

from services.renderer import documents
from services.renderer.viewmodel import build_view_model
from tests.unit.renderer.test_reports import APPROVALS, docx_text, flat, pdf_text
from tests.unit.renderer.worked_example import load_pk, quarter_recaps, recaps, rendered

GENERATED_ON = date(2025, 1, 20)


@pytest.fixture(scope="module")
def example() -> dict:
    return recaps()


@pytest.fixture(scope="module")
def pk() -> dict:
    return load_pk()


def annual(example: dict, pk: dict, final: bool = False, locale: str = "id") -> dict:
    return build_view_model(example["TAHUNAN"], pk=pk, final=final, generated_on=GENERATED_ON, locale=locale,
                            quarters=quarter_recaps(example), approvals=APPROVALS if final else ())  # fmt: skip


@pytest.fixture(scope="module")
def vm(example, pk) -> dict:
    return annual(example, pk)


@pytest.fixture(scope="module")
def pdf(vm) -> str:
    return flat(pdf_text(rendered(vm)["pdf"]))


@pytest.fixture(scope="module")
def docx(vm) -> bytes:
    return rendered(vm)["docx"]


def indikator(pk: dict, kode: str) -> dict:
    return next(i for s in pk["sasaran"] for i in s["indikator"] if i["kode"] == kode)


# --- 1. one Renstra end target per indicator ---------------------------------------------------------------------


def test_one_renstra_end_target_per_indicator_in_every_table(vm):
    tabel_2_1 = {r["kode"]: r["target_akhir"] for r in vm["renstra_rows"]}
    tabel_3_4 = {b["kode"]: b["target_renstra"] for b in vm["perbandingan"]}
    tabel_3_5 = {a["kode"]: a["target_renstra_akhir"] for a in vm["analisis_indikator"]}
    assert tabel_2_1 == tabel_3_4 == tabel_3_5
    # IK-5.1 is a rentang indicator: the Renstra's last year (2024) gives 90–100, never a single 95
    assert tabel_3_4["IK-5.1"] == "90,00 – 100,00"
    ik51 = next(b for b in vm["perbandingan"] if b["kode"] == "IK-5.1")
    assert ik51["target_renstra_range"] == (Decimal(90), Decimal(100)) and ik51["target_renstra_value"] is None
    assert ik51["capaian_renstra"] == "100,00"  # 96,30 lies inside the range (was 96,30 / 95 = 101,37)
    ik22 = next(b for b in vm["perbandingan"] if b["kode"] == "IK-2.2")
    assert ik22["capaian_renstra"] == "92,14"  # 82,93 / 90 × 100 = 92,144…
    paragraph = next(a for a in vm["analisis_indikator"] if a["kode"] == "IK-5.1")["paragraf"]
    assert "target akhir Renstra (2024) sebesar 90,00 – 100,00%" in paragraph and "95,00" not in paragraph


def test_the_end_target_falls_back_to_target_akhir_renstra_without_the_last_year(example, pk):
    import copy

    old = copy.deepcopy(pk)
    ind = indikator(old, "IK-2.2")
    ind["target_renstra"] = [t for t in ind["target_renstra"] if t["tahun"] != 2024]
    ind["target_akhir_renstra"] = "88"
    row = next(b for b in annual(example, old)["perbandingan"] if b["kode"] == "IK-2.2")
    assert row["target_renstra"] == "88,00" and row["capaian_renstra"] == "94,24"  # 82,93 / 88 = 94,238…


def test_the_example_pk_has_no_single_end_target_for_a_range_indicator(pk):
    ik51 = indikator(pk, "IK-5.1")
    last = next(t for t in ik51["target_renstra"] if t["tahun"] == pk["renstra"]["tahun_akhir"])
    assert (last["target_min"], last["target_max"]) == ("90", "100") and "target_akhir_renstra" not in ik51


def test_the_workbook_writes_a_range_end_target_as_its_bounds(vm):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(documents.render_xlsx(vm)))
    ws = wb[vm["labels"]["sheet_perbandingan"]]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    head = next(r for r in rows if "Target Akhir Renstra" in r)
    ik51 = next(r for r in rows if "IK-5.1" in r)
    at = head.index("Target Akhir Renstra")
    assert ik51[at : at + 3] == [None, Decimal(90), Decimal(100)] or ik51[at : at + 3] == [None, 90, 100]


# --- 2. efficiency: a sasaran without a programme ------------------------------------------------------------------


def test_a_sasaran_without_a_programme_is_said_once(vm, pdf, docx):
    ss1 = next(e for e in vm["efisiensi"] if e["kode"] == "SS-1")
    assert ss1["tanpa_program"] == "tidak ada program pendukung dalam PK"
    assert ss1["keterangan"] == "" and ss1["dukungan"] == []
    assert pdf.count("tidak ada program pendukung dalam PK") == 1
    assert flat(docx_text(docx)).count("tidak ada program pendukung dalam PK") == 1


def test_the_pdf_spans_the_budget_columns_for_it(vm):
    from services.renderer.documents.base import HTML_TEMPLATES, fixed_moment, html_env

    html = html_env.get_template(HTML_TEMPLATES["tahunan"]).render(
        vm=vm, L=vm["labels"], chart_uri="", trend_uri="", chart_uris={}, created=fixed_moment(vm), sah=None
    )
    cell = re.search(r'<td colspan="4" class="c"><i>([^<]*)</i></td>', html)
    assert cell and cell.group(1) == "tidak ada program pendukung dalam PK"


def _text(el) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def _table_after(doc, caption: str):
    """The table under a caption (Caption style: not the Daftar Tabel's line)."""
    body = list(doc.element.body.iterchildren())
    at = next(
        i
        for i, el in enumerate(body)
        if el.tag == qn("w:p")
        and _text(el).startswith(caption)
        and el.find(f".//{qn('w:pStyle')}") is not None
        and el.find(f".//{qn('w:pStyle')}").get(qn("w:val")) == "Caption"
    )
    return next(el for el in body[at:] if el.tag == qn("w:tbl"))


def test_word_efficiency_lines_codes_and_alignment(docx):
    doc = Document(io.BytesIO(docx))
    tbl = _table_after(doc, "Tabel 3.8")
    rows = list(tbl.iterchildren(qn("w:tr")))
    ss2 = rows[2]  # header, SS-1, SS-2
    cells = list(ss2.iterchildren(qn("w:tc")))
    lines = [_text(p) for p in cells[6].iterchildren(qn("w:p"))]
    assert lines[0].startswith("P\u201102 ") and lines[1].startswith("– P\u201102.2.01 ")  # one per line, no ", –"
    assert not any(", –" in line for line in lines)
    rasio = [p.find(f"{qn('w:pPr')}/{qn('w:jc')}") for p in cells[4].iterchildren(qn("w:p"))]
    assert all(jc is not None and jc.get(qn("w:val")) == "right" for jc in rasio)


def test_word_never_cuts_a_rupiah_figure():
    from docx.oxml import parse_xml

    from services.renderer.documents.wordform import CELL_PADDING, column_widths, text_width

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    cell = '<w:tc><w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p></w:tc>'
    long_text = " ".join(["kata"] * 60)
    tbl = parse_xml(f"<w:tbl {w}><w:tr>{cell.format('Rp 1.035.000.000')}{cell.format(long_text)}</w:tr></w:tbl>")
    widths = column_widths(tbl, 3000)
    assert widths[0] >= text_width("Rp 1.035.000.000", 10) + CELL_PADDING


def test_word_tabel_2_3_has_the_code_column(docx):
    doc = Document(io.BytesIO(docx))
    tbl = _table_after(doc, "Tabel 2.3")
    head = [_text(tc) for tc in next(tbl.iterchildren(qn("w:tr"))).iterchildren(qn("w:tc"))]
    assert head[:3] == ["No", "Kode", "Program"]
    first = [_text(tc) for tc in list(tbl.iterchildren(qn("w:tr")))[1].iterchildren(qn("w:tc"))]
    assert first[1] == "P-01"


# --- 3. Word: the PDF's order, captions with their charts, the PK signatures in one block --------------------------


def test_word_puts_the_kata_pengantar_before_the_daftar_isi(docx):
    doc = Document(io.BytesIO(docx))
    texts = [_text(p).strip() for p in doc.element.body.iter(qn("w:p"))]
    kp = texts.index("KATA PENGANTAR")
    di = texts.index("DAFTAR ISI")
    assert kp < di < texts.index("DAFTAR TABEL")
    toc = [i for i, p in enumerate(doc.element.body.iter(qn("w:p"))) if p.find(f".//{qn('w:instrText')}") is not None
           and "TOC" in "".join(t.text or "" for t in p.iter(qn("w:instrText")))]  # fmt: skip
    assert toc and toc[0] > di
    assert texts[toc[0]] == "KATA PENGANTAR"  # the contents list the Kata Pengantar, as the PDF's do


def test_word_keeps_each_caption_with_its_chart_or_table(docx):
    doc = Document(io.BytesIO(docx))
    captions = [p for p in doc.paragraphs if p.style.name == "Caption" and re.match(r"(Tabel|Grafik) \d", p.text)]
    assert len(captions) > 10
    assert all(p.paragraph_format.keep_with_next for p in captions)
    grafik = [p for p in captions if p.text.startswith("Grafik 3.2")][0]
    following = grafik._p.getnext()
    assert following.find(f".//{qn('w:drawing')}") is not None  # the picture is the very next paragraph


def test_word_pk_signatures_are_one_row_that_cannot_split(docx):
    doc = Document(io.BytesIO(docx))
    tbl = next(t for t in doc.tables if "PIHAK PERTAMA" in "".join(t._tbl.itertext()))
    assert len(tbl.rows) == 1
    assert tbl.rows[0]._tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
    text = _text(tbl._tbl)
    assert "Tangerang, 31 Januari 2024" in text and "NIP. 19720502 200212 1 009" in text


# --- 4. the Renstra picture and the causes in the summary and the closing -------------------------------------------


def test_the_summary_and_closing_give_the_renstra_picture_and_the_causes(vm, example):
    # 2024 is the Renstra's last year (2019–2024): against each end target only IK-5.1 (96,30 inside 90–100) is
    # reached; IKU-1 6,82 vs 6,20 lower-is-better: (2 × 6,20 − 6,82) / 6,20 = 90,00 %; IK-4.2 3 vs 2: 50,00 %
    renstra = next(t for t in vm["ringkasan"] if "tahun terakhir Renstra" in t)
    assert "Tahun 2024 merupakan tahun terakhir Renstra 2019–2024: 1 dari 9 indikator mencapai target akhir" in renstra
    assert "IKU-1 (90,00%)" in renstra and "IK-4.2 (50,00%)" in renstra and "IK-5.1" not in renstra
    # IK-2.2 is the one below its annual target (97,56 %); its latest penyebab is TW IV's
    tw4 = next(a for a in example["TAHUNAN"]["analisis"] if a["indikator"] == "IK-2.2" and a["triwulan"] == 4)
    below = next(t for t in vm["ringkasan"] if t.startswith("Indikator yang belum mencapai target"))
    assert "IK-2.2" in below and "97,56%" in below and tw4["penyebab"].rstrip(".") in below
    assert renstra in vm["penutup"] and below in vm["penutup"]


# --- 5. Catatan Konsistensi Data -----------------------------------------------------------------------------------


def test_bab_iii_lists_the_consistency_findings_with_their_reasons(vm, pdf, docx):
    notes = vm["konsistensi_tahunan"]
    assert len(notes) == 2
    serapan, tw4 = notes
    # IK-5.1 96,30 vs the programmes' 27.225 / 28.700 million = 94,86 %: no unit explained it
    assert "IK-5.1" in serapan and "96,30%" in serapan and "94,86%" in serapan
    assert "belum disampaikan" in serapan
    # IK-2.2: 82,93 / 85 = 97,56 annually; TW IV's year-to-date target is the mean of 80, 82, 85, 85 = 83,00
    assert "IK-2.2" in tw4 and "97,56%" in tw4 and "99,91%" in tw4
    assert "rata-rata target triwulanan Rencana Aksi (83,00)" in tw4 and "(85,00)" in tw4
    for text in (pdf, flat(docx_text(docx))):
        assert "Catatan Konsistensi Data" in text and "94,86%" in text and "rata-rata target triwulanan" in text


def test_without_findings_the_note_says_so(example, pk):
    import copy

    clean = copy.deepcopy(example)
    ik51 = next(r for r in clean["TAHUNAN"]["indikator"] if r["kode"] == "IK-5.1")
    ik51["realisasi"] = "94.86"
    next(r for r in clean["TW4"]["indikator"] if r["kode"] == "IK-5.1")["realisasi_sd"] = "94.86"
    for q in (1, 2, 3, 4):  # the quarters' targets as the annual one: no TW IV difference
        for r in clean[f"TW{q}"]["indikator"]:
            if r["kode"] == "IK-2.2":
                r["target_sd"], r["capaian_sd"] = "85.00", "97.56"
    vm = annual(clean, pk)
    assert vm["konsistensi_tahunan"] == []
    assert "tidak menemukan selisih" in flat(pdf_text(documents.render_pdf(vm)))


# --- 6. wording --------------------------------------------------------------------------------------------------


def test_no_english_in_the_indonesian_analysis(vm, pdf):
    assert "on track" not in pdf and "not on track" not in pdf
    assert "berada pada jalur pencapaian target Renstra" in next(
        a["paragraf"] for a in vm["analisis_indikator"] if a["kode"] == "IK-5.1"
    )


def test_the_benchmark_sentence_follows_the_polarity(vm, pk):
    iku = next(a for a in vm["analisis_indikator"] if a["kode"] == "IKU-1")["paragraf"]
    bench = indikator(pk, "IKU-1")["benchmark"]
    # TPT 6,82 % is higher than the national 4,91 %; lower is better: below the benchmark
    assert "realisasi 6,82% lebih tinggi dari angka nasional tahun 2024 sebesar 4,91%" in iku
    assert bench["sumber"] in iku and "semakin rendah semakin baik" in iku and "masih di bawah pembanding" in iku
    assert "lebih rendah kinerjanya" not in iku


def test_a_range_indicator_inside_its_range_both_years_stays_within_it(vm):
    ik51 = next(a for a in vm["analisis_indikator"] if a["kode"] == "IK-5.1")["paragraf"]
    assert "kinerja tetap dalam rentang target (perubahan +3,20)" in ik51  # 93,10 → 96,30, both in 90–100
    row = next(b for b in vm["perbandingan"] if b["kode"] == "IK-5.1")
    assert row["kondisi"] == "tetap dalam rentang target"


def test_the_pk_signatures_write_nip_with_its_full_stop(pdf):
    assert "NIP. 19720502 200212 1 009" in pdf and "NIP 1972" not in pdf


def test_the_kata_pengantar_is_signed(vm, example, pk):
    # a draft: the head of the office the PK names, dated the day it was printed
    assert vm["kata_pengantar_ttd"] == {
        "tempat_tanggal": "Tangerang, 20 Januari 2025",
        "jabatan": "Kepala Dinas Ketenagakerjaan Kota Tangerang",
        "nama": "Dr. Ujang Hendra Gunawan, S.Sos, M.Si",
    }
    final = annual(example, pk, final=True)
    # signed: the report's signatory (the last approver, 24 January 2025)
    assert final["kata_pengantar_ttd"]["tempat_tanggal"] == "Tangerang, 24 Januari 2025"
    assert final["kata_pengantar_ttd"]["jabatan"] == "Kepala Dinas"


def test_english_labels_for_the_new_parts(example, pk):
    vm = annual(example, pk, locale="en")
    text = " ".join([*vm["ringkasan"], *vm["konsistensi_tahunan"]])
    assert "last year of the Strategic Plan" in text and "average of the Action Plan's quarterly targets" in text
