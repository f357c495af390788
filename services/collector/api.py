"""The collector's HTTP routes (CONTRACT.md, Collector): thin; the rules live in handlers and validation."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.collector import bulanan, handlers
from services.collector.models import ApiKey, IdempotencyRecord, Unit
from services.collector.validation import validate_pk
from shared.errors import FORBIDDEN, UNAUTHORIZED, ApiError, api_error
from shared.security import hash_api_key, new_api_key
from shared.service import AdminDep, Caller, Runtime, RuntimeDep, SessionDep, bearer, caller_from_token

router = APIRouter(prefix="/api/v1", tags=["collector"])
Tahun = Annotated[int, Path(ge=2000, le=2100)]
Triwulan = Annotated[str, Path(pattern="^TW[1-4]$")]


def unit_or_admin(request: Request, rt: RuntimeDep) -> Caller:
    token = bearer(request)
    if token and token.startswith("lpk_"):
        # its own short read: a transaction left open here would span the hop to the route (see shared.service)
        with Session(rt.read_engine or rt.engine) as session:
            key = session.exec(select(ApiKey).where(ApiKey.key_hash == hash_api_key(token))).first()
        if key is not None:
            return Caller("unit", key.unit, role="unit", unit=key.unit)
        raise UNAUTHORIZED
    caller = caller_from_token(rt, token)
    if caller is not None:
        return caller
    raise UNAUTHORIZED


UnitOrAdmin = Annotated[Caller, Depends(unit_or_admin)]


async def json_body(request: Request) -> Any:
    """The request's JSON, read here rather than by FastAPI's `Body()`: FastAPI turns any error while reading the
    body into a 400, which hid the 413 of the body-size limit (shared.service.BodySizeLimit) whenever the body
    came without a Content-Length (chunked). Read here, the limit's exception reaches its middleware."""
    raw = await request.body()
    if not raw.strip():
        raise api_error(422, "body", "required", "body: wajib diisi", "body: is required")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise api_error(422, "body", "invalid_json", "body: JSON tidak valid", "body: is not valid JSON") from exc


JsonBody = Annotated[Any, Depends(json_body)]
JSON_OBJECT = {"requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}}


@router.put("/perjanjian-kinerja/{tahun}", openapi_extra=JSON_OBJECT)
def put_perjanjian_kinerja(
    tahun: Tahun, session: SessionDep, rt: RuntimeDep, _: AdminDep, body: JsonBody
) -> dict[str, Any]:
    problems = validate_pk(body, tahun)
    if problems:
        raise ApiError(422, problems)
    return handlers.put_pk(session, rt, tahun, body)


@router.get("/kalender/{tahun}")
def get_kalender(tahun: Tahun, session: SessionDep, _: AdminDep) -> dict[str, Any]:
    return handlers.get_kalender(session, tahun)


@router.put("/kalender/{tahun}", openapi_extra=JSON_OBJECT)
def put_kalender(tahun: Tahun, session: SessionDep, _: AdminDep, body: JsonBody) -> dict[str, Any]:
    return handlers.put_kalender(session, tahun, body)


@router.post("/units/{kode}/api-keys", status_code=201)
def create_api_key(kode: str, session: SessionDep, _: AdminDep) -> dict[str, str]:
    if session.get(Unit, kode) is None:
        raise api_error(404, "kode", "unknown_unit", f"Unit {kode} tidak dikenal.", f"Unknown unit {kode}.")
    key = new_api_key()
    session.add(ApiKey(unit=kode, key_hash=hash_api_key(key)))
    session.commit()
    return {"unit": kode, "api_key": key}


Submit = Callable[..., dict[str, Any]]


@router.post("/laporan-triwulan", status_code=202, openapi_extra=JSON_OBJECT)
def post_laporan_triwulan(
    session: SessionDep,
    rt: RuntimeDep,
    caller: UnitOrAdmin,
    body: JsonBody,
    dry_run: bool = Query(False),
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    return _accept(session, rt, caller, body, dry_run, idempotency_key, handlers.submit_triwulan)


@router.post("/laporan-bulanan", status_code=202, openapi_extra=JSON_OBJECT)
def post_laporan_bulanan(
    session: SessionDep,
    rt: RuntimeDep,
    caller: UnitOrAdmin,
    body: JsonBody,
    dry_run: bool = Query(False),
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> JSONResponse:
    """Monthly progress: the quarterly report's rules and answer; shown as trend and early warning, never recapped."""
    return _accept(session, rt, caller, body, dry_run, idempotency_key, bulanan.submit_bulanan)


def _accept(
    session: Session,
    rt: Runtime,
    caller: Caller,
    body: Any,
    dry_run: bool,
    idempotency_key: str | None,
    submit: Submit,
) -> JSONResponse:
    """A unit's report: Idempotency-Key replay, dry run, and the commit that answers 409 when a concurrent report
    won the race."""
    if caller.kind != "unit":
        raise api_error(403, None, "unit_key_required", "Gunakan kunci API unit.", "Use a unit's API key.")
    request_hash = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    if idempotency_key and not dry_run:
        seen = session.get(IdempotencyRecord, (idempotency_key, caller.id))
        if seen is not None:
            if seen.request_hash != request_hash:
                raise _idempotency_key_reused()
            return JSONResponse(json.loads(seen.response), status_code=seen.status_code)
    answer = submit(session, rt, key_unit=caller.id, body=body, dry_run=dry_run, received_at=handlers.utc_now())
    status = 200 if dry_run else 202
    if dry_run:
        return JSONResponse(answer, status_code=status)
    if idempotency_key:
        session.add(
            IdempotencyRecord(
                key=idempotency_key,
                caller=caller.id,
                request_hash=request_hash,
                status_code=status,
                response=json.dumps(answer),
            )
        )
    try:
        session.commit()
    except IntegrityError as exc:  # a concurrent submission took this revision: the caller may retry
        session.rollback()
        if idempotency_key:  # or a concurrent request with the same key won: answer as it did
            seen = session.get(IdempotencyRecord, (idempotency_key, caller.id))
            if seen is not None:
                if seen.request_hash != request_hash:
                    raise _idempotency_key_reused() from exc
                return JSONResponse(json.loads(seen.response), status_code=seen.status_code)
        raise api_error(
            409,
            None,
            "concurrent_submission",
            "Ada pengiriman lain yang bersamaan, ulangi.",
            "A concurrent submission won the race; retry.",
        ) from exc
    rt.committed()
    return JSONResponse(answer, status_code=status)


def _idempotency_key_reused() -> Exception:
    return api_error(
        409,
        "Idempotency-Key",
        "idempotency_key_reused",
        "Idempotency-Key ini sudah dipakai untuk isi permintaan lain.",
        "This Idempotency-Key was already used with another body.",
    )


STATUS_ROLES = ("subkor", "sekretaris", "kabid", "kasi", "staf", "operator")


@router.get("/periode/{tahun}/{periode}/status")
def get_periode_status(tahun: Tahun, periode: Triwulan, session: SessionDep, caller: UnitOrAdmin) -> dict[str, Any]:
    if caller.kind == "official" and caller.role not in STATUS_ROLES:
        raise FORBIDDEN
    return handlers.periode_status(session, tahun, periode, caller.unit if caller.kind == "unit" else None)


@router.get("/kelengkapan/{tahun}")
def get_kelengkapan(tahun: Tahun, session: SessionDep, caller: UnitOrAdmin) -> dict[str, Any]:
    """Office-wide: officials and admins only (a unit sees its own row in the period status)."""
    if caller.kind == "unit" or (caller.kind == "official" and caller.role not in STATUS_ROLES):
        raise FORBIDDEN
    return handlers.kelengkapan(session, tahun)


@router.post("/periode/{tahun}/{periode}/close")
def post_close(
    tahun: Tahun, periode: Triwulan, session: SessionDep, rt: RuntimeDep, caller: AdminDep
) -> dict[str, Any]:
    return handlers.close_periode(session, rt, tahun, periode, caller.id)
