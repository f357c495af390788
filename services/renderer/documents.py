"""The report in three forms from one view-model (viewmodel.py): .docx (docxtpl), .pdf (Jinja2 HTML +
WeasyPrint) and .xlsx (openpyxl), with the capaian chart as PNG in the first two. Pure: bytes in, bytes out."""

from __future__ import annotations

import base64
import textwrap
import zipfile
from datetime import date, datetime, time
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
from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter
from weasyprint import HTML

from shared.formatting import fmt_number

TEMPLATES = Path(__file__).resolve().parent / "templates"
DOCX_TEMPLATE = TEMPLATES / "laporan_triwulan.docx"
XLSX_HEADER_ROW = 5  # rows 1-3 carry the title block
XLSX_NUMBER_FORMAT = "#,##0.00"  # Excel shows 1.234,56 under an Indonesian locale

_html_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def _fixed_moment(vm: dict[str, Any]) -> datetime:
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


# --- chart -------------------------------------------------------------------------------------------


def capaian_chart_png(vm: dict[str, Any]) -> bytes:
    """Horizontal bars of capaian per indicator against the 100% line; deterministic PNG bytes."""
    rows = list(reversed(vm["rows"]))  # first indicator on top
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
    ax.set_xlabel(labels["capaian"], fontsize=8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: fmt_number(x, 0, locale)))
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    buf = BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


# --- docx ----------------------------------------------------------------------------------------------


def _shade(cell: Any, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _para(container: Any, text: str, *, bold: bool = False, size: float = 10, align: Any = None) -> Any:
    p = container.add_paragraph()
    run = p.add_run(text)  # one run per Jinja tag: docxtpl needs each tag inside a single run
    run.bold, run.font.size = bold, Pt(size)
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(2)
    return p


Column = tuple[str, str, float]  # label key, cell expression ("\n" for a second paragraph), width in cm


def _table(doc: Any, loop: str, columns: list[Column]) -> Any:
    """Header row, `{%tr for %}` row, the content row, `{%tr endfor %}` row: four separate rows."""
    table = doc.add_table(rows=4, cols=len(columns))
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
        run = head.paragraphs[0].add_run(f"{{{{ labels.{label} }}}}")
        run.bold, run.font.size = True, Pt(8.5)
        cell = table.rows[2].cells[col]
        for n, expr in enumerate(body.split("\n")):
            p = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
            p.add_run(f"{{{{ {expr} }}}}").font.size = Pt(8.5)
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
_SIGNATURE = [  # the head of office signs under the date and position: room to sign, name, NIP
    "",
    "{{ generated_on_label }}",
    "{{ kepala.jabatan }}",
    "",
    "",
    "{{ kepala.nama }}",
    "{{ labels.nip }} {{ kepala.nip }}",
]


def build_default_docx_template(path: Path | str = DOCX_TEMPLATE) -> Path:
    """Build the office's default Word template; an office may replace the file with its own."""
    doc = Document()
    section = doc.sections[0]
    section.orientation, section.page_width, section.page_height = WD_ORIENT.PORTRAIT, Mm(210), Mm(297)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    doc.styles["Normal"].font.name = "DejaVu Sans"
    doc.styles["Normal"].font.size = Pt(10)
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
    for text in ("{{ jenis|upper }}", "{{ periode_label|upper }}", "{{ instansi|upper }}"):
        _para(doc, text, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    meta = "{{ labels.versi }} {{ version }} · {{ labels.dicetak }} {{ generated_on_label }}"
    _para(doc, meta, size=8, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ labels.per_indikator }} — {{ periode_label }}", bold=True, size=11)
    merged = _table(doc, "r in rows", _INDIKATOR_COLS)
    vmerge = OxmlElement("w:vMerge")  # rows of one sasaran share its cell, as in the PK
    vmerge.set(qn("w:val"), "{% if r.sasaran_first %}restart{% else %}continue{% endif %}")
    merged.rows[2].cells[1]._tc.get_or_add_tcPr().append(vmerge)
    _para(doc, "{%p if has_sd %}")
    _para(doc, "{{ labels.kumulatif }} {{ up_to_label }}", bold=True, size=11)
    _table(doc, "r in rows", _KUMULATIF_COLS)
    _para(doc, "{%p endif %}")
    _para(doc, "{{ labels.per_sasaran }}", bold=True, size=11)
    _table(doc, "s in sasaran", [("no", "s.no", 0.8), ("sasaran", "s.nama", 10.4), *_RESULT_COLS])
    _para(doc, "{{ labels.instansi }}: {{ capaian_instansi }}% ({{ predikat_instansi }})", bold=True, size=11)
    _para(doc, "{{ labels.grafik }}", bold=True, size=11)
    _para(doc, "{{ grafik }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{%p if catatan %}")
    _para(doc, "{{ labels.catatan }}", bold=True, size=11)
    _table(doc, "c in catatan", [("unit", "c.unit", 4.0), ("kendala", "c.kendala", 6.5), ("solusi", "c.solusi", 6.5)])
    _para(doc, "{%p endif %}")
    for text in _SIGNATURE:
        _para(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "{%p if approvals %}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "{{ labels.pengesahan|upper }}", bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "{{ title }} — {{ instansi }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _table(doc, "a in approvals", _APPROVAL_COLS)
    _para(doc, "{%p endif %}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def render_docx(vm: dict[str, Any], template: Path | str = DOCX_TEMPLATE) -> bytes:
    tpl = DocxTemplate(str(template))
    grafik = InlineImage(tpl, image_descriptor=BytesIO(capaian_chart_png(vm)), width=Mm(160))
    tpl.render({**vm, "grafik": grafik}, autoescape=True)  # otherwise < > & in unit data vanish
    out = BytesIO()
    tpl.save(out)
    return _normalize_zip(out.getvalue(), _fixed_moment(vm))


# --- pdf -----------------------------------------------------------------------------------------------


def render_pdf(vm: dict[str, Any]) -> bytes:
    chart = base64.b64encode(capaian_chart_png(vm)).decode("ascii")
    html = _html_env.get_template("laporan.html").render(
        vm=vm, L=vm["labels"], chart_uri=f"data:image/png;base64,{chart}", created=_fixed_moment(vm)
    )
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    assert pdf is not None
    return pdf


# --- xlsx ----------------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E2F3")


def _sheet(wb: Workbook, title: str, vm: dict[str, Any], headers: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title)
    L = vm["labels"]  # noqa: N806
    status = f" · {vm['watermark']}" if vm["draft"] else ""
    meta = f"{L['versi']} {vm['version']}{status} · {L['dicetak']} {vm['generated_on_label']}"
    for n, text in enumerate([vm["title"], vm["instansi"], meta], start=1):
        ws.cell(n, 1, text).font = Font(bold=n == 1, size=13 if n == 1 else 10)
    for col, head in enumerate(headers, start=1):
        cell = ws.cell(XLSX_HEADER_ROW, col, head)
        cell.font, cell.fill, cell.border = Font(bold=True), _HEAD_FILL, _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, values in enumerate(rows, start=XLSX_HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(r, col, value)
            cell.border, cell.alignment = _BOX, Alignment(vertical="top", wrap_text=isinstance(value, str))
            if not isinstance(value, str) and value is not None and col > 1:
                cell.number_format = XLSX_NUMBER_FORMAT
    for col, head in enumerate(headers, start=1):
        longest = max([len(head) // 2, *(len(str(line[col - 1] or "")) for line in rows)])
        ws.column_dimensions[get_column_letter(col)].width = max(8, min(45, longest + 2))
    ws.freeze_panes = ws.cell(XLSX_HEADER_ROW + 1, 1)


def _target_cell(row: dict[str, Any], suffix: str = "") -> Any:
    """A range target stays text ("15,00 – 25,00"): it is two numbers, not one."""
    value = row[f"target{suffix}_value"]
    return value if value is not None else row[f"target{suffix}"]


def render_xlsx(vm: dict[str, Any]) -> bytes:
    """The recap tables as numbers (Decimal cells, number format #,##0.00); byte-identical per vm."""
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
    moment = _fixed_moment(vm)
    wb.properties.created = wb.properties.modified = moment
    wb.properties.creator = wb.properties.lastModifiedBy = "Lapkin"
    wb.properties.title = vm["title"]
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # not wb.save(): that stamps the clock into docProps/core.xml
    return _normalize_zip(out.getvalue(), moment)
