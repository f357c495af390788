"""Operators at a terminal: the event log, dead letters, consumer-group lag and a submission's whole path.

Reads Redis Streams directly (the streams are also the audit log); every replay and drop of a dead letter is
itself recorded on the `<prefix>.ops` stream.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from redis.exceptions import ResponseError

from shared.config import Settings
from shared.messaging.guard import epoch_key
from shared.messaging.index import INDEXER_GROUP, PRODUCERS, EventIndex, decode, entry_time, is_entry_id
from shared.observability import reconcile_key

# the consumer groups the running system keeps on each producer's stream: every service that reads it (its
# `consumes`, checked against the services themselves by tests/unit/test_ops_groups.py) and the approval service's
# event indexer, which reads them all
READERS = {
    "collector": ("aggregator", "approval", "renderer"),
    "aggregator": ("approval", "renderer"),
    "approval": ("aggregator", "collector", "renderer"),
    "renderer": ("approval",),
}


def expected_groups(producer: str) -> list[str]:
    return sorted((*READERS[producer], INDEXER_GROUP))


__all__ = ["PRODUCERS", "DeadLetterNotFound", "Ops", "decode", "entry_time"]


class DeadLetterNotFound(KeyError):
    """No such entry in that dead-letter stream (or no such stream)."""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Ops:
    def __init__(self, settings: Settings, client: Redis | None = None) -> None:
        self.s = settings
        self.r: Any = client or Redis.from_url(settings.redis_url)

    def streams(self) -> list[str]:
        return [self.s.stream(p) for p in PRODUCERS]

    def dlq_streams(self) -> list[str]:
        return [f"{s}.dlq" for s in self.streams()]

    def events(self, *, count: int = 20, type_: str | None = None, service: str | None = None) -> list[dict[str, Any]]:
        """Newest first, across every stream (XREVRANGE), filtered."""
        rows: list[dict[str, Any]] = []
        for producer in PRODUCERS if service is None else (service,):
            stream = self.s.stream(producer)
            cursor = "+"
            while True:
                batch = self.r.xrevrange(stream, max=cursor, count=max(count, 100))
                if not batch:
                    break
                for entry_id, fields in batch:
                    env = decode(fields)
                    if type_ is None or env.get("type") == type_:
                        rows.append({"stream": stream, "id": _text(entry_id), **env})
                if len(batch) < max(count, 100) or sum(r["stream"] == stream for r in rows) >= count:
                    break
                cursor = f"({_text(batch[-1][0])}"
        rows.sort(key=lambda r: tuple(int(x) for x in r["id"].split("-")), reverse=True)
        return rows[:count]

    def follow(self, *, type_: str | None = None) -> Iterator[dict[str, Any]]:
        last = {s: "$" for s in self.streams()}
        while True:
            for stream, entries in self.r.xread(last, block=1000) or []:
                name = _text(stream)
                for entry_id, fields in entries:
                    last[name] = _text(entry_id)
                    env = decode(fields)
                    if type_ is None or env.get("type") == type_:
                        yield {"stream": name, "id": _text(entry_id), **env}

    def status(self) -> list[dict[str, Any]]:
        """Per stream: length, dead letters, per consumer group its pending count, oldest pending age, lag, and the
        groups the system keeps on it that Redis does not hold (`missing`)."""
        out = []
        for producer in PRODUCERS:
            stream = self.s.stream(producer)
            groups = []
            try:
                infos = self.r.xinfo_groups(stream)
            except ResponseError:  # no such stream
                infos = []
            for g in infos:
                name = _text(g["name"])
                oldest = None
                if int(g["pending"]):
                    first = self.r.xpending_range(stream, name, "-", "+", 1)
                    oldest = first[0]["time_since_delivered"] / 1000 if first else None
                groups.append(
                    {"group": name, "pending": int(g["pending"]), "lag": g.get("lag"), "oldest_pending_s": oldest}
                )
            held = {g["group"] for g in groups}
            out.append(
                {"stream": stream, "length": self.r.xlen(stream), "dlq": self.r.xlen(f"{stream}.dlq"), "groups": groups,
                 "missing": [g for g in expected_groups(producer) if g not in held]}
            )  # fmt: skip
        return out

    def reconciliation(self) -> dict[str, Any] | None:
        """The newest `lapkin reconcile` result (None: never run on this Redis)."""
        found = self.r.get(reconcile_key(self.s.stream_prefix))
        return json.loads(found) if found else None

    def epoch(self) -> str | None:
        """The token the services wrote with their consumer groups (None: Redis lost it, not yet restored)."""
        found = self.r.get(epoch_key(self.s.stream_prefix))
        return _text(found) if found is not None else None

    def dlq(self, stream: str | None = None) -> list[dict[str, Any]]:
        rows = []
        for dlq in [f"{stream}.dlq"] if stream else self.dlq_streams():
            for entry_id, fields in self.r.xrange(dlq):
                rows.append({"dlq": dlq, "id": _text(entry_id), **decode(fields)})
        return rows

    def dlq_entry(self, dlq: str, entry_id: str) -> dict[str, Any] | None:
        if not is_entry_id(entry_id):
            return None
        found = self.r.xrange(dlq, min=entry_id, max=entry_id)
        return {"dlq": dlq, "id": entry_id, **decode(found[0][1])} if found else None

    def _record(self, action: str, entry: dict[str, Any], by: str) -> None:
        self.r.xadd(
            f"{self.s.stream_prefix}.ops",
            {"action": action, "by": by, "at": datetime.now(UTC).isoformat(), "entry": json.dumps(entry, default=str)},
        )

    def replay(self, dlq: str, entry_id: str, by: str = "cli") -> dict[str, Any]:
        """Put the event back on its stream with the same event_id: idempotent consumers still apply it once."""
        entry = self.dlq_entry(dlq, entry_id)
        if entry is None:
            raise DeadLetterNotFound(f"{dlq} {entry_id}")
        envelope = entry["envelope"]
        # raw JSON in __data__ is read by FastStream's parser like its own binary format (no top-level "data" key);
        # a dead letter that was never JSON (kept as text) goes back as the text it was
        data = envelope if isinstance(envelope, str) else json.dumps(envelope)
        try:
            body = json.loads(data)
        except ValueError:
            body = None
        new_id = self.r.xadd(entry["original_stream"], {"__data__": data})
        self.r.xdel(dlq, entry_id)
        self._record("replay", entry, by)
        event_id = body.get("event_id") if isinstance(body, dict) else None
        return {"replayed_to": entry["original_stream"], "id": _text(new_id), "event_id": event_id}

    def drop(self, dlq: str, entry_id: str, by: str = "cli") -> dict[str, Any]:
        entry = self.dlq_entry(dlq, entry_id)
        if entry is None:
            raise DeadLetterNotFound(f"{dlq} {entry_id}")
        self.r.xdel(dlq, entry_id)
        self._record("drop", entry, by)
        return {"dropped": entry_id}

    def trace(self, ident: str) -> list[dict[str, Any]]:
        """A submission's whole path: through the event index when the approval service keeps one (fast on any
        stream length), else by reading every stream (`trace_by_scan`)."""
        index = EventIndex(self.r, self.s.stream_prefix)
        if index.indexed():
            return index.trace(ident)
        return self.trace_by_scan(ident)

    def trace_by_scan(self, ident: str) -> list[dict[str, Any]]:
        """Every event whose correlation id, event id or payload names the id, in order, followed downstream
        by causation (a submission → its recap revisions → draft → decisions → final document)."""
        all_events = []
        for stream in self.streams():
            for entry_id, fields in self.r.xrange(stream):
                all_events.append({"stream": stream, "id": _text(entry_id), **decode(fields)})
        all_events.sort(key=lambda r: tuple(int(x) for x in r["id"].split("-")))
        related: set[str] = set()
        drafts: set[tuple[Any, Any]] = set()  # (draft_id, version) a traced event produced
        path = []
        for env in all_events:
            payload = env.get("payload") or {}
            draft = (payload.get("draft_id"), payload.get("version"))
            named = ident in (
                env.get("correlation_id"),
                env.get("event_id"),
                payload.get("submission_id"),
                payload.get("draft_id"),
                payload.get("document_id"),
            )
            if named or env.get("causation_id") in related or (draft[0] and draft in drafts):
                related.add(str(env.get("event_id")))
                if draft[0]:
                    drafts.add(draft)
                path.append(env)
        return path


def wait_seconds(seconds: float) -> None:  # pragma: no cover - used by `--follow`
    time.sleep(seconds)
