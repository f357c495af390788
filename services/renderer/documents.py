"""The reports in three forms from one view-model (viewmodel.py): .docx (docxtpl), .pdf (Jinja2 HTML +
WeasyPrint) and .xlsx (openpyxl), with the charts as PNG in the first two; and the Lembar Disposisi.
Pure: bytes in, bytes out (the office's own .docx templates are read from the folder it is given)."""

from __future__ import annotations

import base64
import math
import textwrap
import threading
import zipfile
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
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
from jinja2 import FileSystemLoader, select_autoescape
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from services.renderer.templating import REQUIRED_FIELDS as REQUIRED_FIELDS  # where callers look for it
from services.renderer.templating import Sandbox, check_docx_template, docx_env
from services.renderer.viewmodel import LABELS, default_profil
from shared.formatting import MISSING, fmt_date, fmt_number, periode_label
from shared.spreadsheet import put

TEMPLATES = Path(__file__).resolve().parent / "templates"
DOCX_TEMPLATES = {
    "triwulan": TEMPLATES / "laporan_triwulan.docx",
    "semester": TEMPLATES / "laporan_semester.docx",
    "tahunan": TEMPLATES / "laporan_tahunan.docx",
    "disposisi": TEMPLATES / "disposisi.docx",
}
DOCX_TEMPLATE = DOCX_TEMPLATES["triwulan"]
HTML_TEMPLATES = {"triwulan": "laporan.html", "semester": "laporan.html", "tahunan": "lkip.html"}
XLSX_HEADER_ROW = 5  # rows 1-3 carry the title block
XLSX_NUMBER_FORMAT = "#,##0.00"  # Excel shows 1.234,56 under an Indonesian locale
XLSX_RUPIAH_FORMAT = '"Rp" #,##0'

_html_env = Sandbox(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def _fixed_moment(vm: Mapping[str, Any]) -> datetime:
    """Documents carry the view-model's date, never the clock, so a re-render gives the same bytes."""
    day: date = vm["generated_on"]
    return datetime.combine(day, time(0, 0))


def _normalize_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite an OOXML package with fixed entry timestamps (zipfile stamps the wall clock)."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def docx_template_for(jenis: str, override_dir: Path | None = None) -> Path:
    """The office's uploaded template for this kind when there is one, else the bundled default."""
    if override_dir is not None and (own := override_dir / f"{jenis}.docx").is_file():
        return own
    return DOCX_TEMPLATES[jenis]


def missing_template_fields(data: bytes, jenis: str) -> list[str]:
    """The required fields an uploaded .docx template does not use (sorted); ValueError (TemplateRefused) when it
    is no template docxtpl can read (not a .docx, or a Jinja syntax error)."""
    return check_docx_template(data, jenis)[1]


# --- charts --------------------------------------------------------------------------------------------


def _png(fig: Figure) -> bytes:
    """Drawn once: the figures lay themselves out (bbox_inches="tight" would draw everything twice to crop)."""
    buf = BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _margins(fig: Figure, *, left_in: float, right_in: float, top_in: float, bottom_in: float) -> None:
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=left_in / width, right=1 - right_in / width, top=1 - top_in / height, bottom=bottom_in / height
    )


def capaian_chart_png(vm: Mapping[str, Any]) -> bytes:
    """Horizontal bars of capaian per indicator (per sasaran for a large office: vm["grafik_per"]) against the
    100% line; deterministic PNG bytes."""
    per_indicator = vm.get("grafik_per", "indikator") == "indikator"
    rows = list(reversed(vm["rows"] if per_indicator else vm["sasaran"]))  # first on top
    labels, locale = vm["labels"], vm["locale"]
    fig = Figure(figsize=(6.4, 0.36 * len(rows) + 1.0), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    names = [f"{r['kode']}  {textwrap.shorten(r['nama'], 38, placeholder='…')}".replace("$", r"\$") for r in rows]
    values = [float(r["capaian_value"]) if r["capaian_value"] is not None else 0.0 for r in rows]
    colors = ["#1f4e79" if v >= 100 else "#5b9bd5" for v in values]
    ax.barh(range(len(rows)), values, color=colors, height=0.6)
    ax.set_yticks(range(len(rows)), names)
    top = max([110.0, *values]) * 1.12
    box = {"fc": "white", "ec": "none", "pad": 0.6}  # keeps the figure readable across the 100% line
    for y, (row, v) in enumerate(zip(rows, values, strict=True)):
        ax.text(v + top * 0.01, y, row["capaian"], va="center", fontsize=7, bbox=box, zorder=4)
    ax.axvline(100, color="#c00000", linestyle="--", linewidth=1, label=labels["garis_target"])
    ax.set_xlim(0, top)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel(labels["capaian"], fontsize=8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: fmt_number(x, 0, locale)))
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    widest = max((len(n) for n in names), default=10)  # DejaVu Sans 7 pt: about 0.055 in per character
    _margins(fig, left_in=0.055 * widest + 0.2, right_in=0.15, top_in=0.35, bottom_in=0.5)
    return _png(fig)


def _tick(value: float, locale: str) -> str:
    return fmt_number(Decimal(str(value)), 0 if float(value).is_integer() else 1, locale)


def trend_chart_png(vm: Mapping[str, Any]) -> bytes:
    """Realisasi (bars) against target (line; a band for a range target) by quarter, one panel per indicator; for
    a large office (vm["grafik_tren_per"]) the office's capaian by quarter instead."""
    if vm.get("grafik_tren_per", "indikator") != "indikator":
        return _trend_instansi_png(vm)
    trend, labels, locale = vm["trend"], vm["labels"], vm["locale"]
    cols = 3
    nrows = max(1, math.ceil(len(trend) / cols))
    fig = Figure(figsize=(7.0, 2.05 * nrows + 0.4), dpi=150)
    FigureCanvasAgg(fig)
    for n, ind in enumerate(trend):
        ax = fig.add_subplot(nrows, cols, n + 1)
        pts = ind["points"]
        xs = list(range(len(pts)))
        real = [float(p["realisasi_value"]) if p["realisasi_value"] is not None else 0.0 for p in pts]
        ax.bar(xs, real, color="#1f4e79", width=0.55, label=labels["realisasi"], zorder=2)
        if any(p["target_range"] for p in pts):
            low = [float(p["target_range"][0]) if p["target_range"] else math.nan for p in pts]
            high = [float(p["target_range"][1]) if p["target_range"] else math.nan for p in pts]
            ax.fill_between(xs, low, high, color="#c00000", alpha=0.18, step="mid", label=labels["target"], zorder=1)
        else:
            tgt = [float(p["target_value"]) if p["target_value"] is not None else math.nan for p in pts]
            ax.plot(xs, tgt, color="#c00000", marker="o", markersize=3, linewidth=1.2, label=labels["target"], zorder=3)
        ax.set_xticks(xs, [p["label"] for p in pts])
        title = textwrap.shorten(ind["nama"], 30, placeholder="…").replace("$", r"\$")
        ax.set_title(f"{ind['kode']} ({ind['satuan']})\n{title}".replace("$", r"\$"), fontsize=6.5)
        ax.yaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: _tick(y, locale)))
        ax.tick_params(labelsize=6)
        ax.spines[["top", "right"]].set_visible(False)
        if n == 0:
            fig.legend(fontsize=7, loc="upper center", ncols=2, frameon=False, bbox_to_anchor=(0.5, 1.0))
    top = 1 - 0.55 / (2.05 * nrows + 0.4)  # fixed spacing: tight_layout costs a second to lay out nine panels
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.05, top=top - 0.05, hspace=0.75, wspace=0.32)
    return _png(fig)


def _trend_instansi_png(vm: Mapping[str, Any]) -> bytes:
    points, labels, locale = vm["trend_instansi"], vm["labels"], vm["locale"]
    fig = Figure(figsize=(7.0, 2.6), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xs = list(range(len(points)))
    values = [float(p["capaian_value"]) if p["capaian_value"] is not None else 0.0 for p in points]
    ax.bar(xs, values, color="#1f4e79", width=0.55, zorder=2)
    for x, p, v in zip(xs, points, values, strict=True):
        if p["capaian_value"] is not None:
            ax.text(x, v, fmt_number(p["capaian_value"], locale=locale), ha="center", va="bottom", fontsize=7)
    ax.axhline(100, color="#c00000", linestyle="--", linewidth=1, label=labels["garis_target"], zorder=3)
    ax.set_xticks(xs, [p["label"] for p in points])
    ax.set_ylim(0, max([110.0, *values]) * 1.15)
    ax.set_ylabel(labels["capaian"], fontsize=8)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: _tick(y, locale)))
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    _margins(fig, left_in=0.7, right_in=0.2, top_in=0.35, bottom_in=0.4)
    return _png(fig)


# --- docx ----------------------------------------------------------------------------------------------


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
_SIGNATURE = [  # the signatory (who approved it in that role) under the day and position: room to sign, name, NIP
    "",
    "{%p if kepala.signed %}",
    "{{ kepala.tanggal }}",
    "{{ kepala.jabatan }}",
    "",
    "",
    "{{ kepala.nama }}",
    "{{ labels.nip }} {{ kepala.nip }}",
    "{%p else %}",
    "{{ kepala.status }}",
    "{%p endif %}",
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
    header = section.header.paragraphs[0]  # "DRAF" on every page until final
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    mark = header.add_run("{{ watermark }}")
    mark.bold, mark.font.size, mark.font.color.rgb = True, Pt(16), RGBColor(0xC0, 0x00, 0x00)
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
    doc.save(str(path))
    return path


def _signature(doc: Any) -> None:
    for text in _SIGNATURE:
        _para(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _merged_sasaran(table: Any, var: str) -> None:
    vmerge = OxmlElement("w:vMerge")  # rows of one sasaran share its cell, as in the PK
    vmerge.set(qn("w:val"), f"{{% if {var}.sasaran_first %}}restart{{% else %}}continue{{% endif %}}")
    table.rows[2].cells[1]._tc.get_or_add_tcPr().append(vmerge)


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
    _para(doc, "{{ labels.grafik }}", bold=True, size=11)
    _para(doc, "{{ grafik }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ labels.grafik_tren }}", bold=True, size=11)
    _para(doc, "{{ grafik_tren }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{%p if anggaran %}")
    _para(doc, "{{ labels.anggaran }}", bold=True, size=11)
    _table(doc, "a in anggaran", _ANGGARAN_COLS, _ANGGARAN_FOOT)
    _para(doc, "{%p endif %}")
    _para(doc, "{%p if catatan %}")
    _para(doc, "{{ labels.catatan }}", bold=True, size=11)
    _table(doc, "c in catatan", _CATATAN_COLS)
    _para(doc, "{%p endif %}")
    _signature(doc)
    _para(doc, "{%p if approvals %}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "{{ labels.pengesahan|upper }}", bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ title }} — {{ instansi }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _table(doc, "a in approvals", _APPROVAL_COLS)
    _para(doc, "{%p endif %}")
    return _save(doc, path)


def build_lkip_docx_template(path: Path | str = DOCX_TEMPLATES["tahunan"]) -> Path:
    """The annual LKIP Word template in the PermenPANRB 53/2014 structure; an office may replace it."""
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
    _heading(doc, "C. {{ labels.struktur }}", 2)
    _loop(doc, "u in struktur", "{{ loop.index }}. {{ u }}", indent=False)
    _heading(doc, "D. {{ labels.isu }}", 2)
    _loop(doc, "i in profil.isu", "{{ loop.index }}. {{ i }}", indent=False)
    doc.add_page_break()
    _heading(doc, "{{ labels.bab2|upper }}", 1)
    _body(doc, "{{ bab2_intro }}")
    _para(doc, "{{ labels.pk_tabel }} {{ tahun }}", bold=True, size=11)
    _merged_sasaran(_table(doc, "p in pk_rows", _PK_COLS), "p")
    _para(doc, "")
    _table(doc, "a in program", [("no", "a.no", 0.8), ("program", "a.nama", 11.0), ("pagu", "a.pagu", 4.0)])
    doc.add_page_break()
    _heading(doc, "{{ labels.bab3|upper }}", 1)
    _heading(doc, "{{ labels.capaian_a }}", 2)
    _body(doc, "{{ labels.bab3_intro }}")
    _para(doc, "{{ labels.per_indikator }} — {{ periode_label }}", bold=True, size=11)
    _merged_sasaran(_table(doc, "r in rows", _INDIKATOR_COLS), "r")
    _para(doc, "{{ labels.instansi }}: {{ capaian_instansi }}% ({{ predikat_instansi }})", bold=True, size=11)
    _para(doc, "{{ labels.grafik }}", bold=True, size=11)
    _para(doc, "{{ grafik }}", align=center)
    _para(doc, "{{ labels.grafik_tren }}", bold=True, size=11)
    _para(doc, "{{ grafik_tren }}", align=center)
    _para(doc, "{{ labels.perbandingan }}", bold=True, size=11)
    _table(doc, "b in perbandingan", _PERBANDINGAN_COLS)
    _para(doc, "{{ labels.analisis }}", bold=True, size=11)
    _para(doc, "{%p for s in sasaran_detail %}")
    _para(doc, "{{ s.no }}. {{ s.nama }} — {{ labels.capaian }} {{ s.capaian }} ({{ s.predikat }})", bold=True)
    _loop(doc, "r in s.rows", "{{ r.nama }}: {{ r.realisasi }} / {{ r.target }} {{ r.satuan }} = {{ r.capaian }}%")
    _loop(doc, "c in s.catatan", "{{ c.unit }} ({{ c.triwulan }}): {{ c.kendala }} → {{ c.solusi }}")
    _para(doc, "{%p endfor %}")
    _para(doc, "{%p if catatan %}")
    _para(doc, "{{ labels.catatan }}", bold=True, size=11)
    _table(doc, "c in catatan", _CATATAN_COLS)
    _para(doc, "{%p endif %}")
    _heading(doc, "{{ labels.capaian_b }}", 2)
    _table(doc, "a in anggaran", _ANGGARAN_COLS, _ANGGARAN_FOOT)
    doc.add_page_break()
    _heading(doc, "{{ labels.bab4|upper }}", 1)
    _loop(doc, "t in penutup", "{{ t }}")
    _signature(doc)
    doc.add_page_break()
    _heading(doc, "{{ labels.lampiran|upper }}", 1)
    _heading(doc, "{{ labels.lampiran_pk }}", 2)
    _merged_sasaran(_table(doc, "p in pk_rows", _PK_COLS), "p")
    _signature(doc)
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


def chart_images(vm: Mapping[str, Any]) -> dict[str, bytes]:
    """Both charts as PNG, drawn once for the .docx and the .pdf of one view-model."""
    return {"grafik": capaian_chart_png(vm), "grafik_tren": trend_chart_png(vm)}


def render_docx(
    vm: Mapping[str, Any],
    template: Path | str | None = None,
    template_dir: Path | None = None,
    charts: Mapping[str, bytes] | None = None,
) -> bytes:
    """The report as Word; `template_dir` holds the office's own templates ({jenis}.docx), if any."""
    charts = charts or chart_images(vm)
    tpl = DocxTemplate(str(template or docx_template_for(vm.get("kind", "triwulan"), template_dir)))
    grafik = InlineImage(tpl, image_descriptor=BytesIO(charts["grafik"]), width=Mm(160))
    tren = InlineImage(tpl, image_descriptor=BytesIO(charts["grafik_tren"]), width=Mm(165))
    tpl.render({**vm, "grafik": grafik, "grafik_tren": tren}, jinja_env=docx_env())
    out = BytesIO()
    tpl.save(out)
    return _normalize_zip(out.getvalue(), _fixed_moment(vm))


# --- pdf -----------------------------------------------------------------------------------------------


_fonts = threading.local()


def _font_config() -> FontConfiguration:
    """One per thread, kept: WeasyPrint otherwise loads the fonts again for every PDF (≈15% of a short report)."""
    if not hasattr(_fonts, "config"):
        _fonts.config = FontConfiguration()
    return _fonts.config  # type: ignore[no-any-return]


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_pdf(vm: Mapping[str, Any], charts: Mapping[str, bytes] | None = None) -> bytes:
    """The report as an A4 PDF: page numbers, "DRAF" watermark until final."""
    charts = charts or chart_images(vm)
    html = _html_env.get_template(HTML_TEMPLATES[vm.get("kind", "triwulan")]).render(
        vm=vm,
        L=vm["labels"],
        chart_uri=_data_uri(charts["grafik"]),
        trend_uri=_data_uri(charts["grafik_tren"]),
        created=_fixed_moment(vm),
    )
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf(font_config=_font_config())
    assert pdf is not None
    return pdf


# --- xlsx ----------------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E2F3")


class Money:
    """A rupiah cell: numeric, shown as Rp 1.250.000.000."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _sheet(wb: Workbook, title: str, vm: Mapping[str, Any], headers: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title[:31])
    L = vm["labels"]  # noqa: N806
    status = f" · {vm['watermark']}" if vm["draft"] else ""
    meta = f"{L['versi']} {vm['version']}{vm['pk_label']}{status} · {L['dicetak']} {vm['generated_on_label']}"
    for n, text in enumerate([vm["title"], vm["instansi"], meta], start=1):
        put(ws, n, 1, text).font = Font(bold=n == 1, size=13 if n == 1 else 10)
    for col, head in enumerate(headers, start=1):
        cell = put(ws, XLSX_HEADER_ROW, col, head)
        cell.font, cell.fill, cell.border = Font(bold=True), _HEAD_FILL, _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, values in enumerate(rows, start=XLSX_HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            money = isinstance(value, Money)
            cell = put(ws, r, col, value.value if money else value)
            cell.border, cell.alignment = _BOX, Alignment(vertical="top", wrap_text=isinstance(value, str))
            if money:
                cell.number_format = XLSX_RUPIAH_FORMAT
            elif not isinstance(value, str) and value is not None and col > 1:
                cell.number_format = XLSX_NUMBER_FORMAT
    for col, head in enumerate(headers, start=1):
        widths = [
            len(str(line[col - 1].value if isinstance(line[col - 1], Money) else line[col - 1] or "")) for line in rows
        ]
        longest = max([len(head) // 2, *widths])
        ws.column_dimensions[get_column_letter(col)].width = max(8, min(45, longest + 4))
    ws.freeze_panes = ws.cell(XLSX_HEADER_ROW + 1, 1)


def _target_cell(row: Mapping[str, Any], suffix: str = "") -> Any:
    """A range target stays text ("15,00 – 25,00"): it is two numbers, not one."""
    value = row[f"target{suffix}_value"]
    return value if value is not None else row[f"target{suffix}"]


def _save_workbook(wb: Workbook, vm: Mapping[str, Any]) -> bytes:
    moment = _fixed_moment(vm)
    wb.properties.created = wb.properties.modified = moment
    wb.properties.creator = wb.properties.lastModifiedBy = "Lapkin"
    wb.properties.title = vm["title"]
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # not wb.save(): that stamps the clock into docProps/core.xml
    return _normalize_zip(out.getvalue(), moment)


def render_xlsx(vm: Mapping[str, Any]) -> bytes:
    """The report's tables as numbers (Decimal cells, #,##0.00; rupiah "Rp" #,##0); byte-identical per vm."""
    L = vm["labels"]  # noqa: N806
    wb = Workbook()
    wb.remove(wb.active)
    heads = [L[k] for k in ("no", "sasaran", "kode", "indikator", "satuan", "target", "realisasi", "capaian")]
    heads += [L["predikat"], L["keterangan"]]
    sd = vm["has_sd"]
    if sd:
        heads += [f"{L[k]} {vm['up_to_label']}" for k in ("target", "realisasi", "capaian", "predikat")]
    rows = []
    for r in vm["rows"]:
        line = [r["no"], r["sasaran_nama"], r["kode"], r["nama"], r["satuan"], _target_cell(r), r["realisasi_value"]]
        line += [r["capaian_value"], r["predikat"], r["keterangan"]]
        if sd:
            line += [_target_cell(r, "_sd"), r["realisasi_sd_value"], r["capaian_sd_value"], r["predikat_sd"]]
        rows.append(line)
    _sheet(wb, L["sheet_indikator"], vm, heads, rows)
    sasaran = [[s["no"], s["kode"], s["nama"], s["capaian_value"], s["predikat"]] for s in vm["sasaran"]]
    sasaran.append(["", "", L["instansi"], vm["capaian_instansi_value"], vm["predikat_instansi"]])
    _sheet(wb, L["sheet_sasaran"], vm, [L[k] for k in ("no", "kode", "sasaran", "capaian", "predikat")], sasaran)
    trend = [
        [ind["kode"], ind["nama"], ind["satuan"], p["label"], _target_cell(p), p["realisasi_value"]]
        for ind in vm.get("trend", [])
        for p in ind["points"]
    ]
    if trend:
        heads = [L[k] for k in ("kode", "indikator", "satuan", "triwulan", "target", "realisasi")]
        _sheet(wb, L["sheet_triwulan"], vm, heads, trend)
    if vm.get("perbandingan"):
        heads = [L[k] for k in ("no", "kode", "indikator", "satuan", "realisasi_lalu", "realisasi_ini", "perubahan")]
        heads += [L[k] for k in ("kondisi", "target_renstra", "capaian_renstra")]
        comp = [
            [b["no"], b["kode"], b["nama"], b["satuan"], b["realisasi_lalu_value"], b["realisasi_value"]]
            + [b["perubahan_value"], b["kondisi"], b["target_renstra_value"], b["capaian_renstra_value"]]
            for b in vm["perbandingan"]
        ]
        _sheet(wb, L["sheet_perbandingan"], vm, heads, comp)
    if vm.get("anggaran"):
        total = vm["anggaran_total"]
        money = [
            [a["no"], a["kode"], a["nama"], a["unit"], Money(a["pagu_value"]), Money(a["realisasi_value"])]
            + [a["persen_value"]]
            for a in vm["anggaran"]
        ]
        money.append(["", "", L["jumlah"], "", Money(total["pagu_value"]), Money(total["realisasi_value"])])
        money[-1].append(total["persen_value"])
        heads = [L[k] for k in ("no", "kode", "program", "unit", "pagu", "realisasi_rp", "persen")]
        _sheet(wb, L["sheet_anggaran"], vm, heads, money)
    if vm.get("catatan"):
        notes = [[c["triwulan"], c["unit"], c["kendala"], c["solusi"]] for c in vm["catatan"]]
        _sheet(wb, L["sheet_catatan"], vm, [L[k] for k in ("triwulan", "unit", "kendala", "solusi")], notes)
    if vm.get("kind") == "tahunan" and vm.get("pk_rows"):
        heads = [L[k] for k in ("no", "sasaran", "kode", "indikator", "satuan", "target_tahunan")]
        heads += ["TW I", "TW II", "TW III", "TW IV", L["penanggung_jawab"]]
        pk = [
            [p["no"], p["sasaran_nama"], p["kode"], p["nama"], p["satuan"]]
            + [p["target_value"] if p["target_value"] is not None else p["target"], *p["tw"], p["penanggung_jawab"]]
            for p in vm["pk_rows"]
        ]
        _sheet(wb, L["sheet_pk"], vm, heads, pk)
    return _save_workbook(wb, vm)


def render_all(vm: Mapping[str, Any], template_dir: Path | None = None) -> dict[str, bytes]:
    """The report in its three formats from one view-model: {"docx", "pdf", "xlsx"}."""
    charts = chart_images(vm)
    return {
        "docx": render_docx(vm, template_dir=template_dir, charts=charts),
        "pdf": render_pdf(vm, charts=charts),
        "xlsx": render_xlsx(vm),
    }


# --- lembar disposisi ------------------------------------------------------------------------------------


def _person(value: Any) -> dict[str, str]:
    """An official as {nama, jabatan, nip}: a dict (the event's Actor) or just a name. A disposition sent to a role
    (jabatan) rather than a named official carries only the role: its name (`role_nama`) is the jabatan."""
    if isinstance(value, Mapping):
        person = {k: str(value.get(k) or "") for k in ("nama", "jabatan", "nip")}
        role = value.get("role_nama") or ("" if person["nama"] else value.get("role"))
        person["jabatan"] = person["jabatan"] or str(role or "")
        return person
    return {"nama": str(value or ""), "jabatan": "", "nip": ""}


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            return None
    return None


def disposisi_view_model(d: Mapping[str, Any], locale: str = "id") -> dict[str, Any]:
    """nomor, tanggal (date), dari, kepada (officials), instruksi, batas_waktu, catatan, and optionally instansi,
    profil.pemda and the report it is about (tahun, periode)."""
    labels = LABELS[locale]
    tanggal = _day(d.get("tanggal")) or date(2000, 1, 1)
    dari, kepada = _person(d.get("dari")), _person(d.get("kepada"))
    due = _day(d.get("batas_waktu"))
    profil = d.get("profil") or default_profil().get(locale, default_profil()["id"])
    terkait = ""
    if d.get("tahun") and d.get("periode"):
        terkait = periode_label(str(d["periode"]), int(d["tahun"]), locale)

    def who(p: dict[str, str]) -> str:
        return ", ".join(x for x in (p["nama"], p["jabatan"]) if x) or MISSING

    return {
        "locale": locale,
        "labels": labels,
        "kind": "disposisi",
        "title": f"{labels['disposisi']} {d.get('nomor', '')}",
        "instansi": d.get("instansi", ""),
        "profil": profil,
        "nomor": str(d.get("nomor", "")),
        "tanggal": fmt_date(tanggal, locale),
        "dari": who(dari),
        "dari_nama": dari["nama"],
        "dari_jabatan": dari["jabatan"],
        "dari_nip": f"{labels['nip']} {dari['nip']}" if dari["nip"] else "",
        "kepada": who(kepada),
        "instruksi": str(d.get("instruksi") or MISSING),
        "batas_waktu": fmt_date(due, locale) if due else (str(d.get("batas_waktu") or "") or MISSING),
        "catatan": (str(d.get("catatan") or "") or MISSING) + (f" ({labels['terkait']}: {terkait})" if terkait else ""),
        "generated_on": tanggal,
        "draft": False,
        "watermark": "",
    }


def render_disposisi(d: Mapping[str, Any], locale: str = "id", template_dir: Path | None = None) -> dict[str, bytes]:
    """The Lembar Disposisi as {"pdf": …, "docx": …}; the same input gives the same bytes (.docx) and text (.pdf)."""
    vm = disposisi_view_model(d, locale)
    tpl = DocxTemplate(str(docx_template_for("disposisi", template_dir)))
    tpl.render(vm, jinja_env=docx_env())
    out = BytesIO()
    tpl.save(out)
    html = _html_env.get_template("disposisi.html").render(vm=vm, L=vm["labels"], created=_fixed_moment(vm))
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf(font_config=_font_config())
    assert pdf is not None
    return {"pdf": pdf, "docx": _normalize_zip(out.getvalue(), _fixed_moment(vm))}
