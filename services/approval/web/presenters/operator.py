"""What the operator console shows of an event, a dead letter and a consumer group: a row's short summary (never
the whole payload), the full envelope on its own page, times in the office's zone."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, NotRequired, TypedDict, cast

from services.approval.web.i18n import WIB
from shared import clock
from shared.i18n import operator_text
from shared.messaging.entries import DeadLetterRow as StoredDeadLetter
from shared.messaging.entries import EventRow as StoredEvent
from shared.messaging.index import entry_time
from shared.messaging.ops import GroupStatus, StreamStatus
from shared.tracing import trace_id_of


def labels(lang: str) -> Callable[[str], str]:
    """The console's texts in `lang`, for the templates (`L(key)`), with the office's zone named."""

    def label(key: str) -> str:
        return operator_text(key, lang).replace("{zone}", clock.zone_label())

    return label


def when(entry_id: str) -> str:
    return entry_time(entry_id).astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S")


ABOUT_KEYS = (
    "tahun",
    "periode",
    "triwulan",
    "bulan",
    "unit",
    "revision",
    "status",
    "draft_id",
    "version",
    "document_id",
)
ABOUT_VALUE_MAX = 40  # characters of one value in a row's summary


class EventRow(TypedDict):
    """An event as a page lists it: where and when, who produced it, its type, a short summary (`about`) and its
    ids; its own page adds the whole envelope, the trace the time since the first event (`after`)."""

    stream: str
    id: str
    when: str
    producer: str
    type: str
    about: str
    correlation_id: str
    event_id: str
    trace_id: str  # the OpenTelemetry trace the event belongs to ("" when it was made without tracing)
    envelope: NotRequired[str]
    after: NotRequired[str]


class DeadLetterRow(TypedDict):
    """A dead letter as its page lists it: the letter's own fields (shared.messaging.ops.Ops.dlq: its stream `dlq`,
    its `row` id, why it died, ...) with the event's type and id, the envelope as text and the reason cut short."""

    id: str
    dlq: str
    row: str
    when: str
    group: str
    service: str
    type: str
    event_id: str
    envelope: str
    reason_short: str


def _about(payload: Mapping[str, object]) -> str:
    """A row's short summary: a few identifying fields of the payload, each value cut short. Never the payload
    itself: a RekapCompleted carries the whole recap, and the log lists fifty of them."""
    parts = []
    for k in ABOUT_KEYS:
        value = payload.get(k)
        if value in (None, "") or isinstance(value, dict | list):
            continue
        text = str(value)
        parts.append(f"{k}={text if len(text) <= ABOUT_VALUE_MAX else text[: ABOUT_VALUE_MAX - 1] + '…'}")
    return " ".join(parts)


def row_view(row: StoredEvent, *, full: bool = False) -> EventRow:
    """What a page shows of an event: the list's row (a summary), and with `full` the whole envelope (its own page
    only)."""
    payload = row.get("payload") if isinstance(row.get("payload"), dict) else {}
    assert isinstance(payload, dict)
    view: EventRow = {
        "stream": row["stream"],
        "id": row["id"],
        "when": when(row["id"]),
        "producer": row.get("producer") or row["stream"].rsplit(".", 1)[-1],
        "type": row.get("type", "?"),
        "about": _about(payload),
        "correlation_id": str(row.get("correlation_id") or ""),
        "event_id": str(row.get("event_id") or ""),
        "trace_id": trace_id_of(row.get("traceparent")) or "",
    }
    if full:
        envelope = {k: v for k, v in row.items() if k not in ("stream", "id")}
        view["envelope"] = json.dumps(envelope, indent=2, ensure_ascii=False, default=str)
    return view


def since(delta: timedelta) -> str:
    s = delta.total_seconds()
    return f"+{s:.3f} s" if s < 60 else f"+{int(s // 60)} min {s % 60:.0f} s"


def dlq_row(d: StoredDeadLetter) -> DeadLetterRow:
    """A dead letter's row: its group, the event's type and id, the envelope and the reason cut short."""
    env = d.get("envelope")
    body = env if isinstance(env, dict) else loads(env)
    return cast(
        DeadLetterRow,
        {
            **d,
            "when": when(d["id"]),
            "group": d.get("group") or "?",
            "service": d.get("service") or d.get("group") or "?",
            "type": body.get("type", "?") if isinstance(body, dict) else "?",
            "event_id": body.get("event_id", "") if isinstance(body, dict) else "",
            "envelope": json.dumps(body, indent=2, ensure_ascii=False, default=str),
            "reason_short": short(" — ".join(str(x) for x in (d.get("dead_reason"), d.get("last_error")) if x)),
        },
    )


def group_rows(rows: list[StreamStatus], reclaim_idle_ms: int) -> list[dict[str, Any]]:
    """Each consumer group's oldest pending age as read ("12.5 s", "3 min"), and whether it looks stuck."""

    def group(g: GroupStatus) -> dict[str, Any]:
        s = g["oldest_pending_s"]
        oldest = "" if s is None else (f"{s:.1f} s" if s < 120 else f"{s / 60:.0f} min")
        return {**g, "oldest": oldest, "stuck": s is not None and s > 3 * reclaim_idle_ms / 1000}

    return [{**r, "groups": [group(g) for g in r["groups"]]} for r in rows]


def short(reason: str, limit: int = 90) -> str:
    """A dead letter's reason on its row: the first line, cut short (the whole reason is in the row's details)."""
    first = reason.strip().splitlines()[0] if reason.strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def loads(value: Any) -> Any:
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return {"raw": value}
