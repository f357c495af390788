"""Redis is not the source of truth: each service's guard notices a Redis that lost its streams or consumer groups
(restarted without its data, an AOF tail lost to `appendfsync everysec`, keys deleted by hand), recreates this
service's groups at id 0 and re-publishes, from its outbox, what it had published that Redis no longer holds.

Signals, checked by the relay before each batch it publishes and at least every `redis_check_interval_s`:

- the epoch: the key `<prefix>.epoch`, a random token written (SET NX) once the writer's groups exist. Missing, or
  another token than this process knew: Redis lost its data (or another service already restored it after a loss);
- the newest entry this process published (XADD id) no longer on its stream: the stream, or its tail, was lost;
- this service's consumer group missing on a stream it reads.

At start the same question is asked of the database: is the newest published outbox row on the stream?

Recovery: the groups first (XGROUP CREATE at id 0: a group created after the re-published entries still reads
them, one created at `$` — what FastStream does — would skip them), then the epoch, then every outbox row published
after the newest of this service's entries still on its stream (all within `outbox_retention_days` when none is
left) is marked unpublished, and the relay publishes it again in its original order. Consumers dedupe on event_id
(`processed_event`) and keep only newer revisions, so a replay is harmless. FastStream subscribers that stopped on
NOGROUP are started again once their group exists."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, delete, func, select, update

from shared.events.envelope import utcnow
from shared.messaging.outbox import OUTBOX

log = logging.getLogger("lapkin.guard")
SCAN_BATCH = 200  # stream entries read per XREVRANGE while looking for the newest surviving own entry
SCAN_LIMIT = 5_000  # entries looked at, at most, before re-publishing the whole retention window
CLEANUP_EVERY_S = 600.0
# what a loss is called (log lines, the label of lapkin_redis_recoveries_total)
EPOCH_MISSING, EPOCH_CHANGED, STREAM_LOST, GROUP_MISSING = (
    "epoch missing",
    "epoch changed",
    "stream lost entries",
    "consumer group missing",
)  # how often published outbox rows older than the retention are deleted
RECOVERY_REASONS = (EPOCH_MISSING, EPOCH_CHANGED, STREAM_LOST, GROUP_MISSING)


def epoch_key(prefix: str) -> str:
    return f"{prefix}.epoch"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _event_id(fields: Any) -> str | None:
    from shared.messaging.index import decode

    try:
        env = decode(fields)
    except Exception:  # an entry that is not an envelope is nobody's row
        return None
    eid = env.get("event_id")
    return str(eid) if eid else None


class Guard:
    """One per service process (Runtime.guard). `redis` is the service's asyncio client."""

    def __init__(
        self,
        *,
        redis: Any,
        engine: Engine,
        prefix: str,
        stream: str,
        groups: Callable[[], Iterable[tuple[list[str], str]]],
        ensure_groups: Callable[[], Awaitable[None]],
        retention: timedelta,
        interval_s: float = 1.0,
        read_engine: Engine | None = None,
        stalled: Callable[[], bool] = lambda: False,
        on_recovered: Callable[[str, int], None] | None = None,
    ) -> None:
        self.r = redis
        self.engine = engine
        self.read_engine = read_engine or engine
        self.key = epoch_key(prefix)
        self.stream = stream
        self.groups = groups  # (streams, group) this process must find on Redis
        self.ensure_groups = ensure_groups  # creates them at id 0 and starts any subscriber that stopped
        self.retention = retention
        self.stalled = stalled  # a subscriber FastStream stopped (its group vanished): ensure_groups starts it again
        self.interval_s = interval_s
        self.on_recovered = on_recovered  # (reason, rows marked for re-publishing): metrics
        self.epoch: str | None = None  # the token this process knows
        self.last_entry: str | None = None  # the newest entry id this process XADDed to its stream
        self.last_check = 0.0
        self.last_cleanup = 0.0
        self.recoveries = 0
        self.republished = 0
        self._lock = asyncio.Lock()

    # ---- what the relay and /healthz call ---------------------------------------------------------------------

    def published(self, entry_id: Any) -> None:
        """The relay published an entry (XADD id): it is the one to look for next time."""
        if entry_id is not None:
            self.last_entry = _text(entry_id)

    async def start(self) -> None:
        """At service start: groups at 0, the epoch, and whether the newest published row survived."""
        async with self._lock:
            await self.ensure_groups()
            await self._adopt_epoch()
            newest = await asyncio.to_thread(self._newest_published)
            if newest is not None:
                found = await self._find(newest[1])
                if found is None:
                    log.error("the newest published event %s is not on %s", newest[1], self.stream)
                    await self._recover_rows(STREAM_LOST)
                else:
                    self.last_entry = found
            await self._cleanup()
            self.last_check = time.monotonic()

    async def check(self, *, force: bool = False) -> str | None:
        """Look for a loss and repair it; returns what was found. Forced (the relay, before a batch): only the
        cheap signals (one round trip); otherwise at most every interval, the consumer groups too."""
        due = time.monotonic() - self.last_check >= self.interval_s
        if not force and not due:
            return None
        async with self._lock:
            if due:
                self.last_check = time.monotonic()
            reason = await self._lost()
            if reason is not None:
                log.error("redis lost data (%s): recreating groups, re-publishing the outbox", reason)
                await self.ensure_groups()
                await self._adopt_epoch()
                await self._recover_rows(reason)
            elif due and (self.stalled() or await self._groups_missing()):
                log.error("a consumer group of this service is missing: recreating it at id 0")
                await self.ensure_groups()
                self._recovered(GROUP_MISSING, 0)
            if due and time.monotonic() - self.last_cleanup >= CLEANUP_EVERY_S:
                await self._cleanup()
            return reason

    async def published_intact(self, before: str | None, first: Any) -> bool:
        """After the relay published a batch, before it marks the batch's rows: whether the stream still holds the
        entry published before the batch (`before`) and the batch's first (`first`). The check before a batch and its
        XADDs are two round trips: a stream deleted in between is made again by the first XADD, and the entries
        published before it were lost with nothing left to notice (the next check looks for the batch's own newest
        entry, which is there). When `before` is gone, the rows published before the batch go back to the relay now
        — the batch's own rows are not marked yet, so none of them counts as a survivor. False when the batch's first
        entry is gone too (the loss came during its XADDs): then its rows must not be marked; they are published
        again."""
        first = None if first is None else _text(first)  # an XADD's answer, as `published` takes it
        wanted = [entry for entry in (before, first) if entry is not None]
        if not wanted:
            return True
        pipe = self.r.pipeline(transaction=False)
        for entry in wanted:
            pipe.xrange(self.stream, min=entry, max=entry, count=1)
        found = dict(zip(wanted, await pipe.execute(), strict=True))
        if all(found.values()):
            return True
        async with self._lock:
            log.error("entries published before this batch are gone from %s", self.stream)
            await self.ensure_groups()
            await self._adopt_epoch()
            await self._recover_rows(STREAM_LOST)
        return first is None or bool(found[first])

    async def problems(self) -> list[str]:
        """For /healthz: the epoch gone, or changed and not yet adopted by this process (groups are checked by the
        service's group states)."""
        current = await self.r.get(self.key)
        if current is None:
            return ["redis: epoch missing (Redis lost its data; not yet restored)"]
        if self.epoch is not None and _text(current) != self.epoch:
            return ["redis: epoch changed (Redis lost its data; this service has not restored its part yet)"]
        return []

    # ---- detection ------------------------------------------------------------------------------------------

    async def _lost(self) -> str | None:
        pipe = self.r.pipeline(transaction=False)
        pipe.get(self.key)
        if self.last_entry is not None:
            pipe.xrange(self.stream, min=self.last_entry, max=self.last_entry, count=1)
        found = await pipe.execute()
        current = found[0]
        if current is None:
            return EPOCH_MISSING
        if self.epoch is not None and _text(current) != self.epoch:
            return EPOCH_CHANGED
        if self.last_entry is not None and not found[1]:
            log.error("entry %s is gone from %s", self.last_entry, self.stream)
            return STREAM_LOST
        return None

    async def _groups_missing(self) -> bool:
        from redis.exceptions import ResponseError

        for streams, group in self.groups():
            for stream in streams:
                try:
                    infos = await self.r.xinfo_groups(stream)
                except ResponseError:  # no such stream
                    return True
                if group not in {_text(i["name"]) for i in infos}:
                    return True
        return False

    async def _find(self, event_id: str) -> str | None:
        """The entry id of `event_id` among the newest entries of the stream (None: not there)."""
        top: str = "+"
        seen = 0
        while seen < SCAN_LIMIT:
            batch = await self.r.xrevrange(self.stream, max=top, count=SCAN_BATCH)
            for entry_id, fields in batch:
                if _event_id(fields) == event_id:
                    return _text(entry_id)
            seen += len(batch)
            if len(batch) < SCAN_BATCH:
                return None
            top = f"({_text(batch[-1][0])}"
        return None

    # ---- recovery -------------------------------------------------------------------------------------------

    async def _adopt_epoch(self) -> None:
        """Write a new token unless one is there (SET NX: the first service to restore wins), and adopt it."""
        await self.r.set(self.key, secrets.token_hex(8), nx=True)
        current = await self.r.get(self.key)
        self.epoch = _text(current) if current is not None else None

    async def _recover_rows(self, reason: str) -> None:
        survivor = await self._surviving_row()
        n = await asyncio.to_thread(self._mark_unpublished, survivor)
        self.last_entry = None
        self._recovered(reason, n)
        log.warning("re-publishing %s outbox rows (after row %s) to %s", n, survivor, self.stream)

    def _recovered(self, reason: str, n: int) -> None:
        self.recoveries += 1
        self.republished += n
        if self.on_recovered:
            self.on_recovered(reason, n)

    async def _surviving_row(self) -> int | None:
        """The outbox id of the newest of this service's entries still on its stream (None: none survived within
        the scan). The relay publishes nothing between a loss and this, so that entry was published before it."""
        top: str = "+"
        seen = 0
        while seen < SCAN_LIMIT:
            batch = await self.r.xrevrange(self.stream, max=top, count=SCAN_BATCH)
            ids = [eid for eid in (_event_id(f) for _, f in batch) if eid]
            if ids:
                row = await asyncio.to_thread(self._row_of, ids)
                if row is not None:
                    return row
            seen += len(batch)
            if len(batch) < SCAN_BATCH:
                return None
            top = f"({_text(batch[-1][0])}"
        return None

    def _row_of(self, event_ids: list[str]) -> int | None:
        """The highest outbox id among these events that were published (an entry an operator replayed names an
        older row: then more is re-published than needed, never less)."""
        query = select(func.max(OUTBOX.c.id)).where(
            OUTBOX.c.event_id.in_(event_ids), OUTBOX.c.published_at.is_not(None)
        )
        with self.read_engine.connect() as conn:
            found = conn.execute(query).scalar_one_or_none()
        return int(found) if found is not None else None

    def _newest_published(self) -> tuple[int, str] | None:
        since = utcnow() - self.retention
        query = (
            select(OUTBOX.c.id, OUTBOX.c.event_id)
            .where(OUTBOX.c.published_at.is_not(None), OUTBOX.c.published_at >= since)
            .order_by(OUTBOX.c.id.desc())
            .limit(1)
        )
        with self.read_engine.connect() as conn:
            row = conn.execute(query).first()
        return (int(row.id), str(row.event_id)) if row is not None else None

    def _mark_unpublished(self, after: int | None) -> int:
        """Rows published after `after` (every row within the retention when None) go back to the relay."""
        query = update(OUTBOX).where(OUTBOX.c.published_at.is_not(None))
        if after is not None:
            query = query.where(OUTBOX.c.id > after)
        else:
            query = query.where(OUTBOX.c.published_at >= utcnow() - self.retention)
        with self.engine.begin() as conn:
            return int(conn.execute(query.values(published_at=None)).rowcount or 0)

    async def _cleanup(self) -> None:
        self.last_cleanup = time.monotonic()
        try:
            n = await asyncio.to_thread(self._delete_old)
        except Exception as exc:  # the database is away: next time
            log.warning("outbox cleanup: %s", exc)
            return
        if n:
            log.info("outbox cleanup: %s published rows older than %s deleted", n, self.retention)

    def _delete_old(self) -> int:
        old = utcnow() - self.retention
        query = delete(OUTBOX).where(OUTBOX.c.published_at.is_not(None), OUTBOX.c.published_at < old)
        with self.engine.begin() as conn:
            return int(conn.execute(query).rowcount or 0)
