"""Bulk quarterly reports (issue 3, item 6): many laporan-triwulan bodies in one request, each run through the very
handler the single route uses (handlers.submit_triwulan), in ONE transaction with a SAVEPOINT per row so a bad row
rolls back alone. atomic=true stores all or nothing; atomic=false stores the valid rows and reports the others."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from services.collector import answers as a
from services.collector import handlers, usecases
from services.collector.core.errors import DomainError
from services.collector.core.validation import MAX_TEXT, Problems, check_fields, shown
from shared.errors import ApiError, ErrorItem, api_error
from shared.service import Runtime


@dataclass
class Outcome:
    """The one answer of a bulk request: its status code and body."""

    status: int
    body: a.BulkDiterima | a.BulkDitolak


@dataclass
class _Row:
    row: int
    body: Any
    answer: a.LaporanDiterima | None = None
    problems: list[ErrorItem] = field(default_factory=list)

    def get(self, key: str) -> Any:
        return self.body.get(key) if isinstance(self.body, dict) else None


def submit_bulk(
    session: Session,
    rt: Runtime,
    *,
    key_unit: str | None,
    body: Any,
    atomic: bool,
    dry_run: bool,
    received_at: datetime,
) -> Outcome:
    """Validate and apply every row in the caller's session; a 200 that is not a dry run is the caller's to commit."""
    rows = [_Row(i, b) for i, b in enumerate(_submissions(body, rt.settings.max_bulk_rows))]
    _authorize(session, key_unit, rows)
    first: dict[tuple[Any, ...], int] = {}
    for r in rows:
        identity = tuple(r.get(k) for k in ("tahun", "triwulan", "unit"))
        if all(isinstance(v, int | str) for v in identity):
            # one row per unit and quarter: otherwise a dry run (rows do not see each other) and the real run differ
            if identity in first:
                r.problems = [_duplicate(r.row, first[identity], identity)]
                continue
            first[identity] = r.row
        try:
            with session.begin_nested():  # SAVEPOINT: a refused row takes back only its own writes
                r.answer = usecases.submit_triwulan(
                    session, rt, key_unit=key_unit, body=r.body, dry_run=dry_run, received_at=received_at
                )
        except DomainError as exc:
            found = [ErrorItem(p.field, p.rule, p.message_id, p.message_en) for p in exc.problems]
            r.problems = _at_most_per_row(found)
        except ApiError as exc:
            r.problems = exc.errors
        except IntegrityError:  # a concurrent request took this unit's quarter first
            r.problems = [_concurrent()]
    refused = any(r.problems for r in rows)
    if atomic and refused:
        session.rollback()
        for r in rows:
            r.answer = None
        answer = _answer(rows, atomic)
        errors = [_masalah(_prefixed(r.row, e)) for r in rows for e in r.problems]
        refused_answer: a.BulkDitolak = {"errors": errors, **answer}
        return Outcome(422, refused_answer)
    if dry_run:
        session.rollback()
        return Outcome(200, _answer(rows, atomic))
    return Outcome(200, _answer(rows, atomic))


BULK_FIELDS = frozenset({"submissions"})
# problems listed per refused row (each listed twice: `errors` and `summary.conflicts`): 500 rows of a report's 100
# would answer a 1 MiB bulk with tens of MiB
MAX_PROBLEMS_PER_ROW = 5
MORE_IN_ROW = ErrorItem(
    None,
    "more_problems",
    f"Masalah lain di baris ini tidak dicantumkan (paling banyak {MAX_PROBLEMS_PER_ROW} per baris); perbaiki yang "
    "tercantum, lalu kirim lagi.",
    f"Further problems of this row are not listed (at most {MAX_PROBLEMS_PER_ROW} a row); fix those listed and send "
    "again.",
)


def _at_most_per_row(problems: list[ErrorItem]) -> list[ErrorItem]:
    if len(problems) <= MAX_PROBLEMS_PER_ROW:
        return problems
    return [*problems[:MAX_PROBLEMS_PER_ROW], MORE_IN_ROW]


def _submissions(body: Any, limit: int) -> list[Any]:
    if not isinstance(body, dict):
        raise api_error(422, "body", "not_an_object", "body: harus berupa objek", "body: must be an object")
    p = Problems()
    check_fields(p, body, BULK_FIELDS)  # `"atomik": false` must not run as atomic=true
    p.check()
    items = body.get("submissions")
    if not isinstance(items, list) or not items:
        rule = "not_a_list" if items is not None and not isinstance(items, list) else "required"
        raise api_error(
            422,
            "submissions",
            rule,
            "submissions: wajib berupa daftar laporan-triwulan yang tidak kosong",
            "submissions: must be a non-empty list of laporan-triwulan bodies",
        )
    if len(items) > limit:
        raise api_error(
            413,
            "submissions",
            "too_many_rows",
            f"submissions: paling banyak {limit} baris per permintaan, dikirim {len(items)}; bagi menjadi beberapa.",
            f"submissions: at most {limit} rows per request, got {len(items)}; split the batch.",
        )
    return items


def _authorize(session: Session, key_unit: str | None, rows: list[_Row]) -> None:
    """A unit's key acts for its unit and its children only: any other unit named refuses the whole request."""
    if key_unit is None:
        return
    errors = [
        ErrorItem(
            f"submissions[{r.row}].unit",
            "wrong_unit",
            f"Kunci API ini milik unit {key_unit}, tidak dapat melapor untuk {shown(r.get('unit'))} (baris {r.row}).",
            f"This API key belongs to unit {key_unit} and cannot report for {shown(r.get('unit'))} (row {r.row}).",
        )
        for r in rows
        if isinstance(r.get("unit"), str)
        and len(r.get("unit")) <= MAX_TEXT  # longer: no unit at all, the row's too_long
        and not handlers.may_act_for(session, key_unit, r.get("unit"))
    ]
    if errors:
        raise ApiError(403, errors)


def _duplicate(row: int, first: int, identity: tuple[Any, ...]) -> ErrorItem:
    tahun, triwulan, unit = (shown(v) for v in identity)
    return ErrorItem(
        "unit",
        "duplicate_row",
        f"unit: {unit} triwulan {triwulan} tahun {tahun} sudah ada di baris {first}; satu baris per unit dan triwulan.",
        f"unit: {unit} quarter {triwulan} of {tahun} is already in row {first}; one row per unit and quarter.",
    )


def _concurrent() -> ErrorItem:
    return ErrorItem(
        None,
        "concurrent_submission",
        "Ada pengiriman lain yang bersamaan untuk unit dan triwulan ini, ulangi.",
        "A concurrent submission for this unit and quarter won the race; retry.",
    )


def _prefixed(row: int, e: ErrorItem) -> ErrorItem:
    where = f"submissions[{row}]" + (f".{e.field}" if e.field and e.field != "body" else "")
    return ErrorItem(where, e.rule, e.message_id, e.message_en)


def _masalah(e: ErrorItem) -> a.Masalah:
    """An error item as the error body writes it (dataclasses.asdict's keys, in its order)."""
    return {"field": e.field, "rule": e.rule, "message_id": e.message_id, "message_en": e.message_en}


def _answer(rows: list[_Row], atomic: bool) -> a.BulkDiterima:
    summary: a.RingkasanBulk = {"imported": 0, "updated": 0, "ignored": 0, "conflicts": []}
    for r in rows:
        if r.answer:
            done = r.answer["summary"]
            summary["imported"] += done["imported"]
            summary["updated"] += done["updated"]
            summary["ignored"] += done["ignored"]
    summary["conflicts"] = [
        {"row": r.row, "unit": _as_sent(r.get("unit")), **_masalah(e)} for r in rows for e in r.problems
    ]
    results: list[a.BarisBulk] = [
        {
            "row": r.row,
            "unit": _as_sent(r.get("unit")),
            "triwulan": r.get("triwulan"),
            "submission_id": r.answer["submission_id"] if r.answer else None,
            "revision": r.answer["revision"] if r.answer else None,
            "status": "accepted" if r.answer else "rejected",
        }
        for r in rows
    ]
    return {"atomic": atomic, "summary": summary, "results": results}


def _as_sent(unit: Any) -> Any:
    """A row's unit as sent; one over the declared length (refused as too_long) only as a message would show it."""
    return shown(unit) if isinstance(unit, str) and len(unit) > MAX_TEXT else unit
