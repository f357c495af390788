"""A service on a real Redis and a real database notices Redis losing its data (shared.messaging.guard) — only keys
under the test's own stream prefix are deleted: the epoch, the service's stream, its consumer group — and repairs
it by itself: /healthz names the loss until then, groups come back at id 0 (a FastStream subscriber stopped on
NOGROUP is started again), published outbox rows are re-published with their event ids, and published rows are
kept for the retention period, then deleted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis
from sqlalchemy import update

from services.collector.main import create_app
from shared.events.envelope import new_envelope, utcnow
from shared.messaging.guard import epoch_key
from shared.messaging.outbox import OUTBOX
from tests.integration.conftest import Service, _drop_schema, eventually, make_settings, put_pk


@pytest.fixture
def slow_guard(tmp_path: Path, database_url: str | None, redis_client: Redis) -> Iterator[Service]:
    """The collector whose guard looks only when a test asks it to (`check`), so what /healthz says in between
    can be seen."""
    settings = make_settings(tmp_path, database_url).model_copy(update={"redis_check_interval_s": 3600.0})
    try:
        with TestClient(create_app(settings)) as client:
            yield Service(client, settings, redis_client)
    finally:
        keys = list(redis_client.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis_client.delete(*keys)
        _drop_schema(database_url, "collector")


def check(svc: Service) -> Any:
    return svc.client.portal.call(lambda: svc.rt.guard.check(force=True))  # type: ignore[union-attr]


def event_ids(svc: Service) -> list[str]:
    return [e["event_id"] for e in svc.events()]


def test_a_lost_stream_is_published_again_from_the_outbox(collector: Service, pk: dict[str, Any]) -> None:
    put_pk(collector, pk)
    collector.wait_relayed()
    published = event_ids(collector)
    assert len(published) == 1
    collector.redis.delete(collector.stream())  # the stream is gone (and every group on it)
    eventually(lambda: event_ids(collector) == published, timeout=15)  # the same event, again
    assert collector.client.get("/healthz").status_code == 200


def test_healthz_names_a_lost_epoch_until_the_service_restores_it(slow_guard: Service, pk: dict[str, Any]) -> None:
    svc = slow_guard
    put_pk(svc, pk)
    svc.wait_relayed()
    published = event_ids(svc)
    key = epoch_key(svc.settings.stream_prefix)
    svc.redis.delete(key, svc.stream())  # as after a restart of Redis without its data
    res = svc.client.get("/healthz")
    assert res.status_code == 503
    assert res.json()["problems"] == ["redis: epoch missing (Redis lost its data; not yet restored)"]
    assert check(svc) == "epoch missing"
    assert svc.redis.get(key) is not None
    eventually(lambda: event_ids(svc) == published, timeout=15)
    assert svc.client.get("/healthz").status_code == 200

    svc.redis.set(key, "another")  # another service restored first: this one still has its part to do
    res = svc.client.get("/healthz")
    assert res.status_code == 503 and "epoch changed" in res.json()["problems"][0]
    assert check(svc) == "epoch changed"
    assert svc.client.get("/healthz").status_code == 200
    text = svc.client.get("/metrics").text
    assert 'lapkin_redis_recoveries_total{reason="epoch missing"} 1' in text
    assert "lapkin_outbox_republished_total 1" in text


def test_a_deleted_group_is_recreated_and_its_stopped_subscriber_started_again(
    collector: Service, pk: dict[str, Any]
) -> None:
    """The collector reads the approval service's stream: its group there is destroyed, FastStream stops the
    subscriber (NOGROUP), the guard recreates the group at id 0 and starts the subscriber; an event published
    after that is applied."""
    put_pk(collector, pk)
    stream = collector.stream("approval")
    collector.redis.xgroup_destroy(stream, "collector")
    eventually(lambda: collector.client.get("/healthz").status_code == 200, timeout=20)
    eventually(lambda: not collector.rt.consumer.stalled(), timeout=20)
    decision = {"draft_id": "2024-TW1", "tahun": 2024, "periode": "TW1", "jenis": "triwulan", "version": 1,
                "step": 5, "actor": {"id": 1, "nama": "Kasubag"}, "final": True}  # fmt: skip
    collector.publish(stream, new_envelope("DraftApproved", decision, producer="approval"))

    def final() -> bool:
        r = collector.client.get("/api/v1/periode/2024/TW1/status", headers=collector.admin)
        return r.status_code == 200 and r.json().get("status") == "final"

    eventually(final, timeout=20)


def test_published_rows_are_kept_for_the_retention_then_deleted(slow_guard: Service, pk: dict[str, Any]) -> None:
    svc = slow_guard
    put_pk(svc, pk)
    svc.wait_relayed()
    cleanup = svc.rt.guard._cleanup  # type: ignore[union-attr]
    svc.client.portal.call(cleanup)
    rows = svc.outbox()
    assert len(rows) == 1 and rows[0].published_at is not None  # published, and kept
    old = utcnow() - timedelta(days=svc.settings.outbox_retention_days, hours=1)
    with svc.rt.engine.begin() as conn:
        conn.execute(update(OUTBOX).where(OUTBOX.c.id == rows[0].id).values(published_at=old))
    svc.client.portal.call(cleanup)
    assert svc.outbox() == []


@pytest.mark.parametrize("when", ["before the XADDs", "after the XADDs"])
def test_a_stream_lost_between_the_relays_check_and_its_publish_is_published_again(
    collector: Service, pk: dict[str, Any], when: str
) -> None:
    """The relay looks for a loss, then publishes its batch: two round trips. A stream deleted between them was made
    again by the batch's XADD, and the entries published before it were gone with nothing left to notice — the next
    check looked for the batch's own entry, which was there (a CI run lost a quarter's reports this way: its recap
    never caught up). After publishing, the relay now checks that the entry before the batch is still there, and
    the batch's first: a batch that lost entries itself is not marked, and is published again whole."""
    put_pk(collector, pk)
    collector.wait_relayed()
    first = event_ids(collector)
    assert len(first) == 1
    relay = collector.rt.relay
    publish, armed = relay.publish_batch, [True]

    async def deleted_first(rows: Any) -> Any:
        if armed and when == "before the XADDs":
            armed.clear()
            await collector.rt.redis.delete(collector.stream())  # after the check, before the XADD
        answers = await publish(rows)
        if armed and when == "after the XADDs":
            armed.clear()
            await collector.rt.redis.delete(collector.stream())  # the batch's entries gone before they are marked
        return answers

    relay.publish_batch = deleted_first
    pk["units"][0]["nama"] = pk["units"][0]["nama"] + " (ubah)"  # a new PK version: one more event
    put_pk(collector, pk)
    # `not armed` first: "after the XADDs", the batch's entries are on the stream (and seen from here) a moment
    # before the relay deletes them; the check must not end in that moment (a CI run under load did)
    eventually(
        lambda: not armed and set(first) <= set(event_ids(collector)) and len(set(event_ids(collector))) >= 2,
        timeout=15,
    )  # the stream was deleted where the race is, and everything published again
    collector.wait_relayed()  # and every row marked published again
