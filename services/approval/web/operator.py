"""The operators' pages (role `operator`; any other role gets 403): the event log of every stream, newest first and
live over server-sent events, with filters; one event's full envelope; a trace; dead letters with replay and drop;
consumer groups with pending, oldest pending age and lag.

Pages read the streams directly (XREVRANGE/XRANGE); the filters and the trace go through the event index
(`shared.messaging.index`), which the `Indexer` started here keeps in the consumer group `indexer` on every stream.
Dead letters are one per consumer group that failed an event, and each row names its group; replay and drop are
`services.operations.Ops.replay/drop`: a replay redelivers the event (same event_id) to that group only, through the
group's retry stream, and removes the row; a drop removes that row only; each action is recorded on
`<prefix>.ops`, behind the session's CSRF token.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from sqlmodel import Session

import services.approval.web.deps as deps
import services.approval.web.rendering as rendering
from services.approval.web.deps import CsrfValid, CurrentOperator, Viewer
from services.approval.web.errors import not_found_page
from services.approval.web.i18n import WIB
from services.approval.web.presenters.operator import (
    dlq_row,
    group_rows,
    labels,
    loads,
    row_view,
    since,
    when,
)
from services.approval.web.rendering import TEMPLATES
from services.operations import Ops
from shared.i18n import operator_text
from shared.messaging.entries import EventRow
from shared.messaging.index import (
    FILTERS,
    INDEXER_GROUP,
    EventIndex,
    Indexer,
    entry_time,
    event_row,
    is_entry_id,
    matches,
)
from shared.messaging.ops import Dropped, Replayed, group_of, row_id
from shared.service import Runtime, RuntimeDep

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


# ---- access and pages -----------------------------------------------------------------------------------------


def _render(request: Request, name: str, viewer: Viewer, ctx: Mapping[str, object]) -> Response:
    ctx = {"L": labels(viewer.lang), "section": name, **ctx}
    return rendering.page(request, name, viewer.ws, ctx, official=viewer.official)


def _row_html(row: EventRow, lang: str) -> str:
    return TEMPLATES.get_template("operator_row.html").render(r=row_view(row), L=labels(lang))


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


@router.get("/operator")
def operator_home() -> Response:
    return RedirectResponse("/operator/peristiwa", status_code=303)


@router.get("/operator/peristiwa")
def events_page(request: Request, rt: RuntimeDep, viewer: CurrentOperator, before: str | None = None) -> Response:
    index = _index(rt)
    filters = _filters(request)
    since_at, until = _parse_local(request.query_params.get("since")), _parse_local(request.query_params.get("until"))
    page = index.page(filters, limit=50, before=before, since=since_at, until=until)
    newest = index.newest_ids()
    after = max(newest.values(), key=lambda i: tuple(int(x) for x in i.split("-")))
    kept = {**filters, **{k: request.query_params[k] for k in ("since", "until") if request.query_params.get(k)}}
    return _render(
        request,
        "operator_events.html",
        viewer,
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
    """Server-sent events: each new entry of any stream that passes the filters, as a rendered table row. Who asks
    is looked up in a worker thread, its database session closed before streaming (a session held open would hold
    SQLite's lock); not logged in: 401, not an operator: 403."""

    def check() -> int | None:
        with Session(rt.engine) as db:
            _, official = deps.current(request, db)
        if official is None:
            return 401
        return 403 if official.role != "operator" else None

    refused = await asyncio.to_thread(check)
    if refused is not None:
        return Response(status_code=refused)
    filters = _filters(request)
    lang = rendering.lang(request)
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
                        row = event_row(name, eid, fields)
                        if matches(row, name, filters):
                            rows.append(row)
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
def event_page(stream: str, entry_id: str, request: Request, rt: RuntimeDep, viewer: CurrentOperator) -> Response:
    index = _index(rt)
    row = index.entry(stream, entry_id) if stream in index.streams() else None
    if row is None:  # the app's not-found page, with the way back to the log
        return not_found_page(request)
    return _render(request, "operator_event.html", viewer, {"r": row_view(row, full=True)})


@router.get("/operator/jejak")
def trace_page(request: Request, rt: RuntimeDep, viewer: CurrentOperator, id: str = "") -> Response:
    ident = id.strip()
    rows = [row_view(r) for r in _index(rt).trace(ident)] if ident else []
    first = entry_time(rows[0]["id"]) if rows else None
    for r in rows:
        assert first is not None
        r["after"] = since(entry_time(r["id"]) - first)
    # each row names the OpenTelemetry trace its event belongs to (with tracing on), to look that step up in
    # Jaeger/Tempo: one piece of work may span several traces (a recap coalesces reports of other traces)
    return _render(request, "operator_trace.html", viewer, {"ident": ident, "rows": rows})


@router.get("/operator/surat-mati")
def dlq_page(request: Request, rt: RuntimeDep, viewer: CurrentOperator) -> Response:
    rows = [dlq_row(d) for d in _ops(rt).dlq()]
    recorded = []
    for entry_id, fields in _sync_redis(rt).xrevrange(f"{rt.settings.stream_prefix}.ops", count=20):
        f = {k.decode(): v.decode() for k, v in fields.items()}
        letter = loads(f.get("entry"))
        letter = letter if isinstance(letter, dict) else {}
        recorded.append(
            {
                "id": entry_id.decode(),
                **f,
                "when": when(entry_id.decode()),
                "group": group_of(letter) or "",
                "row": letter.get("row") or (row_id(letter["dlq"], letter["id"]) if "dlq" in letter else ""),
            }
        )
    result = request.query_params.get("hasil")
    group = request.query_params.get("grup", "")
    group = group if re.fullmatch(r"[a-z][a-z0-9_-]{0,39}", group) else "?"  # a name, never text from a link
    message = operator_text(result, viewer.lang).replace("{group}", group) if result in RESULTS else None
    return _render(
        request,
        "operator_dlq.html",
        viewer,
        {"rows": rows, "recorded": recorded, "result": result if result in RESULTS else None, "message": message},
    )


RESULTS = ("replayed", "dropped", "gone")


@router.post("/operator/surat-mati/{action}")
def dlq_action(
    action: str,
    request: Request,
    rt: RuntimeDep,
    viewer: CurrentOperator,
    csrf_valid: CsrfValid,
    dlq: str = Form(""),
    entry: str = Form(""),
    yakin: str = Form(""),
) -> Response:
    if action not in ("kirim-ulang", "buang"):
        return Response(status_code=404)
    if not csrf_valid:
        return rendering.refused(
            request, viewer.ws, viewer.official, operator_text("csrf", viewer.lang), "/operator/surat-mati", 403
        )
    if action == "buang" and yakin != "ya":  # a drop is for good: only with its row's confirmation ticked
        return rendering.refused(
            request,
            viewer.ws,
            viewer.official,
            operator_text("drop_unconfirmed", viewer.lang),
            "/operator/surat-mati",
            400,
        )
    ops = _ops(rt)
    if dlq not in ops.dlq_streams():
        return Response(status_code=404)
    by = f"web:{viewer.official.username}"
    done: Replayed | Dropped
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
def groups_page(request: Request, rt: RuntimeDep, viewer: CurrentOperator) -> Response:
    rows = group_rows(_ops(rt).status(), rt.settings.reclaim_idle_ms)
    return _render(request, "operator_groups.html", viewer, {"rows": rows})
