"""Aggregator, issue 12 item 1: a figure it is sent is counted, never dead-lettered. The collector now refuses figures
beyond the bounds of shared.decimals, but a stream may still hold events an earlier collector accepted (a 41-digit
count, money of 1e60): those failed in round2 five times and were dead-lettered, and the recap silently stayed on the
older revision. In-process on real Redis + database."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shared.events import catalogue as ev
from shared.events.envelope import new_envelope
from tests.integration.aggregator.test_tren import feed, publish_pk
from tests.integration.conftest import Service


def test_figures_an_earlier_collector_accepted_are_counted_not_dead_lettered(
    aggregator: Service, pk: dict[str, Any]
) -> None:
    publish_pk(aggregator, pk)
    payload = ev.TriwulanSubmitted(
        tahun=2024,
        triwulan=1,
        unit="BID-PENTA",
        submission_id="old-collector",
        revision=1,
        realisasi=[ev.NilaiItem(indikator="IK-3.2", nilai="9" * 41), ev.NilaiItem(indikator="IK-3.1", nilai="1E+2")],
        on_time=True,
        received_at="2024-04-01T00:00:00+00:00",
        anggaran={"realisasi": "1e60"},
    )
    feed(aggregator, new_envelope("TriwulanSubmitted", payload, producer="collector"))  # handled, not retried

    r = aggregator.client.get("/api/v1/rekap/2024/TW1", headers=aggregator.admin)
    assert r.status_code == 200, r.text
    rows = {i["kode"]: i for i in r.json()["indikator"]}
    assert Decimal(rows["IK-3.2"]["realisasi"]) == Decimal("1E+41")  # 41 nines, to 40 significant digits
    assert Decimal(rows["IK-3.2"]["capaian"]) >= Decimal("9" * 39)  # / 1000 × 100, to 40 significant digits
    assert rows["IK-3.1"]["realisasi"] == "100.00"
    p03 = next(p for p in r.json()["anggaran"] if p["kode"] == "P-03")
    assert Decimal(p03["realisasi"]) == Decimal("1e60") and p03["persen"].startswith("465116279069767441860465116")
    assert aggregator.rt.consumer.dead_lettered == 0
