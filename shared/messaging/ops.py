"""Operators at a terminal: the event log, dead letters, consumer-group lag and a piece of work's whole path.

Reads Redis Streams directly (the streams are also the audit log); every replay and drop of a dead letter is
itself recorded on the `<prefix>.ops` stream.

A dead letter belongs to one consumer group (each group that fails an event writes its own). Replaying it puts the
event on that group's retry stream (`Settings.retry_stream`), which only that group reads — never back on the
producer's stream, which every group reads — and removes the dead letter, in one Lua script: a second replay of
the same row finds it gone. See docs/reliability.md, "Dead letters and replay".
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, NotRequired, TypedDict, cast

from redis import Redis
from redis.exceptions import ResponseError

from shared.config import Settings
from shared.messaging.entries import DeadLetterRow, EventRow, once_per_event
from shared.messaging.guard import epoch_key
from shared.messaging.index import (
    INDEXER_GROUP,
    EventIndex,
    decode,
    drawn_from,
    entry_time,
    event_row,
    is_entry_id,
    is_source,
    keys_for,
    names_ref,
    names_report,
    version_of,
)
from shared.observability import ReconcileResult, reconcile_key

__all__ = [
    "DeadLetterAmbiguous",
    "DeadLetterNotFound",
    "Ops",
    "decode",
    "entry_time",
    "group_of",
    "row_id",
]


def expected_groups(readers: Mapping[str, Sequence[str]], producer: str) -> list[str]:
    """The consumer groups a running system keeps on a producer's stream: every service that reads it and the event
    indexer, which reads them all."""
    return sorted((*readers[producer], INDEXER_GROUP))


class GroupStatus(TypedDict):
    """One consumer group on a stream, as Redis reports it."""

    group: str
    pending: int
    lag: int | None  # None: Redis cannot tell (entries were deleted)
    oldest_pending_s: float | None  # age of the oldest pending entry since it was written; None: none pending


class StreamStatus(TypedDict):
    """A stream (a producer's, or a group's retry stream), its dead letters and its consumer groups."""

    stream: str
    length: int
    dlq: int  # dead letters of this stream
    groups: list[GroupStatus]
    missing: list[str]  # groups the system keeps on it that Redis does not hold
    retry_for: NotRequired[str]  # a retry stream: the one group that reads it


class Replayed(TypedDict):
    replayed_to: str  # the group's retry stream
    group: str
    id: str  # the entry id on the retry stream
    event_id: str | None


class Dropped(TypedDict):
    dropped: str  # the dead letter's entry id
    row: str
    group: str | None


class DeadLetterNotFound(KeyError):
    """No such entry in that dead-letter stream (or no such stream)."""


class DeadLetterAmbiguous(KeyError):
    """An entry id that names a dead letter on more than one dead-letter stream: say which."""


# XADD to the group's retry stream, XDEL the dead letter and record the action, only while the dead letter is there:
# atomic, so a double click, two operators or a retried command replay it once
REPLAY_SCRIPT = """
if #redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1]) == 0 then return false end
local id = redis.call('XADD', KEYS[2], '*', '__data__', ARGV[2], 'origin', ARGV[3], 'origin_entry', ARGV[4],
  'dead_letter', ARGV[1])
redis.call('XDEL', KEYS[1], ARGV[1])
redis.call('XADD', KEYS[3], '*', 'action', 'replay', 'by', ARGV[5], 'at', ARGV[6], 'entry', ARGV[7])
return id
"""
DROP_SCRIPT = """
if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('XADD', KEYS[2], '*', 'action', 'drop', 'by', ARGV[2], 'at', ARGV[3], 'entry', ARGV[4])
return 1
"""


def group_of(letter: Mapping[str, object]) -> str | None:
    """The consumer group that failed a dead letter (`group`; older ones name it only in `consumer`): read from the
    letter as written, as shown (`DeadLetterRow`) or as recorded on the `.ops` stream."""
    found = letter.get("group") or letter.get("consumer")
    return str(found) if found else None


def row_id(dlq: str, entry_id: str) -> str:
    """How an operator names one dead letter: `<producer>:<entry id>` (`<producer>:1733472000000-0`)."""
    return f"{dlq.removesuffix('.dlq').rsplit('.', 1)[-1]}:{entry_id}"


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Ops:
    """The operators' view of a system's streams: `producers` are the services that write one, `readers` the
    services that read each producer's stream (their consumer groups); the system names both."""

    def __init__(
        self,
        settings: Settings,
        client: Redis | None = None,
        *,
        producers: Sequence[str],
        readers: Mapping[str, Sequence[str]],
    ) -> None:
        self.s = settings
        self.r: Any = client or Redis.from_url(settings.redis_url)
        self.producers = tuple(producers)
        self.readers = readers

    def streams(self) -> list[str]:
        return [self.s.stream(p) for p in self.producers]

    def dlq_streams(self) -> list[str]:
        return [f"{s}.dlq" for s in self.streams()]

    def events(self, *, count: int = 20, type_: str | None = None, service: str | None = None) -> list[EventRow]:
        """Newest first, across every stream (XREVRANGE), filtered."""
        rows: list[EventRow] = []
        for producer in self.producers if service is None else (service,):
            stream = self.s.stream(producer)
            cursor = "+"
            while True:
                batch = self.r.xrevrange(stream, max=cursor, count=max(count, 100))
                if not batch:
                    break
                for entry_id, fields in batch:
                    row = event_row(stream, _text(entry_id), fields)
                    if type_ is None or row.get("type") == type_:
                        rows.append(row)
                if len(batch) < max(count, 100) or sum(r["stream"] == stream for r in rows) >= count:
                    break
                cursor = f"({_text(batch[-1][0])}"
        rows.sort(key=lambda r: tuple(int(x) for x in r["id"].split("-")), reverse=True)
        return rows[:count]

    def follow(self, *, type_: str | None = None) -> Iterator[EventRow]:
        last = {s: "$" for s in self.streams()}
        while True:
            for stream, entries in self.r.xread(last, block=1000) or []:
                name = _text(stream)
                for entry_id, fields in entries:
                    last[name] = _text(entry_id)
                    row = event_row(name, _text(entry_id), fields)
                    if type_ is None or row.get("type") == type_:
                        yield row

    def status(self) -> list[StreamStatus]:
        """Per stream: length, dead letters, per consumer group its pending count, oldest pending age, lag, and the
        groups the system keeps on it that Redis does not hold (`missing`). Then each consuming group's retry stream
        (replayed dead letters) that exists, with that group (`retry_for`)."""
        out: list[StreamStatus] = []
        for producer in self.producers:
            stream = self.s.stream(producer)
            groups = self._groups(stream)
            held = {g["group"] for g in groups}
            out.append(
                {"stream": stream, "length": self.r.xlen(stream), "dlq": self.r.xlen(f"{stream}.dlq"), "groups": groups,
                 "missing": [g for g in expected_groups(self.readers, producer) if g not in held]}
            )  # fmt: skip
        for group in sorted({g for readers in self.readers.values() for g in readers}):
            retry = self.s.retry_stream(group)
            if not self.r.exists(retry):
                continue
            groups = [g for g in self._groups(retry) if g["group"] == group]
            out.append(
                {"stream": retry, "length": self.r.xlen(retry), "dlq": 0, "groups": groups, "retry_for": group,
                 "missing": [] if groups else [group]}
            )  # fmt: skip
        return out

    def _groups(self, stream: str) -> list[GroupStatus]:
        groups: list[GroupStatus] = []
        try:
            infos = self.r.xinfo_groups(stream)
        except ResponseError:  # no such stream
            infos = []
        for g in infos:
            name = _text(g["name"])
            oldest = None
            if int(g["pending"]):
                # the age of the oldest pending entry since it was written (its id is its time in ms), not its
                # idle time: each redelivery resets that, and an event retried for an hour would look seconds old
                first = self.r.xpending_range(stream, name, "-", "+", 1)
                if first:
                    written_ms = int(_text(first[0]["message_id"]).split("-")[0])
                    oldest = max(0.0, time.time() - written_ms / 1000)
            groups.append(
                {"group": name, "pending": int(g["pending"]), "lag": g.get("lag"), "oldest_pending_s": oldest}
            )
        return groups

    def reconciliation(self) -> ReconcileResult | None:
        """The newest `lapkin reconcile` result (None: never run on this Redis)."""
        found = self.r.get(reconcile_key(self.s.stream_prefix))
        return json.loads(found) if found else None

    def epoch(self) -> str | None:
        """The token the services wrote with their consumer groups (None: Redis lost it, not yet restored)."""
        found = self.r.get(epoch_key(self.s.stream_prefix))
        return _text(found) if found is not None else None

    def dlq(self, stream: str | None = None) -> list[DeadLetterRow]:
        """Every dead letter (of one producer's stream when given), oldest first, each with its consumer group
        (`group`) and row id (`row`)."""
        rows = []
        for dlq in [f"{stream}.dlq"] if stream else self.dlq_streams():
            for entry_id, fields in self.r.xrange(dlq):
                rows.append(self._letter(dlq, _text(entry_id), fields))
        return rows

    def _letter(self, dlq: str, entry_id: str, fields: Any) -> DeadLetterRow:
        """A dead letter as written (`entries.DeadLetterJson`, read without validation), with its group and row."""
        body = decode(fields)
        letter = {"dlq": dlq, "id": entry_id, **body, "group": group_of(body), "row": row_id(dlq, entry_id)}
        return cast(DeadLetterRow, letter)

    def dlq_entry(self, dlq: str, entry_id: str) -> DeadLetterRow | None:
        if not is_entry_id(entry_id):
            return None
        found = self.r.xrange(dlq, min=entry_id, max=entry_id)
        return self._letter(dlq, entry_id, found[0][1]) if found else None

    def find_row(self, row: str) -> tuple[str, str]:
        """(dead-letter stream, entry id) of a row id as `lapkin dlq list` prints it (`<producer>:1733…-0`), or of
        a bare entry id when only one dead-letter stream holds it."""
        producer, sep, entry_id = row.rpartition(":")
        if sep:
            dlq = f"{self.s.stream(producer)}.dlq"
            if dlq not in self.dlq_streams() or self.dlq_entry(dlq, entry_id) is None:
                raise DeadLetterNotFound(row)
            return dlq, entry_id
        holding = [dlq for dlq in self.dlq_streams() if self.dlq_entry(dlq, row) is not None]
        if not holding:
            raise DeadLetterNotFound(row)
        if len(holding) > 1:
            raise DeadLetterAmbiguous(", ".join(row_id(d, row) for d in holding))
        return holding[0], row

    def _ops_stream(self) -> str:
        return f"{self.s.stream_prefix}.ops"

    def replay(self, dlq: str, entry_id: str, by: str = "cli") -> Replayed:
        """Redeliver a dead letter's event to the consumer group that failed it, and to no other: onto that group's
        retry stream, with the same event_id (a group that applied it meanwhile applies it once). Atomic with the
        dead letter's removal and the record on `<prefix>.ops`; replaying the same row again raises
        DeadLetterNotFound."""
        entry = self.dlq_entry(dlq, entry_id)
        if entry is None:
            raise DeadLetterNotFound(f"{dlq} {entry_id}")
        group = entry["group"]
        if not group:
            raise DeadLetterNotFound(f"{dlq} {entry_id} (names no consumer group)")
        envelope = entry["envelope"]
        # raw JSON in __data__ is read by FastStream's parser like its own binary format (no top-level "data" key);
        # a dead letter that was never JSON (kept as text) goes back as the text it was
        data = envelope if isinstance(envelope, str) else json.dumps(envelope)
        try:
            body = json.loads(data)
        except ValueError:
            body = None
        retry = self.s.retry_stream(group)
        origin = str(entry.get("original_stream") or dlq.removesuffix(".dlq"))
        new_id = self.r.eval(
            REPLAY_SCRIPT,
            3,
            dlq,
            retry,
            self._ops_stream(),
            entry_id,
            data,
            origin,
            str(entry.get("original_entry_id") or ""),
            by,
            datetime.now(UTC).isoformat(),
            json.dumps(entry, default=str),
        )
        if new_id is None:  # replayed or dropped by someone else since it was read
            raise DeadLetterNotFound(f"{dlq} {entry_id}")
        event_id = body.get("event_id") if isinstance(body, dict) else None
        return {"replayed_to": retry, "group": group, "id": _text(new_id), "event_id": event_id}

    def drop(self, dlq: str, entry_id: str, by: str = "cli") -> Dropped:
        """Remove this one dead letter (the other groups' dead letters of the same event stay), recorded."""
        entry = self.dlq_entry(dlq, entry_id)
        if entry is None:
            raise DeadLetterNotFound(f"{dlq} {entry_id}")
        done = self.r.eval(
            DROP_SCRIPT,
            2,
            dlq,
            self._ops_stream(),
            entry_id,
            by,
            datetime.now(UTC).isoformat(),
            json.dumps(entry, default=str),
        )
        if not done:
            raise DeadLetterNotFound(f"{dlq} {entry_id}")
        return {"dropped": entry_id, "row": entry["row"], "group": entry["group"]}

    def trace(self, ident: str) -> list[EventRow]:
        """A piece of work's whole path: through the event index when a service keeps one (fast on any
        stream length), else by reading every stream (`trace_by_scan`)."""
        index = EventIndex(self.r, self.s.stream_prefix, producers=self.producers)
        if index.indexed():
            return index.trace(ident)
        return self.trace_by_scan(ident)

    def trace_by_scan(self, ident: str) -> list[EventRow]:
        """Every event whose correlation id, event id or payload (a ref field) names the id, in order, followed
        downstream by causation and by the versions of work it made, as the system registered its events
        (`shared.messaging.index.IndexFields`)."""
        all_events = [
            event_row(stream, _text(entry_id), fields)
            for stream in self.streams()
            for entry_id, fields in self.r.xrange(stream)
        ]
        all_events.sort(key=lambda r: tuple(int(x) for x in r["id"].split("-")))
        related: set[str] = set()
        made: set[tuple[object, object]] = set()  # (id, version) of work a traced event produced
        path = []
        for env in all_events:
            version = version_of(env)
            named = names_ref(env, ident)
            if named or env.get("causation_id") in related or (version[0] and version in made):
                related.add(str(env.get("event_id")))
                if version[0]:
                    made.add(version)
                path.append(env)
        reports = [env for env in path if names_report(env, ident)]
        if reports:  # a report: also what it was drawn from (up the causation chain, and the sources drawn from)
            by_event = {str(env.get("event_id")): env for env in all_events}
            have = {(env["stream"], env["id"]) for env in path}
            queue = [str(env["causation_id"]) for env in reports if env.get("causation_id")]
            done: set[str] = set()
            while queue:
                cause = queue.pop()
                if cause in done or cause not in by_event:
                    continue
                done.add(cause)
                env = by_event[cause]
                found = [env]
                if drawn := drawn_from(env):
                    at = tuple(int(x) for x in env["id"].split("-"))
                    found += [
                        e
                        for e in all_events
                        if is_source(e)
                        and drawn[1] in keys_for(self.s.stream_prefix, e["stream"], e).get(drawn[0], [])
                        and tuple(int(x) for x in e["id"].split("-")) <= at
                    ]
                for e in found:
                    if (e["stream"], e["id"]) not in have:
                        have.add((e["stream"], e["id"]))
                        path.append(e)
                if env.get("causation_id"):
                    queue.append(str(env["causation_id"]))
            path.sort(key=lambda r: tuple(int(x) for x in r["id"].split("-")))
        return once_per_event(path)


def wait_seconds(seconds: float) -> None:  # pragma: no cover - used by `--follow`
    time.sleep(seconds)
