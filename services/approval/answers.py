"""The approval service's JSON answers, typed: what the routes return and the web pages build on.

Plain dicts at runtime (TypedDicts), so the answers' bytes are what they were; their fields are those of the models
in services/approval/schemas.py, which document them in the OpenAPI (tests/unit/approval/test_answers.py holds the
two together). Imports nothing of the service, so every module of it may use them."""

from __future__ import annotations

from typing import Literal, TypedDict

from shared.sakip.kualitas import Cek as Cek  # a data check (docs/evaluation.md): schemas.Cek
from shared.sakip.kualitas import Kurang as Kurang  # what a check finds lacking: schemas.Kurang


class Pejabat(TypedDict):
    """An official (never the password): schemas.Pejabat."""

    id: int | None
    username: str
    nama: str
    nip: str
    jabatan: str
    pangkat: str
    golongan: str
    role: str
    unit: str | None


class PejabatListed(Pejabat):
    """An official as `lapkin officials list` shows them."""

    active: bool


class Token(TypedDict):
    token: str
    official: Pejabat


class Orang(TypedDict, total=False):
    """An official as an event and a history show them ({"id"} alone when the official is gone), or a role (a
    disposition to a role: {"role", "role_nama"})."""

    id: int | str | None
    nama: str
    nip: str | None
    jabatan: str | None
    role: str
    role_nama: str


class Menunggu(TypedDict):
    periode: str
    tahun: int


class Draf(TypedDict):
    """One draft at its stage: schemas.Draf."""

    id: str
    jenis: str
    tahun: int
    periode: str
    version: int
    document_id: str | None
    recap_revision: int | None
    state: str
    step: int | None
    acting_role: str | None
    stage_started_at: str
    may_approve: bool
    may_return: bool
    menunggu: list[Menunggu]
    rekap_baru: int | None
    rekap_baru_diterima: str | None
    rekap_baru_tertunda: bool


class HistoryDetail(TypedDict, total=False):
    """What a history entry records beyond who did what (DraftHistory.detail, JSON): a koreksi return's units and
    indicators, the units a correction was closed without (`tanpa_data`)."""

    units: list[str]
    indikator: list[str]
    tanpa_data: list[str]


class Riwayat(HistoryDetail):
    """One entry of a draft's history: schemas.Riwayat."""

    version: int
    action: str
    step: int | None
    actor: str | None
    role: str | None
    note: str | None
    at: str


class Penjelasan(TypedDict):
    """What a unit wrote about an indicator in the period (the recap's `analisis`): schemas.Penjelasan."""

    triwulan: int | None
    unit: str | None
    unit_nama: str | None
    penyebab: str | None
    kendala: str | None
    solusi: str | None
    tindak_lanjut: str | None


class Temuan(TypedDict):
    """One consistency finding (shared.sakip.checks.Finding), with the unit that answers for it, what the approver
    may do, and what the unit already wrote: schemas.Temuan."""

    rule: str
    indikator: str
    message_id: str
    message_en: str
    values: dict[str, str]
    unit: str | None
    unit_nama: str | None
    tindakan_id: str
    tindakan_en: str
    penjelasan: list[Penjelasan]


class AnalisisBelumAda(TypedDict):
    """An indicator outside 100–120 % without a unit's penyebab: schemas.AnalisisBelumAda."""

    indikator: str
    nama: str
    unit: str | None
    unit_nama: str | None
    capaian: str | None
    tindakan_id: str
    tindakan_en: str
    penjelasan: list[Penjelasan]


class Pemeriksaan(TypedDict):
    """The checks before approval of the draft's recap: schemas.Pemeriksaan."""

    analisis_belum_ada: list[AnalisisBelumAda]
    konsistensi: list[Temuan]


class DrafDenganRiwayat(Draf):
    history: list[Riwayat]
    pemeriksaan: Pemeriksaan
    kualitas: Kualitas | None


class Disposisi(TypedDict):
    """One disposition: schemas.Disposisi."""

    id: int | None
    nomor: str
    tahun: int
    periode: str | None
    langkah: int | None
    waktu_standar_menit: int | None
    dari: Orang
    kepada: Orang
    instruksi: str
    catatan: str | None
    batas_waktu: str | None
    issued_at: str
    selesai_at: str | None
    status: Literal["terbuka", "selesai"]


class DaftarDisposisi(TypedDict):
    diterima: list[Disposisi]
    dikirim: list[Disposisi]


class PenerimaSosialisasi(TypedDict):
    id: int
    nama: str
    role: str | None
    read_at: str | None


class Circulation(TypedDict):
    """A circulation: what was sent, by whom, when; who has not read it yet."""

    id: int | None
    draft_id: str
    version: int
    langkah: int
    dari: Orang
    catatan: str | None
    sent_at: str
    belum_dibaca: list[str]


class Sosialisasi(Circulation):
    """One circulation and its read receipts: schemas.Sosialisasi."""

    penerima: list[PenerimaSosialisasi]


class LangkahKepatuhan(TypedDict):
    """One SOP step against its time standard: schemas.LangkahKepatuhan."""

    nomor: int
    kegiatan: str
    activity_en: str
    role: str
    n: int
    worst_late: bool
    within: int
    share: float | None
    waktu_menit: float | None
    median_menit: float | None
    terlama_menit: float | None


class Kepatuhan(TypedDict):
    tahun: int
    langkah: list[LangkahKepatuhan]


class Pengingat(TypedDict):
    """A unit that still owes a quarter's data: schemas.Pengingat."""

    tahun: int
    periode: str
    unit: str
    nama_unit: str | None
    jenis: str
    deadline: str
    missing_indikator: list[str]
    received_at: str
    selesai_at: str | None


class DaftarPengingat(TypedDict):
    pengingat: list[Pengingat]


class ReturnView(TypedDict):
    """A draft's latest return (handlers.latest_return): reason, who, what it named, whether the draft moved on
    since, and per named unit whether it has sent new data."""

    version: int
    note: str | None
    actor: str | None
    role: str | None
    step: int | None
    at: str
    units: list[str]
    indikator: list[str]
    resolved: bool
    resolved_by: str | None
    resolved_at: str | None
    delivered: dict[str, bool]
    koreksi_selesai: list[KoreksiSelesai]


class KoreksiSelesai(TypedDict):
    tanpa_data: list[str]
    note: str | None


class PejabatPemanfaatan(TypedDict):
    """Who used the information (issue 17, the evaluator's export): the official as on file when the export is made,
    their role's name; `nama` the history's own record when the official is gone."""

    id: int | None
    nama: str | None
    jabatan: str | None
    role: str | None
    role_nama: str | None


class BuktiPemanfaatan(TypedDict):
    judul: str
    judul_en: str
    tautan: str
    nama: str | None
    sha256: str | None


class Pemanfaatan(TypedDict):
    """One use of performance information (services/approval/pemanfaatan.py): schemas.Pemanfaatan."""

    tanggal: str
    bagian: Literal["pemanfaatan", "penelaahan"]
    jenis: Literal[
        "keputusan", "disposisi", "disposisi_selesai", "tindak_lanjut", "tindak_lanjut_selesai", "sosialisasi",
        "dibaca", "final",
    ]  # fmt: skip
    aksi: str | None
    uraian_id: str
    uraian_en: str
    pejabat: PejabatPemanfaatan
    tahun: int
    periode: str | None
    draft_id: str | None
    indikator: list[str]
    bukti: list[BuktiPemanfaatan]
    tautan: str | None


class RingkasanPemanfaatan(TypedDict):
    keputusan: int
    disposisi: int
    disposisi_selesai: int
    tindak_lanjut: int
    tindak_lanjut_selesai: int
    sosialisasi: int
    dibaca: int
    final: int


class KriteriaPemanfaatan(TypedDict):
    kode: str
    teks: str
    teks_en: str


class BagianPemanfaatan(TypedDict):
    """One part of the export (the uses; the report's review trail): schemas.BagianPemanfaatan."""

    kode: Literal["pemanfaatan", "penelaahan"]
    judul_id: str
    judul_en: str
    jumlah: int
    ringkasan_id: str
    ringkasan_en: str
    kriteria: list[KriteriaPemanfaatan]


class LaporanPemanfaatan(TypedDict):
    """A year's uses of performance information, oldest first, with the counts per kind: schemas.LaporanPemanfaatan."""

    tahun: int
    instansi: str
    ringkasan: RingkasanPemanfaatan
    ringkasan_id: str
    ringkasan_en: str
    pemanfaatan: list[Pemanfaatan]
    bagian: list[BagianPemanfaatan]


# ---- the quality check of a report (issue 17): services/approval/kualitas.py ---------------------------------------
class KualitasKriteria(Cek):
    """One measured criterion of the evaluation worksheet on a report: the data check that measures it (its key,
    title, coverage and what is missing: shared.sakip.kualitas.Cek) and the answer its coverage earns."""

    kode: str
    teks: str
    teks_en: str
    komponen: str
    sub: str
    jawaban: str | None


class KualitasKomponen(TypedDict):
    """A worksheet component: its weight and the range of scores its measured criteria leave open (None: none
    measured): `prediksi_min` with every unmeasured criterion at 0, `prediksi_maks` at its scale's best answer."""

    kode: str
    nama: str
    nama_en: str
    bobot: str
    prediksi_min: str | None
    prediksi_maks: str | None
    terukur: int
    jumlah: int


class Kualitas(TypedDict):
    """The quality check of an LKjIP (services/approval/kualitas.py): schemas.Kualitas."""

    lembar: str
    kriteria: list[KualitasKriteria]
    komponen: list[KualitasKomponen]


# ---- follow-ups (tindak lanjut, issue 17): services/approval/tindaklanjut.py --------------------------------------


class BuktiTL(TypedDict):
    """An evidence file of a disposition's result."""

    sha256: str
    nama: str
    media_type: str
    size: int
    tautan: str


class TindakLanjut(TypedDict):
    """One follow-up: schemas.TindakLanjut."""

    id: int
    nomor: str
    tahun: int
    periode: str | None
    indikator: list[str]
    unit: str | None
    unit_nama: str | None
    instruksi: str
    hasil_diharapkan: str | None
    batas_waktu: str | None
    issued_at: str
    dari: Orang
    kepada: Orang
    status: Literal["terbuka", "terlambat", "selesai"]
    selesai_at: str | None
    hasil: str | None
    bukti: list[BuktiTL]
    sumber: str | None
    tautan: str


class IndikatorTanpaTL(TypedDict):
    """An off-target indicator no follow-up names: schemas.IndikatorTanpaTL."""

    indikator: str
    nama: str
    unit: str | None
    unit_nama: str | None
    periode: str
    capaian: str
    tautan_buat: str


class DaftarTindakLanjut(TypedDict):
    tahun: int
    tindak_lanjut: list[TindakLanjut]
    tanpa_tindak_lanjut: list[IndikatorTanpaTL]
    cakupan: dict[str, Cek]


# ---- the self-assessment of the SAKIP evaluation (services/approval/evaluasi.py) ----------------------------------


class EvaluasiBukti(TypedDict):
    """An evidence link of a criterion's answer: an http(s) address or a page of the app."""

    judul: str
    tautan: str


class EvaluasiData(Cek):
    """A measured criterion's answer from the data: the check (its coverage, what is missing) and the letter its
    coverage earns."""

    jawaban: str | None


class EvaluasiKriteria(TypedDict):
    """One criterion of the worksheet with the year's answers and its value (final, else office, else data)."""

    kode: str
    teks: str
    teks_en: str
    skala: str
    pilihan: list[str]
    terukur: str | None
    bukti_sumber: str
    data: EvaluasiData | None
    jawaban: str | None
    catatan: str | None
    bukti: list[EvaluasiBukti]
    komentar: str | None
    jawaban_akhir: str | None
    nilai: str | None
    sumber: str | None  # akhir | kantor | data
    updated_at: str | None


class EvaluasiSub(TypedDict):
    kode: str
    nama: str
    nama_en: str
    bobot: str
    nilai: str
    kriteria: list[EvaluasiKriteria]


class EvaluasiKomponen(TypedDict):
    kode: str
    nama: str
    nama_en: str
    bobot: str
    nilai: str
    sub: list[EvaluasiSub]


class EvaluasiLembar(TypedDict):
    """A year's worksheet: GET /api/v1/evaluasi/{tahun}."""

    tahun: int
    lembar: str
    judul: str
    sumber: str
    state: str
    nilai: str
    predikat: str
    dijawab: int
    jumlah: int
    closed_at: str | None
    komponen: list[EvaluasiKomponen]


class EvaluasiTahun(TypedDict):
    """A year's evaluation in the trend: state, and the score, grade and per-component scores kept at closing."""

    tahun: int
    state: str
    lembar: str
    nilai: str | None
    predikat: str | None
    komponen: dict[str, str]
    closed_at: str | None
