"""The aggregator's HTTP routes (docs/contract.md, Aggregator)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path

from services.aggregator import schemas as s
from services.aggregator.handlers import compute, latest_revision, tren
from shared.contract import answer
from shared.errors import api_error, error_responses
from shared.sakip import PERIODE_PATTERN
from shared.service import SessionDep, StaffDep

router = APIRouter(prefix="/api/v1", tags=["aggregator"], responses=error_responses(401, 403, 404, 413, 422, 429, 503))


@router.get(
    "/rekap/{tahun}/{periode}",
    response_model=None,
    responses=answer(200, s.Rekap, "Rekap semua yang sudah diterima / the recap of everything received"),
)
def get_rekap(
    tahun: Annotated[int, Path(ge=2000, le=2100)],
    periode: Annotated[str, Path(pattern=PERIODE_PATTERN)],
    session: SessionDep,
    _: StaffDep,
) -> s.Rekap:
    """Always the recap of everything received so far; 404 only when no PK exists for the year."""
    result = compute(session, tahun, periode)
    if result is None:
        raise api_error(
            404,
            "tahun",
            "pk_not_found",
            f"Perjanjian Kinerja tahun {tahun} belum ada.",
            f"No PK exists for {tahun}.",
        )
    last = latest_revision(session, tahun, periode)
    rekap = result["rekap"]
    same = json.loads(json.dumps(rekap, sort_keys=True))
    if last is not None and json.loads(last.body) == same and json.loads(last.inputs) == result["inputs"]:
        revision = last.revision
    else:  # received but not yet recapped by the consumer: the next revision will carry it
        revision = (last.revision + 1) if last else 1
    return {**rekap, "revision": revision, "inputs": result["inputs"]}


@router.get(
    "/tren/{tahun}",
    response_model=None,
    responses=answer(200, s.Tren, "Tren bulanan dan peringatan dini / the monthly trend and early warnings"),
)
def get_tren(tahun: Annotated[int, Path(ge=2000, le=2100)], session: SessionDep, _: StaffDep) -> s.Tren:
    """Monthly progress per indicator with its early warning (docs/collection.md); 404 when no PK exists."""
    result = tren(session, tahun)
    if result is None:
        raise api_error(
            404,
            "tahun",
            "pk_not_found",
            f"Perjanjian Kinerja tahun {tahun} belum ada.",
            f"No PK exists for {tahun}.",
        )
    return result
