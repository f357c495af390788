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
