"""Aggregator: a burst of TriwulanSubmitted is recapped once for all of it (the year is marked stale while more
events wait, and recomputed by the next handler with nothing waiting or by the sweep), and the recap in the end
is exactly the one computed from every input; in-process on real Redis + database."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from services.aggregator.handlers import _RECOMPUTED
from services.aggregator.models import AggInput, AggStale, RekapRevision
from shared.events import catalogue as ev
from shared.events.envelope import Envelope, new_envelope, utcnow
from shared.messaging.outbox import ProcessedEvent
from tests.integration.conftest import Service, eventually


def responsible(pk: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in pk["sasaran"]:
        for i in s["indikator"]:
            out.setdefault(i["penanggung_jawab"], []).append(i["kode"])
    return {unit: sorted(codes) for unit, codes in sorted(out.items())}


def publish_pk(svc: Service, pk: dict[str, Any]) -> None:
    env = new_envelope(
        "PerjanjianKinerjaPublished",
        ev.PerjanjianKinerjaPublished(tahun=2024, version=1, pk={**pk, "tahun": 2024}),
        producer="collector",
    )
    svc.publish(svc.stream("collector"), env)
    eventually(lambda: revisions(svc, "TW1"))


def submitted(pk: dict[str, Any], unit: str, revision: int, base: int, triwulan: int = 1) -> Envelope:
    codes = responsible(pk)[unit]
    payload = ev.TriwulanSubmitted(
        tahun=2024,
        triwulan=triwulan,
        unit=unit,
        submission_id=f"{unit}-{revision}",
        revision=revision,
        realisasi=[ev.NilaiItem(indikator=k, nilai=str(base + n)) for n, k in enumerate(codes)],
        on_time=True,
        received_at="2024-04-05T10:00:00+07:00",
    )
    return new_envelope("TriwulanSubmitted", payload, producer="collector")


def publish_all(svc: Service, envelopes: list[Envelope]) -> None:
    """One pipeline, so the whole burst is on the stream before the aggregator reads the first of it (raw JSON in
    `__data__` is read by FastStream's parser like its own format, as `lapkin ops replay` writes it)."""
    pipe = svc.redis.pipeline()
    for env in envelopes:
        pipe.xadd(svc.stream("collector"), {"__data__": env.model_dump_json()})
    pipe.execute()


def revisions(svc: Service, periode: str) -> list[RekapRevision]:
    with svc.session() as s:
        query = select(RekapRevision).where(RekapRevision.periode == periode)
        return list(s.exec(query.order_by(col(RekapRevision.revision))))


def processed(svc: Service, ids: set[str]) -> bool:
    with svc.session() as s:
        seen = set(s.exec(select(ProcessedEvent.event_id).where(ProcessedEvent.consumer == "aggregator")))
        stale = s.exec(select(AggStale)).all()
    return ids <= seen and not stale


def test_a_burst_is_recapped_once_and_ends_equal_to_the_recap_of_every_input(aggregator, pk):
    publish_pk(aggregator, pk)
    before = len(revisions(aggregator, "TW1"))
    units = list(responsible(pk))
    burst = [submitted(pk, unit, revision, 10 * revision) for revision in range(1, 11) for unit in units]
    publish_all(aggregator, burst)
    eventually(lambda: processed(aggregator, {e.event_id for e in burst}), timeout=30)

    made = len(revisions(aggregator, "TW1")) - before
    assert 1 <= made < len(burst) // 2  # coalesced: far fewer recaps than events

    r = aggregator.client.get("/api/v1/rekap/2024/TW1", headers=aggregator.admin)
    assert r.status_code == 200, r.text
    rekap = r.json()
    last = revisions(aggregator, "TW1")[-1]
    assert rekap["revision"] == last.revision  # the stored recap is the one computed from everything received
    assert rekap["inputs"] == {f"1:{unit}": 10 for unit in units} == json.loads(last.inputs)
    realisasi = {row["kode"]: row["realisasi"] for row in rekap["indikator"]}
    for unit, codes in responsible(pk).items():  # the newest revision's values (base 100), none of an older one
        assert Decimal(realisasi[codes[0]]) == 100, (unit, realisasi[codes[0]])


def test_a_stale_year_left_by_the_last_event_is_recomputed_by_the_sweep_with_its_cause(aggregator, pk):
    publish_pk(aggregator, pk)
    unit = next(iter(responsible(pk)))
    traceparent = "00-" + "ab" * 16 + "-" + "cd" * 8 + "-01"  # the report's trace (shared/tracing.py)
    tail = submitted(pk, unit, 1, 500).model_copy(update={"traceparent": traceparent})
    ignored = new_envelope("SomethingElse", {"x": 1}, producer="collector")  # no aggregator handler: no recompute
    publish_all(aggregator, [tail, ignored])

    def recapped() -> RekapRevision | None:
        last = revisions(aggregator, "TW1")[-1]
        return last if json.loads(last.inputs).get(f"1:{unit}") == 1 else None

    last = eventually(recapped, timeout=10)
    eventually(lambda: processed(aggregator, {tail.event_id}))
    aggregator.wait_relayed()
    completed = [e for e in aggregator.events("RekapCompleted") if e["payload"]["revision"] == last.revision]
    assert completed and all(e["causation_id"] == tail.event_id for e in completed)
    assert all(e["correlation_id"] == tail.correlation_id for e in completed)
    assert [e.get("traceparent") for e in completed] == [traceparent] * len(completed)  # drawn later: its trace


def test_each_period_names_the_newest_coalesced_event_that_touched_it(aggregator, pk):
    """A burst of first-quarter reports followed by second-quarter ones, recapped together: TW1's new revision names
    the last TW1 report as its cause (an operator's trace leads from it to the quarter's draft), not a TW2 report
    that merely ended the burst; TW2, S1 and the year name the last TW2 report."""
    publish_pk(aggregator, pk)
    units = list(responsible(pk))
    tw1 = [submitted(pk, unit, 1, 10) for unit in units]
    tw2 = [submitted(pk, unit, 1, 20, triwulan=2) for unit in units]
    publish_all(aggregator, tw1 + tw2)
    eventually(lambda: processed(aggregator, {e.event_id for e in tw1 + tw2}), timeout=30)
    aggregator.wait_relayed()

    def newest(periode: str) -> dict[str, Any]:
        revision = revisions(aggregator, periode)[-1].revision
        found = [e for e in aggregator.events("RekapCompleted") if e["payload"]["periode"] == periode]
        return next(e for e in found if e["payload"]["revision"] == revision)

    assert newest("TW1")["causation_id"] == tw1[-1].event_id
    assert newest("TW1")["correlation_id"] == tw1[-1].correlation_id
    for periode in ("TW2", "S1", "TAHUNAN"):
        assert newest(periode)["causation_id"] == tw2[-1].event_id, periode


def test_a_recap_says_whether_reports_for_its_year_are_still_arriving(aggregator, pk):
    """RekapCompleted.more_expected: False for a report recapped at once after a quiet moment, True for reports that
    arrived together (the year was marked stale a moment ago: a burst goes on, the renderer waits for its end before
    drawing); for a stale year the sweep recomputes, True when a report marked it within the last two recap windows and
    False when the last one is older (the burst's last word)."""
    publish_pk(aggregator, pk)
    unit = next(iter(responsible(pk)))
    first = submitted(pk, unit, 1, 10)
    _RECOMPUTED.clear()  # as after a quiet moment (the PK's recompute was not a moment ago)
    publish_all(aggregator, [first])
    eventually(lambda: processed(aggregator, {first.event_id}))

    def flags(revision: int) -> set[bool]:
        aggregator.wait_relayed()
        found = [e["payload"] for e in aggregator.events("RekapCompleted")]
        return {p["more_expected"] for p in found if p["inputs"].get(f"1:{unit}") == revision}

    assert flags(1) == {False}
    other, third = list(responsible(pk))[1:3]
    two = [submitted(pk, other, 1, 20), submitted(pk, third, 1, 30)]  # at once: the second coalesced with the first
    _RECOMPUTED.clear()  # nor the single report's: the batch's last event recomputes, the first having marked it
    publish_all(aggregator, two)
    eventually(lambda: processed(aggregator, {e.event_id for e in two}))
    aggregator.wait_relayed()
    both = [e["payload"] for e in aggregator.events("RekapCompleted")
            if {f"1:{other}", f"1:{third}"} <= set(e["payload"]["inputs"])]  # fmt: skip
    assert both and {p["more_expected"] for p in both} == {True}
    # "a moment ago" with room for a slow sweep on a busy machine (it must look within two windows of the mark)
    for revision, marked_at, expected in ((2, utcnow() + timedelta(seconds=5), True),
                                          (3, utcnow() - timedelta(hours=1), False)):  # fmt: skip
        with aggregator.session() as s:  # as a report coalesced into the stale year leaves it
            row = s.get(AggInput, (2024, 1, unit))
            assert row is not None
            row.revision, row.values = revision, json.dumps({k: str(100 * revision) for k in responsible(pk)[unit]})
            s.add(row)
            s.add(AggStale(tahun=2024, event_id=f"e{revision}", correlation_id="c", marked_at=marked_at))
            s.commit()
        eventually(lambda: processed(aggregator, set()), timeout=10)  # the sweep recomputed it
        assert flags(revision) == {expected}, revision
