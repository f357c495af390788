"""Issue 15 item 7: the .docx opened by LibreOffice (what many offices use, with WPS): the worked example's TW1
draft, S1, the LKIP draft and final and a Lembar Disposisi, converted to PDF by `soffice --headless` in one call,
then read with poppler:

- no word of a table cell is broken: every word (4 letters or more) of every cell appears whole in the PDF's text,
  as often as the document holds it (before issue 15 LibreOffice collapsed the columns: "Menurun/nya/tingkat");
- the page count is close to the WeasyPrint PDF's of the same report (PAGE_TOLERANCE);
- the LKIP's cover carries no page number, the table of contents follows it, the running header names the office.

Skipped when LibreOffice is not installed — except under CI=true, where .ci/run installs it
(libreoffice-writer-nogui) and its absence is a failure. LAPKIN_UPDATE_SCREENSHOTS=1 also writes pages 1–2 of the
LKIP and TW1, as LibreOffice and as WeasyPrint print them, to docs/img/docx-*.png (see docs/reports.md)."""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from services.renderer.documents import render_disposisi
from tests.support.programs import missing_program
from tests.unit.renderer.test_lkip_tindak_lanjut import SELESAI, record
from tests.unit.renderer.test_reports import APPROVALS, DISPOSISI, vm_of
from tests.unit.renderer.worked_example import load_pk, recaps, rendered

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = shutil.which("pdftotext") and shutil.which("pdfinfo") and shutil.which("pdftoppm")
DOCS_IMG = Path(__file__).resolve().parents[3] / "docs" / "img"
# The .docx is its own template, not a copy of the HTML, laid out by another engine (paragraph spacing, chart
# size, cell padding differ): a page more or less is normal, and on a long report up to 15% of its pages (the
# LKIP with its follow-ups: 24 pages in both today). More than that means the layout went wrong — collapsed columns
# stacking a syllable per line cost pages (before the fix LibreOffice printed S1 on 5 pages, WeasyPrint on 4).
PAGE_TOLERANCE = 0.15
WORD = re.compile(r"[^\W\d_]{4,}")
# The LKIP's follow-ups (Tabel 3.6, issue 17): one done with a long result and evidence, one open naming two
# indicators — a table of eight columns, each word of which must stay whole
HASIL_PANJANG = (
    "Jadwal kegiatan 2025 untuk IK-2.2 direvisi dan disepakati dalam rapat evaluasi kinerja bersama seluruh kepala "
    "bidang; notulen, daftar hadir dan jadwal pelatihan berbasis kompetensi yang baru terlampir sebagai bukti dukung"
)
FOLLOW_UPS = [
    record("001/TL/2025", ["IK-2.2"], issued_at="2025-01-08T02:00:00+00:00", selesai_at="2025-01-20T03:00:00+00:00",
           hasil=HASIL_PANJANG, bukti=[SELESAI, {**SELESAI, "sha256": "cd" * 32}]),
    record("002/TL/2025", ["IK-4.2", "IK-5.1"], unit="BID-HI", batas_waktu="2025-03-31",
           issued_at="2025-01-09T02:00:00+00:00"),
]  # fmt: skip


def page_tolerance(weasyprint_pages: int) -> int:
    return max(1, math.ceil(weasyprint_pages * PAGE_TOLERANCE))


def _need_tools() -> None:
    missing = [name for name, found in (("soffice", SOFFICE), ("poppler-utils", POPPLER)) if not found]
    if not missing:
        return
    missing_program(f"{' and '.join(missing)} not installed (apt-get install libreoffice-writer-nogui poppler-utils)")


def convert(docx: dict[str, bytes], folder: Path) -> dict[str, bytes]:
    """{name: .docx} → {name: PDF by LibreOffice}: one soffice call for all, with its own profile directory."""
    for name, data in docx.items():
        (folder / f"{name}.docx").write_bytes(data)
    out = folder / "lo"
    subprocess.run(
        [SOFFICE or "soffice", f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(out), *(str(folder / f"{n}.docx") for n in docx)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return {name: (out / f"{name}.pdf").read_bytes() for name in docx}


def pdf_text(pdf: bytes, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(["pdftotext", *pages, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


def _text(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def split_words(docx: bytes, pdf: bytes, running_header: str = "") -> list[str]:
    """The table cells' words the PDF does not hold whole as often as the document does. A word hyphenated at a
    line end ("pengang-\\nguran") counts as whole; the running header, printed on every page, is left out."""
    body = Document(io.BytesIO(docx)).element.body
    cells = {w for tc in body.iter(qn("w:tc")) for w in WORD.findall(_text(tc))}
    need = Counter(WORD.findall("\n".join(_text(p) for p in body.iter(qn("w:p")))))
    printed = re.sub(r"(\w)-\n(\w)", r"\1\2", pdf_text(pdf))
    for compound in set(re.findall(r"\w+-\w+", "\n".join(_text(p) for p in body.iter(qn("w:p"))))):
        printed = printed.replace(compound.replace("-", ""), compound)  # the document's own hyphen ("e-katalog"),
        # which pdftotext drops at a line end like a hyphenation's ("ekatalog")
    if running_header:
        printed = printed.replace(running_header, "")
    have = Counter(WORD.findall(printed))
    return sorted(w for w in cells if have[w] < need[w])


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, dict[str, Any]]:
    """{name: {"vm", "docx", "pdf" (WeasyPrint), "lo" (LibreOffice's PDF of the .docx)}}."""
    _need_tools()
    example, pk = recaps(), load_pk()
    final = {"final": True, "approvals": APPROVALS, "version": 1}
    out: dict[str, dict[str, Any]] = {}
    follow_ups = {"tindak_lanjut": FOLLOW_UPS}
    for name, periode, kw in (("tw1", "TW1", {}), ("s1", "S1", {}), ("lkip", "TAHUNAN", follow_ups),
                              ("lkip_final", "TAHUNAN", {**final, **follow_ups})):  # fmt: skip
        vm = vm_of(example, pk, periode, **kw)
        files = rendered(vm)
        out[name] = {"vm": vm, "docx": files["docx"], "pdf": files["pdf"]}
    disposisi = render_disposisi(DISPOSISI)
    out["disposisi"] = {"vm": {"instansi": DISPOSISI["instansi"]}, **disposisi}
    converted = convert({name: r["docx"] for name, r in out.items()}, tmp_path_factory.mktemp("libreoffice"))
    for name, pdf in converted.items():
        out[name]["lo"] = pdf
    return out


NAMES = ("tw1", "s1", "lkip", "lkip_final", "disposisi")


@pytest.mark.parametrize("name", NAMES)
def test_no_table_word_is_split(reports, name):
    r = reports[name]
    header = f"{r['vm']['instansi']} — {r['vm']['title']}" if "title" in r["vm"] else ""
    assert split_words(r["docx"], r["lo"], header) == []
    assert "Menurunnya" in pdf_text(r["lo"]) or name == "disposisi"


def follow_up_table(docx: bytes) -> Any:
    """Tabel 3.6, the LKIP's follow-ups: the table headed "Hasil yang Diharapkan"."""
    body = Document(io.BytesIO(docx)).element.body
    return next(t for t in body.iter(qn("w:tbl")) if "Hasil yang Diharapkan" in _text(t))


@pytest.mark.parametrize("name", ["lkip", "lkip_final"])
def test_no_word_of_the_follow_up_table_is_split(reports, name):
    """Issue 17: LibreOffice broke Tabel 3.6 mid-word ("Indikat|or", "Januar|i", "berk|as") when it had ten
    columns; every word of it, the long result's too, printed whole."""
    r = reports[name]
    words = {w for tc in follow_up_table(r["docx"]).iter(qn("w:tc")) for p in tc.iter(qn("w:p"))
             for w in WORD.findall(_text(p))}  # fmt: skip
    assert {"Indikator", "Instruksi", "Bukti", "Januari", "berkas", "disepakati", "kompetensi"} <= words
    header = f"{r['vm']['instansi']} — {r['vm']['title']}"
    assert set(split_words(r["docx"], r["lo"], header)) & words == set()
    assert r["vm"]["judul_tabel"]["tindak_lanjut"] in " ".join(pdf_text(r["lo"]).split())


@pytest.mark.parametrize("name", NAMES)
def test_page_count_is_close_to_the_weasyprint_pdf(reports, name):
    r = reports[name]
    lo, weasy = page_count(r["lo"]), page_count(r["pdf"])
    assert abs(lo - weasy) <= page_tolerance(weasy), (lo, weasy)


def test_split_words_sees_a_word_broken_across_lines(tmp_path):
    """The check itself: a cell word printed as two pieces is reported, a hyphenated one is not."""
    doc = Document()
    doc.add_paragraph("Menurunnya di luar tabel")
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "Menurunnya tingkat pengangguran"
    data = io.BytesIO()
    doc.save(data)
    pdf = _pdf_of("Menurunnya di luar tabel\nMenurunny\na tingkat pengang-\nguran")
    assert split_words(data.getvalue(), pdf) == ["Menurunnya"]


def _pdf_of(text: str) -> bytes:
    """A PDF whose text layer is `text` (one line per line), for the check's own test."""
    if not POPPLER:
        pytest.skip("poppler-utils not installed")
    from weasyprint import HTML

    lines = "".join(f"<p>{line}</p>" for line in text.split("\n"))
    pdf = HTML(string=f"<style>p{{margin:0}}</style>{lines}").write_pdf()
    assert pdf is not None
    return pdf


def test_the_lkip_cover_has_no_page_number_then_the_kata_pengantar_then_the_toc(reports):
    """As in the PDF: cover, Kata Pengantar (signed at its end), Daftar Isi (an evaluator read the .docx with the
    contents before the foreword)."""
    lo = reports["lkip"]["lo"]
    pages = page_count(lo)
    cover, foreword, toc = pdf_text(lo, 1, 1), pdf_text(lo, 2, 2), pdf_text(lo, 3, 3)
    assert "LAPORAN KINERJA INSTANSI PEMERINTAH" in cover and "Halaman" not in cover
    assert "Dinas Ketenagakerjaan Kota Tangerang —" not in cover  # no running header on the cover
    assert "KATA PENGANTAR" in foreword and "DAFTAR ISI" not in foreword and f"Halaman 2 dari {pages}" in foreword
    assert "Dr. Ujang Hendra Gunawan" in foreword  # the Kata Pengantar ends with its signer
    assert "DAFTAR ISI" in toc and f"Halaman 3 dari {pages}" in toc
    assert "Dinas Ketenagakerjaan Kota Tangerang — Laporan Kinerja Instansi Pemerintah Tahun 2024" in toc
    for chapter in ("KATA PENGANTAR", "RINGKASAN EKSEKUTIF", "BAB I PENDAHULUAN", "BAB III AKUNTABILITAS", "LAMPIRAN"):
        assert chapter in toc


def test_the_lkip_keeps_captions_with_charts_and_the_pk_signatures_on_one_page(reports):
    """LibreOffice once put Grafik 3.2's caption at a page's foot and its chart on the next, and left "Pembina Utama
    Muda (IV/c) / NIP …" alone on the last page of the PK's signatures."""
    lo = reports["lkip"]["lo"]
    texts = [pdf_text(lo, n, n) for n in range(1, page_count(lo) + 1)]
    for caption in ("Grafik 3.1", "Grafik 3.2", "Grafik 3.3"):
        page = next(t for t in texts[4:] if caption in t)
        after = page[page.index(caption) :]
        assert len(after.strip().splitlines()) > 3, f"{caption} is the last thing on its page"
    sig = [t for t in texts if "PIHAK PERTAMA" in t]
    assert len(sig) == 1 and "Pembina Utama Muda (IV/c)" in sig[0] and "NIP. 19720502 200212 1 009" in sig[0]
    assert "Tangerang, 31 Januari 2024" in sig[0] and "H. Ahmad Suryadi" in sig[0]


@pytest.mark.skipif(not os.environ.get("LAPKIN_UPDATE_SCREENSHOTS"), reason="writes docs/img only when asked")
def test_update_the_docx_pages_in_docs(reports, tmp_path):
    """LAPKIN_UPDATE_SCREENSHOTS=1: pages 1–2 of the LKIP (draft) and TW1 (draft) as LibreOffice prints the .docx
    and as WeasyPrint prints the PDF: docs/img/docx-<report>-<libreoffice|weasyprint>-<page>.png."""
    written = []
    for name in ("lkip", "tw1"):
        for engine, pdf in (("libreoffice", reports[name]["lo"]), ("weasyprint", reports[name]["pdf"])):
            stem = tmp_path / f"{name}-{engine}"
            stem.with_suffix(".pdf").write_bytes(pdf)
            subprocess.run(
                ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "2", str(stem.with_suffix(".pdf")), str(stem)],
                check=True,
            )
            for page in sorted(tmp_path.glob(f"{name}-{engine}-*.png")):
                target = DOCS_IMG / f"docx-{name}-{engine}-{int(page.stem.rsplit('-', 1)[1])}.png"
                shutil.copy(page, target)
                written.append(target)
    assert len(written) == 8
