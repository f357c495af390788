"""The aggregator's answers are what their types say (services/aggregator/schemas.py): every recap of the worked
example validates against the TypedDicts the OpenAPI documents, holds no key they do not declare, and each key is a
field of the SAKIP vocabulary's Rekap (its document form: Rekap.from_document reads it back)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from pydantic import TypeAdapter

from services.aggregator import schemas
from services.aggregator.domain import PERIODE_QUARTERS
from services.aggregator.handlers import ParsedPk, Year, compute_from, responsible
from services.aggregator.models import AggInput
from services.aggregator.rekap import parse_pk
from services.aggregator.tren import build_tren
from shared.sakip import Rekap, RekapIndikator
from shared.sakip.document import (
    AnalisisDoc,
    AnggaranRekapDoc,
    CatatanDoc,
    KelengkapanDoc,
    RekapDoc,
    RekapIndikatorDoc,
    RekapSasaranDoc,
)
from shared.sakip.rekap import Analisis, AnggaranRekap, Catatan, Kelengkapan, RekapSasaran
from tests.unit.renderer.worked_example import PERIODES, load_pk, load_submissions


def _year() -> Year:
    pk = load_pk()
    latest: dict[tuple[int, str], dict[str, str]] = {}
    for sub in load_submissions():
        held = latest.setdefault((sub["triwulan"], sub["unit"]), {})
        held.update({item["indikator"]: str(item["nilai"]) for item in sub["realisasi"]})
    inputs = [
        AggInput(tahun=2024, triwulan=q, unit=unit, revision=1, submission_id=f"s{q}{unit}", values=json.dumps(held),
                 kendala="Hujan" if q == 1 else None, complete_on_time=True,
                 analisis=json.dumps({min(held): {"penyebab": "Hujan", "tindak_lanjut": "Ulang"}}) if q == 2 else None)
        for (q, unit), held in sorted(latest.items())
    ]  # fmt: skip
    values: dict[str, dict[int, Decimal]] = {}
    for row in inputs:
        for kode, nilai in json.loads(row.values).items():
            values.setdefault(kode, {})[row.triwulan] = Decimal(nilai)
    parsed = ParsedPk(pk, *parse_pk(pk), responsible(pk))
    reported = {(r.triwulan, r.unit): set(json.loads(r.values)) for r in inputs}
    return Year(2024, 1, pk, parsed.sasaran, parsed.indikator, inputs, values, {}, parsed.expected, reported)


@pytest.mark.parametrize("periode", PERIODES)
def test_every_recap_is_the_documented_answer_and_reads_as_the_vocabularys_rekap(periode: str) -> None:
    result = compute_from(_year(), periode)
    answer = {**result["rekap"], "revision": 1, "inputs": result["inputs"]}
    TypeAdapter(schemas.Rekap).validate_python(answer, strict=True)
    optional = {"quarters_final", "analisis"}  # analisis: since issue 15 (a recap stored before has none)
    assert schemas.Rekap.__required_keys__ <= set(answer) <= schemas.Rekap.__required_keys__ | optional
    assert "analisis" in answer and bool(answer["analisis"]) == (2 in PERIODE_QUARTERS[periode])
    assert ("quarters_final" in answer) == (periode in ("S1", "S2", "TAHUNAN"))
    for row in answer["indikator"]:
        assert set(row) <= RekapIndikatorDoc.__required_keys__ | RekapIndikatorDoc.__optional_keys__
    typed = Rekap.from_document(result["rekap"])
    assert typed.document() == json.loads(json.dumps(result["rekap"]))  # the document form, exactly


def test_the_documents_name_only_the_vocabularys_fields() -> None:
    for doc, model in [(RekapDoc, Rekap), (RekapIndikatorDoc, RekapIndikator)]:
        assert (doc.__required_keys__ | doc.__optional_keys__) <= set(model.model_fields), doc.__name__

    same = [(RekapSasaranDoc, RekapSasaran), (KelengkapanDoc, Kelengkapan), (CatatanDoc, Catatan),
            (AnggaranRekapDoc, AnggaranRekap), (AnalisisDoc, Analisis)]  # fmt: skip
    for doc, model in same:
        assert doc.__required_keys__ | doc.__optional_keys__ == set(model.model_fields), doc.__name__
    assert set(schemas.Rekap.__required_keys__) - set(Rekap.model_fields) == {"inputs"}


def test_the_trend_is_the_documented_answer() -> None:
    year = _year()
    monthly = {i.kode: {1: Decimal("10"), 2: Decimal("20")} for i in year.indikator}
    out = {**build_tren(2024, 1, year.indikator, monthly), "anggaran": []}
    TypeAdapter(schemas.Tren).validate_python(out, strict=True)
    assert {k for row in out["indikator"] for k in row} == schemas.IndikatorTren.__required_keys__
    assert out["ringkasan"]["merah"] + out["ringkasan"]["kuning"] + out["ringkasan"]["aman"] == len(year.indikator)
