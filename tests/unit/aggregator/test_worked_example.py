"""The worked example's recap, computed by the pure domain, equals the contract's expected answer."""

from decimal import Decimal

import pytest

from services.aggregator.domain import PERIODES
from services.aggregator.rekap import build_rekap, parse_pk


def _values(submissions: list[dict]) -> dict[str, dict[int, Decimal]]:
    values: dict[str, dict[int, Decimal]] = {}
    for sub in submissions:  # in order: a later submission replaces the values it names
        for item in sub["realisasi"]:
            values.setdefault(item["indikator"], {})[sub["triwulan"]] = Decimal(item["nilai"])
    return values


def assert_subset(expected, actual, path="") -> None:
    if isinstance(expected, dict):
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing"
            assert_subset(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(expected) == len(actual), path
        for n, (e, a) in enumerate(zip(expected, actual, strict=True)):
            assert_subset(e, a, f"{path}[{n}]")
    else:
        assert expected == actual, f"{path}: expected {expected!r}, got {actual!r}"


@pytest.mark.parametrize("periode", PERIODES)
def test_rekap_matches_expected(periode, pk_2024, submissions_2024, expected_rekap_2024):
    sasaran, indikator = parse_pk(pk_2024)
    rekap = build_rekap(
        tahun=2024, periode=periode, sasaran=sasaran, indikator=indikator, values=_values(submissions_2024)
    )
    assert_subset(expected_rekap_2024[periode], rekap, periode)
