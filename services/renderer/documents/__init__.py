"""The reports in three forms from one view-model (viewmodel.py): .docx (docxtpl, docx.py), .pdf (Jinja2 HTML +
WeasyPrint, pdf.py) and .xlsx (openpyxl, xlsx.py), with the charts (charts.py) as PNG in the first two; and the
Lembar Disposisi (disposisi.py). Pure: bytes in, bytes out (the office's own .docx templates are read from the folder
it is given). This package re-exports what callers use, so `from services.renderer.documents import …` keeps working."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from services.renderer.authoring import REQUIRED_FIELDS as REQUIRED_FIELDS  # where callers look for it
from services.renderer.authoring import check_docx_template
from services.renderer.documents.base import (
    DOCX_TEMPLATE,
    DOCX_TEMPLATES,
    HTML_TEMPLATES,
    TEMPLATES,
    docx_template_for,
    drawing_pace,
)
from services.renderer.documents.charts import capaian_chart_png, chart_images, trend_chart_png
from services.renderer.documents.disposisi import disposisi_view_model, render_disposisi
from services.renderer.documents.docx import (
    build_default_docx_template,
    build_disposisi_docx_template,
    build_docx_templates,
    build_lkip_docx_template,
    render_docx,
)
from services.renderer.documents.drawer import PdfDrawer
from services.renderer.documents.pdf import pdf_seal, render_pdf
from services.renderer.documents.seal import Seal
from services.renderer.documents.xlsx import (
    XLSX_HEADER_ROW,
    XLSX_NUMBER_FORMAT,
    XLSX_RUPIAH_FORMAT,
    Money,
    render_xlsx,
)

__all__ = [
    "DOCX_TEMPLATE",
    "DOCX_TEMPLATES",
    "HTML_TEMPLATES",
    "REQUIRED_FIELDS",
    "Seal",
    "TEMPLATES",
    "XLSX_HEADER_ROW",
    "XLSX_NUMBER_FORMAT",
    "XLSX_RUPIAH_FORMAT",
    "Money",
    "build_default_docx_template",
    "build_disposisi_docx_template",
    "build_docx_templates",
    "build_lkip_docx_template",
    "capaian_chart_png",
    "chart_images",
    "disposisi_view_model",
    "docx_template_for",
    "missing_template_fields",
    "render_all",
    "render_disposisi",
    "render_docx",
    "render_pdf",
    "render_xlsx",
    "trend_chart_png",
]


def missing_template_fields(data: bytes, jenis: str) -> list[str]:
    """The required fields an uploaded .docx template does not use (sorted); ValueError (TemplateRefused) when it
    is no template docxtpl can read (not a .docx, or a Jinja syntax error)."""
    return check_docx_template(data, jenis)[1]


def render_all(
    vm: Mapping[str, Any], template_dir: Path | None = None, seal: Seal | None = None, drawer: PdfDrawer | None = None
) -> dict[str, bytes]:
    """The report in its three formats from one view-model: {"docx", "pdf", "xlsx"}; a final's PDF with its `seal`
    (verification QR code, the office's signature). Drawn at the garbage collector's drawing pace (base.py); with a
    `drawer`, the PDF in its drawing process while the .docx and .xlsx are made here (documents/drawer.py)."""
    with drawing_pace():
        charts = chart_images(vm)
        sah = pdf_seal(vm, seal)
        drawing = drawer.submit(vm, charts, sah) if drawer is not None else None  # on the other core meanwhile
        docx, xlsx = render_docx(vm, template_dir=template_dir, charts=charts), render_xlsx(vm)
        drawn = drawer.drawn(drawing, vm, charts, sah) if drawer is not None and drawing is not None else None
        return {"docx": docx, "pdf": render_pdf(vm, charts, seal, drawn=drawn), "xlsx": xlsx}
