"""The report's tables as an .xlsx workbook (openpyxl): numbers stay numbers, byte-identical per view-model."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from decimal import Decimal
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from services.renderer.documents.base import fixed_moment, normalize_zip
from services.renderer.viewmodel import own_places
from shared.formatting import fmt_number, fmt_rupiah
from shared.spreadsheet import put

XLSX_HEADER_ROW = 5  # rows 1-3 carry the title block
XLSX_NUMBER_FORMAT = "#,##0.00"  # Excel shows 1.234,56 under an Indonesian locale
XLSX_RUPIAH_FORMAT = '"Rp" #,##0'

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E2F3")


class Money:
    """A rupiah cell: numeric, shown as Rp 1.250.000.000."""

    def __init__(self, value: Any) -> None:
        self.value = value


class Num:
    """An indicator's figure: the exact Decimal, shown with the indicator's decimals (a count: #,##0)."""

    def __init__(self, value: Any, places: int) -> None:
        self.value, self.places = value, places


class Sum:
    """A total: =SUM over the column's data rows (Excel and LibreOffice recompute it), as rupiah or a number."""

    def __init__(self, money: bool = True) -> None:
        self.money = money


class Ratio:
    """A percentage of two cells of the row: =IF(base=0,"",ROUND(part/base*100,2))."""

    def __init__(self, part: int, base: int) -> None:
        self.part, self.base = part, base


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)) if isinstance(value, int | float) and not isinstance(value, bool) else None


def number_format(places: int) -> str:
    """#,##0 for a count, #,##0.00 for two decimals."""
    return "#,##0" + ("." + "0" * places if places > 0 else "")


def _cell_of(ws: Any, r: int, col: int, value: Any, first: int, last: int) -> Any:
    """Put one value (a plain value, Money, Num, Sum or Ratio) and give it its number format."""
    if isinstance(value, Sum):
        letter = get_column_letter(col)
        cell = ws.cell(r, col, f"=SUM({letter}{first}:{letter}{last})")  # our formula: not put(), which keeps text
        cell.number_format = XLSX_RUPIAH_FORMAT if value.money else XLSX_NUMBER_FORMAT
    elif isinstance(value, Ratio):
        part, base = f"{get_column_letter(value.part)}{r}", f"{get_column_letter(value.base)}{r}"
        cell = ws.cell(r, col, f'=IF({base}=0,"",ROUND({part}/{base}*100,2))')
        cell.number_format = XLSX_NUMBER_FORMAT
    elif isinstance(value, Money):
        cell = put(ws, r, col, value.value)
        cell.number_format = XLSX_RUPIAH_FORMAT
    elif isinstance(value, Num):
        cell = put(ws, r, col, value.value)
        cell.number_format = number_format(own_places(_decimal(value.value), value.places))
    else:
        cell = put(ws, r, col, value)
        if not isinstance(value, str) and value is not None and col > 1:
            cell.number_format = XLSX_NUMBER_FORMAT
    return cell


def _shown(value: Any, column: list[Any]) -> str:
    """The text a cell shows (for the column's width): a number as its format prints it ("Rp 28.700.000.000",
    "1.200", "99,31"), a total as the sum of the column's figures, a ratio as "100,00"."""
    if isinstance(value, Ratio):
        return fmt_number(Decimal(100))
    if isinstance(value, Sum):
        figures = [_decimal(getattr(v, "value", v)) for v in column if not isinstance(v, Sum | Ratio)]
        total = sum((f for f in figures if f is not None), Decimal(0))
        return fmt_rupiah(total) if value.money else fmt_number(total)
    if isinstance(value, Money):
        amount = _decimal(value.value)
        return fmt_rupiah(amount) if amount is not None else ""
    if isinstance(value, Num):
        figure = _decimal(value.value)
        return fmt_number(figure, own_places(figure, value.places)) if figure is not None else ""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return fmt_number(Decimal(str(value)))
    return str(value or "")


def _print_setup(ws: Any, columns: int, data_rows: int) -> None:
    """Landscape A4, fit to one page wide, the header row repeated on every page, a filter on the table."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{XLSX_HEADER_ROW}:{XLSX_HEADER_ROW}"
    ws.print_options.gridLines = False
    last = get_column_letter(columns)
    ws.auto_filter.ref = f"A{XLSX_HEADER_ROW}:{last}{XLSX_HEADER_ROW + max(data_rows, 1)}"


def _sheet(
    wb: Workbook,
    title: str,
    vm: Mapping[str, Any],
    headers: list[str],
    rows: list[list[Any]],
    totals: int = 0,
) -> None:
    """A table under the title block; its last `totals` rows are totals (outside the filter, SUM over the rest)."""
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
    first, last = XLSX_HEADER_ROW + 1, XLSX_HEADER_ROW + len(rows) - totals
    for r, values in enumerate(rows, start=XLSX_HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            cell = _cell_of(ws, r, col, value, first, last)
            cell.border, cell.alignment = _BOX, Alignment(vertical="top", wrap_text=isinstance(value, str))
            if r > last:
                cell.font = Font(bold=True)
    for col, head in enumerate(headers, start=1):
        column = [line[col - 1] for line in rows]
        widths = [len(_shown(v, column)) + (4 if isinstance(v, str) else 3) for v in column]
        longest = max([len(head) // 2 + 4, *widths])
        ws.column_dimensions[get_column_letter(col)].width = max(8, min(45, longest))
    ws.freeze_panes = ws.cell(XLSX_HEADER_ROW + 1, 1)
    _print_setup(ws, len(headers), len(rows) - totals)


def _target_cells(row: Mapping[str, Any], places: int, suffix: str = "") -> list[Any]:
    """Target, Target Minimum, Target Maksimum: a single target in the first, a range's bounds in the other two; all
    numbers."""
    single, rng = row[f"target{suffix}_value"], row[f"target{suffix}_range"]
    if rng is not None:
        return [None, Num(rng[0], places), Num(rng[1], places)]
    return [Num(single, places), None, None]


def _save_workbook(wb: Workbook, vm: Mapping[str, Any]) -> bytes:
    moment = fixed_moment(vm)
    wb.properties.created = wb.properties.modified = moment
    wb.properties.creator = wb.properties.lastModifiedBy = "Lapkin"
    wb.properties.title = vm["title"]
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()  # not wb.save(): that stamps the clock into docProps/core.xml
    return normalize_zip(out.getvalue(), moment)


def render_xlsx(vm: Mapping[str, Any]) -> bytes:
    """The report's tables as numbers (Decimal cells: an indicator's figures with its decimals, capaian #,##0.00,
    rupiah "Rp" #,##0; a range target as its minimum and maximum), totals as =SUM formulas, every sheet printable
    (landscape A4, one page wide, the header row repeated) and filterable; byte-identical per vm."""
    L = vm["labels"]  # noqa: N806
    wb = Workbook()
    wb.remove(wb.active)
    targets = ("target", "target_min", "target_max")
    heads = [L[k] for k in ("no", "sasaran", "kode", "indikator", "satuan", *targets, "realisasi", "capaian")]
    heads += [L["predikat"], L["keterangan"]]
    sd = vm["has_sd"]
    if sd:
        heads += [f"{L[k]} {vm['up_to_label']}" for k in (*targets, "realisasi", "capaian", "predikat")]
    rows = []
    for r in vm["rows"]:
        places = r.get("desimal", 2)
        line = [r["no"], r["sasaran_nama"], r["kode"], r["nama"], r["satuan"], *_target_cells(r, places)]
        line += [Num(r["realisasi_value"], places), r["capaian_value"], r["predikat"], r["keterangan"]]
        if sd:
            line += [*_target_cells(r, places, "_sd"), Num(r["realisasi_sd_value"], places)]
            line += [r["capaian_sd_value"], r["predikat_sd"]]
        rows.append(line)
    _sheet(wb, L["sheet_indikator"], vm, heads, rows)
    sasaran = [[s["no"], s["kode"], s["nama"], s["capaian_value"], s["predikat"]] for s in vm["sasaran"]]
    sasaran.append(["", "", L["instansi"], vm["capaian_instansi_value"], vm["predikat_instansi"]])
    heads = [L[k] for k in ("no", "kode", "sasaran", "capaian", "predikat")]
    _sheet(wb, L["sheet_sasaran"], vm, heads, sasaran, totals=1)
    trend = [
        [ind["kode"], ind["nama"], ind["satuan"], p["label"], *_target_cells(p, ind.get("desimal", 2))]
        + [Num(p["realisasi_value"], ind.get("desimal", 2))]
        for ind in vm.get("trend", [])
        for p in ind["points"]
    ]
    if trend:
        heads = [L[k] for k in ("kode", "indikator", "satuan", "triwulan", *targets, "realisasi")]
        _sheet(wb, L["sheet_triwulan"], vm, heads, trend)
    if vm.get("perbandingan"):
        heads = [L[k] for k in ("no", "kode", "indikator", "satuan", "realisasi_lalu", "realisasi_ini", "perubahan")]
        heads += [L[k] for k in ("kondisi", "target_renstra", "target_min", "target_max", "capaian_renstra")]
        comp = [
            [b["no"], b["kode"], b["nama"], b["satuan"]]
            + [Num(b[k], b.get("desimal", 2)) for k in ("realisasi_lalu_value", "realisasi_value", "perubahan_value")]
            + [b["kondisi"], *_target_cells(b, b.get("desimal", 2), "_renstra"), b["capaian_renstra_value"]]
            for b in vm["perbandingan"]
        ]
        _sheet(wb, L["sheet_perbandingan"], vm, heads, comp)
    if vm.get("anggaran"):
        cumulative = bool(vm.get("anggaran_sd"))
        money = [
            [a["no"], a["kode"], a["nama"], a["unit"], Money(a["pagu_value"]), Money(a["realisasi_value"])]
            + [a["persen_value"]]
            + ([Money(a["realisasi_sd_value"]), a["persen_sd_value"]] if cumulative else [])
            for a in vm["anggaran"]
        ]
        # the total: SUM of the programmes, its absorption computed from those sums (5: pagu, 6: realisasi, 8: s.d.)
        total: list[Any] = ["", "", L["jumlah"], "", Sum(), Sum(), Ratio(6, 5)]
        money.append(total + ([Sum(), Ratio(8, 5)] if cumulative else []))
        heads = [L[k] for k in ("no", "kode", "program", "unit", "pagu")]
        if cumulative:
            heads += [L[k] for k in ("realisasi_periode", "persen_periode", "realisasi_sd_rp", "persen_sd")]
        else:
            heads += [L[k] for k in ("realisasi_rp", "persen")]
        _sheet(wb, L["sheet_anggaran"], vm, heads, money, totals=1)
    if vm.get("catatan"):
        notes = [[c["triwulan"], c["unit"], c["kendala"], c["solusi"]] for c in vm["catatan"]]
        _sheet(wb, L["sheet_catatan"], vm, [L[k] for k in ("triwulan", "unit", "kendala", "solusi")], notes)
    if vm.get("kind") == "tahunan" and vm.get("pk_rows"):
        # every target a number: a single one in its column, a range's bounds in the Minimum/Maksimum columns
        quarters = ["TW I", "TW II", "TW III", "TW IV"]
        heads = [L[k] for k in ("no", "sasaran", "kode", "indikator", "satuan", "target_tahunan")]
        heads += [f"{L['target_tahunan']} {L[k]}" for k in ("minimum", "maksimum")]
        heads += [f"{q}{suffix}" for q in quarters for suffix in ("", f" {L['minimum']}", f" {L['maksimum']}")]
        heads += [L["penanggung_jawab"]]
        pk = []
        for p in vm["pk_rows"]:
            places = p.get("desimal", 2)
            line = [p["no"], p["sasaran_nama"], p["kode"], p["nama"], p["satuan"]]
            line += _target_cells({"target_value": p["target_value"], "target_range": p["target_range"]}, places)
            for value, rng in zip(p["tw_values"], p["tw_ranges"], strict=True):
                line += _target_cells({"target_value": value, "target_range": rng}, places)
            pk.append([*line, p["penanggung_jawab"]])
        _sheet(wb, L["sheet_pk"], vm, heads, pk)
    return _save_workbook(wb, vm)
