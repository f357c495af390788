"""The approval service's JSON request bodies as pydantic models, for its OpenAPI (shared.contract.json_body_of).

The routes read their bodies strictly (shared.service.JsonBody) and their rules name every problem; these models
are what `/openapi.json` documents and what a generated client sends. They never promise more than the rules take.
Deskripsi dalam bahasa Indonesia, diikuti bahasa Inggris. / Descriptions in Indonesian, then English."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.approval.limits import MAX_TEXT
from services.approval.officials import ROLES
from shared.sakip import PERIODES

Peran = Literal[ROLES]  # type: ignore[valid-type]
Periode = Literal[PERIODES]  # type: ignore[valid-type]


class Masukan(BaseModel):
    """A JSON body: fields the route does not read are ignored."""

    model_config = ConfigDict(extra="allow", strict=True)


class PejabatBaru(Masukan):
    """Pejabat (akun) baru; hanya admin. / A new official's account (the admin only)."""

    username: str = Field(min_length=1, description="Nama pengguna (unik) / username", examples=["kabid.penta"])
    password: str = Field(
        min_length=8, description="Kata sandi, minimal 8 karakter / password", examples=["rahasia123"]
    )
    nama: str = Field(min_length=1, description="Nama lengkap / full name", examples=["Ir. Siti Rahma"])
    role: Peran = Field(description="Peran dalam SOP / the official's role", examples=["kabid"])
    nip: str | None = Field(None, description="NIP / civil-service number", examples=["197805112005012003"])
    jabatan: str | None = Field(None, description="Jabatan / position", examples=["Kepala Bidang Penempatan"])
    pangkat: str | None = Field(
        None,
        description="Pangkat, dicetak di blok tanda tangan / rank, printed in the signature block",
        examples=["Pembina"],
    )
    golongan: str | None = Field(None, description="Golongan ruang / civil-service grade", examples=["IV/a"])
    unit: str | None = Field(
        None, description="Kode unit (untuk kabid, kasi) / the official's unit", examples=["BID-PENTA"]
    )


class Login(Masukan):
    """Kredensial pejabat. / An official's credentials."""

    username: str = Field(description="Nama pengguna / username", examples=["kabid.penta"])
    password: str = Field(description="Kata sandi / password", examples=["rahasia123"])


class Keputusan(Masukan):
    """Keputusan atas draf pada tahapnya. / A decision on a draft at its stage."""

    decision: Literal["approve", "return"] = Field(
        description="approve: setujui; return: kembalikan untuk perbaikan / approve, or return for correction",
        examples=["approve"],
    )
    note: str | None = Field(
        None,
        max_length=MAX_TEXT["note"],
        description="Catatan (wajib untuk return) / a note (required to return)",
        examples=["Mohon periksa IK-3.2"],
    )
    version: int | None = Field(
        None, description="Versi draf yang diputuskan (409 bila sudah berganti) / the draft's version decided on"
    )
    units: list[str] | None = Field(
        None, description="Unit yang harus memperbaiki data (return) / the units to correct their data"
    )
    indikator: list[str] | None = Field(
        None, description="Indikator yang harus diperbaiki (return) / the indicators to correct"
    )


class DisposisiBaru(Masukan):
    """Disposisi: perintah kepada satu jabatan atau satu pejabat. / A disposition to one role or one official."""

    kepada_role: str | None = Field(None, description="Peran penerima / the recipient role", examples=["kabid"])
    kepada_id: int | None = Field(None, ge=1, description="Id pejabat penerima / the recipient official's id")
    instruksi: str = Field(
        min_length=1,
        max_length=MAX_TEXT["instruksi"],
        description="Instruksi / the instruction",
        examples=["Lengkapi bukti dukung TW1"],
    )
    batas_waktu: str | None = Field(
        None, description="Batas waktu, TTTT-BB-HH, tidak lewat / due date, YYYY-MM-DD", examples=["2024-04-30"]
    )
    catatan: str | None = Field(None, max_length=MAX_TEXT["catatan"], description="Catatan / a note")
    tahun: int | None = Field(None, ge=2000, le=2100, description="Tahun laporan / the report's year", examples=[2024])
    periode: Periode | None = Field(None, description="Periode laporan / the report's period", examples=["TW1"])
    langkah: int | None = Field(
        None, description="Langkah SOP (bawaan: langkah disposisi pertama peran pengirim) / the SOP step"
    )


class SosialisasiBaru(Masukan):
    """Sosialisasi draf kepada pejabat. / Circulating a draft to officials."""

    penerima: list[int] = Field(min_length=1, description="Id pejabat penerima / the officials' ids", examples=[[3, 4]])
    catatan: str | None = Field(None, max_length=MAX_TEXT["catatan"], description="Catatan / a note")


# ---- answers -----------------------------------------------------------------------------------------------------


class Pejabat(BaseModel):
    """Seorang pejabat (tanpa kata sandi). / An official (never the password)."""

    id: int = Field(description="Id pejabat / the official's id", examples=[3])
    username: str = Field(description="Nama pengguna / username", examples=["kabid.penta"])
    nama: str = Field(description="Nama lengkap / full name", examples=["Ir. Siti Rahma"])
    nip: str = Field(description="NIP (kosong bila tidak ada) / civil-service number, or empty")
    jabatan: str = Field(description="Jabatan (kosong bila tidak ada) / position, or empty")
    pangkat: str = Field(description="Pangkat (kosong bila tidak ada) / rank, or empty", examples=["Pembina"])
    golongan: str = Field(description="Golongan (kosong bila tidak ada) / grade, or empty", examples=["IV/a"])
    role: str = Field(description="Peran dalam SOP / the official's role", examples=["kabid"])
    unit: str | None = Field(description="Kode unit pejabat / the official's unit", examples=["BID-PENTA"])


class Token(BaseModel):
    """Token pejabat untuk `Authorization: Bearer …`. / An official's bearer token."""

    token: str = Field(description="Token, berlaku sampai LAPKIN_TOKEN_TTL_S / the token, valid for the TTL")
    official: Pejabat = Field(description="Pejabat yang masuk / the official logged in")


Waktu = Field(description="Waktu ISO 8601 dengan zona / an ISO 8601 date-time with its offset")
Orang = dict[str, object]  # {id, nama, nip, jabatan, role[, role_nama]}: an official as the history shows them


class Menunggu(BaseModel):
    """Laporan yang ditunggu draf ini. / A report this draft waits for."""

    periode: str = Field(description="Periode / the period", examples=["S1"])
    tahun: int = Field(description="Tahun / the year", examples=[2024])


class Draf(BaseModel):
    """Satu draf laporan pada tahapnya. / One report draft at its stage."""

    id: str = Field(description="Id draf / the draft's id", examples=["2024-TW1"])
    jenis: str = Field(description="Jenis laporan / the report's kind", examples=["triwulan"])
    tahun: int = Field(description="Tahun / the year", examples=[2024])
    periode: str = Field(description="Periode / the period", examples=["TW1"])
    version: int = Field(description="Versi draf / the draft's version", examples=[1])
    document_id: str | None = Field(description="Id dokumen di renderer / the renderer's document id")
    recap_revision: int | None = Field(description="Revisi rekap yang digambarkan / the recap revision drawn")
    state: str = Field(
        description="Keadaan (menunggu, dikembalikan, final, …) / the draft's state", examples=["menunggu"]
    )
    step: int | None = Field(description="Langkah SOP saat ini / the current SOP step", examples=[4])
    acting_role: str | None = Field(description="Peran yang bertindak sekarang / the role to act now")
    stage_started_at: str = Waktu
    may_approve: bool = Field(description="Pemanggil boleh menyetujui / the caller may approve")
    may_return: bool = Field(description="Pemanggil boleh mengembalikan / the caller may return")
    menunggu: list[Menunggu] = Field(description="Laporan yang ditunggu / reports it waits for")
    rekap_baru: int | None = Field(
        default=None,
        description="Revisi rekap yang lebih baru dari yang digambarkan; versi baru sedang disusun, belum boleh "
        "disetujui / a newer recap revision than the one drawn: a new version is coming, no approval until then",
    )
    rekap_baru_diterima: str | None = Field(
        default=None,
        description="Kapan rekap yang lebih baru itu diterima (UTC, ISO 8601) / when that newer recap arrived",
    )
    rekap_baru_tertunda: bool = Field(
        default=False,
        description="Versi baru belum muncul lima menit setelah rekapnya diterima: penyusunannya gagal atau renderer "
        "tidak berjalan, beri tahu operator / the new version has not appeared five minutes after its recap arrived: "
        "drawing failed or the renderer is not running, tell the operator",
    )


class Riwayat(BaseModel):
    """Satu peristiwa dalam riwayat draf (rincian tambahan menurut jenisnya). / One entry of the draft's history."""

    model_config = ConfigDict(extra="allow")
    version: int = Field(description="Versi draf / the draft's version")
    action: str = Field(description="Tindakan / the action", examples=["approve"])
    step: int | None = Field(description="Langkah SOP / the SOP step")
    actor: str | None = Field(description="Nama pelaku (null: sistem) / who acted (null: the system)")
    role: str | None = Field(description="Peran pelaku / their role")
    note: str | None = Field(description="Catatan / the note")
    at: str = Waktu


class Penjelasan(BaseModel):
    """Yang sudah ditulis unit tentang indikator ini pada periode tersebut. / What a unit already wrote about the
    indicator in the period (the recap's `analisis`)."""

    triwulan: int | None = Field(description="Triwulan / the quarter", examples=[4])
    unit: str | None = Field(description="Kode unit / the unit", examples=["SEKRETARIAT"])
    unit_nama: str | None = Field(description="Nama unit / its name", examples=["Sekretariat"])
    penyebab: str | None = Field(description="Penyebab / the cause")
    kendala: str | None = Field(description="Kendala / obstacles")
    solusi: str | None = Field(description="Solusi / solutions")
    tindak_lanjut: str | None = Field(description="Tindak lanjut / follow-up")


_UNIT = Field(description="Kode unit penanggung jawab / the responsible unit", examples=["SEKRETARIAT"])
_UNIT_NAMA = Field(description="Nama unit penanggung jawab / its name (null: not known)", examples=["Sekretariat"])
_TINDAKAN_ID = Field(
    description="Yang dapat dilakukan penyetuju, dalam bahasa Indonesia / what the approver may do, in Indonesian",
    examples=["Minta penjelasan Sekretariat (Kembalikan dengan alasan), atau setujui dengan catatan yang "
              "menjelaskan selisihnya."],
)  # fmt: skip
_TINDAKAN_EN = Field(description="Yang dapat dilakukan penyetuju, dalam bahasa Inggris / the same in English")
_PENJELASAN = Field(description="Penjelasan unit pada periode ini / what the units already wrote in the period")


class Temuan(BaseModel):
    """Satu ketidakkonsistenan angka dalam rekap draf. / One inconsistency between the draft recap's figures."""

    rule: Literal["serapan_anggaran", "tw4_tahunan", "cacah_desimal", "melebihi_pagu"] = Field(
        description="Aturan: serapan_anggaran (indikator serapan vs serapan kumulatif program), tw4_tahunan "
        "(tahunan vs s.d. TW IV), cacah_desimal (cacah berdesimal), melebihi_pagu (realisasi > pagu) / the rule",
        examples=["serapan_anggaran"],
    )
    indikator: str = Field(
        description="Kode indikator (melebihi_pagu: kode program) / the indicator (a programme for melebihi_pagu)",
        examples=["IK-5.1"],
    )
    message_id: str = Field(description="Pesan dalam bahasa Indonesia / the message in Indonesian")
    message_en: str = Field(description="Pesan dalam bahasa Inggris / the message in English")
    values: dict[str, str] = Field(
        description="Angka yang dibandingkan, seperti ditulis rekap / the figures compared, as the recap writes them",
        examples=[{"realisasi": "96.30", "serapan_kumulatif": "94.86"}],
    )
    unit: str | None = _UNIT
    unit_nama: str | None = _UNIT_NAMA
    tindakan_id: str = _TINDAKAN_ID
    tindakan_en: str = _TINDAKAN_EN
    penjelasan: list[Penjelasan] = _PENJELASAN


class AnalisisBelumAda(BaseModel):
    """Indikator dengan capaian < 100 % atau > 120 % tanpa penyebab dari unit. / An indicator below 100 % or above
    120 % that no unit has explained (`penyebab`)."""

    indikator: str = Field(description="Kode indikator / the indicator", examples=["IK-2.2"])
    nama: str = Field(description="Nama indikator / its name")
    unit: str | None = Field(description="Kode unit penanggung jawab / the responsible unit", examples=["BID-PPTK"])
    unit_nama: str | None = _UNIT_NAMA
    capaian: str | None = Field(description="Capaian (%), seperti ditulis rekap / achievement", examples=["97.56"])
    tindakan_id: str = _TINDAKAN_ID
    tindakan_en: str = _TINDAKAN_EN
    penjelasan: list[Penjelasan] = _PENJELASAN


class Pemeriksaan(BaseModel):
    """Pemeriksaan sebelum persetujuan atas rekap draf ini. / The checks before approval of the draft's recap."""

    analisis_belum_ada: list[AnalisisBelumAda] = Field(
        description="Indikator yang analisisnya belum ada, urutan PK / indicators without analysis, in PK order"
    )
    konsistensi: list[Temuan] = Field(description="Temuan konsistensi / consistency findings")


class Kurang(BaseModel):
    """Sesuatu yang belum memenuhi satu uji kualitas. / One thing a quality check found lacking."""

    kode: str = Field(
        description="Kode indikator, sasaran, periode atau nomor disposisi / its code", examples=["IK-2.1"]
    )
    nama: str = Field(description="Namanya / its name")
    alasan_id: str = Field(description="Mengapa (Indonesia) / why, in Indonesian", examples=["PK tanpa pembanding"])
    alasan_en: str = Field(description="Mengapa (Inggris) / why, in English")
    tautan: str | None = Field(description="Tempat memperbaikinya / where to mend it", examples=["/draf/2024-TW3"])


class KualitasKriteria(BaseModel):
    """Satu kriteria LKE yang terukur dari data. / One worksheet criterion measured from data."""

    kode: str = Field(description="Kode kriteria / the criterion", examples=["3.b.4"])
    teks: str = Field(description="Bunyi kriteria / its text")
    teks_en: str = Field(description="Bunyi kriteria (Inggris) / its text in English")
    komponen: str = Field(description="Kode komponen / the component", examples=["3"])
    sub: str = Field(description="Kode subkomponen / the sub-component", examples=["3.b"])
    kunci: str = Field(description="Uji data yang mengukurnya / the data check", examples=["benchmark"])
    judul_id: str = Field(description="Judul uji / the check's title (Indonesian)")
    judul_en: str = Field(description="Judul uji (Inggris) / the check's title (English)")
    ada: int = Field(description="Yang memenuhi / how many have it", examples=[4])
    dari: int = Field(description="Yang diperiksa / how many were looked at", examples=[9])
    cakupan: str | None = Field(description="Cakupan (%), 2 desimal; null: tidak ada yang diperiksa / coverage",
                                examples=["44.44"])  # fmt: skip
    jawaban: str | None = Field(description="Jawaban yang diraih cakupan ini / the answer it earns", examples=["C"])
    kurang: list[Kurang] = Field(description="Yang belum memenuhi / what is lacking")


class KualitasKomponen(BaseModel):
    """Satu komponen LKE dengan rentang nilai prakiraannya. / A worksheet component with its predicted range."""

    kode: str = Field(description="Kode komponen / the component", examples=["3"])
    nama: str = Field(description="Nama komponen / its name", examples=["Pengukuran Kinerja"])
    nama_en: str = Field(description="Nama komponen (Inggris) / its name in English")
    bobot: str = Field(description="Bobot / weight", examples=["30.00"])
    prediksi_min: str | None = Field(
        description="Batas bawah prakiraan: kriteria belum terukur bernilai 0 (null: tidak ada yang terukur) / the "
        "predicted floor: unmeasured criteria at 0 (null: none measured)",
        examples=["3.75"],
    )
    prediksi_maks: str | None = Field(
        description="Batas atas prakiraan: kriteria belum terukur pada jawaban terbaik skalanya / the predicted "
        "ceiling: unmeasured criteria at their scale's best answer",
        examples=["12.00"],
    )
    terukur: int = Field(description="Kriteria terukur yang terjawab / measured criteria answered")
    jumlah: int = Field(description="Jumlah kriteria komponen / criteria in the component")


class Kualitas(BaseModel):
    """Uji kualitas LKjIP (Evaluasi AKIP) dari data. / The LKjIP's quality check from data."""

    lembar: str = Field(description="Lembar kerja evaluasi / the worksheet", examples=["PermenPANRB-88-2021"])
    kriteria: list[KualitasKriteria] = Field(description="Kriteria terukur, urutan LKE / measured criteria")
    komponen: list[KualitasKomponen] = Field(description="Komponen dengan prakiraan nilai / predicted scores")


class DrafDenganRiwayat(Draf):
    """Satu draf dengan riwayatnya. / One draft with its history."""

    history: list[Riwayat] = Field(description="Riwayat, dari yang terlama / the history, oldest first")
    pemeriksaan: Pemeriksaan = Field(
        description="Pemeriksaan sebelum persetujuan (kosong tanpa rekap) / checks before approval (empty: no recap)"
    )
    kualitas: Kualitas | None = Field(
        default=None,
        description="Uji kualitas LKjIP (draf tahunan/semester; null: lainnya atau PK belum ada) / quality check",
    )


class Disposisi(BaseModel):
    """Satu disposisi. / One disposition."""

    id: int = Field(description="Id disposisi / its id")
    nomor: str = Field(description="Nomor disposisi / its number", examples=["001/DISP/2024"])
    tahun: int = Field(description="Tahun / the year")
    periode: str | None = Field(description="Periode laporan / the report's period")
    langkah: int | None = Field(description="Langkah SOP / the SOP step")
    waktu_standar_menit: int | None = Field(description="Waktu standar langkah, menit / the step's standard, minutes")
    dari: Orang = Field(description="Pengirim / the sender")
    kepada: Orang = Field(description="Penerima: pejabat atau jabatan / the recipient: an official or a role")
    instruksi: str = Field(description="Instruksi / the instruction")
    catatan: str | None = Field(description="Catatan / a note")
    batas_waktu: str | None = Field(description="Batas waktu (tanggal) / the due date")
    issued_at: str = Waktu
    selesai_at: str | None = Field(description="Waktu selesai / when done")
    status: Literal["terbuka", "selesai"] = Field(description="terbuka atau selesai / open or done")


class DaftarDisposisi(BaseModel):
    """Disposisi pemanggil. / The caller's dispositions."""

    diterima: list[Disposisi] = Field(description="Yang diterima / received")
    dikirim: list[Disposisi] = Field(description="Yang dikirim / sent")


class PenerimaSosialisasi(BaseModel):
    """Satu penerima sosialisasi. / One recipient of a circulation."""

    id: int = Field(description="Id pejabat / the official's id")
    nama: str = Field(description="Nama / name")
    role: str | None = Field(description="Peran / role")
    read_at: str | None = Field(description="Waktu dibaca (null: belum) / when read (null: not yet)")


class Sosialisasi(BaseModel):
    """Satu sosialisasi dan tanda bacanya. / One circulation and its read receipts."""

    id: int = Field(description="Id sosialisasi / its id")
    draft_id: str = Field(description="Id draf / the draft's id")
    version: int = Field(description="Versi draf / the draft's version")
    langkah: int = Field(description="Langkah SOP (5 atau 8) / the SOP step")
    dari: Orang = Field(description="Pengirim / the sender")
    catatan: str | None = Field(description="Catatan / a note")
    sent_at: str = Waktu
    penerima: list[PenerimaSosialisasi] = Field(description="Penerima / the recipients")
    belum_dibaca: list[str] = Field(description="Nama yang belum membaca / who has not read it")


class LangkahKepatuhan(BaseModel):
    """Kepatuhan satu langkah SOP terhadap waktu standarnya. / One SOP step against its time standard."""

    nomor: int = Field(description="Nomor langkah / the step")
    kegiatan: str = Field(description="Kegiatan / the activity")
    activity_en: str = Field(description="Kegiatan (Inggris) / the activity in English")
    role: str = Field(description="Peran / the role")
    n: int = Field(description="Jumlah yang diukur / how many measured")
    worst_late: bool = Field(description="Yang terlama melewati standar / the longest was late")
    within: int = Field(description="Jumlah dalam standar / how many within the standard")
    share: float | None = Field(description="Bagian dalam standar (0..1) / the share within the standard")
    waktu_menit: float | None = Field(description="Waktu standar, menit / the standard, minutes")
    median_menit: float | None = Field(description="Median, menit / the median, minutes")
    terlama_menit: float | None = Field(description="Terlama, menit / the longest, minutes")


class Kepatuhan(BaseModel):
    """Kepatuhan SOP satu tahun. / A year's SOP compliance."""

    tahun: int = Field(description="Tahun / the year")
    langkah: list[LangkahKepatuhan] = Field(description="Per langkah SOP / per SOP step")


class Pengingat(BaseModel):
    """Unit yang masih berutang data satu triwulan. / A unit that still owes a quarter's data."""

    tahun: int = Field(description="Tahun / the year")
    periode: str = Field(description="Periode / the period", examples=["TW1"])
    unit: str = Field(description="Kode unit / the unit's code")
    nama_unit: str = Field(description="Nama unit / the unit's name")
    jenis: str = Field(description="pengingat (sebelum batas) atau terlambat / a reminder, or late")
    deadline: str = Waktu
    missing_indikator: list[str] = Field(description="Indikator yang belum dilaporkan / indicators not reported")
    received_at: str = Waktu
    selesai_at: str | None = Field(description="Waktu lunas (null: belum) / when settled")


class DaftarPengingat(BaseModel):
    """Pengingat. / Reminders."""

    pengingat: list[Pengingat] = Field(description="Terbaru dahulu / newest quarter first")


class PejabatPemanfaatan(BaseModel):
    """Pejabat yang memanfaatkan informasi kinerja. / The official who used the information."""

    id: int | None = Field(description="Id pejabat / the official's id")
    nama: str | None = Field(description="Nama / name")
    jabatan: str | None = Field(description="Jabatan / position")
    role: str | None = Field(description="Peran / role")
    role_nama: str | None = Field(description="Nama peran / the role's name")


class BuktiPemanfaatan(BaseModel):
    """Satu bukti. / One piece of evidence."""

    judul: str = Field(description="Judul / title (Indonesian)")
    judul_en: str = Field(description="Judul (Inggris) / title in English")
    tautan: str = Field(description="Tautan di aplikasi / its link in the app")
    nama: str | None = Field(default=None, description="Nama berkas / the file's name")
    sha256: str | None = Field(default=None, description="SHA-256 berkas / the file's SHA-256")


class Pemanfaatan(BaseModel):
    """Satu pemanfaatan informasi kinerja. / One use of performance information."""

    tanggal: str = Waktu
    bagian: Literal["pemanfaatan", "penelaahan"] = Field(
        description="pemanfaatan: penggunaan informasi kinerja; penelaahan: reviu dan pengesahan laporan / "
        "a use, or the report's review and formalisation trail"
    )
    jenis: Literal[
        "keputusan", "disposisi", "disposisi_selesai", "tindak_lanjut", "tindak_lanjut_selesai", "sosialisasi",
        "dibaca", "final",
    ] = Field(description="Jenis catatan / the kind of record")  # fmt: skip
    aksi: str | None = Field(description="Keputusan: submit, approve, return, koreksi, koreksi_selesai / a decision")
    uraian_id: str = Field(description="Uraian (Indonesia) / description in Indonesian")
    uraian_en: str = Field(description="Uraian (Inggris) / description in English")
    pejabat: PejabatPemanfaatan = Field(description="Pejabat / the official")
    tahun: int = Field(description="Tahun kinerja / the performance year")
    periode: str | None = Field(description="Periode laporan / the report's period", examples=["TW1"])
    draft_id: str | None = Field(description="Draf yang bersangkutan / the draft it concerns")
    indikator: list[str] = Field(description="Indikator yang disebut / indicators named")
    bukti: list[BuktiPemanfaatan] = Field(description="Bukti dan tautannya / evidence with links")
    tautan: str | None = Field(description="Halaman catatan / the record's page")


class RingkasanPemanfaatan(BaseModel):
    """Jumlah per jenis. / Counts per kind."""

    keputusan: int = Field(description="Keputusan atas laporan / decisions on reports")
    disposisi: int = Field(description="Disposisi diterbitkan / dispositions issued")
    disposisi_selesai: int = Field(description="Disposisi selesai / dispositions done")
    tindak_lanjut: int = Field(description="Tindak lanjut diterbitkan / follow-ups issued")
    tindak_lanjut_selesai: int = Field(description="Tindak lanjut selesai / follow-ups done")
    sosialisasi: int = Field(description="Sosialisasi / circulations")
    dibaca: int = Field(description="Tanda baca / read receipts")
    final: int = Field(description="Dokumen final diterbitkan / final documents published")


class KriteriaPemanfaatan(BaseModel):
    """Kriteria lembar kerja yang didukung. / A worksheet criterion a part supports."""

    kode: str = Field(description="Kode kriteria (evaluasi.yaml) / the criterion's code", examples=["3.c.3"])
    teks: str = Field(description="Teks kriteria / the criterion's text")
    teks_en: str = Field(description="Teks (Inggris) / in English")


class BagianPemanfaatan(BaseModel):
    """Satu bagian ekspor. / One part of the export."""

    kode: Literal["pemanfaatan", "penelaahan"] = Field(description="Bagian / the part")
    judul_id: str = Field(description="Judul (Indonesia) / title in Indonesian")
    judul_en: str = Field(description="Judul (Inggris) / title in English")
    jumlah: int = Field(description="Jumlah catatan / number of records")
    ringkasan_id: str = Field(description="Ringkasan (Indonesia) / counts in Indonesian")
    ringkasan_en: str = Field(description="Ringkasan (Inggris) / counts in English")
    kriteria: list[KriteriaPemanfaatan] = Field(description="Kriteria yang didukung / criteria supported")


class LaporanPemanfaatan(BaseModel):
    """Pemanfaatan informasi kinerja satu tahun (ekspor evaluator). / A year's uses of performance information."""

    tahun: int = Field(description="Tahun / the year")
    instansi: str = Field(description="Instansi / the office")
    ringkasan: RingkasanPemanfaatan = Field(description="Jumlah per jenis / counts per kind")
    ringkasan_id: str = Field(description="Ringkasan (Indonesia) / the summary line in Indonesian")
    ringkasan_en: str = Field(description="Ringkasan (Inggris) / the summary line in English")
    pemanfaatan: list[Pemanfaatan] = Field(description="Terlama dahulu / oldest first")
    bagian: list[BagianPemanfaatan] = Field(
        description="Pemanfaatan, lalu penelaahan laporan; jumlah dan kriteria / the uses, then the review trail"
    )


# ---- follow-ups (tindak lanjut, issue 17) -------------------------------------------------------------------------


class TindakLanjutBaru(DisposisiBaru):
    """Tindak lanjut: disposisi yang terikat pada indikator PK. / A follow-up: a disposition tied to PK indicators."""

    indikator: list[str] = Field(
        min_length=1, description="Kode indikator PK tahun itu / the year's PK indicator codes", examples=[["IK-2.2"]]
    )
    unit: str = Field(description="Kode unit penanggung jawab / the responsible unit's code", examples=["BID-PPTK"])
    hasil_diharapkan: str = Field(
        min_length=1,
        max_length=MAX_TEXT["hasil_diharapkan"],
        description="Hasil yang diharapkan / the expected result",
        examples=["Jadwal pelatihan TW3 direvisi dan kuota terisi"],
    )
    batas_waktu: str = Field(  # type: ignore[assignment]
        description="Batas waktu (wajib), TTTT-BB-HH / the due date (required), YYYY-MM-DD", examples=["2024-09-30"]
    )
    sumber: str | None = Field(
        None,
        pattern=r"^(rekap|draf):20\d\d-(TW[1-4]|S[12]|TAHUNAN)$",
        description="Asal: rekap atau draf / where it came from",
        examples=["rekap:2024-TW2"],
    )


class BuktiTL(BaseModel):
    """Berkas bukti hasil. / An evidence file of the result."""

    sha256: str = Field(description="SHA-256 isi berkas / the content's SHA-256")
    nama: str = Field(description="Nama berkas / the file name")
    media_type: str = Field(description="Jenis menurut isinya / the type, told by content")
    size: int = Field(description="Ukuran (byte) / size in bytes")
    tautan: str = Field(description="Unduhan (halaman pejabat) / the download (officials' pages)")


class TindakLanjut(BaseModel):
    """Satu tindak lanjut. / One follow-up."""

    id: int = Field(description="Id disposisi / the disposition's id")
    nomor: str = Field(description="Nomor disposisi / its number")
    tahun: int = Field(description="Tahun / the year")
    periode: str | None = Field(description="Periode / the period")
    indikator: list[str] = Field(description="Indikator / the indicators")
    unit: str | None = Field(description="Unit penanggung jawab / the responsible unit")
    unit_nama: str | None = Field(description="Nama unit / the unit's name")
    instruksi: str = Field(description="Instruksi / the instruction")
    hasil_diharapkan: str | None = Field(description="Hasil yang diharapkan / the expected result")
    batas_waktu: str | None = Field(description="Batas waktu / the due date")
    issued_at: str = Waktu
    dari: Orang = Field(description="Pengirim / the sender")
    kepada: Orang = Field(description="Penerima / the recipient")
    status: Literal["terbuka", "terlambat", "selesai"] = Field(description="terbuka, terlambat, selesai / status")
    selesai_at: str | None = Field(description="Waktu selesai / when done")
    hasil: str | None = Field(description="Hasil / the result")
    bukti: list[BuktiTL] = Field(description="Bukti / evidence files")
    sumber: str | None = Field(description="Asal / where it came from")
    tautan: str = Field(description="Halaman disposisi / the disposition's page")


class IndikatorTanpaTL(BaseModel):
    """Indikator di bawah target tanpa tindak lanjut. / An off-target indicator without a follow-up."""

    indikator: str = Field(description="Kode / code")
    nama: str = Field(description="Nama / name")
    unit: str | None = Field(description="Unit penanggung jawab / responsible unit")
    unit_nama: str | None = Field(description="Nama unit / the unit's name")
    periode: str = Field(description="Periode terakhir di bawah target / the latest period it fell short in")
    capaian: str = Field(description="Capaian (%) / achievement (%)")
    tautan_buat: str = Field(description="Formulir terisi / the prefilled form")


class Cek(BaseModel):
    """Satu pemeriksaan data. / One data check."""

    kunci: str = Field(description="Kunci pemeriksaan / the check's key", examples=["tindak_lanjut"])
    judul_id: str = Field(description="Judul (bahasa Indonesia) / title in Indonesian")
    judul_en: str = Field(description="Judul (bahasa Inggris) / title in English")
    ada: int = Field(description="Yang memenuhi / how many meet it")
    dari: int = Field(description="Dari sejumlah / out of")
    cakupan: str | None = Field(description="Persen, teks desimal; null: tidak ada yang diperiksa / percent")
    kurang: list[Kurang] = Field(description="Yang kurang / what is missing")


class DaftarTindakLanjut(BaseModel):
    """Tindak lanjut setahun. / A year's follow-ups."""

    tahun: int = Field(description="Tahun / the year")
    tindak_lanjut: list[TindakLanjut] = Field(description="Tindak lanjut tahun itu / the year's follow-ups")
    tanpa_tindak_lanjut: list[IndikatorTanpaTL] = Field(
        description="Indikator di bawah target tanpa tindak lanjut / off-target indicators without one"
    )
    cakupan: dict[str, Cek] = Field(description="tindak_lanjut, tindak_lanjut_selesai")


# ---- the self-assessment of the SAKIP evaluation (services/approval/evaluasi.py) ----------------------------------


class EvaluasiBukti(BaseModel):
    """Tautan bukti. / An evidence link."""

    judul: str = Field(max_length=200, description="Judul bukti / the evidence's title")
    tautan: str = Field(max_length=500, description="http(s):// atau halaman aplikasi (/…) / an address or app page")


class JawabanEvaluasi(Masukan):
    """Jawaban satu kriteria. Perangkat daerah (kepala_dinas, sekretaris, subkor, staf): `jawaban`, `catatan`,
    `bukti`; Inspektorat: `komentar`, `jawaban_akhir`. Kosong: menghapus. / One criterion's answers: the office's
    roles send jawaban/catatan/bukti, the inspektorat komentar/jawaban_akhir; blank clears."""

    jawaban: str | None = Field(None, description="Huruf pada skala kriteria / a letter of the criterion's scale")
    catatan: str | None = Field(None, max_length=MAX_TEXT["catatan"], description="Catatan / a note")
    bukti: list[EvaluasiBukti] | None = Field(None, max_length=10, description="Tautan bukti / evidence links")
    komentar: str | None = Field(None, max_length=MAX_TEXT["catatan"], description="Komentar Inspektorat / comment")
    jawaban_akhir: str | None = Field(None, description="Jawaban akhir Inspektorat / the final answer")


class EvaluasiData(Cek):
    """Jawaban dari data (kriteria terukur). / A measured criterion's answer from the data."""

    jawaban: str | None = Field(description="Huruf yang diperoleh cakupan / the letter the coverage earns")


class EvaluasiKriteria(BaseModel):
    """Satu kriteria dengan jawaban tahun itu. / One criterion with the year's answers."""

    kode: str = Field(description="Kode / code")
    teks: str = Field(description="Teks kriteria (id) / the criterion (id)")
    teks_en: str = Field(description="Teks kriteria (en) / the criterion (en)")
    skala: str = Field(description="Kunci skala jawaban / the answer scale's key")
    pilihan: list[str] = Field(description="Huruf jawaban pada skala / the scale's letters")
    terukur: str | None = Field(description="Kunci pemeriksaan data bila terukur / the data check measuring it")
    bukti_sumber: str = Field(description="Sumber bukti di Lapkin / where Lapkin keeps its evidence")
    data: EvaluasiData | None = Field(description="Jawaban dari data (kriteria terukur) / the data's answer")
    jawaban: str | None = Field(description="Jawaban perangkat daerah / the office's answer")
    catatan: str | None = Field(description="Catatan perangkat daerah / the office's note")
    bukti: list[EvaluasiBukti] = Field(description="Tautan bukti / evidence links")
    komentar: str | None = Field(description="Komentar Inspektorat / the Inspectorate's comment")
    jawaban_akhir: str | None = Field(description="Jawaban akhir Inspektorat / the Inspectorate's final answer")
    nilai: str | None = Field(description="Nilai kriteria: akhir, kantor, atau data / the criterion's value")
    sumber: str | None = Field(description="akhir | kantor | data")
    updated_at: str | None = Field(description="Perubahan terakhir / last change")


class _EvaluasiBagian(BaseModel):
    """A part of the worksheet: its code, names and weight."""

    kode: str = Field(description="Kode / code")
    nama: str = Field(description="Nama (id) / name (id)")
    nama_en: str = Field(description="Nama (en) / name (en)")
    bobot: str = Field(description="Bobot, poin / weight, points")


class EvaluasiSub(_EvaluasiBagian):
    """Sub-komponen dengan nilainya. / A sub-component with its score."""

    nilai: str = Field(description="Nilai sub-komponen / the sub-component's score")
    kriteria: list[EvaluasiKriteria] = Field(description="Kriteria / criteria")


class EvaluasiKomponen(_EvaluasiBagian):
    """Komponen dengan nilainya. / A component with its score."""

    nilai: str = Field(description="Nilai komponen / the component's score")
    sub: list[EvaluasiSub] = Field(description="Sub-komponen / sub-components")


class EvaluasiLembar(BaseModel):
    """Lembar kerja evaluasi AKIP satu tahun. / A year's AKIP evaluation worksheet."""

    tahun: int = Field(description="Tahun / the year")
    lembar: str = Field(description="Kode lembar kerja / the worksheet's code")
    judul: str = Field(description="Judul lembar kerja / the worksheet's title")
    sumber: str = Field(description="Dasar hukum / the citation")
    state: str = Field(description="belum_dibuka | terbuka | ditutup")
    nilai: str = Field(description="Nilai (saat ditutup, tersimpan) / score (kept once closed)")
    predikat: str = Field(description="Predikat / grade")
    dijawab: int = Field(description="Kriteria bernilai / criteria with a value")
    jumlah: int = Field(description="Jumlah kriteria / criteria in the worksheet")
    closed_at: str | None = Field(description="Waktu ditutup / when closed")
    komponen: list[EvaluasiKomponen] = Field(description="Komponen / components")


class EvaluasiTahun(BaseModel):
    """Evaluasi satu tahun dalam tren. / A year in the trend."""

    tahun: int = Field(description="Tahun / the year")
    state: str = Field(description="terbuka | ditutup")
    lembar: str = Field(description="Kode lembar kerja / the worksheet's code")
    nilai: str | None = Field(description="Nilai saat ditutup / the score at closing")
    predikat: str | None = Field(description="Predikat / grade")
    komponen: dict[str, str] = Field(description="Nilai per komponen saat ditutup / the score per component at closing")
    closed_at: str | None = Field(description="Waktu ditutup / when closed")
