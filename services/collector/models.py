"""The collector's own tables: PK versions, units and their keys, submissions, current values, periods."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.events.envelope import utcnow


class PkVersion(SQLModel, table=True):
    __tablename__ = "col_pk_version"
    tahun: int = Field(primary_key=True)
    version: int = Field(primary_key=True)
    body: str = Field(sa_column=Column(Text, nullable=False))  # the PK document as JSON
    created_at: datetime = Field(default_factory=utcnow)


class Unit(SQLModel, table=True):
    __tablename__ = "col_unit"
    kode: str = Field(primary_key=True)
    nama: str
    jenis: str
    induk: str | None = None


class ApiKey(SQLModel, table=True):
    __tablename__ = "col_api_key"
    id: int | None = Field(default=None, primary_key=True)
    unit: str = Field(index=True)
    key_hash: str = Field(unique=True, index=True)  # the key itself is shown once, never stored
    created_at: datetime = Field(default_factory=utcnow)


class Submission(SQLModel, table=True):
    """Every accepted request, as received (the audit trail keeps old values)."""

    __tablename__ = "col_submission"
    __table_args__ = (UniqueConstraint("tahun", "triwulan", "unit", "revision", "changed"),)
    id: str = Field(primary_key=True)
    tahun: int = Field(index=True)
    triwulan: int
    unit: str = Field(index=True)
    revision: int
    changed: bool  # False when it changed nothing (no new revision)
    received_at: datetime
    on_time: bool
    body: str = Field(sa_column=Column(Text, nullable=False))


class CurrentValue(SQLModel, table=True):
    __tablename__ = "col_current_value"
    tahun: int = Field(primary_key=True)
    triwulan: int = Field(primary_key=True)
    indikator: str = Field(primary_key=True)
    unit: str = Field(index=True)
    nilai: str
    keterangan: str | None = None
    revision: int
    submission_id: str


class UnitQuarter(SQLModel, table=True):
    __tablename__ = "col_unit_quarter"
    tahun: int = Field(primary_key=True)
    triwulan: int = Field(primary_key=True)
    unit: str = Field(primary_key=True)
    revision: int = 0
    anggaran_realisasi: str | None = None
    kendala: str | None = None
    solusi: str | None = None
    last_submission_id: str | None = None
    last_received_at: datetime | None = None
    completed_at: datetime | None = None  # first moment every indicator of the unit had a value


class BulananSubmission(SQLModel, table=True):
    """Every accepted monthly report that changed something, as received (monthly progress, never recapped)."""

    __tablename__ = "col_bulanan_submission"
    __table_args__ = (UniqueConstraint("tahun", "bulan", "unit", "revision"),)
    id: str = Field(primary_key=True)
    tahun: int = Field(index=True)
    bulan: int
    unit: str = Field(index=True)
    revision: int
    received_at: datetime
    on_time: bool
    body: str = Field(sa_column=Column(Text, nullable=False))


class BulananValue(SQLModel, table=True):
    """A unit's current value of an indicator for a month."""

    __tablename__ = "col_bulanan_value"
    tahun: int = Field(primary_key=True)
    bulan: int = Field(primary_key=True)
    unit: str = Field(primary_key=True)
    indikator: str = Field(primary_key=True)
    nilai: str
    keterangan: str | None = None
    revision: int
    submission_id: str


class UnitMonth(SQLModel, table=True):
    """A unit's month: its revision and its latest anggaran, kendala and solusi."""

    __tablename__ = "col_unit_month"
    tahun: int = Field(primary_key=True)
    bulan: int = Field(primary_key=True)
    unit: str = Field(primary_key=True)
    revision: int = 0
    anggaran_realisasi: str | None = None
    kendala: str | None = None
    solusi: str | None = None
    last_submission_id: str | None = None
    last_received_at: datetime | None = None


class PeriodeState(SQLModel, table=True):
    __tablename__ = "col_periode_state"
    tahun: int = Field(primary_key=True)
    triwulan: int = Field(primary_key=True)
    status: str = "open"  # open | closed | final
    reopened: str = "[]"  # JSON list of unit codes reopened by a KoreksiRequested


class ReportingWindow(SQLModel, table=True):
    """A year's reporting calendar (set by an admin): when each quarter's window opens and its deadline.
    Times are stored in UTC; a year without rows uses the defaults (handlers.default_window)."""

    __tablename__ = "col_reporting_window"
    tahun: int = Field(primary_key=True)
    triwulan: int = Field(primary_key=True)
    opens_at: datetime
    deadline: datetime
    updated_at: datetime = Field(default_factory=utcnow)


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "col_idempotency"
    key: str = Field(primary_key=True)
    caller: str = Field(primary_key=True)
    request_hash: str
    status_code: int
    response: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


TABLES = [
    m.__table__  # type: ignore[attr-defined,union-attr]
    for m in (
        PkVersion,
        Unit,
        ApiKey,
        Submission,
        CurrentValue,
        UnitQuarter,
        BulananSubmission,
        BulananValue,
        UnitMonth,
        PeriodeState,
        ReportingWindow,
        IdempotencyRecord,
    )
]
