"""The collector's HTTP routes (docs/contract.md, Collector): thin; the rules live in handlers and validation."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.exceptions import HTTPException
from starlette.types import Receive, Scope, Send

from services.collector import answers as a
from services.collector import bulk, excel, handlers, keys, pk, usecases
from services.collector import schemas as s
from services.collector.core.errors import Conflict, DomainError, Invalid, NotFound, NotPermitted, TooLarge
from services.collector.core.validation import shown
from services.collector.keys import KeyCache
from services.collector.models import IdempotencyRecord
from services.collector.validation import TAHUN_MAX, TAHUN_MIN
from shared.contract import answer, json_body_of, operation_name
from shared.db import is_postgres
from shared.errors import (
    ADMIN_ONLY,
    FORBIDDEN,
    UNAUTHORIZED,
    ApiError,
    ErrorItem,
    api_error,
    error_body,
    error_responses,
    from_validation,
)
from shared.groupcommit import GroupCommit
from shared.ratelimit import RateLimiter
from shared.sakip import TRIWULAN_PATTERN
from shared.security import hash_api_key
from shared.service import (
    MAX_ROW_ID,
    Caller,
    JsonBody,
    RowId,
    Runtime,
    RuntimeDep,
    SessionDep,
    bearer,
    caller_from_token,
    json_body,
)
from shared.slots import Busy

log = logging.getLogger("lapkin.collector")
router = APIRouter(
    prefix="/api/v1",
    tags=["collector"],
    responses=error_responses(401, 403, 404, 413, 422, 429, 503),
    generate_unique_id_function=operation_name,
)
Tahun = Annotated[int, Path(ge=TAHUN_MIN, le=TAHUN_MAX)]
Triwulan = Annotated[str, Path(pattern=TRIWULAN_PATTERN)]

# The one mapping from the core's refusals to HTTP: the status of each kind; the body is the one error shape.
DOMAIN_STATUS: dict[type[DomainError], int] = {
    Invalid: 422,
    NotPermitted: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
}


def http_error(exc: DomainError) -> ApiError:
    status = next(code for kind, code in DOMAIN_STATUS.items() if isinstance(exc, kind))
    return ApiError(status, [ErrorItem(p.field, p.rule, p.message_id, p.message_en) for p in exc.problems])


async def domain_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """Installed by main.create_app for every route (the core raises, api.py answers)."""
    assert isinstance(exc, DomainError)
    err = http_error(exc)
    return JSONResponse(error_body(err.errors), status_code=err.status)


IDEMPOTENCY_KEY_MAX = 200
# What a path, query or header parameter takes, said in FastAPI's refusals of it (the kernel's words say only what is
# wrong); a header named as an agency sends it.
ALLOWED: dict[str, tuple[str, str]] = {
    "tahun": (f"{TAHUN_MIN}–{TAHUN_MAX}", f"{TAHUN_MIN}–{TAHUN_MAX}"),
    "periode": ("TW1–TW4", "TW1–TW4"),
    "triwulan": ("1–4", "1–4"),
    "dry_run": ("true/false", "true/false"),
    "atomic": ("true/false", "true/false"),
    "revoked": ("true/false", "true/false"),
    "Idempotency-Key": (f"paling banyak {IDEMPOTENCY_KEY_MAX} karakter", f"at most {IDEMPOTENCY_KEY_MAX} characters"),
}
HEADERS = {"idempotency-key": "Idempotency-Key"}


async def validation_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """FastAPI's refusal of a parameter (shared.errors' words), with the values the parameter takes."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(error_body([_with_allowed(e) for e in from_validation(exc)]), status_code=422)


def _with_allowed(e: ErrorItem) -> ErrorItem:
    field = HEADERS.get(e.field or "", e.field)
    mid, men = e.message_id, e.message_en
    if field != e.field and e.field:
        mid, men = mid.replace(e.field, field or "", 1), men.replace(e.field, field or "", 1)
    if field in ALLOWED:
        mid, men = f"{mid} ({ALLOWED[field][0]})", f"{men} ({ALLOWED[field][1]})"
    return ErrorItem(field, e.rule, mid, men)


async def unit_or_admin(request: Request) -> Caller:
    """async, with the database asked (in a worker thread) only for a key not seen in the last seconds and no
    revocation since (services/collector/keys.py): every report passes here, and a worker thread per request is a
    cost under load. The runtime is taken from the app (as get_rt does), not as a dependency: FastAPI solves a
    dependency's own dependencies again each time it appears in a route's tree, cached or not."""
    rt: Runtime = request.app.state.rt
    token = bearer(request)
    if token and token.startswith("lpk_"):
        engine = rt.read_engine or rt.engine
        bucket = _bucket_now(request, rt, token)
        unit, verdict = await key_cache(rt).unit_and_token(engine, rt.redis, rt.settings.stream_prefix, token, bucket)
        if unit is not None:
            if verdict is not None:
                request.scope[_VERDICT] = verdict
            return Caller("unit", unit, role="unit", unit=unit)
        raise UNAUTHORIZED
    caller = await caller_from_token(rt, token)
    if caller is not None:
        return caller
    raise UNAUTHORIZED


# A report's rate-limit verdict, when its token was taken with the key's revocation check (one Redis round trip).
_VERDICT = "lapkin.rate_verdict"


def _bucket_now(request: Request, rt: Runtime, token: str) -> tuple[RateLimiter, str] | None:
    """The key's bucket, when its token may be taken already while the key is checked: on the report routes
    (`ONE_TRIP`), whose first dependency after the caller's is `submitter`, and without a query string (an unknown
    query parameter is refused before the token is taken). Elsewhere `submitter` takes it, as it always did."""
    route = request.scope.get("route")
    if request.scope.get("query_string") or getattr(route, "endpoint", None) not in ONE_TRIP:
        return None
    found = limiter(rt)
    return (found, _key_identity(token)) if found.enabled else None


def _key_identity(token: str) -> str:
    return f"key.{hash_api_key(token)[:32]}"


def key_cache(rt: Runtime) -> KeyCache:
    cache = rt.state.get("api_keys")
    if cache is None:
        cache = rt.state["api_keys"] = KeyCache()
    return cache  # type: ignore[no-any-return]


UnitOrAdmin = Annotated[Caller, Depends(unit_or_admin)]


def _query_names(dependant: Dependant) -> set[str]:
    return {f.alias for f in dependant.query_params}.union(*(_query_names(d) for d in dependant.dependencies))


# The query parameters each route declares, worked out on the route's first request with a query string (the walk
# cost ≈3 % of a report's CPU) and kept on the route itself (an APIRoute is not hashable) with the dependant they were
# read from: read again should that be replaced.
_DECLARED = "_lapkin_declared_query"


def declared_query(route: APIRoute) -> frozenset[str]:
    found: tuple[Dependant, frozenset[str]] | None = getattr(route, _DECLARED, None)
    if found is None or found[0] is not route.dependant:
        found = (route.dependant, frozenset(_query_names(route.dependant)))
        setattr(route, _DECLARED, found)
    return found[1]


async def known_query(request: Request, _: UnitOrAdmin) -> None:
    """Every route of the collector: a query parameter the route does not declare is refused (422 unknown_field)
    before anything is done, once the caller is known (`?dryrun=true` for `dry_run` would otherwise store real
    data). An Idempotency-Key header sent twice is refused the same way (which one would the server keep?)."""
    if len(request.headers.getlist("idempotency-key")) > 1:
        raise ApiError(
            422,
            [
                ErrorItem(
                    "Idempotency-Key",
                    "duplicate_parameter",
                    "Idempotency-Key: header disebut lebih dari sekali; kirim satu nilai (permintaan tidak dijalankan)",
                    "Idempotency-Key: header given more than once; send one value (the request was not carried out)",
                )
            ],
        )
    if not request.scope.get("query_string"):  # no query parameter: nothing to refuse (most requests)
        return
    route = request.scope.get("route")
    declared = declared_query(route) if isinstance(route, APIRoute) else frozenset()
    names = [name for name, _ in request.query_params.multi_items()]
    unknown = [name for name in dict.fromkeys(names) if name not in declared]
    repeated = [name for name in dict.fromkeys(names) if name in declared and names.count(name) > 1]
    as_sent = _undecodable_names(request.scope["query_string"]) if any("\ufffd" in n for n in unknown) else {}
    labels = [shown(as_sent.get(name, name)) for name in unknown]
    errors = [
        ErrorItem(
            label,
            "unknown_field",
            f"{label}: parameter query tidak dikenal (periksa ejaannya; permintaan tidak dijalankan)",
            f"{label}: unknown query parameter (check its spelling; the request was not carried out)",
        )
        for label in labels
    ] + [
        ErrorItem(
            name,
            "duplicate_parameter",
            f"{name}: parameter query disebut lebih dari sekali; kirim satu nilai (permintaan tidak dijalankan)",
            f"{name}: query parameter given more than once; send one value (the request was not carried out)",
        )
        for name in repeated
    ]
    if errors:
        raise ApiError(422, errors)


def _undecodable_names(query: bytes) -> dict[str, str]:
    """A query parameter's name that is not UTF-8 (`?%ff=1`) reaches the route with U+FFFD in place of its bytes:
    such names as sent (still percent-encoded), by their decoded form, so an error names what the client wrote."""
    found: dict[str, str] = {}
    for part in query.decode("latin-1").split("&"):
        raw = part.split("=", 1)[0]
        decoded = unquote_plus(raw, errors="replace")
        if "\ufffd" in decoded:
            found.setdefault(decoded, raw)
    return found


router.dependencies.append(Depends(known_query))  # before the first route is added: every route gets it


def admin_only(caller: UnitOrAdmin) -> Caller:
    """The admin's routes: a unit's key or an official's token is a known caller here, only not allowed (403); 401 is
    kept for missing or unknown credentials."""
    if caller.kind != "admin":
        raise ADMIN_ONLY
    return caller


CollectorAdmin = Annotated[Caller, Depends(admin_only)]


def limiter(rt: Runtime) -> RateLimiter:
    """The submission routes' rate limiter, made on first use (it needs the running service's Redis client)."""
    found = rt.state.get("rate_limiter")
    if found is None:
        s = rt.settings
        found = rt.state["rate_limiter"] = RateLimiter(
            rt.redis, s.stream_prefix, s.rate_limit_per_minute, s.rate_limit_burst
        )
    return found  # type: ignore[no-any-return]


async def submitter(request: Request, caller: UnitOrAdmin) -> Caller:
    """The caller of a submission route, once a token is taken from its API key's bucket: 429 with Retry-After
    when the bucket is empty (settings `rate_limit_per_minute`, `rate_limit_burst`)."""
    rt: Runtime = request.app.state.rt  # not a dependency: see unit_or_admin
    verdict = request.scope.get(_VERDICT)  # taken with the key's check (unit_or_admin), else taken here
    if verdict is None:
        token = bearer(request) or ""
        identity = _key_identity(token) if caller.kind == "unit" else f"{caller.kind}.{caller.id}"
        verdict = await limiter(rt).take(identity)
    if verdict.busy:  # no Redis connection free in this process: a flood, not a free pass (shared.ratelimit)
        raise Busy()
    if not verdict.allowed:
        raise rate_limited(verdict.retry_after_s)
    return caller


def rate_limited(retry_after_s: int, rows: int = 1) -> ApiError:
    bulk_id = f" ({rows} baris, satu token per baris)" if rows > 1 else ""
    bulk_en = f" ({rows} rows, one token a row)" if rows > 1 else ""
    err = api_error(
        429,
        "Authorization",
        "rate_limited",
        f"Terlalu banyak pengiriman dengan kunci API ini{bulk_id}; coba lagi dalam {retry_after_s} detik.",
        f"Too many submissions with this API key{bulk_en}; retry in {retry_after_s} s.",
    )
    err.headers = {"Retry-After": str(retry_after_s)}
    return err


Submitter = Annotated[Caller, Depends(submitter)]


async def bulk_submitter(request: Request, caller: Submitter, body: JsonBody) -> Caller:
    """A bulk submission's caller: one token a row from a unit key's bucket (`submitter` took the first before the
    body was read), at most the whole bucket: a bulk is not a way past the limit. The admin's bulk takes one."""
    items = body.get("submissions") if isinstance(body, dict) else None
    rows = min(len(items), request.app.state.rt.settings.max_bulk_rows) if isinstance(items, list) else 1
    found = limiter(request.app.state.rt)
    more = found.cost_of(rows) - 1
    if caller.kind != "unit" or more < 1 or not found.enabled:
        return caller
    verdict = await found.take(_key_identity(bearer(request) or ""), more)
    if verdict.busy:
        raise Busy()
    if not verdict.allowed:
        raise rate_limited(verdict.retry_after_s, rows)
    return caller


BulkSubmitter = Annotated[Caller, Depends(bulk_submitter)]


@router.put(
    "/perjanjian-kinerja/{tahun}",
    openapi_extra=json_body_of(s.PerjanjianKinerja),
    response_model=None,
    responses={
        **answer(200, s.PkTersimpan, "Disimpan sebagai versi baru (atau sama) / stored"),
        **error_responses(409),
    },
)
def put_perjanjian_kinerja(
    tahun: Tahun, session: SessionDep, rt: RuntimeDep, _: CollectorAdmin, body: JsonBody
) -> a.PkTersimpan:
    return handlers.put_pk(session, rt, tahun, body)


@router.get(
    "/perjanjian-kinerja/{tahun}", response_model=None, responses=answer(200, s.PkDokumen, "Versi terbaru / newest")
)
def get_perjanjian_kinerja(tahun: Tahun, session: SessionDep, _: UnitOrAdmin) -> a.PkDokumen:
    """The newest PK version (every caller may read the targets it reports against)."""
    return pk.one(session, tahun, None)


@router.get(
    "/perjanjian-kinerja/{tahun}/versi",
    response_model=None,
    responses=answer(200, s.DaftarVersiPk, "Semua versi / every version"),
)
def get_pk_versions(tahun: Tahun, session: SessionDep, _: UnitOrAdmin) -> a.DaftarVersiPk:
    """Every version of the year's PK, each with what it changed against the one before (PK perubahan)."""
    return usecases.pk_versions(session, tahun)


@router.get(
    "/perjanjian-kinerja/{tahun}/versi/{version}",
    response_model=None,
    responses=answer(200, s.PkDokumen, "Versi itu / that version"),
)
def get_pk_version(
    tahun: Tahun, version: Annotated[int, Path(ge=1, le=MAX_ROW_ID)], session: SessionDep, _: UnitOrAdmin
) -> a.PkDokumen:
    return pk.one(session, tahun, version)


@router.get("/kalender/{tahun}", response_model=None, responses=answer(200, s.Kalender, "Kalender / calendar"))
def get_kalender(tahun: Tahun, session: SessionDep, _: CollectorAdmin) -> a.Kalender:
    return handlers.get_kalender(session, tahun)


@router.put(
    "/kalender/{tahun}",
    openapi_extra=json_body_of(s.KalenderInput),
    response_model=None,
    responses=answer(200, s.Kalender, "Kalender yang berlaku / the calendar now"),
)
def put_kalender(tahun: Tahun, session: SessionDep, _: CollectorAdmin, body: JsonBody) -> a.Kalender:
    return handlers.put_kalender(session, tahun, body)


@router.post(
    "/units/{kode}/api-keys",
    status_code=201,
    response_model=None,
    responses=answer(201, s.KunciApiBaru, "Kunci dibuat / key made"),
)
def create_api_key(kode: str, session: SessionDep, _: CollectorAdmin) -> a.KunciApiBaru:
    return usecases.create_api_key(session, kode)


@router.get("/api-keys", response_model=None, responses=answer(200, s.DaftarKunciApi, "Kunci / keys"))
def list_api_keys(
    session: SessionDep,
    _: CollectorAdmin,
    unit: Annotated[str | None, Query(max_length=100)] = None,
    revoked: Annotated[bool, Query(description="also the revoked keys")] = True,
) -> a.DaftarKunciApi:
    """Every unit's keys (never the keys themselves: an id, the unit, the first characters, when made and revoked)."""
    return {"api_keys": [keys.public(k) for k in keys.listing(session, unit, revoked=revoked)]}


@router.delete(
    "/api-keys/{key_id}",
    response_model=None,
    responses={**answer(200, s.KunciApi, "Kunci dicabut / revoked"), **error_responses(503)},
)
async def revoke_api_key(key_id: RowId, rt: RuntimeDep, _: CollectorAdmin) -> a.KunciApi:
    """Revoke a key: refused (401) from the next request on, by every collector process."""

    def revoke() -> a.KunciApi:
        with Session(rt.engine, expire_on_commit=False) as session:
            return keys.public(keys.revoke(session, key_id))

    row = await run_in_threadpool(revoke)
    try:
        await keys.new_epoch(rt.redis, rt.settings.stream_prefix)
    except Exception as exc:  # Redis away: no process trusts a remembered key then (keys.py); logged, told later
        log.warning("key %s revoked; Redis not told (%s): trying again", key_id, exc.__class__.__name__)
        retelling: set[asyncio.Task[None]] = rt.state.setdefault("epoch_retold", set())
        task = asyncio.create_task(keys.new_epoch_soon(lambda: rt.redis, rt.settings.stream_prefix, key_id))
        retelling.add(task)
        task.add_done_callback(retelling.discard)
    return row


Submit = Callable[..., a.LaporanDiterima]


SUBMISSION = {
    **answer(202, s.LaporanDiterima, "Diterima dan disimpan / accepted and stored"),
    **answer(
        200, s.LaporanDiterima, "dry_run=true: jawaban yang akan diberikan; tidak ada yang disimpan / nothing stored"
    ),
    **error_responses(409, 429, 503),  # the database away, or every parse slot busy: Retry-After (shared.service)
}
IDEMPOTENCY_KEY = (
    "Kunci unik pengiriman ini: diulang dengan isi yang sama, jawaban pertama diberikan lagi tanpa menyimpan dua kali; "
    "dengan isi lain, 409 idempotency_key_reused. Berlaku per unit kunci API (semua kuncinya; laporan triwulan, "
    "bulanan dan upload berbagi satu ruang kunci), disimpan tanpa batas waktu: buat kunci baru untuk data baru; "
    "dry_run tidak memakainya. / Repeat a submission safely: the same body answers as the first time, another body "
    "is 409. Scoped to the key's unit (the three report routes share it), kept indefinitely; a dry run does not use "
    "it up."
)
ATOMIC = (
    "true: satu baris ditolak, semua ditolak (422); false: baris yang sah disimpan, yang lain dilaporkan (200) / "
    "all or nothing, or the valid rows"
)
DRY_RUN = (
    "true: periksa dan jawab tanpa menyimpan apa pun (200); `submission_id` jawabannya null bila laporan akan "
    "membuat revisi baru (tidak ada yang disimpan) / validate and answer, store nothing; its submission_id is null "
    "when the report would make a new revision"
)
DryRun = Annotated[bool, Query(description=DRY_RUN)]
IdempotencyKey = Annotated[str | None, Header(max_length=IDEMPOTENCY_KEY_MAX, description=IDEMPOTENCY_KEY)]


@router.post(
    "/laporan-triwulan",
    status_code=202,
    openapi_extra=json_body_of(s.LaporanTriwulan),
    response_model=None,
    responses=SUBMISSION,
)
async def post_laporan_triwulan(
    request: Request,
    caller: Submitter,
    body: JsonBody,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """async: the report is stored by the group commit (shared/groupcommit.py), in one transaction with the reports
    that came at the same time; the busiest route (docs/benchmarks.md)."""
    _require_unit_key(caller)
    return await _submit(request.app.state.rt, caller, body, dry_run, idempotency_key, usecases.submit_triwulan)


@router.post(
    "/laporan-bulanan",
    status_code=202,
    openapi_extra=json_body_of(s.LaporanBulanan),
    response_model=None,
    responses=SUBMISSION,
)
async def post_laporan_bulanan(
    request: Request,
    caller: Submitter,
    body: JsonBody,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Monthly progress: the quarterly report's rules and answer; shown as trend and early warning, never recapped."""
    _require_unit_key(caller)
    return await _submit(request.app.state.rt, caller, body, dry_run, idempotency_key, usecases.submit_bulanan)


# The routes whose token is taken in the key's own Redis round trip (see _bucket_now).
ONE_TRIP = {post_laporan_triwulan, post_laporan_bulanan}


async def report_lane(scope: Scope, receive: Receive, send: Send) -> bool:
    """A report route's request (`scope["route"]`) answered with its dependencies called directly, in the order
    FastAPI solves them, when none of its parameters needs FastAPI to read it: no query string (no `dry_run`, no
    unknown parameter to refuse) and at most one `Idempotency-Key` within its bounds. Anything else — decided before
    a byte of the body is read — is left to the route (False). Errors are raised as from the dependencies (the
    app's handlers answer them); shared/routing.py `Lane`."""
    if scope.get("query_string"):
        return False
    request = Request(scope, receive, send)
    keys = request.headers.getlist("idempotency-key")
    if len(keys) > 1 or (keys and not 0 < len(keys[0]) <= IDEMPOTENCY_KEY_MAX):
        return False
    caller = await unit_or_admin(request)  # known_query, the router's dependency, has nothing to refuse
    caller = await submitter(request, caller)
    body = await json_body(request)
    response = await scope["route"].endpoint(request, caller, body, False, keys[0] if keys else None)
    await response(scope, receive, send)
    return True


async def _submit(
    rt: Runtime, caller: Caller, body: Any, dry_run: bool, idempotency_key: str | None, submit: Submit
) -> JSONResponse:
    """A dry run reads only: a session of its own in a worker thread. A report to store goes to the group commit
    on SQLite, its answer given once the transaction holding it committed. On PostgreSQL each report keeps its own
    transaction in a worker thread: there the group commit measured slower (bench/ingest.py, docs/benchmarks.md),
    its batches waiting on each other's row locks and statement round trips one after another."""
    if dry_run or is_postgres(rt.engine):
        return await run_in_threadpool(_submit_in_session, rt, caller, body, dry_run, idempotency_key, submit)
    received_at = handlers.utc_now()
    request_hash = _request_hash(body, submit) if idempotency_key else ""

    def work(session: Session) -> JSONResponse:
        if idempotency_key and (seen := _replay(session, idempotency_key, caller, request_hash)) is not None:
            return seen
        answer = submit(session, rt, key_unit=caller.id, body=body, dry_run=False, received_at=received_at)
        if idempotency_key:
            _remember(session, idempotency_key, caller, request_hash, 202, answer)
        return JSONResponse(answer, status_code=202)

    def recover(session: Session, exc: Exception) -> JSONResponse:
        if not isinstance(exc, IntegrityError):
            raise exc
        return _after_conflict(session, exc, caller, idempotency_key, request_hash)

    return await group_commit(rt).run(work, recover=recover, order=_lock_order(body, caller))


def group_commit(rt: Runtime) -> GroupCommit:
    """The process's group commit for reports, made on first use; each commit wakes the outbox relay."""
    found = rt.state.get("group_commit")
    if found is None:
        found = rt.state["group_commit"] = GroupCommit(rt.engine, on_commit=rt.committed)
    return found  # type: ignore[no-any-return]


def _lock_order(body: Any, caller: Caller) -> tuple[str, ...]:
    """The row a report locks (its unit's quarter or month), as text: a batch takes its locks in this order. Only
    an order: a body that names no such row sorts anywhere and is refused by the use case."""
    if not isinstance(body, dict):
        return (caller.id,)
    return tuple(str(body.get(name)) for name in ("tahun", "triwulan", "bulan", "unit"))


def _submit_in_session(
    rt: Runtime,
    caller: Caller,
    body: Any,
    dry_run: bool,
    idempotency_key: str | None,
    submit: Submit = usecases.submit_triwulan,
) -> JSONResponse:
    with Session(rt.engine, expire_on_commit=False) as session:
        return _submit_once(session, rt, caller, body, dry_run, idempotency_key, submit)


def _require_unit_key(caller: Caller) -> None:
    if caller.kind != "unit":
        raise api_error(403, None, "unit_key_required", "Gunakan kunci API unit.", "Use a unit's API key.")


def _request_hash(body: Any, submit: Submit) -> str:
    """What an Idempotency-Key's first request was: its body, and which report — a monthly report's hash is its
    body's under a prefix of its own, so the same bytes sent to the other route are another request (409), not the
    first one's answer. A quarterly report's (and an upload's, which is one) is its body's alone, as it always was."""
    text = json.dumps(body, sort_keys=True)
    return hashlib.sha256((f"bulanan\n{text}" if submit is usecases.submit_bulanan else text).encode()).hexdigest()


def _replay(session: Session, idempotency_key: str, caller: Caller, request_hash: str) -> JSONResponse | None:
    """The first answer to this Idempotency-Key (409 when it came with another body); None: the key is new."""
    seen = session.get(IdempotencyRecord, (idempotency_key, caller.id))
    if seen is None:
        return None
    if seen.request_hash != request_hash:
        raise _idempotency_key_reused()
    return JSONResponse(json.loads(seen.response), status_code=seen.status_code)


def _remember(
    session: Session, idempotency_key: str, caller: Caller, request_hash: str, status: int, answer: Any
) -> None:
    record = IdempotencyRecord(
        key=idempotency_key,
        caller=caller.id,
        request_hash=request_hash,
        status_code=status,
        response=json.dumps(answer),
    )
    session.add(record)


def _after_conflict(
    session: Session, exc: IntegrityError, caller: Caller, idempotency_key: str | None, request_hash: str
) -> JSONResponse:
    """A write refused by a constraint: a concurrent submission took this revision (409, the caller may retry), or
    a concurrent request with the same Idempotency-Key won (its answer)."""
    if idempotency_key and (seen := _replay(session, idempotency_key, caller, request_hash)) is not None:
        return seen
    raise _concurrent_submission() from exc


def _submit_once(
    session: Session,
    rt: Runtime,
    caller: Caller,
    body: Any,
    dry_run: bool,
    idempotency_key: str | None,
    submit: Submit = usecases.submit_triwulan,
) -> JSONResponse:
    """One report through `submit` (quarterly by default, or monthly) in the caller's session, honouring dry_run and
    Idempotency-Key (the Excel upload and dry runs: the key is matched against the body, so the same sheet again
    answers the same), and the commit that answers 409 when a concurrent report won the race."""
    request_hash = _request_hash(body, submit) if idempotency_key else ""
    if idempotency_key:  # a dry run answers what the request would: the first answer again, or the 409
        seen = _replay(session, idempotency_key, caller, request_hash)
        if seen is not None:
            return JSONResponse(json.loads(bytes(seen.body)), status_code=200) if dry_run else seen
    status = 200 if dry_run else 202
    try:  # a conflict shows where a report writes its rows (as it goes) or at commit (the idempotency record)
        answer = submit(session, rt, key_unit=caller.id, body=body, dry_run=dry_run, received_at=handlers.utc_now())
        if dry_run:
            return JSONResponse(answer, status_code=status)
        if idempotency_key:
            _remember(session, idempotency_key, caller, request_hash, status, answer)
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        return _after_conflict(session, exc, caller, idempotency_key, request_hash)
    rt.committed()
    return JSONResponse(answer, status_code=status)


def _concurrent_submission() -> Exception:
    return api_error(
        409,
        None,
        "concurrent_submission",
        "Ada pengiriman lain yang bersamaan, ulangi.",
        "A concurrent submission won the race; retry.",
    )


# ---- Excel template and upload (units without a system) --------------------------------------------------------


@router.get(
    "/template/{tahun}/{unit}.xlsx",
    response_class=Response,
    responses={
        200: {
            "description": "Lembar isian unit (xlsx) / the unit's sheet",
            "content": {excel.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def get_template(
    tahun: Tahun,
    unit: str,
    session: SessionDep,
    caller: UnitOrAdmin,
    triwulan: Annotated[int | None, Query(ge=1, le=4)] = None,
) -> Response:
    """The unit's pre-filled sheet (its own key, its parent's key, or the admin); `triwulan` pre-fills that cell."""
    if caller.kind == "official" or (caller.kind == "unit" and not handlers.may_act_for(session, caller.id, unit)):
        raise FORBIDDEN
    sheet, name = usecases.template(session, tahun, unit, triwulan)
    return Response(
        sheet, media_type=excel.XLSX_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


async def uploaded_file(request: Request) -> bytes:
    """The multipart part `file`, read here (like json_body) so the upload limit's 413 reaches its middleware
    instead of FastAPI's 400 for a body it could not read."""
    missing = api_error(
        422, "file", "required", "file: wajib diisi (multipart, berkas .xlsx)", "file: is required (multipart, .xlsx)"
    )
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise missing
    try:
        form = await request.form()
    except HTTPException as exc:  # starlette: a malformed multipart body
        raise api_error(422, "file", "invalid_form", "Isi multipart tidak valid.", "Malformed multipart body.") from exc
    try:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise missing
        settings = request.app.state.rt.settings
        if upload.size is not None and upload.size > settings.max_upload_bytes:
            raise _upload_too_large()
        if upload.size is not None and upload.size > settings.max_xlsx_unpacked_bytes:  # spooled: not yet in memory
            raise excel.unpacked_too_large(settings.max_xlsx_unpacked_bytes)  # a zip is no smaller than its content
        data = await upload.read()
    finally:
        await form.close()
    if len(data) > request.app.state.rt.settings.max_upload_bytes:  # the middleware allows multipart framing on top
        raise _upload_too_large()
    return data


def _upload_too_large() -> ApiError:
    return api_error(
        413, "body", "too_large", "Isi permintaan melebihi batas ukuran.", "Request body exceeds the size limit."
    )


UploadedFile = Annotated[bytes, Depends(uploaded_file)]
MULTIPART_FILE = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
            }
        },
    }
}


@router.post(
    "/laporan-triwulan/upload",
    status_code=202,
    openapi_extra=MULTIPART_FILE,
    response_model=None,
    responses=SUBMISSION,
)
def post_laporan_triwulan_upload(
    session: SessionDep,
    rt: RuntimeDep,
    caller: Submitter,
    data: UploadedFile,
    dry_run: DryRun = False,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A filled template: read into the JSON route's body and submitted exactly as that route does; every error
    names the sheet cell ("Laporan!I13") it came from."""
    _require_unit_key(caller)
    up = excel.read_upload(data, rt.settings.max_xlsx_unpacked_bytes)
    try:
        return _submit_once(session, rt, caller, up.body, dry_run, idempotency_key)
    except (ApiError, DomainError) as exc:
        err = http_error(exc) if isinstance(exc, DomainError) else exc
        raise ApiError(err.status, excel.point_to_cells(err.errors, up)) from exc


# ---- bulk ------------------------------------------------------------------------------------------------------


@router.post(
    "/laporan-triwulan/bulk",
    openapi_extra=json_body_of(s.LaporanTriwulanBulk),
    response_model=None,
    responses={
        **answer(200, s.BulkDiterima, "Setiap baris dijawab / every row answered"),
        **error_responses(409, 429, 503),
    },
)
def post_laporan_triwulan_bulk(
    session: SessionDep,
    rt: RuntimeDep,
    caller: BulkSubmitter,
    body: JsonBody,
    atomic: Annotated[bool, Query(description=ATOMIC)] = True,
    dry_run: DryRun = False,
) -> JSONResponse:
    """`{"submissions": [...]}`: the admin for any unit, a unit's key for itself and its children."""
    if caller.kind == "official":
        raise FORBIDDEN
    key_unit = caller.id if caller.kind == "unit" else None
    out = bulk.submit_bulk(
        session, rt, key_unit=key_unit, body=body, atomic=atomic, dry_run=dry_run, received_at=handlers.utc_now()
    )
    if out.status == 200 and not dry_run:
        try:
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            raise _concurrent_submission() from exc
        rt.committed()
    return JSONResponse(out.body, status_code=out.status)


def _idempotency_key_reused() -> Exception:
    return api_error(
        409,
        "Idempotency-Key",
        "idempotency_key_reused",
        "Idempotency-Key ini sudah dipakai untuk isi permintaan lain.",
        "This Idempotency-Key was already used with another body.",
    )


STATUS_ROLES = handlers.STATUS_ROLES


@router.get(
    "/periode/{tahun}/{periode}/status",
    response_model=None,
    responses=answer(200, s.StatusPeriode, "Status triwulan / the quarter's status"),
)
def get_periode_status(tahun: Tahun, periode: Triwulan, session: SessionDep, caller: UnitOrAdmin) -> a.StatusPeriode:
    if caller.kind == "official" and caller.role not in STATUS_ROLES:
        raise FORBIDDEN
    return handlers.periode_status(session, tahun, periode, caller.unit if caller.kind == "unit" else None)


@router.get(
    "/kelengkapan/{tahun}", response_model=None, responses=answer(200, s.Kelengkapan, "Kelengkapan / reporting rates")
)
def get_kelengkapan(tahun: Tahun, session: SessionDep, caller: UnitOrAdmin) -> a.Kelengkapan:
    """Office-wide: officials and admins only (a unit sees its own row in the period status)."""
    if caller.kind == "unit" or (caller.kind == "official" and caller.role not in STATUS_ROLES):
        raise FORBIDDEN
    return handlers.kelengkapan(session, tahun)


@router.post(
    "/periode/{tahun}/{periode}/close",
    response_model=None,
    responses=answer(200, s.PeriodeDitutup, "Status periode / the period's status"),
)
def post_close(
    tahun: Tahun, periode: Triwulan, session: SessionDep, rt: RuntimeDep, caller: CollectorAdmin
) -> a.PeriodeDitutup:
    return handlers.close_periode(session, rt, tahun, periode, caller.id)
