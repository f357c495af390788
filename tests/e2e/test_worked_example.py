"""The worked example through the running system: PK, keys, every submission in order over HTTP, and the
recap of every period read back from the aggregator equals the contract's expected answer."""

from __future__ import annotations

import time

import httpx

from services.aggregator.domain import PERIODES
from tests.support.compare import assert_subset


def load_example(system, client: httpx.Client, pk: dict, submissions: list[dict]) -> dict[str, int]:
    r = client.put(system.url("collector", "/api/v1/perjanjian-kinerja/2024"), json=pk, headers=system.admin)
    assert r.status_code == 200, r.text
    assert r.json()["indikator"] == 9
    keys = {}
    for unit in pk["units"]:
        r = client.post(system.url("collector", f"/api/v1/units/{unit['kode']}/api-keys"), headers=system.admin)
        assert r.status_code == 201, r.text
        keys[unit["kode"]] = r.json()["api_key"]
    acknowledged: dict[str, int] = {}
    for sub in submissions:
        r = client.post(
            system.url("collector", "/api/v1/laporan-triwulan"),
            json=sub,
            headers={"Authorization": f"Bearer {keys[sub['unit']]}"},
        )
        assert r.status_code == 202, r.text
        acknowledged[f"{sub['triwulan']}:{sub['unit']}"] = r.json()["revision"]
    return acknowledged


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


def test_worked_example_recaps_equal_the_contract(system, client, pk_2024, submissions_2024, expected_rekap_2024):
    acknowledged = load_example(system, client, pk_2024, submissions_2024)
    assert acknowledged["2:BID-PENTA"] == 2  # the correction made a second revision
    for periode in PERIODES:
        body = wait_for_rekap(system, client, periode, acknowledged)
        assert_subset(expected_rekap_2024[periode], body, periode)
        assert body["status"] == "complete"
        assert body["kelengkapan"]["submitted_units"] == body["kelengkapan"]["expected_units"]
