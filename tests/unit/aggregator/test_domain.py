"""Every rule and edge case of docs/design.md §3, one test each."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.aggregator import domain
from services.aggregator.domain import Indikator, compute_capaian, predikat, roll_up


def ind(agregasi="jumlah", polaritas="positif", tw=("10", "20", "30", "40"), tahunan="100") -> Indikator:
    def t(x):
        return (D(x[0]), D(x[1])) if isinstance(x, tuple) else D(x)

    return Indikator("IK", "Indikator", "orang", polaritas, agregasi, "SS", "U", t(tahunan), tuple(t(x) for x in tw))  # type: ignore[arg-type]


def test_positif_is_realisasi_over_target():
    assert compute_capaian("positif", D(180), D(200)).value == D(90)


def test_negatif_is_target_minus_overshoot():
    cap = compute_capaian("negatif", D("7.25"), D("7.20"))
    assert domain.round2(cap.value) == D("99.31")


def test_negatif_is_floored_at_zero():
    assert compute_capaian("negatif", D(5), D(1)).value == D(0)


def test_negatif_zero_realisasi_with_positive_target_gives_200():
    assert compute_capaian("negatif", D(0), D(1)).value == D(200)


def test_zero_target_gives_null_with_reason():
    assert compute_capaian("positif", D(5), D(0)) == domain.Capaian(None, "target_nol")
    assert compute_capaian("negatif", D(1), D(0)) == domain.Capaian(None, "target_nol")


def test_negatif_zero_target_and_zero_realisasi_is_100():
    assert compute_capaian("negatif", D(0), D(0)).value == D(100)


def test_missing_data_is_null_not_zero():
    assert compute_capaian("positif", None, D(10)) == domain.Capaian(None, "belum_ada_data")


@pytest.mark.parametrize(
    ("r", "expected"),
    [("20", "100"), ("15", "100"), ("25", "100"), ("10", "66.67"), ("30", "80.00"), ("60", "0.00")],
)
def test_rentang_inside_below_above(r, expected):
    cap = compute_capaian("rentang", D(r), (D(15), D(25)))
    assert domain.round2(cap.value) == domain.round2(D(expected))


def test_rentang_with_zero_lower_bound_is_target_nol():
    assert compute_capaian("rentang", D(5), (D(0), D(10))).reason == "target_nol"


def test_no_cap_on_indicator_capaian():
    assert compute_capaian("positif", D(120), D(100)).value == D(120)


def test_rollup_caps_each_input_at_100_and_skips_nulls():
    rolled = roll_up([D(120), D(80), None])
    assert rolled.value == D(90)
    assert rolled.skipped == 1


def test_rollup_of_nothing_is_null():
    assert roll_up([None, None]) == domain.RollUp(None, 2)


@pytest.mark.parametrize(
    ("capaian", "band"),
    [
        ("90.996", "Sangat Baik"),
        ("90.994", "Baik"),
        ("76", "Baik"),
        ("75.99", "Cukup"),
        ("66", "Cukup"),
        ("65.995", "Cukup"),
        ("51", "Kurang"),
        ("50.99", "Sangat Kurang"),
        ("0", "Sangat Kurang"),
    ],
)
def test_predikat_is_read_from_the_rounded_figure(capaian, band):
    assert predikat(D(capaian)) == band


def test_predikat_of_null_is_null():
    assert predikat(None) is None


def test_rounding_is_half_up_only_at_the_end():
    assert domain.fmt(D("98.125")) == "98.13"
    assert domain.fmt(D("0.005")) == "0.01"
    # mean of unrounded inputs, not of rounded ones: (100/3 + 100/3 + 100/3) stays 33.33..., never 33.33*3
    rolled = roll_up([D(100) / D(3)] * 3)
    assert domain.fmt(rolled.value) == "33.33"


def test_period_values_by_agregasi():
    values = {1: D(10), 2: D(30)}
    assert domain.period_realisasi(ind("jumlah"), (1, 2), values) == D(40)
    assert domain.period_realisasi(ind("terakhir"), (1, 2), values) == D(30)
    assert domain.period_realisasi(ind("rata_rata"), (1, 2), values) == D(20)


def test_realisasi_uses_only_quarters_with_data_but_target_uses_all():
    i = ind("rata_rata")
    assert domain.period_realisasi(i, (1, 2, 3, 4), {1: D(10), 3: D(20)}) == D(15)
    assert domain.period_target(i, (1, 2, 3, 4)) == D(25)


def test_tahunan_uses_the_annual_target():
    assert domain.period_target(ind(tahunan="99"), (1, 2, 3, 4), tahunan=True) == D(99)


def test_rentang_targets_combine_mins_and_maxes_separately():
    i = ind("jumlah", "rentang", tw=(("1", "2"), ("3", "4"), ("5", "6"), ("7", "8")), tahunan=("1", "9"))
    assert domain.period_target(i, (1, 2)) == (D(4), D(6))
    assert domain.fmt_target((D(4), D(6))) == "4.00-6.00"


def test_year_to_date_quarters():
    assert domain.quarters_to_date("TW3") == (1, 2, 3)
    assert domain.quarters_to_date("S1") == (1, 2)


decimals = st.decimals(min_value=0, max_value=10**9, allow_nan=False, allow_infinity=False, places=4)
targets = st.decimals(min_value=D("0.01"), max_value=10**9, allow_nan=False, allow_infinity=False, places=4)


@given(r1=decimals, r2=decimals, t=targets)
def test_positif_capaian_grows_with_realisasi(r1, r2, t):
    lo, hi = sorted((r1, r2))
    assert compute_capaian("positif", lo, t).value <= compute_capaian("positif", hi, t).value


@given(r1=decimals, r2=decimals, t=targets)
def test_negatif_capaian_falls_with_realisasi_and_never_below_zero(r1, r2, t):
    lo, hi = sorted((r1, r2))
    c_lo, c_hi = compute_capaian("negatif", lo, t).value, compute_capaian("negatif", hi, t).value
    assert c_lo >= c_hi >= 0


@given(st.lists(st.one_of(st.none(), decimals), max_size=12))
def test_rollup_is_between_0_and_100_and_counts_skips(values):
    rolled = roll_up(values)
    assert rolled.skipped == sum(v is None for v in values)
    if rolled.value is not None:
        assert 0 <= rolled.value <= 100


@given(r=decimals, a=targets, width=decimals)
def test_rentang_is_100_exactly_inside_the_range(r, a, width):
    b = a + width
    cap = compute_capaian("rentang", r, (a, b)).value
    assert (cap == 100) == (a <= r <= b)
