"""The report's tables as an .xlsx workbook (openpyxl): numbers stay numbers, byte-identical per view-model."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from services.renderer.documents.base import fixed_moment, normalize_zip
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


def _sheet(wb: Workbook, title: str, vm: Mapping[str, Any], headers: list[str], rows: list[list[Any]]) -> None:
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
    for r, values in enumerate(rows, start=XLSX_HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            money = isinstance(value, Money)
            cell = put(ws, r, col, value.value if money else value)
            cell.border, cell.alignment = _BOX, Alignment(vertical="top", wrap_text=isinstance(value, str))
            if money:
                cell.number_format = XLSX_RUPIAH_FORMAT
            elif not isinstance(value, str) and value is not None and col > 1:
                cell.number_format = XLSX_NUMBER_FORMAT
    for col, head in enumerate(headers, start=1):
        widths = [
            len(str(line[col - 1].value if isinstance(line[col - 1], Money) else line[col - 1] or "")) for line in rows
        ]
        longest = max([len(head) // 2, *widths])
        ws.column_dimensions[get_column_letter(col)].width = max(8, min(45, longest + 4))
    ws.freeze_panes = ws.cell(XLSX_HEADER_ROW + 1, 1)


def _target_cell(row: Mapping[str, Any], suffix: str = "") -> Any:
    """A range target stays text ("15,00 – 25,00"): it is two numbers, not one."""
    value = row[f"target{suffix}_value"]
    return value if value is not None else row[f"target{suffix}"]


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
    """The report's tables as numbers (Decimal cells, #,##0.00; rupiah "Rp" #,##0); byte-identical per vm."""
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
    trend = [
        [ind["kode"], ind["nama"], ind["satuan"], p["label"], _target_cell(p), p["realisasi_value"]]
        for ind in vm.get("trend", [])
        for p in ind["points"]
    ]
    if trend:
        heads = [L[k] for k in ("kode", "indikator", "satuan", "triwulan", "target", "realisasi")]
        _sheet(wb, L["sheet_triwulan"], vm, heads, trend)
    if vm.get("perbandingan"):
        heads = [L[k] for k in ("no", "kode", "indikator", "satuan", "realisasi_lalu", "realisasi_ini", "perubahan")]
        heads += [L[k] for k in ("kondisi", "target_renstra", "capaian_renstra")]
        comp = [
            [b["no"], b["kode"], b["nama"], b["satuan"], b["realisasi_lalu_value"], b["realisasi_value"]]
            + [b["perubahan_value"], b["kondisi"], b["target_renstra_value"], b["capaian_renstra_value"]]
            for b in vm["perbandingan"]
        ]
        _sheet(wb, L["sheet_perbandingan"], vm, heads, comp)
    if vm.get("anggaran"):
        total = vm["anggaran_total"]
        money = [
            [a["no"], a["kode"], a["nama"], a["unit"], Money(a["pagu_value"]), Money(a["realisasi_value"])]
            + [a["persen_value"]]
            for a in vm["anggaran"]
        ]
        money.append(["", "", L["jumlah"], "", Money(total["pagu_value"]), Money(total["realisasi_value"])])
        money[-1].append(total["persen_value"])
        heads = [L[k] for k in ("no", "kode", "program", "unit", "pagu", "realisasi_rp", "persen")]
        _sheet(wb, L["sheet_anggaran"], vm, heads, money)
    if vm.get("catatan"):
        notes = [[c["triwulan"], c["unit"], c["kendala"], c["solusi"]] for c in vm["catatan"]]
        _sheet(wb, L["sheet_catatan"], vm, [L[k] for k in ("triwulan", "unit", "kendala", "solusi")], notes)
    if vm.get("kind") == "tahunan" and vm.get("pk_rows"):
        heads = [L[k] for k in ("no", "sasaran", "kode", "indikator", "satuan", "target_tahunan")]
        heads += ["TW I", "TW II", "TW III", "TW IV", L["penanggung_jawab"]]
        pk = [
            [p["no"], p["sasaran_nama"], p["kode"], p["nama"], p["satuan"]]
            + [p["target_value"] if p["target_value"] is not None else p["target"], *p["tw"], p["penanggung_jawab"]]
            for p in vm["pk_rows"]
        ]
        _sheet(wb, L["sheet_pk"], vm, heads, pk)
    return _save_workbook(wb, vm)
