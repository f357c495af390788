"""The reports as an A4 PDF: the Jinja2 HTML templates (sandboxed) printed by WeasyPrint, the charts as data URIs."""

from __future__ import annotations

import base64
import threading
from collections.abc import Mapping
from typing import Any

from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from services.renderer.documents.base import HTML_TEMPLATES, TEMPLATES, fixed_moment, html_env
from services.renderer.documents.charts import chart_images

_fonts = threading.local()


def font_config() -> FontConfiguration:
    """One per thread, kept: WeasyPrint otherwise loads the fonts again for every PDF (≈15% of a short report)."""
    if not hasattr(_fonts, "config"):
        _fonts.config = FontConfiguration()
    return _fonts.config  # type: ignore[no-any-return]


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_pdf(vm: Mapping[str, Any], charts: Mapping[str, bytes] | None = None) -> bytes:
    """The report as an A4 PDF: page numbers, "DRAF" watermark until final."""
    charts = charts or chart_images(vm)
    html = html_env.get_template(HTML_TEMPLATES[vm.get("kind", "triwulan")]).render(
        vm=vm,
        L=vm["labels"],
        chart_uri=_data_uri(charts["grafik"]),
        trend_uri=_data_uri(charts["grafik_tren"]),
        chart_uris={key: _data_uri(png) for key, png in charts.items()},  # the LKIP's multi-year charts by key
        created=fixed_moment(vm),
    )
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf(font_config=font_config())
    assert pdf is not None
    return pdf
