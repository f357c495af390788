"""The early-warning rule (docs/collection.md, services/aggregator/tren.py), each case computed by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from services.aggregator import tren
from services.aggregator.domain import Indikator


def ind(agregasi: str, polaritas: str = "positif", tw: tuple = ("1000", "1300", "1300", "1200"), satuan: str = "orang"):
    def t(x):
        return (D(x[0]), D(x[1])) if isinstance(x, tuple) else D(x)

    targets = tuple(t(x) for x in tw)
    return Indikator("IK", "Indikator", satuan, polaritas, agregasi, "SS", "U", targets[-1], targets)  # type: ignore[arg-type]


def months(**values: str) -> dict[int, D]:
    return {int(k[1:]): D(v) for k, v in values.items()}


# ---- jumlah: linear projection to the quarter's end against the cumulative target -----------------------------


def test_jumlah_projects_the_pace_to_the_end_of_the_quarter_kuning() -> None:
    # Jan–Apr: 300+280+350+400 = 1330 → 1330 / 4 × 6 = 1995 against 1000+1300 = 2300 → 86.7391…% → kuning
    w = tren.early_warning(ind("jumlah"), months(m1="300", m2="280", m3="350", m4="400"))
    assert (w.bulan, w.triwulan) == (4, 2)
    assert w.realisasi_sd == D(1330)
    assert w.proyeksi == D(1995)
    assert w.target_sd == D(2300)
    assert round(w.capaian.value, 4) == D("86.7391")
    assert (w.level, w.reason) == ("kuning", "di_bawah_target")


def test_jumlah_below_85_percent_is_merah() -> None:
    # Jan–Feb: 550 → 550 / 2 × 3 = 825 against 1000 → 82.5% → merah
    w = tren.early_warning(ind("jumlah"), months(m1="300", m2="250"))
    assert (w.proyeksi, w.target_sd, w.capaian.value) == (D(825), D(1000), D("82.5"))
    assert w.level == "merah"


def test_jumlah_on_pace_gives_no_warning() -> None:
    # 700 / 2 × 3 = 1050 against 1000 → 105%
    w = tren.early_warning(ind("jumlah"), months(m1="400", m2="300"))
    assert w.capaian.value == D(105)
    assert (w.level, w.reason) == (None, None)


def test_a_month_without_a_report_counts_as_nothing_in_the_pace() -> None:
    # Jan 600, Feb missing, Mar 300: 900 / 3 × 3 = 900 against 1000 → 90% → kuning
    w = tren.early_warning(ind("jumlah"), months(m1="600", m3="300"))
    assert (w.proyeksi, w.level) == (D(900), "kuning")


# ---- terakhir and rata_rata: no extrapolation ---------------------------------------------------------------


def test_terakhir_compares_the_latest_value_with_the_quarters_target() -> None:
    ik31 = ind("terakhir", tw=("10", "22", "34", "45"), satuan="%")
    # Apr 15, May 21: latest 21 against TW2's 22 → 95.4545…% → kuning
    w = tren.early_warning(ik31, months(m4="15", m5="21"))
    assert (w.realisasi_sd, w.proyeksi, w.target_sd) == (D(21), D(21), D(22))
    assert tren.level_of(w.capaian.value) == w.level == "kuning"
    assert round(w.capaian.value, 2) == D("95.45")
    # Feb 8.4 against TW1's 10 → 84% → merah
    assert tren.early_warning(ik31, months(m1="9", m2="8.4")).level == "merah"


def test_rata_rata_compares_the_mean_with_the_mean_target_to_date() -> None:
    ik22 = ind("rata_rata", tw=("80", "82", "85", "85"), satuan="%")
    # (80+78+82+79) / 4 = 79.75 against (80+82) / 2 = 81 → 98.4567…% → kuning
    w = tren.early_warning(ik22, months(m1="80", m2="78", m3="82", m4="79"))
    assert (w.realisasi_sd, w.target_sd) == (D("79.75"), D(81))
    assert round(w.capaian.value, 2) == D("98.46")
    assert w.level == "kuning"


# ---- negatif: warns when above; rentang: when outside --------------------------------------------------------


def test_negatif_jumlah_warns_when_the_projection_is_above_the_target() -> None:
    ik42 = ind("jumlah", "negatif", tw=("1", "1", "1", "1"), satuan="kasus")
    # Jan 0, Feb 1: 1 / 2 × 3 = 1.5 against 1 → (2 − 1.5) / 1 = 50% → merah, above the target
    w = tren.early_warning(ik42, months(m1="0", m2="1"))
    assert (w.proyeksi, w.capaian.value, w.level, w.reason) == (D("1.5"), D(50), "merah", "di_atas_target")
    # one case by March: 1 / 3 × 3 = 1 → 100% → no warning
    assert tren.early_warning(ik42, months(m1="0", m2="0", m3="1")).level is None
    # one case in April: 1 / 4 × 6 = 1.5 against 2 → (4 − 1.5) / 2 = 125% → no warning
    w = tren.early_warning(ik42, months(m4="1"))
    assert (w.proyeksi, w.target_sd, w.capaian.value, w.level) == (D("1.5"), D(2), D(125), None)


def test_negatif_terakhir_kuning_and_merah() -> None:
    iku1 = ind("terakhir", "negatif", tw=("7.20", "7.10", "7.00", "6.90"), satuan="%")
    # (14.40 − 7.30) / 7.20 = 98.6111…% → kuning
    w = tren.early_warning(iku1, months(m1="7.3"))
    assert round(w.capaian.value, 2) == D("98.61") and w.level == "kuning"
    # (14.40 − 8.50) / 7.20 = 81.9444…% → merah
    assert tren.early_warning(iku1, months(m2="8.5")).level == "merah"
    # below the target is good for a negatif indicator
    assert tren.early_warning(iku1, months(m2="7.0")).level is None


def test_rentang_warns_outside_the_range() -> None:
    ik51 = ind("terakhir", "rentang", tw=(("15", "25"), ("40", "50"), ("65", "75"), ("90", "100")), satuan="%")
    # March 14 against [15, 25]: 14 / 15 = 93.33% → kuning, below the range
    w = tren.early_warning(ik51, months(m3="14"))
    assert round(w.capaian.value, 2) == D("93.33")
    assert (w.level, w.reason) == ("kuning", "di_bawah_rentang")
    assert tren.early_warning(ik51, months(m3="20")).level is None
    # May 56 against [40, 50]: (100 − 56) / 50 = 88% → kuning, above the range; June 60: 80% → merah
    w = tren.early_warning(ik51, months(m5="56"))
    assert (w.capaian.value, w.level, w.reason) == (D(88), "kuning", "di_atas_rentang")
    assert tren.early_warning(ik51, months(m6="60")).level == "merah"


# ---- boundaries, no data, zero target ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nilai", "level"),
    [("100", None), ("99.995", None), ("99.994", "kuning"), ("85", "kuning"), ("84.995", "kuning")]
    + [("84.994", "merah"), ("0", "merah")],
)
def test_the_level_is_read_from_the_rounded_capaian(nilai: str, level: str | None) -> None:
    # terakhir, target 100: capaian = nilai exactly; 99.995 shows as 100,00 and 84.995 as 85,00
    flat = ind("terakhir", tw=("100", "100", "100", "100"))
    assert tren.early_warning(flat, months(m1=nilai)).level == level


def test_no_monthly_value_gives_no_level_with_reason_belum_ada_data() -> None:
    w = tren.early_warning(ind("jumlah"), {})
    assert (w.level, w.reason, w.capaian.value, w.proyeksi) == (None, "belum_ada_data", None, None)


def test_a_zero_target_gives_no_level_with_reason_target_nol() -> None:
    w = tren.early_warning(ind("jumlah", tw=("0", "0", "5", "5")), months(m2="3"))
    assert (w.level, w.reason) == (None, "target_nol")


def test_the_row_presents_two_decimals_and_a_message_in_both_languages() -> None:
    row = tren.tren_row(ind("jumlah"), months(m1="300", m2="280", m3="350", m4="400"))
    assert row["bulan"] == [
        {"bulan": 1, "nilai": "300.00"},
        {"bulan": 2, "nilai": "280.00"},
        {"bulan": 3, "nilai": "350.00"},
        {"bulan": 4, "nilai": "400.00"},
    ]
    assert (row["realisasi_sd"], row["proyeksi"], row["target_sd"], row["capaian_proyeksi"]) == (
        "1330.00",
        "1995.00",
        "2300.00",
        "86.74",
    )
    assert (row["peringatan"], row["reason"]) == ("kuning", "di_bawah_target")
    assert row["message_id"] == "Proyeksi akhir TW 2 1.995,00 orang di bawah target 2.300,00: capaian 86,74% (kuning)."
    assert row["message_en"].startswith("Projection to the end of Q2 1,995.00 orang is below the target 2,300.00")
    quiet = tren.tren_row(ind("jumlah"), months(m1="400"))
    assert (quiet["peringatan"], quiet["reason"], quiet["message_id"]) == (None, None, None)
