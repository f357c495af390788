"""Transactional outbox and idempotent-consumer tables, plus the relay that publishes the outbox.

Every service keeps these two tables in its own database: business change + outgoing event commit together,
and `(consumer, event_id)` is recorded in the same transaction as a consumed event's effect.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlmodel import Field, Session, SQLModel

from shared.db import per_dialect
from shared.events.envelope import Envelope, utcnow
from shared.fastsql import Fast
from shared.groupcommit import insert_later
from shared.tasks import stop_task

log = logging.getLogger("lapkin.outbox")
RELAY_MAX_BACKOFF_S = 2.0  # the longest pause between attempts while Redis or the database is away


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)  # relay order
    event_id: str = Field(unique=True, index=True)
    stream: str
    type: str
    body: str  # Envelope JSON
    created_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = Field(default=None, index=True)


class ProcessedEvent(SQLModel, table=True):
    __tablename__ = "processed_event"

    consumer: str = Field(primary_key=True)
    event_id: str = Field(primary_key=True)
    processed_at: datetime = Field(default_factory=utcnow)


KERNEL_TABLES = [OutboxMessage.__table__, ProcessedEvent.__table__]  # type: ignore[attr-defined]


OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
_INSERT = Fast(insert(OUTBOX))  # built once: compiling an insert per event costs more than the insert


def add_to_outbox(session: Session, stream: str, env: Envelope) -> None:
    """Insert the event's row in the caller's transaction, like its data: now, or in a group commit's batch with
    the batch's other outbox rows in one statement just before its COMMIT (shared/groupcommit.py)."""
    row = {"event_id": env.event_id, "stream": stream, "type": env.type, "body": env.model_dump_json(),
           "created_at": utcnow(), "published_at": None}  # fmt: skip
    insert_later(session, _INSERT, row)


PROCESSED = ProcessedEvent.__table__  # type: ignore[attr-defined]
# built once per dialect: the claim is one statement, and a repeat inserts nothing instead of failing (no SAVEPOINT)
_CLAIM = per_dialect(lambda insert: insert(PROCESSED).on_conflict_do_nothing())


def claim_event(session: Session, consumer: str, event_id: str) -> bool:
    """Record the event as processed; False when it already was (a redelivery or a replay), also earlier in the same
    transaction. On PostgreSQL a concurrent claim of the same event waits for the other transaction: it inserts
    nothing once that one commits (False), and claims the event when it rolls back."""
    conn = session.connection()
    row = {"consumer": consumer, "event_id": event_id, "processed_at": utcnow()}
    return conn.execute(_CLAIM[conn.dialect.name], row).rowcount == 1


class Relay:
    """Publishes unpublished outbox rows in id order; a crash before marking them means a republish,
    which consumers dedupe on event_id.

    `publish_batch(rows)` publishes a batch at once (one Redis round trip, shared/service.py) and answers, for each
    row in order, its entry id or the error its XADD got; raising means none is known to be published."""

    def __init__(
        self,
        engine: Engine,
        publish_batch: Any,
        interval_s: float = 0.2,
        batch: int = 200,
        read_engine: Engine | None = None,
        guard: Any = None,
    ) -> None:
        self.engine = engine
        self.read_engine = read_engine or engine  # finding the rows only reads (on SQLite: no writer turn)
        self.publish_batch = publish_batch  # async (rows) -> [entry id | error], in row order
        self.guard = guard  # shared.messaging.guard.Guard: Redis checked for a loss before each batch
        self.interval_s = interval_s
        self.batch = batch
        self.wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self.published = 0

    def notify(self) -> None:
        """Safe from any thread: sync routes and consumer handlers commit in worker threads, and an asyncio.Event
        set from outside its loop can lose the wake-up (the relay then slept until its next poll, and a stop
        could hang)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self.wakeup.set()
        else:
            loop.call_soon_threadsafe(self.wakeup.set)

    def _pending(self) -> list[Any]:
        """(id, stream, body, event_id, type) of the oldest unpublished rows."""
        query = (
            select(OUTBOX.c.id, OUTBOX.c.stream, OUTBOX.c.body, OUTBOX.c.event_id, OUTBOX.c.type)
            .where(OUTBOX.c.published_at.is_(None))
            .order_by(OUTBOX.c.id)
            .limit(self.batch)
        )
        with self.read_engine.connect() as conn:
            return list(conn.execute(query))

    def _mark(self, ids: list[int]) -> None:
        with self.engine.begin() as conn:  # one statement for the batch
            conn.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids)).values(published_at=utcnow()))

    async def relay_once(self) -> int:
        rows = await asyncio.to_thread(self._pending)
        if self.guard is not None and await self.guard.check(force=bool(rows)) is not None:
            rows = await asyncio.to_thread(self._pending)  # Redis lost data: the rows to publish again come first
        if not rows:
            return 0
        before = self.guard.last_entry if self.guard is not None else None
        results = await self.publish_batch(rows)  # raises: nothing marked, the whole batch is published again
        if self.guard is not None:
            first = next((r for row, r in zip(rows, results, strict=False)
                          if row.stream == self.guard.stream and not isinstance(r, BaseException)), None)  # fmt: skip
            if not await self.guard.published_intact(before, first):
                return len(rows)  # the stream lost some of this batch: none marked, all published again
        # every row whose XADD returned an entry id is on the stream: marked, even after a failed one (publishing it
        # again would only add a duplicate); a failed one stays unpublished and comes first next time
        done: list[int] = []
        error: BaseException | None = None
        for row, result in zip(rows, results, strict=False):
            if isinstance(result, BaseException):
                error = error or result
                continue
            if self.guard is not None:
                self.guard.published(result)
            assert row.id is not None
            done.append(row.id)
        if done:
            await asyncio.to_thread(self._mark, done)
            self.published += len(done)
        if error is not None:
            raise error
        return len(rows)

    def backlog(self) -> int:
        with self.read_engine.connect() as conn:
            query = select(func.count()).select_from(OUTBOX).where(OUTBOX.c.published_at.is_(None))
            return int(conn.execute(query).scalar_one())

    async def run(self) -> None:
        failures = 0
        while not self.stopping:  # checked too: a cancellation swallowed by a client must not keep the loop going
            try:
                n = await self.relay_once()
                failures = 0
                if n >= self.batch:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis or the database is away: keep the rows, try again, less and less often
                failures += 1
                log.warning("outbox relay (failure %s in a row): %s", failures, exc)
                await asyncio.sleep(min(RELAY_MAX_BACKOFF_S, self.interval_s * 2 ** min(failures, 8)))
                continue
            self.wakeup.clear()
            try:
                await asyncio.wait_for(self.wakeup.wait(), self.interval_s)
            except TimeoutError:
                pass

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self.run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self.stopping = True
            await stop_task(self._task, "outbox relay")  # bounded, whatever a library does with the cancellation
            # drain what is left so a clean stop leaves nothing behind
            try:
                await self.relay_once()
            except Exception as exc:
                log.warning("outbox relay final drain: %s", exc)
