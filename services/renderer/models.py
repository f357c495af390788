"""The renderer's own tables: the PK it names things from, and every document version it produced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from shared.events.envelope import utcnow
from shared.storage import file_table


class RenPk(SQLModel, table=True):
    __tablename__ = "ren_pk"
    tahun: int = Field(primary_key=True)
    version: int
    body: str = Field(sa_column=Column(Text, nullable=False))


class Document(SQLModel, table=True):
    """One version of one report; a final one is immutable and carries its hashes and approval chain."""

    __tablename__ = "ren_document"
    __table_args__ = (UniqueConstraint("draft_id", "version", "status"),)
    id: str = Field(primary_key=True)
    draft_id: str = Field(index=True)  # "<tahun>-<periode>"
    jenis: str  # triwulan | semester | tahunan
    tahun: int = Field(index=True)
    periode: str
    version: int
    recap_revision: int
    content_hash: str  # of the recap content it shows: an unchanged recap costs no render
    status: str  # draft | final
    sha256: str = Field(sa_column=Column(Text, nullable=False))  # JSON {format: sha256}
    folder: str
    rekap: str = Field(sa_column=Column(Text, nullable=False))
    approvals: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    # RekapCompleted.inputs of the recap shown, as JSON: which quarter recaps its rows per quarter come from (None:
    # drawn before migration 0003)
    inputs: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)


class PendingDraft(SQLModel, table=True):
    """The newest complete recap of a period whose draft was left for later while more events waited: rendered once
    for all of them (handlers.render_pending)."""

    __tablename__ = "ren_pending_draft"
    draft_id: str = Field(primary_key=True)
    revision: int  # of the recap
    event: str = Field(sa_column=Column(Text, nullable=False))  # the RekapCompleted envelope, as JSON
    marked_at: datetime = Field(default_factory=utcnow)
    failures: int = 0  # renders that raised; at max_deliveries the event is dead-lettered like a handler's
    claimed_by: str | None = None  # the drawer (process) drawing it; another leaves it alone until claimed_at+lease
    claimed_at: datetime | None = None
    # the recap's RekapCompleted.more_expected (a burst goes on): the draft waits draft_burst_settle_ms, not
    # draft_settle_ms, for its recap to stay unchanged
    more_expected: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # when the period's draft first waited (kept when a newer recap replaces the waiting one; None in rows from
    # before: marked_at counts): it is drawn at the latest draft_settle_max_ms after, however often its recap changes
    waiting_since: datetime | None = None


class QuarterRecap(SQLModel, table=True):
    """Every complete (or final) recap of a single quarter the renderer has been sent, with the inputs it was
    computed from: a semester or annual report's rows per quarter are the quarter recaps drawn from the same inputs
    as its own recap (handlers.quarter_recaps), also after a quarter was final and no new draft of it is drawn."""

    __tablename__ = "ren_quarter_recap"
    tahun: int = Field(primary_key=True)
    periode: str = Field(primary_key=True)  # TW1..TW4
    revision: int = Field(primary_key=True)
    body: str = Field(sa_column=Column(Text, nullable=False))  # RekapCompleted.rekap, as JSON
    inputs: str = Field(sa_column=Column(Text, nullable=False))  # RekapCompleted.inputs, as JSON
    created_at: datetime = Field(default_factory=utcnow)


class TindakLanjutRow(SQLModel, table=True):
    """A follow-up (tindak lanjut, issue 17): a disposition naming indicators, kept for the LKIP's section on the
    year's follow-ups (lkip.py). Joined from DisposisiIssued (what was asked) and DisposisiCompleted (what came of
    it), in whichever order they arrive: a completion seen first is kept (issued_at None) until its issue joins it."""

    __tablename__ = "ren_tindak_lanjut"
    nomor: str = Field(primary_key=True)
    tahun: int = Field(index=True)
    periode: str | None = None
    indikator: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON list of indicator codes
    unit: str | None = None  # the responsible unit's code
    dari: str | None = Field(default=None, sa_column=Column(Text, nullable=True))  # JSON, as DisposisiIssued
    kepada: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    instruksi: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    hasil_diharapkan: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    batas_waktu: str | None = None  # ISO date
    sumber: str | None = None
    issued_at: datetime | None = None  # DisposisiIssued's moment; None while only the completion is known
    selesai_at: datetime | None = None
    hasil: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    bukti: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON list of BuktiFile
    updated_at: datetime = Field(default_factory=utcnow)


FILES = file_table("ren_file", SQLModel.metadata)  # the files kept in the database (shared/storage.py)

TABLES = [m.__table__ for m in (RenPk, Document, PendingDraft, QuarterRecap, TindakLanjutRow)]  # type: ignore[attr-defined,union-attr]
TABLES.append(FILES)
