"""Typed, versioned payloads for every event of docs/design.md §2, and the upcasters.

Additive optional fields keep the version; a rename or a change of meaning bumps it, and consumers upcast old
versions at the edge (`parse_payload`). Producers emit only the newest version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, field_validator, model_serializer

from shared.events.envelope import Envelope
from shared.events.versions import current_version
from shared.sakip import ANALISIS_FIELDS, JsonObject, Periode, PerjanjianKinerja, Rekap
from shared.sakip.rekap import Status


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


def _read(read: Callable[[JsonObject], Any], value: Any) -> Any:
    """A typed field also takes its document form (v1's, what tests and `lapkin reconcile` build); a malformed one is
    a validation error (dead-lettered), not a crash."""
    if not isinstance(value, dict):
        return value
    try:
        return read(value)
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise ValueError(f"not a document ({type(exc).__name__}: {exc})") from exc


class PerjanjianKinerjaPublished(Payload):
    """A new version of the year's Perjanjian Kinerja. v2: the typed PK (targets as `nilai` or `min`/`max`); v1
    carried the document as sent (upcast by `_pk_v1`)."""

    tahun: int
    version: int
    pk: PerjanjianKinerja

    @field_validator("pk", mode="before")
    @classmethod
    def _typed_or_document(cls, value: Any) -> Any:
        return _read(PerjanjianKinerja.read, value)


class NilaiItem(Payload):
    """One indicator's value in a unit's snapshot: the figure, its note (`keterangan`: source, correction) and the
    unit's analysis of it (issue 15; optional, so snapshots sent before still parse)."""

    indikator: str
    nilai: str
    keterangan: str | None = None
    penyebab: str | None = None  # why the target was met or missed
    kendala: str | None = None  # what stood in the way
    solusi: str | None = None  # what was done about it
    tindak_lanjut: str | None = None  # what will be done next

    @model_serializer(mode="wrap")
    def _analysis_only_when_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """An item without analysis is written as before issue 15 (indikator, nilai, keterangan)."""
        out: dict[str, Any] = handler(self)
        return {k: v for k, v in out.items() if v is not None or k not in ANALISIS_FIELDS}


class TriwulanSubmitted(Payload):
    """A snapshot of the unit's complete current values for the quarter, not a delta."""

    tahun: int
    triwulan: int
    unit: str
    submission_id: str
    revision: int
    realisasi: list[NilaiItem]
    on_time: bool
    received_at: str
    anggaran: dict[str, str] | None = None
    kendala: str | None = None
    solusi: str | None = None


class BulananSubmitted(Payload):
    """A snapshot of the unit's complete current values for the month (monthly progress; never in a recap)."""

    tahun: int
    bulan: int
    unit: str
    submission_id: str
    revision: int
    realisasi: list[NilaiItem]
    on_time: bool = True
    anggaran: dict[str, str] | None = None
    received_at: str | None = None
    kendala: str | None = None
    solusi: str | None = None


class PeriodeClosed(Payload):
    tahun: int
    periode: str
    closed_by: str


class SubmissionOverdue(Payload):
    """One summary per unit and reminder point (not one per indicator)."""

    tahun: int
    periode: str
    unit: str
    deadline: str
    missing_indikator: list[str]
    jenis: str = "terlambat"  # "pengingat": N days before the deadline; "terlambat": the deadline has passed
    nama_unit: str | None = None


class RekapCompleted(Payload):
    """A new revision of a period's recap. v2: the typed recap (figures as exact decimal text, a range target as
    `min`/`max`); v1 carried the recap document (a range as "15.00-25.00"; upcast by `_rekap_v1`)."""

    tahun: int
    periode: Periode
    revision: int
    status: Status
    rekap: Rekap
    inputs: dict[str, int]  # "<triwulan>:<unit>" -> revision used
    # computed while reports for the year were still arriving (the aggregator coalesces a burst): a newer revision
    # is expected within the recap window, so the renderer waits for the burst to end before drawing (a hint only:
    # events without it, from before, read False)
    more_expected: bool = False

    @field_validator("rekap", mode="before")
    @classmethod
    def _typed_or_document(cls, value: Any) -> Any:
        return _read(Rekap.read, value)


class Actor(Payload):
    id: int | str
    nama: str
    nip: str | None = None
    jabatan: str | None = None
    role: str | None = None


class DraftRendered(Payload):
    draft_id: str
    document_id: str
    jenis: str
    tahun: int
    periode: str
    version: int
    recap_revision: int
    files: dict[str, str]  # format -> sha256


class DraftDecision(Payload):
    """Common shape of DraftSubmittedForReview, DraftApproved and KoreksiRequested."""

    draft_id: str
    tahun: int
    periode: str
    jenis: str
    version: int
    step: int | str
    actor: Actor
    note: str | None = None
    final: bool = False
    chain: list[dict[str, Any]] = []
    units: list[str] = []
    indikator: list[str] = []


class DraftSubmittedForReview(DraftDecision):
    pass


class DraftApproved(DraftDecision):
    pass


class KoreksiRequested(DraftDecision):
    pass


class DisposisiIssued(Payload):
    """A disposition; a follow-up (tindak lanjut, issue 17) also names its indicators, the responsible unit, the
    result expected and where it was issued from (optional, so dispositions sent before still parse)."""

    nomor: str
    dari: dict[str, Any]
    kepada: dict[str, Any]
    instruksi: str
    batas_waktu: str | None = None
    catatan: str | None = None
    tahun: int | None = None
    periode: str | None = None
    indikator: list[str] = []
    unit: str | None = None
    hasil_diharapkan: str | None = None
    sumber: str | None = None  # "rekap:2024-TW2", "draf:2024-TAHUNAN"


class BuktiFile(Payload):
    """An evidence file: its name as uploaded, media type, size and SHA-256 (the approval service serves it)."""

    sha256: str
    nama: str
    media_type: str
    size: int


class DisposisiCompleted(Payload):
    """A disposition marked done by its recipient: when, by whom, what came of it (`hasil`) and its evidence."""

    nomor: str
    tahun: int
    selesai_at: str
    oleh: Actor
    hasil: str | None = None
    bukti: list[BuktiFile] = []
    indikator: list[str] = []  # a follow-up's indicators, repeated so a consumer needs no other event
    unit: str | None = None


class EvaluasiAnswered(Payload):
    """One change to a year's self-assessment: the office's answer (with note and evidence) or the inspektorat's
    comment or final answer to one criterion of the worksheet."""

    tahun: int
    lembar: str  # the worksheet's code
    kriteria: str
    bagian: str  # jawaban | komentar | jawaban_akhir
    nilai: str | None = None  # the answer letter, or the comment's text
    catatan: str | None = None
    bukti: list[dict[str, str]] = []  # {judul, tautan}
    oleh: Actor


class EvaluasiClosed(Payload):
    """The inspektorat closed a year's self-assessment: the score, the grade and the score per component."""

    tahun: int
    lembar: str
    nilai: str  # exact decimal text, two places
    predikat: str
    komponen: dict[str, str] = {}  # component code -> score
    oleh: Actor


class SosialisasiAcknowledged(Payload):
    draft_id: str
    version: int
    official: Actor
    read_at: str


class DocumentPublished(Payload):
    document_id: str
    draft_id: str
    jenis: str
    tahun: int
    periode: str
    version: int
    recap_revision: int
    files: dict[str, str]  # format -> sha256


CATALOGUE: dict[str, type[Payload]] = {
    cls.__name__: cls
    for cls in (
        PerjanjianKinerjaPublished,
        TriwulanSubmitted,
        BulananSubmitted,
        PeriodeClosed,
        SubmissionOverdue,
        RekapCompleted,
        DraftRendered,
        DraftSubmittedForReview,
        DraftApproved,
        KoreksiRequested,
        DisposisiIssued,
        DisposisiCompleted,
        SosialisasiAcknowledged,
        EvaluasiAnswered,
        EvaluasiClosed,
        DocumentPublished,
    )
}
CURRENT_VERSION: dict[str, int] = {name: current_version(name) for name in CATALOGUE}


def _pk_v1(payload: JsonObject) -> JsonObject:
    """v1 → v2: the PK document (targets as numbers or text, a range as target_min/target_max) typed."""
    return {**payload, "pk": PerjanjianKinerja.from_document(payload["pk"]).model_dump(mode="json")}


def _rekap_v1(payload: JsonObject) -> JsonObject:
    """v1 → v2: the recap document (a range target as "15.00-25.00") typed."""
    return {**payload, "rekap": Rekap.from_document(payload["rekap"]).model_dump(mode="json")}


# (type, from_version) -> function turning that version's payload into the next one's.
UPCASTERS: dict[tuple[str, int], Callable[[JsonObject], JsonObject]] = {
    ("PerjanjianKinerjaPublished", 1): _pk_v1,
    ("RekapCompleted", 1): _rekap_v1,
}


class UnknownEvent(Exception):
    """An event type or version this code cannot read: it goes to the dead-letter stream."""


def upcast(type_: str, version: int, payload: JsonObject) -> JsonObject:
    current = CURRENT_VERSION.get(type_)
    if current is None or version > current or version < 1:
        raise UnknownEvent(f"{type_} v{version}")
    while version < current:
        step = UPCASTERS.get((type_, version))
        if step is None:
            raise UnknownEvent(f"{type_} v{version}: no upcaster")
        try:
            payload = step(payload)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:  # not a v{version} payload
            raise UnknownEvent(f"{type_} v{version}: cannot upcast ({type(exc).__name__}: {exc})") from exc
        version += 1
    return payload


def parse_payload(env: Envelope) -> Payload:
    """Upcast to the current version and validate (pydantic ValidationError when malformed)."""
    model = CATALOGUE.get(env.type)
    if model is None:
        raise UnknownEvent(env.type)
    return model.model_validate(upcast(env.type, env.version, env.payload))
