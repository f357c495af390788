"""The worked example through the running system: PK, keys, every submission in order over HTTP, and the
recap of every period read back from the aggregator equals the contract's expected answer."""

from __future__ import annotations

import time

from services.aggregator.domain import PERIODES
from tests.support.compare import assert_subset


def wait_for_rekap(system, client, periode: str, acknowledged: dict[str, int], timeout: float = 30) -> dict:
    """Poll until the aggregator has consumed every acknowledged revision of the period's quarters."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(system.url("aggregator", f"/api/v1/rekap/2024/{periode}"), headers=system.admin)
        assert r.status_code == 200, r.text
        body = r.json()
        quarters = {"S1": "12", "S2": "34", "TAHUNAN": "1234"}.get(periode, periode[-1])
        want = {k: v for k, v in acknowledged.items() if k.split(":")[0] in quarters}
        if body["inputs"] == want:
            return body
        assert time.monotonic() < deadline, f"{periode}: inputs {body['inputs']} never reached {want}"
        time.sleep(0.2)


def test_worked_example_recaps_equal_the_contract(system, client, acknowledged, expected_rekap_2024):
    assert acknowledged["2:BID-PENTA"] == 2  # the correction made a second revision
    for periode in PERIODES:
        body = wait_for_rekap(system, client, periode, acknowledged)
        assert_subset(expected_rekap_2024[periode], body, periode)
        assert body["status"] == "complete"
        assert body["pk_version"] == 1  # the recap names the PK version it measured against
        assert body["kelengkapan"]["submitted_units"] == body["kelengkapan"]["expected_units"]


def test_monthly_progress_reaches_the_trend_with_a_warning_and_leaves_the_recaps_alone(system, client, acknowledged):
    before = wait_for_rekap(system, client, "TW1", acknowledged)
    r = client.post(system.url("collector", "/api/v1/units/BID-PENTA/api-keys"), headers=system.admin)
    key = {"Authorization": f"Bearer {r.json()['api_key']}"}
    for bulan, nilai in ((1, "300"), (2, "250")):
        body = {
            "tahun": 2024,
            "bulan": bulan,
            "unit": "BID-PENTA",
            "realisasi": [{"indikator": "IK-3.2", "nilai": nilai}],
        }
        r = client.post(system.url("collector", "/api/v1/laporan-bulanan"), json=body, headers=key)
        assert r.status_code == 202, r.text
    deadline = time.monotonic() + 30
    while True:  # 300 + 250 = 550 → 550 / 2 × 3 = 825 against TW1's 1000 → 82,50% → merah
        r = client.get(system.url("aggregator", "/api/v1/tren/2024"), headers=system.admin)
        assert r.status_code == 200, r.text
        row = next(i for i in r.json()["indikator"] if i["kode"] == "IK-3.2")
        if row["bulan_terakhir"] == 2:
            break
        assert time.monotonic() < deadline, f"trend never reached month 2: {row}"
        time.sleep(0.2)
    assert (row["proyeksi"], row["capaian_proyeksi"], row["peringatan"]) == ("825.00", "82.50", "merah")
    after = client.get(system.url("aggregator", "/api/v1/rekap/2024/TW1"), headers=system.admin).json()
    assert after["revision"] == before["revision"] and after["indikator"] == before["indikator"]
