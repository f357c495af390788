"""The PK document as the collector keeps it: the form an agency sends (docs/contract.md), checked by
`validation.validate_pk` and stored whole (col_pk_version.body). TypedDicts: at runtime it stays the dict `json.loads`
gives, fields the contract does not name included (they travel along), so a document read and served again is the one
that was sent. The typed model of the same PK is shared.sakip.PerjanjianKinerja (`from_document`)."""

from __future__ import annotations

from typing import Required, TypedDict

from shared.sakip.document import (  # the planning context's parts (issue 15): one spelling for both forms
    BenchmarkDoc,
    KegiatanDoc,
    KepalaDoc,
    PihakKeduaDoc,
    RealisasiTahunDoc,
    RenstraDoc,
    TargetRenstraDoc,
)

Figure = str | int | float  # a figure as sent: decimal text or a JSON number (validation.read_number)
TargetDoc = Figure | list[Figure]  # a quarter's target: a figure, or [min, max] for polaritas rentang


class IndikatorDoc(TypedDict, total=False):
    kode: Required[str]
    nama: str
    satuan: Required[str]
    polaritas: str
    agregasi: str
    penanggung_jawab: Required[str]
    target: Figure
    target_min: Figure
    target_max: Figure
    target_triwulan: list[TargetDoc]
    realisasi_tahun_lalu: Figure | None
    target_akhir_renstra: Figure | None
    desimal: int
    kategori: str
    realisasi_tahun_sebelumnya: list[RealisasiTahunDoc]
    target_renstra: list[TargetRenstraDoc]
    benchmark: BenchmarkDoc


class SasaranDoc(TypedDict, total=False):
    kode: Required[str]
    nama: str
    indikator: Required[list[IndikatorDoc]]


class UnitDoc(TypedDict, total=False):
    kode: Required[str]
    nama: str
    jenis: str
    induk: str | None


class ProgramDoc(TypedDict, total=False):
    kode: str
    nama: str
    pagu: Figure
    sasaran: str
    unit: str | None
    kegiatan: list[KegiatanDoc]


class InstansiDoc(TypedDict, total=False):
    nama: str
    kepala: KepalaDoc


class PkDoc(TypedDict, total=False):
    tahun: int
    instansi: InstansiDoc
    tanggal: str  # YYYY-MM-DD, the day the PK was signed
    pihak_kedua: PihakKeduaDoc
    renstra: RenstraDoc
    units: list[UnitDoc]
    sasaran: Required[list[SasaranDoc]]
    program: list[ProgramDoc] | None
    keterangan: object  # this version's note, as sent (shown in the list of versions)
