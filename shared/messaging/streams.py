"""Redis Streams plumbing on FastStream: broker factory, consumer groups at id 0, the reclaiming subscriber,
dead letters after N deliveries (one per consumer group that failed, naming it), each group's retry stream that
an operator's replay of its dead letter goes to, and the idempotent apply step (see
notes/faststream-redis-and-documents.md and docs/reliability.md, "Dead letters and replay")."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from struct import pack
from typing import Any, Protocol

from faststream._internal.parser import DefaultCodec
from faststream.message import encode_message
from faststream.redis import BinaryMessageFormatV1, RedisBroker, RedisStreamMessage, StreamSub
from faststream.redis.annotations import RedisBatchStreamMessage
from faststream.redis.message import DATA_KEY
from pydantic import ValidationError
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import ResponseError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from shared.config import Settings
from shared.db import database_unavailable
from shared.events.catalogue import Payload, UnknownEvent, parse_payload
from shared.events.envelope import Envelope, utcnow
from shared.messaging.entries import DeadLetterJson
from shared.messaging.outbox import ProcessedEvent, claim_event
from shared.observability import STUCK_FACTOR, Metrics, correlation, group_states
from shared.tracing import event_span

log = logging.getLogger("lapkin.messaging")

Handler = Callable[[Session, Envelope, Any], None]  # (session, envelope, typed payload); sync, runs in a thread
DATABASE_RETRY_PAUSE_S = 1.0  # a subscriber's pause after a delivery failed because the database is away

LAST_ERROR_MAX = 500  # characters of a handler's last exception kept for the dead letter
LAST_ERROR_TTL_S = 7 * 24 * 3600


def last_error_key(prefix: str, group: str, event_id: str) -> str:
    """Where a consumer group keeps the last exception its handler raised on an event (`Class: message`, cut to
    LAST_ERROR_MAX), for the dead letter "too many deliveries" to name why; it expires after LAST_ERROR_TTL_S."""
    return f"{prefix}.lasterr:{group}:{event_id}"


def error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= LAST_ERROR_MAX else text[: LAST_ERROR_MAX - 1] + "…"


_waiting: contextvars.ContextVar[Callable[[], int]] = contextvars.ContextVar("lapkin_events_waiting")


def events_waiting() -> int:
    """In a handler: how many entries of its event's stream its consumer group has not read yet (0 when none,
    outside a handler, or when Redis cannot tell; asked of Redis only when a handler calls this). A handler whose
    work a later event redoes anyway (a recap of the whole year) may leave it for later while this is above 0 —
    every entry counted here is certain to reach the group — instead of doing it once per event."""
    probe = _waiting.get(None)
    if probe is None:
        return 0
    try:
        return probe()
    except Exception:  # only a hint: never a reason to fail an event
        return 0


@contextmanager
def waiting(n: int | Callable[[], int]) -> Iterator[None]:
    """Within the block, events_waiting() answers `n` (or calls it): the consumer sets it around each handler;
    tests may too."""
    token = _waiting.set(n if callable(n) else lambda: n)
    try:
        yield
    finally:
        _waiting.reset(token)


# How long a service waits for Redis to accept a new connection (redis-py's default is 5 s). Only a host that drops
# packets makes anyone wait that long (a refused port fails at once); a machine whose two cores are busy starting
# the other services (LibreOffice, Chromium, migrations on the same event loop) can take longer than 5 s to get
# round to a local Redis's answer, and then the service would exit at start-up over nothing.
REDIS_CONNECT_TIMEOUT_S = 20.0


def make_broker(settings: Settings) -> RedisBroker:
    return RedisBroker(
        settings.redis_url,
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S,
        graceful_timeout=15,
        logger=logging.getLogger("lapkin.faststream"),
        log_level=logging.DEBUG,  # one INFO line per message costs ~20% of consumer throughput
    )


# A command waits this long for one of the pool's connections when every one is in use (a flood of requests), then
# fails with ConnectionError("No connection available."): not at once (redis-py's plain pool raises
# MaxConnectionsError immediately, which made a burst of requests look like Redis away), and well within the
# second a request gives Redis (shared.ratelimit and the API-key check), so the two can be told apart.
REDIS_POOL_WAIT_S = 0.5
REDIS_MAX_CONNECTIONS = 50


def make_redis(settings: Settings) -> Redis:
    pool = BlockingConnectionPool.from_url(
        settings.redis_url, max_connections=REDIS_MAX_CONNECTIONS, timeout=REDIS_POOL_WAIT_S
    )
    return Redis.from_pool(pool)  # the client owns the pool: aclose() closes its connections


async def ensure_groups(client: Redis, streams: Iterable[str], group: str) -> None:
    """Create each group at id 0 before the broker starts (FastStream would create it at `$`)."""
    for stream in streams:
        try:
            await client.xgroup_create(stream, group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise


def consumer_name(settings: Settings, service: str) -> str:
    return settings.consumer_name or f"{service}-{socket.gethostname()}-{os.getpid()}"


class StreamEntry(Protocol):
    """What the consumer needs of an entry read: FastStream's message, or one entry of a batch (_Entry)."""

    @property
    def raw_message(self) -> Any: ...

    @property
    def consumer(self) -> Any: ...  # the Redis client the entry was read with

    async def get_delivery_count(self) -> int: ...


@dataclass
class _Entry:
    """One entry of a batch read, for the per-entry steps (dead letter, last error, giving back a delivery)."""

    channel: str
    entry_id: bytes
    consumer: Any
    raw_message: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.raw_message = {"channel": self.channel, "message_ids": [self.entry_id]}

    async def get_delivery_count(self) -> int:
        raise NotImplementedError("a batch knows its entries' delivery counts")  # process_batch passes them


@dataclass
class Ready:
    """An event that passed the checks, to be applied: `stream` it was published on, `read_from` the stream it
    was read from (the retry stream for a replay)."""

    stream: str
    read_from: str
    msg: StreamEntry
    deliveries: int
    env: Envelope
    handler: Handler
    payload: Payload

    @property
    def entry_id(self) -> bytes:
        ids = self.msg.raw_message.get("message_ids") if isinstance(self.msg.raw_message, dict) else None
        return _bytes(ids[0]) if ids else b""


class BatchIncomplete(Exception):
    """Some entries of a batch stay pending (their handlers failed); the others were acknowledged."""


class EventConsumer:
    """Wires handlers to streams: envelope → dead-letter checks → dedupe → handler → commit, in one transaction."""

    def __init__(
        self,
        *,
        broker: RedisBroker,
        settings: Settings,
        engine: Engine,
        service: str,
        handlers: dict[str, Handler],
        streams: list[str],
        after_commit: Callable[[], None] | None = None,
        metrics: Metrics | None = None,
        redis: Redis | None = None,
        tracer: Any = None,
    ) -> None:
        self.broker = broker
        self.tracer = tracer  # shared/tracing.py: None when tracing is off
        self.redis = redis  # for the group's lag (events_waiting); None: always 0
        self.metrics = metrics
        self.settings = settings
        self.engine = engine
        self.service = service
        self.handlers = handlers
        self.streams = streams
        self.after_commit = after_commit
        self.consumed = 0
        self.dead_lettered = 0
        self.subscribers: list[Any] = []
        # an operator's replay of this group's dead letter comes back here, read by this group only
        # (shared.messaging.ops)
        self.retry_stream = settings.retry_stream(service)
        self.started = False  # set once the broker started them: a stopped one may then be started again

    @property
    def read_streams(self) -> list[str]:
        """Every stream this group reads: the producers' streams and its own retry stream (create the group on each
        at id 0 before the broker starts)."""
        return [*self.streams, self.retry_stream]

    def register(self) -> None:
        name = consumer_name(self.settings, self.service)
        for stream in self.read_streams:
            # a backlog is read up to consumer_batch entries at once and applied in one transaction right away
            # (process_batch), well within reclaim_idle_ms; the retry stream (an operator's replays, rare) one by one
            retry = stream == self.retry_stream
            main: StreamSub = (
                StreamSub(stream, group=self.service, consumer=name, max_records=1)
                if retry
                else StreamSub(
                    stream, group=self.service, consumer=name, batch=True, max_records=self.settings.consumer_batch
                )  # fmt: skip
            )
            reclaim = StreamSub(
                stream,
                group=self.service,
                consumer=f"{name}-reclaim",
                min_idle_time=self.settings.reclaim_idle_ms,
                polling_interval=max(100, min(5_000, self.settings.reclaim_idle_ms // 2)),
            )

            on_event = self._retry_subscriber() if retry else self._subscriber_for(stream)
            on_main = on_event if retry else self._batch_subscriber_for(stream)
            for sub, title, call in (
                (main, f"{self.service}:{stream}", on_main),
                (reclaim, f"{self.service}:{stream}:reclaim", on_event),
            ):
                parser = None if call is on_event else _tolerant_batch
                subscriber = self.broker.subscriber(stream=sub, title=title, parser=parser)
                subscriber(call)
                self.subscribers.append(subscriber)

    def stalled(self) -> bool:
        """A subscriber the broker started has stopped (FastStream stops one for good on NOGROUP)."""
        return self.started and not all(subscriber.running for subscriber in self.subscribers)

    async def restart_stopped(self) -> int:
        """Start again every subscriber FastStream stopped because its group vanished (NOGROUP: it never retries).
        Call only once the groups exist at id 0: a subscriber that finds its group missing creates it at `$`."""
        if not self.started:
            return 0
        n = 0
        for subscriber in self.subscribers:
            if not subscriber.running:
                log.warning("starting the stopped subscriber %s again", subscriber.specification.call_name)
                await subscriber.start()
                n += 1
        return n

    def _subscriber_for(self, stream: str) -> Callable[..., Any]:
        # only (body, msg) in the signature: FastStream would read any other parameter as a body field. `Any`, not
        # `dict`: a body that is not a JSON object (raw bytes, a list) must reach `process` to be dead-lettered; with
        # `dict`, FastStream's own validation failed it before our code ran and it stayed pending for ever
        async def on_event(body: Any, msg: RedisStreamMessage) -> None:
            await self.process(stream, body, msg)

        return on_event

    def _batch_subscriber_for(self, stream: str) -> Callable[..., Any]:
        async def on_batch(body: Any, msg: RedisBatchStreamMessage) -> None:
            await self.process_batch(stream, body, msg)

        return on_batch

    def _retry_subscriber(self) -> Callable[..., Any]:
        """The retry stream's entries: a replayed dead letter's event (`__data__`, as it arrived), the stream it
        first arrived on (`origin`) and its entry there (`origin_entry`). Processed as if read from `origin` —
        the same handlers, dedupe and dead-letter rules — but pending, acknowledged and counted on the retry
        stream."""

        async def on_retry(body: Any, msg: RedisStreamMessage) -> None:
            fields = msg.raw_message.get("data") if isinstance(msg.raw_message, dict) else None
            origin, entry = _field(fields, "origin"), _field(fields, "origin_entry")
            if origin not in self.streams:
                log.error("%s: entry without a stream this group reads (origin %r): dropped", self.retry_stream, origin)
                return
            await self.process(origin, body, msg, source=self.retry_stream, origin_entry=entry)

        return on_retry

    async def process(
        self,
        stream: str,
        body: Any,
        msg: StreamEntry,
        *,
        source: str | None = None,
        origin_entry: str | None = None,
        deliveries: int | None = None,
    ) -> None:
        """`stream`: where the event was published; `source`: the stream it was read from when not that one (this
        group's retry stream), with `origin_entry` its entry on `stream`; `deliveries`: its delivery count when
        already known (a batch asks Redis once for all its entries)."""
        if deliveries is None:
            deliveries = await msg.get_delivery_count()
        ready = await self._prepare(stream, body, msg, deliveries, source=source, origin_entry=origin_entry)
        if ready is not None:
            await self._run(ready)

    async def _prepare(
        self,
        stream: str,
        body: Any,
        msg: StreamEntry,
        deliveries: int,
        *,
        source: str | None = None,
        origin_entry: str | None = None,
    ) -> Ready | None:
        """The checks before a handler: a malformed envelope, too many deliveries or an unreadable payload is
        dead-lettered, an event of no handler here is only acknowledged (None for both); else what to apply."""

        async def dead(reason: str) -> None:
            await self.dead_letter(stream, body, msg, reason, deliveries, source=source, origin_entry=origin_entry)

        try:
            env = Envelope.model_validate(body if isinstance(body, dict) else json.loads(body))
        except (ValidationError, ValueError, TypeError) as exc:
            await dead(f"malformed envelope: {exc}")
            return None
        handler = self.handlers.get(env.type)
        if handler is None:
            return None  # not ours: ack
        if deliveries > self.settings.max_deliveries:
            last = await self._last_error(msg, env.event_id)
            await self.dead_letter(
                stream, body, msg, "too many deliveries", deliveries, source=source, origin_entry=origin_entry,
                last_error=last,
            )  # fmt: skip
            return None
        try:
            payload = parse_payload(env)
        except (ValidationError, UnknownEvent) as exc:  # can never succeed: no retries
            await dead(f"unreadable payload: {exc}")
            return None
        return Ready(stream, source or stream, msg, deliveries, env, handler, payload)

    async def _run(self, ready: Ready) -> None:
        """Apply one event in its own transaction (raises when its handler did: the entry stays pending)."""
        env = ready.env
        lag = self._lag_probe(ready.stream)
        # log lines of the handler carry the correlation id; with tracing on, a span in the envelope's trace is
        # active for the handler (asyncio.to_thread copies it), so the events it emits continue that trace
        with correlation(env.correlation_id), waiting(lag), self._span(ready):
            started = time.perf_counter()
            try:
                await asyncio.to_thread(self._apply, ready.handler, env, ready.payload)  # raises => stays pending
            except Exception as exc:
                await self._failed(ready, exc)
                if database_unavailable(exc):
                    await self._uncount(ready.read_from, ready.msg, ready.deliveries)
                    await asyncio.sleep(DATABASE_RETRY_PAUSE_S)
                raise
        self._count(ready, time.perf_counter() - started)
        if self.after_commit:
            self.after_commit()

    def _span(self, ready: Ready) -> Any:
        env = ready.env
        attrs = {"messaging.destination.name": ready.stream, "messaging.consumer.group.name": self.service}
        return event_span(self.tracer, f"process {env.type}", env, attrs)

    async def _failed(self, ready: Ready, exc: BaseException) -> None:
        env = ready.env
        log.error(  # FastStream logs the traceback (with its message_id); this line names the event
            "handler for %s failed (event_id=%s correlation_id=%s delivery=%s): %s",
            env.type,
            env.event_id,
            env.correlation_id,
            ready.deliveries,
            error_text(exc),
            exc_info=False,
            extra={"event_id": env.event_id, "event_type": env.type},
        )
        await self._remember_error(ready.msg, env.event_id, exc)
        if self.metrics:
            self.metrics.handler_failures.labels(ready.stream, env.type).inc()

    def _count(self, ready: Ready, seconds: float) -> None:
        self.consumed += 1
        if self.metrics:
            self.metrics.consumed.labels(ready.stream, ready.env.type).inc()
            self.metrics.handler_latency.labels(ready.env.type).observe(seconds)

    async def process_batch(self, stream: str, bodies: Any, msg: RedisBatchStreamMessage) -> None:
        """The entries of one read (up to consumer_batch): each checked as `process` does (dead letters, events of
        no handler here), the rest applied in ONE transaction — each still claimed in the dedupe table, its handler
        under its own span and correlation id, told by events_waiting() how many follow it in the batch — then
        acknowledged with one XACK (FastStream's, when this returns). When that transaction fails, the batch is
        applied again one event at a time, each in its own transaction as `process` does: the entries that apply
        are acknowledged, and only a failing one stays pending (reclaimed, retried, dead-lettered after
        max_deliveries, as ever). A database that is away fails the batch at once, every delivery given back."""
        raw = msg.raw_message
        ids: list[bytes] = list(raw["message_ids"])
        items = [entry_body(fields) for fields in raw["data"]]  # each alone: one undecodable entry spoils no other
        counts = await self._delivery_counts(msg, ids)
        entries = [_Entry(raw["channel"], i, msg.consumer) for i in ids]
        prepared = [
            await self._prepare(stream, b, e, counts.get(i, 1)) for b, e, i in zip(items, entries, ids, strict=True)
        ]
        ready = [r for r in prepared if r is not None]
        if not ready:
            return
        if len(ready) > 1:
            try:
                durations = await asyncio.to_thread(self._apply_batch, ready, self._lag_probe(stream))
            except Exception as exc:
                if database_unavailable(exc):
                    for r in ready:
                        await self._failed(r, exc)
                        await self._uncount(r.read_from, r.msg, r.deliveries)
                    await asyncio.sleep(DATABASE_RETRY_PAUSE_S)
                    raise
                log.warning("%s: a batch of %d events failed (%s); applying them one by one",
                            stream, len(ready), error_text(exc))  # fmt: skip
            else:
                for r, seconds in zip(ready, durations, strict=True):
                    self._count(r, seconds)
                if self.after_commit:
                    self.after_commit()
                return
        failed: list[bytes] = []
        for n, r in enumerate(ready):
            try:
                await self._run(r)
            except Exception as exc:
                failed.append(r.entry_id)
                if database_unavailable(exc):  # the rest would fail alike: given back untried
                    for rest in ready[n + 1 :]:
                        failed.append(rest.entry_id)
                        await self._uncount(rest.read_from, rest.msg, rest.deliveries)
                    break
        if failed:  # acknowledge the rest now; FastStream acknowledges nothing of a batch whose handler raised
            done = [i for i in ids if i not in failed]
            if done:
                await msg.consumer.xack(raw["channel"], self.service, *done)
            raise BatchIncomplete(f"{stream}: {len(failed)} of {len(ids)} entries stay pending")

    def _lag_probe(self, stream: str) -> Callable[[], int]:
        loop = asyncio.get_running_loop()

        def lag() -> int:  # from a handler's worker thread, on this loop
            return asyncio.run_coroutine_threadsafe(self.lag(stream), loop).result(timeout=5)

        return lag

    def _apply_batch(self, batch: list[Ready], lag: Callable[[], int]) -> list[float]:
        """Every event of the batch in one transaction (see process_batch); the seconds each handler took."""
        durations: list[float] = []
        with Session(self.engine) as session:
            for n, ready in enumerate(batch):
                after = len(batch) - 1 - n
                env = ready.env
                started = time.perf_counter()
                with correlation(env.correlation_id), waiting(after or lag), self._span(ready):
                    if claim_event(session, self.service, env.event_id):
                        ready.handler(session, env, ready.payload)
                durations.append(time.perf_counter() - started)
            session.commit()
        return durations

    async def _delivery_counts(self, msg: RedisBatchStreamMessage, ids: list[bytes]) -> dict[bytes, int]:
        """Each entry's delivery count, with one XPENDING for the batch (an entry not pending counts 1)."""
        client: Any = msg.consumer
        if client is None or not ids:
            return {}
        found = await client.xpending_range(
            name=msg.raw_message["channel"], groupname=self.service, min=ids[0], max=ids[-1], count=len(ids) * 2
        )
        return {_bytes(e["message_id"]): int(e["times_delivered"]) for e in found}

    def _client(self, msg: StreamEntry) -> Any:
        return self.redis if self.redis is not None else msg.consumer  # FastStream binds its client to the message

    async def _remember_error(self, msg: StreamEntry, event_id: str, exc: BaseException) -> None:
        """Keep the handler's last exception on this event, for its dead letter (never a reason to fail more)."""
        client = self._client(msg)
        if client is None:
            return
        key = last_error_key(self.settings.stream_prefix, self.service, event_id)
        try:
            await client.set(key, error_text(exc), ex=LAST_ERROR_TTL_S)
        except Exception as err:
            log.warning("could not keep the last error of event %s: %s", event_id, err)

    async def _last_error(self, msg: StreamEntry, event_id: str) -> str | None:
        client = self._client(msg)
        if client is None:
            return None
        try:
            found = await client.get(last_error_key(self.settings.stream_prefix, self.service, event_id))
        except Exception:
            return None
        return _text(found) if found is not None else None

    async def _uncount(self, stream: str, msg: StreamEntry, deliveries: int) -> None:
        """A delivery that failed because the database is away says nothing about the event, so it must not bring
        the event nearer the dead-letter stream: a database outage longer than max_deliveries × reclaim_idle_ms
        would otherwise dead-letter every event that arrived during it. The entry stays pending with its delivery
        counter set back (XCLAIM RETRYCOUNT; the claim also restarts its idle time, so the reclaimer tries again
        after reclaim_idle_ms), and the caller pauses before its next read instead of failing through the
        stream while the database is down."""
        entry = msg.raw_message.get("message_ids") if isinstance(msg.raw_message, dict) else None
        client: Any = msg.consumer  # the Redis client FastStream binds to the message (its ack uses it)
        if entry and client is not None:
            try:
                await client.xclaim(
                    stream,
                    self.service,
                    consumer_name(self.settings, self.service),
                    min_idle_time=0,
                    message_ids=[entry[0]],
                    retrycount=max(0, deliveries - 1),
                    justid=True,
                )
            except Exception as exc:  # Redis is away too: the delivery counts, as any failure would
                log.warning("could not give back delivery %s of %s: %s", deliveries, _text(entry[0]), exc)

    async def lag(self, stream: str) -> int:
        """Entries of `stream` this group has not read yet (XINFO GROUPS, Redis 7); 0 when unknown."""
        if self.redis is None:
            return 0
        try:
            for info in await self.redis.xinfo_groups(stream):
                if _text(info["name"]) == self.service:
                    return int(info.get("lag") or 0)
        except Exception:  # only a hint: never a reason to fail an event
            return 0
        return 0

    def _apply(self, handler: Handler, env: Envelope, payload: Payload) -> None:
        try:
            with Session(self.engine) as session:
                if not claim_event(session, self.service, env.event_id):
                    return
                handler(session, env, payload)
                session.commit()
        except IntegrityError:
            with Session(self.engine) as session:  # a concurrent delivery of the same event won the race
                if session.get(ProcessedEvent, (self.service, env.event_id)) is not None:
                    return
            raise

    async def dead_letter(
        self,
        stream: str,
        body: Any,
        msg: StreamEntry,
        reason: str,
        n: int,
        *,
        source: str | None = None,
        origin_entry: str | None = None,
        last_error: str | None = None,
    ) -> None:
        """One dead letter on `<stream>.dlq` for this consumer group: every group that fails an event writes its
        own, naming itself (`group`, `service`, and the process in `worker`), so a replay goes to that group only."""
        type_ = body.get("type") if isinstance(body, dict) else None
        cid = body.get("correlation_id") if isinstance(body, dict) else None
        with correlation(cid if isinstance(cid, str) else None):
            log.error(
                "dead-lettering from %s (group %s): %s",
                stream,
                self.service,
                reason,
                extra={"event_type": type_, "deliveries": n, "last_error": last_error},
            )
        entry = msg.raw_message.get("message_ids") if isinstance(msg.raw_message, dict) else None
        read_id = _text(entry[0]) if entry else None
        letter: DeadLetterJson = {
            "envelope": _json_safe(body),
            "dead_reason": reason,
            "original_stream": stream,
            "original_entry_id": origin_entry or read_id,
            "delivery_count": n,
            "consumer": self.service,  # the consumer group (older dead letters name only this)
            "group": self.service,
            "service": self.service,
            "worker": consumer_name(self.settings, self.service),
            "failed_at": utcnow().isoformat(),
        }
        if last_error:  # the handler's last exception: why the deliveries failed
            letter["last_error"] = last_error
        if source:  # it failed again after a replay
            letter["retry_stream"], letter["retry_entry_id"] = source, read_id
        await self.broker.publish(letter, stream=f"{stream}.dlq")
        self.dead_lettered += 1
        if self.metrics:
            self.metrics.dead_lettered.labels(stream, str(type_ or "unreadable")).inc()


def entry_body(fields: Any) -> Any:
    """An entry's body as FastStream gives it to a one-entry subscriber: the JSON of its `__data__` (in the
    broker's message format), else the raw bytes (a malformed envelope, dead-lettered as such)."""
    data = _field_bytes(fields, "__data__")
    if data is None:  # not published through FastStream: its fields as text, which no envelope validates
        return {_text(k): _text(v) for k, v in fields.items()} if isinstance(fields, dict) else fields
    try:
        body, _headers = BinaryMessageFormatV1.parse(data)
    except Exception:
        body = data
    try:
        return json.loads(body)
    except (ValueError, TypeError):
        return body


def _field_bytes(fields: Any, name: str) -> bytes | None:
    if not isinstance(fields, dict):
        return None
    value = fields.get(name.encode(), fields.get(name))
    return None if value is None else _bytes(value)


async def _tolerant_batch(message: Any, original: Callable[[Any], Any]) -> Any:
    """FastStream's batch parser decodes every entry's body together and fails the whole read on one it cannot
    (bytes that are not UTF-8): the batch would stay pending for ever. process_batch decodes each entry itself
    (entry_body), so when FastStream cannot, it is given the read without bodies and the message keeps the entries."""
    try:
        return await original(message)
    except Exception:
        parsed = await original({**message, "data": [{b"__data__": b"null"} for _ in message["data"]]})
        parsed.raw_message = message
        return parsed


def _bytes(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _field(fields: Any, name: str) -> str | None:
    """A field of a raw stream entry (bytes or str keys), as text; None when absent."""
    if not isinstance(fields, dict):
        return None
    value = fields.get(name.encode(), fields.get(name))
    return None if value is None else _text(value)


def _json_safe(body: Any) -> Any:
    """A dead letter keeps what arrived; bytes that are not UTF-8 (or not JSON) are kept as text, replaced where
    unreadable, so the dead letter itself can always be written."""
    if isinstance(body, bytes | bytearray):
        return bytes(body).decode("utf-8", errors="replace")
    try:
        json.dumps(body)
    except (TypeError, ValueError):
        return repr(body)
    return body


async def publish_envelope(broker: RedisBroker, stream: str, body_json: str, event_id: str, type_: str) -> Any:
    """XADD the envelope; returns the entry id. The reference for `publish_envelopes`, which writes the same entry."""
    body = json.loads(body_json)
    return await broker.publish(
        body,
        stream=stream,
        correlation_id=body.get("correlation_id"),
        headers={"message_id": event_id, "event_type": type_},
    )


# (stream, the envelope parsed from its stored JSON, event id, event type): one entry for publish_envelopes
Outgoing = tuple[str, Any, str, str]


async def publish_envelopes(redis: Redis, broker: RedisBroker, items: Sequence[Outgoing]) -> list[Any]:
    """XADD the envelopes in order in one pipeline — one round trip for the relay's batch instead of one per event,
    and none of broker.publish's per-message machinery — writing the entries `publish_envelope` writes, byte for
    byte (the broker's message format, serializer, correlation id and headers; no MAXLEN, as broker.publish).

    Not a transaction: each XADD has its own result, in order — its entry id, or the error Redis answered it with.
    When the connection fails midway this raises, and which entries got in is unknown (the caller publishes them
    all again: consumers dedupe on event_id)."""
    pipe = redis.pipeline(transaction=False)
    for stream, body, event_id, type_ in items:
        pipe.xadd(stream, {DATA_KEY: await envelope_data(broker, body, event_id, type_)}, maxlen=None)
    return list(await pipe.execute(raise_on_error=False))


async def envelope_data(broker: RedisBroker, body: Any, event_id: str, type_: str) -> bytes:
    """The `__data__` field broker.publish writes for publish_envelope's call: the body encoded by the broker's codec
    and serializer, framed by its message format with the headers FastStream adds (correlation_id, content-type)
    and ours (message_id, event_type). The broker make_broker builds (binary format v1, the default codec) is
    framed here without FastStream's writer objects; any other is left to the format itself."""
    producer: Any = broker.config.producer  # FastStream types it as the protocol; it is the Redis producer
    correlation_id = (body.get("correlation_id") if isinstance(body, dict) else None) or broker.config.id_generator()
    if broker.message_format is not BinaryMessageFormatV1 or type(producer.codec) is not DefaultCodec:
        return await broker.message_format.encode(
            message=body, reply_to="", headers={"message_id": event_id, "event_type": type_},
            correlation_id=correlation_id, serializer=producer.serializer, codec=producer.codec,
        )  # fmt: skip
    data, content_type = encode_message(body, producer.serializer)  # what the default codec does
    headers = {"correlation_id": correlation_id}
    if content_type:
        headers["content-type"] = content_type
    headers["message_id"], headers["event_type"] = event_id, type_
    return binary_v1(headers, data)


_HEADERS_START = len(BinaryMessageFormatV1.IDENTITY_HEADER) + 2 + 8  # after the identity, the version, two offsets


def binary_v1(headers: dict[str, str], data: bytes) -> bytes:
    """BinaryMessageFormatV1.encode's bytes: the identity, version 1, where the headers and the data start, the
    number of headers, each key and value as a 2-byte length and its UTF-8 — the length of the str, as FastStream
    counts it — then the data."""
    packed = b"".join(_v1_string(k) + _v1_string(v) for k, v in headers.items())
    offsets = pack(">HIIH", 1, _HEADERS_START, 2 + _HEADERS_START + len(packed), len(headers))
    return BinaryMessageFormatV1.IDENTITY_HEADER + offsets + packed + data


def _v1_string(text: str) -> bytes:
    return pack(">H", len(text)) + text.encode()


async def groups_health(
    client: Redis, streams: Iterable[str], group: str, reclaim_idle_ms: int | None = None, factor: int = STUCK_FACTOR
) -> list[str]:
    """Problems with the consumer groups this service reads (empty when all is well): a missing stream or group,
    or, given the reclaim idle time, a group whose oldest pending entry has waited `factor` times longer."""
    problems = []
    for state in await group_states(client, streams, group):
        problem = state.problem(reclaim_idle_ms if reclaim_idle_ms is not None else 10**12, factor)
        if problem:
            problems.append(problem)
    return problems
