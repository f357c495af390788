"""The reports as Word (docxtpl): the bundled templates, built with python-docx (`build_docx_templates`; the
committed files under templates/ are its output), filled from the view-model with the charts inline."""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docxtpl import DocxTemplate, InlineImage

from services.renderer.documents import wordform
from services.renderer.documents.base import (
    DOCX_TEMPLATE,
    DOCX_TEMPLATES,
    docx_template_for,
    fixed_moment,
    normalize_zip,
)
from services.renderer.documents.charts import chart_images
from services.renderer.templating import docx_env


def _shade(cell: Any, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _para(
    container: Any, text: str, *, bold: bool = False, size: float = 10, align: Any = None, style: str | None = None
) -> Any:
    p = container.add_paragraph(style=style)
    run = p.add_run(text)  # one run per Jinja tag: docxtpl needs each tag inside a single run
    run.bold, run.font.size = bold, Pt(size)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(2)
    return p


def _heading(doc: Any, text: str, level: int) -> Any:
    """A Word heading (Heading 1/2): the office's table of contents and navigation pane pick it up."""
    p = doc.add_heading(level=level)
    p.add_run(text)
    if level == 1:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def _body(doc: Any, text: str) -> Any:
    p = _para(doc, text, size=10, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    p.paragraph_format.first_line_indent = Cm(1)
    p.paragraph_format.space_after = Pt(4)
    return p


def _loop(doc: Any, loop: str, text: str, *, indent: bool = True) -> None:
    """One paragraph per item: `{%p for %}`, the paragraph, `{%p endfor %}`."""
    _para(doc, f"{{%p for {loop} %}}")
    p = _body(doc, text) if indent else _para(doc, text)
    if not indent:
        p.paragraph_format.left_indent = Cm(0.6)
    _para(doc, "{%p endfor %}")


Column = tuple[str, str, float]  # label key, cell expression ("\n" for a second paragraph), width in cm


def _table(doc: Any, loop: str, columns: list[Column], footer: list[str] | None = None) -> Any:
    """Header row, `{%tr for %}` row, the content row, `{%tr endfor %}` row: four separate rows (and a footer)."""
    table = doc.add_table(rows=5 if footer else 4, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeat on each page
    table.rows[1].cells[0].text = f"{{%tr for {loop} %}}"
    table.rows[3].cells[0].text = "{%tr endfor %}"
    for col, (label, body, width) in enumerate(columns):
        for row in table.rows:
            row.cells[col].width = Cm(width)
        head = table.rows[0].cells[col]
        _shade(head, "D9E2F3")
        head_text = label[1:] if label.startswith("=") else f"{{{{ labels.{label} }}}}"
        run = head.paragraphs[0].add_run(head_text)
        run.bold, run.font.size = True, Pt(8.5)
        head.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        cell = table.rows[2].cells[col]
        for n, expr in enumerate(body.split("\n")):
            p = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
            p.add_run(f"{{{{ {expr} }}}}").font.size = Pt(8.5)
        if footer:
            foot = table.rows[4].cells[col]
            if footer[col]:
                run = foot.paragraphs[0].add_run(f"{{{{ {footer[col]} }}}}")
                run.bold, run.font.size = True, Pt(8.5)
    return table


def _page_field(paragraph: Any, instr: str) -> None:
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


_INDIKATOR_COLS: list[Column] = [
    ("no", "r.no", 0.8),
    ("sasaran", "r.sasaran_nama if r.sasaran_first else ''", 3.4),
    ("indikator", "r.nama", 4.2),
    ("satuan", "r.satuan", 1.4),
    ("target", "r.target", 1.9),
    ("realisasi", "r.realisasi", 1.7),
    ("capaian", "r.capaian", 1.6),
    ("predikat", "r.predikat\nr.keterangan", 2.0),
]
_KUMULATIF_COLS: list[Column] = [
    ("no", "r.no", 0.8),
    ("indikator", "r.nama", 7.6),
    ("target", "r.target_sd", 2.2),
    ("realisasi", "r.realisasi_sd", 2.2),
    ("capaian", "r.capaian_sd", 2.0),
    ("predikat", "r.predikat_sd\nr.keterangan_sd", 2.2),
]
_RESULT_COLS: list[Column] = [("capaian", "s.capaian", 2.8), ("predikat", "s.predikat", 3.0)]
_APPROVAL_COLS: list[Column] = [
    ("no", "a.no", 0.8),
    ("nama", "a.nama", 4.8),
    ("nip", "a.nip", 3.6),
    ("jabatan", "a.jabatan", 4.8),
    ("tanggal", "a.decided_at", 3.0),
]
_CATATAN_COLS: list[Column] = [
    ("triwulan", "c.triwulan", 1.6),
    ("unit", "c.unit", 4.0),
    ("kendala", "c.kendala", 5.7),
    ("solusi", "c.solusi", 5.7),
]
_ANGGARAN_COLS: list[Column] = [
    ("no", "a.no", 0.8),
    ("program", "a.nama", 6.6),
    ("pagu", "a.pagu", 3.4),
    ("realisasi_rp", "a.realisasi", 3.4),
    ("persen", "a.persen", 2.2),
]
_ANGGARAN_FOOT = ["", "labels.jumlah", "anggaran_total.pagu", "anggaran_total.realisasi", "anggaran_total.persen"]
_ANGGARAN_SD_COLS: list[Column] = [  # a quarter or semester after the first: the period's and the cumulative budget
    ("no", "a.no", 0.7),
    ("program", "a.nama", 4.3),
    ("pagu", "a.pagu", 2.9),
    ("realisasi_periode", "a.realisasi", 2.8),
    ("persen_periode", "a.persen", 1.6),
    ("realisasi_sd_rp", "a.realisasi_sd", 2.8),
    ("persen_sd", "a.persen_sd", 1.9),
]
_ANGGARAN_SD_FOOT = [*_ANGGARAN_FOOT, "anggaran_total.realisasi_sd", "anggaran_total.persen_sd"]
_RENCANA_AKSI_COLS: list[Column] = [
    ("no", "r.no", 0.7),
    ("indikator", "r.nama\nr.satuan", 3.7),
    ("target_tahunan", "r.target", 1.6),
    *(
        (f"={{{{ labels.{key}_singkat }}}} {{{{ labels.tw }}}} {roman}", f"r.tw[{q}].{field}", 1.2)
        for q, roman in enumerate(("I", "II", "III", "IV"))
        for key, field in (("t", "target"), ("r", "realisasi"))
    ),
    ("capaian_sd", "r.capaian_sd", 1.4),
]
_PERINGATAN_COLS: list[Column] = [
    ("no", "w.no", 0.7),
    ("indikator", "w.nama", 5.0),
    ("tingkat", "w.tingkat", 1.6),
    ("uraian", "w.pesan", 9.7),
]
_FIRST = " if a.first else ''"  # the indicator's cell: written on its first row, merged over the others
_ANALISIS_COLS: list[Column] = [
    (
        "indikator",
        "\n".join(
            (
                f"(a.no ~ '. ' ~ a.kode ~ ' ' ~ a.nama){_FIRST}",
                "(labels.capaian ~ ': ' ~ a.capaian ~ ((' (' ~ up_to_label ~ ': ' ~ a.capaian_sd ~ ')')"
                f" if a.capaian_sd else '') ~ ' · ' ~ a.predikat){_FIRST}",
                f"a.belum{_FIRST}",
            )
        ),
        3.6,
    ),
    ("unit", "a.sumber", 2.5),
    ("penyebab", "a.penyebab", 3.1),
    ("kendala", "a.kendala", 2.5),
    ("solusi", "a.solusi", 2.5),
    ("tindak_lanjut", "a.tindak_lanjut", 2.8),
]
_KONSISTENSI_COLS: list[Column] = [
    ("no", "k.no", 0.8),
    ("uraian", "k.pesan", 9.0),
    ("penjelasan_unit", "k.penjelasan|join(' ') or labels.penjelasan_belum", 7.2),
]
_PK_COLS: list[Column] = [
    ("no", "p.no", 0.8),
    ("sasaran", "p.sasaran_nama if p.sasaran_first else ''", 3.4),
    ("indikator", "p.nama", 4.4),
    ("satuan", "p.satuan", 1.4),
    ("target_tahunan", "p.target", 1.9),
    ("=TW I", "p.tw[0]", 1.3),
    ("=TW II", "p.tw[1]", 1.3),
    ("=TW III", "p.tw[2]", 1.3),
    ("=TW IV", "p.tw[3]", 1.3),
]
_PERBANDINGAN_COLS: list[Column] = [
    ("no", "b.no", 0.8),
    ("indikator", "b.nama", 4.4),
    ("satuan", "b.satuan", 1.3),
    ("realisasi_lalu", "b.realisasi_lalu", 1.8),
    ("realisasi_ini", "b.realisasi", 1.8),
    ("perubahan", "b.perubahan\nb.kondisi", 1.8),
    ("target_renstra", "b.target_renstra", 1.9),
    ("capaian_renstra", "b.capaian_renstra", 2.0),
]


def _new_document() -> Any:
    doc = Document()
    section = doc.sections[0]
    section.orientation, section.page_width, section.page_height = WD_ORIENT.PORTRAIT, Mm(210), Mm(297)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    doc.styles["Normal"].font.name = "DejaVu Sans"
    doc.styles["Normal"].font.size = Pt(10)
    for name, size in (("Heading 1", 13), ("Heading 2", 11)):
        style = doc.styles[name]
        style.font.name, style.font.size, style.font.bold = "DejaVu Sans", Pt(size), True
        style.font.color.rgb = RGBColor(0, 0, 0)
    wordform.running_header(section)  # a draft's DRAF watermark is added when rendered (wordform.finish)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("{{ labels.halaman }} ")
    _page_field(footer, "PAGE")
    footer.add_run(" {{ labels.dari }} ")
    _page_field(footer, "NUMPAGES")
    return doc


def _save(doc: Any, path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wordform.shape_template(doc)  # headings, the cover's own section and the table of contents
    doc.save(str(path))
    return path


def _signature(doc: Any) -> None:
    """The signature block (viewmodel.signatory_block, as templates/_ttd.html prints it), right-aligned: place and
    day, position, room to sign, the name bold and underlined, pangkat (golongan), "NIP. 19720502 200212 1 009"; on
    a draft the line that it is not approved yet. One Jinja tag per run (docxtpl); `{%p %}` lines vanish."""
    right = WD_ALIGN_PARAGRAPH.RIGHT
    for text in ("", "{%p if kepala.signed %}", "{{ kepala.tempat_tanggal }}", "{{ kepala.jabatan }}", "", "", ""):
        _para(doc, text, align=right)
    name = _para(doc, "{{ kepala.nama }}", bold=True, align=right)
    name.runs[0].underline = True
    for text in (
        "{%p if kepala.pangkat or kepala.golongan %}",
        "{{ kepala.pangkat }}{% if kepala.golongan %} ({{ kepala.golongan }}){% endif %}",
        "{%p endif %}",
        "{%p if kepala.nip %}",
        "{{ labels.nip }}. {{ kepala.nip_label }}",
        "{%p endif %}",
        "{%p else %}",
        "{{ kepala.status }}",
        "{%p endif %}",
    ):
        _para(doc, text, align=right)


def _merged_sasaran(table: Any, var: str) -> None:
    vmerge = OxmlElement("w:vMerge")  # rows of one sasaran share its cell, as in the PK
    vmerge.set(qn("w:val"), f"{{% if {var}.sasaran_first %}}restart{{% else %}}continue{{% endif %}}")
    table.rows[2].cells[1]._tc.get_or_add_tcPr().append(vmerge)


def _merged_first(table: Any, col: int, var: str) -> None:
    """Rows of one item share its cell in column `col` (`{var}.first` starts it)."""
    vmerge = OxmlElement("w:vMerge")
    vmerge.set(qn("w:val"), f"{{% if {var}.first %}}restart{{% else %}}continue{{% endif %}}")
    table.rows[2].cells[col]._tc.get_or_add_tcPr().append(vmerge)


def _keep_with_next(elements: Any, last: bool = False) -> None:
    """Word keeps each paragraph of these elements (table cells too) with the next one, but the very last unless
    `last`: the last table and the signature block below it stay on one page (never a page holding only the
    signature)."""
    paragraphs = [p for el in elements for p in ([el] if el.tag == qn("w:p") else el.iter(qn("w:p")))]
    for p in paragraphs if last else paragraphs[:-1]:
        ppr = p.get_or_add_pPr()
        if ppr.find(qn("w:keepNext")) is None:
            ppr.append(OxmlElement("w:keepNext"))


def build_default_docx_template(path: Path | str = DOCX_TEMPLATE) -> Path:
    """The quarterly and semester Word template; an office may replace it with its own."""
    doc = _new_document()
    for text in ("{{ jenis|upper }}", "{{ periode_label|upper }}", "{{ instansi|upper }}"):
        _para(doc, text, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    meta = "{{ labels.versi }} {{ version }}{{ pk_label }} · {{ labels.dicetak }} {{ generated_on_label }}"
    _para(doc, meta, size=8, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ labels.per_indikator }} — {{ periode_label }}", bold=True, size=11)
    _merged_sasaran(_table(doc, "r in rows", _INDIKATOR_COLS), "r")
    _para(doc, "{%p if has_sd %}")
    _para(doc, "{{ labels.kumulatif }} {{ up_to_label }}", bold=True, size=11)
    _table(doc, "r in rows", _KUMULATIF_COLS)
    _para(doc, "{%p endif %}")
    _para(doc, "{{ labels.per_sasaran }}", bold=True, size=11)
    _table(doc, "s in sasaran", [("no", "s.no", 0.8), ("sasaran", "s.nama", 10.4), *_RESULT_COLS])
    _para(doc, "{{ labels.instansi }}: {{ capaian_instansi }}% ({{ predikat_instansi }})", bold=True, size=11)
    _para(doc, "{%p if rencana_aksi %}")
    _para(doc, "{{ labels.rencana_aksi }}", bold=True, size=11)
    _table(doc, "r in rencana_aksi", _RENCANA_AKSI_COLS)
    _para(doc, "{{ labels.rencana_aksi_ket }}", size=7.5)
    _para(doc, "{{ labels.peringatan }}", bold=True, size=11)
    _para(doc, "{%p if peringatan %}")
    _para(doc, "{{ labels.peringatan_ket }}", size=7.5)
    _table(doc, "w in peringatan", _PERINGATAN_COLS)
    _para(doc, "{%p else %}")
    _para(doc, "{{ labels.peringatan_nihil }}")
    _para(doc, "{%p endif %}")
    _para(doc, "{{ labels.analisis_per_indikator }}", bold=True, size=11)
    _para(doc, "{%p if analisis_periode %}")
    _para(doc, "{{ labels.analisis_periode_ket }}", size=7.5)
    _merged_first(_table(doc, "a in analisis_periode", _ANALISIS_COLS), 0, "a")
    _para(doc, "{%p else %}")
    _para(doc, "{{ labels.analisis_nihil }}")
    _para(doc, "{%p endif %}")
    _para(doc, "{%p endif %}")
    _para(doc, "{%p if anggaran %}")
    _para(doc, "{{ labels.anggaran }}", bold=True, size=11)
    _para(doc, "{%p if anggaran_sd %}")
    budget = _table(doc, "a in anggaran", _ANGGARAN_SD_COLS, _ANGGARAN_SD_FOOT)
    _keep_with_next([budget.rows[4]._tr], last=True)  # the total row goes with what follows; the rows may break
    _para(doc, "{%p else %}")
    budget = _table(doc, "a in anggaran", _ANGGARAN_COLS, _ANGGARAN_FOOT)
    _keep_with_next([budget.rows[4]._tr], last=True)
    _para(doc, "{%p endif %}")
    _para(doc, "{%p endif %}")
    _para(doc, "{%p if konsistensi %}")
    _para(doc, "{{ labels.konsistensi }}", bold=True, size=11)
    _para(doc, "{{ labels.konsistensi_ket }}", size=7.5)
    _table(doc, "k in konsistensi", _KONSISTENSI_COLS)
    _para(doc, "{%p endif %}")
    since = len(doc.element.body) - 1  # the sectPr is the body's last element: what follows goes before it
    _para(doc, "{%p if catatan %}")
    _para(doc, "{{ labels.catatan_unit }}", bold=True, size=11)
    _para(doc, "{{ labels.catatan_umum_intro }}", size=7.5)
    _table(doc, "c in catatan", _CATATAN_COLS)
    _para(doc, "{%p endif %}")
    _signature(doc)
    _keep_with_next(list(doc.element.body)[since:])
    # both charts on a page of their own after the signature: a chart never leaves a half-empty page behind it
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "{{ labels.grafik }}", bold=True, size=11)
    _para(doc, "{{ grafik }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ labels.grafik_tren }}", bold=True, size=11)
    _para(doc, "{{ grafik_tren }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{%p if approvals %}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "{{ labels.pengesahan|upper }}", bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ title }} — {{ instansi }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _table(doc, "a in approvals", _APPROVAL_COLS)
    _para(doc, "{%p endif %}")
    return _save(doc, path)


def _caption(doc: Any, expr: str) -> None:
    """A numbered caption ("Tabel 3.1 …", "Grafik 3.1 …") in Word's `Caption` style, from the view-model's
    numbering (lkip.py), so the Daftar Tabel / Daftar Grafik and the PDF's lists agree."""
    p = _para(doc, f"{{{{ {expr} }}}}", bold=True, size=9, align=WD_ALIGN_PARAGRAPH.CENTER, style="Caption")
    p.paragraph_format.keep_with_next = True  # never a caption at a page's foot and its chart or table on the next


_SDM_COLS: list[Column] = [
    ("no", "r.no", 1.0),
    ("uraian", "r.nama or labels.jumlah", 7.0),
    ("jumlah_orang", "r.jumlah", 3.0),
    ("persen_sdm", "r.persen", 3.0),
]
_RENSTRA_COLS: list[Column] = [
    ("no", "r.no", 0.8),
    ("sasaran", "r.sasaran_nama if r.sasaran_first else ''", 3.8),
    ("indikator", "r.kode ~ ' ' ~ r.nama", 6.2),
    ("satuan", "r.satuan", 1.5),
    ("={{ kolom_target_renstra }}", "r.target_tahun", 2.2),
    ("target_renstra", "r.target_akhir", 2.5),
]
_SERI_COLS: list[Column] = [
    ("no", "a.no", 0.8),
    ("indikator", "a.nama", 4.2),
    ("satuan", "a.satuan", 1.3),
    *((f"={{{{ tahun_seri[{n}] }}}}", f"a.seri[{n}]", 1.45) for n in range(5)),
    ("={{ kolom_target_renstra }}", "a.target_renstra_tahun", 1.8),
    ("target_renstra", "a.target_renstra_akhir", 1.8),
]
_EFISIENSI_COLS: list[Column] = [
    ("no", "e.no", 0.8),
    ("sasaran", "e.nama", 3.4),
    ("capaian", "e.capaian", 1.6),
    ("persen", "e.serapan", 1.7),
    ("rasio", "e.rasio\ne.keterangan", 1.8),
    ("sisa", "e.sisa", 2.9),
    ("pendukung", "e.tanpa_program", 4.8),  # the programmes and kegiatan: one paragraph each (_efisiensi_table)
]

_TINDAK_LANJUT_COLS: list[Column] = [  # the LKIP's follow-ups of the year (lkip.tindak_lanjut_rows): eight columns
    # whose longest words fit side by side at 7.5 pt (wordform.column_widths gives each its width from the content,
    # the result the most): the due date, status and evidence share one column, each line named — ten columns
    # could not hold "Indikator", "September", "berkas" whole and LibreOffice broke them mid-word
    ("no", "t.no", 0.7),
    ("tl_nomor", "t.nomor\nt.tanggal", 2.0),
    ("tl_indikator", "t.indikator|replace('-', '\u2011')", 1.6),  # "IK-5.1" never broken at its hyphen
    ("tl_unit", "t.unit", 2.2),
    ("tl_instruksi", "t.instruksi", 2.4),
    ("tl_hasil_diharapkan", "t.hasil_diharapkan", 2.2),
    ("tl_status", "labels.tl_batas ~ ': ' ~ t.batas_waktu\nt.status\nlabels.tl_bukti ~ ': ' ~ t.bukti", 2.4),
    ("tl_hasil", "t.hasil", 3.4),
]


def _smaller(table: Any, size: float) -> None:
    """Every run of a table at `size` pt: a wide table whose words would not fit whole at the usual 8.5 pt (wordform
    sizes the columns from the longest word of each)."""
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(size)


def _efisiensi_table(doc: Any) -> Any:
    """Tabel 3.8: the rasio right-aligned with its note; a sasaran without a programme says so once (the budget
    columns "–"); each programme and kegiatan its own line, its code with non-breaking hyphens (U+2011) so a
    narrow column never breaks "P-04.4.02" at its hyphen."""
    table = _table(doc, "e in efisiensi", _EFISIENSI_COLS)
    for p in table.rows[2].cells[4].paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    cell = table.rows[2].cells[6]
    first = cell.paragraphs[0]
    first.runs[0].text = "{%p if e.tanpa_program %}"
    lines = ("{{ e.tanpa_program }}", "{%p endif %}", "{%p for d in e.dukungan %}", "{{ d|replace('-', '\u2011') }}")
    for line in (*lines, "{%p endfor %}"):
        run = cell.add_paragraph().add_run(line)
        run.font.size, run.italic = Pt(8.5), line == lines[0]
    return table


def _pk_signatures(doc: Any) -> None:
    """The PK's two parties side by side (Lampiran): pihak kedua left, pihak pertama right under the PK's date. One
    table row that cannot split (wordform sets cantSplit on every row): the block never breaks across pages."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    nip = "{% if pk_ttd.{who}_nip %}{{ labels.nip }}. {{ pk_ttd.{who}_nip }}{% endif %}"
    cells = [
        (
            "\n{{ labels.pihak_kedua }}\n{{ pk_ttd.kedua_jabatan }}\n\n\n\n{{ pk_ttd.kedua_nama }}\n"
            "{{ pk_ttd.kedua_pangkat }}\n" + nip.replace("{who}", "kedua"),
            "{{ pk_ttd.tempat_tanggal }}\n{{ labels.pihak_pertama }}\n{{ pk_ttd.pertama_jabatan }}\n\n\n\n"
            "{{ pk_ttd.pertama_nama }}\n{{ pk_ttd.pertama_pangkat }}\n" + nip.replace("{who}", "pertama"),
        ),
    ]
    for row, texts in zip(table.rows, cells, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.width = Cm(8.5)
            for n, line in enumerate(text.split("\n")):
                p = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = p.add_run(line)
                run.bold = "_nama" in line


def build_lkip_docx_template(path: Path | str = DOCX_TEMPLATES["tahunan"]) -> Path:
    """The annual LKIP Word template in the PermenPANRB 53/2014 structure; an office may replace it. Every table
    and chart has its numbered caption (`judul_tabel`, `judul_grafik`, styled Caption); the analysis per indicator,
    its multi-year chart and the efficiency per sasaran come from lkip.py."""
    doc = _new_document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    for _ in range(6):
        _para(doc, "")
    _para(doc, "{{ labels.report_annual|upper }}", bold=True, size=18, align=center)
    _para(doc, "(LKIP)", bold=True, size=16, align=center)
    _para(doc, "{{ periode_label|upper }}", bold=True, size=16, align=center)
    for _ in range(8):
        _para(doc, "")
    _para(doc, "{{ instansi|upper }}", bold=True, size=14, align=center)
    _para(doc, "{{ profil.pemda|upper }}", bold=True, size=13, align=center)
    _para(doc, "{{ labels.versi }} {{ version }}{{ pk_label }} {{ watermark }}", size=9, align=center)
    doc.add_page_break()
    _heading(doc, "{{ labels.kata_pengantar|upper }}", 1)
    _loop(doc, "t in kata_pengantar", "{{ t }}")
    for text in ("", "{{ kata_pengantar_ttd.tempat_tanggal }}", "{{ kata_pengantar_ttd.jabatan }}", "", "", ""):
        _para(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT).paragraph_format.keep_with_next = True
    _para(doc, "{{ kata_pengantar_ttd.nama }}", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT).runs[0].underline = True
    doc.add_page_break()
    wordform.toc(doc)  # the Daftar Isi after the Kata Pengantar, as the PDF orders them
    doc.add_page_break()
    _heading(doc, "{{ labels.daftar_tabel|upper }}", 1)
    _loop(doc, "t in daftar_tabel", "{{ t.nomor }} {{ t.judul }}", indent=False)
    _heading(doc, "{{ labels.daftar_grafik|upper }}", 1)
    _loop(doc, "g in daftar_grafik", "{{ g.nomor }} {{ g.judul }}", indent=False)
    doc.add_page_break()
    _heading(doc, "{{ labels.ringkasan|upper }}", 1)
    _loop(doc, "t in ringkasan", "{{ t }}")
    _para(doc, "{{ labels.instansi }}: {{ capaian_instansi }}% ({{ predikat_instansi }})", bold=True, size=11)
    _table(doc, "s in sasaran", [("no", "s.no", 0.8), ("sasaran", "s.nama", 10.4), *_RESULT_COLS])
    doc.add_page_break()
    _heading(doc, "{{ labels.bab1|upper }}", 1)
    _heading(doc, "A. {{ labels.latar }}", 2)
    _loop(doc, "t in profil.latar", "{{ t }}")
    _heading(doc, "B. {{ labels.kedudukan }}", 2)
    _body(doc, "{{ profil.kedudukan }}")
    _body(doc, "{{ profil.tugas }}")
    _loop(doc, "f in profil.fungsi", "{{ loop.index }}. {{ f }}", indent=False)
    _heading(doc, "C. {{ labels.sdm }}", 2)
    _body(doc, "{{ sdm_intro }}")
    for key in ("sdm_golongan", "sdm_pendidikan"):
        _para(doc, f"{{%p if {key} %}}")
        _caption(doc, f"judul_tabel.{key}")
        _table(doc, f"r in {key}", _SDM_COLS)
        _para(doc, "{%p endif %}")
    _heading(doc, "D. {{ labels.struktur }}", 2)
    _body(doc, "{{ struktur_intro }}")
    _loop(doc, "u in struktur", "{{ loop.index }}. {{ u }}", indent=False)
    _heading(doc, "E. {{ labels.isu }}", 2)
    _loop(doc, "i in profil.isu", "{{ loop.index }}. {{ i }}", indent=False)
    doc.add_page_break()
    _heading(doc, "{{ labels.bab2|upper }}", 1)
    _heading(doc, "A. {{ labels.renstra }} {{ renstra.periode }}", 2)
    _para(doc, "{%p if renstra.ada %}")
    _para(doc, "{{ labels.visi }}", bold=True)
    _body(doc, "“{{ renstra.visi }}”")
    _para(doc, "{{ labels.misi }}", bold=True)
    _loop(doc, "m in renstra.misi", "{{ loop.index }}. {{ m }}", indent=False)
    _para(doc, "{{ labels.tujuan }}", bold=True)
    _loop(doc, "t in renstra.tujuan", "{{ loop.index }}. {{ t }}", indent=False)
    _para(doc, "{%p else %}")
    _body(doc, "{{ labels.renstra_kosong }}")
    _para(doc, "{%p endif %}")
    _caption(doc, "judul_tabel.renstra")
    _merged_sasaran(_table(doc, "r in renstra_rows", _RENSTRA_COLS), "r")
    _heading(doc, "B. {{ labels.pk }}", 2)
    _body(doc, "{{ bab2_intro }}")
    _body(doc, "{{ pk_intro }}")
    _caption(doc, "judul_tabel.pk")
    _merged_sasaran(_table(doc, "p in pk_rows", _PK_COLS), "p")
    _caption(doc, "judul_tabel.program")
    _table(doc, "a in program", [("no", "a.no", 0.8), ("kode", "a.kode", 1.8), ("program", "a.nama", 9.2),
                                 ("pagu", "a.pagu", 4.0)])  # fmt: skip
    doc.add_page_break()
    _heading(doc, "{{ labels.bab3|upper }}", 1)
    _heading(doc, "{{ labels.capaian_a }}", 2)
    _body(doc, "{{ labels.bab3_intro }}")
    _body(doc, "{{ labels.skala_intro }}")
    _caption(doc, "judul_tabel.skala")
    _table(doc, "s in skala_predikat", [("rentang_capaian", "s.rentang", 6.0), ("predikat", "s.predikat", 6.0)])
    _caption(doc, "judul_tabel.rumus")
    _table(doc, "r in rumus_capaian", [("polaritas", "r.polaritas", 5.5), ("rumus", "r.rumus", 11.5)])
    _body(doc, "{{ labels.rumus_agregat }}")
    _caption(doc, "judul_tabel.capaian")
    _merged_sasaran(_table(doc, "r in rows", _INDIKATOR_COLS), "r")
    _para(doc, "{{ labels.instansi }}: {{ capaian_instansi }}% ({{ predikat_instansi }})", bold=True, size=11)
    _caption(doc, "judul_grafik.capaian")
    _para(doc, "{{ grafik }}", align=center)
    _caption(doc, "judul_grafik.tren")
    _para(doc, "{{ grafik_tren }}", align=center)
    _caption(doc, "judul_tabel.perbandingan")
    _table(doc, "b in perbandingan", _PERBANDINGAN_COLS)
    _caption(doc, "judul_tabel.seri")
    _table(doc, "a in analisis_indikator", _SERI_COLS)
    _heading(doc, "{{ labels.analisis_per_indikator }}", 2)
    _para(doc, "{%p for a in analisis_indikator %}")
    _para(doc, "{{ a.no }}. {{ a.kode }} {{ a.nama }}", bold=True)
    _body(doc, "{{ a.paragraf }}")
    _loop(doc, "u in a.unit", "{{ u.teks }}", indent=False)
    _para(doc, "{%p if a.analisis_belum %}")
    _para(doc, "{{ a.analisis_belum }}").runs[0].italic = True
    _para(doc, "{%p endif %}")
    _para(doc, "{%p if a.grafik %}")
    _caption(doc, "a.grafik_judul")
    _para(doc, "{{ a.grafik }}", align=center)
    _para(doc, "{%p endif %}")
    _para(doc, "{%p endfor %}")
    _heading(doc, "{{ labels.tl_judul }}", 2)
    _body(doc, "{{ tindak_lanjut_intro }}")
    _para(doc, "{%p if tindak_lanjut %}")
    _caption(doc, "judul_tabel.tindak_lanjut")
    _smaller(_table(doc, "t in tindak_lanjut", _TINDAK_LANJUT_COLS), 7.5)  # ten columns: every word whole
    _para(doc, "{%p endif %}")
    _para(doc, "{%p if tindak_lanjut_belum %}")
    _body(doc, "{{ labels.tl_belum_intro }}")
    _loop(doc, "b in tindak_lanjut_belum", "{{ loop.index }}. {{ b }}", indent=False)
    _para(doc, "{%p endif %}")
    _heading(doc, "{{ labels.konsistensi }}", 2)
    _para(doc, "{%p if konsistensi_tahunan %}")
    _body(doc, "{{ labels.konsistensi_intro }}")
    _loop(doc, "k in konsistensi_tahunan", "{{ loop.index }}. {{ k }}", indent=False)
    _para(doc, "{%p else %}")
    _body(doc, "{{ labels.konsistensi_nihil }}")
    _para(doc, "{%p endif %}")
    _para(doc, "{%p if catatan %}")
    _heading(doc, "{{ labels.catatan_umum }}", 2)
    _body(doc, "{{ labels.catatan_umum_intro }}")
    _caption(doc, "judul_tabel.catatan")
    _table(doc, "c in catatan", _CATATAN_COLS)
    _para(doc, "{%p endif %}")
    _heading(doc, "{{ labels.capaian_b }}", 2)
    _caption(doc, "judul_tabel.anggaran")
    _table(doc, "a in anggaran", _ANGGARAN_COLS, _ANGGARAN_FOOT)
    _heading(doc, "{{ labels.efisiensi }}", 2)
    _body(doc, "{{ labels.efisiensi_intro }}")
    _caption(doc, "judul_tabel.efisiensi")
    _efisiensi_table(doc)
    doc.add_page_break()
    _heading(doc, "{{ labels.bab4|upper }}", 1)
    _loop(doc, "t in penutup", "{{ t }}")
    _signature(doc)
    doc.add_page_break()
    _heading(doc, "{{ labels.lampiran|upper }}", 1)
    _heading(doc, "{{ labels.lampiran_pk }}", 2)
    _para(doc, "{{ labels.pk_tabel|upper }} {{ tahun }}", bold=True, align=center)
    _para(doc, "{{ instansi|upper }}", bold=True, align=center)
    _merged_sasaran(_table(doc, "p in pk_rows", _PK_COLS), "p")
    _pk_signatures(doc)
    doc.add_page_break()
    _heading(doc, "{{ labels.lampiran_pengesahan }}", 2)
    _para(doc, "{{ labels.pengesahan|upper }}", bold=True, size=13, align=center)
    _para(doc, "{{ title }} — {{ instansi }}", align=center)
    _para(doc, "{%p if approvals %}")
    _table(doc, "a in approvals", _APPROVAL_COLS)
    _para(doc, "{%p else %}")
    _para(doc, "{{ labels.belum_disahkan }}", align=center)
    _para(doc, "{%p endif %}")
    _signature(doc)
    return _save(doc, path)


def build_disposisi_docx_template(path: Path | str = DOCX_TEMPLATES["disposisi"]) -> Path:
    doc = _new_document()
    center = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, "{{ profil.pemda|upper }}", bold=True, size=12, align=center)
    _para(doc, "{{ instansi|upper }}", bold=True, size=13, align=center)
    _para(doc, "")
    _para(doc, "{{ labels.disposisi|upper }}", bold=True, size=14, align=center)
    table = doc.add_table(rows=7, cols=2)
    table.style = "Table Grid"
    fields = [
        ("nomor", "nomor"),
        ("tanggal_disposisi", "tanggal"),
        ("dari_pejabat", "dari"),
        ("kepada", "kepada"),
        ("instruksi", "instruksi"),
        ("batas_waktu", "batas_waktu"),
        ("catatan_disp", "catatan"),
    ]
    for row, (label, field) in zip(table.rows, fields, strict=True):
        row.cells[0].width, row.cells[1].width = Cm(4.5), Cm(12.5)
        _shade(row.cells[0], "D9E2F3")
        row.cells[0].paragraphs[0].add_run(f"{{{{ labels.{label} }}}}").bold = True
        row.cells[1].paragraphs[0].add_run(f"{{{{ {field} }}}}")
    _para(doc, "")
    for text in ("{{ tanggal }}", "{{ dari_jabatan }}", "", "", "{{ dari_nama }}", "{{ dari_nip }}"):
        _para(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    return _save(doc, path)


def build_docx_templates() -> list[Path]:
    """(Re)build the bundled templates (the committed files under templates/ are its output)."""
    return [
        build_default_docx_template(DOCX_TEMPLATES["triwulan"]),
        build_default_docx_template(DOCX_TEMPLATES["semester"]),
        build_lkip_docx_template(),
        build_disposisi_docx_template(),
    ]


def render_docx(
    vm: Mapping[str, Any],
    template: Path | str | None = None,
    template_dir: Path | None = None,
    charts: Mapping[str, bytes] | None = None,
) -> bytes:
    """The report as Word; `template_dir` holds the office's own templates ({jenis}.docx), if any."""
    charts = charts or chart_images(vm)
    tpl = DocxTemplate(str(template or docx_template_for(vm.get("kind", "triwulan"), template_dir)))
    periodic = vm.get("kind", "triwulan") != "tahunan"  # both charts share one page (build_default_docx_template)
    grafik = InlineImage(tpl, image_descriptor=BytesIO(charts["grafik"]), width=Mm(140 if periodic else 160))
    tren = InlineImage(tpl, image_descriptor=BytesIO(charts["grafik_tren"]), width=Mm(145 if periodic else 165))
    context = {**vm, "grafik": grafik, "grafik_tren": tren}
    if "analisis_indikator" in vm:  # the LKIP: each indicator's multi-year chart with its analysis
        context["analisis_indikator"] = [
            {**a, "grafik": InlineImage(tpl, image_descriptor=BytesIO(charts[a["grafik_kunci"]]), width=Mm(130))}
            if a["grafik_kunci"] in charts
            else {**a, "grafik": ""}
            for a in vm["analisis_indikator"]
        ]
    tpl.render(context, jinja_env=docx_env())
    out = BytesIO()
    tpl.save(out)
    return normalize_zip(wordform.finish(out.getvalue(), vm), fixed_moment(vm))
