"""The event index on a real Redis: the indexer (consumer group `indexer` on every stream) writes it as events pass;
pages come out newest first, in stream order, with every filter alone and combined, by time and in pages; the
trace through the index follows a submission to its final document like the full scan of `lapkin trace`."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from redis.asyncio import Redis as AsyncRedis

from lapkin.ops import Ops
from shared.messaging.index import EventIndex, Indexer, score_of
from tests.integration.ops.conftest import event, put


def submitted(unit: str, triwulan: int, sub: str) -> dict:
    return {
        "tahun": 2024,
        "triwulan": triwulan,
        "unit": unit,
        "submission_id": sub,
        "revision": 1,
        "realisasi": [],
        "on_time": True,
        "received_at": "2024-04-01T00:00:00+00:00",
    }


async def run_indexer(settings, until_count: int) -> Indexer:
    client = AsyncRedis.from_url(settings.redis_url)
    indexer = Indexer(client, settings.stream_prefix, block_ms=100)
    indexer.start()
    deadline = time.monotonic() + 10
    while indexer.indexed < until_count:
        assert time.monotonic() < deadline, f"indexed {indexer.indexed} of {until_count}"
        await asyncio.sleep(0.05)
    await indexer.stop()
    await client.aclose()
    return indexer


async def test_events_appear_in_order_and_every_filter_narrows_them(settings, r):
    written = []  # (stream entry id, envelope), in the order producers wrote them
    for n in range(30):
        unit = ("BPS", "SEKRETARIAT", "BID-PENTA")[n % 3]
        env = event("TriwulanSubmitted", submitted(unit, n % 2 + 1, f"sub-{n}"), "collector")
        written.append((put(r, settings, env), env))
        if n % 10 == 9:
            closed = event("PeriodeClosed", {"tahun": 2024, "periode": "TW1", "closed_by": "t"}, "collector")
            written.append((put(r, settings, closed), closed))
            rekap = event(
                "RekapCompleted",
                {"tahun": 2024, "periode": "TW1", "revision": n, "status": "provisional", "rekap": {}, "inputs": {}},
                "aggregator",
                causation=env,
            )
            written.append((put(r, settings, rekap), rekap))
    await run_indexer(settings, len(written))
    index = EventIndex(r, settings.stream_prefix)
    newest_first = [e.event_id for _, e in sorted(written, key=lambda w: score_of(w[0]), reverse=True)]

    page = index.page(limit=100)  # no filter: XREVRANGE on every stream, merged
    scores = [score_of(row["id"]) for row in page.rows]
    assert scores == sorted(scores, reverse=True)  # newest first (entries of two streams in one ms: either order)
    by_score = {e.event_id: score_of(i) for i, e in written}
    assert sorted(row["event_id"] for row in page.rows) == sorted(newest_first)
    assert [by_score[row["event_id"]] for row in page.rows] == [by_score[e] for e in newest_first]
    newest_first = [row["event_id"] for row in page.rows]
    collector = [e.event_id for _, e in reversed(written) if e.producer == "collector"]
    assert [e for e in newest_first if e in set(collector)] == collector  # one stream: exactly its order

    def ids(**filters):
        return [row["event_id"] for row in index.page(filters, limit=100).rows]

    assert ids(type="PeriodeClosed") == [
        e for e in newest_first if e in {w.event_id for _, w in written if w.type == "PeriodeClosed"}
    ]
    bps = [e.event_id for _, e in reversed(written) if e.payload.get("unit") == "BPS"]
    assert ids(unit="BPS") == bps
    assert ids(unit="BPS", periode="2024-TW2") == [
        e.event_id for _, e in reversed(written) if e.payload.get("unit") == "BPS" and e.payload.get("triwulan") == 2
    ]
    assert ids(service="aggregator") == [e.event_id for _, e in reversed(written) if e.producer == "aggregator"]
    assert ids(service="aggregator", type="RekapCompleted", periode="2024-TW1") == ids(service="aggregator")
    one = written[4][1]
    assert ids(corr=one.correlation_id) == [one.event_id]
    assert ids(type="PeriodeClosed", unit="BPS") == []
    assert ids(type="NoSuchType") == []
    assert set(index.values("unit")) == {"BPS", "SEKRETARIAT", "BID-PENTA"}
    assert set(index.values("type")) == {"TriwulanSubmitted", "PeriodeClosed", "RekapCompleted"}

    # pages: `before` continues where the last page ended, with and without filters
    seen, before = [], None
    while True:
        p = index.page({"unit": "SEKRETARIAT"}, limit=4, before=before)
        seen += [row["event_id"] for row in p.rows]
        if not p.next_before:
            break
        before = p.next_before
    assert seen == ids(unit="SEKRETARIAT")
    seen, before = [], None
    while True:
        p = index.page(limit=7, before=before)
        seen += [row["event_id"] for row in p.rows]
        if not p.next_before:
            break
        before = p.next_before
    assert seen == newest_first

    # period of time: only what was written inside it
    middle = int(written[15][0].split("-")[0]) / 1000
    later = index.page({"unit": "BPS"}, limit=100, since=datetime.fromtimestamp(middle, UTC)).rows
    assert later and all(score_of(row["id"]) >= int(middle * 1000) * 1000 for row in later)
    earlier = index.page(limit=100, until=datetime.fromtimestamp(middle - 0.001, UTC)).rows
    assert all(score_of(row["id"]) < int(middle * 1000) * 1000 for row in earlier)
    assert len(later) + len([row for row in earlier if row.get("payload", {}).get("unit") == "BPS"]) == len(bps)


async def test_trace_through_the_index_follows_a_submission_to_its_final_document(settings, r):
    sub = event("TriwulanSubmitted", submitted("BPS", 1, "sub-42"), "collector")
    other = event("TriwulanSubmitted", submitted("BPS", 2, "sub-43"), "collector")
    rekap = event(
        "RekapCompleted",
        {"tahun": 2024, "periode": "TW1", "revision": 3, "status": "complete", "rekap": {}, "inputs": {}},
        "aggregator",
        causation=sub,
    )
    draft = {"draft_id": "2024-TW1", "tahun": 2024, "periode": "TW1", "jenis": "triwulan", "version": 1}
    rendered = event(
        "DraftRendered",
        {**draft, "document_id": "doc-1", "recap_revision": 3, "files": {}},
        "renderer",
        causation=rekap,
    )
    actor = {"id": 1, "nama": "Staf"}
    submit = event("DraftSubmittedForReview", {**draft, "step": 4, "actor": actor}, "approval")
    approve = event("DraftApproved", {**draft, "step": 5, "actor": actor, "final": True}, "approval")
    published = event(
        "DocumentPublished",
        {**draft, "document_id": "doc-1-final", "recap_revision": 3, "files": {}},
        "renderer",
        causation=approve,
    )
    unrelated = event("DraftApproved", {**draft, "draft_id": "2024-TW2", "step": 5, "actor": actor}, "approval")
    path = [sub, other, rekap, rendered, submit, unrelated, approve, published]
    for env in path:
        put(r, settings, env)
        time.sleep(0.002)  # one millisecond apart: the full scan orders by entry id alone
    await run_indexer(settings, len(path))
    index = EventIndex(r, settings.stream_prefix)
    expected = [
        "TriwulanSubmitted",
        "RekapCompleted",
        "DraftRendered",
        "DraftSubmittedForReview",
        "DraftApproved",
        "DocumentPublished",
    ]
    traced = index.trace("sub-42")
    assert [e["type"] for e in traced] == expected
    assert [e["event_id"] for e in traced] == [e["event_id"] for e in Ops(settings, r).trace_by_scan("sub-42")]
    assert [e["event_id"] for e in Ops(settings, r).trace("sub-42")] == [e["event_id"] for e in traced]
    assert [e["type"] for e in index.trace(sub.correlation_id)] == expected  # by correlation id too
    assert index.trace("nothing-like-this") == []


async def test_an_event_the_relay_published_twice_is_one_row_of_the_trace(settings, r):
    """After a crash between XADD and marking the outbox row, the relay publishes the same event again (a second
    stream entry, the same event id); consumers apply it once, and the trace lists it once, not as two submissions."""
    sub = event("TriwulanSubmitted", submitted("BPS", 1, "sub-77"), "collector")
    rekap = event(
        "RekapCompleted",
        {"tahun": 2024, "periode": "TW1", "revision": 1, "status": "complete", "rekap": {}, "inputs": {}},
        "aggregator",
        causation=sub,
    )
    for env in (sub, sub, rekap):
        put(r, settings, env)
        time.sleep(0.002)
    assert r.xlen(settings.stream("collector")) == 2  # the same event, two entries
    await run_indexer(settings, 3)
    by_index = EventIndex(r, settings.stream_prefix).trace("sub-77")
    by_scan = Ops(settings, r).trace_by_scan("sub-77")
    for traced in (by_index, by_scan):
        assert [e["type"] for e in traced] == ["TriwulanSubmitted", "RekapCompleted"]
        assert traced[0]["event_id"] == sub.event_id


async def test_the_indexer_catches_up_with_history_and_a_redelivery_changes_nothing(settings, r):
    for n in range(5):
        put(r, settings, event("TriwulanSubmitted", submitted("BPS", 1, f"s{n}"), "collector"))
    await run_indexer(settings, 5)  # the group is created at 0: history is indexed
    index = EventIndex(r, settings.stream_prefix)
    assert len(index.page({"unit": "BPS"}).rows) == 5
    before = r.zcard(index.key("unit", "BPS"))
    client = AsyncRedis.from_url(settings.redis_url)
    again = Indexer(client, settings.stream_prefix)
    batch = await client.xrange(settings.stream("collector"))
    await again.index_batch([(settings.stream("collector").encode(), batch)])  # the same entries once more
    await client.aclose()
    assert r.zcard(index.key("unit", "BPS")) == before
    groups = {g["name"].decode(): g for g in r.xinfo_groups(settings.stream("collector"))}
    assert groups["indexer"]["pending"] == 0 and groups["indexer"]["lag"] == 0


async def test_what_a_killed_indexer_read_is_indexed_by_the_running_one(settings, r):
    """An indexer SIGKILLed after reading leaves entries pending under its dead consumer name; one started moments
    later (too soon to claim them at its start) claims and indexes them once they are idle for the reclaim time."""
    client = AsyncRedis.from_url(settings.redis_url)
    indexer = Indexer(client, settings.stream_prefix, block_ms=100, reclaim_idle_ms=300)
    await indexer.ensure_groups()
    for n in range(3):
        put(r, settings, event("TriwulanSubmitted", submitted("BPS", 1, f"k{n}"), "collector"))
    read = r.xreadgroup("indexer", "indexer-killed-1234", {settings.stream("collector"): ">"}, count=10)
    assert len(read[0][1]) == 3  # read, never acknowledged: the reader died
    indexer.start()
    deadline = time.monotonic() + 10
    while indexer.indexed < 3:
        assert time.monotonic() < deadline, f"indexed {indexer.indexed} of 3"
        await asyncio.sleep(0.05)
    await indexer.stop()
    await client.aclose()
    assert len(EventIndex(r, settings.stream_prefix).page({"unit": "BPS"}).rows) == 3
    groups = {g["name"].decode(): g for g in r.xinfo_groups(settings.stream("collector"))}
    assert groups["indexer"]["pending"] == 0
