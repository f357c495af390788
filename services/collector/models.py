"""The collector's own tables: PK versions, units and their keys, submissions, current values, periods."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from shared.events.envelope import utcnow
from shared.storage import file_table


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
    hint: str = Field(default="", sa_column_kwargs={"server_default": ""})  # its first characters, to tell keys apart
    revoked_at: datetime | None = None  # revoked: refused from the next request on (services/collector/keys.py)


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
    penyebab: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # the analysis (issue 15)
    kendala: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    solusi: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    tindak_lanjut: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
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
    penyebab: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # the analysis (issue 15)
    kendala: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    solusi: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    tindak_lanjut: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
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


class ReminderSent(SQLModel, table=True):
    """One row per unit, quarter and reminder point: a SubmissionOverdue is sent once, whichever collector process
    gets there first (the primary key settles the race)."""

    __tablename__ = "col_reminder"
    tahun: int = Field(primary_key=True)
    triwulan: int = Field(primary_key=True)
    unit: str = Field(primary_key=True)
    jenis: str = Field(primary_key=True)  # pengingat | terlambat
    missing: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of indicator codes
    sent_at: datetime = Field(default_factory=utcnow)


class Bukti(SQLModel, table=True):
    """An evidence file (bukti dukung) attached to a submission. The bytes live in the file store, content-addressed
    (bukti.files: data_dir/bukti/<sha256[:2]>/<sha256>, or col_file); one row per file per submission."""

    __tablename__ = "col_bukti"
    __table_args__ = (
        UniqueConstraint("submission_id", "sha256"),
        Index("ix_col_bukti_periode_unit", "tahun", "triwulan", "unit"),
    )
    id: str = Field(primary_key=True)
    submission_id: str = Field(index=True)
    tahun: int
    triwulan: int
    unit: str
    indikator: str | None = None
    keterangan: str | None = None
    filename: str  # as given, made safe for display
    content_type: str  # from the content, never from the name
    size: int
    sha256: str
    uploaded_at: datetime = Field(default_factory=utcnow)
    uploaded_by: str  # "unit:<kode>", "admin" or "official:<id>"


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "col_idempotency"
    key: str = Field(primary_key=True)
    caller: str = Field(primary_key=True)
    request_hash: str
    status_code: int
    response: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


FILES = file_table("col_file", SQLModel.metadata)  # the files kept in the database (shared/storage.py)

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
        ReminderSent,
        Bukti,
        IdempotencyRecord,
    )
]
TABLES.append(FILES)
