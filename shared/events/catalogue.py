"""Typed, versioned payloads for every event of DESIGN.md §2, and the upcasters.

Additive optional fields keep the version; a rename or a change of meaning bumps it, and consumers upcast old
versions at the edge (`parse_payload`). Producers emit only the newest version.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.events.envelope import Envelope


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PerjanjianKinerjaPublished(Payload):
    tahun: int
    version: int
    pk: dict[str, Any]


class NilaiItem(Payload):
    indikator: str
    nilai: str
    keterangan: str | None = None


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
    tahun: int
    periode: str
    revision: int
    status: str  # provisional | complete | final
    rekap: dict[str, Any]
    inputs: dict[str, int]  # "<triwulan>:<unit>" -> revision used


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
    nomor: str
    dari: dict[str, Any]
    kepada: dict[str, Any]
    instruksi: str
    batas_waktu: str | None = None
    catatan: str | None = None
    tahun: int | None = None
    periode: str | None = None


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
        SosialisasiAcknowledged,
        DocumentPublished,
    )
}
CURRENT_VERSION: dict[str, int] = {name: 1 for name in CATALOGUE}

# (type, from_version) -> function turning that version's payload into the next one's.
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


class UnknownEvent(Exception):
    """An event type or version this code cannot read: it goes to the dead-letter stream."""


def upcast(type_: str, version: int, payload: dict[str, Any]) -> dict[str, Any]:
    current = CURRENT_VERSION.get(type_)
    if current is None or version > current or version < 1:
        raise UnknownEvent(f"{type_} v{version}")
    while version < current:
        step = UPCASTERS.get((type_, version))
        if step is None:
            raise UnknownEvent(f"{type_} v{version}: no upcaster")
        payload = step(payload)
        version += 1
    return payload


def parse_payload(env: Envelope) -> Payload:
    """Upcast to the current version and validate (pydantic ValidationError when malformed)."""
    model = CATALOGUE.get(env.type)
    if model is None:
        raise UnknownEvent(env.type)
    return model.model_validate(upcast(env.type, env.version, env.payload))
