"""The worked example's recap, computed by the pure domain, equals the contract's expected answer."""

from decimal import Decimal

import pytest

from services.aggregator.domain import PERIODES
from services.aggregator.rekap import build_rekap, parse_pk
from tests.support.compare import assert_subset


def _values(submissions: list[dict]) -> dict[str, dict[int, Decimal]]:
    values: dict[str, dict[int, Decimal]] = {}
    for sub in submissions:  # in order: a later submission replaces the values it names
        for item in sub["realisasi"]:
            values.setdefault(item["indikator"], {})[sub["triwulan"]] = Decimal(item["nilai"])
    return values


@pytest.mark.parametrize("periode", PERIODES)
def test_rekap_matches_expected(periode, pk_2024, submissions_2024, expected_rekap_2024):
    sasaran, indikator = parse_pk(pk_2024)
    rekap = build_rekap(
        tahun=2024, periode=periode, sasaran=sasaran, indikator=indikator, values=_values(submissions_2024)
    )
    assert_subset(expected_rekap_2024[periode], rekap, periode)
