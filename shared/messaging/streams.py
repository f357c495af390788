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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from faststream.redis import RedisBroker, RedisStreamMessage, StreamSub
from pydantic import ValidationError
from redis.asyncio import Redis
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


def make_broker(settings: Settings) -> RedisBroker:
    return RedisBroker(
        settings.redis_url,
        graceful_timeout=15,
        logger=logging.getLogger("lapkin.faststream"),
        log_level=logging.DEBUG,  # one INFO line per message costs ~20% of consumer throughput
    )


def make_redis(settings: Settings) -> Redis:
    return Redis.from_url(settings.redis_url, decode_responses=False, max_connections=50)


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
            # one entry per read: what is read is pending, and a backlog read at once would sit idle in memory
            # long enough for the reclaimer to hand it to a second worker
            main = StreamSub(stream, group=self.service, consumer=name, max_records=1)
            reclaim = StreamSub(
                stream,
                group=self.service,
                consumer=f"{name}-reclaim",
                min_idle_time=self.settings.reclaim_idle_ms,
                polling_interval=max(100, min(5_000, self.settings.reclaim_idle_ms // 2)),
            )

            on_event = self._retry_subscriber() if stream == self.retry_stream else self._subscriber_for(stream)
            for sub, title in ((main, f"{self.service}:{stream}"), (reclaim, f"{self.service}:{stream}:reclaim")):
                subscriber = self.broker.subscriber(stream=sub, title=title)
                subscriber(on_event)
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
        msg: RedisStreamMessage,
        *,
        source: str | None = None,
        origin_entry: str | None = None,
    ) -> None:
        """`stream`: where the event was published; `source`: the stream it was read from when not that one (this
        group's retry stream), with `origin_entry` its entry on `stream`."""
        deliveries = await msg.get_delivery_count()
        read_from = source or stream

        async def dead(reason: str) -> None:
            await self.dead_letter(stream, body, msg, reason, deliveries, source=source, origin_entry=origin_entry)

        try:
            env = Envelope.model_validate(body if isinstance(body, dict) else json.loads(body))
        except (ValidationError, ValueError, TypeError) as exc:
            await dead(f"malformed envelope: {exc}")
            return
        handler = self.handlers.get(env.type)
        if handler is None:
            return  # not ours: ack
        if deliveries > self.settings.max_deliveries:
            last = await self._last_error(msg, env.event_id)
            await self.dead_letter(
                stream, body, msg, "too many deliveries", deliveries, source=source, origin_entry=origin_entry,
                last_error=last,
            )  # fmt: skip
            return
        try:
            payload = parse_payload(env)
        except (ValidationError, UnknownEvent) as exc:  # can never succeed: no retries
            await dead(f"unreadable payload: {exc}")
            return
        loop = asyncio.get_running_loop()

        def lag() -> int:  # from the handler's worker thread, on this loop
            return asyncio.run_coroutine_threadsafe(self.lag(stream), loop).result(timeout=5)

        # log lines of the handler carry the correlation id; with tracing on, a span in the envelope's trace is
        # active for the handler (asyncio.to_thread copies it), so the events it emits continue that trace
        span = event_span(
            self.tracer,
            f"process {env.type}",
            env,
            {"messaging.destination.name": stream, "messaging.consumer.group.name": self.service},
        )
        with correlation(env.correlation_id), waiting(lag), span:
            started = time.perf_counter()
            try:
                await asyncio.to_thread(self._apply, handler, env, payload)  # raises => stays pending => reclaimed
            except Exception as exc:
                log.error(  # FastStream logs the traceback (with its message_id); this line names the event
                    "handler for %s failed (event_id=%s correlation_id=%s delivery=%s): %s",
                    env.type,
                    env.event_id,
                    env.correlation_id,
                    deliveries,
                    error_text(exc),
                    exc_info=False,
                    extra={"event_id": env.event_id, "event_type": env.type},
                )
                await self._remember_error(msg, env.event_id, exc)
                if self.metrics:
                    self.metrics.handler_failures.labels(stream, env.type).inc()
                if database_unavailable(exc):
                    await self._uncount(read_from, msg, deliveries)
                raise
        self.consumed += 1
        if self.metrics:
            self.metrics.consumed.labels(stream, env.type).inc()
            self.metrics.handler_latency.labels(env.type).observe(time.perf_counter() - started)
        if self.after_commit:
            self.after_commit()

    def _client(self, msg: RedisStreamMessage) -> Any:
        return self.redis if self.redis is not None else msg.consumer  # FastStream binds its client to the message

    async def _remember_error(self, msg: RedisStreamMessage, event_id: str, exc: BaseException) -> None:
        """Keep the handler's last exception on this event, for its dead letter (never a reason to fail more)."""
        client = self._client(msg)
        if client is None:
            return
        key = last_error_key(self.settings.stream_prefix, self.service, event_id)
        try:
            await client.set(key, error_text(exc), ex=LAST_ERROR_TTL_S)
        except Exception as err:
            log.warning("could not keep the last error of event %s: %s", event_id, err)

    async def _last_error(self, msg: RedisStreamMessage, event_id: str) -> str | None:
        client = self._client(msg)
        if client is None:
            return None
        try:
            found = await client.get(last_error_key(self.settings.stream_prefix, self.service, event_id))
        except Exception:
            return None
        return _text(found) if found is not None else None

    async def _uncount(self, stream: str, msg: RedisStreamMessage, deliveries: int) -> None:
        """A delivery that failed because the database is away says nothing about the event, so it must not bring
        the event nearer the dead-letter stream: a database outage longer than max_deliveries × reclaim_idle_ms
        would otherwise dead-letter every event that arrived during it. The entry stays pending with its delivery
        counter set back (XCLAIM RETRYCOUNT; the claim also restarts its idle time, so the reclaimer tries again
        after reclaim_idle_ms), and this subscriber pauses before its next read instead of failing through the
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
        await asyncio.sleep(DATABASE_RETRY_PAUSE_S)

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
        msg: RedisStreamMessage,
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
    """XADD the envelope; returns the entry id."""
    body = json.loads(body_json)
    return await broker.publish(
        body,
        stream=stream,
        correlation_id=body.get("correlation_id"),
        headers={"message_id": event_id, "event_type": type_},
    )


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
