"""The evaluator's export (issue 17): `/evaluasi/{tahun}/pemanfaatan` lists every use of the year's performance
information (services/approval/pemanfaatan.py) with its date, official, evidence and links; `.pdf` prints it as an
A4 landscape table (WeasyPrint) and `.xlsx` as a workbook with real Excel dates, filters and the header repeated on
every printed page. For the officials who oversee the SOP (oversight.py) and the `inspektorat`; others get the 403
page. Times in the office's zone, as the rest of the app writes them ("8 Januari 2024 14.05 WIB")."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlmodel import Session

import services.approval.web.rendering as rendering
from services.approval import pemanfaatan
from services.approval.answers import BuktiPemanfaatan, LaporanPemanfaatan, Pemanfaatan
from services.approval.lke import Lke
from services.approval.web.deps import LANDING, CurrentOfficial, Refused, Viewer
from services.approval.web.i18n import fmt_datetime
from services.approval.workflow import Workflow
from shared import clock
from shared.i18n import PEMANFAATAN, pick
from shared.service import SessionDep
from shared.spreadsheet import put

router = APIRouter(include_in_schema=False)
Tahun = Annotated[pemanfaatan.Tahun, PathParam(ge=2000, le=2100)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def text(key: str, lang: str) -> str:
    return pick(PEMANFAATAN, key, lang)


def _allowed(viewer: CurrentOfficial) -> Viewer:
    if not pemanfaatan.may_export(viewer.official):
        raise Refused(viewer, text("pm_not_allowed", viewer.lang), LANDING, 403)
    return viewer


def _local(value: str) -> datetime:
    """An ISO UTC time as the office's wall clock, without its zone (what an Excel date holds)."""
    return clock.to_office(datetime.fromisoformat(value)).replace(tzinfo=None)


def short_hash(sha: str | None) -> str | None:
    return sha[:12] if sha else None


def bukti_view(b: BuktiPemanfaatan, lang: str, base: str) -> dict[str, Any]:
    """One evidence: its title, its link, and for print its file's name with a short hash ("jadwal baru.pdf ·
    SHA-256 abababababab") — a whole SHA-256 in a narrow column wraps mid-hash."""
    judul = b["judul"] if lang == "id" else b["judul_en"]
    short = short_hash(b.get("sha256"))
    cetak = judul if not short or short in judul else f"{judul} · SHA-256 {short}"
    return {"judul": judul, "tautan": base + b["tautan"], "jalur": b["tautan"], "cetak": cetak}


def row_view(r: Pemanfaatan, lang: str, base: str) -> dict[str, Any]:
    """One record as the page, the PDF and the workbook show it; `base` before the links (the public address, or
    none: relative links)."""
    who = r["pejabat"]
    report = pemanfaatan.laporan(None, r["periode"], r["tahun"], lang) if r["periode"] else str(r["tahun"])
    return {
        "tanggal": fmt_datetime(datetime.fromisoformat(r["tanggal"]), lang),
        "lokal": _local(r["tanggal"]),
        "jenis": text(r["jenis"], lang),
        "kode_jenis": r["jenis"],
        "periode": report,
        "uraian": r["uraian_id"] if lang == "id" else r["uraian_en"],
        "pejabat": who["nama"] or "–",
        "jabatan": who["jabatan"] or who["role_nama"] or "–",
        "indikator": ", ".join(r["indikator"]),
        "bukti": [bukti_view(b, lang, base) for b in r["bukti"]],
        "tautan": base + r["tautan"] if r["tautan"] else None,
        "jalur": r["tautan"],
        "bagian": r["bagian"],
    }


def export_view(
    db: Session, wf: Workflow, tahun: int, lang: str, base: str = "", lke: Lke | None = None
) -> dict[str, Any]:
    """The page's, the PDF's and the workbook's view model: the title line (office, year, generated on, in the
    office's zone), the summary, then the parts — the uses first, the report's review trail after — each with its
    counts, the worksheet criteria it supports and its records in the app's date format."""
    found: LaporanPemanfaatan = pemanfaatan.report(db, wf, tahun, lke)
    rows = [row_view(r, lang, base) for r in found["pemanfaatan"]]
    parts = [
        {
            "kode": b["kode"],
            "judul": b["judul_id"] if lang == "id" else b["judul_en"],
            "ringkasan": b["ringkasan_id"] if lang == "id" else b["ringkasan_en"],
            "jumlah": b["jumlah"],
            "kriteria": [
                {"kode": k["kode"], "teks": k["teks"] if lang == "id" else k["teks_en"]} for k in b["kriteria"]
            ],
            "kode_kriteria": ", ".join(k["kode"] for k in b["kriteria"]),
            "rows": [r for r in rows if r["bagian"] == b["kode"]],
        }
        for b in found["bagian"]
    ]
    return {
        "tahun": tahun,
        "instansi": found["instansi"],
        "ringkasan": found["ringkasan_id"] if lang == "id" else found["ringkasan_en"],
        "dibuat": fmt_datetime(clock.office_now(), lang),
        "rows": rows,
        "bagian": parts,
        "pm": lambda key: text(key, lang),
        "lang": lang,
    }


def public_base(request: Request) -> str:
    """The address before the export's links: the public one when set (LAPKIN_PUBLIC_BASE_URL, as the verification
    links), else none — relative links; the address the request came to may be a local one nobody else can open."""
    settings = request.app.state.rt.settings
    return (settings.public_base_url or "").rstrip("/")


@router.get("/evaluasi/{tahun}/pemanfaatan")
def pemanfaatan_page(tahun: Tahun, request: Request, db: SessionDep, viewer: CurrentOfficial) -> Response:
    _allowed(viewer)
    ctx = export_view(db, rendering.workflow(request), tahun, viewer.lang, lke=rendering.lke(request))
    return rendering.page(request, "pemanfaatan.html", viewer.ws, ctx, official=viewer.official)


@router.get("/evaluasi/{tahun}/pemanfaatan.pdf")
def pemanfaatan_pdf(tahun: Tahun, request: Request, db: SessionDep, viewer: CurrentOfficial) -> Response:
    _allowed(viewer)
    vm = export_view(db, rendering.workflow(request), tahun, viewer.lang, public_base(request), rendering.lke(request))
    return _download(pdf_bytes(vm), "application/pdf", f"pemanfaatan-informasi-kinerja-{tahun}.pdf")


@router.get("/evaluasi/{tahun}/pemanfaatan.xlsx")
def pemanfaatan_xlsx(tahun: Tahun, request: Request, db: SessionDep, viewer: CurrentOfficial) -> Response:
    _allowed(viewer)
    vm = export_view(db, rendering.workflow(request), tahun, viewer.lang, public_base(request), rendering.lke(request))
    return _download(xlsx_bytes(vm), XLSX, f"pemanfaatan-informasi-kinerja-{tahun}.xlsx")


def _download(body: bytes, media_type: str, name: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def pdf_bytes(vm: dict[str, Any]) -> bytes:
    """The A4 landscape table: the title line, the summary, the records; the header row repeats on every page and
    each page is numbered ("Halaman 2 dari 5")."""
    from weasyprint import HTML  # the PDF library loads only when a PDF is asked for

    html = rendering.TEMPLATES.env.get_template("pemanfaatan_pdf.html").render(**vm)
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return pdf


COLUMNS = (  # header key, width (characters); then one "Bukti" column per evidence file, each cell one hyperlink
    ("pm_no", 5), ("pm_tanggal", 20), ("pm_jenis", 22), ("pm_periode", 30), ("pm_uraian", 70), ("pm_pejabat", 26),
    ("pm_jabatan", 26), ("pm_indikator", 16), ("pm_tautan", 30),
)  # fmt: skip
BUKTI_WIDTH = 40
# the months in the workbook's language whatever the reader's locale (LibreOffice and Excel honour the LCID):
# "7 Desember 2026 00.45"; 0x421 Indonesian, 0x409 English (US). The dot is quoted: under the Indonesian locale a
# bare "." is the decimal separator and LibreOffice shows "00,45"
DATE_FORMATS = {"id": '[$-421]d mmmm yyyy hh"."mm', "en": "[$-409]d mmmm yyyy hh:mm"}
HEADER = 6


def _link(cell: Any, target: str, shown: str) -> None:
    """A cell that is one hyperlink: the text shown, the address behind it."""
    cell.value = shown
    cell.hyperlink = target
    cell.font = Font(color="1A4E8A", underline="single")


def _sheet(ws: Any, vm: dict[str, Any], part: dict[str, Any]) -> None:
    """One part's sheet: the title lines (both parts' counts, this part's title and the criteria it supports), then
    one row per record under a header with filters; the dates are Excel dates in the office's zone (the header
    names it), each evidence file its own hyperlinked cell, the header repeated on each printed page."""
    lang = vm["lang"]
    put(ws, 1, 1, f"{text('pm_title', lang)} — {vm['instansi']}").font = Font(bold=True, size=13)
    put(ws, 2, 1, f"{text('pm_year', lang)} {vm['tahun']} · {text('pm_generated', lang)} {vm['dibuat']}")
    counts = "; ".join(f"{p['judul']}: {p['ringkasan']}" for p in vm["bagian"])
    put(ws, 3, 1, f"{text('pm_summary', lang)}: {counts}")
    put(ws, 4, 1, part["judul"]).font = Font(bold=True)
    put(ws, 5, 1, f"{text('pm_kriteria', lang)}: {part['kode_kriteria']}")
    zone = clock.zone_label(clock.office_zone())
    most = max((len(r["bukti"]) for r in part["rows"]), default=0)
    headers = [*COLUMNS, *((f"pm_bukti#{i}", BUKTI_WIDTH) for i in range(1, max(most, 1) + 1))]
    for c, (key, width) in enumerate(headers, start=1):
        if key.startswith("pm_bukti#"):
            label = text("pm_bukti", lang) + (f" {key.split('#')[1]}" if most > 1 else "")
        else:
            label = f"{text(key, lang)} ({zone})" if key == "pm_tanggal" else text(key, lang)
        cell = put(ws, HEADER, c, label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(c)].width = width
    for i, row in enumerate(part["rows"], start=1):
        n = HEADER + i
        values = (i, row["lokal"], row["jenis"], row["periode"], row["uraian"], row["pejabat"], row["jabatan"],
                  row["indikator"])  # fmt: skip
        for c, value in enumerate(values, start=1):
            put(ws, n, c, value).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(n, 2).number_format = DATE_FORMATS.get(lang, DATE_FORMATS["id"])
        if row["tautan"]:
            _link(ws.cell(n, len(COLUMNS)), row["tautan"], row["jalur"])
        for k, b in enumerate(row["bukti"], start=len(COLUMNS) + 1):
            _link(ws.cell(n, k), b["tautan"], b["cetak"])
            ws.cell(n, k).alignment = Alignment(wrap_text=True, vertical="top")
    last = HEADER + max(len(part["rows"]), 1)
    ws.auto_filter.ref = f"A{HEADER}:{get_column_letter(len(headers))}{last}"
    ws.freeze_panes = ws.cell(HEADER + 1, 1)
    ws.print_title_rows = f"{HEADER}:{HEADER}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


SHEET_NAMES = {  # at most 31 characters
    "pemanfaatan": {"id": "Pemanfaatan", "en": "Uses"},
    "penelaahan": {"id": "Reviu dan pengesahan laporan", "en": "Report review trail"},
}


def xlsx_bytes(vm: dict[str, Any]) -> bytes:
    """The workbook: one sheet per part, the uses first (services/approval/pemanfaatan.py)."""
    lang = vm["lang"]
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for part in vm["bagian"]:
        ws = wb.create_sheet(SHEET_NAMES[part["kode"]].get(lang, SHEET_NAMES[part["kode"]]["id"])[:31])
        _sheet(ws, vm, part)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
