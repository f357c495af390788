"""The producers emit PerjanjianKinerjaPublished and RekapCompleted v2, and what they emit for the worked example is
what the stored v1 events (tests/fixtures/events, recorded from the v1 producers with the same inputs) upcast to.
In-process on real Redis + database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.events import catalogue as ev
from shared.events.envelope import Envelope, new_envelope
from tests.integration.aggregator.test_tren import feed, publish_pk
from tests.integration.conftest import Service, eventually, put_pk

EVENTS = Path(__file__).resolve().parents[2] / "fixtures" / "events"


def _stored(name: str) -> Any:
    return json.loads((EVENTS / name).read_text())


def test_the_collector_publishes_the_typed_pk_as_v2(collector: Service, pk: dict[str, Any]) -> None:
    put_pk(collector, pk)
    (row,) = collector.outbox("PerjanjianKinerjaPublished")
    emitted = Envelope.model_validate_json(row.body)
    assert emitted.version == 2
    stored_v1 = ev.parse_payload(Envelope.model_validate(_stored("PerjanjianKinerjaPublished.v1.json")))
    assert ev.parse_payload(emitted) == stored_v1


def test_the_aggregator_publishes_the_typed_recap_as_v2(
    aggregator: Service, pk: dict[str, Any], submissions_2024: list[dict]
) -> None:
    publish_pk(aggregator, pk)
    revisions: dict[tuple[int, str], int] = {}
    envs = []
    for n, sub in enumerate(submissions_2024):  # the inputs the v1 events were recorded from
        key = (sub["triwulan"], sub["unit"])
        revisions[key] = revisions.get(key, 0) + 1
        payload = ev.TriwulanSubmitted(
            tahun=2024,
            triwulan=sub["triwulan"],
            unit=sub["unit"],
            submission_id=f"s-{n}",
            revision=revisions[key],
            realisasi=[ev.NilaiItem(**item) for item in sub["realisasi"]],
            on_time=n % 3 != 0,
            received_at="2024-04-01T00:00:00+00:00",
            anggaran={"realisasi": "125000000.50"} if n == 0 else None,
            kendala="Sinyal lemah di kecamatan" if n == 1 else None,
            solusi="Pengiriman ulang" if n == 1 else None,
        )
        envs.append(new_envelope("TriwulanSubmitted", payload, producer="collector"))
    feed(aggregator, *envs)
    aggregator.wait_relayed()
    stored = {e["payload"]["periode"]: e for e in _stored("RekapCompleted.v1.json")}
    eventually(lambda: {e["payload"]["periode"] for e in aggregator.events("RekapCompleted")} == set(stored))
    newest: dict[str, Envelope] = {}
    for body in aggregator.events("RekapCompleted"):
        newest[body["payload"]["periode"]] = Envelope.model_validate(body)
    for periode, env in newest.items():
        assert env.version == 2
        now, then = ev.parse_payload(env), ev.parse_payload(Envelope.model_validate(stored[periode]))
        assert isinstance(now, ev.RekapCompleted) and isinstance(then, ev.RekapCompleted)
        # the revision numbers depend on how the burst was coalesced; the figures do not
        assert now.rekap.model_copy(update={"revision": None}) == then.rekap.model_copy(update={"revision": None})
        assert (now.status, now.inputs) == (then.status, then.inputs)
