"""The PK's planning context (issue 15): Renstra, signing date, pihak kedua, the kepala's rank, per indicator the
past years, the Renstra path, a benchmark, desimal and kategori, per programme its kegiatan. Every key is optional;
one given is checked whole, each problem named by field and rule."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from services.collector.core.validation import validate_pk
from services.collector.pk import changes
from shared.sakip import PerjanjianKinerja

EXAMPLE: dict[str, Any] = json.loads((Path(__file__).resolve().parents[3] / "examples" / "pk-2024.json").read_text())


def problems(change: Any = None, tahun: int = 2024) -> list[tuple[str | None, str]]:
    doc = copy.deepcopy(EXAMPLE)
    if change:
        change(doc)
    return [(p.field, p.rule) for p in validate_pk(doc, tahun)]


def indikator(doc: dict[str, Any], kode: str) -> dict[str, Any]:
    return next(i for s in doc["sasaran"] for i in s["indikator"] if i["kode"] == kode)


IKU1 = "sasaran[0].indikator[0]"  # IKU-1, TPT: %, negatif
IK21 = "sasaran[1].indikator[0]"  # IK-2.1: orang
IK51 = "sasaran[4].indikator[0]"  # IK-5.1: %, rentang, serapan_anggaran


def test_the_worked_example_is_accepted_and_its_figures_agree() -> None:
    assert problems() == []
    for s in EXAMPLE["sasaran"]:
        for ind in s["indikator"]:
            past = {p["tahun"]: p["nilai"] for p in ind["realisasi_tahun_sebelumnya"]}
            assert sorted(past) == [2019, 2020, 2021, 2022, 2023] and past[2023] == ind["realisasi_tahun_lalu"]
            path = {t["tahun"]: t for t in ind["target_renstra"]}
            assert sorted(path) == [2020, 2021, 2022, 2023, 2024]
            if "target" in path[2024]:
                assert float(path[2024]["target"]) == float(ind["target_akhir_renstra"])
    for prog in EXAMPLE["program"]:  # the kegiatan share out the whole programme
        assert sum(int(k["pagu"]) for k in prog["kegiatan"]) == int(prog["pagu"])


def test_the_typed_pk_writes_the_example_back_exactly() -> None:
    pk = PerjanjianKinerja.from_document(EXAMPLE)
    assert pk.document() == EXAMPLE
    assert PerjanjianKinerja.read(pk.model_dump(mode="json")) == pk
    assert (
        pk.renstra and pk.renstra.tahun_akhir == 2024 and pk.instansi.kepala and pk.instansi.kepala.golongan == "IV/c"
    )
    serapan = [i.kode for _, i in pk.indikator() if i.kategori == "serapan_anggaran"]
    assert serapan == ["IK-5.1"]


def test_a_pk_without_any_of_the_new_keys_still_writes_back_exactly() -> None:
    doc = copy.deepcopy(EXAMPLE)
    for key in ("tanggal", "pihak_kedua", "renstra"):
        del doc[key]
    for s in doc["sasaran"]:
        for ind in s["indikator"]:
            for key in ("realisasi_tahun_sebelumnya", "target_renstra", "benchmark", "kategori"):
                ind.pop(key, None)
    for prog in doc["program"]:
        del prog["kegiatan"]
    assert validate_pk(doc, 2024) == []
    assert PerjanjianKinerja.from_document(doc).document() == doc
    assert "kegiatan" not in PerjanjianKinerja.from_document(doc).model_dump(mode="json")["program"][0]


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("31-01-2024", "not_a_day"),
        ("2024-02-30", "not_a_day"),
        (20240131, "not_a_day"),
        ("2022-12-30", "tanggal_tahun"),
    ],
)
def test_the_signing_date_is_a_day_of_the_pk_year_or_the_one_before(value: Any, rule: str) -> None:
    assert problems(lambda d: d.update(tanggal=value)) == [("tanggal", rule)]
    assert problems(lambda d: d.update(tanggal="2023-12-28")) == []


def test_the_messages_name_the_field_and_the_rule_in_both_languages() -> None:
    doc = copy.deepcopy(EXAMPLE)
    doc["tanggal"] = "2022-12-30"
    (problem,) = validate_pk(doc, 2024)
    assert problem.message_id == "tanggal: harus pada tahun PK atau tahun sebelumnya (2023–2024)"
    assert problem.message_en == "tanggal: must fall in the PK's year or the year before (2023–2024)"


def test_pihak_kedua_names_a_person_and_a_jabatan_and_no_unknown_key() -> None:
    assert problems(lambda d: d["pihak_kedua"].update(jabatn="x", nip="1972")) == [
        ("pihak_kedua.jabatn", "unknown_field"),
        ("pihak_kedua.nip", "not_a_nip"),
    ]
    assert problems(lambda d: d.update(pihak_kedua={"nama": " "})) == [
        ("pihak_kedua.nama", "required"),
        ("pihak_kedua.jabatan", "required"),
    ]
    assert problems(lambda d: d.update(pihak_kedua="Wali Kota")) == [("pihak_kedua", "not_an_object")]
    assert problems(lambda d: d["pihak_kedua"].update(nip="19720502 200212 1 009")) == []


def test_the_kepala_rank_matches_the_grade() -> None:
    def kepala(**kw: Any) -> Any:
        return lambda d: d["instansi"]["kepala"].update(**kw)

    assert problems(kepala(golongan="IV/d")) == [("instansi.kepala.pangkat", "pangkat_golongan")]
    assert problems(kepala(golongan="V/a")) == [("instansi.kepala.golongan", "not_a_golongan")]
    assert problems(kepala(golongan="IV/d", pangkat="Pembina Utama Madya")) == []
    assert problems(kepala(jabatan=["Kepala"])) == [("instansi.kepala.jabatan", "not_a_string")]
    assert problems(kepala(nip="١٩٧٢٠٥٠٢٢٠٠٢١٢١٠٠٩")) == [("instansi.kepala.nip", "not_a_nip")]  # digits, but not 0-9
    assert problems(kepala(foto="ttd.png")) == []  # the kepala's other keys travel along, as `instansi`'s always did
    assert problems(lambda d: d["instansi"].update(kepala="Ujang")) == [("instansi.kepala", "not_an_object")]


def test_the_renstra_covers_the_pk_year_and_lists_misi_and_tujuan() -> None:
    def renstra(**kw: Any) -> Any:
        return lambda d: d["renstra"].update(**kw)

    assert problems(renstra(tahun_akhir=2023)) == [("renstra.tahun_akhir", "renstra_period")]  # 2024 outside
    assert problems(renstra(tahun_awal=2017)) == [("renstra.tahun_akhir", "renstra_period")]  # 8 years
    assert problems(renstra(tahun_awal=1999)) == [("renstra.tahun_awal", "out_of_range")]
    assert problems(renstra(misi=[])) == [("renstra.misi", "required")]
    assert problems(renstra(misi=["a", 3, ""])) == [
        ("renstra.misi[1]", "not_a_string"),
        ("renstra.misi[2]", "required"),
    ]
    assert problems(renstra(misi=["m"] * 21)) == [("renstra.misi", "too_many_items")]
    assert problems(renstra(tujuan=[{"kode": "T-1", "nama": "a"}, {"kode": "T-1", "nama": "b", "x": 1}])) == [
        ("renstra.tujuan[1].x", "unknown_field"),
        ("renstra.tujuan[1].kode", "duplicate_kode"),
    ]
    assert problems(lambda d: d["renstra"].pop("visi")) == [("renstra.visi", "required")]
    assert problems(renstra(misi_=[])) == [("renstra.misi_", "unknown_field")]


def test_the_past_years_are_the_five_before_the_pk_and_last_year_agrees() -> None:
    def past(kode: str, items: Any) -> Any:
        return lambda d: indikator(d, kode).update(realisasi_tahun_sebelumnya=items)

    key = f"{IKU1}.realisasi_tahun_sebelumnya"
    assert problems(past("IKU-1", [{"tahun": 2018, "nilai": "7"}])) == [(f"{key}[0].tahun", "past_year")]
    assert problems(past("IKU-1", [{"tahun": 2024, "nilai": "7"}])) == [(f"{key}[0].tahun", "past_year")]
    assert problems(past("IKU-1", [{"tahun": 2022, "nilai": "7"}, {"tahun": 2022, "nilai": "7"}])) == [
        (f"{key}[1].tahun", "duplicate")
    ]
    assert problems(past("IKU-1", [{"tahun": 2023, "nilai": "7.05"}])) == [(f"{key}[0].nilai", "differs_tahun_lalu")]
    assert problems(past("IKU-1", [{"tahun": 2023, "nilai": 7.04}])) == []  # a JSON number of the same value
    assert problems(past("IKU-1", [{"tahun": 2022, "nilai": "100.5"}])) == [(f"{key}[0].nilai", "out_of_range")]
    assert problems(past("IKU-1", [{"tahun": 2022}, None, {"tahun": 2021, "nilai": "7", "sumber": "BPS"}])) == [
        (f"{key}[0].nilai", "required"),
        (f"{key}[1]", "not_an_object"),
        (f"{key}[2].sumber", "unknown_field"),
    ]
    six = [{"tahun": 2018 + n, "nilai": "7"} for n in range(6)]
    assert problems(past("IKU-1", six)) == [(key, "too_many_items")]
    assert problems(past("IK-2.1", [{"tahun": 2022, "nilai": "1020.5"}])) == []  # a count may be any figure ≥ 0
    assert problems(past("IK-2.1", {"2022": "1020"})) == [(f"{IK21}.realisasi_tahun_sebelumnya", "not_a_list")]


def test_the_renstra_path_lies_in_the_renstra_and_ends_at_its_end_target() -> None:
    def path(kode: str, items: Any) -> Any:
        return lambda d: indikator(d, kode).update(target_renstra=items)

    key = f"{IKU1}.target_renstra"
    assert problems(path("IKU-1", [{"tahun": 2025, "target": "6"}])) == [(f"{key}[0].tahun", "outside_renstra")]
    assert problems(path("IKU-1", [{"tahun": 2024, "target": "6.30"}])) == [
        (f"{key}[0].target", "differs_akhir_renstra")
    ]
    assert problems(path("IKU-1", [{"tahun": 2024, "target_min": "6"}])) == [
        (f"{key}[0].target_min", "unknown_field"),
        (f"{key}[0].target", "required"),
    ]
    ranged = f"{IK51}.target_renstra"
    assert problems(path("IK-5.1", [{"tahun": 2024, "target_min": "95", "target_max": "90"}])) == [
        (f"{ranged}[0].target_max", "invalid_range")
    ]
    assert problems(path("IK-5.1", [{"tahun": 2024, "target": "95"}])) == [
        (f"{ranged}[0].target", "unknown_field"),
        (f"{ranged}[0].target_min", "required"),
        (f"{ranged}[0].target_max", "required"),
    ]
    assert problems(path("IKU-1", [{"tahun": 2019 + n, "target": "7"} for n in range(7)])) == [(key, "too_many_items")]

    def without_renstra(d: dict[str, Any]) -> None:  # no period known: any year, the end target not compared
        del d["renstra"]
        indikator(d, "IKU-1")["target_renstra"] = [{"tahun": 2025, "target": "6"}]

    assert problems(without_renstra) == []


def test_a_benchmark_has_a_value_a_source_and_a_level() -> None:
    def bench(value: Any) -> Any:
        return lambda d: indikator(d, "IKU-1").update(benchmark=value)

    key = f"{IKU1}.benchmark"
    assert problems(bench({"nilai": "4.91", "sumber": "BPS", "tingkat": "dunia", "tahun": 1990})) == [
        (f"{key}.tingkat", "not_allowed"),
        (f"{key}.tahun", "out_of_range"),
    ]
    assert problems(bench({"nilai": "-1", "sumbre": "BPS", "tingkat": "nasional"})) == [
        (f"{key}.sumbre", "unknown_field"),
        (f"{key}.nilai", "negative_value"),
        (f"{key}.sumber", "required"),
    ]
    assert problems(bench({"nilai": "4.91", "sumber": "BPS", "tingkat": "lainnya"})) == []  # tahun is optional
    assert problems(bench(["4.91"])) == [(key, "not_an_object")]


@pytest.mark.parametrize(("value", "rule"), [(5, "out_of_range"), (-1, "out_of_range"), ("2", "not_an_integer"),
                                             (True, "not_an_integer"), (1.5, "not_an_integer")])  # fmt: skip
def test_desimal_is_an_integer_from_0_to_4(value: Any, rule: str) -> None:
    assert problems(lambda d: indikator(d, "IK-2.1").update(desimal=value)) == [(f"{IK21}.desimal", rule)]
    assert problems(lambda d: indikator(d, "IK-2.1").update(desimal=0)) == []


def test_one_budget_absorption_indicator_measured_in_percent() -> None:
    assert problems(lambda d: indikator(d, "IK-2.1").update(kategori="serapan_anggaran")) == [
        (f"{IK21}.kategori", "kategori_satuan"),
        (f"{IK51}.kategori", "duplicate"),  # the second one in PK order
    ]
    assert problems(lambda d: indikator(d, "IK-5.1").update(kategori="serapan")) == [
        (f"{IK51}.kategori", "not_allowed")
    ]


def test_kegiatan_have_codes_once_and_fit_in_the_programme_budget() -> None:
    def kegiatan(n: int, items: Any) -> Any:
        return lambda d: d["program"][n].update(kegiatan=items)

    assert problems(kegiatan(3, [{"kode": "K1", "nama": "a", "pagu": "1380000001"}])) == [
        ("program[3].kegiatan", "over_pagu")
    ]
    assert problems(kegiatan(3, [{"kode": "P-01.1.01", "nama": "a"}, {"kode": "K", "nama": "b", "anggaran": "1"}])) == [
        ("program[3].kegiatan[0].kode", "duplicate_kode"),  # P-01's first kegiatan has it
        ("program[3].kegiatan[1].anggaran", "unknown_field"),
    ]
    assert problems(kegiatan(3, [{"kode": "K1", "nama": "a"}])) == []  # pagu is optional
    assert problems(kegiatan(3, [None, {"nama": "x"}])) == [
        ("program[3].kegiatan[0]", "not_an_object"),
        ("program[3].kegiatan[1].kode", "required"),
    ]


def test_a_pk_perubahan_lists_a_changed_benchmark_or_renstra_path() -> None:
    new = copy.deepcopy(EXAMPLE)
    indikator(new, "IKU-1")["benchmark"] = {**indikator(new, "IKU-1")["benchmark"], "nilai": "4.82"}
    indikator(new, "IK-2.1")["desimal"] = 0
    assert [(c["kode"], c.get("field")) for c in changes(EXAMPLE, new)] == [
        ("IKU-1", "benchmark"),
        ("IK-2.1", "desimal"),
    ]
    as_number = copy.deepcopy(EXAMPLE)
    indikator(as_number, "IKU-1")["benchmark"]["nilai"] = 4.91  # "4.91" as a JSON number: no change
    assert changes(EXAMPLE, as_number) == []
