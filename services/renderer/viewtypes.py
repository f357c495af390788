"""The shape of a report's view-model (viewmodel.build_view_model) and of a Lembar Disposisi's: what the templates
read (docs/reports.md; authoring.py holds templates to it). TypedDicts: the view-model stays the plain dict the
templates and the three formats have always been given, so the documents' bytes do not change.

Every figure is there twice: as the text the .docx and .pdf show (`capaian`) and as its value for the .xlsx
(`capaian_value`)."""

# no `from __future__ import annotations`: a TypedDict reads NotRequired when it is created (its optional keys)

from datetime import date
from decimal import Decimal
from typing import NotRequired, Required

from typing_extensions import TypedDict

Range = tuple[Decimal, Decimal]


class Figures(TypedDict):
    """A row's figures of the period."""

    target: str
    realisasi: str
    capaian: str
    predikat: str
    keterangan: str  # why there is no capaian
    target_value: Decimal | None
    target_range: Range | None
    realisasi_value: Decimal | None
    capaian_value: Decimal | None


class FiguresSd(TypedDict):
    """A row's figures from TW I up to the period (s.d.)."""

    target_sd: str
    realisasi_sd: str
    capaian_sd: str
    predikat_sd: str
    keterangan_sd: str
    target_sd_value: Decimal | None
    target_sd_range: Range | None
    realisasi_sd_value: Decimal | None
    capaian_sd_value: Decimal | None


class IndikatorRow(Figures):
    """One indicator of the recap tables; the `*_sd` figures when the recap has them (all but TAHUNAN)."""

    no: int
    kode: str
    nama: str
    satuan: str
    sasaran_kode: str
    sasaran_nama: str
    sasaran_first: bool  # the first row of its sasaran: the merged cell
    sasaran_span: int  # on the first row, its sasaran's height; 0 on the others
    desimal: int  # the decimals its target and realisasi are shown with (capaian: 2); the .xlsx's number format
    target_sd: NotRequired[str]
    realisasi_sd: NotRequired[str]
    capaian_sd: NotRequired[str]
    predikat_sd: NotRequired[str]
    keterangan_sd: NotRequired[str]
    target_sd_value: NotRequired[Decimal | None]
    target_sd_range: NotRequired[Range | None]
    realisasi_sd_value: NotRequired[Decimal | None]
    capaian_sd_value: NotRequired[Decimal | None]


class SasaranRow(TypedDict):
    no: int
    kode: str
    nama: str
    capaian: str
    capaian_value: Decimal | None
    predikat: str
    skipped: int


class CatatanRow(TypedDict):
    triwulan: str  # "Triwulan I"
    unit_kode: str
    unit: str  # its name
    kendala: str
    solusi: str


class SasaranDetail(SasaranRow):
    """Bab III: a sasaran with its indicators and its units' notes."""

    rows: list[IndikatorRow]
    catatan: list[CatatanRow]


class ApprovalRow(TypedDict):
    """One signature of the approval chain."""

    no: int
    nama: str
    nip: str
    jabatan: str
    decided_at: str
    catatan: str  # the approver's decision note ("" when none was given)


class Signatory(TypedDict):
    """The signature block (`kepala`): the official who approved it in the signatory's role; empty on a draft."""

    signed: bool
    jabatan: str
    nama: str
    nip: str
    tanggal: str
    pangkat: str  # "Pembina Utama Muda" ("" when none on file)
    golongan: str  # "IV/c"
    nip_label: str  # the NIP spaced 8-6-1-3: "19720502 200212 1 009"
    tempat_tanggal: str  # "Tangerang, 24 Januari 2025": the office's city and the day approved
    status: str  # "belum disahkan" when not signed


class AnggaranTotal(TypedDict):
    """The budget's figures: of one programme, or of all; the period's and from TW I up to its end (`_sd`: the single
    quarters' recaps before the period plus the period's own; "–" when one of them is missing)."""

    pagu: str
    pagu_value: Decimal
    realisasi: str
    realisasi_value: Decimal
    persen: str
    persen_value: Decimal | None
    realisasi_sd: str
    realisasi_sd_value: Decimal | None
    persen_sd: str
    persen_sd_value: Decimal | None


class AnggaranRow(AnggaranTotal):
    no: int
    kode: str
    nama: str
    unit: str


class TrendPoint(TypedDict):
    q: int
    label: str
    target: str
    target_value: Decimal | None
    target_range: Range | None
    realisasi: str
    realisasi_value: Decimal | None


class TrendRow(TypedDict):
    kode: str
    nama: str
    satuan: str
    desimal: int
    points: list[TrendPoint]


class RencanaAksiPoint(TypedDict):
    """One quarter of the Rencana Aksi: its planned target and, once it has run, its realisasi."""

    q: int
    label: str
    berjalan: bool  # the quarter is within the report's period (else its realisasi is "–")
    target: str
    target_value: Decimal | None
    target_range: Range | None
    realisasi: str
    realisasi_value: Decimal | None


class RencanaAksiRow(TypedDict):
    """An indicator's Rencana Aksi progress: the annual target, the four quarters, and the capaian s.d. the period."""

    no: int
    kode: str
    nama: str
    satuan: str
    desimal: int
    target: str  # the annual target of the PK
    tw: list[RencanaAksiPoint]  # always four
    realisasi_sd: str
    capaian_sd: str
    capaian_sd_value: Decimal | None


class PeringatanRow(TypedDict):
    """An early warning of the period: an indicator below 100 % s.d. the period (kuning 85 – < 100, merah < 85)."""

    no: int
    kode: str
    nama: str
    level: str  # kuning | merah
    tingkat: str  # its label
    pesan: str
    capaian_value: Decimal


class AnalisisPeriode(TypedDict):
    """A row of a quarterly/semester report's analysis per indicator: one per unit and quarter that analysed the
    indicator (the recap's `analisis`), or one with "–" for an indicator with a capaian outside 100–120 % and no
    analysis; rows of one indicator share its cell (`first`, `span`)."""

    no: int  # the indicator's number in this section
    kode: str
    nama: str
    satuan: str
    capaian: str
    capaian_value: Decimal | None
    capaian_sd: str  # "" when the period starts at TW I
    predikat: str
    unit: str  # the PK's penanggung jawab
    first: bool
    span: int
    sumber: str  # "Bidang Pelatihan (TW I)"
    penyebab: str
    kendala: str
    solusi: str
    tindak_lanjut: str
    belum: str  # "Analisis penyebab belum disampaikan …" when outside 100–120 % without a penyebab, else ""
    kosong: bool  # no unit sent anything on it: the four texts are "–" (the PDF prints `belum` across them instead)


class KonsistensiRow(TypedDict):
    """A consistency finding (shared.sakip.checks.consistency) as the document prints it: its figures formatted as
    the document's tables show them, with the units' analysis of the indicator."""

    no: int
    rule: str
    kode: str
    pesan: str
    penjelasan: list[str]  # "Bidang … (TW II): <penyebab>; …"; [] when none


class TrendInstansi(TypedDict):
    label: str
    capaian_value: Decimal | None


class PkRow(TypedDict):
    """The PK table (Bab II and the Lampiran)."""

    no: int
    sasaran_kode: str
    sasaran_nama: str
    sasaran_first: bool
    sasaran_span: int
    kode: str
    nama: str
    satuan: str
    desimal: int
    target: str
    target_value: Decimal | None
    target_range: Range | None
    tw: list[str]  # the four quarterly targets
    tw_values: list[Decimal | None]  # as numbers (the .xlsx): a single target
    tw_ranges: list[Range | None]  # or a range's bounds
    penanggung_jawab: str


class ProgramRow(TypedDict):
    no: int
    kode: str
    nama: str
    pagu: str


class PerbandinganRow(TypedDict):
    """Bab III A of the LKIP: this year against last year's realisasi and the Renstra's end target."""

    no: int
    kode: str
    nama: str
    satuan: str
    desimal: int
    realisasi_lalu: str
    realisasi_lalu_value: Decimal | None
    realisasi: str
    realisasi_value: Decimal | None
    perubahan: str
    perubahan_value: Decimal | None
    kondisi: str
    target_renstra: str
    target_renstra_value: Decimal | None  # a single end target
    target_renstra_range: Range | None  # a rentang indicator's end range
    capaian_renstra: str
    capaian_renstra_value: Decimal | None


class Profil(TypedDict):
    """The office's text block of Bab I and IV (templates/profil.json, or the office's own)."""

    pemda: str
    latar: list[str]
    kedudukan: str
    tugas: str
    fungsi: list[str]
    isu: list[str]
    penutup: list[str] | None


class RecapView(TypedDict):
    """The recap tables' part of a report (build_view_model)."""

    locale: str
    labels: dict[str, str]
    kind: str  # triwulan | semester | tahunan
    title: str
    jenis: str
    instansi: str
    kepala: Signatory
    tahun: int
    periode: str
    periode_label: str
    periode_roman: str
    up_to_label: str
    has_sd: bool
    generated_on: date
    generated_on_label: str
    version: int
    pk_label: str
    final: bool
    draft: bool
    watermark: str
    rows: list[IndikatorRow]
    sasaran: list[SasaranRow]
    capaian_instansi: str
    capaian_instansi_value: Decimal | None
    predikat_instansi: str
    approvals: list[ApprovalRow]
    catatan: list[CatatanRow]


class ReportParts(TypedDict):
    """The parts beyond the recap tables: trend by quarter, budget, PK, comparisons, LKIP text."""

    labels: dict[str, str]  # the recap's, with the charts' captions chosen
    anggaran: list[AnggaranRow]
    anggaran_total: AnggaranTotal
    anggaran_sd: bool  # the cumulative budget columns differ from the period's (TW2–TW4, S2)
    rencana_aksi: list[RencanaAksiRow]  # quarterly and semester reports; [] for the LKIP
    peringatan: list[PeringatanRow]  # quarterly and semester reports; [] for the LKIP
    analisis_periode: list[AnalisisPeriode]  # quarterly and semester reports; [] for the LKIP
    konsistensi: list[KonsistensiRow]  # quarterly and semester reports; [] for the LKIP
    trend: list[TrendRow]
    trend_quarters: list[str]
    trend_instansi: list[TrendInstansi]
    grafik_per: str  # indikator | sasaran
    grafik_tren_per: str  # indikator | instansi
    pk_rows: list[PkRow]
    program: list[ProgramRow]
    perbandingan: list[PerbandinganRow]
    sasaran_detail: list[SasaranDetail]
    struktur: list[str]
    ringkasan: list[str]
    profil: Profil
    penutup: list[str]
    bab2_intro: str


# ---- the annual LKIP's own parts (services/renderer/lkip.py) ----------------------------------------------------


class Caption(TypedDict):
    """A numbered caption ("Tabel 3.1 …") of the Daftar Tabel / Daftar Grafik."""

    kunci: str  # its key (the PDF's anchor)
    nomor: str  # "Tabel 3.1"
    judul: str
    teks: str  # "Tabel 3.1 Skala …"


class SdmRow(TypedDict):
    no: str  # "" on the total row
    nama: str
    jumlah: str
    persen: str


class RenstraView(TypedDict):
    ada: bool  # the PK carries `renstra`
    periode: str  # "2019–2024"
    visi: str
    misi: list[str]
    tujuan: list[str]


class RenstraRow(TypedDict):
    no: int
    sasaran_nama: str
    sasaran_first: bool
    sasaran_span: int
    kode: str
    nama: str
    satuan: str
    target_tahun: str  # the Renstra's target for the report's year
    target_akhir: str


class SkalaRow(TypedDict):
    rentang: str
    predikat: str


class RumusRow(TypedDict):
    polaritas: str
    rumus: str


class AnalisisUnit(TypedDict):
    """What a unit said about an indicator in one quarter (the recap's `analisis`)."""

    sumber: str  # "Bidang … (Triwulan II)"
    penyebab: str
    kendala: str
    solusi: str
    tindak_lanjut: str
    teks: str  # the four in one sentence


class SeriPoint(TypedDict):
    tahun: int
    realisasi_value: Decimal | None
    target_value: Decimal | None  # the Renstra's target of that year
    target_range: Range | None


class AnalisisIndikator(TypedDict):
    """Bab III: one indicator's analysis paragraph, its units' causes and its multi-year chart."""

    no: int
    kode: str
    nama: str
    satuan: str
    sasaran_kode: str
    polaritas: str
    target: str
    realisasi: str
    capaian: str
    predikat: str
    rumus: str  # the formula of its polarity with its figures
    paragraf: str
    desimal: int  # decimals its figures are shown with (shared.sakip.decimals_of)
    seri: list[str]  # realisasi of the years `tahun_seri`
    target_renstra_tahun: str
    target_renstra_akhir: str
    unit: list[AnalisisUnit]
    analisis_belum: str  # "analisis belum disampaikan" when capaian < 100 or > 120 and no penyebab
    grafik_kunci: str
    grafik_judul: str
    grafik_seri: list[SeriPoint]


class TindakLanjutDoc(TypedDict):
    """A follow-up as the renderer keeps it (tindaklanjut.known_at): DisposisiIssued with indicators joined with its
    DisposisiCompleted; moments ISO UTC, `batas_waktu` an ISO date."""

    nomor: str
    tahun: int
    periode: str | None
    indikator: list[str]
    unit: str | None
    dari: dict[str, object]
    kepada: dict[str, object]
    instruksi: str
    hasil_diharapkan: str | None
    batas_waktu: str | None
    sumber: str | None
    issued_at: str
    selesai_at: str | None  # None: not done (as the document's moment knows it)
    hasil: str | None
    bukti: list[dict[str, object]]


class TindakLanjutBaris(TypedDict):
    """Bab III: one follow-up of the year in the table "Tindak Lanjut dan Pemanfaatan Informasi Kinerja"."""

    no: int
    nomor: str
    tanggal: str  # issued, the office's day: "8 Januari 2024"
    indikator: str  # "IK-2.2 Nama indikator", one per line joined by "; "
    kode_indikator: list[str]
    unit: str  # the responsible unit's name (the PK's), else the recipient
    instruksi: str
    hasil_diharapkan: str
    batas_waktu: str
    status: str  # selesai | terbuka | terlambat, in the document's language
    status_kode: str  # selesai | terbuka | terlambat
    selesai: str  # the day it was done, "" when not
    hasil: str
    bukti: str  # how many evidence files, as text
    bukti_value: int


class Efisiensi(TypedDict):
    """Bab III B: a sasaran's capaian against its programmes' budget absorption."""

    no: int
    kode: str
    nama: str
    capaian: str
    capaian_value: Decimal | None
    pagu: str
    pagu_value: Decimal | None
    realisasi: str
    realisasi_value: Decimal | None
    serapan: str
    serapan_value: Decimal | None
    rasio: str
    rasio_value: Decimal | None
    sisa: str
    sisa_value: Decimal | None
    keterangan: str
    dukungan: list[str]  # its programmes, each followed by its kegiatan
    tanpa_program: str  # "tidak ada program pendukung dalam PK" when none supports it, else ""


class PkTtd(TypedDict):
    """The PK's two signatories (Lampiran), on the day the PK was signed."""

    tanggal: str
    tempat_tanggal: str
    pertama_jabatan: str
    pertama_nama: str
    pertama_pangkat: str
    pertama_nip: str
    kedua_jabatan: str
    kedua_nama: str
    kedua_pangkat: str
    kedua_nip: str


class LkipParts(TypedDict, total=False):
    """The annual LKIP's own parts: only in a TAHUNAN view-model."""

    kata_pengantar: list[str]
    judul_tabel: dict[str, str]  # caption by table key; "" for a table the report does not have
    judul_grafik: dict[str, str]
    daftar_tabel: list[Caption]
    daftar_grafik: list[Caption]
    sdm_intro: str
    sdm_golongan: list[SdmRow]
    sdm_pendidikan: list[SdmRow]
    struktur_intro: str
    renstra: RenstraView
    renstra_rows: list[RenstraRow]
    pk_intro: str
    skala_predikat: list[SkalaRow]
    rumus_capaian: list[RumusRow]
    tahun_seri: list[str]
    kolom_target_renstra: str  # the column "Target Renstra 2024"
    analisis_indikator: list[AnalisisIndikator]
    efisiensi: list[Efisiensi]
    pk_ttd: PkTtd
    ringkasan: Required[list[str]]  # the shared summary with the Renstra picture and the causes of a shortfall
    penutup: Required[list[str]]
    konsistensi_tahunan: list[str]  # Bab III's Catatan Konsistensi Data: each difference and its reason
    kata_pengantar_ttd: dict[str, str]  # tempat_tanggal, jabatan, nama of who signs the Kata Pengantar
    tindak_lanjut: list[TindakLanjutBaris]  # Bab III: the year's follow-ups and what came of them
    tindak_lanjut_intro: str  # what the table shows, or (none) the one sentence saying there is none
    tindak_lanjut_belum: list[str]  # one sentence per off-target indicator without a follow-up


class AllParts(ReportParts, LkipParts):
    """What build_view_model adds to the recap tables: the shared parts, and the LKIP's for a TAHUNAN report."""


class ViewModel(RecapView, AllParts):  # `labels` in both: the parts' (the charts' captions chosen)
    """A report's view-model."""


class DisposisiView(TypedDict):
    """A Lembar Disposisi's view-model."""

    locale: str
    labels: dict[str, str]
    kind: str
    title: str
    instansi: str
    profil: object  # the office's text block as it is given (only its `pemda` is read)
    nomor: str
    tanggal: str
    dari: str
    dari_nama: str
    dari_jabatan: str
    dari_nip: str
    kepada: str
    instruksi: str
    batas_waktu: str
    catatan: str
    generated_on: date
    draft: bool
    watermark: str
