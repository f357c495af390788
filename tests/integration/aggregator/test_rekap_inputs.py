"""Aggregator: every recap revision names the input revisions it was computed from, also when a new input revision
leaves the period's figures as they were (found by the chaos test, tests/chaos)."""

from __future__ import annotations

import json
from typing import Any

from services.aggregator.handlers import latest_revision
from shared.events import catalogue as ev
from shared.events.envelope import Envelope, new_envelope
from tests.integration.aggregator.test_tren import feed, publish_pk
from tests.integration.conftest import Service


def triwulan(unit: str, q: int, revision: int, values: dict[str, str]) -> Envelope:
    payload = ev.TriwulanSubmitted(
        tahun=2024,
        triwulan=q,
        unit=unit,
        submission_id=f"{unit}-{q}-{revision}",
        revision=revision,
        realisasi=[ev.NilaiItem(indikator=k, nilai=v) for k, v in sorted(values.items())],
        on_time=True,
        received_at="2024-07-01T00:00:00+00:00",
    )
    return new_envelope("TriwulanSubmitted", payload, producer="collector")


def stored(svc: Service, periode: str) -> tuple[int, dict[str, Any], dict[str, int]]:
    with svc.session() as s:
        last = latest_revision(s, 2024, periode)
        assert last is not None
        return last.revision, json.loads(last.body), json.loads(last.inputs)


def test_a_new_input_revision_that_changes_no_figure_still_makes_a_revision_naming_it(
    aggregator: Service, pk: dict[str, Any]
) -> None:
    publish_pk(aggregator, pk)
    # IKU-1 aggregates by `terakhir`: with Q2 reported, S1 and the year show Q2's value, whatever Q1 says
    feed(aggregator, triwulan("BPS", 1, 1, {"IKU-1": "7.25"}), triwulan("BPS", 2, 1, {"IKU-1": "7.10"}))
    s1_before, s1_body, s1_inputs = stored(aggregator, "S1")
    assert s1_inputs == {"1:BPS": 1, "2:BPS": 1}

    feed(aggregator, triwulan("BPS", 1, 2, {"IKU-1": "7.40"}))

    s1_after, body, inputs = stored(aggregator, "S1")
    assert body == s1_body  # the figures did not move ...
    assert (s1_after, inputs) == (s1_before + 1, {"1:BPS": 2, "2:BPS": 1})  # ... but the revision says what it used
    _, _, year_inputs = stored(aggregator, "TAHUNAN")
    assert year_inputs == {"1:BPS": 2, "2:BPS": 1}
    r = aggregator.client.get("/api/v1/rekap/2024/S1", headers=aggregator.admin)
    assert (r.json()["revision"], r.json()["inputs"]) == (s1_after, inputs)  # GET and the stored revision agree
    aggregator.wait_relayed()
    published = [e for e in aggregator.events("RekapCompleted") if e["payload"]["periode"] == "S1"]
    assert published[-1]["payload"]["inputs"] == {"1:BPS": 2, "2:BPS": 1}


def test_a_pk_version_is_read_from_this_database_not_from_an_earlier_office_in_the_process(
    tmp_path: Any, database_url: str | None, redis_client: Any, pk: dict[str, Any]
) -> None:
    """Two offices served one after the other by aggregators in one process, each with its own PK 2024 version 1:
    the second office's recap names its own indicators (a cache keyed by year and version once showed the first's)."""
    from contextlib import contextmanager

    from tests.integration.conftest import aggregator as aggregator_fixture

    office = contextmanager(aggregator_fixture.__wrapped__)  # type: ignore[attr-defined]
    named = {**pk, "sasaran": [
        {**s, "indikator": [{**i, "nama": f"Kantor kedua: {i['nama']}"} for i in s["indikator"]]} for s in pk["sasaran"]
    ]}  # fmt: skip
    names = []
    for i, version in enumerate((pk, named)):
        with office(tmp_path / f"kantor{i}", database_url, redis_client) as svc:
            publish_pk(svc, version)
            feed(svc, triwulan("BPS", 1, 1, {"IKU-1": "7.25"}))
            names.append({ind["nama"] for ind in stored(svc, "TW1")[1]["indikator"]})
    assert names[1] and all(n.startswith("Kantor kedua: ") for n in names[1])
    assert not any(n.startswith("Kantor kedua: ") for n in names[0])
