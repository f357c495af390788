"""shared.sakip.checks: the checks before approval (issue #15 items 1 and 5), on the worked example and on small
recaps made for each rule — firing and not firing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from shared.sakip.checks import RULES, analysis_missing, consistency
from tests.unit.renderer.worked_example import quarter_recaps, recaps

EXPECTED = json.loads((Path(__file__).resolve().parents[3] / "examples" / "expected-rekap-2024.json").read_text())


def row(kode: str, **fields: Any) -> dict[str, Any]:
    return {"kode": kode, "nama": f"Indikator {kode}", "satuan": "%", "target": "100.00", **fields}


def rekap(periode: str, *rows: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"tahun": 2024, "periode": periode, "indikator": list(rows), **fields}


def analisis(kode: str, triwulan: int = 1, **texts: str | None) -> dict[str, Any]:
    base = {"penyebab": None, "kendala": None, "solusi": None, "tindak_lanjut": None}
    return {"indikator": kode, "triwulan": triwulan, "unit": "BID-PPTK", **base, **texts}


@pytest.fixture(scope="module")
def example() -> dict[str, dict[str, Any]]:
    """The worked example's recaps with anggaran, IK-5.1 marked as the budget-absorption indicator (the PK's
    `kategori`, which the aggregator copies into the recap rows)."""
    out = recaps()
    for r in out.values():
        for ind in r["indikator"]:
            if ind["kode"] == "IK-5.1":
                ind["kategori"] = "serapan_anggaran"
    return out


# ---- analysis_missing ----------------------------------------------------------------------------------------------


def test_worked_example_annual_asks_why_of_the_two_indicators_outside_100_to_120():
    # TAHUNAN capaian: IK-2.2 97,56 (below target) and IK-4.2 125,00 (far above); all others in [100, 120]
    annual = EXPECTED["TAHUNAN"]
    outside = [r["kode"] for r in annual["indikator"] if not 100 <= float(r["capaian"]) <= 120]
    assert outside == ["IK-2.2", "IK-4.2"]
    assert analysis_missing(annual) == ["IK-2.2", "IK-4.2"]  # no `analisis` at all: nobody explained
    explained = {**annual, "analisis": [analisis("IK-2.2", 3, penyebab="Dua perusahaan besar tutup")]}
    assert analysis_missing(explained) == ["IK-4.2"]


@pytest.mark.parametrize(
    ("capaian", "flagged"),
    [("99.99", True), ("100.00", False), ("110.00", False), ("120.00", False), ("120.01", True), ("0.00", True)],
)
def test_band_is_100_to_120_inclusive(capaian, flagged):
    assert analysis_missing(rekap("TW1", row("IK-1", capaian=capaian), analisis=[])) == (["IK-1"] if flagged else [])


def test_only_a_penyebab_explains():
    below = row("IK-1", capaian="80.00")
    for texts in ({"kendala": "Anggaran terlambat"}, {"solusi": "Dipercepat"}, {"penyebab": "   "}, {}):
        assert analysis_missing(rekap("TW2", below, analisis=[analisis("IK-1", 2, **texts)])) == ["IK-1"], texts
    assert analysis_missing(rekap("TW2", below, analisis=[analisis("IK-1", 2, penyebab="Cuaca")])) == []
    # another indicator's penyebab does not explain this one
    assert analysis_missing(rekap("TW2", below, analisis=[analisis("IK-2", 2, penyebab="Cuaca")])) == ["IK-1"]


def test_any_quarter_of_the_period_explains_and_no_capaian_is_not_asked_about():
    r = rekap("S1", row("IK-1", capaian="70.00"), row("IK-2", capaian=None, reason="belum_ada_data"))
    assert analysis_missing(r) == ["IK-1"]
    assert analysis_missing({**r, "analisis": [analisis("IK-1", 1, penyebab="Pelatihan ditunda")]}) == []


# ---- consistency: the worked example ---------------------------------------------------------------------------


def test_worked_example_annual_flags_budget_absorption_and_tw4_vs_annual(example):
    findings = consistency(example["TAHUNAN"], quarter_recaps(example))
    assert [(f["rule"], f["indikator"]) for f in findings] == [
        ("serapan_anggaran", "IK-5.1"),
        ("tw4_tahunan", "IK-2.2"),
    ]
    serapan, tw4 = findings
    # Bab III B: Σ realisasi 27.225.000.000 / Σ pagu 28.700.000.000 = 94,86 %; IK-5.1 reports 96,30 %
    assert serapan["values"] == {"realisasi": "96.30", "serapan_kumulatif": "94.86"}
    assert "96,30 %" in serapan["message_id"] and "94,86 %" in serapan["message_id"]
    assert "96.30%" in serapan["message_en"] and "94.86%" in serapan["message_en"]
    # IK-2.2 (rata_rata): the same realisasi 82,93, but TW IV's target to date is the mean of the quarters' (83,00)
    assert tw4["values"] == {"capaian_tahunan": "97.56", "capaian_sd_tw4": "99.91"}
    assert tw4["message_id"] == (
        "IK-2.2: capaian s.d. TW IV 99,91 % vs capaian tahunan 97,56 % (target s.d. TW IV 83,00, target tahunan "
        "85,00) — jelaskan di analisis atau perbaiki."
    )
    assert "99.91%" in tw4["message_en"] and "97.56%" in tw4["message_en"] and "85.00" in tw4["message_en"]


def test_worked_example_expected_recap_tw4_vs_annual_alone():
    """The committed expected recaps (no anggaran): only the TW IV rule can speak, and it names IK-2.2 only."""
    findings = consistency(EXPECTED["TAHUNAN"], {4: EXPECTED["TW4"]})
    assert [(f["rule"], f["indikator"]) for f in findings] == [("tw4_tahunan", "IK-2.2")]


def test_worked_example_quarters_read_budget_to_date(example):
    quarters = quarter_recaps(example)
    tw2 = consistency(example["TW2"], quarters)
    # TW2's recap holds TW II's spending only; the check adds TW I's: cumulative to the end of June
    spent = sum(float(a["realisasi"]) for q in (1, 2) for a in quarters[q]["anggaran"])
    pagu = sum(float(a["pagu"]) for a in example["TW2"]["anggaran"])
    assert tw2[0]["values"]["serapan_kumulatif"] == f"{spent / pagu * 100:.2f}"
    # S2 without the quarter recaps cannot tell the spending since TW I: no finding rather than a wrong one
    assert consistency(example["S2"], {}) == []
    assert [f["rule"] for f in consistency(example["S1"], {})] == ["serapan_anggaran"]  # S1 starts at TW I


# ---- consistency: each rule on small recaps --------------------------------------------------------------------

PROGRAMS = [
    {"kode": "P-01", "nama": "Program Penunjang", "pagu": "1000000000", "realisasi": "400000000", "persen": "40.00"},
    {"kode": "P-02", "nama": "Program Pelatihan", "pagu": "1000000000", "realisasi": "500000000", "persen": "50.00"},
]


def serapan_rekap(realisasi: str, kategori: str | None = "serapan_anggaran") -> dict[str, Any]:
    return rekap("TW1", row("IK-5.1", realisasi=realisasi, kategori=kategori), anggaran=copy.deepcopy(PROGRAMS))


def test_budget_absorption_fires_only_when_it_differs_from_the_programmes_total():
    assert [f["rule"] for f in consistency(serapan_rekap("47.00"), {})] == ["serapan_anggaran"]  # 45,00 %
    assert consistency(serapan_rekap("45.00"), {}) == []
    assert consistency(serapan_rekap("47.00", kategori=None), {}) == []  # not the budget indicator
    assert consistency({**serapan_rekap("47.00"), "anggaran": []}, {}) == []  # no budget to compare


def test_annual_vs_tw4_fires_on_realisasi_or_capaian_and_only_for_the_annual_recap():
    tw4 = rekap("TW4", row("IK-2.1", desimal=0, realisasi_sd="1280.00", capaian_sd="106.67", target_sd="1200.00"))
    same = rekap("TAHUNAN", row("IK-2.1", desimal=0, realisasi="1280.00", capaian="106.67", target="1200.00"))
    assert consistency(same, {4: tw4}) == []
    other = rekap("TAHUNAN", row("IK-2.1", desimal=0, realisasi="1250.00", capaian="104.17", target="1200.00"))
    [finding] = consistency(other, {4: tw4})
    assert finding["rule"] == "tw4_tahunan"
    assert "realisasi s.d. TW IV 1.280 vs realisasi tahunan 1.250" in finding["message_id"]  # a count: no decimals
    assert "value to date at Q4 1,280 vs annual 1,250" in finding["message_en"]
    assert consistency({**other, "periode": "S2"}, {4: tw4}) == []
    assert consistency(other, {}) == []  # without TW IV's recap


def test_a_count_with_decimals_is_flagged():
    count = rekap("TW1", row("IK-2.1", satuan="orang", desimal=0, realisasi="1200.50"))
    [finding] = consistency(count, {})
    assert finding["rule"] == "cacah_desimal" and "1.200,50 orang" in finding["message_id"]
    assert consistency(rekap("TW1", row("IK-2.1", satuan="orang", desimal=0, realisasi="1200.00")), {}) == []
    assert consistency(rekap("TW1", row("IK-2.2", desimal=2, realisasi="82.93")), {}) == []
    assert consistency(rekap("TW1", row("IK-2.2", realisasi="82.93")), {}) == []  # desimal unknown: not judged
    to_date = rekap("TW2", row("IK-2.1", satuan="orang", desimal=0, realisasi="10.00", realisasi_sd="20.50"))
    assert [f["values"] for f in consistency(to_date, {})] == [{"realisasi_sd": "20.50"}]


def test_spending_above_pagu_counts_the_quarters_so_far():
    q1 = rekap("TW1", anggaran=[{**PROGRAMS[0], "realisasi": "600000000"}])
    q2 = rekap("TW2", anggaran=[{**PROGRAMS[0], "realisasi": "500000000"}])
    [finding] = consistency(q2, {1: q1, 2: q2})  # 1,1 M of 1 M by June
    assert finding["rule"] == "melebihi_pagu" and finding["indikator"] == "P-01"
    assert "Rp 1.100.000.000 melebihi pagu Rp 1.000.000.000" in finding["message_id"]
    assert "Rp 1,100,000,000 exceeds the budget Rp 1,000,000,000" in finding["message_en"]
    assert consistency(q1, {1: q1}) == []
    exactly = rekap("TW1", anggaran=[{**PROGRAMS[0], "realisasi": "1000000000"}])
    assert consistency(exactly, {}) == []


def test_every_finding_has_the_documented_shape(example):
    for periode, r in example.items():
        for f in consistency(r, quarter_recaps(example)):
            assert set(f) == {"rule", "indikator", "message_id", "message_en", "values"}, periode
            assert f["rule"] in RULES and f["message_id"] and f["message_en"]
