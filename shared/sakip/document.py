"""The document forms of the PK and the recap (v1's; what tables store, GET /rekap serves and documents are drawn
from), typed as TypedDicts: a document stays the plain dict its JSON reads as, so its bytes and content hashes do
not change, and the code that reads or writes it is checked. The typed models (PerjanjianKinerja, Rekap) read them
with `from_document` and write them with `document()`.

Their descriptions are Indonesian, then English: an HTTP answer that serves a document is documented from them."""

# no `from __future__ import annotations`: a TypedDict reads NotRequired when it is created (its optional keys)

import hashlib
import json
from collections.abc import Mapping
from typing import Annotated, Any, NotRequired, cast

from pydantic import Field
from typing_extensions import TypedDict

from shared.sakip.periode import PERIODE_PATTERN
from shared.sakip.predikat import Predikat
from shared.sakip.rekap import Reason, Rekap, Status

Figure = str | int | float  # a figure as a document writes it: its text (v2 on), a JSON number in a PK sent as one
TargetPk = Figure | list[Figure]  # a PK's quarterly target: a figure, or a [min, max] pair (rentang)

# ---- the Perjanjian Kinerja (docs/contract.md, PUT /perjanjian-kinerja) ----------------------------------------


class KepalaDoc(TypedDict):
    nama: NotRequired[str | None]
    nip: NotRequired[str | None]
    jabatan: NotRequired[str | None]
    pangkat: NotRequired[str | None]
    golongan: NotRequired[str | None]


class InstansiDoc(TypedDict):
    nama: str
    kepala: NotRequired[KepalaDoc | None]


class PihakKeduaDoc(TypedDict):
    nama: str
    jabatan: str
    nip: NotRequired[str | None]


class TujuanDoc(TypedDict):
    kode: str
    nama: str


class RenstraDoc(TypedDict):
    tahun_awal: int
    tahun_akhir: int
    visi: str
    misi: list[str]
    tujuan: list[TujuanDoc]


class RealisasiTahunDoc(TypedDict):
    tahun: int
    nilai: Figure


class TargetRenstraDoc(TypedDict):
    tahun: int
    target: NotRequired[Figure]
    target_min: NotRequired[Figure]
    target_max: NotRequired[Figure]


class BenchmarkDoc(TypedDict):
    nilai: Figure
    sumber: str
    tingkat: str
    tahun: NotRequired[int | None]


class KegiatanDoc(TypedDict):
    kode: str
    nama: str
    pagu: NotRequired[Figure | None]


class UnitDoc(TypedDict):
    kode: str
    nama: str
    jenis: NotRequired[str | None]
    induk: NotRequired[str | None]


class IndikatorDoc(TypedDict):
    """A PK indicator: `target`, or for `rentang` `target_min` and `target_max`."""

    kode: str
    nama: str
    satuan: str
    polaritas: str
    agregasi: str
    penanggung_jawab: str
    target: NotRequired[Figure]
    target_min: NotRequired[Figure]
    target_max: NotRequired[Figure]
    target_triwulan: list[TargetPk]
    realisasi_tahun_lalu: NotRequired[Figure | None]
    target_akhir_renstra: NotRequired[Figure | None]
    desimal: NotRequired[int | None]
    kategori: NotRequired[str | None]
    realisasi_tahun_sebelumnya: NotRequired[list[RealisasiTahunDoc] | None]
    target_renstra: NotRequired[list[TargetRenstraDoc] | None]
    benchmark: NotRequired[BenchmarkDoc | None]


class SasaranDoc(TypedDict):
    kode: str
    nama: str
    indikator: list[IndikatorDoc]


class ProgramDoc(TypedDict):
    kode: str
    nama: str
    pagu: Figure
    sasaran: NotRequired[str | None]
    unit: NotRequired[str | None]
    kegiatan: NotRequired[list[KegiatanDoc] | None]


class PkDoc(TypedDict):
    """The PK as an agency sends it; the keys it adds beyond the contract travel along (unread here)."""

    tahun: NotRequired[int | None]
    instansi: InstansiDoc
    tanggal: NotRequired[str | None]
    pihak_kedua: NotRequired[PihakKeduaDoc | None]
    renstra: NotRequired[RenstraDoc | None]
    units: list[UnitDoc]
    sasaran: list[SasaranDoc]
    program: NotRequired[list[ProgramDoc] | None]


# ---- the recap of a period (docs/design.md §3; shared.sakip.rekap) --------------------------------------------

TargetText = Annotated[
    str,
    Field(
        description='Target sebagai teks: satu angka ("90.00") atau rentang ("15.00-25.00") / the target, as text',
        examples=["90.00", "15.00-25.00"],
    ),
]


class RekapIndikatorDoc(TypedDict):
    """Angka satu indikator pada periode itu dan, kecuali TAHUNAN, sejak TW I s.d. periode itu (`*_sd`).
    / One indicator's figures for the period and, except for TAHUNAN, to date."""

    kode: Annotated[str, Field(description="Kode indikator / the indicator's code", examples=["IK-3.1"])]
    nama: Annotated[str, Field(description="Nama indikator / the indicator's name")]
    satuan: Annotated[str, Field(description="Satuan / the unit of measure", examples=["%"])]
    polaritas: Annotated[str, Field(description="positif (makin tinggi makin baik), negatif atau rentang / polarity")]
    agregasi: Annotated[str, Field(description="jumlah, terakhir atau rata_rata: cara menggabungkan / aggregation")]
    sasaran: Annotated[str, Field(description="Kode sasaran strategis / the sasaran's code", examples=["SS-3"])]
    penanggung_jawab: Annotated[str, Field(description="Kode unit penanggung jawab / the responsible unit")]
    target: TargetText
    realisasi: Annotated[
        str | None, Field(description="Realisasi periode, 2 desimal; tanpa data: null / the period's value")
    ]
    capaian: Annotated[str | None, Field(description="Capaian (%), 2 desimal; null: lihat reason / achievement")]
    predikat: Annotated[Predikat | None, Field(description="Predikat capaian / the achievement's band")]
    reason: Annotated[Reason | None, Field(description="Mengapa capaian kosong / why capaian is null")]
    target_sd: NotRequired[TargetText]
    realisasi_sd: NotRequired[Annotated[str | None, Field(description="Realisasi s.d. periode / value to date")]]
    capaian_sd: NotRequired[Annotated[str | None, Field(description="Capaian s.d. periode (%) / achievement to date")]]
    predikat_sd: NotRequired[Annotated[Predikat | None, Field(description="Predikat s.d. periode / band to date")]]
    reason_sd: NotRequired[Annotated[Reason | None, Field(description="Mengapa capaian_sd kosong / why null")]]
    desimal: NotRequired[
        Annotated[int, Field(description="Banyak desimal yang dibaca orang (PK) / decimals a person reads", ge=0, le=4)]
    ]
    kategori: NotRequired[
        Annotated[str | None, Field(description="Kategori PK, mis. serapan_anggaran / the PK's category")]
    ]


class RekapSasaranDoc(TypedDict):
    """Capaian satu sasaran strategis. / One sasaran's achievement."""

    kode: Annotated[str, Field(description="Kode sasaran / the sasaran's code", examples=["SS-3"])]
    nama: Annotated[str, Field(description="Nama sasaran / the sasaran's name")]
    capaian: Annotated[str | None, Field(description="Rerata capaian indikatornya (tiap ≤ 100), 2 desimal / mean")]
    predikat: Annotated[Predikat | None, Field(description="Predikat / the band")]
    skipped: Annotated[int, Field(description="Indikator tanpa capaian yang tidak dihitung / indicators skipped")]


class KelengkapanDoc(TypedDict):
    """Kelengkapan laporan unit pada triwulan periode itu. / How complete the units' reports are."""

    expected_units: Annotated[int, Field(description="Laporan unit yang diharapkan / unit reports expected")]
    submitted_units: Annotated[int, Field(description="Laporan unit yang lengkap / complete unit reports")]
    on_time_units: Annotated[int, Field(description="Yang lengkap tepat waktu / complete on time")]


class CatatanDoc(TypedDict):
    """Kendala dan solusi satu unit pada satu triwulan. / A unit's obstacles and remedies in a quarter."""

    triwulan: Annotated[int, Field(description="Triwulan 1–4 / the quarter", examples=[1])]
    unit: Annotated[str, Field(description="Kode unit / the unit's code", examples=["BID-PENTA"])]
    kendala: Annotated[str | None, Field(description="Kendala / obstacles")]
    solusi: Annotated[str | None, Field(description="Solusi / remedies")]


class AnalisisDoc(TypedDict):
    """Analisis satu unit atas satu indikator pada satu triwulan (revisi yang dipakai rekap). / A unit's analysis
    of one indicator in a quarter."""

    indikator: Annotated[str, Field(description="Kode indikator / the indicator's code", examples=["IK-2.3"])]
    triwulan: Annotated[int, Field(description="Triwulan 1–4 / the quarter", examples=[2])]
    unit: Annotated[str, Field(description="Kode unit / the unit's code", examples=["BID-PPTK"])]
    penyebab: Annotated[str | None, Field(description="Penyebab keberhasilan/kegagalan / why it (did not) succeed")]
    kendala: Annotated[str | None, Field(description="Kendala / obstacles")]
    solusi: Annotated[str | None, Field(description="Solusi yang dilakukan / remedies taken")]
    tindak_lanjut: Annotated[str | None, Field(description="Tindak lanjut / follow-up")]


class AnggaranRekapDoc(TypedDict):
    """Realisasi anggaran satu program pada periode itu. / A programme's spending in the period."""

    kode: Annotated[str, Field(description="Kode program / the programme's code")]
    nama: Annotated[str, Field(description="Nama program / the programme's name")]
    sasaran: Annotated[str | None, Field(description="Kode sasaran program / the programme's sasaran")]
    unit: Annotated[str | None, Field(description="Kode unit pelaksana / the unit that spends it")]
    pagu: Annotated[str, Field(description="Pagu (rupiah) / the budget", examples=["1250000000"])]
    realisasi: Annotated[str, Field(description="Realisasi (rupiah) / spent", examples=["312500000"])]
    persen: Annotated[str | None, Field(description="Realisasi / pagu × 100, 2 desimal; pagu 0: null / percent")]


class RekapFigures(TypedDict):
    """The arithmetic's part of a recap: the rows and the roll-ups."""

    tahun: Annotated[int, Field(description="Tahun anggaran / budget year", examples=[2024])]
    periode: Annotated[str, Field(pattern=PERIODE_PATTERN, description="Periode / the period", examples=["TW1"])]
    indikator: Annotated[
        list[RekapIndikatorDoc], Field(description="Satu baris per indikator, urutan PK / one row per indicator")
    ]
    sasaran: Annotated[list[RekapSasaranDoc], Field(description="Satu baris per sasaran / one row per sasaran")]
    capaian_instansi: Annotated[str | None, Field(description="Capaian instansi (%), 2 desimal / the office's")]
    predikat_instansi: Annotated[Predikat | None, Field(description="Predikat instansi / the office's band")]
    skipped_instansi: Annotated[int, Field(description="Sasaran tanpa capaian yang tidak dihitung / skipped")]


class RekapDoc(RekapFigures):
    """The recap of a period as stored, drawn and carried by RekapCompleted v1 (which adds its `revision`)."""

    status: Annotated[
        Status, Field(description="provisional: laporan belum lengkap; complete: lengkap; final: disetujui / state")
    ]
    kelengkapan: Annotated[KelengkapanDoc, Field(description="Kelengkapan laporan / reporting completeness")]
    pk_version: Annotated[int, Field(description="Versi PK yang dipakai / the PK version used", examples=[1])]
    units: Annotated[dict[str, str], Field(description="Kode unit → nama / unit code → name")]
    quarters_final: NotRequired[
        Annotated[bool, Field(description="Semester/tahunan: semua triwulannya sudah final / its quarters final")]
    ]
    catatan: Annotated[list[CatatanDoc], Field(description="Kendala dan solusi unit / the units' notes")]
    analisis: NotRequired[
        Annotated[
            list[AnalisisDoc],
            Field(description="Analisis per indikator, urutan PK lalu triwulan / per-indicator analysis"),
        ]
    ]
    anggaran: Annotated[list[AnggaranRekapDoc], Field(description="Realisasi anggaran per program / per programme")]


def rekap_doc(rekap: Rekap) -> RekapDoc:
    """The typed recap's document form: `Rekap.document()`, as the TypedDict it is (no copy, no check)."""
    return cast(RekapDoc, rekap.document())


VOLATILE = ("revision", "status", "inputs")  # what a new recap revision may change without changing its content


def content_hash(rekap: Mapping[str, Any]) -> str:
    """SHA-256 of what a recap shows (its document form without VOLATILE): the renderer draws no new draft version
    for a recap whose content hash its newest draft already has, and the approval service reads a newer recap
    revision as "a new version is coming" only when this differs (`draws_new_version`)."""
    stable = {k: v for k, v in rekap.items() if k not in VOLATILE}
    return hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()


def draws_new_version(
    rekap: Mapping[str, Any], *, revision: int, status: str, drawn_revision: int, drawn_hash: str | None
) -> bool:
    """Whether this recap revision would draw a new version of a draft drawn from revision `drawn_revision` whose
    content hash is `drawn_hash` (None: that recap not known, so the newer one counts): newer, complete ("final" is
    complete too: the approval's flag), a semester's or the year's with its quarters final, and showing something
    else (a revision that only renumbers its inputs draws nothing). One rule for the approval service (no approval
    of a version it makes out of date: services/approval/handlers.newer_recap) and `lapkin reconcile` (finals it
    made out of date: lapkin/reconcile.outdated_finals), each reading its own service's copy of the recaps."""
    if revision <= drawn_revision or status not in ("complete", "final") or rekap.get("quarters_final") is False:
        return False
    return drawn_hash is None or content_hash(rekap) != drawn_hash
