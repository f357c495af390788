"""The messaging kernel on a real Redis and a real database: groups at id 0, reclaiming a crashed consumer's
pending events, dead letters after N deliveries, duplicates applied once, and the outbox relay."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from faststream.redis.parser.binary import BinaryMessageFormatV1
from redis.asyncio import Redis
from sqlalchemy import Column, String, func
from sqlmodel import Field, Session, SQLModel, select

from shared.config import Settings
from shared.db import create_tables, make_engine
from shared.events.envelope import Envelope, new_envelope
from shared.messaging.outbox import KERNEL_TABLES, OutboxMessage, ProcessedEvent, Relay, add_to_outbox
from shared.messaging.streams import (
    EventConsumer,
    ensure_groups,
    events_waiting,
    make_broker,
    publish_envelope,
    publish_envelopes,
)

REDIS_URL = os.environ.get("LAPKIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class KernelEffect(SQLModel, table=True):
    """What the test handler does: one row per applied event (a duplicate would make two)."""

    __tablename__ = "test_kernel_effect"
    id: int | None = Field(default=None, primary_key=True)
    event_id: str = Field(sa_column=Column(String, nullable=False))


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        redis_url=REDIS_URL,
        stream_prefix=f"k{secrets.token_hex(4)}",
        reclaim_idle_ms=400,
        max_deliveries=3,
        database_url=os.environ.get("LAPKIN_KERNEL_DATABASE_URL"),
    )


@pytest.fixture
def engine(settings) -> Iterator[Any]:
    engine = make_engine(settings, "kerneltest")
    create_tables(engine, [*KERNEL_TABLES, KernelEffect.__table__])  # type: ignore[attr-defined]
    yield engine
    engine.dispose()


@pytest.fixture
async def redis(settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    yield client
    await client.delete(*[k async for k in client.scan_iter(f"{settings.stream_prefix}.*")] or ["-"])
    await client.aclose()


def envelope(n: int = 0) -> Envelope:
    return new_envelope(
        "PeriodeClosed", {"tahun": 2024, "periode": f"TW{n % 4 + 1}", "closed_by": "t"}, producer="test"
    )


def effects(engine) -> list[str]:
    with Session(engine) as s:
        return list(s.exec(select(KernelEffect.event_id)))


async def eventually(check, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


class Harness:
    def __init__(
        self, settings: Settings, engine, fail_times: int = 0, always_fail: bool = False, poison: set[str] = frozenset()
    ) -> None:
        self.stream = settings.stream("producer")
        self.calls = 0
        self.fail_times, self.always_fail, self.poison = fail_times, always_fail, poison
        self.transactions: list[int] = []  # per call: which transaction (session) the handler ran in
        self.waiting: list[int] = []  # per call: what events_waiting() told the handler
        self.broker = make_broker(settings)

        def handle(session: Session, env: Envelope, payload: Any) -> None:
            self.calls += 1
            self.transactions.append(session.info.setdefault("test_transaction", len(set(self.transactions))))
            self.waiting.append(events_waiting())
            if self.always_fail or self.calls <= self.fail_times or env.event_id in self.poison:
                raise RuntimeError("handler failed")
            session.add(KernelEffect(event_id=env.event_id))

        self.consumer = EventConsumer(
            broker=self.broker,
            settings=settings,
            engine=engine,
            service="kerneltest",
            handlers={"PeriodeClosed": handle},
            streams=[self.stream],
        )
        self.consumer.register()

    async def publish(self, env: Envelope) -> None:
        await publish_envelope(self.broker, self.stream, env.model_dump_json(), env.event_id, env.type)


async def test_events_published_before_the_first_start_are_delivered(settings, engine, redis):
    await ensure_groups(redis, [settings.stream("producer")], "kerneltest")
    early = make_broker(settings)
    await early.connect()
    sent = [envelope(n) for n in range(5)]
    for env in sent:
        await publish_envelope(early, settings.stream("producer"), env.model_dump_json(), env.event_id, env.type)
    await early.stop()
    h = Harness(settings, engine)
    await h.broker.start()
    try:
        await eventually(lambda: len(effects(engine)) == 5)
    finally:
        await h.broker.stop()
    assert sorted(effects(engine)) == sorted(e.event_id for e in sent)


async def test_a_crashed_consumers_pending_event_is_finished_by_another(settings, engine, redis):
    stream = settings.stream("producer")
    await ensure_groups(redis, [stream], "kerneltest")
    h = Harness(settings, engine)
    env = envelope()
    await h.broker.connect()
    await h.publish(env)
    # a consumer reads the event and dies before acknowledging it
    read = await redis.xreadgroup("kerneltest", "crashed-consumer", {stream: ">"}, count=1)
    assert read and read[0][1], "the crashed consumer should have taken the event"
    assert (await redis.xpending(stream, "kerneltest"))["pending"] == 1
    await h.broker.start()
    try:
        await eventually(lambda: effects(engine) == [env.event_id])
        for _ in range(100):
            if (await redis.xpending(stream, "kerneltest"))["pending"] == 0:
                break
            await asyncio.sleep(0.05)
    finally:
        await h.broker.stop()
    assert (await redis.xpending(stream, "kerneltest"))["pending"] == 0


async def test_a_failing_handler_is_retried_and_applied_once(settings, engine, redis):
    await ensure_groups(redis, [settings.stream("producer")], "kerneltest")
    h = Harness(settings, engine, fail_times=2)
    await h.broker.start()
    env = envelope()
    try:
        await h.publish(env)
        await eventually(lambda: effects(engine) == [env.event_id])
    finally:
        await h.broker.stop()
    assert h.calls == 3


async def test_a_poison_event_goes_to_the_dead_letter_stream_after_max_deliveries(settings, engine, redis):
    stream = settings.stream("producer")
    await ensure_groups(redis, [stream], "kerneltest")
    h = Harness(settings, engine, always_fail=True)
    await h.broker.start()
    env = envelope()
    try:
        await h.publish(env)
        for _ in range(200):
            if await redis.xlen(f"{stream}.dlq") >= 1:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)
    finally:
        await h.broker.stop()
    entries = await redis.xrange(f"{stream}.dlq")
    assert len(entries) == 1
    body, _ = BinaryMessageFormatV1.parse(entries[0][1][b"__data__"])
    dead = json.loads(body)
    assert dead["envelope"]["event_id"] == env.event_id
    assert dead["dead_reason"] == "too many deliveries"
    assert dead["delivery_count"] > settings.max_deliveries
    assert h.calls == settings.max_deliveries
    assert (await redis.xpending(stream, "kerneltest"))["pending"] == 0
    assert effects(engine) == []


async def test_a_malformed_event_is_dead_lettered_at_once_and_the_consumer_goes_on(settings, engine, redis):
    stream = settings.stream("producer")
    await ensure_groups(redis, [stream], "kerneltest")
    h = Harness(settings, engine)
    await h.broker.start()
    good = envelope()
    try:
        await h.broker.publish({"type": "PeriodeClosed", "payload": "not an envelope"}, stream=stream)
        await h.broker.publish({**json.loads(envelope().model_dump_json()), "payload": {"tahun": "x"}}, stream=stream)
        await h.publish(good)
        await eventually(lambda: effects(engine) == [good.event_id])
        for _ in range(100):
            if await redis.xlen(f"{stream}.dlq") == 2:
                break
            await asyncio.sleep(0.05)
    finally:
        await h.broker.stop()
    assert await redis.xlen(f"{stream}.dlq") == 2
    assert h.calls == 1


async def test_a_duplicated_event_is_applied_once(settings, engine, redis):
    await ensure_groups(redis, [settings.stream("producer")], "kerneltest")
    h = Harness(settings, engine)
    await h.broker.start()
    env = envelope()
    try:
        for _ in range(3):  # a relay that crashed before marking, and an operator's replay
            await h.publish(env)
        await eventually(lambda: h.consumer.consumed == 3)
    finally:
        await h.broker.stop()
    assert effects(engine) == [env.event_id]
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(ProcessedEvent)).one() == 1


async def test_the_outbox_relay_keeps_rows_while_redis_is_away_and_publishes_them_in_order(settings, engine, redis):
    stream = settings.stream("producer")
    sent = [envelope(n) for n in range(5)]
    with Session(engine) as s:
        for env in sent:
            add_to_outbox(s, stream, env)
        s.commit()
    attempts = []

    async def redis_down(rows: Any) -> None:
        attempts.append(rows)
        raise ConnectionError("redis is away")

    with pytest.raises(ConnectionError):
        await Relay(engine, redis_down).relay_once()
    with Session(engine) as s:
        assert all(r.published_at is None for r in s.exec(select(OutboxMessage)))
    broker = make_broker(settings)
    await broker.connect()
    try:
        relay = Relay(
            engine,
            lambda rows: publish_envelopes(
                redis, broker, [(r.stream, json.loads(r.body), r.event_id, r.type) for r in rows]
            ),
        )
        assert await relay.relay_once() == 5
        assert await relay.relay_once() == 0  # nothing published twice
    finally:
        await broker.stop()
    entries = await redis.xrange(stream)
    ids = [json.loads(BinaryMessageFormatV1.parse(f[b"__data__"])[0])["event_id"] for _, f in entries]
    assert ids == [e.event_id for e in sent]


async def test_a_dead_letter_replayed_after_a_fix_is_applied_exactly_once(settings, engine, redis):
    from redis import Redis as SyncRedis

    from lapkin.ops import Ops

    stream = settings.stream("producer")
    await ensure_groups(redis, [stream], "kerneltest")
    broken = Harness(settings, engine, always_fail=True)
    await broken.broker.start()
    env = envelope()
    try:
        await broken.publish(env)
        for _ in range(200):
            if await redis.xlen(f"{stream}.dlq"):
                break
            await asyncio.sleep(0.05)
    finally:
        await broken.broker.stop()
    ops = Ops(settings, SyncRedis.from_url(settings.redis_url))
    [dead] = ops.dlq(stream)
    assert dead["envelope"]["event_id"] == env.event_id
    fixed = Harness(settings, engine)  # the handler's bug is fixed and the service restarted
    await fixed.broker.start()
    try:
        ops.replay(dead["dlq"], dead["id"], by="test")
        await eventually(lambda: effects(engine) == [env.event_id])
        await fixed.publish(env)  # the same event once more: deduplicated
        await eventually(lambda: fixed.consumer.consumed == 2)
    finally:
        await fixed.broker.stop()
    assert effects(engine) == [env.event_id]
    assert ops.dlq(stream) == []
    audit = await redis.xrange(f"{settings.stream_prefix}.ops")
    assert [a[1][b"action"] for a in audit] == [b"replay"]


# ---- batches (issue 16 item 5) -------------------------------------------------------------------------------


async def publish_backlog(settings: Settings, sent: list[Envelope]) -> None:
    """The events on the stream before the consumer starts: a backlog it reads in batches."""
    early = make_broker(settings)
    await early.connect()
    for env in sent:
        await publish_envelope(early, settings.stream("producer"), env.model_dump_json(), env.event_id, env.type)
    await early.stop()


async def test_a_backlog_is_applied_in_batches_each_event_once(settings, engine, redis):
    """K waiting events are applied in fewer than K transactions (a batch is one transaction, one XACK), each
    exactly once; within a batch a handler is told how many events follow it, so it can leave work for the last."""
    stream = settings.stream("producer")
    await ensure_groups(redis, [stream], "kerneltest")
    sent = [envelope(n) for n in range(30)]
    await publish_backlog(settings, sent)
    h = Harness(settings, engine)
    await h.broker.start()
    try:
        # not the database: a read on this loop would wait for the writer, whose handler asks this loop for the lag
        await eventually(lambda: h.consumer.consumed == 30)
    finally:
        await h.broker.stop()
    assert sorted(effects(engine)) == sorted(e.event_id for e in sent)
    assert len(set(h.transactions)) < 30  # batched: far fewer transactions than events
    assert max(h.waiting) > 0  # an event of a batch with more after it knew
    assert (await redis.xpending(stream, "kerneltest"))["pending"] == 0


async def test_a_poison_event_inside_a_batch_is_dead_lettered_alone_and_the_rest_applied(settings, engine, redis):
    """The batch's transaction fails on the poison event: the batch is applied again one event at a time, the others
    are applied and acknowledged, and only the poison one stays pending, is retried and dead-lettered."""
    stream = settings.stream("producer")
    await ensure_groups(redis, [stream], "kerneltest")
    sent = [envelope(n) for n in range(12)]
    poison = sent[5]
    await publish_backlog(settings, sent)
    h = Harness(settings, engine, poison={poison.event_id})
    await h.broker.start()
    try:
        for _ in range(300):
            if await redis.xlen(f"{stream}.dlq") >= 1 and (await redis.xpending(stream, "kerneltest"))["pending"] == 0:
                break
            await asyncio.sleep(0.05)
    finally:
        await h.broker.stop()
    assert sorted(effects(engine)) == sorted(e.event_id for e in sent if e is not poison)
    entries = await redis.xrange(f"{stream}.dlq")
    assert len(entries) == 1
    dead = json.loads(BinaryMessageFormatV1.parse(entries[0][1][b"__data__"])[0])
    assert dead["envelope"]["event_id"] == poison.event_id and dead["group"] == "kerneltest"
    assert dead["dead_reason"] == "too many deliveries"
    assert (await redis.xpending(stream, "kerneltest"))["pending"] == 0


async def test_a_redelivered_batch_changes_nothing(settings, engine, redis):
    """The same events arriving again as a batch (a relay that crashed before marking them, a replay): each is
    claimed already, so nothing is applied twice."""
    stream = settings.stream("producer")
    await ensure_groups(redis, [stream], "kerneltest")
    sent = [envelope(n) for n in range(10)]
    await publish_backlog(settings, sent)
    h, h2 = Harness(settings, engine), Harness(settings, engine)
    await h.broker.start()
    try:
        await eventually(lambda: h.consumer.consumed == 10)
    finally:
        await h.broker.stop()
    await publish_backlog(settings, sent)
    await h2.broker.start()
    try:
        await eventually(lambda: h2.consumer.consumed == 10)
    finally:
        await h2.broker.stop()
    assert sorted(effects(engine)) == sorted(e.event_id for e in sent)
    assert h2.calls == 0  # every event of the batch was claimed already: no handler ran
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(ProcessedEvent)).one() == 10
    assert (await redis.xpending(stream, "kerneltest"))["pending"] == 0
