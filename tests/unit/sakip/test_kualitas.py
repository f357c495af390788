"""The LKjIP quality checks (shared/sakip/kualitas.py) on the worked example: the figures the evaluator reads, and
that a change of one indicator's data moves its coverage."""

from __future__ import annotations

import copy
from datetime import date

from shared.sakip import kualitas as k
from tests.unit.renderer.worked_example import load_pk, recaps

TENGGAT = {p: k.batas(2024, p) for p in ("TW1", "TW2", "TW3", "TW4", "S1", "S2", "TAHUNAN")}


def _all(pk=None, rekap=None, laporan=None):  # type: ignore[no-untyped-def]
    return k.semua(pk or load_pk(), rekap or recaps()["TAHUNAN"], tahun=2024, periode="TAHUNAN",
                   laporan=laporan or {}, tenggat=TENGGAT)  # fmt: skip


def test_worked_example_figures() -> None:
    out = _all()
    assert list(out) == list(k.KEYS)
    got = {key: (c["ada"], c["dari"], c["cakupan"]) for key, c in out.items()}
    assert got["benchmark"] == (4, 9, "44.44")
    assert [m["kode"] for m in out["benchmark"]["kurang"]] == ["IK-2.1", "IK-2.3", "IK-3.2", "IK-4.1", "IK-4.2"]
    assert got["target"] == (9, 9, "100.00")
    assert got["renstra"] == (9, 9, "100.00")
    assert got["tahun_lalu"] == (9, 9, "100.00")
    assert got["efisiensi"] == (4, 5, "80.00")  # SS-1 has no programme
    assert out["efisiensi"]["kurang"][0]["kode"] == "SS-1"
    assert got["rencana_aksi"] == (9, 9, "100.00")
    assert got["analisis"][0] == got["analisis"][1] and got["analisis"][1] > 0


def test_giving_ik21_a_benchmark_moves_the_coverage() -> None:
    pk = load_pk()
    ind = next(i for s in pk["sasaran"] for i in s["indikator"] if i["kode"] == "IK-2.1")
    ind["benchmark"] = {"nilai": "1200", "sumber": "BPS", "tingkat": "provinsi"}
    out = _all(pk=pk)["benchmark"]
    assert (out["ada"], out["dari"], out["cakupan"]) == (5, 9, "55.56")
    assert "IK-2.1" not in [m["kode"] for m in out["kurang"]]


def test_removing_a_cause_moves_the_analysis_coverage() -> None:
    rekap = recaps()["TAHUNAN"]
    before = k.analisis(rekap)
    assert before["dari"] > 0 and before["ada"] == before["dari"]
    victim = next(r["kode"] for r in rekap["indikator"] if r.get("capaian") and not 100 <= float(r["capaian"]) <= 120)
    changed = copy.deepcopy(rekap)
    for a in changed["analisis"]:
        if a["indikator"] == victim:
            a["penyebab"] = None
    after = k.analisis(changed, lambda kode: f"/draf/2024-TAHUNAN#ind-{kode}")
    assert after["ada"] == before["ada"] - 1 and after["dari"] == before["dari"]
    assert after["kurang"][0]["kode"] == victim
    assert "penyebab" in after["kurang"][0]["alasan_id"]
    assert after["kurang"][0]["tautan"] == f"/draf/2024-TAHUNAN#ind-{victim}"


def test_missing_realisasi_and_renstra_are_named() -> None:
    rekap = copy.deepcopy(recaps()["TAHUNAN"])
    rekap["indikator"][0]["realisasi"] = None
    pk = load_pk()
    first = pk["sasaran"][0]["indikator"][0]
    first["target_renstra"] = [e for e in first["target_renstra"] if e["tahun"] != 2024]
    first.pop("target_akhir_renstra", None)
    out = _all(pk=pk, rekap=rekap)
    assert (out["target"]["ada"], out["target"]["kurang"][0]["kode"]) == (8, first["kode"])
    assert (out["renstra"]["ada"], out["renstra"]["cakupan"]) == (8, "88.89")


def test_deadlines_and_periodic_reports() -> None:
    assert k.batas(2024, "TW1") == date(2024, 4, 30)
    assert k.batas(2024, "S2") == date(2025, 1, 30)
    assert k.batas(2024, "TAHUNAN") == date(2025, 2, 28)
    assert k.batas(2023, "TAHUNAN", tahunan="02-29") == date(2024, 2, 29)
    assert k.batas(2024, "TAHUNAN", tahunan="02-29") == date(2025, 2, 28)
    on_time = {p: k.Laporan(periode=p, ada=True, final_on=TENGGAT[p], tautan=f"/draf/2024-{p}") for p in TENGGAT}
    late = {**on_time, "TW3": k.Laporan(periode="TW3", ada=True, final_on=date(2024, 11, 2), tautan="/draf/2024-TW3")}
    assert k.berkala(2024, "TAHUNAN", on_time, TENGGAT)["cakupan"] == "100.00"
    out = k.berkala(2024, "TAHUNAN", late, TENGGAT)
    assert (out["ada"], out["dari"], out["cakupan"]) == (5, 6, "83.33")
    assert out["kurang"][0]["kode"] == "TW3" and "2 November 2024" in out["kurang"][0]["alasan_id"]
    assert out["kurang"][0]["tautan"] == "/draf/2024-TW3"
    assert k.berkala(2024, "S1", late, TENGGAT)["dari"] == 2
    assert k.tepat_waktu(2024, "TAHUNAN", date(2025, 2, 28), TENGGAT["TAHUNAN"])["ada"] == 1
    assert k.tepat_waktu(2024, "TAHUNAN", date(2025, 3, 1), TENGGAT["TAHUNAN"])["cakupan"] == "0.00"


def test_nothing_to_check_has_no_coverage() -> None:
    assert k.cakupan(0, 0) is None
    assert k.analisis({"indikator": [{"kode": "X", "capaian": "105.00"}]})["cakupan"] is None
    assert k.cakupan(1, 3) == "33.33" and k.cakupan(2, 3) == "66.67"


def test_a_semester_report_is_checked_on_what_it_prints() -> None:
    out = k.semua(load_pk(), recaps()["S1"], tahun=2024, periode="S1", laporan={}, tenggat=TENGGAT)
    assert list(out) == list(k.SEMESTER_KEYS)  # no Renstra, past years, benchmark or efficiency in a semester report
    assert out["berkala"]["dari"] == 2 and [m["kode"] for m in out["berkala"]["kurang"]] == ["TW1", "TW2"]
    assert "30 Juli 2024" in out["tepat_waktu"]["kurang"][0]["alasan_id"]
