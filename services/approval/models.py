"""The approval service's own tables: officials, drafts under review, and every transition of a draft."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from shared.events.envelope import utcnow
from shared.storage import file_table


class Official(SQLModel, table=True):
    __tablename__ = "apv_official"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True)
    password_hash: str
    nama: str
    nip: str = ""
    jabatan: str = ""
    # printed in the signature block under the name: "Pembina Utama Muda (IV/c)"; empty when none is on file
    pangkat: str = Field(default="", sa_column_kwargs={"server_default": ""})
    golongan: str = Field(default="", sa_column_kwargs={"server_default": ""})
    role: str  # kepala_dinas sekretaris kabid subkor kasi staf operator
    unit: str | None = None
    active: bool = True
    failed_logins: int = 0  # unused since logins are throttled in Redis (services/approval/login.py)
    locked_until: datetime | None = None  # unused, as failed_logins
    created_at: datetime = Field(default_factory=utcnow)
    # raised by deactivation and a password reset: every service refuses tokens of an older one (shared/revocation.py)
    token_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class WebSessionRow(SQLModel, table=True):
    """A logged-in web session: the cookie names it, logout deletes it, so a copied cookie dies with it."""

    __tablename__ = "apv_web_session"
    id: str = Field(primary_key=True)  # SHA-256 of the session id in the cookie (the id itself is not stored)
    official_id: int = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)


class DraftRow(SQLModel, table=True):
    """The current version of one report (`<tahun>-<periode>`); `data` is the domain Draft (chain position,
    compiler, history of this version)."""

    __tablename__ = "apv_draft"
    id: str = Field(primary_key=True)
    jenis: str
    tahun: int = Field(index=True)
    periode: str
    version: int
    document_id: str
    recap_revision: int
    state: str  # menunggu | dikembalikan | final
    data: str = Field(sa_column=Column(Text, nullable=False))
    stage_started_at: datetime = Field(default_factory=utcnow)  # the SOP step's clock
    updated_at: datetime = Field(default_factory=utcnow)


class DraftHistory(SQLModel, table=True):
    """Every transition of a draft: rendered, submitted, approved, returned, superseded, final."""

    __tablename__ = "apv_draft_history"
    id: int | None = Field(default=None, primary_key=True)
    draft_id: str = Field(index=True)
    version: int
    action: str
    step: int | None = None
    actor_id: int | None = None
    actor_nama: str | None = None
    actor_role: str | None = None
    note: str | None = Field(default=None, sa_column=Column(Text))
    at: datetime = Field(default_factory=utcnow)
    detail: str | None = Field(default=None, sa_column=Column(Text))  # JSON: a koreksi's units and indikator


class RekapRow(SQLModel, table=True):
    """Every revision of a period's recap as the aggregator published it (RekapCompleted): a draft version shows
    the one with its `recap_revision`, and what changed is read against the previous version's."""

    __tablename__ = "apv_rekap"
    tahun: int = Field(primary_key=True)
    periode: str = Field(primary_key=True)
    revision: int = Field(primary_key=True)
    status: str = ""
    body: str = Field(sa_column=Column(Text, nullable=False))  # {"rekap": {...}, "inputs": {"<tw>:<unit>": rev}}
    received_at: datetime = Field(default_factory=utcnow)


class DraftVersionRow(SQLModel, table=True):
    """Each version of a draft as the renderer made it: its document and the recap revision it was drawn from."""

    __tablename__ = "apv_draft_version"
    draft_id: str = Field(primary_key=True)
    version: int = Field(primary_key=True)
    document_id: str
    recap_revision: int
    rendered_at: datetime = Field(default_factory=utcnow)


class DisposisiRow(SQLModel, table=True):
    """A disposition (SOP steps 1, 2, 6): from an official to a role or a person, numbered per year
    (`001/DISNAKER/PSM/2024`). Its SOP step's clock runs from `issued_at` until the recipient marks it done."""

    __tablename__ = "apv_disposisi"
    id: int | None = Field(default=None, primary_key=True)
    nomor: str = Field(unique=True, index=True)
    tahun: int = Field(index=True)
    urut: int  # the sequence number within the year
    langkah: int | None = None  # the SOP step it starts
    periode: str | None = None
    dari_id: int = Field(index=True)
    kepada_role: str | None = None  # to a role (anyone holding it) ...
    kepada_id: int | None = Field(default=None, index=True)  # ... or to one official
    instruksi: str = Field(sa_column=Column(Text, nullable=False))
    catatan: str | None = Field(default=None, sa_column=Column(Text))
    batas_waktu: date | None = None
    issued_at: datetime = Field(default_factory=utcnow)
    selesai_at: datetime | None = None
    selesai_by: int | None = None
    # a follow-up (tindak lanjut, issue 17): a disposition tied to named indicators, with the unit that answers for
    # it and the result expected; `hasil` is what came of it, written when it is marked done (evidence files in
    # apv_disposisi_bukti). Empty `indikator` ("[]"): an ordinary disposition.
    indikator: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})  # JSON list of indicator codes
    unit: str | None = None  # the responsible unit's code
    hasil_diharapkan: str | None = Field(default=None, sa_column=Column(Text))
    sumber: str | None = None  # where it was issued from: "rekap:2024-TW2", "draf:2024-TAHUNAN"
    hasil: str | None = Field(default=None, sa_column=Column(Text))


class SosialisasiRow(SQLModel, table=True):
    """A draft circulated to chosen officials (SOP steps 5 and 8); each recipient's read receipt is a
    `SosialisasiPenerima.read_at`."""

    __tablename__ = "apv_sosialisasi"
    id: int | None = Field(default=None, primary_key=True)
    draft_id: str = Field(index=True)
    version: int
    tahun: int = Field(index=True)
    langkah: int  # 5 (quarterly, final) or 8 (semester / annual draft)
    dari_id: int
    catatan: str | None = Field(default=None, sa_column=Column(Text))
    sent_at: datetime = Field(default_factory=utcnow)


class SosialisasiPenerima(SQLModel, table=True):
    __tablename__ = "apv_sosialisasi_penerima"
    sosialisasi_id: int = Field(primary_key=True)
    official_id: int = Field(primary_key=True, index=True)
    read_at: datetime | None = None


class PengingatRow(SQLModel, table=True):
    """A `SubmissionOverdue` from the collector: a unit still owes a quarter's data (shown to the Sub Koordinator)."""

    __tablename__ = "apv_pengingat"
    tahun: int = Field(primary_key=True)
    periode: str = Field(primary_key=True)
    unit: str = Field(primary_key=True)
    jenis: str = Field(primary_key=True)  # pengingat (before the deadline) | terlambat (after it)
    nama_unit: str | None = None
    deadline: datetime
    missing: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of indicator codes still owed
    received_at: datetime = Field(default_factory=utcnow)
    selesai_at: datetime | None = None  # when the recap showed every missing indicator reported


class FinalDocumentRow(SQLModel, table=True):
    """The final documents the renderer published for a draft version (`DocumentPublished`): what the draft page and
    its circulations serve once the draft is final, with each file's SHA-256."""

    __tablename__ = "apv_final_document"
    draft_id: str = Field(primary_key=True)
    version: int = Field(primary_key=True)
    document_id: str
    files: str = Field(sa_column=Column(Text, nullable=False))  # JSON: format -> sha256
    published_at: datetime = Field(default_factory=utcnow)


class DisposisiBukti(SQLModel, table=True):
    """An evidence file of a disposition's result (a follow-up's proof of use): its bytes in the file store by their
    SHA-256 (bukti.files: the service's data folder, or apv_file)."""

    __tablename__ = "apv_disposisi_bukti"
    disposisi_id: int = Field(primary_key=True)
    sha256: str = Field(primary_key=True)
    nama: str  # the file name as uploaded (cleaned)
    media_type: str
    size: int
    uploaded_by: int
    uploaded_at: datetime = Field(default_factory=utcnow)


class PerjanjianKinerjaRow(SQLModel, table=True):
    """Every version of a year's PK as the collector published it (PerjanjianKinerjaPublished): the quality check of
    a report reads the newest (Renstra targets, past years, benchmarks)."""

    __tablename__ = "apv_pk"
    tahun: int = Field(primary_key=True)
    version: int = Field(primary_key=True)
    body: str = Field(sa_column=Column(Text, nullable=False))  # the typed PK as JSON (PerjanjianKinerja)
    received_at: datetime = Field(default_factory=utcnow)


class EvaluasiRow(SQLModel, table=True):
    """A year's self-assessment against the evaluation worksheet (evaluasi.yaml): open until the inspektorat closes
    it; then its score and grade are kept (the trend across years)."""

    __tablename__ = "apv_evaluasi"
    tahun: int = Field(primary_key=True)
    state: str = "terbuka"  # terbuka | ditutup
    lembar: str = ""  # the worksheet it was answered against (its `kode`, e.g. "PermenPANRB-88-2021")
    nilai: str | None = None  # the closing score as exact decimal text ("72.35")
    predikat: str | None = None  # the grade at closing (AA … D)
    rincian: str | None = Field(default=None, sa_column=Column(Text))  # JSON: score per component at closing
    opened_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    closed_by: int | None = None


class EvaluasiJawaban(SQLModel, table=True):
    """One criterion's answers in a year's self-assessment: the office's (`jawaban`, with its note and evidence),
    the inspektorat's comment and final answer (`jawaban_akhir`)."""

    __tablename__ = "apv_evaluasi_jawaban"
    tahun: int = Field(primary_key=True)
    kriteria: str = Field(primary_key=True)  # the criterion's code in the worksheet ("3.b.4")
    jawaban: str | None = None  # the office's answer (a letter of the criterion's scale)
    catatan: str | None = Field(default=None, sa_column=Column(Text))  # the office's note
    bukti: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON list of {judul, tautan}
    komentar: str | None = Field(default=None, sa_column=Column(Text))  # the inspektorat's comment
    jawaban_akhir: str | None = None  # the inspektorat's final answer
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = None


FILES = file_table("apv_file", SQLModel.metadata)  # the files kept in the database (shared/storage.py)

TABLES = [
    m.__table__  # type: ignore[attr-defined,union-attr]
    for m in (
        Official, DraftRow, DraftHistory, RekapRow, DraftVersionRow, DisposisiRow, SosialisasiRow, SosialisasiPenerima,
        PengingatRow, WebSessionRow, FinalDocumentRow, DisposisiBukti, PerjanjianKinerjaRow, EvaluasiRow,
        EvaluasiJawaban,
    )
]  # fmt: skip  # type: ignore[attr-defined,union-attr]
TABLES.append(FILES)
