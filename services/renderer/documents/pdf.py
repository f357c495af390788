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
from services.renderer.documents.seal import Seal, box_on
from shared.signing import SignatureBox, sign_pdf

_fonts = threading.local()


def font_config() -> FontConfiguration:
    """One per thread, kept: WeasyPrint otherwise loads the fonts again for every PDF (≈15% of a short report)."""
    if not hasattr(_fonts, "config"):
        _fonts.config = FontConfiguration()
    return _fonts.config  # type: ignore[no-any-return]


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def report_html(vm: Mapping[str, Any], charts: Mapping[str, bytes], sah: Mapping[str, Any] | None = None) -> str:
    """The HTML WeasyPrint prints: the report kind's template (laporan.html, lkip.html) filled from the view-model."""
    return html_env.get_template(HTML_TEMPLATES[vm.get("kind", "triwulan")]).render(
        vm=vm,
        L=vm["labels"],
        chart_uri=_data_uri(charts["grafik"]),
        trend_uri=_data_uri(charts["grafik_tren"]),
        chart_uris={key: _data_uri(png) for key, png in charts.items()},  # the LKIP's multi-year charts by key
        created=fixed_moment(vm),
        sah=sah,
    )


def render_pdf(
    vm: Mapping[str, Any],
    charts: Mapping[str, bytes] | None = None,
    seal: Seal | None = None,
    drawn: tuple[bytes, SignatureBox | None] | None = None,
) -> bytes:
    """The report as an A4 PDF: page numbers, "DRAF" watermark until final. A final with a `seal` carries the QR code
    of its verification page on the Lembar Pengesahan and, when the seal has the office's credential, its PAdES
    signature in the box drawn there (documents/seal.py). `drawn`: what `draw_pdf` made of it elsewhere (another
    process, documents/drawer.py), only signed here."""
    charts = charts or chart_images(vm)
    sah = pdf_seal(vm, seal)
    pdf, box = drawn if drawn is not None else draw_pdf(vm, charts, sah)
    if sah is None or seal is None or seal.credential is None:
        return pdf
    return sign_pdf(
        pdf,
        seal.credential,
        signing_time=seal.signing_time,
        box=box,
        location=seal.location,
        lang=str(vm.get("locale") or "id"),
    )


def pdf_seal(vm: Mapping[str, Any], seal: Seal | None) -> dict[str, Any] | None:
    """What the Lembar Pengesahan prints of a final's `seal` (`sah` in the templates); None for a draft."""
    return seal.context() if seal is not None and vm.get("final") else None


def draw_pdf(
    vm: Mapping[str, Any], charts: Mapping[str, bytes], sah: Mapping[str, Any] | None
) -> tuple[bytes, SignatureBox | None]:
    """The PDF as WeasyPrint prints it, unsigned, and where its signature box was laid out (None: no box, or no
    `sah`): all a signature needs of the drawing, so the drawing may happen in another process."""
    document = HTML(string=report_html(vm, charts, sah), base_url=str(TEMPLATES)).render(font_config=font_config())
    pdf = document.write_pdf()
    assert pdf is not None
    return pdf, box_on(document.pages) if sah is not None else None
