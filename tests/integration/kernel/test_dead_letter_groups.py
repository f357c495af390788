"""Dead letters per consumer group on a real Redis (issue 13, item 6): three groups read one stream; an event that
only one group fails becomes one dead letter naming that group; replayed after the fix it reaches that group only
(its retry stream), even across a restart, and the other groups see nothing new; replaying the same row twice does
nothing more; a poison event every group fails makes one dead letter per group, and replaying or dropping one row
touches only that row and its group."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from sqlalchemy import Column, String
from sqlmodel import Field, Session, SQLModel, select

from lapkin.ops import DeadLetterNotFound, Ops
from shared.config import Settings
from shared.db import create_tables, make_engine
from shared.events.envelope import Envelope, new_envelope
from shared.messaging.outbox import KERNEL_TABLES
from shared.messaging.streams import EventConsumer, ensure_groups, make_broker, publish_envelope

REDIS_URL = os.environ.get("LAPKIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
GROUPS = ("alpha", "beta", "gamma")


class GroupEffect(SQLModel, table=True):
    """One row per event a group applied (a group applying an event twice would make two)."""

    __tablename__ = "test_group_effect"
    id: int | None = Field(default=None, primary_key=True)
    grp: str = Field(sa_column=Column(String, nullable=False))
    event_id: str = Field(sa_column=Column(String, nullable=False))


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        redis_url=REDIS_URL,
        stream_prefix=f"g{secrets.token_hex(4)}",
        reclaim_idle_ms=300,
        max_deliveries=2,
        database_url=os.environ.get("LAPKIN_KERNEL_DATABASE_URL"),
    )


@pytest.fixture
def engine(settings) -> Iterator[Any]:
    engine = make_engine(settings, "dlqgroups")
    create_tables(engine, [*KERNEL_TABLES, GroupEffect.__table__])  # type: ignore[attr-defined]
    yield engine
    engine.dispose()


@pytest.fixture
async def redis(settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    yield client
    await client.delete(*[k async for k in client.scan_iter(f"{settings.stream_prefix}.*")] or ["-"])
    await client.aclose()


@pytest.fixture
def ops(settings) -> Iterator[Ops]:
    client = SyncRedis.from_url(settings.redis_url)
    yield Ops(settings, client)
    client.close()


class Group:
    """One consuming service: its own broker and EventConsumer (group = service name), a handler that records what
    it applied and fails while `broken`."""

    def __init__(self, settings: Settings, engine: Any, name: str, broken: bool = False) -> None:
        self.name, self.broken, self.calls = name, broken, []
        self.broker = make_broker(settings)

        def handle(session: Session, env: Envelope, payload: Any) -> None:
            self.calls.append(env.event_id)
            if self.broken:
                raise RuntimeError(f"{name} has a bug")
            session.add(GroupEffect(grp=name, event_id=env.event_id))

        self.consumer = EventConsumer(
            broker=self.broker,
            settings=settings,
            engine=engine,
            service=name,
            handlers={"PeriodeClosed": handle},
            streams=[settings.stream("collector")],
        )
        self.consumer.register()

    async def start(self, redis: Redis) -> None:
        await ensure_groups(redis, self.consumer.read_streams, self.name)  # as Runtime.ensure_groups does
        await self.broker.start()

    async def stop(self) -> None:
        await self.broker.stop()


def closed(n: int = 0) -> Envelope:
    return new_envelope("PeriodeClosed", {"tahun": 2024, "periode": f"TW{n % 4 + 1}", "closed_by": "t"}, producer="p")


def applied(engine: Any) -> list[tuple[str, str]]:
    with Session(engine) as s:
        return sorted((e.grp, e.event_id) for e in s.exec(select(GroupEffect)))


async def eventually(check: Any, timeout: float = 15.0, what: str = "condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"{what} not reached in {timeout}s"
        await asyncio.sleep(0.05)


async def quiet(groups: list[Group], redis: Redis, settings: Settings) -> None:
    """Every group has read and acknowledged everything on every stream it reads."""

    async def done() -> bool:
        for g in groups:
            for stream in g.consumer.read_streams:
                for info in await redis.xinfo_groups(stream):
                    if info["name"].decode() == g.name and (int(info["pending"]) or int(info.get("lag") or 0)):
                        return False
        return True

    await eventually(done, what="every group drained")


async def test_a_replay_reaches_only_the_group_that_failed_even_across_a_restart(settings, engine, redis, ops):
    stream = settings.stream("collector")
    alpha = Group(settings, engine, "alpha", broken=True)
    others = [Group(settings, engine, "beta"), Group(settings, engine, "gamma")]
    for g in (alpha, *others):
        await g.start(redis)
    env = closed()
    try:
        await publish_envelope(alpha.broker, stream, env.model_dump_json(), env.event_id, env.type)

        async def one_dead_letter() -> bool:
            return await redis.xlen(f"{stream}.dlq") == 1

        await eventually(one_dead_letter, what="alpha's dead letter")
        await quiet([alpha, *others], redis, settings)
    finally:
        await alpha.stop()  # the service is stopped to deploy the fix
    assert applied(engine) == [("beta", env.event_id), ("gamma", env.event_id)]
    [dead] = ops.dlq(stream)
    assert (dead["group"], dead["service"], dead["consumer"]) == ("alpha", "alpha", "alpha")
    assert dead["envelope"]["event_id"] == env.event_id and dead["dead_reason"] == "too many deliveries"
    assert dead["row"] == f"collector:{dead['id']}"
    length = await redis.xlen(stream)
    others_calls = [list(g.calls) for g in others]

    # replayed while alpha is down: it waits on alpha's retry stream, which only alpha reads
    done = ops.replay(dead["dlq"], dead["id"], by="test")
    assert done["replayed_to"] == settings.retry_stream("alpha") and done["group"] == "alpha"
    assert done["event_id"] == env.event_id
    with pytest.raises(DeadLetterNotFound):  # a second click, or the command run twice: nothing more
        ops.replay(dead["dlq"], dead["id"], by="test")
    assert await redis.xlen(settings.retry_stream("alpha")) == 1
    assert ops.dlq() == []

    fixed = Group(settings, engine, "alpha")  # restarted with the fix
    await fixed.start(redis)
    try:

        async def alpha_applied() -> bool:
            return ("alpha", env.event_id) in applied(engine)

        await eventually(alpha_applied, what="alpha applying the replay")
        await quiet([fixed, *others], redis, settings)
        await asyncio.sleep(0.5)  # longer than the reclaim idle time: nothing else turns up
    finally:
        for g in (fixed, *others):
            await g.stop()
    assert applied(engine) == sorted([("alpha", env.event_id), ("beta", env.event_id), ("gamma", env.event_id)])
    assert fixed.calls == [env.event_id]
    assert [g.calls for g in others] == others_calls  # the other groups saw nothing new
    assert await redis.xlen(stream) == length  # nothing was re-published on the stream every group reads
    for g in ("beta", "gamma"):
        assert await redis.xlen(settings.retry_stream(g)) == 0
    assert ops.dlq() == []
    actions = [(f[b"action"], f[b"by"]) for _, f in await redis.xrange(f"{settings.stream_prefix}.ops")]
    assert actions == [(b"replay", b"test")]  # recorded once


async def test_a_replay_left_pending_by_a_crash_is_finished_after_the_restart(settings, engine, redis, ops):
    """The retry stream is a stream with the group's pending entries: a consumer that read the replay and died
    before acknowledging it leaves it pending, and the restarted service's reclaimer applies it, once."""
    stream = settings.stream("collector")
    retry = settings.retry_stream("alpha")
    await ensure_groups(redis, [stream, retry], "alpha")
    env = closed(1)
    letter = {"envelope": env.model_dump(mode="json"), "dead_reason": "x", "original_stream": stream, "group": "alpha"}
    ops.r.xadd(f"{stream}.dlq", {"__data__": json.dumps(letter)})
    [dead] = ops.dlq()
    ops.replay(dead["dlq"], dead["id"], by="test")
    taken = await redis.xreadgroup("alpha", "crashed-worker", {retry: ">"}, count=1)
    assert taken and taken[0][1]
    alpha = Group(settings, engine, "alpha")
    await alpha.start(redis)
    try:

        async def done() -> bool:
            return ("alpha", env.event_id) in applied(engine)

        await eventually(done, what="the reclaimer applying the replay")
        await quiet([alpha], redis, settings)
    finally:
        await alpha.stop()
    assert alpha.calls == [env.event_id]
    assert ops.dlq() == []


async def test_poison_every_group_fails_is_one_dead_letter_per_group_and_each_row_acts_alone(
    settings, engine, redis, ops
):
    stream = settings.stream("collector")
    groups = [Group(settings, engine, name) for name in GROUPS]
    for g in groups:
        await g.start(redis)
    try:
        await groups[0].broker.publish({"type": "PeriodeClosed", "payload": "not an envelope"}, stream=stream)

        async def three() -> bool:
            return await redis.xlen(f"{stream}.dlq") == 3

        await eventually(three, what="one dead letter per group")
        rows = ops.dlq()
        assert sorted(r["group"] for r in rows) == sorted(GROUPS)  # one per group, each naming its group
        by_group = {r["group"]: r for r in rows}

        done = ops.replay(by_group["beta"]["dlq"], by_group["beta"]["id"], by="test")
        assert done["group"] == "beta"

        async def beta_again() -> bool:
            return len(ops.dlq()) == 3 and by_group["beta"]["id"] not in {r["id"] for r in ops.dlq()}

        await eventually(beta_again, what="beta failing the replay again")
        await quiet(groups, redis, settings)
        await asyncio.sleep(0.5)
        after = ops.dlq()
        assert sorted(r["group"] for r in after) == sorted(GROUPS)  # still one per group: not three more
        again = next(r for r in after if r["group"] == "beta")
        assert again["retry_stream"] == settings.retry_stream("beta")
        assert {r["id"] for r in after if r["group"] != "beta"} == {by_group["alpha"]["id"], by_group["gamma"]["id"]}

        ops.drop(by_group["gamma"]["dlq"], by_group["gamma"]["id"], by="test")
        assert sorted(r["group"] for r in ops.dlq()) == ["alpha", "beta"]
        with pytest.raises(DeadLetterNotFound):
            ops.drop(by_group["gamma"]["dlq"], by_group["gamma"]["id"], by="test")
        # the row id `lapkin dlq` takes
        assert ops.find_row(again["row"]) == (again["dlq"], again["id"])
        with pytest.raises(DeadLetterNotFound):
            ops.find_row(f"collector:{by_group['gamma']['id']}")
    finally:
        for g in groups:
            await g.stop()
    assert applied(engine) == []


async def test_a_retry_entry_naming_a_stream_the_group_does_not_read_is_dropped(settings, engine, redis):
    """Only `lapkin.ops` writes retry entries; one written by hand for another stream is logged and acknowledged, and
    the group goes on with the next."""
    alpha = Group(settings, engine, "alpha")
    await alpha.start(redis)
    retry = settings.retry_stream("alpha")
    stray, good = closed(2), closed(3)
    try:
        await redis.xadd(retry, {"__data__": stray.model_dump_json(), "origin": settings.stream("elsewhere")})
        await redis.xadd(retry, {"__data__": good.model_dump_json(), "origin": settings.stream("collector")})

        async def done() -> bool:
            return ("alpha", good.event_id) in applied(engine)

        await eventually(done, what="the good retry entry applied")
        await quiet([alpha], redis, settings)
    finally:
        await alpha.stop()
    assert alpha.calls == [good.event_id]
    assert await redis.xlen(f"{settings.stream('elsewhere')}.dlq") == 0
