"""What the renderer's outputs share: where the bundled templates are, the HTML sandbox, and the fixed moment and
zip normalisation that make a re-render give the same bytes."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from datetime import date, datetime, time
from io import BytesIO
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, select_autoescape

from services.renderer.templating import Sandbox

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
DOCX_TEMPLATES = {
    "triwulan": TEMPLATES / "laporan_triwulan.docx",
    "semester": TEMPLATES / "laporan_semester.docx",
    "tahunan": TEMPLATES / "laporan_tahunan.docx",
    "disposisi": TEMPLATES / "disposisi.docx",
}
DOCX_TEMPLATE = DOCX_TEMPLATES["triwulan"]
HTML_TEMPLATES = {"triwulan": "laporan.html", "semester": "laporan.html", "tahunan": "lkip.html"}

html_env = Sandbox(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


def fixed_moment(vm: Mapping[str, Any]) -> datetime:
    """Documents carry the view-model's date, never the clock, so a re-render gives the same bytes."""
    day: date = vm["generated_on"]
    return datetime.combine(day, time(0, 0))


def normalize_zip(data: bytes, when: datetime) -> bytes:
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
