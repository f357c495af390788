"""The operators' index of every event on every stream, written as events pass, so the event log's filters and the
trace stay fast with a million entries.

The streams stay the log (pages read entries with XRANGE/XREVRANGE); the index only points into them. The
`Indexer` reads every producing service's stream in its own consumer group `indexer` (created at id 0, so it
catches up with history on first start) and, per entry, adds the member `<stream>|<entry id>` with the score
`ms * 1000 + seq` (entry order, exact in a double) to sorted sets:

    <prefix>.idx:type:<type>          <prefix>.idx:service:<producer>    <prefix>.idx:corr:<correlation id>
    <prefix>.idx:cause:<causation event id>
    <prefix>.idx:<filter>:<value>     for each filter the system registers (`IndexFields.filters`)
    <prefix>.idx:ref:<id>             for each payload field naming a piece of work (`IndexFields.refs`)
    <prefix>.idx:<key>:<id>:<version> for work made in versions (`IndexFields.versioned`)

plus the hash `<prefix>.idx:eid` (event id → member) and the sets `<prefix>.idx:values:<filter>` (what the filter
menus offer). Every write is idempotent (ZADD of the same member and score), so a redelivery changes nothing.

`EventIndex` answers queries with a synchronous client (the web pages call it from the threadpool; the CLI too).
A filtered page walks the smallest of the filters' sorted sets newest first and checks membership in the others
(ZSCORE), so its cost follows the smallest filter, not the stream's length.
"""

from __future__ import annotations

import asyncio
import heapq
import json
import logging
import os
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from faststream.redis.parser.binary import BinaryMessageFormatV1

from shared.messaging import registry
from shared.messaging.entries import EnvelopeJson, EventRow, PayloadView, once_per_event
from shared.messaging.registry import (
    ENVELOPE_FILTERS,
    IndexFields,
    registered_fields,
    registered_producers,
)
from shared.messaging.registry import register_fields as register_fields  # the system registers through either
from shared.messaging.registry import register_producers as register_producers
from shared.strictjson import JsonObject
from shared.tasks import stop_task

log = logging.getLogger("lapkin.index")

INDEXER_GROUP = "indexer"


def __getattr__(name: str) -> Any:
    """`FILTERS`: what a page may filter by, with the filters registered now (shared/messaging/registry.py)."""
    if name == "FILTERS":
        return registry.filters()
    raise AttributeError(name)


def menu_filters() -> tuple[str, ...]:
    """The filters whose values the index keeps for the menus (`<prefix>.idx:values:<filter>`)."""
    return (*ENVELOPE_FILTERS, *registered_fields().filters)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def decode(fields: Any) -> JsonObject:
    """The JSON body of an entry, whether FastStream's binary format or raw JSON: an envelope on a service's stream
    (`read_envelope`), a dead letter on a `.dlq` stream, a record on the `.ops` stream."""
    fields = {_text(k): v for k, v in fields.items()}
    raw = fields.get("__data__")
    if raw is None:
        return {k: _text(v) for k, v in fields.items()}
    raw = raw if isinstance(raw, bytes) else str(raw).encode()
    body, _ = BinaryMessageFormatV1.parse(raw)
    try:
        out = json.loads(body)
    except ValueError:
        return {"raw": _text(body)}
    return out if isinstance(out, dict) else {"raw": out}


def read_envelope(fields: Any) -> EnvelopeJson:
    """The envelope of an entry of a service's stream, as written (read without validation: see `entries`)."""
    return cast(EnvelopeJson, decode(fields))


def event_row(stream: str, entry_id: str, fields: Any) -> EventRow:
    """An entry of a service's stream as the operators' tools show it: where it is, then its envelope."""
    return cast(EventRow, {"stream": stream, "id": entry_id, **decode(fields)})


_ENTRY_ID = re.compile(r"(\d{1,20})(?:-(\d{1,20}))?")


def is_entry_id(value: str | None) -> bool:
    """A stream entry id as Redis takes it (`<ms>` or `<ms>-<seq>`, each below 2^64): what a page or a header sends
    is checked before it reaches XRANGE/XREAD (`abc` or 2^70 there was a ResponseError, a 500)."""
    m = _ENTRY_ID.fullmatch(value or "")
    return m is not None and all(int(part or 0) < 2**64 for part in m.groups())


def score_of(entry_id: str) -> float:
    ms, _, seq = entry_id.partition("-")
    return int(ms) * 1000 + min(int(seq or 0), 999)


def _id_tuple(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def id_of(score: float) -> str:
    s = int(score)
    return f"{s // 1000}-{s % 1000}"


def entry_time(entry_id: str) -> datetime:
    return datetime.fromtimestamp(int(entry_id.split("-")[0]) / 1000, UTC)


def payload_of(env: EnvelopeJson) -> PayloadView:
    payload = env.get("payload")
    return payload if isinstance(payload, dict) else {}


def version_key(fields: IndexFields | None = None) -> str | None:
    """The index key of work made in versions (`IndexFields.versioned`), if the system has such work."""
    versioned = (fields or registered_fields()).versioned
    return versioned[0] if versioned else None


def version_of(env: EnvelopeJson, fields: IndexFields | None = None) -> tuple[object, object]:
    """(id, version) of the work an event made or names, (None, None) when it names none."""
    versioned = (fields or registered_fields()).versioned
    if versioned is None:
        return None, None
    payload = payload_of(env)
    return payload.get(versioned[1]), payload.get(versioned[2])


def keys_for(prefix: str, stream: str, env: EnvelopeJson, fields: IndexFields | None = None) -> dict[str, list[str]]:
    """Filter name → the index keys (values) this event belongs to."""
    fields = fields or registered_fields()
    payload = payload_of(env)
    service = env.get("producer") or stream.rsplit(".", 1)[-1]
    out: dict[str, list[str]] = {"type": [str(env.get("type") or "?")], "service": [str(service)]}
    for name, values in fields.filters.items():
        out[name] = values(payload)
    out["corr"] = [str(env["correlation_id"])] if env.get("correlation_id") else []
    out["ref"] = [str(payload[k]) for k in fields.refs if payload.get(k)]
    out["cause"] = [str(env["causation_id"])] if env.get("causation_id") else []
    if fields.versioned:
        work, version = version_of(env, fields)
        out[fields.versioned[0]] = [f"{work}:{version}"] if work else []
    return out


UPSTREAM_MAX = 200  # causes followed up from a report's events, at most


def names_ref(env: EnvelopeJson, ident: str) -> bool:
    """Whether an event names `ident` in one of its ref fields (or carries it as its correlation or event id)."""
    payload = payload_of(env)
    named = (env.get("correlation_id"), env.get("event_id"), *(payload.get(k) for k in registered_fields().refs))
    return ident in named


def names_report(env: EnvelopeJson, ident: str) -> bool:
    """Whether an event names `ident` as a report (`IndexFields.reports`): a report's trace also shows what it was
    drawn from."""
    payload = payload_of(env)
    return ident in (payload.get(k) for k in registered_fields().reports)


def is_source(env: EnvelopeJson) -> bool:
    """Whether an event is one reports are drawn from (`IndexFields.sources`)."""
    payload = env.get("payload")
    return isinstance(payload, dict) and any(payload.get(k) for k in registered_fields().sources)


def drawn_from(env: EnvelopeJson) -> tuple[str, str] | None:
    """(filter, value) whose source events this event was drawn from (those written before it), else None."""
    return registered_fields().drawn_from(env)


def matches(env: EnvelopeJson, stream: str, filters: dict[str, str], prefix: str = "") -> bool:
    """Whether an event passes the filters (the live feed checks new entries with this, the index is not needed)."""
    keys = keys_for(prefix, stream, env)
    return all(value in keys.get(name, []) for name, value in filters.items() if value)


@dataclass
class Page:
    rows: list[EventRow]
    next_before: str | None  # entry id to pass as `before` for the next (older) page
    scanned: int = 0  # index members looked at (how selective the filters were)
    newest: dict[str, str] = field(default_factory=dict)


class EventIndex:
    """Queries on the index and the streams, with a synchronous Redis client."""

    def __init__(self, client: Any, prefix: str, producers: Iterable[str] | None = None) -> None:
        self.r = client
        self.prefix = prefix
        self.producers = tuple(producers) if producers is not None else registered_producers()

    def key(self, name: str, value: str) -> str:
        return f"{self.prefix}.idx:{name}:{value}"

    def streams(self) -> list[str]:
        return [f"{self.prefix}.{p}" for p in self.producers]

    def values(self, name: str) -> list[str]:
        return sorted(_text(v) for v in self.r.smembers(f"{self.prefix}.idx:values:{name}"))

    def _fetch(self, members: list[str]) -> list[EventRow]:
        pipe = self.r.pipeline(transaction=False)
        for m in members:
            stream, _, entry_id = m.partition("|")
            pipe.xrange(stream, min=entry_id, max=entry_id, count=1)
        rows = []
        for m, found in zip(members, pipe.execute(), strict=True):
            stream, _, entry_id = m.partition("|")
            if found:
                rows.append(event_row(stream, entry_id, found[0][1]))
        return rows

    def entry(self, stream: str, entry_id: str) -> EventRow | None:
        if not is_entry_id(entry_id):
            return None
        rows = self._fetch([f"{stream}|{entry_id}"])
        return rows[0] if rows else None

    def newest_ids(self) -> dict[str, str]:
        out = {}
        for stream in self.streams():
            last = self.r.xrevrange(stream, count=1)
            out[stream] = _text(last[0][0]) if last else "0-0"
        return out

    def page(
        self,
        filters: dict[str, str] | None = None,
        *,
        limit: int = 50,
        before: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page:
        """Newest first, ordered by (entry id, stream name). No filter: XREVRANGE on every stream, merged. Filters:
        through the index. `before` is the `next_before` of the previous page (`<entry id>@<stream>`)."""
        filters = {k: v for k, v in (filters or {}).items() if v and k in registry.filters()}  # as registered now
        cursor = None
        if before and is_entry_id(before.partition("@")[0]):
            bid, _, bstream = before.partition("@")
            cursor = (bid, bstream)
        hi = int(until.timestamp() * 1000) * 1000 + 999 if until is not None else None
        lo = int(since.timestamp() * 1000) * 1000 if since else None
        if cursor and hi is not None and score_of(cursor[0]) > hi:
            cursor = None
        if not filters or set(filters) == {"service"}:
            streams = [f"{self.prefix}.{filters['service']}"] if filters else self.streams()
            return self._page_streams(streams, limit, cursor, hi, lo)
        return self._page_index(filters, limit, cursor, hi, lo)

    def _page_streams(
        self, streams: list[str], limit: int, cursor: tuple[str, str] | None, hi: float | None, lo: float | None
    ) -> Page:
        rows: list[EventRow] = []
        for stream in streams:
            top = id_of(hi) if hi is not None else "+"
            if cursor:  # the same id on a stream that sorts lower has not been shown yet
                top = cursor[0] if cursor[1] and stream < cursor[1] else f"({cursor[0]}"
            batch = self.r.xrevrange(stream, max=top, min=id_of(lo) if lo is not None else "-", count=limit)
            rows += [event_row(stream, _text(i), f) for i, f in batch]
        rows.sort(key=lambda r: (score_of(r["id"]), _id_tuple(r["id"]), r["stream"]), reverse=True)
        rows = rows[:limit]
        last = f"{rows[-1]['id']}@{rows[-1]['stream']}" if len(rows) == limit else None
        return Page(rows, last, len(rows))

    def _page_index(
        self, filters: dict[str, str], limit: int, cursor: tuple[str, str] | None, hi: float | None, lo: float | None
    ) -> Page:
        keys = [self.key(name, value) for name, value in filters.items()]
        pipe = self.r.pipeline(transaction=False)
        for k in keys:
            pipe.zcard(k)
        sizes = pipe.execute()
        if not all(sizes):
            return Page([], None)
        ordered = [k for _, k in sorted(zip(sizes, keys, strict=True))]
        walk, others = ordered[0], ordered[1:]
        found: list[str] = []
        scanned = 0
        top: float | None = hi
        skip: set[str] = set()  # members at score `top` already looked at
        cursor_member = None
        if cursor:
            top = score_of(cursor[0])
            cursor_member = f"{cursor[1]}|{cursor[0]}" if cursor[1] else None
        chunk = max(limit * 4, 200)
        while len(found) < limit:
            batch = self.r.zrevrangebyscore(
                walk,
                top if top is not None else "+inf",
                lo if lo is not None else "-inf",
                start=0,
                num=chunk + len(skip),
                withscores=True,
            )
            if not batch:
                break
            got = [(_text(m), sc) for m, sc in batch]
            fresh = [
                (m, sc)
                for m, sc in got
                if m not in skip
                and not (cursor and sc == score_of(cursor[0]) and (cursor_member is None or m >= cursor_member))
            ]
            scanned += len(fresh)
            members = [m for m, _ in fresh]
            if others and members:
                pipe = self.r.pipeline(transaction=False)
                for m in members:
                    for k in others:
                        pipe.zscore(k, m)
                scores = pipe.execute()
                n = len(others)
                members = [m for i, m in enumerate(members) if all(x is not None for x in scores[i * n : (i + 1) * n])]
            found += members
            if len(got) < chunk + len(skip):
                break
            last_score = got[-1][1]
            skip = {m for m, sc in got if sc == last_score} | (skip if top == last_score else set())
            top = last_score
        found = found[:limit]
        rows = self._fetch(found)
        last = f"{rows[-1]['id']}@{rows[-1]['stream']}" if len(found) == limit and rows else None
        return Page(rows, last, scanned)

    # ---- trace ----------------------------------------------------------------------------------------------------

    def members(self, key: str, min_score: float | str = "-inf") -> list[tuple[str, float]]:
        return [(_text(m), s) for m, s in self.r.zrangebyscore(key, min_score, "+inf", withscores=True)]

    def trace(self, ident: str) -> list[EventRow]:
        """A piece of work's (or an event's, a correlation's) whole path, oldest first: the events that name the id
        (`IndexFields.refs`), then downstream by causation and by the versions of work they produced — the same path as
        `shared.messaging.ops.Ops.trace`, but read through the index instead of every stream."""
        seeds = self.members(self.key("ref", ident)) + self.members(self.key("corr", ident))
        eid = self.r.hget(f"{self.prefix}.idx:eid", ident)
        if eid:
            m = _text(eid)
            seeds.append((m, score_of(m.partition("|")[2])))
        seen: dict[str, float] = {}
        queue = [(score, member) for member, score in seeds]  # oldest first, so a version is met where it is made
        heapq.heapify(queue)
        made_done: set[str] = set()  # versions of work followed

        def push(found: list[tuple[str, float]]) -> None:
            for m, s in found:
                heapq.heappush(queue, (s, m))

        while queue:
            score, member = heapq.heappop(queue)
            if member in seen:
                continue
            seen[member] = score
            stream, _, entry_id = member.partition("|")
            rows = self._fetch([member])
            if not rows:
                continue
            env = rows[0]
            keys = keys_for(self.prefix, stream, env)
            if env.get("event_id"):
                push(self.members(self.key("cause", str(env["event_id"]))))
            versions = version_key()
            for made in keys[versions] if versions else []:
                if versions and made not in made_done:
                    made_done.add(made)
                    push(self.members(self.key(versions, made), score))  # from the event that produced it on
        seed_rows = self._fetch([m for m, _ in seeds])
        if any(names_report(row, ident) for row in seed_rows):
            for member, score in self._upstream(seed_rows):
                seen.setdefault(member, score)
        rows = self._fetch(sorted(seen, key=lambda m: seen[m]))
        # entries of two streams written in the same millisecond tie: an effect still comes after its cause
        parent = {str(row.get("event_id")): row.get("causation_id") for row in rows}

        def depth(row: EventRow) -> int:
            n, cause = 0, row.get("causation_id")
            while cause is not None and cause in parent and n < len(parent):
                n, cause = n + 1, parent[cause]
            return n

        return once_per_event(sorted(rows, key=lambda row: (score_of(row["id"]), depth(row))))

    def _upstream(self, rows: list[EventRow]) -> list[tuple[str, float]]:
        """What a report was drawn from: the causes of `rows`, up the causation chain, and for each event drawn from
        sources (`IndexFields.drawn_from`), those sources written before it."""
        found: dict[str, float] = {}
        queue = [str(row["causation_id"]) for row in rows if row.get("causation_id")]
        done: set[str] = set()
        while queue and len(done) < UPSTREAM_MAX:
            cause = queue.pop()
            if cause in done:
                continue
            done.add(cause)
            at = self.r.hget(f"{self.prefix}.idx:eid", cause)
            if not at:
                continue
            member = _text(at)
            fetched = self._fetch([member])
            if not fetched:
                continue
            row = fetched[0]
            found[member] = score_of(row["id"])
            if row.get("causation_id"):
                queue.append(str(row["causation_id"]))
            drawn = drawn_from(row)
            if drawn:
                candidates = [(m, sc) for m, sc in self.members(self.key(*drawn)) if sc <= found[member]]
                for sub in self._fetch([m for m, _ in candidates]):
                    if is_source(sub):
                        found[f"{sub['stream']}|{sub['id']}"] = score_of(sub["id"])
        return list(found.items())

    def indexed(self) -> bool:
        return bool(self.r.exists(f"{self.prefix}.idx:eid"))


class Indexer:
    """Keeps the index: consumer group `indexer` on every producing service's stream, one pipeline per batch."""

    def __init__(
        self,
        client: Any,
        prefix: str,
        streams: Iterable[str] | None = None,
        block_ms: int = 1000,
        reclaim_idle_ms: int = 60_000,
    ) -> None:
        self.r = client  # an asyncio Redis client
        self.prefix = prefix
        self.streams = list(streams) if streams is not None else [f"{prefix}.{p}" for p in registered_producers()]
        self.block_ms = block_ms
        self.reclaim_idle_ms = reclaim_idle_ms  # like the services' consumers (LAPKIN_RECLAIM_IDLE_MS)
        self.consumer = f"indexer-{socket.gethostname()}-{os.getpid()}"
        self.indexed = 0
        self._task: asyncio.Task[None] | None = None
        self.stopping = False

    async def ensure_groups(self) -> None:
        from shared.messaging.streams import ensure_groups

        await ensure_groups(self.r, self.streams, INDEXER_GROUP)

    def _write(self, pipe: Any, stream: str, entry_id: str, env: EnvelopeJson) -> None:
        member = f"{stream}|{entry_id}"
        score = score_of(entry_id)
        menus = menu_filters()
        for name, values in keys_for(self.prefix, stream, env).items():
            for value in values:
                pipe.zadd(f"{self.prefix}.idx:{name}:{value}", {member: score})
                if name in menus:
                    pipe.sadd(f"{self.prefix}.idx:values:{name}", value)
        if env.get("event_id"):
            pipe.hset(f"{self.prefix}.idx:eid", str(env["event_id"]), member)

    async def index_batch(self, result: Any) -> int:
        pipe = self.r.pipeline(transaction=False)
        acks: dict[str, list[str]] = {}
        n = 0
        for stream, entries in result or []:
            name = _text(stream)
            for entry_id, fields in entries:
                eid = _text(entry_id)
                if fields:  # None: deleted since it was delivered
                    try:
                        self._write(pipe, name, eid, read_envelope(fields))
                    except Exception as exc:  # a poison entry must not hold back the batch: it stays unindexed
                        log.warning("indexer: %s %s not indexed: %s", name, eid, exc)
                acks.setdefault(name, []).append(eid)
                n += 1
        for name, ids in acks.items():
            pipe.xack(name, INDEXER_GROUP, *ids)
        if n:
            await pipe.execute()
            self.indexed += n
        return n

    async def run_once(self, pending: bool = False, block: int | None = None) -> int:
        ids = {s: "0" if pending else ">" for s in self.streams}
        result = await self.r.xreadgroup(INDEXER_GROUP, self.consumer, ids, count=500, block=block)  # type: ignore[arg-type]
        return await self.index_batch(result)

    async def reclaim(self) -> int:
        """Index what a crashed indexer read and never acknowledged. Its consumer name (pid) died with it, so no
        one else reads those entries: claim the ones idle longer than the reclaim time, through the whole pending
        list (XAUTOCLAIM's cursor), and index them. Run at start and then every half reclaim time, because an
        indexer killed moments before this one started leaves entries too fresh to claim at start."""
        from redis.exceptions import ResponseError

        n = 0
        for stream in self.streams:
            cursor: Any = "0-0"
            while True:
                try:
                    result = await self.r.xautoclaim(
                        stream, INDEXER_GROUP, self.consumer, min_idle_time=self.reclaim_idle_ms, start_id=cursor,
                        count=500,
                    )  # fmt: skip
                except ResponseError as exc:
                    log.warning("indexer: xautoclaim %s: %s", stream, exc)
                    break
                cursor, entries = result[0], result[1]
                if entries:
                    n += await self.index_batch([(stream, entries)])
                if _text(cursor) == "0-0":
                    break
        return n

    async def run(self) -> None:
        from redis.exceptions import ResponseError

        await self.ensure_groups()
        await self.reclaim()  # what a crashed indexer read and never acknowledged
        behind = True  # own pending entries to read again: a crashed predecessor's (claimed above), or a failed batch's
        every = max(0.1, self.reclaim_idle_ms / 2000)
        next_reclaim = asyncio.get_running_loop().time() + every
        while not self.stopping:  # checked too: a cancellation swallowed by the client must not keep the loop going
            try:
                while behind and await self.run_once(pending=True):
                    pass
                behind = False
                if asyncio.get_running_loop().time() >= next_reclaim:
                    await self.reclaim()
                    next_reclaim = asyncio.get_running_loop().time() + every
                await self.run_once(block=self.block_ms)
            except asyncio.CancelledError:
                raise
            except ResponseError as exc:
                behind = True
                if "NOGROUP" in str(exc):
                    await self.ensure_groups()
                else:
                    log.warning("indexer: %s", exc)
                    await asyncio.sleep(1)
            except Exception as exc:
                # Redis went away, perhaps between reading a batch and acknowledging it: those entries stay pending
                # under this consumer and are read again (with id 0) once Redis answers, not left stuck until a restart
                behind = True
                log.warning("indexer: %s", exc)
                await asyncio.sleep(1)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="event-indexer")

    async def stop(self) -> None:
        self.stopping = True
        await stop_task(self._task, "event indexer")  # bounded, whatever redis-py does with the cancellation
