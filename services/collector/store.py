"""The SQL of the busiest path, a quarterly report: statements built once and run on the session's connection.

Building a SQLAlchemy statement costs about three times more than running it (≈0.3 ms against ≈0.1 ms on the
benchmark machine), and the ORM's unit of work more again; a report runs about ten statements, on SQLite while it
holds the one write lock. Same tables, same transaction as the ORM code around it (docs/benchmarks.md). On SQLite
they run on its own connection (shared/fastsql.py: SQLAlchemy's execution was a third of a report's Python calls)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlmodel import Session

from services.collector.core.report import keeps
from services.collector.core.validation import Analisis
from services.collector.models import CurrentValue, PeriodeState, PkVersion, ReportingWindow, Submission, UnitQuarter
from shared.fastsql import Fast
from shared.groupcommit import batch_cache, connection


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


PK, WINDOW, PERIODE = _table(PkVersion), _table(ReportingWindow), _table(PeriodeState)
QUARTER, VALUE, SUBMISSION = _table(UnitQuarter), _table(CurrentValue), _table(Submission)

_PK_VERSION = select(func.max(PK.c.version)).where(PK.c.tahun == bindparam("tahun"))
_WINDOW = select(WINDOW.c.opens_at, WINDOW.c.deadline).where(
    WINDOW.c.tahun == bindparam("tahun"), WINDOW.c.triwulan == bindparam("triwulan")
)
_PERIODE = select(PERIODE.c.status, PERIODE.c.reopened).where(
    PERIODE.c.tahun == bindparam("tahun"), PERIODE.c.triwulan == bindparam("triwulan")
)
_QUARTER_KEY = (
    QUARTER.c.tahun == bindparam("k_tahun"),
    QUARTER.c.triwulan == bindparam("k_triwulan"),
    QUARTER.c.unit == bindparam("k_unit"),
)
_QUARTER = select(QUARTER).where(*_QUARTER_KEY)
_QUARTER_LOCKED = _QUARTER.with_for_update()
_QUARTER_UPDATE = update(QUARTER).where(*_QUARTER_KEY)
_QUARTER_INSERT, _VALUE_INSERT, _SUBMISSION_INSERT = insert(QUARTER), insert(VALUE), insert(SUBMISSION)
_VALUES = select(
    VALUE.c.indikator,
    VALUE.c.nilai,
    VALUE.c.keterangan,
    VALUE.c.penyebab,
    VALUE.c.kendala,
    VALUE.c.solusi,
    VALUE.c.tindak_lanjut,
).where(
    VALUE.c.tahun == bindparam("tahun"), VALUE.c.triwulan == bindparam("triwulan"), VALUE.c.unit == bindparam("unit")
)
_VALUE_UPDATE = (
    update(VALUE)
    .where(
        VALUE.c.tahun == bindparam("k_tahun"),
        VALUE.c.triwulan == bindparam("k_triwulan"),
        VALUE.c.indikator == bindparam("k_indikator"),
    )
    .values(
        nilai=bindparam("v_nilai"),
        keterangan=bindparam("v_keterangan"),
        penyebab=bindparam("v_penyebab"),
        kendala=bindparam("v_kendala"),
        solusi=bindparam("v_solusi"),
        tindak_lanjut=bindparam("v_tindak_lanjut"),
        revision=bindparam("v_revision"),
        submission_id=bindparam("v_submission_id"),
    )
)
# each run on SQLite's own connection, SQLAlchemy's conversions kept (shared/fastsql.py); elsewhere as before
PK_VERSION, WINDOW_ROW, PERIODE_ROW, VALUES = Fast(_PK_VERSION), Fast(_WINDOW), Fast(_PERIODE), Fast(_VALUES)
QUARTER_ROW, QUARTER_LOCKED, QUARTER_UPDATE = Fast(_QUARTER), Fast(_QUARTER_LOCKED), Fast(_QUARTER_UPDATE)
QUARTER_INSERT, VALUE_INSERT, SUBMISSION_INSERT = Fast(_QUARTER_INSERT), Fast(_VALUE_INSERT), Fast(_SUBMISSION_INSERT)
VALUE_UPDATE = Fast(_VALUE_UPDATE)


def pk_version(session: Session, tahun: int) -> int | None:
    """The newest PK version of the year (None: no PK); once per group commit's transaction."""
    cache = batch_cache(session)
    if cache is not None and ("pk", tahun) in cache:
        return cache[("pk", tahun)]  # type: ignore[no-any-return]
    rows = PK_VERSION.rows(connection(session), {"tahun": tahun})
    version = rows[0][0] if rows else None
    if cache is not None:
        cache[("pk", tahun)] = version
    return version  # type: ignore[no-any-return]


def window_row(session: Session, tahun: int, triwulan: int) -> tuple[datetime, datetime] | None:
    """The quarter's row of the year's calendar: (opens_at, deadline), None when no calendar was set; once per group
    commit's transaction."""
    cache = batch_cache(session)
    if cache is not None and ("window", tahun, triwulan) in cache:
        return cache[("window", tahun, triwulan)]  # type: ignore[no-any-return]
    rows = WINDOW_ROW.rows(connection(session), {"tahun": tahun, "triwulan": triwulan})
    found = (rows[0][0], rows[0][1]) if rows else None
    if cache is not None:
        cache[("window", tahun, triwulan)] = found
    return found


def periode_status(session: Session, tahun: int, triwulan: int) -> tuple[str, str]:
    """(status, reopened units as JSON) of a quarter; a quarter without a row is open. Once per group commit's
    transaction: no report writes it (closing, reopening and finalising are their own transactions), and the batch
    holds SQLite's write lock from its BEGIN IMMEDIATE, so no other transaction changes it meanwhile."""
    cache = batch_cache(session)
    if cache is not None and ("periode", tahun, triwulan) in cache:
        return cache[("periode", tahun, triwulan)]  # type: ignore[no-any-return]
    rows = PERIODE_ROW.rows(connection(session), {"tahun": tahun, "triwulan": triwulan})
    found = (rows[0][0], rows[0][1]) if rows else ("open", "[]")
    if cache is not None:
        cache[("periode", tahun, triwulan)] = found
    return found


class QuarterRow(TypedDict):
    """A row of col_unit_quarter (UnitQuarter)."""

    tahun: int
    triwulan: int
    unit: str
    revision: int
    anggaran_realisasi: str | None
    kendala: str | None
    solusi: str | None
    last_submission_id: str | None
    last_received_at: datetime | None
    completed_at: datetime | None


class SubmissionRow(TypedDict):
    """A row of col_submission (Submission)."""

    id: str
    tahun: int
    triwulan: int
    unit: str
    revision: int
    changed: bool
    received_at: datetime
    on_time: bool
    body: str  # the report as sent, JSON


@dataclass
class HeldQuarter:
    """A unit's quarter as stored (col_unit_quarter); `stored` says whether the row exists yet."""

    tahun: int
    triwulan: int
    unit: str
    revision: int = 0
    anggaran_realisasi: str | None = None
    kendala: str | None = None
    solusi: str | None = None
    last_submission_id: str | None = None
    last_received_at: datetime | None = None
    completed_at: datetime | None = None
    stored: bool = False

    def columns(self) -> QuarterRow:
        return {
            "tahun": self.tahun,
            "triwulan": self.triwulan,
            "unit": self.unit,
            "revision": self.revision,
            "anggaran_realisasi": self.anggaran_realisasi,
            "kendala": self.kendala,
            "solusi": self.solusi,
            "last_submission_id": self.last_submission_id,
            "last_received_at": self.last_received_at,
            "completed_at": self.completed_at,
        }


@dataclass
class HeldValue:
    indikator: str
    nilai: str
    keterangan: str | None
    penyebab: str | None = None
    kendala: str | None = None
    solusi: str | None = None
    tindak_lanjut: str | None = None


def load_quarter(session: Session, tahun: int, triwulan: int, unit: str, *, lock: bool) -> HeldQuarter:
    """The unit's quarter, locked for this transaction when `lock` (PostgreSQL; SQLite's writer already is alone)."""
    key = {"k_tahun": tahun, "k_triwulan": triwulan, "k_unit": unit}
    rows = (QUARTER_LOCKED if lock else QUARTER_ROW).mappings(connection(session), key)
    if not rows:
        return HeldQuarter(tahun, triwulan, unit)
    return HeldQuarter(**rows[0], stored=True)


def save_quarter(session: Session, quarter: HeldQuarter) -> None:
    """Insert the row the first time (a concurrent first report then fails on the primary key), else update it."""
    values = quarter.columns()
    conn = connection(session)
    if quarter.stored:
        key = {"k_tahun": quarter.tahun, "k_triwulan": quarter.triwulan, "k_unit": quarter.unit}
        QUARTER_UPDATE.run(conn, {**key, **values})
    else:
        QUARTER_INSERT.run(conn, values)
        quarter.stored = True


def current_values(session: Session, tahun: int, triwulan: int, unit: str) -> dict[str, HeldValue]:
    params = {"tahun": tahun, "triwulan": triwulan, "unit": unit}
    return {r[0]: HeldValue(*r) for r in VALUES.rows(connection(session), params)}


def save_values(
    session: Session,
    *,
    tahun: int,
    triwulan: int,
    unit: str,
    changes: list[tuple[str, str, str | None]],
    analisis: Mapping[str, Analisis],
    held: dict[str, HeldValue],
    revision: int,
    submission_id: str,
) -> None:
    """Write each changed value (a keterangan or an analysis field left out keeps the one held) and update `held`
    to match."""
    inserts, updates = [], []
    for kode, nilai, keterangan in changes:
        old = held.get(kode)
        if keterangan is None and old is not None:
            keterangan = old.keterangan
        texts = keeps(old, analisis.get(kode, {}))
        if old is None:
            inserts.append(
                {
                    "tahun": tahun,
                    "triwulan": triwulan,
                    "indikator": kode,
                    "unit": unit,
                    "nilai": nilai,
                    "keterangan": keterangan,
                    **texts,
                    "revision": revision,
                    "submission_id": submission_id,
                }
            )
        else:
            updates.append(
                {
                    "k_tahun": tahun,
                    "k_triwulan": triwulan,
                    "k_indikator": kode,
                    "v_nilai": nilai,
                    "v_keterangan": keterangan,
                    **{f"v_{key}": text for key, text in texts.items()},
                    "v_revision": revision,
                    "v_submission_id": submission_id,
                }
            )
        held[kode] = HeldValue(kode, nilai, keterangan, **texts)
    conn = connection(session)
    if inserts:
        VALUE_INSERT.run(conn, inserts)
    if updates:
        VALUE_UPDATE.run(conn, updates)


def add_submission(session: Session, values: SubmissionRow) -> None:
    SUBMISSION_INSERT.run(connection(session), values)
