"""The PK document's rules (core/validation.validate_pk), without a database: units, indicators, targets, ranges."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from services.collector.core.validation import validate_pk

GOOD: dict[str, Any] = {
    "instansi": {"nama": "Dinas"},
    "units": [{"kode": "BID-A", "nama": "A", "jenis": "bidang"}, {"kode": "S-A1", "nama": "A1", "jenis": "seksi"}],
    "sasaran": [
        {
            "kode": "S1",
            "nama": "Sasaran",
            "indikator": [
                {
                    "kode": "IK1",
                    "nama": "Cakupan",
                    "satuan": "%",
                    "polaritas": "positif",
                    "agregasi": "terakhir",
                    "penanggung_jawab": "BID-A",
                    "target": "80",
                    "target_triwulan": ["20", "40", "60", "80"],
                },
                {
                    "kode": "IK2",
                    "nama": "Waktu",
                    "satuan": "hari",
                    "polaritas": "rentang",
                    "agregasi": "rata_rata",
                    "penanggung_jawab": "S-A1",
                    "target_min": "15",
                    "target_max": "25",
                    "target_triwulan": [["15", "25"]] * 4,
                },
            ],
        }
    ],
    "program": [{"kode": "P1", "nama": "Program", "pagu": "1000000", "sasaran": "S1", "unit": "BID-A"}],
}


def problems(change: Any = None, tahun: int = 2024) -> list[tuple[str | None, str]]:
    doc = copy.deepcopy(GOOD)
    if change:
        change(doc)
    return [(p.field, p.rule) for p in validate_pk(doc, tahun)]


def ind(doc: dict[str, Any], n: int) -> dict[str, Any]:
    return doc["sasaran"][0]["indikator"][n]  # type: ignore[no-any-return]


def test_a_good_pk_has_no_problem() -> None:
    assert problems() == []


def test_a_body_that_is_no_object_is_refused() -> None:
    assert [(p.field, p.rule) for p in validate_pk([], 2024)] == [("body", "not_an_object")]


def test_the_year_in_the_body_must_match_the_url() -> None:
    assert problems(lambda d: d.update(tahun=2025)) == [("tahun", "tahun_mismatch")]
    assert problems(lambda d: d.update(tahun=2024)) == []


def test_a_unit_code_is_given_once() -> None:
    assert problems(lambda d: d["units"].append({"kode": "BID-A", "nama": "B", "jenis": "bidang"})) == [
        ("units[2].kode", "duplicate_kode")
    ]


def test_a_unit_kind_is_one_of_the_known_kinds() -> None:
    assert problems(lambda d: d["units"][0].update(jenis="divisi")) == [("units[0].jenis", "not_allowed")]


def test_a_parent_unit_must_be_in_the_pk() -> None:
    assert problems(lambda d: d["units"][1].update(induk="NOPE")) == [("units[1].induk", "unknown_unit")]
    assert problems(lambda d: d["units"][1].update(induk="BID-A")) == []


def test_an_indicator_code_is_unique_across_sasaran() -> None:
    assert problems(lambda d: ind(d, 1).update(kode="IK1")) == [("sasaran[0].indikator[1].kode", "duplicate_kode")]


def test_the_responsible_unit_must_be_in_the_pk() -> None:
    assert problems(lambda d: ind(d, 0).update(penanggung_jawab="BID-Z")) == [
        ("sasaran[0].indikator[0].penanggung_jawab", "unknown_unit")
    ]


def test_a_range_has_min_at_most_max() -> None:
    assert problems(lambda d: ind(d, 1).update(target_min="26")) == [
        ("sasaran[0].indikator[1].target_max", "invalid_range")
    ]
    assert problems(lambda d: ind(d, 1).update(target_min="25")) == []  # min == max is a range of one value


def test_a_quarterly_range_is_a_pair() -> None:
    def change(d: dict[str, Any]) -> None:
        ind(d, 1)["target_triwulan"] = [["15", "25"], ["15"], ["30", "20"], "20"]

    assert problems(change) == [
        ("sasaran[0].indikator[1].target_triwulan[1]", "invalid_range"),
        ("sasaran[0].indikator[1].target_triwulan[2]", "invalid_range"),
        ("sasaran[0].indikator[1].target_triwulan[3]", "invalid_range"),
    ]


@pytest.mark.parametrize("targets", [["1", "2", "3"], ["1", "2", "3", "4", "5"], None, "1,2,3,4"])
def test_there_are_four_quarterly_targets(targets: Any) -> None:
    assert problems(lambda d: ind(d, 0).update(target_triwulan=targets)) == [
        ("sasaran[0].indikator[0].target_triwulan", "target_triwulan_count")
    ]


def test_a_target_is_a_plain_non_negative_decimal() -> None:
    assert problems(lambda d: ind(d, 0).update(target="-1")) == [("sasaran[0].indikator[0].target", "negative_value")]
    assert problems(lambda d: ind(d, 0).update(target="80%")) == [("sasaran[0].indikator[0].target", "not_a_number")]


def test_a_programme_names_a_known_sasaran_and_unit() -> None:
    assert problems(lambda d: d["program"][0].update(sasaran="S9", unit="X")) == [
        ("program[0].sasaran", "unknown_sasaran"),
        ("program[0].unit", "unknown_unit"),
    ]


def test_a_code_is_never_a_list_or_an_object() -> None:
    assert problems(lambda d: d["program"][0].update(sasaran=["S1"])) == [("program[0].sasaran", "unknown_sasaran")]
