"""Issue 15 item 7: Word that opens right in LibreOffice and WPS as well as Word — read from the .docx XML: fixed
table layout with widths from the content, figures right-aligned, repeated header rows, the document language, a
real TOC field after the cover (its own section, no page number), the running header, the DRAF watermark shape,
core properties naming the office and heading styles in every report kind. (tests/integration/renderer/
test_libreoffice.py converts the same documents with LibreOffice and reads the PDF.)"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from typing import Any

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from services.renderer.documents import render_disposisi, render_docx, wordform
from tests.unit.renderer.test_reports import APPROVALS, DISPOSISI, own_template, vm_of
from tests.unit.renderer.worked_example import load_pk, recaps

V = "{urn:schemas-microsoft-com:vml}"
TEXT_WIDTH = 9638  # A4 (11906 twips) less 2 × 2 cm margins (2 × 1134)


@pytest.fixture(scope="module")
def example() -> dict:
    return recaps()


@pytest.fixture(scope="module")
def pk() -> dict:
    return load_pk()


@pytest.fixture(scope="module")
def docs(example, pk) -> dict[str, Any]:
    """The worked example's .docx: TW1 and S1 drafts, the LKIP draft and final, TW1 in English, a disposisi."""
    final = {"final": True, "approvals": APPROVALS, "version": 1}
    vms = {
        "tw1": vm_of(example, pk, "TW1"),
        "s1": vm_of(example, pk, "S1"),
        "lkip": vm_of(example, pk, "TAHUNAN"),
        "lkip_final": vm_of(example, pk, "TAHUNAN", **final),
        "tw1_en": vm_of(example, pk, "TW1", locale="en"),
    }
    out: dict[str, Any] = {name: render_docx(vm) for name, vm in vms.items()}
    out["disposisi"] = render_disposisi(DISPOSISI)["docx"]
    out["vm"] = vms
    return out


def doc_of(data: bytes) -> Any:
    return Document(io.BytesIO(data))


def text(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def style_of(p: Any) -> str | None:
    s = p.find(qn("w:pPr") + "/" + qn("w:pStyle"))
    return None if s is None else s.get(qn("w:val"))


REPORTS = ("tw1", "s1", "lkip", "lkip_final", "tw1_en", "disposisi")


# --- tables -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", REPORTS)
def test_every_table_has_a_fixed_layout_and_its_grid_fills_the_text_width(docs, name):
    tables = list(doc_of(docs[name]).element.body.iter(qn("w:tbl")))
    assert tables
    for tbl in tables:
        assert tbl.find(f"{qn('w:tblPr')}/{qn('w:tblLayout')}").get(qn("w:type")) == "fixed"
        grid = [int(g.get(qn("w:w"))) for g in tbl.find(qn("w:tblGrid"))]
        assert sum(grid) == TEXT_WIDTH and all(w > 0 for w in grid)
        width = tbl.find(f"{qn('w:tblPr')}/{qn('w:tblW')}")
        assert (width.get(qn("w:type")), int(width.get(qn("w:w")))) == ("dxa", TEXT_WIDTH)
        for tr in tbl.iterchildren(qn("w:tr")):  # each cell as wide as its grid column(s)
            assert [int(tc.find(f"{qn('w:tcPr')}/{qn('w:tcW')}").get(qn("w:w"))) for tc in tr.iter(qn("w:tc"))] == grid


def _column(tbl: Any, header: str) -> int:
    first = next(tbl.iterchildren(qn("w:tr")))
    return [text(tc) for tc in first.iterchildren(qn("w:tc"))].index(header)


def test_column_widths_follow_the_content_so_no_word_is_broken(docs):
    """The TW1 indicator table: every column fits its longest word (DejaVu Sans, the font LibreOffice uses when the
    office has no Word fonts), names are wide and figures narrow."""
    tbl = next(doc_of(docs["tw1"]).element.body.iter(qn("w:tbl")))
    grid = [int(g.get(qn("w:w"))) for g in tbl.find(qn("w:tblGrid"))]
    for tr in tbl.iterchildren(qn("w:tr")):
        for col, tc in enumerate(tr.iterchildren(qn("w:tc"))):
            bold = tc.find(f".//{qn('w:b')}") is not None
            for word in text(tc).split():
                assert wordform.text_width(word, 8.5, bold) + wordform.CELL_PADDING <= grid[col], word
    sasaran, indikator, satuan = (_column(tbl, h) for h in ("Sasaran Strategis", "Indikator Kinerja", "Satuan"))
    no, target = _column(tbl, "No"), _column(tbl, "Target")
    assert min(grid[sasaran], grid[indikator]) > max(grid[satuan], grid[target]) > grid[no]
    # today's failure: "Menurunnya" (the first sasaran) must fit its column on one line
    assert wordform.text_width("Menurunnya", 8.5) + wordform.CELL_PADDING <= grid[sasaran]


def _table(rows: list[list[str]], bold_first: bool = True) -> Any:
    def cell(t: str, bold: bool) -> str:
        rpr = "<w:rPr><w:b/><w:sz w:val='17'/></w:rPr>" if bold else "<w:rPr><w:sz w:val='17'/></w:rPr>"
        return f"<w:tc><w:tcPr/><w:p><w:r>{rpr}<w:t>{t}</w:t></w:r></w:p></w:tc>"

    body = "".join(
        "<w:tr>" + "".join(cell(t, bold_first and i == 0) for t in row) + "</w:tr>" for i, row in enumerate(rows)
    )
    grid = "".join("<w:gridCol w:w='100'/>" for _ in rows[0])
    return parse_xml(f"<w:tbl {nsdecls('w')}><w:tblPr/><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>")


def test_column_widths_take_the_longest_word_first_then_share_what_is_left():
    rows = [["No", "Uraian", "Nilai"], ["1", "Ketenagakerjaan " + "kata " * 40, "1.234,56"]]
    widths = wordform.column_widths(_table(rows), 9000)
    assert sum(widths) == 9000
    assert widths[1] >= wordform.text_width("Ketenagakerjaan", 8.5) + wordform.CELL_PADDING
    assert widths[2] >= wordform.text_width("1.234,56", 8.5) + wordform.CELL_PADDING
    assert widths[1] > 6 * widths[0]  # the long text takes what is left; "No" keeps its own width
    # everything fits on one line: each column in proportion to its one-line width
    short = wordform.column_widths(_table([["A", "B"], ["x", "xxxx"]], bold_first=False), 1000)
    assert sum(short) == 1000 and short[1] > short[0]


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("1.234,56", True),
        ("98,5%", True),
        ("Rp 4.430.000.000", True),
        ("7,60 – 8,00", True),
        ("-3,20", True),
        ("9", True),
        ("Sangat Baik", False),
        ("IK-2.1", False),
        ("15 April 2024", False),
        ("orang", False),
    ],
)
def test_is_number(value, number):
    assert wordform.is_number(value) is number


def test_figures_are_right_aligned_and_header_rows_repeat(docs):
    tbl = next(doc_of(docs["tw1"]).element.body.iter(qn("w:tbl")))
    rows = list(tbl.iterchildren(qn("w:tr")))
    assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None  # repeated on every page
    assert all(tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is None for tr in rows[1:])
    assert all(tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for tr in rows)  # a row stays whole
    realisasi, nama = _column(tbl, "Realisasi"), _column(tbl, "Indikator Kinerja")

    def jc(tr: Any, col: int) -> str | None:
        el = list(tr.iterchildren(qn("w:tc")))[col].find(f".//{qn('w:jc')}")
        return None if el is None else el.get(qn("w:val"))

    assert all(jc(tr, realisasi) == "right" for tr in rows[1:])
    assert all(jc(tr, nama) != "right" for tr in rows[1:])
    assert jc(rows[0], realisasi) == "center"  # headers keep their own alignment


def test_a_column_of_figures_is_right_aligned_with_its_dashes():
    tbl = _table([["No", "Uraian", "Nilai"], ["1", "Baik", "1.234,56"], ["2", "12 bulan", "–"]])
    wordform.fix_table(tbl, 5000)
    body = list(tbl.iterchildren(qn("w:tr")))[1:]

    def jc(tr: Any, col: int) -> str | None:
        el = list(tr.iterchildren(qn("w:tc")))[col].find(f".//{qn('w:jc')}")
        return None if el is None else el.get(qn("w:val"))

    assert [jc(tr, 2) for tr in body] == ["right", "right"]  # "–" (no figure) lines up with the figures
    assert [jc(tr, 0) for tr in body] == ["right", "right"]
    assert [jc(tr, 1) for tr in body] == [None, None]  # "12 bulan" is text


def test_a_first_row_in_bold_is_a_header_the_disposisi_form_has_none():
    tbl = _table([["No", "Uraian"], ["1", "a"], ["2", "b"]])
    wordform.fix_table(tbl, 5000)
    assert next(tbl.iterchildren(qn("w:tr"))).find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None
    plain = _table([["Nomor", "005"], ["Tanggal", "15 April 2024"]], bold_first=False)
    wordform.fix_table(plain, 5000)
    assert plain.find(f".//{qn('w:tblHeader')}") is None


# --- language, properties -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "tag"), [("tw1", "id-ID"), ("lkip", "id-ID"), ("disposisi", "id-ID"), ("tw1_en", "en-US")]
)
def test_the_document_language(docs, name, tag):
    doc = doc_of(docs[name])
    default = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert default.get(qn("w:val")) == tag
    assert {lang.get(qn("w:val")) for lang in doc.styles.element.iter(qn("w:lang"))} == {tag}
    assert doc.core_properties.language == tag


def test_core_properties_name_the_office_and_the_report(docs):
    vm = docs["vm"]["tw1"]
    props = doc_of(docs["tw1"]).core_properties
    assert props.author == "Dinas Ketenagakerjaan Kota Tangerang" == vm["instansi"]
    assert props.title == "Laporan Kinerja Triwulan I 2024" == vm["title"]
    assert props.subject == f"{vm['title']} — {vm['instansi']}"
    assert props.last_modified_by == "Lapkin"
    # the view-model's moment (generated_on 20 Januari 2025), not python-docx's 2013 template nor the clock
    assert props.created == props.modified == datetime(2025, 1, 20, 0, 0, tzinfo=UTC)
    assert props.last_printed is None and props.content_status == "DRAF"
    assert doc_of(docs["lkip_final"]).core_properties.content_status == "Final"
    with zipfile.ZipFile(io.BytesIO(docs["tw1"])) as z:
        core = z.read("docProps/core.xml").decode()
        app = z.read("docProps/app.xml").decode()
        assert "2025-01-20T00:00:00Z" in core and "2013" not in core
        assert "<Application>Lapkin</Application>" in app and "Macintosh" not in app
        assert "<Company>Dinas Ketenagakerjaan Kota Tangerang</Company>" in app
        assert not [n for n in z.namelist() if "thumbnail" in n]


def test_a_rerender_gives_the_same_bytes(docs):
    assert render_docx(docs["vm"]["tw1"]) == docs["tw1"]
    assert render_disposisi(DISPOSISI)["docx"] == docs["disposisi"]


# --- structure: headings, cover, TOC, header/footer, watermark ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "h1", "h2"),
    [
        ("tw1", "LAPORAN KINERJA", "Capaian Kinerja per Indikator — Triwulan I 2024"),
        # S1 starts at TW I: its period table is its cumulative one, printed once (issue 15 item 6)
        ("s1", "LAPORAN KINERJA", "Capaian Kinerja per Indikator — Semester I 2024"),
        ("lkip", "BAB III AKUNTABILITAS KINERJA", "B. Realisasi Anggaran"),
        ("disposisi", "LEMBAR DISPOSISI", None),
    ],
)
def test_titles_are_heading_styles(docs, name, h1, h2):
    paragraphs = list(doc_of(docs[name]).element.body.iter(qn("w:p")))
    assert h1 in [text(p) for p in paragraphs if style_of(p) == "Heading1"]
    if h2:
        assert h2 in [text(p) for p in paragraphs if style_of(p) == "Heading2"]
    # a "label: value" line stays a plain paragraph
    assert not [text(p) for p in paragraphs if style_of(p) == "Heading2" and ":" in text(p)]


def test_heading_styles_use_the_document_font_not_the_theme():
    doc = Document(str(wordform_template("tahunan")))
    for name in ("Heading 1", "Heading 2"):
        rfonts = doc.styles[name].element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        assert rfonts.get(qn("w:ascii")) == "DejaVu Sans" and rfonts.get(qn("w:asciiTheme")) is None


def wordform_template(jenis: str) -> Any:
    from services.renderer.documents import DOCX_TEMPLATES

    return DOCX_TEMPLATES[jenis]


def _fields(part_element: Any) -> str:
    return " ".join(
        [i.text or "" for i in part_element.iter(qn("w:instrText"))]
        + [f.get(qn("w:instr")) for f in part_element.iter(qn("w:fldSimple"))]
    )


def test_the_lkip_cover_is_its_own_section_without_page_number_then_the_toc(docs):
    doc = doc_of(docs["lkip"])
    assert len(doc.sections) == 2
    cover, body = doc.sections
    assert not cover.header.is_linked_to_previous and not cover.footer.is_linked_to_previous
    assert "PAGE" not in _fields(cover.footer._element) and not text(cover.footer._element).strip()
    assert "PAGE" in _fields(body.footer._element) and "Halaman" in text(body.footer._element)
    assert text(body.header._element).strip() == "Dinas Ketenagakerjaan Kota Tangerang — " + docs["vm"]["lkip"]["title"]
    # the cover ends with the section break; the Kata Pengantar follows it, then (as in the PDF) the TOC on its own
    # page, before the first chapter after it
    paragraphs = list(doc.element.body.iterchildren(qn("w:p")))
    brk = next(i for i, p in enumerate(paragraphs) if p.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None)
    assert "TAHUN 2024" in " ".join(text(p) for p in paragraphs[:brk])
    toc = next(i for i, p in enumerate(paragraphs) if 'TOC \\o "1-3" \\h \\z \\u' in _fields(p))
    foreword = next(i for i, p in enumerate(paragraphs) if style_of(p) == "Heading1")
    first = next(i for i, p in enumerate(paragraphs) if style_of(p) == "Heading1" and i > toc)
    assert text(paragraphs[foreword]) == "KATA PENGANTAR" and brk < foreword < toc < first
    assert text(paragraphs[toc - 1]) == "DAFTAR ISI"
    # the field's result lists the chapters (LibreOffice shows it as is; Word rebuilds it on open)
    result = " ".join(text(p) for p in paragraphs[toc:first])
    for chapter in ("RINGKASAN EKSEKUTIF", "BAB I PENDAHULUAN", "BAB IV PENUTUP", "LAMPIRAN", "A. Latar Belakang"):
        assert chapter in result
    kinds = [f.get(qn("w:fldCharType")) for p in paragraphs[toc:first] for f in p.iter(qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"]  # one field around all the entries
    anchors = {h.get(qn("w:anchor")) for p in paragraphs[toc:first] for h in p.iter(qn("w:hyperlink"))}
    marks = {b.get(qn("w:name")) for b in doc.element.body.iter(qn("w:bookmarkStart"))}
    assert anchors and anchors <= marks
    update = doc.settings.element.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"


@pytest.mark.parametrize("name", ["tw1", "s1", "disposisi"])
def test_reports_without_chapters_have_no_cover_section_nor_toc(docs, name):
    doc = doc_of(docs[name])
    assert len(doc.sections) == 1 and "TOC" not in _fields(doc.element.body)
    assert doc.settings.element.find(qn("w:updateFields")) is None
    assert "PAGE" in _fields(doc.sections[0].footer._element)


def _watermarks(doc: Any) -> list[Any]:
    shapes = []
    for section in doc.sections:
        shapes += [s for s in section.header._element.iter(f"{V}shape")]
    return shapes


@pytest.mark.parametrize("name", ["tw1", "s1", "lkip"])
def test_a_draft_has_a_diagonal_draf_watermark_in_every_header(docs, name):
    doc = doc_of(docs[name])
    for section in doc.sections:  # the LKIP's cover too
        shapes = list(section.header._element.iter(f"{V}shape"))
        assert len(shapes) == 1
        shape = shapes[0]
        assert shape.get("id").startswith(wordform.WATERMARK_SHAPE)
        assert "rotation:315" in shape.get("style") and "position:absolute" in shape.get("style")
        assert shape.find(f"{V}textpath").get("string") == "DRAF"
        # not red header text any more
        assert "DRAF" not in text(section.header._element)
        assert not [c for c in section.header._element.iter(qn("w:color")) if c.get(qn("w:val")) == "C00000"]


def test_a_final_report_and_an_english_draft(docs):
    assert _watermarks(doc_of(docs["lkip_final"])) == []
    assert _watermarks(doc_of(docs["disposisi"])) == []
    (shape,) = _watermarks(doc_of(docs["tw1_en"]))
    assert shape.find(f"{V}textpath").get("string") == "DRAFT"


def test_an_offices_own_template_gets_the_form_too(docs, tmp_path):
    """The render-time part (tables, language, watermark, properties) works on whatever template the office uses."""
    from services.renderer.documents import REQUIRED_FIELDS

    (tmp_path / "triwulan.docx").write_bytes(own_template(REQUIRED_FIELDS["triwulan"]))
    doc = doc_of(render_docx(docs["vm"]["tw1"], template_dir=tmp_path))
    assert [s.find(f"{V}textpath").get("string") for s in _watermarks(doc)] == ["DRAF"]
    assert doc.core_properties.author == "Dinas Ketenagakerjaan Kota Tangerang"
    for tbl in doc.element.body.iter(qn("w:tbl")):
        assert tbl.find(f"{qn('w:tblPr')}/{qn('w:tblLayout')}").get(qn("w:type")) == "fixed"


def test_a_cover_gets_one_toc_even_when_shaped_twice():
    """The content may bring its own TOC (or the hook run again): the cover becomes a section, no second TOC."""
    doc = Document()
    doc.add_paragraph("SAMPUL")
    doc.add_page_break()
    doc.add_heading("BAB I", level=1)
    wordform.shape_template(doc)
    wordform.cover_and_toc(doc)
    instr = [i.text for i in doc.element.body.iter(qn("w:instrText")) if "TOC" in (i.text or "")]
    assert instr == [wordform.TOC_INSTR]
    assert len(doc.sections) == 2 and "SAMPUL" in text(doc.element.body)


def test_a_table_inside_a_cell_takes_the_cells_width():
    doc = Document()
    outer = doc.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "Uraian"
    outer.cell(0, 1).add_table(rows=1, cols=2).cell(0, 0).text = "dalam"
    wordform.fix_tables(doc)
    tables = list(doc.element.body.iter(qn("w:tbl")))
    assert len(tables) == 2
    cell = tables[0].find(f".//{qn('w:tc')}[2]/{qn('w:tcPr')}/{qn('w:tcW')}")
    inner = sum(int(g.get(qn("w:w"))) for g in tables[1].find(qn("w:tblGrid")))
    assert inner == int(cell.get(qn("w:w"))) - wordform.CELL_PADDING
