"""The SAKIP evaluation worksheet (LKE) as data: the bundled PermenPANRB 88/2021 file, a region's own file, broken
files named by line, and scores computed by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from services.approval.lke import BUNDLED, TERUKUR, Lke, LkeError, load_lke, parse_lke, rentang, skor
from shared.config import Settings
from tests.support.yamltext import line_of

TEXT = BUNDLED.read_text(encoding="utf-8")


def broken(text: str) -> LkeError:
    with pytest.raises(LkeError) as exc:
        parse_lke(text, source="test.yaml")
    return exc.value


@pytest.fixture(scope="module")
def lke() -> Lke:
    return load_lke()


def best(lke: Lke, codes: list[str] | None = None) -> dict[str, str]:
    """The best answer of each criterion (all of them, or those whose code starts with one of `codes`)."""
    return {
        kr.kode: lke.skala[kr.skala].jawaban[0].kode
        for _k, _s, kr in lke.semua_kriteria()
        if codes is None or any(kr.kode.startswith(c + ".") for c in codes)
    }


def worst(lke: Lke, codes: list[str] | None = None) -> dict[str, str]:
    return {
        kr.kode: lke.skala[kr.skala].jawaban[-1].kode
        for _k, _s, kr in lke.semua_kriteria()
        if codes is None or any(kr.kode.startswith(c + ".") for c in codes)
    }


def under(lke: Lke, sub: str) -> list[str]:
    return [kr.kode for _k, s, kr in lke.semua_kriteria() if s.kode == sub]


# ---- the bundled worksheet ------------------------------------------------------------------------------------------


def test_bundled_file_is_the_88_2021_worksheet(lke: Lke) -> None:
    assert lke.kode == "PermenPANRB-88-2021"
    assert "Nomor 88 Tahun 2021" in lke.sumber and "Lembar Kerja Evaluasi" in lke.sumber
    assert [(k.kode, k.nama) for k in lke.komponen] == [
        ("1", "Perencanaan Kinerja"),
        ("2", "Pengukuran Kinerja"),
        ("3", "Pelaporan Kinerja"),
        ("4", "Evaluasi Akuntabilitas Kinerja Internal"),
    ]
    # the annex's criteria per sub-component (as the public copies of the LKE have them)
    counts = {s.kode: len(s.kriteria) for k in lke.komponen for s in k.sub}
    assert counts == {
        "1.a": 6, "1.b": 11, "1.c": 8, "2.a": 3, "2.b": 7, "2.c": 10,
        "3.a": 6, "3.b": 9, "3.c": 7, "4.a": 3, "4.b": 5, "4.c": 5,
    }  # fmt: skip
    assert len(lke.semua_kriteria()) == 80
    assert lke.kriteria("1.a.1").teks == "Terdapat pedoman teknis perencanaan kinerja."
    assert "(Benchmark Kinerja)" in lke.kriteria("3.b.6").teks
    for _k, _s, kr in lke.semua_kriteria():
        assert kr.teks and kr.teks_en and kr.bukti, kr.kode
    with pytest.raises(KeyError):
        lke.kriteria("5.a.1")


def test_weights_components_and_pemenuhan_kualitas_pemanfaatan(lke: Lke) -> None:
    assert {k.kode: k.bobot for k in lke.komponen} == {"1": 30, "2": 30, "3": 15, "4": 25}
    assert sum(k.bobot for k in lke.komponen) == 100
    for k in lke.komponen:
        # inside each component: Pemenuhan 20 %, Kualitas 30 %, Pemanfaatan 50 %
        assert [s.bobot for s in k.sub] == [k.bobot * Decimal(p) / 100 for p in (20, 30, 50)], k.kode
        assert [s.nama.split()[0] for s in k.sub] == ["Pemenuhan", "Kualitas", "Pemanfaatan"]
    pelaporan = lke.komponen[2]
    assert [str(s.bobot) for s in pelaporan.sub] == ["3", "4.5", "7.5"]


def test_measured_criteria_name_the_data_checks(lke: Lke) -> None:
    terukur = {kr.kode: kr.terukur for _k, _s, kr in lke.semua_kriteria() if kr.terukur}
    # Pelaporan's quality criteria: each comparison the LKjIP must show
    assert {k: v for k, v in terukur.items() if k.startswith("3.b.")} == {
        "3.b.3": "target",
        "3.b.4": "renstra",
        "3.b.5": "tahun_lalu",
        "3.b.6": "benchmark",
        "3.b.7": "analisis",
        "3.b.8": "efisiensi",
    }
    assert (terukur["3.a.2"], terukur["3.a.6"]) == ("berkala", "tepat_waktu")
    # quarterly targets existing (1.a.5) is not periodic monitoring/measurement (1.c.4, 2.b.4): complete quarter recaps
    assert terukur["1.a.5"] == "rencana_aksi"
    assert (terukur["1.c.4"], terukur["2.b.4"]) == ("pengukuran_berkala", "pengukuran_berkala")
    assert (terukur["3.c.3"], terukur["2.c.6"]) == ("tindak_lanjut", "tindak_lanjut_selesai")
    assert set(terukur.values()) == TERUKUR  # every check the data gives is used
    assert lke.kriteria("1.b.5").terukur is None  # SMART indicators: a judgement call


def test_scales_and_coverage(lke: Lke) -> None:
    ae, yt = lke.skala["AE"], lke.skala["YT"]
    assert [(j.kode, j.nilai) for j in ae.jawaban] == [
        ("A", 1), ("B", Decimal("0.75")), ("C", Decimal("0.5")), ("D", Decimal("0.25")), ("E", 0)
    ]  # fmt: skip
    assert ae.nilai("B") == Decimal("0.75") and yt.nilai("Y") == 1
    with pytest.raises(KeyError):
        ae.nilai("Y")
    cases = {"100": "A", "99.99": "B", "75": "B", "74.99": "C", "44.44": "D", "25": "D", "24.99": "E", "0": "E"}
    assert {p: ae.dari_cakupan(Decimal(p)) for p in cases} == cases
    assert (yt.dari_cakupan(Decimal(100)), yt.dari_cakupan(Decimal("99.9"))) == ("Y", "T")
    assert lke.skala["AD"].dari_cakupan(Decimal(61)) == "B"
    assert lke.skala["AAE"].nilai("A") == Decimal("0.9") and lke.skala["AAE"].nilai("D") == Decimal("0.3")
    assert lke.skala_of("3.a.6").kode == "YT"


def test_deadlines(lke: Lke) -> None:
    assert lke.tenggat_tahunan(2024) == date(2025, 2, 28)
    assert (lke.tenggat.triwulan_hari, lke.tenggat.semester_hari) == (30, 30)
    last_day = parse_lke(TEXT.replace('tahunan: "02-28"', 'tahunan: "02-29"'))
    assert last_day.tenggat_tahunan(2023) == date(2024, 2, 29)  # a leap year
    assert last_day.tenggat_tahunan(2024) == date(2025, 2, 28)


# ---- scores ---------------------------------------------------------------------------------------------------------


def test_all_best_is_100_and_aa_all_worst_is_0_and_d(lke: Lke) -> None:
    top = skor(lke, best(lke))
    assert (top["nilai"], top["predikat"], top["dijawab"], top["jumlah"]) == ("100.00", "AA", 80, 80)
    assert [(k["kode"], k["bobot"], k["nilai"]) for k in top["komponen"]] == [
        ("1", "30.00", "30.00"),
        ("2", "30.00", "30.00"),
        ("3", "15.00", "15.00"),
        ("4", "25.00", "25.00"),
    ]
    assert top["komponen"][2]["sub"] == {"3.a": "3.00", "3.b": "4.50", "3.c": "7.50"}
    low = skor(lke, worst(lke))
    assert (low["nilai"], low["predikat"], low["dijawab"]) == ("0.00", "D", 80)
    none = skor(lke, {})
    assert (none["nilai"], none["predikat"], none["dijawab"], none["jumlah"]) == ("0.00", "D", 0, 80)


def test_one_component_only(lke: Lke) -> None:
    s = skor(lke, best(lke, ["3"]))
    assert (s["nilai"], s["predikat"], s["dijawab"]) == ("15.00", "D", 22)  # 15 is not above 30
    assert [k["nilai"] for k in s["komponen"]] == ["0.00", "0.00", "15.00", "0.00"]
    s = skor(lke, best(lke, ["1", "2"]))
    assert (s["nilai"], s["predikat"]) == ("60.00", "CC")  # 60 is not above 60: CC, not B


def test_a_mixed_worksheet_by_hand(lke: Lke) -> None:
    answers = best(lke, ["1", "2.a", "3.c"])  # 30 + 6 + 7,5
    assert all(lke.kriteria(c).skala == "AE" for c in under(lke, "2.b"))
    answers |= dict.fromkeys(under(lke, "2.b"), "C")  # 9 × 0,5 = 4,5
    answers |= best(lke, ["3.a"]) | {"3.a.6": "T"}  # 3 × 5/6 = 2,5
    answers |= dict.fromkeys(under(lke, "3.b"), "B")  # 4,5 × 0,75 = 3,375
    s = skor(lke, answers)
    # 30 + 6 + 4,5 + 2,5 + 3,375 + 7,5 = 53,875 -> 53,88 (half up)
    assert (s["nilai"], s["predikat"]) == ("53.88", "CC")
    assert s["komponen"][1]["sub"] == {"2.a": "6.00", "2.b": "4.50", "2.c": "0.00"}
    assert s["komponen"][2] == {
        "kode": "3",
        "nama": "Pelaporan Kinerja",
        "bobot": "15.00",
        "nilai": "13.38",  # 2,5 + 3,375 + 7,5 = 13,375
        "sub": {"3.a": "2.50", "3.b": "3.38", "3.c": "7.50"},
    }


def test_rounding_is_half_up_and_a_prediction_leaves_unanswered_out(lke: Lke) -> None:
    # one D of nine in 3.b: 4,5 × 0,25 / 9 = 0,125 -> 0,13 (half even would give 0,12)
    s = skor(lke, {"3.b.6": "D"})
    assert (s["nilai"], s["komponen"][2]["sub"]["3.b"], s["dijawab"]) == ("0.13", "0.13", 1)
    # as a prediction, only the answered criterion counts: 4,5 × 0,25 = 1,125 -> 1,13
    p = skor(lke, {"3.b.6": "D"}, hanya_dijawab=True)
    assert (p["nilai"], p["komponen"][2]["sub"]["3.b"], p["komponen"][2]["sub"]["3.a"]) == ("1.13", "1.13", "0.00")
    assert skor(lke, best(lke, ["3"]), hanya_dijawab=True)["nilai"] == "15.00"


def test_every_shown_sum_adds_up(lke: Lke) -> None:
    # issue #17: each sub-component is rounded first, so a component is the sum of its shown subs and the total the
    # sum of the shown components. One D of nine in 3.b: 4,5 × 0,25 / 9 = 0,125 -> 0,13; one D of five in 4.b:
    # 7,5 × 0,25 / 5 = 0,375 -> 0,38. Exact, 0,125 + 0,375 = 0,50; shown, 0,13 + 0,38 = 0,51 — the total says 0,51.
    assert lke.kriteria("4.b.1").skala == "AE"
    s = skor(lke, {"3.b.6": "D", "4.b.1": "D"})
    assert [k["nilai"] for k in s["komponen"]] == ["0.00", "0.00", "0.13", "0.38"]
    assert s["nilai"] == "0.51"
    for answers in (best(lke, ["1.a", "2.b"]) | {"3.b.6": "D", "4.c.1": "C"}, worst(lke) | {"1.b.1": "Y"}):
        shown = skor(lke, answers)
        for k in shown["komponen"]:
            assert sum((Decimal(v) for v in k["sub"].values()), Decimal(0)) == Decimal(k["nilai"]), k["kode"]
        assert sum((Decimal(k["nilai"]) for k in shown["komponen"]), Decimal(0)) == Decimal(shown["nilai"])


def test_a_range_brackets_every_way_the_rest_may_be_answered(lke: Lke) -> None:
    # one measured answer in 3.b (D): the floor counts the other 21 criteria of Pelaporan 0, the ceiling at their
    # best. 3.b floor 4,5 × 0,25 / 9 = 0,125 -> 0,13; ceiling 4,5 × 8,25 / 9 = 4,125 -> 4,13; 3.a 3,00; 3.c 7,50
    got = {r["kode"]: (r["bawah"], r["atas"]) for r in rentang(lke, {"3.b.6": "D"})}
    assert got["3"] == ("0.13", "14.63")
    assert got["1"] == ("0.00", "30.00") and got["4"] == ("0.00", "25.00")
    # the mean over the answered alone (hanya_dijawab) is no floor: 1,13 lies above the 0,13 the worst rest gives
    assert skor(lke, {"3.b.6": "D"}, hanya_dijawab=True)["komponen"][2]["nilai"] == "1.13"
    for rest in (worst(lke), best(lke), dict.fromkeys(under(lke, "3.b"), "C")):
        actual = Decimal(skor(lke, {**rest, "3.b.6": "D"})["komponen"][2]["nilai"])
        assert Decimal(got["3"][0]) <= actual <= Decimal(got["3"][1])
    assert rentang(lke, best(lke))[0] == {"kode": "1", "bawah": "30.00", "atas": "30.00"}  # all known: one point


def test_exactly_90_is_a_and_above_90_is_aa(lke: Lke) -> None:
    answers = best(lke)
    for c in under(lke, "4.b"):  # -7,5
        del answers[c]
    answers |= worst(lke, ["3.a"]) | {"3.a.1": "Y"}  # 3 × 1/6 = 0,5: -2,5
    assert skor(lke, answers)["nilai"] == "90.00" and skor(lke, answers)["predikat"] == "A"
    grade = {n: lke.predikat_of(Decimal(n)).kode for n in ("100", "90.01", "90", "80.01", "80", "70", "60.01", "60")}
    assert grade == {
        "100": "AA",
        "90.01": "AA",
        "90": "A",
        "80.01": "A",
        "80": "BB",
        "70": "B",
        "60.01": "B",
        "60": "CC",
    }
    grade = {n: lke.predikat_of(Decimal(n)).kode for n in ("50.01", "50", "30.01", "30", "0")}
    assert grade == {"50.01": "CC", "50": "C", "30.01": "C", "30": "D", "0": "D"}
    assert [(p.kode, p.nama) for p in lke.predikat][:2] == [("AA", "Sangat Memuaskan"), ("A", "Memuaskan")]
    assert lke.predikat_of(Decimal(0)).nama == "Sangat Kurang"


def test_unknown_criterion_or_letter_is_refused(lke: Lke) -> None:
    with pytest.raises(KeyError, match="5.a.1"):
        skor(lke, {"5.a.1": "A"})
    with pytest.raises(KeyError, match="'Y' is not an answer of scale AE"):
        skor(lke, {"3.b.6": "Y"})


# ---- a region's own worksheet ---------------------------------------------------------------------------------------

REGION = """\
kode: KAB-CONTOH-2025
judul: LKE Kabupaten Contoh
sumber: Peraturan Bupati Contoh Nomor 1 Tahun 2025
skala:
  ABC:
    nama: A/B/C
    jawaban:
      - {kode: A, nilai: 1, cakupan_min: 100}
      - {kode: B, nilai: 0.9001, cakupan_min: 50}
      - {kode: C, nilai: 0, cakupan_min: 0}
predikat:
  - {kode: AA, nama: Sangat Memuaskan, lebih_dari: 90}
  - {kode: A, nama: Memuaskan, lebih_dari: 80}
  - {kode: D, nama: Sangat Kurang, lebih_dari: 0}
tenggat: {tahunan: "03-31"}
komponen:
  - kode: "1"
    nama: Perencanaan
    nama_en: Planning
    bobot: 60
    sub:
      - kode: "1.a"
        nama: Pemenuhan
        nama_en: In place
        bobot: 60
        kriteria:
          - {kode: "1.a.1", teks: Ada Renstra., teks_en: There is a Renstra., skala: ABC}
  - kode: "2"
    nama: Pelaporan
    nama_en: Reporting
    bobot: 40
    sub:
      - kode: "2.a"
        nama: Kualitas
        nama_en: Quality
        bobot: 40
        kriteria:
          - {kode: "2.a.1", teks: Ada benchmark., teks_en: There is a benchmark., skala: ABC, terukur: benchmark}
"""


def test_a_region_file_with_other_weights_and_scale(tmp_path: Path) -> None:
    own = tmp_path / "lke-kabupaten.yaml"
    own.write_text(REGION, encoding="utf-8")
    lke = load_lke(own)
    assert (lke.kode, lke.tenggat_tahunan(2024)) == ("KAB-CONTOH-2025", date(2025, 3, 31))
    assert lke.kriteria("2.a.1").terukur == "benchmark" and lke.skala["ABC"].dari_cakupan(Decimal(50)) == "B"
    # 60 × 1 + 40 × 0,9001 = 96,004; 60 × 0,9001 + 40 × 1 = 94,006; B alone in 1: 54,006
    assert skor(lke, {"1.a.1": "A", "2.a.1": "B"})["nilai"] == "96.00"
    assert skor(lke, {"1.a.1": "B", "2.a.1": "A"})["nilai"] == "94.01"
    assert skor(lke, {"1.a.1": "B"})["predikat"] == "D"
    # 100 × 0,9001 = 90,01: just above the AA bound
    assert (s := skor(lke, {"1.a.1": "B", "2.a.1": "B"}))["nilai"] == "90.01" and s["predikat"] == "AA"


def test_the_setting_loads_a_variant_at_the_approval_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.approval.main import create_app

    variant = tmp_path / "lke-varian.yaml"  # the bundled worksheet with B worth 0,8 instead of 0,75
    variant.write_text(
        TEXT.replace("{kode: B, nilai: 0.75, cakupan_min: 75}", "{kode: B, nilai: 0.8, cakupan_min: 75}")
    )
    monkeypatch.setenv("LAPKIN_EVALUASI_FILE", str(variant))
    settings = Settings(data_dir=tmp_path, admin_token="a" * 24, secret_key="s" * 24)  # type: ignore[call-arg]
    assert settings.evaluasi_file == variant
    own = create_app(settings).state.rt.state["lke"]
    bundled = create_app(settings.model_copy(update={"evaluasi_file": None})).state.rt.state["lke"]
    answers = dict.fromkeys(under(bundled, "3.b"), "B")
    assert skor(bundled, answers)["nilai"] == "3.38"  # 4,5 × 0,75
    assert skor(own, answers)["nilai"] == "3.60"  # 4,5 × 0,8


def test_a_broken_file_stops_the_approval_service_naming_the_line(tmp_path: Path) -> None:
    from services.approval.main import create_app

    bad = tmp_path / "rusak.yaml"
    text = TEXT.replace("            terukur: benchmark", "            terukur: pembanding")
    bad.write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path, admin_token="a" * 24, secret_key="s" * 24, evaluasi_file=bad)  # type: ignore[call-arg]
    with pytest.raises(LkeError) as exc:
        create_app(settings)
    assert exc.value.line == line_of(text, "terukur: pembanding")
    assert str(bad) in str(exc.value) and "unknown data check 'pembanding'" in str(exc.value)


# ---- broken files name the line -------------------------------------------------------------------------------------


def reweigh(nama: str, bobot: str) -> str:
    """The bundled text with the weight of the component or sub-component named `nama` set to `bobot`."""
    start = TEXT.index("bobot: ", TEXT.index(f'nama: "{nama}"'))
    end = TEXT.index("\n", start)
    return TEXT[:start] + f"bobot: {bobot}" + TEXT[end:]


def test_component_weights_must_sum_to_100() -> None:
    text = reweigh("Pelaporan Kinerja", "16")
    err = broken(text)
    at = line_of(text, "\nkomponen:") + 1
    assert f"line {at}: komponen: the components' weights sum to 101, not 100" in str(err)
    assert "component 3: its sub-components' weights sum to 15.0, not 16" in str(err)
    assert line_of(text, '  - kode: "3"') in [ln for ln, _ in err.problems]


def test_sub_weights_must_sum_to_their_component() -> None:
    text = reweigh("Kualitas Pelaporan Kinerja", "4.6")
    err = broken(text)
    assert err.line == line_of(text, '  - kode: "3"')
    assert "komponen[2]: component 3: its sub-components' weights sum to 15.1, not 15" in str(err)
    # within 0,01 is fine (a region's weights written to two places)
    assert parse_lke(reweigh("Kualitas Pelaporan Kinerja", "4.505")).komponen[2].sub[1].bobot == Decimal("4.505")


# (what the bundled text has, what a broken file has instead — the error points at its last line —, what it says)
ONE_PROBLEM = [
    (
        "            skala: YT\n",
        "            skala: XY\n",
        "komponen[0].sub[0].kriteria[0].skala: unknown scale 'XY' (scales: AE, AD, YT, AAE)",
    ),
    (
        "terukur: berkala",
        "terukur: triwulanan",
        "komponen[2].sub[0].kriteria[1].terukur: unknown data check 'triwulanan'",
    ),
    ('- kode: "3.b.6"', '- kode: "2.b.9"', "komponen[2].sub[1].kriteria[5].kode: code '2.b.9' must be 3.b.<n>"),
    (
        "{kode: BB, nama: Sangat Baik, nama_en: Very good, lebih_dari: 70}",
        "{kode: BB, nama: Sangat Baik, nama_en: Very good, lebih_dari: 85}",
        "predikat[2].lebih_dari: grades must run from the highest down",
    ),
    (
        "{kode: D, nama: Sangat Kurang, nama_en: Very poor, lebih_dari: 0}",
        "{kode: D, nama: Sangat Kurang, nama_en: Very poor, lebih_dari: 10}",
        "predikat[6].lebih_dari: the lowest grade must start at 0",
    ),
    (
        "{kode: A, nama: Memuaskan, nama_en: Very satisfactory, lebih_dari: 80}",
        "{kode: AA, nama: Memuaskan, nama_en: Very satisfactory, lebih_dari: 80}",
        "predikat[1].kode: grade 'AA' is defined twice",
    ),
    (
        "{kode: C, nilai: 0.5, cakupan_min: 50}",
        "{kode: C, nilai: 0.8, cakupan_min: 50}",
        "skala.AE.jawaban[2]: answers must run from the best down",
    ),
    (
        "{kode: E, nilai: 0, cakupan_min: 0}",
        "{kode: E, nilai: 0, cakupan_min: 10}",
        "skala.AE.jawaban[4].cakupan_min: the lowest answer must need 0 %",
    ),
    (
        "{kode: A, nilai: 1, cakupan_min: 100}",
        "{kode: A, nilai: 2, cakupan_min: 100}",
        "skala.AE.jawaban[0].nilai: must be between 0 and 1",
    ),
    (
        "            terukur: target\n",
        "            terukur: target\n            bobot: 2\n",
        "komponen[2].sub[1].kriteria[2].bobot: Extra inputs are not permitted",
    ),
    ('tahunan: "02-28"', 'tahunan: "02-30"', "tenggat.tahunan: Value error, 02-30 is not a day of the year"),
    ("    bobot: 30\n", "    bobot: tiga puluh\n", "komponen[0].bobot: Input should be a valid decimal"),
    ("kode: PermenPANRB-88-2021\n", "kode: X\nkode: Y\n", "kode: duplicate key"),
]


@pytest.mark.parametrize(("old", "new", "says"), ONE_PROBLEM, ids=[case[2][:40] for case in ONE_PROBLEM])
def test_a_broken_file_names_the_line_and_the_rule(old: str, new: str, says: str) -> None:
    assert old in TEXT
    text = TEXT.replace(old, new, 1)
    err = broken(text)
    assert err.line == line_of(text, new.strip("\n").splitlines()[-1])
    assert f"line {err.line}: {says}" in str(err) and "invalid evaluation worksheet test.yaml" in str(err)


def test_a_code_used_twice_names_the_second() -> None:
    text = TEXT.replace('- kode: "1.a.2"', '- kode: "1.a.1"')
    err = broken(text)
    assert err.line == line_of(text, '- kode: "1.a.1"', 2)
    assert "code '1.a.1' is used twice (first at komponen[0].sub[0].kriteria[0])" in str(err)


def test_bad_yaml_names_the_line() -> None:
    text = TEXT.replace("            skala: AE\n", "            skala: [AE\n", 1)
    err = broken(text)
    assert err.line is not None and abs(err.line - line_of(text, "skala: [AE")) <= 1 and "not valid YAML" in str(err)
    assert broken("- a\n- b\n").line == 1


def test_the_docs_list_every_criterion_as_the_file_has_it(lke: Lke) -> None:
    doc = (BUNDLED.parents[2] / "docs" / "evaluation.md").read_text(encoding="utf-8")
    rows = {line.split(" | ")[0].lstrip("| "): line for line in doc.splitlines() if line.startswith("| ")}
    for _k, _s, kr in lke.semua_kriteria():
        row = rows[kr.kode]
        assert f"| {kr.kode} | {kr.teks} | {kr.skala} | " in row, kr.kode
        assert (f"`{kr.terukur}`" in row) if kr.terukur else ("| judgement |" in row), kr.kode
        assert row.endswith(f" | {kr.bukti} |"), kr.kode  # the evidence line as the file has it
    for g in lke.predikat:  # each grade with its Indonesian and English name
        assert f"| {g.kode} | " in doc and f" | {g.nama} | {g.nama_en} |" in doc, g.kode
    for heading in (
        "Uji kualitas LKjIP",
        "Tindak lanjut dan pemanfaatan",
        "Penilaian mandiri",
        "Ekspor untuk evaluator",
    ):
        assert f"\n## {heading}\n" in doc
