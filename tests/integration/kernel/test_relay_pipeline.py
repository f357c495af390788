"""The outbox relay's batch in one Redis pipeline (shared.messaging.streams.publish_envelopes, wired by
shared/service.py): the entries are byte for byte those FastStream's broker.publish writes (publish_envelope),
a FastStream subscriber reads them alike, a batch is one round trip, and only the rows really XADDed are marked."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from faststream.redis import BinaryMessageFormatV1, RedisBroker, RedisStreamMessage, StreamSub
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import ResponseError
from sqlalchemy import select as sa_select
from sqlmodel import Session

from shared.config import Settings
from shared.events.envelope import Envelope, new_envelope
from shared.messaging.outbox import OUTBOX, PROCESSED, Relay, add_to_outbox
from shared.messaging.streams import (
    EventConsumer,
    ensure_groups,
    make_broker,
    publish_envelope,
    publish_envelopes,
)
from shared.service import Runtime
from tests.integration.kernel import test_messaging as kernel
from tests.integration.kernel.test_messaging import KernelEffect, effects, eventually

settings, engine, redis = kernel.settings, kernel.engine, kernel.redis  # the kernel tests' fixtures


@pytest.fixture(autouse=True)
def leave_no_rows(engine: Any) -> Iterator[None]:
    """On PostgreSQL the kernel tests share one schema: what a test here wrote must not reach the next test."""
    yield
    with engine.begin() as conn:
        for table in (OUTBOX, PROCESSED, KernelEffect.__table__):
            conn.execute(table.delete())


class FramedAlike(BinaryMessageFormatV1):
    """A message format other than the one make_broker uses: publish_envelopes leaves the framing to it."""


def report(n: int = 0) -> Envelope:
    """An envelope with text beyond ASCII and a number with a fraction, as the reports carry."""
    payload = {"tahun": 2024, "periode": "TW1", "closed_by": f"Dinas Pendidikan — Kota Bandung é {n}", "nilai": 12.5}
    return new_envelope("PeriodeClosed", payload, producer="test")


async def entries(redis: Redis, stream: str) -> list[Any]:
    return [fields for _, fields in await redis.xrange(stream)]


@pytest.mark.parametrize("message_format", [BinaryMessageFormatV1, FramedAlike], ids=["binary-v1", "other-format"])
async def test_a_pipelined_entry_is_byte_for_byte_what_broker_publish_writes(settings, redis, message_format):
    broker = RedisBroker(settings.redis_url, message_format=message_format) if message_format is FramedAlike else None
    broker = broker or make_broker(settings)
    await broker.connect()
    sent = [report(n) for n in range(3)]
    by_faststream, pipelined = f"{settings.stream_prefix}.faststream", f"{settings.stream_prefix}.pipelined"
    try:
        for env in sent:
            await publish_envelope(broker, by_faststream, env.model_dump_json(), env.event_id, env.type)
        items = [(pipelined, json.loads(env.model_dump_json()), env.event_id, env.type) for env in sent]
        ids = await publish_envelopes(redis, broker, items)
    finally:
        await broker.stop()
    assert [fields for _, fields in await redis.xrange(pipelined)] == await entries(redis, by_faststream)
    assert [entry_id for entry_id, _ in await redis.xrange(pipelined)] == ids  # in order, each its entry id
    first = (await entries(redis, pipelined))[0]
    assert list(first) == [b"__data__"]  # no field of its own, no MAXLEN: the stream keeps all three
    _body, headers = BinaryMessageFormatV1.parse(first[b"__data__"])
    assert headers == {"correlation_id": sent[0].correlation_id, "content-type": "application/json",
                       "message_id": sent[0].event_id, "event_type": "PeriodeClosed"}  # fmt: skip


async def test_a_faststream_subscriber_reads_the_pipelined_entry_as_the_published_one(settings, redis):
    stream = settings.stream("producer")
    await ensure_groups(redis, [stream], "readers")
    got: list[tuple[Any, ...]] = []
    broker = make_broker(settings)

    @broker.subscriber(stream=StreamSub(stream, group="readers", consumer="r1"))
    async def read(body: Any, msg: RedisStreamMessage) -> None:
        got.append((body, msg.headers, msg.correlation_id, msg.message_id, msg.content_type))

    env = report()
    await broker.start()
    try:
        await publish_envelope(broker, stream, env.model_dump_json(), env.event_id, env.type)
        await publish_envelopes(redis, broker, [(stream, json.loads(env.model_dump_json()), env.event_id, env.type)])
        await eventually(lambda: len(got) == 2)
    finally:
        await broker.stop()
    published, pipelined = got
    assert pipelined == published
    assert pipelined[0] == json.loads(env.model_dump_json()) and pipelined[2] == env.correlation_id
    assert pipelined[1]["message_id"] == env.event_id and pipelined[1]["event_type"] == "PeriodeClosed"


@pytest.fixture
async def service(settings: Settings, engine: Any) -> AsyncIterator[tuple[Runtime, InMemorySpanExporter]]:
    """A service's runtime as start() wires it (broker, guard, relay with its batch publisher), tracing on."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    rt = Runtime(service="producer", settings=settings, engine=engine)
    rt.tracer = provider.get_tracer("test")
    await rt.start()
    try:
        yield rt, exporter
    finally:
        await rt.stop()


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[Any]]]:
    """What reaches Redis: each pipeline executed (its commands' names) and each XADD sent on its own."""
    seen: dict[str, list[Any]] = {"pipelines": [], "single_xadds": []}
    execute, command = Pipeline.execute, Redis.execute_command

    async def pipeline_execute(self: Pipeline, *args: Any, **kwargs: Any) -> Any:
        seen["pipelines"].append([c[0][0] for c in self.command_stack])
        return await execute(self, *args, **kwargs)

    async def execute_command(self: Redis, *args: Any, **kwargs: Any) -> Any:
        if str(args[0]).upper() == "XADD":
            seen["single_xadds"].append(args[1])
        return await command(self, *args, **kwargs)

    monkeypatch.setattr(Pipeline, "execute", pipeline_execute)
    monkeypatch.setattr(Redis, "execute_command", execute_command)
    yield seen


async def test_the_relay_publishes_a_batch_in_one_round_trip_in_order(service, engine, redis, round_trips):
    rt, exporter = service
    sent = [report(n) for n in range(50)]
    with Session(engine) as s:  # one commit: the relay finds the fifty together
        for env in sent:
            add_to_outbox(s, rt.stream, env)
        s.commit()
    rt.committed()
    await eventually(lambda: rt.relay is not None and rt.relay.published == 50)
    with_xadds = [p for p in round_trips["pipelines"] if "XADD" in p]
    assert with_xadds == [["XADD"] * 50] and round_trips["single_xadds"] == []
    on_stream = await redis.xrange(rt.stream)
    assert [BinaryMessageFormatV1.parse(f[b"__data__"])[1]["message_id"] for _, f in on_stream] == [
        e.event_id for e in sent
    ]
    assert rt.guard is not None and rt.guard.last_entry == on_stream[-1][0].decode()
    published = rt.metrics.registry.get_sample_value(
        "lapkin_events_published_total", {"stream": rt.stream, "type": "PeriodeClosed"}
    )
    assert published == 50
    spans = [s for s in exporter.get_finished_spans() if s.kind == SpanKind.PRODUCER]
    assert sorted(s.attributes["messaging.message.id"] for s in spans) == sorted(e.event_id for e in sent)
    for span in spans:
        assert span.parent is None and span.name == "publish PeriodeClosed"  # no traceparent: a root of its own
        assert span.attributes["messaging.destination.name"] == rt.stream


async def test_only_the_rows_redis_took_are_marked_when_one_xadd_of_the_batch_fails(service, engine, redis):
    """An XADD refused within the pipeline (here: its stream key is a string) fails that row only: the rows before
    and after it are on their stream and marked, it stays unpublished and goes out once Redis takes it."""
    rt, exporter = service
    assert rt.relay is not None
    await rt.relay.stop()  # its loop: the rounds below are driven by hand
    rt.relay.stopping = False
    broken = f"{rt.settings.stream_prefix}.broken"
    await redis.set(broken, "not a stream")
    a, b, c = report(1), report(2), report(3)
    with Session(engine) as s:
        add_to_outbox(s, rt.stream, a)
        add_to_outbox(s, broken, b)
        add_to_outbox(s, rt.stream, c)
        s.commit()
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        await rt.relay.relay_once()
    assert unpublished(engine) == [b.event_id]
    assert [BinaryMessageFormatV1.parse(f[b"__data__"])[1]["message_id"] for f in await entries(redis, rt.stream)] == [
        a.event_id, c.event_id
    ]  # fmt: skip
    failed = [s for s in exporter.get_finished_spans() if s.status.status_code == StatusCode.ERROR]
    assert [s.attributes["messaging.message.id"] for s in failed] == [b.event_id]
    await redis.delete(broken)
    assert await rt.relay.relay_once() == 1
    assert unpublished(engine) == [] and len(await entries(redis, broken)) == 1


async def test_a_batch_whose_round_trip_failed_marks_nothing(engine, settings):
    """The connection lost midway: which XADDs got in is unknown, so every row stays to be published again
    (consumers dedupe on event_id)."""
    with Session(engine) as s:
        for n in range(3):
            add_to_outbox(s, settings.stream("producer"), report(n))
        s.commit()

    async def connection_lost(rows: list[Any]) -> list[Any]:
        raise ConnectionError("connection lost while reading the replies")

    with pytest.raises(ConnectionError):
        await Relay(engine, connection_lost).relay_once()
    assert len(unpublished(engine)) == 3


async def test_the_relay_pipeline_feeds_the_services_consumer(service, engine, settings, redis):
    """The services' consumer (EventConsumer: batch subscriber, envelope, dedupe, handler) applies relayed events."""
    rt, _ = service
    await ensure_groups(redis, [rt.stream], "kerneltest")
    broker = make_broker(settings)

    def handle(session: Session, env: Envelope, payload: Any) -> None:
        session.add(KernelEffect(event_id=env.event_id))

    consumer = EventConsumer(broker=broker, settings=settings, engine=engine, service="kerneltest",
                             handlers={"PeriodeClosed": handle}, streams=[rt.stream])  # fmt: skip
    consumer.register()
    sent = [report(n) for n in range(5)]
    await broker.start()
    try:
        with Session(engine) as s:
            for env in sent:
                add_to_outbox(s, rt.stream, env)
            s.commit()
        rt.committed()
        await eventually(lambda: len(effects(engine)) == 5)
    finally:
        await broker.stop()
    assert sorted(effects(engine)) == sorted(e.event_id for e in sent)


def unpublished(engine: Any) -> list[str]:
    """Event ids of the outbox rows not marked published, in relay order."""
    query = sa_select(OUTBOX.c.event_id).where(OUTBOX.c.published_at.is_(None)).order_by(OUTBOX.c.id)
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())
