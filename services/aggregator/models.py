"""The aggregator's own tables: the PK it recaps against, the newest input per unit and quarter, and the
recap revisions it has published."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from shared.events.envelope import utcnow


class AggPk(SQLModel, table=True):
    __tablename__ = "agg_pk"
    tahun: int = Field(primary_key=True)
    version: int
    body: str = Field(sa_column=Column(Text, nullable=False))


class AggInput(SQLModel, table=True):
    """The highest revision of a unit's quarter snapshot (order of arrival does not matter)."""

    __tablename__ = "agg_input"
    tahun: int = Field(primary_key=True)
    triwulan: int = Field(primary_key=True)
    unit: str = Field(primary_key=True)
    revision: int
    submission_id: str
    values: str = Field(sa_column=Column(Text, nullable=False))  # JSON {indikator: nilai}
    anggaran_realisasi: str | None = None
    kendala: str | None = None
    solusi: str | None = None
    # JSON {indikator: {penyebab, kendala, solusi, tindak_lanjut}}: the snapshot's analysis, indicators with a text
    analisis: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    complete_on_time: bool | None = None  # on_time of the first snapshot holding all the unit's indicators


class AggPeriode(SQLModel, table=True):
    __tablename__ = "agg_periode"
    tahun: int = Field(primary_key=True)
    periode: str = Field(primary_key=True)
    closed: bool = False
    final: bool = False


class RekapRevision(SQLModel, table=True):
    __tablename__ = "agg_rekap_revision"
    tahun: int = Field(primary_key=True)
    periode: str = Field(primary_key=True)
    revision: int = Field(primary_key=True)
    status: str
    body: str = Field(sa_column=Column(Text, nullable=False))
    inputs: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class AggBulanan(SQLModel, table=True):
    """The highest revision of a unit's monthly snapshot seen (monthly progress; never part of a recap)."""

    __tablename__ = "agg_bulanan"
    tahun: int = Field(primary_key=True)
    bulan: int = Field(primary_key=True)
    unit: str = Field(primary_key=True)
    revision: int
    submission_id: str
    anggaran_realisasi: str | None = None


class AggTren(SQLModel, table=True):
    """The monthly trend: an indicator's value for a month as a unit reported it (from that unit's newest
    snapshot of the month)."""

    __tablename__ = "agg_tren"
    tahun: int = Field(primary_key=True)
    indikator: str = Field(primary_key=True)
    bulan: int = Field(primary_key=True)
    unit: str = Field(primary_key=True)
    nilai: str


class AggStale(SQLModel, table=True):
    """A year whose recaps wait for a recompute: its inputs changed while more events were waiting, so the work is
    done once for all of them (handlers.refresh). The newest such event is the recompute's cause."""

    __tablename__ = "agg_stale_year"
    tahun: int = Field(primary_key=True)
    event_id: str
    correlation_id: str
    marked_at: datetime = Field(default_factory=utcnow)
    # {periode: [event_id, correlation_id, traceparent]}: the newest waiting event that touched each period, the
    # cause its recap revision names (so an operator's trace still leads from a submission to its quarter's draft),
    # and the OpenTelemetry trace it was handled in ("" without one; rows from before hold only the first two)
    causes: str = "{}"


TABLES = [
    m.__table__  # type: ignore[attr-defined,union-attr]
    for m in (AggPk, AggInput, AggPeriode, RekapRevision, AggBulanan, AggTren, AggStale)
]
