"""The collector's request models (services/collector/schemas.py) against the worked example and the rules: what the
example sends is valid, and a body the models refuse is one the rules refuse too (the models never promise more)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from services.collector import schemas
from services.collector.validation import validate_pk

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_the_worked_example_is_valid_under_the_models() -> None:
    pk = json.loads((EXAMPLES / "pk-2024.json").read_text())
    schemas.PerjanjianKinerja.model_validate(pk)
    assert validate_pk(pk, 2024) == []
    for body in json.loads((EXAMPLES / "submissions-2024.json").read_text()):
        schemas.LaporanTriwulan.model_validate(body)
    schemas.LaporanTriwulanBulk.model_validate(
        {"submissions": json.loads((EXAMPLES / "submissions-2024.json").read_text())}
    )


def refused(model: type[BaseModel], body: Any) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return {".".join(str(p) for p in e["loc"]) for e in caught.value.errors()}


REPORT = {"tahun": 2024, "triwulan": 1, "unit": "BID-PENTA", "realisasi": [{"indikator": "IK-3.1", "nilai": "62.5"}]}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"triwulan": 5}, "triwulan"),
        ({"triwulan": "1"}, "triwulan"),
        ({"triwulan": True}, "triwulan"),
        ({"tahun": "2024"}, "tahun"),
        ({"tahun": 1999}, "tahun"),
        ({"kendalla": "x"}, "kendalla"),  # an unknown field: the rules' unknown_field
        ({"kendala": "k" * 4001}, "kendala"),
        ({"realisasi": [{"indikator": "IK-3.1", "nilai": "1e2"}]}, "realisasi.0.nilai"),
        ({"realisasi": [{"indikator": "IK-3.1", "nilai": -1}]}, "realisasi.0.nilai"),
        ({"realisasi": [{"indikator": "IK-3.1", "nilai": "1.1234567"}]}, "realisasi.0.nilai"),
        ({"realisasi": [{"indikator": "IK-3.1"}]}, "realisasi.0.nilai"),
        ({"anggaran": {"realisasi": "5", "sisa": "1"}}, "anggaran.sisa"),
        ({"unit": ""}, "unit"),
    ],
)
def test_a_report_the_rules_refuse_is_refused_by_the_model(change: dict[str, Any], where: str) -> None:
    assert any(loc.startswith(where) for loc in refused(schemas.LaporanTriwulan, {**REPORT, **change}))


def test_what_the_rules_take_the_model_takes() -> None:
    for nilai in ("0", "62.5", 62.5, 1180, "000123.000001", "-0"):
        schemas.LaporanTriwulan.model_validate({**REPORT, "realisasi": [{"indikator": "IK-3.1", "nilai": nilai}]})
    schemas.LaporanTriwulan.model_validate({**REPORT, "realisasi": [], "kendala": "banjir", "solusi": None})
    schemas.LaporanBulanan.model_validate({**{k: v for k, v in REPORT.items() if k != "triwulan"}, "bulan": 12})
    pk = json.loads((EXAMPLES / "pk-2024.json").read_text())
    schemas.PerjanjianKinerja.model_validate({**pk, "keterangan": "PK perubahan", "lampiran": {"x": 1}})


PK_PLAN_REFUSALS = [  # (where in the PK, the value, the refused location): the new optional keys of issue 15
    (("tanggal",), "31-01-2024", "tanggal"),
    (("pihak_kedua", "nip"), "1972", "pihak_kedua.nip"),
    (("pihak_kedua", "wakil"), "x", "pihak_kedua.wakil"),
    (("instansi", "kepala", "golongan"), "V/a", "instansi.kepala.golongan"),
    (("renstra", "misi"), [], "renstra.misi"),
    (("renstra", "tahun_awal"), 1999, "renstra.tahun_awal"),
    (("sasaran", 0, "indikator", 0, "desimal"), 5, "sasaran.0.indikator.0.desimal"),
    (("sasaran", 0, "indikator", 0, "kategori"), "lain", "sasaran.0.indikator.0.kategori"),
    (("sasaran", 0, "indikator", 0, "benchmark", "tingkat"), "dunia", "sasaran.0.indikator.0.benchmark.tingkat"),
    (("sasaran", 0, "indikator", 0, "realisasi_tahun_sebelumnya"), [{"tahun": 2023, "nilai": "7"}] * 6,
     "sasaran.0.indikator.0.realisasi_tahun_sebelumnya"),
    (("sasaran", 0, "indikator", 0, "target_renstra", 0, "nilai"), "7", "sasaran.0.indikator.0.target_renstra.0.nilai"),
    (("program", 0, "kegiatan", 0, "pagu"), "-1", "program.0.kegiatan.0.pagu"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "where"), PK_PLAN_REFUSALS, ids=[w for _, _, w in PK_PLAN_REFUSALS])
def test_a_pk_the_model_refuses_the_rules_refuse(path: tuple[Any, ...], value: Any, where: str) -> None:
    pk = json.loads((EXAMPLES / "pk-2024.json").read_text())
    node = pk
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert any(loc.startswith(where) for loc in refused(schemas.PerjanjianKinerja, pk))
    assert validate_pk(pk, 2024) != []
