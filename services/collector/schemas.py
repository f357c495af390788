"""The collector's HTTP contract: every JSON body it takes and gives, as pydantic models (docs/contract.md, Collector).

Request bodies are read strictly by the routes (shared.service.JsonBody) and checked by their rules, which name
every problem at once; these models are what `/openapi.json` documents for them (shared.contract) and what an
agency's generated client sends. They say no more than the rules enforce (a body they refuse is refused by the
route: the schemathesis run checks it), and they allow what the rules allow (a PK keeps extra fields). Answers are
documented with `responses` (shared.contract.answer): the routes return them as they always did.

Deskripsi dalam bahasa Indonesia, diikuti bahasa Inggris. / Descriptions in Indonesian, then English."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.collector.core.validation import (
    DESIMAL_MAX,
    GOLONGAN,
    KATEGORI,
    MAX_ANALISIS,
    MAX_ITEMS,
    MAX_PAST_YEARS,
    MAX_REALISASI,
    TINGKAT_BENCHMARK,
)
from services.collector.validation import AGREGASI, JENIS_UNIT, MAX_TEXT, POLARITAS, TAHUN_MAX, TAHUN_MIN
from shared.decimals import MAX_DECIMAL_PLACES, MAX_INTEGER_DIGITS

# ---- building blocks -------------------------------------------------------------------------------------------

JenisUnit = Literal[JENIS_UNIT]  # type: ignore[valid-type]  # the rules' own choices (validation.py)
Polaritas = Literal[POLARITAS]  # type: ignore[valid-type]
Agregasi = Literal[AGREGASI]  # type: ignore[valid-type]
Golongan = Literal[GOLONGAN]  # type: ignore[valid-type]
Tingkat = Literal[TINGKAT_BENCHMARK]  # type: ignore[valid-type]
Kategori = Literal[KATEGORI]  # type: ignore[valid-type]

# ≥ 0, as the rules read it: digits and one decimal point; a negative number is refused (negative_value), only a
# negative zero ("-0", "-0.00") is taken, as 0
ANGKA_PATTERN = (
    rf"^(?:[0-9]{{1,{MAX_INTEGER_DIGITS}}}(?:\.[0-9]{{1,{MAX_DECIMAL_PLACES}}})?"
    rf"|-0{{1,{MAX_INTEGER_DIGITS}}}(?:\.0{{1,{MAX_DECIMAL_PLACES}}})?)$"
)
AngkaTeks = Annotated[
    str,
    Field(
        pattern=ANGKA_PATTERN,
        description="Angka desimal biasa sebagai teks (disarankan: dibaca persis) / a plain decimal as text",
        examples=["62.5"],
    ),
]
AngkaJson = Annotated[float, Field(ge=0, strict=True, description="Angka JSON, ditulis tanpa eksponen / a JSON number")]
Angka = Annotated[
    AngkaTeks | AngkaJson,
    Field(
        description=(
            "Angka ≥ 0: digit 0-9 dan satu titik desimal, paling banyak "
            f"{MAX_INTEGER_DIGITS} digit sebelum titik dan {MAX_DECIMAL_PLACES} sesudahnya; teks disarankan. / "
            "A number ≥ 0: digits and one decimal point, within those bounds; text preferred."
        ),
        examples=["62.5", "1180"],
    ),
]
Tahun = Annotated[
    int,
    Field(ge=TAHUN_MIN, le=TAHUN_MAX, description="Tahun anggaran / budget year", examples=[2024]),
]
Teks = Annotated[
    str, Field(max_length=MAX_TEXT, description=f"Teks, paling banyak {MAX_TEXT} karakter / text, ≤ {MAX_TEXT} chars")
]
Kode = Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
TeksAnalisis = Annotated[
    str,
    Field(
        max_length=MAX_ANALISIS,
        description=f"Teks, paling banyak {MAX_ANALISIS} karakter / text, ≤ {MAX_ANALISIS} chars",
    ),
]
Waktu = Annotated[
    str,
    Field(
        description="Waktu ISO 8601 dengan zona waktu / an ISO 8601 date-time with its offset",
        examples=["2024-04-10T23:59:59+07:00"],
    ),
]


class Tertutup(BaseModel):
    """A body that names a field the collector does not know is refused (422 unknown_field): a misspelt field
    would be data the unit believes was counted."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Terbuka(BaseModel):
    """A document the collector keeps whole: fields it does not read are kept as sent."""

    model_config = ConfigDict(extra="allow", strict=True)


# ---- laporan triwulan / bulanan (requests) ---------------------------------------------------------------------


class RealisasiItem(Tertutup):
    """Realisasi satu indikator. / One indicator's realisation."""

    indikator: Kode = Field(
        description="Kode indikator dalam Perjanjian Kinerja yang menjadi tanggung jawab unit / the indicator's code",
        examples=["IK-3.1"],
    )
    nilai: Angka = Field(
        description="Realisasi kumulatif sampai periode ini, ≥ 0 (satuan %: 0–100) / cumulative realisation, ≥ 0",
        examples=["62.5"],
    )
    keterangan: Teks | None = Field(
        None,
        description="Catatan data nilai ini: sumber, koreksi (opsional) / a note on the figure: source, correction",
        examples=["Data BPS Maret"],
    )
    penyebab: TeksAnalisis | None = Field(
        None,
        description=(
            'Penyebab tercapai/tidaknya target (opsional; tidak disebut: yang tersimpan tetap, "": dihapus) / why '
            'the target was (not) met (left out: the one held stays; "": cleared)'
        ),
        examples=["Dua angkatan pelatihan diundur ke TW III karena instruktur bersertifikat belum tersedia"],
    )
    kendala: TeksAnalisis | None = Field(None, description="Kendala indikator ini / obstacles for this indicator")
    solusi: TeksAnalisis | None = Field(None, description="Solusi yang sudah dilakukan / remedies taken")
    tindak_lanjut: TeksAnalisis | None = Field(None, description="Tindak lanjut yang direncanakan / follow-up planned")


class Anggaran(Tertutup):
    """Realisasi anggaran unit. / The unit's budget realisation."""

    realisasi: Angka | None = Field(
        None,
        description="Realisasi anggaran kumulatif dalam rupiah / cumulative spending, in rupiah",
        examples=["312500000"],
    )


class _Laporan(Tertutup):
    tahun: Tahun
    unit: Kode = Field(
        description="Kode unit yang melapor (unit kunci API, atau unit anaknya) / the reporting unit",
        examples=["BID-PENTA"],
    )
    realisasi: list[RealisasiItem] = Field(
        max_length=MAX_REALISASI,
        description=(
            "Nilai indikator yang dilaporkan; boleh sebagian (nilai yang tidak disebut tetap). Daftar kosong hanya "
            f"bila anggaran, kendala atau solusi diisi. Paling banyak {MAX_REALISASI} butir. / The values reported; "
            f"a partial report is fine; at most {MAX_REALISASI}."
        ),
        examples=[[{"indikator": "IK-3.1", "nilai": "62.5"}, {"indikator": "IK-3.2", "nilai": "1180"}]],
    )
    anggaran: Anggaran | None = Field(None, description="Realisasi anggaran (opsional) / budget (optional)")
    kendala: Teks | None = Field(None, description="Kendala (opsional) / obstacles", examples=["Anggaran terlambat"])
    solusi: Teks | None = Field(None, description="Solusi (opsional) / solutions", examples=["Percepatan lelang"])


class LaporanTriwulan(_Laporan):
    """Laporan triwulan satu unit (docs/contract.md). / One unit's quarterly report."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tahun": 2024,
                    "triwulan": 1,
                    "unit": "BID-PENTA",
                    "realisasi": [{"indikator": "IK-3.1", "nilai": "9.1"}, {"indikator": "IK-3.2", "nilai": "910"}],
                    "anggaran": {"realisasi": "305000000"},
                }
            ]
        }
    )
    triwulan: int = Field(ge=1, le=4, description="Triwulan 1–4 / the quarter", examples=[1])


class LaporanBulanan(_Laporan):
    """Kemajuan bulanan satu unit: aturan yang sama dengan laporan triwulan, hanya untuk tren dan peringatan dini.
    / One unit's monthly progress: the quarterly rules; shown as trend and early warning, never recapped."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"tahun": 2024, "bulan": 1, "unit": "BID-PENTA", "realisasi": [{"indikator": "IK-3.2", "nilai": "300"}]}
            ]
        }
    )
    bulan: int = Field(ge=1, le=12, description="Bulan 1–12 / the month", examples=[1])


class LaporanTriwulanBulk(Tertutup):
    """Banyak laporan triwulan dalam satu permintaan (admin: unit mana pun; kunci unit: unit itu dan anaknya).
    / Many quarterly reports in one request."""

    submissions: list[LaporanTriwulan] = Field(
        min_length=1,
        description=(
            "Laporan, satu baris per unit dan triwulan; atomic=false menyimpan baris yang sah dan melaporkan "
            "yang lain. / The reports, one row per unit and quarter."
        ),
    )


# ---- perjanjian kinerja (request) ------------------------------------------------------------------------------


NIP_PATTERN = r"^(?: *[0-9]){18} *$"


class Kepala(Terbuka):
    """Kepala instansi, pihak pertama PK; kolom lain disimpan seperti dikirim. / The head, the PK's first party."""

    nama: Teks | None = Field(None, description="Nama / name", examples=["Dr. Ujang Hendra Gunawan, S.Sos, M.Si"])
    nip: str | None = Field(
        None,
        pattern=NIP_PATTERN,
        description="NIP 18 angka (spasi boleh) / 18-digit NIP",
        examples=["197205022002121009"],
    )
    jabatan: Teks | None = Field(None, description="Jabatan / position", examples=["Kepala Dinas Ketenagakerjaan"])
    pangkat: Teks | None = Field(
        None, description="Pangkat, sesuai golongan / rank, matching the grade", examples=["Pembina Utama Muda"]
    )
    golongan: Golongan | None = Field(None, description="Golongan PNS / civil-service grade", examples=["IV/c"])


class Instansi(Terbuka):
    """Instansi pemilik Perjanjian Kinerja; kolom lain (mis. `kode`) disimpan seperti dikirim dan dipakai dokumen.
    / The agency; other fields (e.g. `kode`) are kept as sent and used by the documents."""

    nama: Teks = Field(description="Nama instansi / the agency's name", examples=["Dinas Ketenagakerjaan Kota"])
    kepala: Kepala | None = Field(None, description="Kepala instansi / the head")


class PihakKedua(Tertutup):
    """Pihak kedua PK (untuk dinas: Wali Kota; pejabat terpilih tanpa NIP). / The PK's second party."""

    nama: Teks = Field(description="Nama / name", examples=["H. Ahmad Suryadi, S.H., M.Si."])
    jabatan: Teks = Field(description="Jabatan / position", examples=["Wali Kota Tangerang"])
    nip: str | None = Field(None, pattern=NIP_PATTERN, description="NIP (bila ada) / NIP, if any")


class Tujuan(Tertutup):
    """Satu tujuan Renstra. / One goal of the strategic plan."""

    kode: Kode = Field(description="Kode tujuan (unik) / code", examples=["T-1"])
    nama: Teks = Field(description="Rumusan tujuan / the goal")


class Renstra(Tertutup):
    """Renstra tempat PK ini berada: periodenya memuat tahun PK (paling lama 6 tahun). / The strategic plan."""

    tahun_awal: Tahun = Field(description="Tahun awal / first year", examples=[2019])
    tahun_akhir: Tahun = Field(description="Tahun akhir / last year", examples=[2024])
    visi: Teks = Field(description="Visi / vision")
    misi: list[Teks] = Field(min_length=1, max_length=MAX_ITEMS, description="Misi / missions")
    tujuan: list[Tujuan] = Field(max_length=MAX_ITEMS, description="Tujuan / goals")


class RealisasiTahun(Tertutup):
    """Realisasi satu tahun lalu. / A past year's realisation."""

    tahun: Tahun = Field(description="Salah satu dari 5 tahun sebelum tahun PK / one of the 5 years before")
    nilai: Angka = Field(description="Realisasi tahun itu (satuan %: 0–100) / that year's realisation")


class TargetRenstra(Tertutup):
    """Target Renstra satu tahun: `target`, untuk rentang `target_min` dan `target_max`. / A year's Renstra target."""

    tahun: Tahun = Field(description="Tahun dalam periode Renstra / a year of the Renstra", examples=[2024])
    target: Angka | None = Field(None, description="Target (bukan rentang) / the target")
    target_min: Angka | None = Field(None, description="Batas bawah (rentang) / lower bound")
    target_max: Angka | None = Field(None, description="Batas atas (rentang) / upper bound")


class Benchmark(Tertutup):
    """Standar pembanding indikator. / A standard to compare the indicator with."""

    nilai: Angka = Field(description="Nilai standar / the standard's value", examples=["4.91"])
    sumber: Teks = Field(description="Sumber / source", examples=["BPS, Sakernas Agustus 2024"])
    tingkat: Tingkat = Field(description="Tingkat / level", examples=["nasional"])
    tahun: Tahun | None = Field(None, description="Tahun data / the data's year", examples=[2024])


class Kegiatan(Tertutup):
    """Satu kegiatan program. / One activity of a programme."""

    kode: Kode = Field(description="Kode kegiatan (unik dalam PK) / code", examples=["P-03.3.01"])
    nama: Teks = Field(description="Nama kegiatan / name")
    pagu: Angka | None = Field(None, description="Pagu (rupiah); jumlahnya ≤ pagu program / budget")


class UnitPk(Terbuka):
    """Satu unit kerja. / One organisational unit."""

    kode: Kode = Field(description="Kode unit (unik) / the unit's code", examples=["BID-PENTA"])
    nama: Teks = Field(description="Nama unit / name", examples=["Bidang Penempatan Tenaga Kerja"])
    jenis: JenisUnit = Field(description="Jenis unit / kind of unit", examples=["bidang"])
    induk: str | None = Field(
        None, description="Kode unit induk (kuncinya boleh melapor untuk unit ini) / parent unit", examples=[None]
    )


class IndikatorPk(Terbuka):
    """Satu indikator kinerja dengan targetnya. / One performance indicator and its targets."""

    kode: Kode = Field(description="Kode indikator (unik dalam PK) / the indicator's code", examples=["IK-3.1"])
    nama: Teks = Field(description="Nama indikator / name", examples=["Persentase pencari kerja yang ditempatkan"])
    satuan: Teks = Field(description="Satuan (%: nilai 0–100) / unit of measure", examples=["%"])
    polaritas: Polaritas = Field(
        description="positif: makin tinggi makin baik; negatif: makin rendah; rentang: dalam [min, max] / polarity",
        examples=["positif"],
    )
    agregasi: Agregasi = Field(
        description="Cara menggabungkan triwulan menjadi semester/tahun / how quarters add up", examples=["terakhir"]
    )
    penanggung_jawab: str = Field(
        description="Kode unit yang melaporkan indikator ini / the unit that reports it", examples=["BID-PENTA"]
    )
    target: Angka | None = Field(None, description="Target tahunan (bukan rentang) / the annual target")
    target_min: Angka | None = Field(None, description="Batas bawah target (rentang) / range target's lower bound")
    target_max: Angka | None = Field(None, description="Batas atas target (rentang) / range target's upper bound")
    target_triwulan: list[Angka | Annotated[list[Angka], Field(min_length=2, max_length=2)]] = Field(
        min_length=4,
        max_length=4,
        description="Target kumulatif TW1–TW4; untuk rentang tiap target [min, max] / the four quarterly targets",
        examples=[["15", "30", "45", "60"]],
    )
    realisasi_tahun_lalu: Angka | None = Field(None, description="Realisasi tahun lalu / last year's realisation")
    target_akhir_renstra: Angka | None = Field(None, description="Target akhir Renstra / the strategic plan's target")
    desimal: Annotated[int, Field(ge=0, le=DESIMAL_MAX)] | None = Field(
        None, description="Banyak desimal yang ditampilkan / decimals shown", examples=[0]
    )
    kategori: Kategori | None = Field(
        None, description="serapan_anggaran: indikator serapan anggaran (satu, satuan %) / the budget-absorption one"
    )
    realisasi_tahun_sebelumnya: list[RealisasiTahun] | None = Field(
        None, max_length=MAX_PAST_YEARS, description="Realisasi s.d. 5 tahun lalu / up to 5 past years"
    )
    target_renstra: list[TargetRenstra] | None = Field(
        None, max_length=MAX_ITEMS, description="Target Renstra per tahun / the Renstra target per year"
    )
    benchmark: Benchmark | None = Field(None, description="Standar pembanding / a benchmark")


class SasaranPk(Terbuka):
    """Satu sasaran strategis dengan indikatornya. / One strategic goal and its indicators."""

    kode: Kode = Field(description="Kode sasaran (unik) / the goal's code", examples=["SS-3"])
    nama: Teks = Field(description="Nama sasaran / name", examples=["Meningkatnya penempatan tenaga kerja"])
    indikator: list[IndikatorPk] = Field(description="Indikator sasaran ini / its indicators")


class ProgramPk(Terbuka):
    """Satu program dengan pagunya. / One programme and its budget ceiling."""

    kode: Kode = Field(description="Kode program / the programme's code", examples=["P-03"])
    nama: Teks = Field(description="Nama program / name", examples=["Program Penempatan Tenaga Kerja"])
    pagu: Angka = Field(description="Pagu anggaran dalam rupiah / budget ceiling, in rupiah", examples=["1250000000"])
    sasaran: str = Field(description="Kode sasaran yang didukung / the goal it serves", examples=["SS-3"])
    unit: str | None = Field(
        None, description="Kode unit pemegang program (realisasi anggarannya) / the unit that spends it"
    )
    kegiatan: list[Kegiatan] | None = Field(None, max_length=MAX_ITEMS, description="Kegiatan / activities")


class PerjanjianKinerja(Terbuka):
    """Perjanjian Kinerja (PK) satu tahun: unit, sasaran, indikator dan target, program. Kolom lain disimpan seperti
    dikirim (mis. `keterangan` versi ini, ditampilkan di daftar versi). / A year's PK; other fields are kept as sent
    (e.g. `keterangan`, this version's note, shown in the list of versions)."""

    tahun: Tahun | None = Field(None, description="Sama dengan tahun di URL bila diisi / equals the URL's year")
    instansi: Instansi = Field(description="Instansi / the agency")
    tanggal: str | None = Field(
        None,
        pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        description="Tanggal PK ditandatangani (tahun PK atau sebelumnya) / the day it was signed",
        examples=["2024-01-31"],
    )
    pihak_kedua: PihakKedua | None = Field(None, description="Pihak kedua / the second party")
    renstra: Renstra | None = Field(None, description="Renstra / the strategic plan")
    units: list[UnitPk] = Field(description="Unit kerja / the organisational units")
    sasaran: list[SasaranPk] = Field(description="Sasaran strategis / the strategic goals")
    program: list[ProgramPk] | None = Field(None, description="Program dan pagunya / programmes")


# ---- kalender (request) ----------------------------------------------------------------------------------------


class JendelaTriwulan(Tertutup):
    """Jendela pelaporan satu triwulan; yang tidak diisi memakai bawaan. / One quarter's reporting window."""

    triwulan: int = Field(ge=1, le=4, description="Triwulan 1–4 / the quarter", examples=[1])
    buka: str | None = Field(
        None,
        description="Mulai menerima laporan: tanggal atau waktu ISO 8601 / opens (ISO 8601 date or date-time)",
        examples=["2024-03-25"],
    )
    deadline: str | None = Field(
        None,
        description="Batas waktu (tanggal: akhir hari itu), setelah buka / the deadline, after the opening",
        examples=["2024-04-10"],
    )


class KalenderInput(Tertutup):
    """Kalender pelaporan satu tahun; `{"triwulan": []}` memasang kalender bawaan. / A year's calendar."""

    triwulan: list[JendelaTriwulan] = Field(description="Triwulan yang diatur / the quarters set")


# ---- answers -----------------------------------------------------------------------------------------------------

TahunIni = Annotated[int, Field(description="Tahun anggaran / budget year", examples=[2024])]
NomorTriwulan = Annotated[int, Field(description="Triwulan 1–4 / the quarter", examples=[1])]
NamaPeriode = Annotated[str, Field(description="Periode: TW1–TW4 / the period", examples=["TW1"])]
KodeUnit = Annotated[str, Field(description="Kode unit / the unit's code", examples=["BID-PENTA"])]
IdPengiriman = Annotated[
    str,
    Field(description="Id pengiriman (laporan) / the submission's id", examples=["5b0f3c1e9d2a4f6b8c7d1e2f3a4b5c6d"]),
]
StatusNama = Literal["belum_dibuka", "open", "closed", "final"]
StatusPeriodeNama = Annotated[
    StatusNama,
    Field(
        description=(
            "belum_dibuka: kalender kantor belum membuka triwulan ini (laporan ditolak 409 periode_belum_dibuka "
            "sampai `buka`); open: menerima laporan; closed: ditutup; final: disetujui / belum_dibuka: the office's "
            "calendar has not opened the quarter yet; open: taking reports; closed; final: approved"
        ),
        examples=["open"],
    ),
]
Jumlah = Annotated[int, Field(ge=0)]


class _Hitungan(BaseModel):
    imported: Jumlah = Field(description="Nilai baru / values new to this quarter", examples=[2])
    updated: Jumlah = Field(description="Nilai yang berubah / values changed", examples=[0])
    ignored: Jumlah = Field(description="Nilai sama dengan yang tersimpan / values equal to those held", examples=[0])


class Ringkasan(_Hitungan):
    """Apa yang diubah laporan ini. / What the report changed."""

    conflicts: list[dict[str, object]] = Field(description="Selalu kosong di sini / always empty here", examples=[[]])


class LaporanDiterima(BaseModel):
    """Jawaban laporan yang diterima (202), atau yang akan diterima (dry_run, 200). / A report's answer."""

    submission_id: str | None = Field(
        description=(
            "Id pengiriman tersimpan yang memuat data ini (untuk bukti dukung: POST /laporan-triwulan/{id}/bukti). "
            "Data yang sama dikirim lagi: id pengiriman yang sudah tersimpan. dry_run yang akan membuat revisi baru: "
            "null (tidak ada yang disimpan). / The id of the stored submission holding this data (attach evidence to "
            "it); for unchanged data, the stored one's; null for a dry run that would store a new revision."
        ),
        examples=["5b0f3c1e-9d2a-4f6b-8c7d-1e2f3a4b5c6d"],
    )
    revision: int = Field(
        description="Revisi data unit pada periode ini; tetap bila tidak ada yang berubah / the data's revision",
        examples=[1],
    )
    on_time: bool = Field(description="Diterima sebelum batas waktu / received by the deadline", examples=[True])
    summary: Ringkasan = Field(description="Ringkasan perubahan / what changed")


class BarisBulk(BaseModel):
    """Jawaban satu baris impor massal. / One row's answer."""

    row: int = Field(description="Nomor baris (mulai 0) / the row's index", examples=[0])
    unit: object = Field(description="Unit baris itu, seperti dikirim / the row's unit, as sent", examples=["BPS"])
    triwulan: object = Field(description="Triwulan baris itu, seperti dikirim / as sent", examples=[1])
    submission_id: str | None = Field(description="Id pengiriman bila diterima / when accepted")
    revision: int | None = Field(description="Revisi bila diterima / when accepted")
    status: Literal["accepted", "rejected"] = Field(description="Diterima atau ditolak / accepted or rejected")


class KonflikBulk(BaseModel):
    """Satu masalah satu baris yang ditolak. / One problem of a refused row."""

    row: int = Field(description="Nomor baris / the row's index", examples=[1])
    unit: object = Field(description="Unit baris itu, seperti dikirim / the row's unit, as sent", examples=["BPS"])
    field: str | None = Field(description="Kolom bermasalah dalam baris / the field", examples=["realisasi[0].nilai"])
    rule: str = Field(description="Aturan yang dilanggar / the rule", examples=["not_a_number"])
    message_id: str = Field(description="Pesan (Indonesia) / the message in Indonesian")
    message_en: str = Field(description="Pesan (Inggris) / the message in English")


class RingkasanBulk(_Hitungan):
    """Jumlah semua baris yang diterima dan masalah yang ditolak. / Totals of the accepted rows, and the problems."""

    conflicts: list[KonflikBulk] = Field(description="Masalah tiap baris yang ditolak / each refused row's problems")


class BulkDiterima(BaseModel):
    """Jawaban impor massal. / A bulk import's answer."""

    atomic: bool = Field(description="true: semua atau tidak sama sekali / all or nothing")
    summary: RingkasanBulk = Field(description="Ringkasan / the totals")
    results: list[BarisBulk] = Field(description="Jawaban tiap baris / each row's answer")


class PkTersimpan(BaseModel):
    """PK yang disimpan. / The PK stored."""

    tahun: TahunIni
    version: int = Field(description="Versi PK / the PK's version", examples=[1])
    indikator: Jumlah = Field(description="Jumlah indikator / number of indicators", examples=[12])
    units: Jumlah = Field(description="Jumlah unit / number of units", examples=[8])
    changed: bool = Field(description="false: PK yang sama sudah tersimpan / the same PK was held already")


class PkDokumen(BaseModel):
    """Satu versi PK. / One version of the PK."""

    tahun: TahunIni
    version: int = Field(description="Versi PK / the PK's version", examples=[1])
    created_at: Waktu
    pk: dict[str, object] = Field(description="Dokumen PK seperti dikirim (lihat PerjanjianKinerja) / the PK as sent")


class Perubahan(BaseModel):
    """Satu perubahan terhadap versi sebelumnya. / One change against the version before."""

    jenis: Literal["unit_ditambah", "unit_dihapus", "indikator_ditambah", "indikator_dihapus", "indikator_diubah"] = (
        Field(description="Apa yang berubah / what changed", examples=["indikator_diubah"])
    )
    kode: str = Field(description="Kode unit atau indikator / the unit's or indicator's code", examples=["IK-3.1"])
    field: str | None = Field(
        None, description="indikator_diubah: kolom yang berubah / the field that changed", examples=["target"]
    )
    lama: object = Field(None, description="indikator_diubah: nilai lama, seperti dikirim / the old value, as sent")
    baru: object = Field(None, description="indikator_diubah: nilai baru, seperti dikirim / the new value, as sent")


class VersiPk(BaseModel):
    """Satu versi PK dan perubahannya. / One PK version and what it changed."""

    version: int = Field(description="Versi PK / the PK's version", examples=[2])
    created_at: Waktu
    keterangan: object = Field(description="Kolom `keterangan` PK versi ini / the version's `keterangan`")
    indikator: Jumlah = Field(description="Jumlah indikator / number of indicators")
    units: Jumlah = Field(description="Jumlah unit / number of units")
    perubahan: list[Perubahan] = Field(description="Perubahan terhadap versi sebelumnya / what changed")


class DaftarVersiPk(BaseModel):
    """Semua versi PK satu tahun (PK perubahan). / Every version of a year's PK."""

    tahun: TahunIni
    versi: list[VersiPk] = Field(description="Versi, dari yang pertama / the versions, oldest first")


class JendelaTersimpan(BaseModel):
    """Jendela pelaporan satu triwulan. / One quarter's reporting window."""

    triwulan: NomorTriwulan
    buka: Waktu
    deadline: Waktu


class Kalender(BaseModel):
    """Kalender pelaporan satu tahun. / A year's reporting calendar."""

    tahun: TahunIni
    configured: bool = Field(description="Kalender sudah diatur (laporan sebelum buka ditolak) / set by the admin")
    triwulan: list[JendelaTersimpan] = Field(description="Empat triwulan / the four quarters")


class KunciApiBaru(BaseModel):
    """Kunci API baru: disimpan hanya sebagai hash, ditampilkan sekali ini. / A new key, shown this once."""

    unit: KodeUnit
    api_key: str = Field(description="Kunci API (lpk_…) / the key", examples=["lpk_…"])
    id: int = Field(description="Id kunci (untuk mencabutnya) / the key's id", examples=[7])


class KunciApi(BaseModel):
    """Satu kunci API (tanpa kuncinya). / One API key (never the key itself)."""

    id: int = Field(description="Id kunci / the key's id", examples=[7])
    unit: KodeUnit
    hint: str | None = Field(description="Awal kunci / the key's first characters", examples=["lpk_AbCd…"])
    created_at: Waktu
    revoked_at: Waktu | None = Field(description="Waktu dicabut (null: aktif) / when revoked (null: in use)")


class DaftarKunciApi(BaseModel):
    """Kunci API. / API keys."""

    api_keys: list[KunciApi] = Field(description="Kunci, per unit / the keys, by unit")


class BerkasBukti(BaseModel):
    """Satu berkas bukti, singkat. / One evidence file, in short."""

    id: str = Field(description="Id bukti (unduh: /api/v1/bukti/{id}) / the file's id")
    submission_id: IdPengiriman
    filename: str = Field(description="Nama berkas / the file's name", examples=["bukti-tw1.pdf"])


class RingkasanBukti(BaseModel):
    """Bukti dukung unit pada triwulan ini. / The unit's evidence of the quarter."""

    count: Jumlah = Field(description="Jumlah berkas / number of files")
    files: list[BerkasBukti] = Field(description="Berkas, dari yang terlama / the files, oldest first")


class RiwayatRevisi(BaseModel):
    """Satu revisi data unit. / One revision of the unit's data."""

    revision: int = Field(description="Nomor revisi / the revision", examples=[1])
    submission_id: IdPengiriman
    received_at: Waktu
    late: bool = Field(description="Diterima setelah batas waktu / received after the deadline")


class StatusUnit(BaseModel):
    """Status pelaporan satu unit. / One unit's reporting status."""

    unit: KodeUnit
    submitted: bool = Field(
        description="Semua indikator unit sudah dilaporkan / every indicator reported", examples=[False]
    )
    on_time: bool | None = Field(
        description="Lengkap sebelum batas waktu (null: belum lengkap) / complete in time", examples=[None]
    )
    revision: int = Field(description="Revisi terakhir (0: belum melapor) / the latest revision", examples=[1])
    missing_indikator: list[str] = Field(
        description="Indikator yang belum dilaporkan / not yet reported", examples=[["IK-3.1"]]
    )
    history: list[RiwayatRevisi] = Field(description="Revisi yang mengubah data / the revisions that changed data")
    bukti: RingkasanBukti = Field(description="Bukti dukung / evidence files")


class _Triwulan(BaseModel):
    periode: NamaPeriode
    status: StatusPeriodeNama
    deadline: Waktu


class StatusPeriode(_Triwulan):
    """Status pelaporan satu triwulan; kunci unit hanya melihat barisnya sendiri. / A quarter's status."""

    tahun: TahunIni
    buka: Waktu = Field(
        description=(
            "Mulai menerima laporan. Hanya ditegakkan bila kantor sudah mengatur kalender (GET /kalender/{tahun}: "
            "configured); tanpa kalender, laporan lebih awal diterima. / When reporting opens; enforced only once "
            "the office has set a calendar."
        ),
        examples=["2024-04-01T00:00:00+07:00"],
    )
    expected_units: Jumlah = Field(description="Unit yang wajib melapor / units expected to report")
    submitted_units: Jumlah = Field(description="Unit yang lengkap / units with every indicator reported")
    on_time_units: Jumlah = Field(description="Unit yang lengkap tepat waktu / units complete by the deadline")
    units: list[StatusUnit] = Field(description="Status tiap unit / each unit's status")


class KelengkapanTriwulan(_Triwulan):
    """Kelengkapan satu triwulan. / One quarter's reporting rate."""

    expected: Jumlah = Field(description="Unit yang wajib melapor / units expected", examples=[6])
    actual: Jumlah = Field(description="Unit yang lengkap / units complete", examples=[3])
    on_time: Jumlah = Field(description="Unit yang lengkap tepat waktu / units complete in time", examples=[3])
    reporting_rate: float | None = Field(
        description="Persen unit yang lengkap (null: tidak ada unit wajib) / reporting rate, %", examples=[50.0]
    )
    on_time_rate: float | None = Field(
        description="Persen unit yang lengkap tepat waktu / on-time rate, %", examples=[50.0]
    )


class Kelengkapan(BaseModel):
    """Kelengkapan pelaporan seluruh kantor per triwulan. / The office's reporting rates per quarter."""

    tahun: TahunIni
    triwulan: list[KelengkapanTriwulan] = Field(description="TW1–TW4, berurutan / TW1–TW4, in order")


class PeriodeDitutup(BaseModel):
    """Status periode setelah ditutup. / The period's state once closed."""

    tahun: TahunIni
    periode: NamaPeriode
    status: StatusPeriodeNama


class Bukti(BaseModel):
    """Satu berkas bukti dukung. / One evidence file."""

    id: str = Field(description="Id bukti / the file's id", examples=["0f8c2d4e6a1b4c3d9e7f5a6b7c8d9e0f"])
    submission_id: IdPengiriman
    tahun: TahunIni
    triwulan: NomorTriwulan
    unit: KodeUnit
    indikator: str | None = Field(
        description="Indikator yang didukung (opsional) / the indicator it supports", examples=["IK-3.1"]
    )
    keterangan: str | None = Field(description="Keterangan / a note", examples=["Daftar hadir pelatihan"])
    filename: str = Field(description="Nama berkas / the file's name", examples=["bukti-tw1.pdf"])
    content_type: str = Field(
        description="Jenis berkas (dari isinya) / its type, from its content", examples=["application/pdf"]
    )
    size: Jumlah = Field(description="Ukuran dalam byte / size in bytes", examples=[183204])
    sha256: str = Field(
        description="SHA-256 isinya / its content's SHA-256",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )
    uploaded_at: Waktu
    uploaded_by: str = Field(
        description="Pengunggah (unit:<kode> atau admin) / who uploaded it", examples=["unit:BID-PENTA"]
    )
    url: str = Field(description="Unduh berkas / download", examples=["/api/v1/bukti/…"])


class BuktiPengiriman(BaseModel):
    """Bukti dukung satu pengiriman. / A submission's evidence."""

    submission_id: IdPengiriman
    unit: KodeUnit
    bukti: list[Bukti] = Field(description="Berkas / the files")


class BuktiPeriode(BaseModel):
    """Bukti dukung satu tahun atau triwulan. / A year's or quarter's evidence."""

    tahun: TahunIni
    triwulan: int | None = Field(description="Triwulan yang diminta (null: semua) / the quarter asked for")
    unit: str | None = Field(description="Unit yang diminta (null: semua yang boleh dilihat) / the unit asked for")
    bukti: list[Bukti] = Field(description="Berkas / the files")
