"""shared.sakip: the SAKIP vocabulary typed once (issue 14 item 2) — periods, targets, PK, recap, predikat and who
answers for which indicator; each typed form converts exactly to and from the document form v1 events carried."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from shared.decimals import NotADecimal, as_decimal, optional_decimal
from shared.sakip import (
    DEFAULT_PREDIKAT_BANDS,
    PERIODE_PATTERN,
    PERIODE_QUARTERS,
    PERIODES,
    TRIWULAN_PATTERN,
    TRIWULAN_PERIODES,
    Periode,
    PerjanjianKinerja,
    Predikat,
    Rekap,
    Target,
    predikat_label,
    responsibility,
)

EVENTS = Path(__file__).resolve().parents[2] / "fixtures" / "events"


def _stored(name: str) -> Any:
    return json.loads((EVENTS / name).read_text())


def test_periods_their_quarters_kinds_and_labels() -> None:
    assert PERIODES == ("TW1", "TW2", "TW3", "TW4", "S1", "S2", "TAHUNAN")
    assert PERIODE_QUARTERS == {
        "TW1": (1,), "TW2": (2,), "TW3": (3,), "TW4": (4,), "S1": (1, 2), "S2": (3, 4), "TAHUNAN": (1, 2, 3, 4),
    }  # fmt: skip
    assert [Periode(p).kind for p in PERIODES] == ["triwulan"] * 4 + ["semester"] * 2 + ["tahunan"]
    assert Periode.S2.quarters_to_date == (1, 2, 3, 4) and Periode.TW2.quarters_to_date == (1, 2)
    assert Periode.TW3.triwulan == 3 and Periode.S1.triwulan is None and Periode.of_quarter(4) is Periode.TW4
    assert Periode.parse("S2").label(2024) == "Semester II 2024"
    assert Periode.TAHUNAN.label(2024, "en") == "Year 2024"
    with pytest.raises(ValueError, match="unknown periode"):
        Periode.parse("TW5")
    assert Periode.TW1 == "TW1" and json.dumps({"p": Periode.TW1}) == '{"p": "TW1"}'


def test_the_path_patterns_accept_exactly_the_periods() -> None:
    candidates = [*PERIODES, "TW0", "TW5", "S0", "S3", "tahunan", "TAHUNAN2", "", "TW", "S12"]
    assert [c for c in candidates if re.fullmatch(PERIODE_PATTERN.strip("^$"), c)] == list(PERIODES)
    assert [c for c in candidates if re.fullmatch(TRIWULAN_PATTERN.strip("^$"), c)] == list(TRIWULAN_PERIODES)


def test_a_target_is_one_number_or_a_range_never_both() -> None:
    assert Target.parse("15.00-25.00") == Target(min=Decimal("15.00"), max=Decimal("25.00"))
    assert Target.parse("-5.00").value == Decimal("-5.00")  # a leading minus belongs to the number
    assert Target.parse("-5.00--1.00").bounds == (Decimal("-5.00"), Decimal("-1.00"))
    for text in ("15.00-25.00", "87.50", "-5.00--1.00", "1E+41"):
        assert Target.parse(text).text() == text
    assert Target.from_pk(["15", 25]).model_dump(mode="json") == {"min": "15", "max": "25"}
    assert Target.from_pk(12.5).pk_value() == "12.5" and Target.from_pk(["1", "2"]).pk_value() == ["1", "2"]
    assert Target.of((Decimal(1), Decimal(2))).is_range and not Target.of(Decimal(3)).is_range
    for bad in ({}, {"nilai": "1", "min": "1", "max": "2"}, {"min": "1"}, {"min": "3", "max": "2"}):
        with pytest.raises(ValidationError):
            Target.model_validate(bad)


def test_one_decimal_reader_for_checked_figures() -> None:
    assert str(as_decimal("87.50")) == "87.50" and as_decimal(15.5) == Decimal("15.5") and as_decimal(7) == 7
    assert optional_decimal(None) is None and optional_decimal("") is None
    with pytest.raises(NotADecimal):
        as_decimal(True)


def test_predikat_bands_and_labels() -> None:
    assert [name for _, name in DEFAULT_PREDIKAT_BANDS] == list(Predikat)
    assert Predikat.SANGAT_BAIK.label("en") == "Very Good" and Predikat.KURANG.label() == "Kurang"
    assert predikat_label("Cukup", "en", "–") == "Fair" and predikat_label(None, "en", "–") == "–"
    assert predikat_label("Cukup", "id", "–") == "Cukup" and predikat_label("Lain", "en", "–") == "Lain"


def test_the_pk_document_and_the_typed_pk_convert_exactly() -> None:
    doc = _stored("PerjanjianKinerjaPublished.v1.json")["payload"]["pk"]
    pk = PerjanjianKinerja.from_document(doc)
    assert pk.document() == doc
    assert PerjanjianKinerja.read(pk.model_dump(mode="json")) == pk == PerjanjianKinerja.read(doc)
    ranged = [i for _, i in pk.indikator() if i.polaritas == "rentang"]
    assert ranged and all(i.target.is_range and all(t.is_range for t in i.target_triwulan) for i in ranged)
    assert pk.instansi.model_extra and "kode" in pk.instansi.model_extra  # the agency's own fields travel along
    assert pk.instansi.kepala and pk.instansi.kepala.nip == doc["instansi"]["kepala"]["nip"]  # typed since issue 15
    assert PerjanjianKinerja.from_document({**doc, "program": None}).program == []  # the collector accepts null
    wrong = json.loads(json.dumps(doc))
    wrong["sasaran"][0]["indikator"][0]["target_triwulan"][0] = ["1", "2"]  # a range for a single-target indicator
    with pytest.raises(ValidationError):
        PerjanjianKinerja.from_document(wrong)


def test_who_answers_for_which_indicator() -> None:
    pk = PerjanjianKinerja.from_document(_stored("PerjanjianKinerjaPublished.v1.json")["payload"]["pk"])
    by_unit = pk.responsibility()
    assert by_unit["BID-PPTK"] == ["IK-2.2", "IK-2.3"] and by_unit["BPS"] == ["IKU-1"]
    rows = [{"kode": "A", "penanggung_jawab": "U"}, {"kode": "B", "penanggung_jawab": None}, {"kode": "C"}]
    assert responsibility(rows) == {"U": ["A"]}  # a recap row naming no unit is nobody's


@pytest.mark.parametrize("n", range(7))
def test_the_recap_document_and_the_typed_recap_convert_exactly(n: int) -> None:
    doc = _stored("RekapCompleted.v1.json")[n]["payload"]["rekap"]
    rekap = Rekap.from_document(doc)
    assert json.dumps(rekap.document()) == json.dumps(doc)  # the same text, keys in the same order
    assert Rekap.model_validate_json(rekap.model_dump_json()) == rekap
    assert all(isinstance(row.target, Target) for row in rekap.indikator)
    assert (rekap.quarters_final is None) == (len(rekap.periode.quarters) == 1)
    assert all((row.target_sd is None) == (rekap.periode == "TAHUNAN") for row in rekap.indikator)


def test_a_recap_keeps_what_it_was_given_and_no_more() -> None:
    doc = _stored("RekapCompleted.v1.json")[0]["payload"]["rekap"]
    added = {**doc, "catatan_baru": "x"}  # an additive field of a later producer travels along
    assert Rekap.from_document(added).document() == added
    partial = {"indikator": [{"kode": "A", "realisasi": None}], "capaian_instansi": None}  # a test's
    assert Rekap.from_document(partial).document() == partial
    assert Rekap.model_validate_json(Rekap.from_document(partial).model_dump_json()).document() == partial
    with pytest.raises(ValidationError):
        Rekap.from_document({**doc, "status": "selesai"})
