"""The composition root every service shares: engine, Redis, broker, consumer groups, outbox relay,
health, body-size limit and auth dependencies. Each service's `main.py` calls `build_app`."""

from __future__ import annotations

import asyncio
import hmac
import inspect
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import Engine, Table, text
from sqlalchemy import exc as sa_exc
from sqlmodel import Session
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from shared import clock, revocation, strictjson
from shared.config import Settings, get_settings
from shared.contract import document_bodies
from shared.db import database_unavailable, make_engine
from shared.errors import (
    ADMIN_ONLY,
    UNAUTHORIZED,
    UNIT_KEY_NOT_ALLOWED,
    api_error,
    error_body,
    install_error_handlers,
)
from shared.events.envelope import Envelope, new_envelope
from shared.inputguard import (
    MAX_ROW_ID,
    InFlightLimit,
    InputGuard,
    LastResort,
    check_json,
    checked_as_json,
    refusal,
)
from shared.messaging.guard import RECOVERY_REASONS, Guard
from shared.messaging.outbox import Relay, add_to_outbox
from shared.messaging.streams import (
    EventConsumer,
    Handler,
    ensure_groups,
    make_broker,
    make_redis,
    publish_envelopes,
)
from shared.migrate import upgrade
from shared.observability import (
    PROMETHEUS_CONTENT_TYPE,
    GroupState,
    HttpObservability,
    Metrics,
    configure_logging,
    correlation_id_var,
    group_states,
    reconcile_key,
)
from shared.private import tighten
from shared.s3 import S3Error
from shared.security import API_KEY_PREFIX, bearer_token, configure_hashing_from, read_token
from shared.slots import Busy
from shared.storage import probe_store
from shared.strictjson import JsonObject
from shared.tasks import STOP_TIMEOUT_S, bounded, stop_task
from shared.tracing import end_span, instrument_app, make_provider, start_publish_span

log = logging.getLogger("lapkin.service")
WORKER_THREADS = 160
MAX_REQUESTS_IN_FLIGHT = 128  # InFlightLimit: beyond it, 503 with the error body and Retry-After instead of a queue
MAX_IN_FLIGHT_PER_CREDENTIAL = MAX_REQUESTS_IN_FLIGHT // 4  # of them, with one Authorization header: beyond, a 429
MAX_IN_FLIGHT_PER_ADDRESS = MAX_REQUESTS_IN_FLIGHT // 4  # and from one client address (not the trusted proxies')
# No uvicorn --limit-concurrency: it counts open connections, half-sent and idle ones too, and 600 idle connections
# made it answer its plain-text 503 to everyone; shared/httphead.py bounds connections per address instead.
DATABASE_RETRY_AFTER_S = 5  # what a 503 for an unreachable database tells the client to wait


@dataclass
class Runtime:
    """What a running service holds; reachable from routes as `request.app.state.rt`."""

    service: str
    settings: Settings
    engine: Engine
    handlers: dict[str, Handler] = field(default_factory=dict)
    consumes: Sequence[str] = ()  # producing services whose streams this one reads
    redis: Any = None
    broker: Any = None
    relay: Relay | None = None
    consumer: EventConsumer | None = None
    guard: Guard | None = None
    state: dict[str, Any] = field(default_factory=dict)
    read_engine: Engine | None = None  # set by build_app; falls back to `engine`
    metrics: Metrics = field(default_factory=lambda: Metrics("?"))
    background: list[asyncio.Task[Any]] = field(default_factory=list)  # a service's own clocks, cancelled at stop
    after_commit: list[Callable[[], None]] = field(default_factory=list)  # more to wake than the relay (thread-safe)
    tracer_provider: Any = None  # shared/tracing.py: this app's TracerProvider when tracing is on, else None
    tracer: Any = None  # its Tracer; None (tracing off) makes every span helper a no-op
    keeps_files: bool = False  # it stores files (shared.storage): /healthz also asks an S3 file store

    def __post_init__(self) -> None:
        if self.metrics.service == "?":
            self.metrics = Metrics(self.service)

    @property
    def stream(self) -> str:
        return self.settings.stream(self.service)

    @property
    def streams_in(self) -> list[str]:
        return [self.settings.stream(s) for s in self.consumes]

    @property
    def streams_read(self) -> list[str]:
        """What this service's consumer group reads: `streams_in` and its retry stream (operators' replays of its
        dead letters, `EventConsumer.read_streams`)."""
        return [*self.streams_in, self.settings.retry_stream(self.service)]

    def emit(
        self,
        session: Session,
        type_: str,
        payload: BaseModel | JsonObject,
        *,
        correlation_id: str | None = None,
        causation: Envelope | None = None,
        causation_id: str | None = None,
        traceparent: str | None = None,
    ) -> Envelope:
        """Add an event to this service's outbox, in the caller's transaction. Without a causing event or an explicit
        id it carries the current correlation id (the HTTP request's `X-Correlation-Id`, or the handled event's).
        `causation_id` names a causing event handled earlier (work a handler left for later), `traceparent` the
        trace that work belongs to (shared/tracing.py; by default the active span's)."""
        if correlation_id is None and causation is None:
            correlation_id = correlation_id_var.get()
        env = new_envelope(
            type_,
            payload,
            producer=self.service,
            correlation_id=correlation_id,
            causation=causation,
            causation_id=causation_id,
            traceparent=traceparent,
        )
        add_to_outbox(session, self.stream, env)
        return env

    def committed(self) -> None:
        """Call after a commit that emitted events: the relay publishes now instead of at its next poll (and any
        `after_commit` hook runs: e.g. a service's own worker wakes). Safe from any thread."""
        if self.relay:
            self.relay.notify()
        for hook in self.after_commit:
            hook()

    async def start(self) -> None:
        self.metrics.start_at_zero(RECOVERY_REASONS, self.streams_in if self.handlers else [], self.handlers)
        self.redis = make_redis(self.settings)
        self.broker = make_broker(self.settings)
        self.guard = Guard(
            redis=self.redis,
            engine=self.engine,
            read_engine=self.read_engine,
            prefix=self.settings.stream_prefix,
            stream=self.stream,
            groups=self.own_groups,
            ensure_groups=self.ensure_groups,
            retention=timedelta(days=self.settings.outbox_retention_days),
            interval_s=self.settings.redis_check_interval_s,
            stalled=lambda: self.consumer is not None and self.consumer.stalled(),
            on_recovered=self._recovered,
        )
        self.relay = Relay(
            self.engine,
            self._publish_batch,
            interval_s=self.settings.relay_interval_s,
            read_engine=self.read_engine,
            guard=self.guard,
        )
        if self.handlers:
            self.consumer = EventConsumer(
                broker=self.broker,
                settings=self.settings,
                engine=self.engine,
                service=self.service,
                handlers=self.handlers,
                streams=self.streams_in,
                after_commit=self.committed,
                metrics=self.metrics,
                redis=self.redis,
                tracer=self.tracer,
            )
            self.consumer.register()
        await self.guard.start()  # groups at id 0 before the broker starts (FastStream would create them at `$`)
        await self.broker.start()
        if self.consumer:
            self.consumer.started = True
        self.relay.start()

    def own_groups(self) -> list[tuple[list[str], str]]:
        """(streams, group) this process reads: its own group, and any other it runs (`state["groups"]`)."""
        own = [(self.streams_read, self.service)] if self.handlers else []
        return own + list(self.state.get("groups", []))

    async def ensure_groups(self) -> None:
        """Every group of `own_groups` at id 0 (existing ones untouched), then any subscriber FastStream stopped
        because its group had vanished is started again."""
        for streams, group in self.own_groups():
            await ensure_groups(self.redis, streams, group)
        if self.consumer:
            await self.consumer.restart_stopped()

    def _recovered(self, reason: str, republished: int) -> None:
        self.metrics.redis_recoveries.labels(reason).inc()
        self.metrics.republished.inc(republished)

    async def _publish_batch(self, rows: Sequence[Any]) -> list[Any]:
        """The relay's batch of outbox rows (stream, body, event_id, type) in one pipeline (publish_envelopes), each
        in a PRODUCER span of its envelope's trace when tracing is on; counted per stream and type once on Redis.
        Returns, per row in order, its entry id or the error its XADD got."""
        items = [(row.stream, json.loads(row.body), row.event_id, row.type) for row in rows]
        tracer = self.tracer
        spans = (
            [start_publish_span(tracer, body, stream, eid, type_) for stream, body, eid, type_ in items]
            if tracer
            else []
        )
        try:
            results = await publish_envelopes(self.redis, self.broker, items)
        except BaseException as exc:
            for span in spans:
                end_span(span, exc)
            raise
        published: Counter[tuple[str, str]] = Counter()
        for i, ((stream, _body, _eid, type_), result) in enumerate(zip(items, results, strict=True)):
            failed = result if isinstance(result, BaseException) else None
            if failed is None:
                published[stream, type_] += 1
            if spans:
                end_span(spans[i], failed)
        for (stream, type_), n in published.items():
            self.metrics.published.labels(stream, type_).inc(n)
        return results

    async def refresh_metrics(self) -> None:
        await _refresh_metrics(self)

    async def groups(self) -> list[GroupState]:
        """This service's consumer group on each stream it reads, and any other group it runs (`state["groups"]`:
        (streams, group) pairs, e.g. an event indexer's)."""
        out = await group_states(self.redis, self.streams_read, self.service) if self.handlers else []
        for streams, group in self.state.get("groups", []):
            out += await group_states(self.redis, streams, group)
        return out

    async def stop(self) -> None:
        # each step bounded: a shutdown must end even when Redis or the database stopped answering
        # (shared/tasks.py: never `wait_for`, which waits on a task that swallowed its cancellation for ever)
        for task in self.background:
            await stop_task(task, f"stopping {self.service}: {task.get_name()}", STOP_TIMEOUT_S)
        for name, step in (
            ("relay", self.relay.stop() if self.relay else None),
            ("broker", self.broker.stop() if self.broker else None),
            ("redis", self.redis.aclose() if self.redis else None),
        ):
            if step is not None:
                await bounded(step, f"stopping {self.service}: {name}", STOP_TIMEOUT_S)
        self.engine.dispose()
        if self.read_engine is not None and self.read_engine is not self.engine:
            self.read_engine.dispose()
        if self.tracer_provider is not None:  # the spans still batched go out (bounded: the OTLP endpoint may be away)
            await bounded(
                asyncio.to_thread(self.tracer_provider.shutdown), f"stopping {self.service}: traces", STOP_TIMEOUT_S
            )

    async def health(self) -> list[str]:
        problems: list[str] = []
        try:
            await asyncio.to_thread(_ping_db, self.engine)
        except Exception as exc:
            problems.append(f"database: {exc.__class__.__name__}")
        try:
            await self.redis.ping()
            if self.guard is not None:
                problems += await self.guard.problems()
            for state in await self.groups():
                problem = state.problem(self.settings.reclaim_idle_ms)
                if problem:
                    problems.append(problem)
        except Exception as exc:
            problems.append(f"redis: {exc.__class__.__name__}")
        if self.keeps_files and self.settings.file_store == "s3":  # `database`: the database pinged above
            wrong = await asyncio.to_thread(probe_store, self.settings)  # at most shared.s3.PROBE_TIMEOUT_S
            if wrong:
                problems.append(f"file store: {wrong}")
        return problems


async def _refresh_metrics(rt: Runtime) -> None:
    if rt.relay is not None:
        try:
            rt.metrics.outbox_backlog.set(await asyncio.to_thread(rt.relay.backlog))
        except Exception as exc:
            log.warning("metrics: outbox backlog: %s", exc)
    try:
        rt.metrics.update_groups(await rt.groups())
    except Exception as exc:
        log.warning("metrics: consumer groups: %s", exc)
    try:
        for stream in rt.streams_in:
            rt.metrics.dead_letters.labels(stream).set(await rt.redis.xlen(f"{stream}.dlq"))
    except Exception as exc:
        log.warning("metrics: dead letters: %s", exc)
    try:
        found = await rt.redis.get(reconcile_key(rt.settings.stream_prefix))
        rt.metrics.update_reconcile(json.loads(found) if found else None)
    except Exception as exc:
        rt.metrics.update_reconcile(None)  # unknown now: absent, not an old figure
        log.warning("metrics: reconciliation: %s", exc)


def _ping_db(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


# a row's integer key in a path: bounded as both databases store it (beyond, SQLite and PostgreSQL raise: a 500)
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and small form fields around an uploaded file


class BodySizeLimit:
    """413 for a JSON body over the limit, before it is read when Content-Length says so, else while it streams.
    A multipart body is an upload: it gets the upload limit plus room for the multipart framing (the route checks
    the file's own size against the exact limit)."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int) -> None:
        self.app, self.max_bytes, self.upload_max_bytes = app, max_bytes, upload_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        ctype = headers.get(b"content-type", b"").decode("latin-1").lower()
        limit = self.upload_max_bytes + MULTIPART_OVERHEAD if ctype.startswith("multipart/") else self.max_bytes
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _too_large(scope, receive, send)
            return
        seen, exceeded, started, replaced = 0, False, False, False

        async def limited_receive() -> Any:
            nonlocal seen, exceeded
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                exceeded = True
                raise _TooLarge
            return message

        async def guarded_send(message: Any) -> None:
            # FastAPI turns an exception while reading a Body()/Form() parameter into its own 400: once the limit is
            # passed, the app's answer (if it has not begun one already) is replaced by the 413
            nonlocal started, replaced
            if replaced:
                return
            if exceeded and not started:
                started = replaced = True
                await _too_large(scope, receive, send)
                return
            started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            if not started:
                await _too_large(scope, receive, send)


class _TooLarge(Exception):
    pass


DATABASE_UNAVAILABLE = api_error(
    503,
    None,
    "database_unavailable",
    "Basis data sedang tidak dapat dihubungi; permintaan tidak diterima. Kirim ulang sebentar lagi.",
    "The database cannot be reached right now; the request was not accepted. Send it again shortly.",
)
BUSY = api_error(
    503,
    None,
    "busy",
    "Terlalu banyak permintaan serupa sekaligus; coba lagi sebentar lagi.",
    "Too many such requests at once; try again shortly.",
)
BUSY_RETRY_AFTER_S = 1


NOT_STORABLE = api_error(
    422,
    None,
    "not_storable",
    "Permintaan memuat nilai yang tidak dapat disimpan (angka di luar rentang, atau teks yang tidak sah).",
    "The request holds a value that cannot be stored (a number out of range, or invalid text).",
)


def install_database_errors(app: FastAPI) -> None:
    """A request that fails because the database is away (`shared.db.database_unavailable`) is a 503 with the
    standard error body and Retry-After, not a 500. Its transaction did not commit (in the rare case the connection
    died during COMMIT itself the outcome is unknown), so the client sends it again: a resubmission of the same
    values makes no new revision, and an Idempotency-Key answers the first outcome. Other database errors stay 500s.
    The engine's pool_pre_ping (PostgreSQL) replaces the dead connections once the database is back. A value the
    database refuses to hold (sqlalchemy's DataError, SQLite's OverflowError) is a 422: the last line behind the
    checks that should have refused it first (`shared.inputguard`, `RowId`)."""

    async def handler(request: Request, exc: Exception) -> Response:
        if isinstance(exc, (sa_exc.DataError, OverflowError)):
            # a value the database cannot hold (a number out of its range, text it cannot store) that no check
            # before it caught: the caller's input, refused like any other; logged, as a check is missing
            log.warning("%s %s: refused by the database: %s", request.method, request.url.path, str(exc)[:300])
            return JSONResponse(error_body(NOT_STORABLE.errors), status_code=422)
        if not database_unavailable(exc):
            raise exc
        log.warning("%s %s: database unavailable: %s", request.method, request.url.path, exc.__class__.__name__)
        return JSONResponse(
            error_body(DATABASE_UNAVAILABLE.errors),
            status_code=503,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
        )

    app.add_exception_handler(sa_exc.DBAPIError, handler)
    app.add_exception_handler(sa_exc.TimeoutError, handler)
    app.add_exception_handler(OverflowError, handler)  # SQLite: an integer beyond 64 bits


FILE_STORE_UNAVAILABLE = api_error(
    503,
    None,
    "file_store_unavailable",
    "Penyimpanan berkas sedang tidak dapat dipakai; coba lagi sebentar lagi.",
    "The file store cannot be used right now; try again shortly.",
)


def install_file_store_errors(app: FastAPI) -> None:
    """An S3 store that cannot be reached or refuses the service (shared/s3.py S3Error: credentials, bucket, outage)
    is a 503 with Retry-After, logged with the status and S3's error code (never the secret), not a 500: the
    request's file was not kept or read, and the same request later succeeds."""

    async def handler(request: Request, exc: Exception) -> Response:
        log.error("%s %s: file store unavailable: %s", request.method, request.url.path, exc)
        return JSONResponse(
            error_body(FILE_STORE_UNAVAILABLE.errors),
            status_code=503,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
        )

    app.add_exception_handler(S3Error, handler)


def install_busy(app: FastAPI) -> None:
    async def busy(request: Request, exc: Exception) -> Response:
        # every slot for a costly job stayed taken (shared/slots.py): nothing was checked or changed
        return JSONResponse(error_body(BUSY.errors), status_code=503, headers={"Retry-After": str(BUSY_RETRY_AFTER_S)})

    app.add_exception_handler(Busy, busy)


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    """The error body; a service's web pages (`app.state.error_page`) answer with their own page."""
    err = api_error(
        413,
        "body",
        "too_large",
        "Isi permintaan melebihi batas ukuran.",
        "Request body exceeds the size limit.",
    )
    await refusal(scope, err)(scope, receive, send)


# FastAPI's own OpenTelemetry (its `telemetry=` argument, newer releases) off: the services trace through
# shared/tracing.py with a provider of their own. Left on, once a global provider is set (an operator's
# `opentelemetry-instrument`, FASTAPI_OTEL_AUTO_CONFIGURE=true) it draws a second server span for every request, and
# it asks the global providers and the environment on every request (≈ 4,6 µs each, timeit).
NO_NATIVE_TELEMETRY: dict[str, Any] = (
    {"telemetry": {"tracing": False, "metrics": False, "logs": False, "auto_configure": False}}
    if "telemetry" in inspect.signature(FastAPI.__init__).parameters
    else {}
)


def build_app(
    service: str,
    *,
    tables: Sequence[Table],
    routers: Sequence[APIRouter],
    handlers: dict[str, Handler] | Callable[[Runtime], dict[str, Handler]] | None = None,
    consumes: Sequence[str] = (),
    settings: Settings | None = None,
    title: str | None = None,
    on_start: Any = None,
    keeps_files: bool = False,
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(service)
    for change in tighten(settings.data_dir):  # an install made before its secrets and databases were private
        log.warning("data folder: %s", change)
    engine = make_engine(settings, service)
    read_engine = make_engine(settings, service, read_only=True) if engine.dialect.name == "sqlite" else engine
    configure_hashing_from(settings)  # argon2's costs and slots (shared/security.py)
    clock.configure(settings)  # the office's time zone for every date this service shows or prints
    upgrade(engine, service)  # the service's migrations (services/<service>/migrations); `tables` are what they make
    rt = Runtime(service, settings, engine, {}, consumes)
    rt.read_engine = read_engine
    rt.keeps_files = keeps_files
    rt.handlers = (handlers(rt) if callable(handlers) else handlers) or {}
    rt.tracer_provider = make_provider(service)  # None unless OTEL_EXPORTER_OTLP_ENDPOINT is set (shared/tracing.py)
    if rt.tracer_provider is not None:
        rt.tracer = rt.tracer_provider.get_tracer("lapkin")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # More worker threads than requests in flight (MAX_REQUESTS_IN_FLIGHT, InFlightLimit): a
        # request whose transaction is open between a dependency and its route always gets a thread to finish it,
        # so it can never wait on threads held by requests waiting for its database lock or connection.
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        await rt.start()
        if on_start:
            await on_start(rt)
        try:
            yield
        finally:
            await rt.stop()

    app = FastAPI(title=title or f"Lapkin {service}", version="1", lifespan=lifespan, **NO_NATIVE_TELEMETRY)
    app.state.rt = rt
    install_error_handlers(app)
    install_database_errors(app)
    app.add_middleware(InputGuard)  # innermost: no NUL, no deep JSON reaches a route (reads what the limit let in)
    install_busy(app)
    install_file_store_errors(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes, upload_max_bytes=settings.max_upload_bytes)
    app.add_middleware(LastResort)  # an unexpected exception: a 500 with the error body, logged
    # a flood: 503 busy, the error body; one caller's or one address's flood: 429 too_many_at_once
    app.add_middleware(
        InFlightLimit,
        limit=MAX_REQUESTS_IN_FLIGHT,
        per_credential=MAX_IN_FLIGHT_PER_CREDENTIAL,
        per_address=MAX_IN_FLIGHT_PER_ADDRESS,
    )
    app.add_middleware(
        HttpObservability, metrics=rt.metrics, traced=rt.tracer is not None
    )  # outermost: counts the 413s and 500s too
    if rt.tracer_provider is not None:  # around even that: a server span per request, the correlation id on it
        instrument_app(app, rt.tracer_provider)

    @app.get("/healthz", tags=["ops"], responses={503: {"description": "Not healthy: what is wrong, in `problems`"}})
    async def healthz() -> JSONResponse:
        problems = await rt.health()
        if problems:
            return JSONResponse({"status": "error", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    async def metrics() -> Response:
        await rt.refresh_metrics()
        return Response(rt.metrics.render(), media_type=PROMETHEUS_CONTENT_TYPE)

    for router in routers:
        app.include_router(router)
    document_bodies(app)  # the request models the routes name (shared.contract)
    serve_openapi_rendered_once(app)
    return app


def serve_openapi_rendered_once(app: FastAPI) -> None:
    """FastAPI serialises its OpenAPI document again for every request of it: 4,7 ms for a document of 127 KB, and
    a flood of such GETs from one address, without a key, made a report wait 11 s (the fifth outsider). The document
    does not change while the process runs: it is rendered once, as FastAPI renders it (with the first request's
    root path among its servers, as FastAPI keeps it), and its bytes are served after that."""
    rendered: list[bytes] = []

    async def openapi(request: Request) -> Response:
        if not rendered:
            root_path = request.scope.get("root_path", "").rstrip("/")
            if root_path and app.root_path_in_servers and root_path not in {s.get("url") for s in app.servers}:
                app.servers.insert(0, {"url": root_path})
            rendered.append(bytes(JSONResponse(app.openapi()).body))
        return Response(rendered[0], media_type="application/json")

    for i, route in enumerate(app.router.routes):
        if isinstance(route, Route) and route.path == app.openapi_url:
            app.router.routes[i] = Route(route.path, openapi, include_in_schema=False)


# ---- dependencies -------------------------------------------------------------------------------------------


async def json_body(request: Request) -> Any:
    """The request's JSON, read here rather than by FastAPI's `Body()`, which answers 400 (not the error body's 422)
    to a body that is not JSON or not UTF-8. Strict (shared.strictjson): a key twice in one object is a 422
    `duplicate_key`. Declare it after the caller's dependency: who you are is checked before what you sent. Pair it
    with `openapi_extra=shared.contract.json_body_of(Model)`: its OpenAPI documents the body's model."""
    raw = await request.body()
    if not raw.strip():
        raise api_error(422, "body", "required", "body: wajib diisi", "body: is required")
    # InputGuard looks into bodies sent as JSON; one sent as anything else (`curl -d` sends a form's type) is read
    # as JSON here all the same: the same refusals (NUL, a lone surrogate, too deep), never a 500 at the insert
    if not checked_as_json(request.scope):
        check_json(raw)
    try:
        return strictjson.loads(raw)
    except strictjson.StrictJsonError as exc:
        if exc.rule == "duplicate_key":  # read as its last value elsewhere: refused, never guessed
            raise api_error(
                422,
                "body",
                "duplicate_key",
                f"body: kunci JSON {exc.key!r} muncul lebih dari sekali dalam satu objek",
                f"body: the JSON key {exc.key!r} is given more than once in one object",
            ) from exc
        raise api_error(422, "body", "invalid_json", "body: JSON tidak valid", "body: is not valid JSON") from exc


JsonBody = Annotated[Any, Depends(json_body)]


async def get_rt(request: Request) -> Runtime:
    """async: FastAPI runs a plain `def` dependency in a worker thread, a hop this does not need."""
    return request.app.state.rt  # type: ignore[no-any-return]


RuntimeDep = Annotated[Runtime, Depends(get_rt)]


def get_session(request: Request, rt: RuntimeDep) -> Any:
    """GET and HEAD requests only read: they get the read engine (on SQLite, no writer turn)."""
    engine = (rt.read_engine or rt.engine) if request.method in ("GET", "HEAD") else rt.engine
    with Session(engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def bearer(request: Request) -> str | None:
    return bearer_token(request.headers.get("authorization", ""))


@dataclass(frozen=True)
class Caller:
    kind: str  # admin | official
    id: str
    role: str | None = None
    unit: str | None = None
    username: str | None = None


async def caller_from_token(rt: Runtime, token: str | None) -> Caller | None:
    """The admin, or an official whose token is signed, unexpired and of the official's current credential
    generation (`shared/revocation.py`: a deactivated official's or an old password's token is refused here, on
    every service, from the next request on)."""
    if token is None:
        return None
    if hmac.compare_digest(token.encode(), rt.settings.resolved_admin_token().encode()):
        return Caller("admin", "admin", role="admin")
    claims = read_token(rt.settings.resolved_secret_key(), token)
    if claims is None:
        return None
    if claims.generation < await revocation.current_generation(rt.redis, rt.settings.stream_prefix, claims.official_id):
        return None
    return Caller("official", str(claims.official_id), claims.role, claims.unit, claims.username)


def not_known(token: str | None) -> Exception:
    """The refusal of a token no admin or official holds: 401 (missing or unknown credentials), but 403 naming why for
    a unit's API key (`lpk_...`). Only the service that takes the units' reports keeps their keys; one that takes no
    unit key refuses every one, valid or not, so 403 is true whichever it is and says nothing about the key itself."""
    if token is not None and token.startswith(API_KEY_PREFIX):
        return UNIT_KEY_NOT_ALLOWED
    return UNAUTHORIZED


async def require_admin(request: Request, rt: RuntimeDep) -> Caller:
    token = bearer(request)
    caller = await caller_from_token(rt, token)
    if caller is None:
        raise not_known(token)
    if caller.kind != "admin":
        raise ADMIN_ONLY
    return caller


async def require_admin_or_official(request: Request, rt: RuntimeDep) -> Caller:
    token = bearer(request)
    caller = await caller_from_token(rt, token)
    if caller is None:
        raise not_known(token)
    return caller


AdminDep = Annotated[Caller, Depends(require_admin)]
StaffDep = Annotated[Caller, Depends(require_admin_or_official)]
