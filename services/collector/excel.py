"""The Excel template for units without a system (issue 3, item 5): a pre-filled, protected sheet to download, fill
and upload. An upload is read into exactly the body POST /laporan-triwulan takes, plus a map from each body field to
the cell it came from, so every validation error can name the cell. Pure: bytes in, bytes or dicts out."""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Context, Decimal
from typing import Any, TypedDict

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from services.collector.core.errors import DomainError, Invalid, Problem, TooLarge
from services.collector.core.validation import MAX_ANALISIS, MAX_REALISASI
from shared.errors import ErrorItem
from shared.sakip import Indikator, PerjanjianKinerja, Target, Unit
from shared.slots import Slots
from shared.spreadsheet import put

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "Laporan"
MAX_TEXT = 4000
MAX_ROWS = MAX_REALISASI  # indicator rows read at most (a report's values at most): far above any unit's share of a PK
EXCEL_DIGITS = Context(prec=15)  # Excel keeps 15 significant digits; a float's further ones are binary noise
PARSING = Slots(2, 10.0)  # workbooks parsed at once in this process (configured from the settings at start)
MAX_MEMBERS = 1000  # a workbook has a dozen parts; thousands are a way to make the check itself slow
CHUNK = 64 * 1024

# The header block: a label in column A, its value in column B.
HEADER = {
    "instansi": (3, "Instansi"),
    "unit": (4, "Kode unit"),
    "nama_unit": (5, "Nama unit"),
    "tahun": (6, "Tahun"),
    "triwulan": (7, "Triwulan (1–4)"),
    "anggaran": (8, "Realisasi anggaran triwulan ini (Rp)"),
    "kendala": (9, "Kendala"),
    "solusi": (10, "Solusi"),
}
TABLE_ROW = 12  # the column headers; indicator rows follow
COLUMNS = (
    "Kode Indikator",
    "Nama Indikator",
    "Satuan",
    "Target Tahunan",
    "Target TW I",
    "Target TW II",
    "Target TW III",
    "Target TW IV",
    "Realisasi",
    "Keterangan",
    "Penyebab",  # the unit's analysis of the indicator (issue 15): the JSON item's fields of the same names
    "Kendala",
    "Solusi",
    "Tindak Lanjut",
)
COL_KODE, COL_REALISASI, COL_KETERANGAN = "A", "I", "J"
ANALISIS_COLUMNS = {"penyebab": "K", "kendala": "L", "solusi": "M", "tindak_lanjut": "N"}
OLD_COLUMNS = len(COLUMNS) - len(ANALISIS_COLUMNS)  # a template downloaded before issue 15 ends at Keterangan
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
UNLOCKED = Protection(locked=False)


COLUMNS_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a cell's formula element (not <formula1> of a validation)


def cell_name(ref: str) -> str:
    return f"{SHEET}!{ref}"


# ---- the template -------------------------------------------------------------------------------------------


def build_template(pk: PerjanjianKinerja, unit: Unit, triwulan: int | None = None) -> bytes:
    """The sheet for one unit: its indicators of this PK with their targets, input cells unlocked, the rest
    protected (no password) so the layout the upload reads stays in place."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws["A1"] = "Formulir Laporan Kinerja Triwulan"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Isi hanya sel berwarna kuning, lalu unggah berkas ini ke Lapkin (POST /api/v1/laporan-triwulan/upload)."
    ws["A2"].font = Font(italic=True)
    values = {
        "instansi": pk.instansi.nama,
        "unit": unit.kode,
        "nama_unit": unit.nama,
        "tahun": pk.tahun,
        "triwulan": triwulan,
    }
    for key, (row, label) in HEADER.items():
        ws[f"A{row}"] = label
        ws[f"A{row}"].font = Font(bold=True)
        put(ws, row, 2, values.get(key)).alignment = Alignment(horizontal="left")  # names from the PK stay text
    for key in ("triwulan", "anggaran", "kendala", "solusi"):
        _input(ws, f"B{HEADER[key][0]}")
    for key in ("kendala", "solusi"):
        row = HEADER[key][0]
        ws.merge_cells(f"B{row}:J{row}")
        ws[f"B{row}"].alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = 45
    _validate(ws, DataValidation(type="whole", operator="between", formula1="1", formula2="4"), "B7", "1 sampai 4")
    _validate(ws, _at_least_zero(), "B8", "angka ≥ 0")
    for row in (HEADER["kendala"][0], HEADER["solusi"][0]):
        _validate(ws, _text_limit(), f"B{row}", f"teks paling banyak {MAX_TEXT} karakter")
    for col, title in enumerate(COLUMNS, start=1):
        c = ws.cell(TABLE_ROW, col, title)
        c.font, c.fill = Font(bold=True), HEAD_FILL
        c.alignment = Alignment(wrap_text=True, vertical="center")
    rows = indicators_of(pk, unit.kode)
    for n, ind in enumerate(rows):
        _indicator_row(ws, TABLE_ROW + 1 + n, ind)
    for letter, width in zip("ABCDEFGHIJKLMN", (18, 48, 10, 14, 12, 12, 12, 12, 14, 40, 40, 40, 40, 40), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{TABLE_ROW + 1}"
    ws.protection.sheet = True  # no password: it guards the layout, not a secret
    ws.protection.formatColumns = ws.protection.formatRows = False  # widths and heights stay adjustable
    wb.security = WorkbookProtection(lockStructure=True)  # the sheet keeps its name
    wb.properties.title = f"Laporan triwulan {unit.kode} {pk.tahun}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def indicators_of(pk: PerjanjianKinerja, unit: str) -> list[Indikator]:
    """The indicators the unit answers for (shared.sakip.responsibility), in the PK's order."""
    index = {i.kode: i for _, i in pk.indikator()}
    return [index[kode] for kode in pk.responsibility().get(unit, [])]


def _indicator_row(ws: Worksheet, row: int, ind: Indikator) -> None:
    cells = [ind.kode, ind.nama, ind.satuan, _target(ind.target), *(_target(q) for q in ind.target_triwulan)]
    for col, value in enumerate(cells, start=1):
        put(ws, row, col, value).alignment = Alignment(wrap_text=col == 2, vertical="top")
    percent = ind.satuan.strip() == "%"
    nilai = f"{COL_REALISASI}{row}"
    _input(ws, nilai)
    _input(ws, f"{COL_KETERANGAN}{row}")
    if percent:
        limit = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
        _validate(ws, limit, nilai, "angka antara 0 dan 100")
    else:
        _validate(ws, _at_least_zero(), nilai, "angka ≥ 0")
    _validate(ws, _text_limit(), f"{COL_KETERANGAN}{row}", f"teks paling banyak {MAX_TEXT} karakter")
    for letter in ANALISIS_COLUMNS.values():
        _input(ws, f"{letter}{row}")
        ws[f"{letter}{row}"].alignment = Alignment(wrap_text=True, vertical="top")
        _validate(ws, _text_limit(MAX_ANALISIS), f"{letter}{row}", f"teks paling banyak {MAX_ANALISIS} karakter")


def _target(target: Target) -> Decimal | str:
    """A number stays a number in the sheet; a `rentang` [min, max] is shown as text "min–max"."""
    bounds = target.bounds
    if bounds is not None:
        return f"{bounds[0]}–{bounds[1]}"
    assert target.nilai is not None
    return target.nilai


def _input(ws: Worksheet, ref: str) -> None:
    ws[ref].protection = UNLOCKED
    ws[ref].fill = INPUT_FILL


def _at_least_zero() -> DataValidation:
    return DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")


def _text_limit(limit: int = MAX_TEXT) -> DataValidation:
    return DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(limit))


def _validate(ws: Worksheet, dv: DataValidation, ref: str, what: str) -> None:
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.errorTitle = "Isian tidak valid"
    dv.error = f"Isi dengan {what}."
    ws.add_data_validation(dv)
    dv.add(ref)


# ---- the upload ---------------------------------------------------------------------------------------------


class SheetItem(TypedDict, total=False):
    indikator: object  # the cells as read (a whole number as an int, a figure as its text), for the validation
    nilai: object
    keterangan: str
    penyebab: str
    kendala: str
    solusi: str
    tindak_lanjut: str


class SheetAnggaran(TypedDict):
    realisasi: object


class SheetBody(TypedDict, total=False):
    """A filled sheet as the body POST /laporan-triwulan takes, before that route's validation reads it."""

    tahun: object
    triwulan: object
    unit: object
    realisasi: list[SheetItem]
    anggaran: SheetAnggaran
    kendala: str
    solusi: str


@dataclass
class Upload:
    """A filled sheet as the JSON body, and where each field of that body came from."""

    body: SheetBody
    cells: dict[str, str] = field(default_factory=dict)  # body field -> "Laporan!I13"
    kode: dict[str, str] = field(default_factory=dict)  # "realisasi[0]" -> its indicator code, for messages


def read_upload(data: bytes, max_unpacked: int) -> Upload:
    """Refuse what is not a real .xlsx by its content (not its name) or unpacks beyond `max_unpacked` bytes, then
    read the template's cells."""
    with PARSING.slot():  # a workbook within the limit can still cost tens of MiB and seconds to parse
        rows = _rows(_open(data, max_unpacked))
        if _has_formulas(data):  # read a second time, as formulas, only when the sheets hold any
            _refuse_formulas_without_value(rows, _rows(_open_workbook(data, data_only=False)))
    if not _is_template(rows):
        raise Invalid.one(
            "file",
            "not_a_template",
            f"Berkas ini bukan templat laporan triwulan Lapkin (lembar {SHEET} tidak sesuai); unduh templat dari "
            "GET /api/v1/template/{tahun}/{unit}.xlsx.",
            f"This file is not a Lapkin quarterly report template (sheet {SHEET} does not match); download the "
            "template from GET /api/v1/template/{tahun}/{unit}.xlsx.",
        )
    return _body(rows)


def _invalid_file(why_id: str, why_en: str) -> DomainError:
    return Invalid.one(
        "file",
        "invalid_file",
        f"Berkas bukan .xlsx yang dapat dibaca: {why_id}.",
        f"The file is not a readable .xlsx: {why_en}.",
    )


def unpacked_too_large(limit: int) -> DomainError:
    mib = f"{limit / (1024 * 1024):g}"
    return TooLarge.one(
        "file",
        "unpacked_too_large",
        f"Isi berkas .xlsx setelah dibuka melebihi batas {mib} MiB.",
        f"The .xlsx unpacks beyond the limit of {mib} MiB.",
    )


def check_unpacked(data: bytes, limit: int) -> None:
    """Refuse, before anything parses it, a zip that unpacks beyond `limit` bytes in all: first the sizes its
    directory declares, then the bytes each member really unpacks to, read a chunk at a time and stopped at the
    limit (zipfile also stops a member at its declared size and checks its CRC), so the check holds at most a chunk."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
            if len(members) > MAX_MEMBERS:
                raise TooLarge.one(
                    "file",
                    "too_many_parts",
                    f"Berkas .xlsx memuat {len(members)} bagian; paling banyak {MAX_MEMBERS}.",
                    f"The .xlsx holds {len(members)} parts; at most {MAX_MEMBERS}.",
                )
            if sum(m.file_size for m in members) > limit:
                raise unpacked_too_large(limit)
            total = 0
            for member in members:
                with zf.open(member) as f:
                    while chunk := f.read(CHUNK):
                        total += len(chunk)
                        if total > limit:
                            raise unpacked_too_large(limit)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        # damaged, a CRC or size that does not match, encrypted, or an unsupported compression
        raise _invalid_file("arsip zip rusak", "the zip archive is damaged") from exc


def _open(data: bytes, max_unpacked: int) -> Any:
    if not data:
        raise Invalid.one("file", "required", "file: berkas .xlsx wajib dikirim", "file: a .xlsx file is required")
    if not data.startswith(b"PK\x03\x04"):
        raise _invalid_file("isinya bukan arsip zip Office Open XML", "its content is not an Office Open XML zip")
    check_unpacked(data, max_unpacked)
    return _open_workbook(data, data_only=True)


def _open_workbook(data: bytes, *, data_only: bool) -> Any:
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds for a zip that is not a workbook
        raise _invalid_file("openpyxl tidak dapat membukanya", "openpyxl cannot open it") from exc


def _has_formulas(data: bytes) -> bool:
    """Does any worksheet hold a formula (`<f>`)? Its parts were unpacked within the limit by `check_unpacked`."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return any(
            FORMULA.search(zf.read(m)) for m in zf.infolist() if m.filename.startswith("xl/worksheets/") and m.file_size
        )


def _refuse_formulas_without_value(values: list[tuple[Any, ...]], formulas: list[tuple[Any, ...]]) -> None:
    """A formula cell counts by the value Excel last computed and saved with it. A file written by a script
    (openpyxl, pandas) holds the formula with no saved value: it read as an empty cell, so the report was a 202
    that changed nothing (outsider check). Each such cell is refused, named."""
    errors = []
    for row_no, (got, written) in enumerate(zip(values, formulas, strict=False), start=1):
        for col, (value, formula) in enumerate(zip(got, written, strict=False)):
            if value is None and isinstance(formula, str) and formula.startswith("="):
                cell = cell_name(f"{COLUMNS_LETTERS[col]}{row_no}")
                errors.append(
                    Problem(
                        cell,
                        "formula_without_value",
                        f"Sel {cell} — rumus {formula[:60]} tanpa nilai tersimpan: buka dan simpan berkas di Excel "
                        "atau LibreOffice agar nilainya dihitung, atau isi angkanya",
                        f"Cell {cell} — formula {formula[:60]} has no saved value: open and save the file in Excel or "
                        "LibreOffice so it is computed, or type the number",
                    )
                )
    if errors:
        raise Invalid(errors)


def _rows(wb: Any) -> list[tuple[Any, ...]]:
    """The sheet's first ten columns, row 1 at index 0, up to the end of the indicator table."""
    try:
        if SHEET not in wb.sheetnames:
            return []
        out: list[tuple[Any, ...]] = []
        for row in wb[SHEET].iter_rows(min_row=1, max_row=TABLE_ROW + MAX_ROWS, max_col=len(COLUMNS)):
            values = tuple(getattr(c, "value", None) for c in row)
            out.append(values + (None,) * (len(COLUMNS) - len(values)))
            if len(out) > TABLE_ROW and _blank(values[0]):
                break
        return out
    except Exception as exc:
        raise _invalid_file("lembar kerjanya tidak dapat dibaca", "its worksheet cannot be read") from exc
    finally:
        wb.close()


def _is_template(rows: list[tuple[Any, ...]]) -> bool:
    if len(rows) < TABLE_ROW:
        return False
    labels_ok = all(rows[row - 1][0] == label for row, label in HEADER.values())
    head = tuple(rows[TABLE_ROW - 1])
    old = head[:OLD_COLUMNS] == COLUMNS[:OLD_COLUMNS] and all(c is None for c in head[OLD_COLUMNS:])
    return labels_ok and (head == COLUMNS or old)  # an older download, without the analysis columns, still reads


def _body(rows: list[tuple[Any, ...]]) -> Upload:
    up = Upload(body={})

    def header(key: str) -> Any:
        row = HEADER[key][0]
        up.cells[key] = cell_name(f"B{row}")
        return rows[row - 1][1]

    unit, tahun, triwulan = header("unit"), header("tahun"), header("triwulan")
    up.body["tahun"], up.body["triwulan"] = _integer(tahun), _integer(triwulan)
    up.body["unit"] = unit.strip() if isinstance(unit, str) else unit
    realisasi: list[SheetItem] = []
    # the list as a whole (an empty report, too many rows): the first cell to fill in, not the column's heading
    up.cells["realisasi"] = cell_name(f"{COL_REALISASI}{TABLE_ROW + 1}")
    for row_no in range(TABLE_ROW + 1, len(rows) + 1):
        kode, nilai, keterangan = rows[row_no - 1][0], rows[row_no - 1][8], rows[row_no - 1][9]
        analisis = {key: rows[row_no - 1][_col(letter)] for key, letter in ANALISIS_COLUMNS.items()}
        if _blank(kode) or (_blank(nilai) and _blank(keterangan) and all(_blank(v) for v in analisis.values())):
            continue  # an empty input row is not reported
        where = f"realisasi[{len(realisasi)}]"
        item: SheetItem = {"indikator": kode.strip() if isinstance(kode, str) else kode}
        if not _blank(nilai):
            item["nilai"] = _number_text(nilai)
        if not _blank(keterangan):
            item["keterangan"] = _text(keterangan)
        for key, value in analisis.items():  # a blank cell is left out: the analysis held stays
            if not _blank(value):
                item[key] = _text(value)  # type: ignore[literal-required]
            up.cells[f"{where}.{key}"] = cell_name(f"{ANALISIS_COLUMNS[key]}{row_no}")
        realisasi.append(item)
        up.kode[where] = str(item["indikator"])
        up.cells[where] = cell_name(f"{COL_REALISASI}{row_no}")
        up.cells[f"{where}.indikator"] = cell_name(f"{COL_KODE}{row_no}")
        up.cells[f"{where}.nilai"] = cell_name(f"{COL_REALISASI}{row_no}")
        up.cells[f"{where}.keterangan"] = cell_name(f"{COL_KETERANGAN}{row_no}")
    up.body["realisasi"] = realisasi
    anggaran = header("anggaran")
    up.cells["anggaran.realisasi"] = up.cells.pop("anggaran")
    if not _blank(anggaran):
        up.body["anggaran"] = {"realisasi": _number_text(anggaran)}
    kendala, solusi = header("kendala"), header("solusi")
    if not _blank(kendala):
        up.body["kendala"] = _text(kendala)
    if not _blank(solusi):
        up.body["solusi"] = _text(solusi)
    return up


def _col(letter: str) -> int:
    return COLUMNS_LETTERS.index(letter)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _integer(value: Any) -> Any:
    """A whole number as Excel holds it (int, 2.0 or the text "2") becomes an int; anything else stays as it is,
    for the validation to name."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def _number_text(value: Any) -> Any:
    """A cell as the decimal string the JSON route takes. Text stays text (validated as sent, after trimming); a
    float is written to the 15 significant digits Excel keeps, in plain notation, so 62.5 stays "62.5" and a
    formula's 0.30000000000000004 is the 0.3 the sheet shows."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):  # in plain notation (1E+300 is 1 and 300 zeros, for the bounds to refuse)
        if not math.isfinite(value):
            return repr(value)
        text = format(EXCEL_DIGITS.create_decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(_number_text(value))


# ---- errors that name cells ---------------------------------------------------------------------------------


def point_to_cells(errors: list[ErrorItem], up: Upload) -> list[ErrorItem]:
    """Each error's field becomes the sheet cell it came from ("Laporan!I13"); the message keeps the body field
    (and the indicator) so the JSON route's wording still reads."""
    out = []
    for e in errors:
        cell, kode = _cell_for(e.field, up)
        if cell is None:
            out.append(e)
            continue
        assert e.field is not None
        mid, men = e.message_id, e.message_en
        if not mid.startswith(f"{e.field}:"):
            mid, men = f"{e.field}: {mid}", f"{e.field}: {men}"
        about_id = f" (indikator {kode})" if kode else ""
        about_en = f" (indicator {kode})" if kode else ""
        out.append(ErrorItem(cell, e.rule, f"Sel {cell}{about_id} — {mid}", f"Cell {cell}{about_en} — {men}"))
    return out


def _cell_for(name: str | None, up: Upload) -> tuple[str | None, str | None]:
    if name is None:
        return None, None
    item = name.split(".", 1)[0] if name.startswith("realisasi[") else None
    kode = up.kode.get(item) if item else None
    probe = name
    while probe:
        if probe in up.cells:
            return up.cells[probe], kode
        probe = probe.rpartition(".")[0]
    if name == "anggaran":
        return up.cells.get("anggaran.realisasi"), None
    return None, None
