"""The collector's JSON answers as its code builds them: one TypedDict per answer, named and shaped as the model in
schemas.py that documents it (tests/unit/collector/test_answers.py keeps the two alike). TypedDicts, so an answer
stays the dict it always was: the same JSON, key for key, in the same order."""

from __future__ import annotations

from typing import Literal, Required, TypedDict

from services.collector.core.pkdoc import PkDoc
from services.collector.core.report import Ringkasan as Ringkasan  # the core's own answer, beside the others


class Masalah(TypedDict):
    """One problem, as an error body lists it (shared.errors.ErrorItem)."""

    field: str | None
    rule: str
    message_id: str
    message_en: str


class KonflikBulk(Masalah):
    row: int
    unit: object  # as sent


class RingkasanBulk(TypedDict):
    imported: int
    updated: int
    ignored: int
    conflicts: list[KonflikBulk]


class LaporanDiterima(TypedDict):
    submission_id: str | None  # None: a dry run that would store a new submission
    revision: int
    on_time: bool
    summary: Ringkasan


class BarisBulk(TypedDict):
    row: int
    unit: object  # as sent
    triwulan: object  # as sent
    submission_id: str | None
    revision: int | None
    status: Literal["accepted", "rejected"]


class BulkDiterima(TypedDict):
    atomic: bool
    summary: RingkasanBulk
    results: list[BarisBulk]


class BulkDitolak(BulkDiterima):
    """atomic=true with a refused row (422): the error body, and the answer every row would have had."""

    errors: list[Masalah]


class PkTersimpan(TypedDict):
    tahun: int
    version: int
    indikator: int
    units: int
    changed: bool


class PkDokumen(TypedDict):
    tahun: int
    version: int
    created_at: str
    pk: PkDoc


class Perubahan(TypedDict, total=False):
    """One change of a PK version: a unit or indicator added or removed, or one field of an indicator changed."""

    jenis: Required[Literal["unit_ditambah", "unit_dihapus", "indikator_ditambah", "indikator_dihapus",
                            "indikator_diubah"]]  # fmt: skip
    kode: Required[str]
    field: str
    lama: object  # the field's values as sent
    baru: object


class VersiPk(TypedDict):
    version: int
    created_at: str
    keterangan: object  # as sent
    indikator: int
    units: int
    perubahan: list[Perubahan]


class DaftarVersiPk(TypedDict):
    tahun: int
    versi: list[VersiPk]


class JendelaTersimpan(TypedDict):
    triwulan: int
    buka: str
    deadline: str


class Kalender(TypedDict):
    tahun: int
    configured: bool
    triwulan: list[JendelaTersimpan]


class KunciApiBaru(TypedDict):
    unit: str
    api_key: str
    id: int | None


class KunciApi(TypedDict):
    id: int | None
    unit: str
    hint: str | None
    created_at: str
    revoked_at: str | None


class DaftarKunciApi(TypedDict):
    api_keys: list[KunciApi]


class BerkasBukti(TypedDict):
    id: str
    submission_id: str
    filename: str
    sha256: str  # served, not documented


class RingkasanBukti(TypedDict):
    count: int
    files: list[BerkasBukti]


class RiwayatRevisi(TypedDict):
    revision: int
    submission_id: str
    received_at: str
    late: bool


class StatusUnit(TypedDict):
    unit: str
    submitted: bool
    on_time: bool | None
    revision: int
    missing_indikator: list[str]
    history: list[RiwayatRevisi]
    bukti: RingkasanBukti


class StatusPeriode(TypedDict):
    tahun: int
    periode: str
    status: str  # belum_dibuka | open | closed | final
    buka: str
    deadline: str
    expected_units: int
    submitted_units: int
    on_time_units: int
    units: list[StatusUnit]


class KelengkapanTriwulan(TypedDict):
    periode: str
    status: str  # open | closed | final
    deadline: str
    expected: int
    actual: int
    on_time: int
    reporting_rate: float | None
    on_time_rate: float | None


class Kelengkapan(TypedDict):
    tahun: int
    triwulan: list[KelengkapanTriwulan]


class PeriodeDitutup(TypedDict):
    tahun: int
    periode: str
    status: str  # open | closed | final


class Bukti(TypedDict):
    id: str
    submission_id: str
    tahun: int
    triwulan: int
    unit: str
    indikator: str | None
    keterangan: str | None
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: str
    uploaded_by: str
    url: str


class BuktiPengiriman(TypedDict):
    submission_id: str
    unit: str
    bukti: list[Bukti]


class BuktiPeriode(TypedDict):
    tahun: int
    triwulan: int | None
    unit: str | None
    bukti: list[Bukti]
