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
from services.approval.answers import LaporanPemanfaatan, Pemanfaatan
from services.approval.web.deps import LANDING, CurrentOfficial, Refused, Viewer
from services.approval.web.i18n import fmt_datetime
from services.approval.workflow import Workflow
from shared import clock
from shared.i18n import PEMANFAATAN, pick
from shared.service import SessionDep
from shared.spreadsheet import put

router = APIRouter(include_in_schema=False)
Tahun = Annotated[int, PathParam(ge=2000, le=2100)]
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


def row_view(r: Pemanfaatan, lang: str, base: str) -> dict[str, Any]:
    """One record as the page, the PDF and the workbook show it."""
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
        "bukti": [
            {"judul": b["judul"] if lang == "id" else b["judul_en"], "tautan": base + b["tautan"]} for b in r["bukti"]
        ],
        "tautan": base + r["tautan"] if r["tautan"] else None,
    }


def export_view(db: Session, wf: Workflow, tahun: int, lang: str, base: str = "") -> dict[str, Any]:
    """The page's, the PDF's and the workbook's view model: the records with the app's date format, the summary,
    the title line (office, year, generated on, in the office's zone)."""
    found: LaporanPemanfaatan = pemanfaatan.report(db, wf, tahun)
    return {
        "tahun": tahun,
        "instansi": found["instansi"],
        "ringkasan": found["ringkasan_id"] if lang == "id" else found["ringkasan_en"],
        "dibuat": fmt_datetime(clock.office_now(), lang),
        "rows": [row_view(r, lang, base) for r in found["pemanfaatan"]],
        "pm": lambda key: text(key, lang),
        "lang": lang,
    }


def _base(request: Request) -> str:
    """The app's address, for links that leave it (in a PDF or a workbook)."""
    return str(request.base_url).rstrip("/")


@router.get("/evaluasi/{tahun}/pemanfaatan")
def pemanfaatan_page(tahun: Tahun, request: Request, db: SessionDep, viewer: CurrentOfficial) -> Response:
    _allowed(viewer)
    ctx = export_view(db, rendering.workflow(request), tahun, viewer.lang)
    return rendering.page(request, "pemanfaatan.html", viewer.ws, ctx, official=viewer.official)


@router.get("/evaluasi/{tahun}/pemanfaatan.pdf")
def pemanfaatan_pdf(tahun: Tahun, request: Request, db: SessionDep, viewer: CurrentOfficial) -> Response:
    _allowed(viewer)
    vm = export_view(db, rendering.workflow(request), tahun, viewer.lang, _base(request))
    return _download(pdf_bytes(vm), "application/pdf", f"pemanfaatan-informasi-kinerja-{tahun}.pdf")


@router.get("/evaluasi/{tahun}/pemanfaatan.xlsx")
def pemanfaatan_xlsx(tahun: Tahun, request: Request, db: SessionDep, viewer: CurrentOfficial) -> Response:
    _allowed(viewer)
    vm = export_view(db, rendering.workflow(request), tahun, viewer.lang, _base(request))
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


COLUMNS = (  # header key, width (characters)
    ("pm_no", 5), ("pm_tanggal", 20), ("pm_jenis", 22), ("pm_periode", 30), ("pm_uraian", 70), ("pm_pejabat", 26),
    ("pm_jabatan", 26), ("pm_indikator", 16), ("pm_bukti", 50), ("pm_tautan", 40),
)  # fmt: skip
DATE_FORMAT = "d mmmm yyyy hh.mm"


def xlsx_bytes(vm: dict[str, Any]) -> bytes:
    """The workbook: the title lines, then one row per record under a header with filters; the dates are Excel
    dates in the office's zone (the header names it), the header repeats on each printed page."""
    lang = vm["lang"]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = text("pm_title", lang)[:31]
    put(ws, 1, 1, f"{text('pm_title', lang)} — {vm['instansi']}").font = Font(bold=True, size=13)
    put(ws, 2, 1, f"{text('pm_year', lang)} {vm['tahun']} · {text('pm_generated', lang)} {vm['dibuat']}")
    put(ws, 3, 1, f"{text('pm_summary', lang)}: {vm['ringkasan']}")
    header = 5
    zone = clock.zone_label(clock.office_zone())
    for c, (key, width) in enumerate(COLUMNS, start=1):
        label = f"{text(key, lang)} ({zone})" if key == "pm_tanggal" else text(key, lang)
        cell = put(ws, header, c, label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F0")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(c)].width = width
    for i, row in enumerate(vm["rows"], start=1):
        n = header + i
        values = (
            i, row["lokal"], row["jenis"], row["periode"], row["uraian"], row["pejabat"], row["jabatan"],
            row["indikator"], "\n".join(f"{b['judul']}: {b['tautan']}" for b in row["bukti"]), row["tautan"] or "",
        )  # fmt: skip
        for c, value in enumerate(values, start=1):
            cell = put(ws, n, c, value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(n, 2).number_format = DATE_FORMAT
        if row["tautan"]:
            ws.cell(n, len(COLUMNS)).hyperlink = row["tautan"]
    last = header + max(len(vm["rows"]), 1)
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(COLUMNS))}{last}"
    ws.freeze_panes = ws.cell(header + 1, 1)
    ws.print_title_rows = f"{header}:{header}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
