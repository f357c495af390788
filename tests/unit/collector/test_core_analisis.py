"""A unit's analysis of each indicator (issue 15): `penyebab`, `kendala`, `solusi`, `tindak_lanjut` on a realisasi
item, from JSON and from the Excel sheet. Each is text of at most 2000 characters; `keterangan` stays the note on
the figure. The rule on re-submission: a field the item leaves out (or sends null) keeps the text held for that
indicator and quarter, as a keterangan and the report's kendala do; a field sent blank ("") clears it."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from services.collector import excel, schemas
from services.collector.core import report as rp
from services.collector.core.errors import Invalid
from services.collector.core.validation import ANALISIS
from shared.sakip import PerjanjianKinerja
from tests.unit.collector.test_core_report import Known, body, read, refused


def test_an_item_carries_its_analysis_apart_from_the_keterangan() -> None:
    item = {"indikator": "IK1", "nilai": "60", "keterangan": "Data BPS Maret", "penyebab": "Instruktur kurang",
            "kendala": None, "solusi": "", "tindak_lanjut": "Rekrut instruktur"}  # fmt: skip
    r = read(body(realisasi=[item]))
    assert r.good == [("IK1", Decimal(60), "Data BPS Maret")]
    # null: left out (the text held stays); "": cleared
    assert r.analisis == {
        "IK1": {"penyebab": "Instruktur kurang", "solusi": None, "tindak_lanjut": "Rekrut instruktur"}
    }
    assert read(body()).analisis == {}


@pytest.mark.parametrize("key", ANALISIS)
def test_each_analysis_field_is_text_of_at_most_2000_characters(key: str) -> None:
    read(body(realisasi=[{"indikator": "IK1", "nilai": "60", key: "x" * 2000}]))
    with pytest.raises(Invalid) as err:
        read(body(realisasi=[{"indikator": "IK1", "nilai": "60", key: "x" * 2001}]))
    (problem,) = err.value.problems
    assert (problem.field, problem.rule) == (f"realisasi[0].{key}", "too_long")
    assert problem.message_id == f"realisasi[0].{key}: maksimal 2000 karakter"
    assert problem.message_en == f"realisasi[0].{key}: at most 2000 characters"
    assert refused(body(realisasi=[{"indikator": "IK1", "nilai": "60", key: ["a"]}])) == [
        (f"realisasi[0].{key}", "not_a_string")
    ]


def test_a_misspelt_analysis_field_is_refused_not_dropped() -> None:
    assert refused(body(realisasi=[{"indikator": "IK1", "nilai": "60", "penyabab": "x"}])) == [
        ("realisasi[0].penyabab", "unknown_field")
    ]


@dataclass
class Held:
    nilai: str
    keterangan: str | None = None
    penyebab: str | None = None
    kendala: str | None = None
    solusi: str | None = None
    tindak_lanjut: str | None = None


def test_a_new_analysis_alone_updates_the_value_and_the_same_one_changes_nothing() -> None:
    good = [("IK1", Decimal("60"), None)]
    held = {"IK1": Held("60.00", penyebab="a")}
    d = rp.diff_values(held, good, {"IK1": {"penyebab": "b"}})
    assert (d.updated, d.ignored, d.changes, d.analisis) == (1, 0, [("IK1", "60", None)], {"IK1": {"penyebab": "b"}})
    d = rp.diff_values(held, good, {"IK1": {"penyebab": "a"}})
    assert (d.updated, d.ignored, d.changes) == (0, 1, [])
    d = rp.diff_values(held, good, {})  # left out: nothing to change
    assert (d.updated, d.ignored) == (0, 1)
    d = rp.diff_values(held, good, {"IK1": {"penyebab": None}})  # cleared: a change
    assert (d.updated, d.analisis) == (1, {"IK1": {"penyebab": None}})


def test_a_resubmission_keeps_the_analysis_it_leaves_out() -> None:
    held = Held("60", penyebab="Instruktur kurang", solusi="Kerja sama LPK", tindak_lanjut="Rekrut")
    after = rp.keeps(held, {"penyebab": "Instruktur sudah ada", "tindak_lanjut": None})
    assert after == {"penyebab": "Instruktur sudah ada", "kendala": None, "solusi": "Kerja sama LPK",
                     "tindak_lanjut": None}  # fmt: skip
    assert rp.keeps(None, {"kendala": "Banjir"}) == {"penyebab": None, "kendala": "Banjir", "solusi": None,
                                                     "tindak_lanjut": None}  # fmt: skip


def test_a_monthly_report_takes_the_same_fields() -> None:
    monthly = {"tahun": 2024, "bulan": 2, "unit": "BID-A",
               "realisasi": [{"indikator": "IK1", "nilai": "20", "penyebab": "Libur panjang"}]}  # fmt: skip
    r = rp.read_report(monthly, key_unit="BID-A", known=Known(), check_period=rp.check_bulan, period_field="bulan")
    assert r.analisis == {"IK1": {"penyebab": "Libur panjang"}}


# ---- the Excel sheet ----------------------------------------------------------------------------------------

PK = {
    "tahun": 2024,
    "instansi": {"nama": "Dinas"},
    "units": [{"kode": "BID-A", "nama": "Bidang A", "jenis": "bidang"}],
    "sasaran": [{"kode": "S1", "nama": "S", "indikator": [
        {"kode": "IK1", "nama": "Cakupan", "satuan": "%", "polaritas": "positif", "agregasi": "terakhir",
         "penanggung_jawab": "BID-A", "target": "80", "target_triwulan": ["20", "40", "60", "80"]},
        {"kode": "IK2", "nama": "Jumlah", "satuan": "orang", "polaritas": "positif", "agregasi": "jumlah",
         "penanggung_jawab": "BID-A", "target": "40", "target_triwulan": ["10", "10", "10", "10"]},
    ]}],
}  # fmt: skip


def _template(fill: dict[str, Any], *, old: bool = False) -> bytes:
    pk = PerjanjianKinerja.from_document(PK)
    wb = load_workbook(io.BytesIO(excel.build_template(pk, pk.units[0], 2)))
    ws = wb[excel.SHEET]
    for ref, value in fill.items():
        ws[ref] = value
    if old:  # as downloaded before issue 15: the table ends at Keterangan
        for row in ws.iter_rows(min_row=excel.TABLE_ROW, min_col=11, max_col=14):
            for cell in row:
                cell.value = None
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_template_has_a_column_per_analysis_field_to_fill() -> None:
    pk = PerjanjianKinerja.from_document(PK)
    ws = load_workbook(io.BytesIO(excel.build_template(pk, pk.units[0])))[excel.SHEET]
    heads = [ws.cell(excel.TABLE_ROW, col).value for col in range(10, 15)]
    assert heads == ["Keterangan", "Penyebab", "Kendala", "Solusi", "Tindak Lanjut"]
    row = excel.TABLE_ROW + 1
    assert all(ws[f"{letter}{row}"].protection.locked is False for letter in "KLMN")  # input cells
    limits = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "textLength"}
    assert limits[f"K{row}"] == "2000" and limits[f"J{row}"] == "4000"


def test_an_upload_reads_the_analysis_columns_and_names_their_cells() -> None:
    row = excel.TABLE_ROW + 1
    up = excel.read_upload(
        _template(
            {f"I{row}": 38, f"K{row}": "Pendaftar turun", f"N{row}": "Sosialisasi ke SMK", f"L{row + 1}": "Hujan"}
        ),
        10_000_000,
    )
    assert up.body["realisasi"] == [
        {"indikator": "IK1", "nilai": "38", "penyebab": "Pendaftar turun", "tindak_lanjut": "Sosialisasi ke SMK"},
        {"indikator": "IK2", "kendala": "Hujan"},  # an analysis without a value: the validation asks for the nilai
    ]
    assert up.cells["realisasi[0].tindak_lanjut"] == f"Laporan!N{row}"


def test_a_template_downloaded_before_the_analysis_columns_is_still_read() -> None:
    row = excel.TABLE_ROW + 1
    up = excel.read_upload(_template({f"I{row}": 38}, old=True), 10_000_000)
    assert up.body["realisasi"] == [{"indikator": "IK1", "nilai": "38"}]


def test_the_integration_guides_example_is_a_report_the_collector_takes() -> None:
    root = Path(__file__).resolve().parents[3]
    guide = (root / "docs" / "integration.md").read_text(encoding="utf-8")
    (example,) = [
        json.loads(b) for b in re.findall(r"```json\n(.*?)```", guide, re.S) if '"tahun"' in b and "penyebab" in b
    ]
    schemas.LaporanTriwulan.model_validate(example)
    pk = json.loads((root / "examples" / "pk-2024.json").read_text())
    known = Known(units=("BID-PPTK",), parents=(), pks=(2024,))
    known.pk = lambda tahun: rp.ParsedPk.of(1, pk)  # type: ignore[method-assign]
    r = rp.read_report(
        example, key_unit="BID-PPTK", known=known, check_period=rp.check_triwulan, period_field="triwulan"
    )
    assert set(r.analisis["IK-2.3"]) == {"penyebab", "solusi", "tindak_lanjut"}
