"""The operators' pages (role `operator`; any other role gets 403): the event log of every stream, newest first and
live over server-sent events, with filters; one event's full envelope; a trace; dead letters with replay and drop;
consumer groups with pending, oldest pending age and lag.

Pages read the streams directly (XREVRANGE/XRANGE); the filters and the trace go through the event index
(`shared.messaging.index`), which the `Indexer` started here keeps in the consumer group `indexer` on every stream.
Dead letters are one per consumer group that failed an event, and each row names its group; replay and drop are
`lapkin.ops.Ops.replay/drop`: a replay redelivers the event (same event_id) to that group only, through the group's
retry stream, and removes the row; a drop removes that row only; each action is recorded on `<prefix>.ops`, behind
the session's CSRF token.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from sqlmodel import Session

from services.approval.models import Official
from services.approval.web.errors import not_found_page
from services.approval.web.i18n import WIB
from services.approval.web.sessions import WebSession, csrf_ok
from services.approval.web.views import TEMPLATES, _current, _lang, _page, _to_login
from services.system import Ops
from shared import clock
from shared.messaging.index import FILTERS, INDEXER_GROUP, EventIndex, Indexer, decode, entry_time, is_entry_id, matches
from shared.messaging.ops import group_of, row_id
from shared.service import Runtime, RuntimeDep, SessionDep

LABELS: dict[str, dict[str, str]] = {
    "events": {"id": "Log peristiwa", "en": "Event log"},
    "trace": {"id": "Jejak", "en": "Trace"},
    "dlq": {"id": "Surat mati", "en": "Dead letters"},
    "groups": {"id": "Grup konsumen", "en": "Consumer groups"},
    "type": {"id": "Jenis peristiwa", "en": "Event type"},
    "service": {"id": "Layanan", "en": "Service"},
    "unit": {"id": "Unit", "en": "Unit"},
    "periode": {"id": "Periode", "en": "Period"},
    "corr": {"id": "ID korelasi", "en": "Correlation id"},
    "since": {"id": "Dari ({zone})", "en": "From ({zone})"},
    "until": {"id": "Sampai ({zone})", "en": "Until ({zone})"},
    "all": {"id": "semua", "en": "all"},
    "filter": {"id": "Saring", "en": "Filter"},
    "reset": {"id": "Hapus saringan", "en": "Clear filters"},
    "time": {"id": "Waktu", "en": "Time"},
    "zone": {"id": "{zone}", "en": "{zone}"},
    "about": {"id": "Tentang", "en": "About"},
    "envelope": {"id": "Amplop", "en": "Envelope"},
    "detail": {"id": "Rincian", "en": "Details"},
    "copy": {"id": "Salin", "en": "Copy"},
    "copied": {"id": "Tersalin", "en": "Copied"},
    "copy_corr": {"id": "Salin ID korelasi", "en": "Copy the correlation id"},
    "same_corr": {"id": "Peristiwa dengan ID korelasi ini", "en": "Events with this correlation id"},
    "older": {"id": "Lebih lama", "en": "Older"},
    "newest": {"id": "Terbaru", "en": "Newest"},
    "live": {"id": "Langsung: peristiwa baru muncul di atas", "en": "Live: new events appear at the top"},
    "none": {"id": "Tidak ada peristiwa.", "en": "No events."},
    "none_dlq": {"id": "Tidak ada surat mati.", "en": "No dead letters."},
    "trace_for": {
        "id": "ID pengajuan, draf, dokumen, peristiwa atau korelasi",
        "en": "Submission, draft, document, event or correlation id",
    },
    "show": {"id": "Tampilkan", "en": "Show"},
    "replay": {"id": "Kirim ulang", "en": "Replay"},
    "drop": {"id": "Buang", "en": "Drop"},
    "reason": {"id": "Alasan", "en": "Reason"},
    "last_error": {"id": "Galat terakhir", "en": "Last error"},
    "deliveries": {"id": "Pengiriman", "en": "Deliveries"},
    "failed_at": {"id": "Gagal pada", "en": "Failed at"},
    "stream": {"id": "Stream", "en": "Stream"},
    "group": {"id": "Grup", "en": "Group"},
    "length": {"id": "Panjang", "en": "Length"},
    "pending": {"id": "Tertunda", "en": "Pending"},
    "oldest": {
        "id": "Tertunda tertua (umur sejak entri ditulis)",
        "en": "Oldest pending (age since the entry was written)",
    },
    "lag": {"id": "Tertinggal", "en": "Lag"},
    "consumers": {"id": "Konsumen", "en": "Consumers"},
    "replayed": {
        "id": "Peristiwa dikirim ulang hanya ke grup konsumen {group}, dengan event_id yang sama.",
        "en": "Event redelivered to consumer group {group} only, with the same event_id.",
    },
    "dlq_about": {
        "id": "Setiap grup konsumen yang gagal memproses sebuah peristiwa mencatat surat matinya sendiri. "
        "Kirim ulang mengirim peristiwa hanya ke grup pada baris itu; Buang menghapus baris itu saja.",
        "en": "Each consumer group that failed an event keeps its own dead letter. Replay redelivers the event to "
        "the group on that row only; Drop removes that row only.",
    },
    "event_id": {"id": "ID peristiwa", "en": "Event id"},
    "row": {"id": "Baris", "en": "Row"},
    "dropped": {"id": "Surat mati dibuang (tercatat).", "en": "Dead letter dropped (recorded)."},
    "gone": {"id": "Surat mati itu sudah tidak ada.", "en": "That dead letter is gone."},
    "csrf": {"id": "Formulir kedaluwarsa; muat ulang halaman.", "en": "The form expired; reload the page."},
    "forbidden": {"id": "Halaman ini hanya untuk operator.", "en": "This page is for operators only."},
    "recorded": {"id": "Tindakan tercatat", "en": "Recorded actions"},
    "by": {"id": "Oleh", "en": "By"},
    "confirm_drop": {"id": "Ya, buang surat mati ini", "en": "Yes, drop this dead letter"},
    "drop_unconfirmed": {
        "id": "Surat mati tidak dibuang: centang “Ya, buang surat mati ini” di barisnya, lalu tekan Buang.",
        "en": "The dead letter was not dropped: tick “Yes, drop this dead letter” on its row, then press Drop.",
    },
    "action": {"id": "Tindakan", "en": "Action"},
}


def _l(lang: str) -> Any:
    def label(key: str) -> str:
        return LABELS.get(key, {}).get(lang, key).replace("{zone}", clock.zone_label())

    return label


# ---- the indexer runs with the service ------------------------------------------------------------------------


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    rt: Runtime = app.state.rt
    indexer = Indexer(rt.redis, rt.settings.stream_prefix, reclaim_idle_ms=rt.settings.reclaim_idle_ms)
    rt.state["indexer"] = indexer
    rt.state.setdefault("groups", []).append((indexer.streams, INDEXER_GROUP))  # in /metrics and /healthz
    await indexer.ensure_groups()
    indexer.start()
    try:
        yield
    finally:
        await indexer.stop()
        client = rt.state.pop("ops_redis", None)
        if client is not None:
            client.close()


router = APIRouter(include_in_schema=False, lifespan=_lifespan)


def _sync_redis(rt: Runtime) -> Any:
    client = rt.state.get("ops_redis")
    if client is None:
        client = rt.state["ops_redis"] = SyncRedis.from_url(rt.settings.redis_url)
    return client


def _index(rt: Runtime) -> EventIndex:
    return EventIndex(_sync_redis(rt), rt.settings.stream_prefix)


def _ops(rt: Runtime) -> Ops:
    return Ops(rt.settings, _sync_redis(rt))


# ---- access ---------------------------------------------------------------------------------------------------


def _operator(request: Request, db: Any) -> tuple[WebSession, Official] | Response:
    ws, official = _current(request, db)
    if official is None:
        return _to_login(ws)
    if official.role != "operator":
        lang = _lang(request)
        return _page(
            request,
            "error.html",
            ws,
            {"message": LABELS["forbidden"][lang], "back": "/kotak-masuk"},
            official=official,
            status=403,
        )
    return ws, official


def _render(request: Request, name: str, ws: WebSession, official: Official, ctx: dict[str, Any]) -> Response:
    lang = _lang(request)
    return _page(request, name, ws, {"L": _l(lang), "section": name, **ctx}, official=official)


# ---- rows -----------------------------------------------------------------------------------------------------


def _when(entry_id: str) -> str:
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


def _about(payload: dict[str, Any]) -> str:
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


def row_view(row: dict[str, Any], *, full: bool = False) -> dict[str, Any]:
    """What a page shows of an event: the list's row (a summary), and with `full` the whole envelope (its own page
    only)."""
    payload = row.get("payload") if isinstance(row.get("payload"), dict) else {}
    assert isinstance(payload, dict)
    view = {
        "stream": row["stream"],
        "id": row["id"],
        "when": _when(row["id"]),
        "producer": row.get("producer") or row["stream"].rsplit(".", 1)[-1],
        "type": row.get("type", "?"),
        "about": _about(payload),
        "correlation_id": str(row.get("correlation_id") or ""),
        "event_id": str(row.get("event_id") or ""),
    }
    if full:
        envelope = {k: v for k, v in row.items() if k not in ("stream", "id")}
        view["envelope"] = json.dumps(envelope, indent=2, ensure_ascii=False, default=str)
    return view


def _row_html(row: dict[str, Any], lang: str) -> str:
    return TEMPLATES.get_template("operator_row.html").render(r=row_view(row), L=_l(lang))


def _parse_local(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=WIB)


def _filters(request: Request) -> dict[str, str]:
    q = request.query_params
    return {name: q.get(name, "").strip() for name in FILTERS if q.get(name, "").strip()}


# ---- pages ----------------------------------------------------------------------------------------------------


@router.get("/operator")
def operator_home() -> Response:
    return RedirectResponse("/operator/peristiwa", status_code=303)


@router.get("/operator/peristiwa")
def events_page(request: Request, db: SessionDep, rt: RuntimeDep, before: str | None = None) -> Response:
    who = _operator(request, db)
    if isinstance(who, Response):
        return who
    ws, official = who
    index = _index(rt)
    filters = _filters(request)
    since, until = _parse_local(request.query_params.get("since")), _parse_local(request.query_params.get("until"))
    page = index.page(filters, limit=50, before=before, since=since, until=until)
    newest = index.newest_ids()
    after = max(newest.values(), key=lambda i: tuple(int(x) for x in i.split("-")))
    kept = {**filters, **{k: request.query_params[k] for k in ("since", "until") if request.query_params.get(k)}}
    return _render(
        request,
        "operator_events.html",
        ws,
        official,
        {
            "rows": [row_view(r) for r in page.rows],
            "filters": filters,
            "since": request.query_params.get("since", ""),
            "until": request.query_params.get("until", ""),
            "choices": {name: index.values(name) for name in ("type", "service", "unit", "periode")},
            "older": f"/operator/peristiwa?{urlencode({**kept, 'before': page.next_before})}"
            if page.next_before
            else None,
            "paged": bool(before),
            "live": f"/operator/peristiwa/langsung?{urlencode({**filters, 'after': after})}"
            if not before and not until
            else None,
        },
    )


@router.get("/operator/peristiwa/langsung")
async def events_live(request: Request, rt: RuntimeDep, after: str | None = None) -> Response:
    """Server-sent events: each new entry of any stream that passes the filters, as a rendered table row."""

    def check() -> tuple[WebSession, Official] | Response:
        with Session(rt.engine) as db:  # closed before streaming: a session held open would hold SQLite's lock
            return _operator(request, db)

    who = await asyncio.to_thread(check)
    if isinstance(who, Response):
        return Response(status_code=403 if who.status_code == 403 else 401)
    filters = _filters(request)
    lang = _lang(request)
    start = request.headers.get("last-event-id") or after
    start = start if is_entry_id(start) else None  # anything else: from the newest entry on
    streams = EventIndex(None, rt.settings.stream_prefix).streams()

    async def feed() -> AsyncIterator[str]:
        client: Any = Redis.from_url(rt.settings.redis_url)  # its own connection: XREAD blocks
        try:
            last: dict[Any, Any] = {}
            for s in streams:
                if start:
                    last[s] = start
                else:
                    top = await client.xrevrange(s, count=1)
                    last[s] = top[0][0].decode() if top else "0-0"
            yield "retry: 2000\n\n"
            while True:
                result = await client.xread(last, count=200, block=1000)
                if not result:
                    yield ": keep-alive\n\n"
                    continue
                rows = []
                for stream, entries in result:
                    name = stream.decode() if isinstance(stream, bytes) else stream
                    for entry_id, fields in entries:
                        eid = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                        last[name] = eid
                        env = decode(fields)
                        if matches(env, name, filters):
                            rows.append({"stream": name, "id": eid, **env})
                rows.sort(key=lambda r: tuple(int(x) for x in r["id"].split("-")))
                for r in rows:
                    data = json.dumps({"id": r["id"], "html": _row_html(r, lang)})
                    yield f"id: {r['id']}\nevent: peristiwa\ndata: {data}\n\n"
        finally:
            await client.aclose()

    return StreamingResponse(
        feed(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.get("/operator/peristiwa/{stream}/{entry_id}")
def event_page(stream: str, entry_id: str, request: Request, db: SessionDep, rt: RuntimeDep) -> Response:
    who = _operator(request, db)
    if isinstance(who, Response):
        return who
    ws, official = who
    index = _index(rt)
    row = index.entry(stream, entry_id) if stream in index.streams() else None
    if row is None:  # the app's not-found page, with the way back to the log
        return not_found_page(request)
    return _render(request, "operator_event.html", ws, official, {"r": row_view(row, full=True)})


@router.get("/operator/jejak")
def trace_page(request: Request, db: SessionDep, rt: RuntimeDep, id: str = "") -> Response:
    who = _operator(request, db)
    if isinstance(who, Response):
        return who
    ws, official = who
    ident = id.strip()
    rows = [row_view(r) for r in _index(rt).trace(ident)] if ident else []
    first = entry_time(rows[0]["id"]) if rows else None
    for r in rows:
        assert first is not None
        r["after"] = _since(entry_time(r["id"]) - first)
    return _render(request, "operator_trace.html", ws, official, {"ident": ident, "rows": rows})


def _since(delta: timedelta) -> str:
    s = delta.total_seconds()
    return f"+{s:.3f} s" if s < 60 else f"+{int(s // 60)} min {s % 60:.0f} s"


@router.get("/operator/surat-mati")
def dlq_page(request: Request, db: SessionDep, rt: RuntimeDep) -> Response:
    who = _operator(request, db)
    if isinstance(who, Response):
        return who
    ws, official = who
    ops = _ops(rt)
    rows = []
    for d in ops.dlq():
        env = d.get("envelope")
        body = env if isinstance(env, dict) else _loads(env)
        rows.append(
            {
                **d,
                "when": _when(d["id"]),
                "group": d.get("group") or "?",
                "service": d.get("service") or d.get("group") or "?",
                "type": body.get("type", "?") if isinstance(body, dict) else "?",
                "event_id": body.get("event_id", "") if isinstance(body, dict) else "",
                "envelope": json.dumps(body, indent=2, ensure_ascii=False, default=str),
                "reason_short": _short(" — ".join(str(x) for x in (d.get("dead_reason"), d.get("last_error")) if x)),
            }
        )
    recorded = []
    for entry_id, fields in _sync_redis(rt).xrevrange(f"{rt.settings.stream_prefix}.ops", count=20):
        f = {k.decode(): v.decode() for k, v in fields.items()}
        letter = _loads(f.get("entry"))
        letter = letter if isinstance(letter, dict) else {}
        recorded.append(
            {
                "id": entry_id.decode(),
                **f,
                "when": _when(entry_id.decode()),
                "group": group_of(letter) or "",
                "row": letter.get("row") or (row_id(letter["dlq"], letter["id"]) if "dlq" in letter else ""),
            }
        )
    result = request.query_params.get("hasil")
    group = request.query_params.get("grup", "")
    group = group if re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", group) else "?"  # a name, never text from a link
    message = LABELS[result][_lang(request)].replace("{group}", group) if result in RESULTS else None
    return _render(
        request,
        "operator_dlq.html",
        ws,
        official,
        {"rows": rows, "recorded": recorded, "result": result if result in RESULTS else None, "message": message},
    )


RESULTS = ("replayed", "dropped", "gone")


def _short(reason: str, limit: int = 90) -> str:
    """A dead letter's reason on its row: the first line, cut short (the whole reason is in the row's details)."""
    first = reason.strip().splitlines()[0] if reason.strip() else ""
    return first if len(first) <= limit else first[: limit - 1] + "…"


def _loads(value: Any) -> Any:
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return {"raw": value}


@router.post("/operator/surat-mati/{action}")
def dlq_action(
    action: str,
    request: Request,
    db: SessionDep,
    rt: RuntimeDep,
    dlq: str = Form(""),
    entry: str = Form(""),
    csrf: str | None = Form(None),
    yakin: str = Form(""),
) -> Response:
    who = _operator(request, db)
    if isinstance(who, Response):
        return who
    ws, official = who
    if action not in ("kirim-ulang", "buang"):
        return Response(status_code=404)
    lang = _lang(request)
    if not csrf_ok(ws, csrf):
        return _page(
            request,
            "error.html",
            ws,
            {"message": LABELS["csrf"][lang], "back": "/operator/surat-mati"},
            official=official,
            status=403,
        )
    if action == "buang" and yakin != "ya":  # a drop is for good: only with its row's confirmation ticked
        return _page(
            request,
            "error.html",
            ws,
            {"message": LABELS["drop_unconfirmed"][lang], "back": "/operator/surat-mati"},
            official=official,
            status=400,
        )
    ops = _ops(rt)
    if dlq not in ops.dlq_streams():
        return Response(status_code=404)
    by = f"web:{official.username}"
    try:
        if action == "kirim-ulang":
            done = ops.replay(dlq, entry, by=by)
        else:
            done = ops.drop(dlq, entry, by=by)
    except KeyError:  # replayed or dropped already (a second click, another operator): nothing happens again
        return RedirectResponse("/operator/surat-mati?hasil=gone", status_code=303)
    result = "replayed" if action == "kirim-ulang" else "dropped"
    query = urlencode({"hasil": result, "grup": done.get("group") or ""})
    return RedirectResponse(f"/operator/surat-mati?{query}", status_code=303)


@router.get("/operator/grup")
def groups_page(request: Request, db: SessionDep, rt: RuntimeDep) -> Response:
    who = _operator(request, db)
    if isinstance(who, Response):
        return who
    ws, official = who
    rows = _ops(rt).status()
    for r in rows:
        for g in r["groups"]:
            s = g["oldest_pending_s"]
            g["oldest"] = "" if s is None else (f"{s:.1f} s" if s < 120 else f"{s / 60:.0f} min")
            g["stuck"] = s is not None and s > 3 * rt.settings.reclaim_idle_ms / 1000
    return _render(request, "operator_groups.html", ws, official, {"rows": rows})
