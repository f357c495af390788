"""A report read against the PK and weighed against what the unit holds, without a database: per-field bounds,
indicator membership in the PK, value forms, the unit's right to report, and what a resubmission changes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from services.collector.core import report as rp
from services.collector.core.errors import Invalid, NotPermitted
from services.collector.core.report import ParsedPk

PK = {
    "tahun": 2024,
    "units": [
        {"kode": "BID-A", "nama": "A", "jenis": "bidang"},
        {"kode": "SEKSI-A1", "nama": "A1", "jenis": "seksi", "induk": "BID-A"},
        {"kode": "BID-B", "nama": "B", "jenis": "bidang"},
    ],
    "sasaran": [
        {
            "kode": "S1",
            "indikator": [
                {"kode": "IK1", "satuan": "%", "penanggung_jawab": "BID-A"},
                {"kode": "IK2", "satuan": "dokumen", "penanggung_jawab": "BID-A"},
                {"kode": "IK3", "satuan": "%", "penanggung_jawab": "BID-B"},
            ],
        }
    ],
    "program": [{"kode": "P1", "unit": "BID-A"}],
}


@dataclass
class Known:
    units: tuple[str, ...] = ("BID-A", "SEKSI-A1", "BID-B")
    parents: tuple[tuple[str, str], ...] = (("SEKSI-A1", "BID-A"),)
    pks: tuple[int, ...] = (2024,)

    def unit_exists(self, unit: str) -> bool:
        return unit in self.units

    def may_act_for(self, key_unit: str, unit: str) -> bool:
        return key_unit == unit or (unit, key_unit) in self.parents

    def pk(self, tahun: int) -> ParsedPk | None:
        return ParsedPk.of(1, PK) if tahun in self.pks else None


def read(body: Any, key_unit: str | None = "BID-A", known: Known | None = None) -> rp.Report:
    return rp.read_report(
        body, key_unit=key_unit, known=known or Known(), check_period=rp.check_triwulan, period_field="triwulan"
    )


def refused(body: Any, key_unit: str | None = "BID-A", known: Known | None = None) -> list[tuple[str | None, str]]:
    with pytest.raises(Invalid) as err:
        read(body, key_unit, known)
    return [(p.field, p.rule) for p in err.value.problems]


def body(**over: Any) -> dict[str, Any]:
    return {"tahun": 2024, "triwulan": 1, "unit": "BID-A", "realisasi": [{"indikator": "IK1", "nilai": "60"}], **over}


def test_a_valid_report_names_its_values_as_decimals() -> None:
    r = read(body(realisasi=[{"indikator": "IK1", "nilai": "60.5", "keterangan": "ok"}]))
    assert (r.tahun, r.unit, r.good) == (2024, "BID-A", [("IK1", Decimal("60.5"), "ok")])
    assert r.responsible["BID-A"] == ["IK1", "IK2"]


def test_the_responsible_units_are_read_from_the_pk() -> None:
    assert rp.responsible(PK) == {"BID-A": ["IK1", "IK2"], "BID-B": ["IK3"]}


def test_a_percentage_is_at_most_100() -> None:
    read(body(realisasi=[{"indikator": "IK1", "nilai": "100"}]))
    assert refused(body(realisasi=[{"indikator": "IK1", "nilai": "100.01"}])) == [
        ("realisasi[0].nilai", "out_of_range")
    ]


def test_a_count_may_pass_100() -> None:
    assert read(body(realisasi=[{"indikator": "IK2", "nilai": "250"}])).good[0][1] == Decimal(250)


def test_a_value_is_never_negative() -> None:
    assert refused(body(realisasi=[{"indikator": "IK2", "nilai": "-1"}])) == [("realisasi[0].nilai", "negative_value")]


@pytest.mark.parametrize(
    ("nilai", "rule"),
    [
        ("6O", "not_a_number"),
        ("1e3", "not_a_number"),
        ("60,5", "not_a_number"),
        ("NaN", "not_a_number"),
        ("1.123456789", "too_many_decimals"),
        (None, "required"),
    ],
)
def test_a_value_has_one_plain_decimal_form(nilai: Any, rule: str) -> None:
    assert refused(body(realisasi=[{"indikator": "IK2", "nilai": nilai}])) == [("realisasi[0].nilai", rule)]


def test_an_indicator_outside_the_pk_is_refused() -> None:
    assert refused(body(realisasi=[{"indikator": "IK9", "nilai": "1"}])) == [
        ("realisasi[0].indikator", "unknown_indikator")
    ]


def test_another_units_indicator_is_refused() -> None:
    assert refused(body(realisasi=[{"indikator": "IK3", "nilai": "1"}])) == [
        ("realisasi[0].indikator", "not_responsible")
    ]


def test_an_indicator_reported_twice_is_refused() -> None:
    items = [{"indikator": "IK1", "nilai": "1"}, {"indikator": "IK1", "nilai": "2"}]
    assert refused(body(realisasi=items)) == [("realisasi[1].indikator", "duplicate_indikator")]


def test_a_misspelt_field_is_refused_not_dropped() -> None:
    assert refused(body(kendalla="x", realisasi=[{"indikator": "IK1", "nilai": "1", "ket": "y"}])) == [
        ("kendalla", "unknown_field"),
        ("realisasi[0].ket", "unknown_field"),
    ]


def test_every_problem_is_listed_in_field_order() -> None:
    bad = {"tahun": 1999, "triwulan": 5, "unit": "BID-A", "realisasi": "x", "kendala": 3}
    assert refused(bad) == [
        ("tahun", "out_of_range"),
        ("triwulan", "not_allowed"),
        ("realisasi", "not_a_list"),
        ("kendala", "not_a_string"),
    ]


@pytest.mark.parametrize("tahun", [True, "2024", 2024.0])
def test_a_year_is_an_integer(tahun: Any) -> None:
    assert refused(body(tahun=tahun, realisasi=[], kendala="x")) == [("tahun", "not_an_integer")]


@pytest.mark.parametrize("tahun", [2000, 2100])
def test_the_years_bounds_are_inclusive(tahun: int) -> None:
    read(body(tahun=tahun), known=Known(pks=(tahun,)))


def test_a_year_without_a_pk_is_refused() -> None:
    assert refused(body(tahun=2025)) == [("tahun", "pk_not_found"), ("realisasi[0].indikator", "unknown_indikator")]


def test_a_body_that_is_no_object_is_refused() -> None:
    assert refused([1]) == [("body", "not_an_object")]


def test_an_empty_report_is_refused() -> None:
    assert refused(body(realisasi=[])) == [("realisasi", "empty_report")]
    assert refused(body(realisasi=[], kendala="   ")) == [("realisasi", "empty_report")]


def test_a_report_of_notes_only_is_taken() -> None:
    assert read(body(realisasi=[], kendala="listrik padam")).good == []


def test_notes_are_at_most_4000_characters() -> None:
    read(body(solusi="x" * 4000))
    assert refused(body(solusi="x" * 4001)) == [("solusi", "too_long")]


def test_anggaran_needs_a_programme_of_the_unit() -> None:
    assert read(body(anggaran={"realisasi": "1500000.50"})).spent == "1500000.50"
    b = body(unit="BID-B", realisasi=[{"indikator": "IK3", "nilai": "1"}], anggaran={"realisasi": "1"})
    assert refused(b, key_unit="BID-B") == [("anggaran.realisasi", "no_programme")]


def test_anggaran_is_an_object_with_realisasi_only() -> None:
    assert refused(body(anggaran=5)) == [("anggaran", "not_an_object")]
    assert refused(body(anggaran={"realisasi": "1", "pagu": "2"})) == [("anggaran.pagu", "unknown_field")]


def test_a_key_may_report_for_its_child_unit() -> None:
    b = body(unit="SEKSI-A1", realisasi=[], kendala="x")
    assert read(b, key_unit="BID-A").unit == "SEKSI-A1"


def test_a_key_may_not_report_for_another_unit() -> None:
    with pytest.raises(NotPermitted) as err:
        read(body(unit="BID-B"), key_unit="BID-A")
    (problem,) = err.value.problems
    assert (problem.field, problem.rule) == ("unit", "wrong_unit")
    assert "BID-A" in problem.message_en and "BID-B" in problem.message_en


def test_the_admin_reports_for_any_known_unit_only() -> None:
    assert read(body(), key_unit=None).unit == "BID-A"
    assert refused(body(unit="NOPE", realisasi=[], kendala="x"), key_unit=None) == [("unit", "unknown_unit")]


def test_a_month_is_1_to_12() -> None:
    def month(bulan: Any) -> list[tuple[str | None, str]]:
        b = {**body(), "bulan": bulan}
        del b["triwulan"]
        with pytest.raises(Invalid) as err:
            rp.read_report(b, key_unit="BID-A", known=Known(), check_period=rp.check_bulan, period_field="bulan")
        return [(p.field, p.rule) for p in err.value.problems]

    assert month(13) == [("bulan", "out_of_range")]
    assert month(0) == [("bulan", "out_of_range")]
    assert month("1") == [("bulan", "not_an_integer")]
    assert month(None) == [("bulan", "required")]


@dataclass
class Held:
    nilai: str
    keterangan: str | None = None


def test_a_value_equal_as_a_decimal_is_ignored() -> None:
    d = rp.diff_values({"IK1": Held("60.00")}, [("IK1", Decimal("60"), None)])
    assert (d.imported, d.updated, d.ignored, d.changes) == (0, 0, 1, [])


def test_a_new_keterangan_updates_an_equal_value() -> None:
    d = rp.diff_values({"IK1": Held("60", "a")}, [("IK1", Decimal("60"), "b")])
    assert (d.updated, d.changes) == (1, [("IK1", "60", "b")])


def test_new_and_changed_values_are_imported_and_updated() -> None:
    d = rp.diff_values({"IK1": Held("60")}, [("IK1", Decimal("61"), None), ("IK2", Decimal("3"), None)])
    assert d.summary() == {"imported": 1, "updated": 1, "ignored": 0, "conflicts": []}
    assert d.changes == [("IK1", "61", None), ("IK2", "3", None)]


@dataclass
class Catatan:
    anggaran_realisasi: str | None = None
    kendala: str | None = None
    solusi: str | None = None


def test_the_catatan_change_only_by_what_the_report_names() -> None:
    r = read(body(anggaran={"realisasi": "100.0"}))
    assert not rp.catatan_changed(Catatan("100"), r)  # equal as decimals
    assert rp.catatan_changed(Catatan("99"), r)
    row = Catatan("99", kendala="k")
    rp.apply_catatan(row, r)
    assert (row.anggaran_realisasi, row.kendala, row.solusi) == ("100.0", "k", None)


def test_a_unit_completes_its_quarter_when_it_holds_every_indicator() -> None:
    r = read(body())
    assert not rp.completes(r, {"IK1": Held("1")})
    assert rp.completes(r, {"IK1": Held("1"), "IK2": Held("2")})


def test_a_report_of_many_bad_items_lists_the_first_hundred_problems_and_says_there_are_more() -> None:
    """The fourth outsider's 1 MiB report of 28.334 items, each with three problems, was answered a 28 MiB list of
    113.000 after 1,4 s of the event loop; an object of 100.000 unknown keys, 100.000 problems."""
    from services.collector.core.validation import MAX_PROBLEMS, MAX_REALISASI

    bad = [{"indikator": "X", "nilai": "a", "zz": 1}] * (MAX_REALISASI - 1)
    got = refused(body(realisasi=bad, kendalla="typo"))
    assert len(got) == MAX_PROBLEMS + 1 and got[-1] == (None, "more_problems")
    assert got[0] == ("kendalla", "unknown_field") and got[1] == ("realisasi[0].zz", "unknown_field")
    wide = refused(body(realisasi=[{"indikator": "IK1", "nilai": "1", **{f"k{i}": 1 for i in range(100_000)}}]))
    assert wide[:2] == [("realisasi[0].k0", "unknown_field"), ("realisasi[0].k1", "unknown_field")]
    assert len(wide) == MAX_PROBLEMS + 1 and wide[-1] == (None, "more_problems")
    with pytest.raises(Invalid) as err:
        read(body(realisasi=bad))
    assert "100" in err.value.problems[-1].message_id and "fix those listed" in err.value.problems[-1].message_en


def test_a_report_of_more_values_than_a_unit_answers_for_is_refused_whole() -> None:
    from services.collector.core.validation import MAX_REALISASI

    items = [{"indikator": f"IK{n}", "nilai": "1"} for n in range(MAX_REALISASI + 1)]
    assert refused(body(realisasi=items)) == [("realisasi", "too_many_items")]
