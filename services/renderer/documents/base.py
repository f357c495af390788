"""What the renderer's outputs share: where the bundled templates are, the HTML sandbox, and the fixed moment and
zip normalisation that make a re-render give the same bytes, and the garbage collector's pace while drawing."""

from __future__ import annotations

import gc
import threading
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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


# Drawing a large report allocates millions of short-lived objects (WeasyPrint's boxes and styles, docx and xlsx
# elements). At Python's default pace (a young collection every 700 allocations) the collector also walks the whole
# heap again and again while the document grows: 25–30 % of a 40 × 300 draft's PDF (bench/render_draft.py: 7,7 s of
# CPU at 700, 6,3 s at 10.000, 5,4 s at 100.000, 5,6 s at 1.000.000). The price is garbage kept a little longer:
# the draw's peak memory 423 MB instead of 336 MB (403 MB at 10.000). 20.000: at 40 × 600 (bench/scale.py) the
# renderer's peak 701 MiB and 87,5 s for four quarters, against 708 MiB / 99,0 s at 700 and 864 MiB / 86,8 s at
# 100.000 — the speed of 100.000 without its memory.
DRAWING_GC_THRESHOLD = 20_000
_gc_lock = threading.Lock()
_gc_drawing = 0  # draws under way in this process (the renderer's drawer, an approval's final in another thread)
_gc_before: tuple[int, int, int] | None = None


@contextmanager
def drawing_pace() -> Iterator[None]:
    """While a document is drawn, collect garbage at DRAWING_GC_THRESHOLD allocations instead of the default;
    the pace is per process, so it is set by the first draw and given back by the last one to finish."""
    global _gc_drawing, _gc_before
    with _gc_lock:
        if _gc_drawing == 0:
            _gc_before = gc.get_threshold()
            if 0 < _gc_before[0] < DRAWING_GC_THRESHOLD:  # 0: collection is off, and stays so
                gc.set_threshold(DRAWING_GC_THRESHOLD, *_gc_before[1:])
        _gc_drawing += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_drawing -= 1
            if _gc_drawing == 0 and _gc_before is not None:
                gc.set_threshold(*_gc_before)
                _gc_before = None
