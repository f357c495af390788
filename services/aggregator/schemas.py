"""The aggregator's answers (docs/contract.md, Aggregator): the recap of a period (GET /rekap) and the monthly trend
(GET /tren), as TypedDicts, so the code that builds them is typed and the JSON it writes stays the dict it always
was; `/openapi.json` documents them from these (shared.contract.answer).

The recap is served in its document form (shared.sakip.document.RekapDoc, the form stored: shared.sakip.Rekap with
its targets as text, "90.00" or a range "15.00-25.00"), with the input revisions it was computed from.

Deskripsi dalam bahasa Indonesia, diikuti bahasa Inggris. / Descriptions in Indonesian, then English."""

# no `from __future__ import annotations`: a TypedDict reads NotRequired when it is created (its optional keys)

from typing import Annotated, Literal

from pydantic import Field
from typing_extensions import TypedDict

from shared.sakip.document import RekapDoc


class Rekap(RekapDoc):
    """Rekap satu periode: semua yang sudah diterima sejauh ini. / A period's recap of everything received so far."""

    revision: Annotated[
        int, Field(description="Revisi rekap (yang berikutnya bila belum direkap ulang) / the recap's revision")
    ]
    inputs: Annotated[
        dict[str, int],
        Field(
            description='Revisi laporan yang dipakai: "<triwulan>:<unit>" → revisi / the input revisions used',
            examples=[{"1:BID-PENTA": 2}],
        ),
    ]


# ---- GET /api/v1/tren/{tahun} -----------------------------------------------------------------------------------


class NilaiBulan(TypedDict):
    """Nilai satu bulan. / One month's value."""

    bulan: Annotated[int, Field(description="Bulan 1–12 / the month", examples=[2])]
    nilai: Annotated[str | None, Field(description="Nilai bulan itu, 2 desimal / the month's value")]


class IndikatorTren(TypedDict):
    """Perkembangan bulanan satu indikator dan peringatan dininya. / An indicator's months and early warning."""

    kode: Annotated[str, Field(description="Kode indikator / the indicator's code", examples=["IK-3.1"])]
    nama: Annotated[str, Field(description="Nama indikator / the indicator's name")]
    satuan: Annotated[str, Field(description="Satuan / the unit of measure", examples=["%"])]
    polaritas: Annotated[str, Field(description="positif, negatif atau rentang / the polarity")]
    agregasi: Annotated[str, Field(description="jumlah, terakhir atau rata_rata / how months combine")]
    sasaran: Annotated[str, Field(description="Kode sasaran / the sasaran's code")]
    penanggung_jawab: Annotated[str, Field(description="Kode unit penanggung jawab / the responsible unit")]
    bulan: Annotated[list[NilaiBulan], Field(description="Bulan yang punya nilai, urut / the months with a value")]
    bulan_terakhir: Annotated[int | None, Field(description="Bulan terakhir yang punya nilai / the latest month")]
    triwulan: Annotated[int | None, Field(description="Triwulan bulan itu / that month's quarter")]
    realisasi_sd: Annotated[str | None, Field(description="Realisasi s.d. bulan itu / the value to date")]
    proyeksi: Annotated[str | None, Field(description="Proyeksi akhir triwulan / the projection")]
    target_sd: Annotated[str | None, Field(description="Target s.d. triwulan itu, sebagai teks / target to date")]
    capaian_proyeksi: Annotated[str | None, Field(description="Capaian proyeksi (%) / the projection's achievement")]
    peringatan: Annotated[
        Literal["kuning", "merah"] | None, Field(description="Tingkat peringatan; null: aman / the warning level")
    ]
    reason: Annotated[
        str | None,
        Field(description="Arah peringatan, atau mengapa tidak terhitung / why", examples=["di_bawah_target"]),
    ]
    message_id: Annotated[str | None, Field(description="Pesan (Indonesia) / the message in Indonesian")]
    message_en: Annotated[str | None, Field(description="Pesan (Inggris) / the message in English")]


class Ringkasan(TypedDict):
    """Jumlah indikator per tingkat peringatan. / Indicators per warning level."""

    merah: Annotated[int, Field(description="Indikator berperingatan merah / red warnings")]
    kuning: Annotated[int, Field(description="Indikator berperingatan kuning / yellow warnings")]
    aman: Annotated[int, Field(description="Indikator tanpa peringatan / indicators on track")]
    tanpa_nilai: Annotated[int, Field(description="Indikator tanpa capaian proyeksi / without a figure")]


class TrenDasar(TypedDict):
    """The trend of the year's indicators (tren.build_tren)."""

    tahun: Annotated[int, Field(description="Tahun anggaran / budget year", examples=[2024])]
    pk_version: Annotated[int, Field(description="Versi PK terbaru / the newest PK version", examples=[1])]
    ringkasan: Annotated[Ringkasan, Field(description="Jumlah per tingkat / counts per level")]
    indikator: Annotated[list[IndikatorTren], Field(description="Satu baris per indikator, urutan PK / per indicator")]


class RealisasiBulan(TypedDict):
    """Realisasi anggaran satu bulan. / One month's spending."""

    bulan: Annotated[int, Field(description="Bulan 1–12 / the month", examples=[2])]
    realisasi: Annotated[str, Field(description="Realisasi kumulatif (rupiah) / spent", examples=["104000000"])]


class AnggaranBulanan(TypedDict):
    """Realisasi anggaran bulanan satu program. / A programme's spending month by month."""

    kode: Annotated[str, Field(description="Kode program / the programme's code")]
    unit: Annotated[str | None, Field(description="Kode unit pelaksana / the unit that spends it")]
    pagu: Annotated[str, Field(description="Pagu (rupiah) / the budget", examples=["1250000000"])]
    bulan: Annotated[list[RealisasiBulan], Field(description="Bulan yang dilaporkan / the months reported")]


class Tren(TrenDasar):
    """Perkembangan bulanan dan peringatan dini per indikator. / Monthly progress and early warnings."""

    anggaran: Annotated[list[AnggaranBulanan], Field(description="Anggaran bulanan per program / per programme")]
