"""Every label of the officials' web app, in Indonesian (the default) and English."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared import clock
from shared.formatting import fmt_date
from shared.sakip import predikat_label

LANGS = ("id", "en")
DEFAULT_LANG = "id"
WIB = clock.OFFICE  # the office's zone (LAPKIN_TIMEZONE, shared/clock.py): WIB for Kota Tangerang

TEXT: dict[str, dict[str, str]] = {
    "app_name": {"id": "Lapkin — Aplikasi Pejabat", "en": "Lapkin — Officials' app"},
    "office": {"id": "Dinas Ketenagakerjaan Kota Tangerang", "en": "Manpower Office, Kota Tangerang"},
    "login_title": {"id": "Masuk", "en": "Log in"},
    "username": {"id": "Nama pengguna", "en": "Username"},
    "password": {"id": "Kata sandi", "en": "Password"},
    "login_button": {"id": "Masuk", "en": "Log in"},
    "logout": {"id": "Keluar", "en": "Log out"},
    "inbox": {"id": "Kotak masuk", "en": "Inbox"},
    "switch_lang": {"id": "English", "en": "Bahasa Indonesia"},
    "logged_in_as": {"id": "Masuk sebagai", "en": "Logged in as"},
    "to_act": {"id": "Menunggu keputusan Anda", "en": "Waiting for your decision"},
    "for_info": {"id": "Untuk diketahui", "en": "For your information"},
    "none_to_act": {"id": "Tidak ada draf yang menunggu keputusan Anda.", "en": "No draft is waiting for you."},
    "none_info": {"id": "Tidak ada draf lain.", "en": "No other drafts."},
    "report": {"id": "Laporan", "en": "Report"},
    "state": {"id": "Status", "en": "State"},
    "step": {"id": "Langkah SOP", "en": "SOP step"},
    "acts": {"id": "Pelaksana", "en": "Acts"},
    "waiting": {"id": "Lama menunggu", "en": "Waiting"},
    "standard": {"id": "standar", "en": "standard"},
    "on_time": {"id": "tepat waktu", "en": "on time"},
    "late": {"id": "terlambat", "en": "late"},
    "version": {"id": "Versi", "en": "Version"},
    "open": {"id": "Buka", "en": "Open"},
    "recap": {"id": "Rekapitulasi capaian kinerja", "en": "Performance recap"},
    "recap_missing": {
        "id": "Rekap untuk versi ini belum diterima dari layanan agregasi.",
        "en": "The recap of this version has not arrived from the aggregator yet.",
    },
    "indikator": {"id": "Indikator", "en": "Indicator"},
    "target": {"id": "Target", "en": "Target"},
    "realisasi": {"id": "Realisasi", "en": "Actual"},
    "capaian": {"id": "Capaian (%)", "en": "Achievement (%)"},
    "predikat": {"id": "Predikat", "en": "Rating"},
    "office_total": {"id": "Capaian instansi", "en": "Office achievement"},
    "document": {"id": "Dokumen (PDF)", "en": "Document (PDF)"},
    "open_pdf": {"id": "Buka PDF di tab baru", "en": "Open the PDF in a new tab"},
    "changes": {"id": "Perubahan sejak versi sebelumnya", "en": "What changed since the last version"},
    "first_version": {"id": "Ini versi pertama draf.", "en": "This is the draft's first version."},
    "no_changes": {"id": "Tidak ada perubahan angka.", "en": "No figure changed."},
    "changed_indicators": {"id": "Indikator yang berubah", "en": "Indicators that changed"},
    "resubmitted_units": {"id": "Unit yang mengirim ulang data", "en": "Units that resubmitted"},
    "revision": {"id": "revisi", "en": "revision"},
    "changed_totals": {
        "id": "Capaian sasaran, instansi dan anggaran yang berubah",
        "en": "Objective, office and budget figures that changed",
    },
    "change": {"id": "Perubahan", "en": "Change"},
    "fig_target": {"id": "Target", "en": "Target"},
    "fig_realisasi": {"id": "Realisasi", "en": "Actual"},
    "fig_capaian": {"id": "Capaian (%)", "en": "Achievement (%)"},
    "fig_predikat": {"id": "Predikat", "en": "Rating"},
    "fig_target_sd": {"id": "Target s.d. periode", "en": "Cumulative target"},
    "fig_realisasi_sd": {"id": "Realisasi s.d. periode", "en": "Cumulative actual"},
    "fig_capaian_sd": {"id": "Capaian s.d. periode (%)", "en": "Cumulative achievement (%)"},
    "fig_predikat_sd": {"id": "Predikat s.d. periode", "en": "Cumulative rating"},
    "fig_budget_pagu": {"id": "Pagu", "en": "Budget ceiling"},
    "fig_budget_realisasi": {"id": "Realisasi anggaran", "en": "Budget spent"},
    "fig_budget_persen": {"id": "Serapan (%)", "en": "Absorption (%)"},
    "tw": {"id": "TW", "en": "Q"},
    "sasaran": {"id": "Sasaran", "en": "Objective"},
    "program": {"id": "Program", "en": "Programme"},
    "history": {"id": "Riwayat", "en": "History"},
    "when": {"id": "Waktu", "en": "When"},
    "action": {"id": "Tindakan", "en": "Action"},
    "actor": {"id": "Pejabat", "en": "Official"},
    "note": {"id": "Catatan", "en": "Note"},
    "decision": {"id": "Keputusan", "en": "Decision"},
    "approve": {"id": "Setujui", "en": "Approve"},
    "submit": {"id": "Ajukan", "en": "Submit"},
    "return": {"id": "Kembalikan", "en": "Return"},
    "note_optional": {"id": "Catatan (opsional)", "en": "Note (optional)"},
    "reason": {"id": "Alasan pengembalian (wajib)", "en": "Reason for the return (required)"},
    "reason_field": {"id": "Alasan pengembalian", "en": "Reason for the return"},
    "cannot_act": {
        "id": "Anda tidak dapat memutuskan draf ini sekarang.",
        "en": "You cannot decide on this draft now.",
    },
    "back_inbox": {"id": "Kembali ke kotak masuk", "en": "Back to the inbox"},
    "error_title": {"id": "Permintaan ditolak", "en": "Request refused"},
    "not_found": {"id": "Draf tidak ditemukan.", "en": "Draft not found."},
    "not_found_title": {"id": "Tidak ditemukan", "en": "Not found"},
    "draft_not_yet_quarter": {
        "id": "Draf {report} belum dibuat: draf dibuat setelah rekap triwulan itu lengkap (semua unit melapor).",
        "en": "The {report} draft is not made yet: it is made once that quarter's recap is complete.",
    },
    "draft_not_yet_merged": {
        "id": "Draf {report} belum dibuat: draf dibuat setelah laporan triwulan yang digabungnya final.",
        "en": "The {report} draft is not made yet: it is made once the quarterly reports it merges are final.",
    },
    "draft_not_found": {
        "id": "Draf tidak ditemukan: mungkin alamatnya salah.",
        "en": "Draft not found: its address may be wrong.",
    },
    "disposisi_not_allowed": {
        "id": "Disposisi ini hanya dapat dibuka penerbitnya, penerimanya, Sekretaris Dinas dan Kepala Dinas.",
        "en": "Only the issuer, the recipients, the Secretary and the Head of the office may open this disposition.",
    },
    "page_not_found": {"id": "Halaman tidak ditemukan.", "en": "Page not found."},
    "sosialisasi_not_found": {
        "id": "Sosialisasi tidak ditemukan: mungkin nomornya salah.",
        "en": "Circulation not found: its number may be wrong.",
    },
    "disposisi_not_found": {
        "id": "Disposisi tidak ditemukan: mungkin nomornya salah.",
        "en": "Disposition not found: its number may be wrong.",
    },
    "sosialisasi_not_allowed": {
        "id": "Sosialisasi ini dan tanda terima bacanya hanya dapat dilihat pengirim, para penerimanya, Sekretaris "
        "Dinas dan Kepala Dinas.",
        "en": "Only the sender, the recipients, the Secretary and the Head of the office may see this circulation "
        "and its read receipts.",
    },
    "back_disposisi": {"id": "Kembali ke daftar disposisi", "en": "Back to the dispositions"},
    "back_form": {"id": "Kembali ke formulir", "en": "Back to the form"},
    "back_draft": {"id": "Kembali ke draf", "en": "Back to the draft"},
    "back_disposisi_one": {"id": "Kembali ke disposisi", "en": "Back to the disposition"},
    "back_kepatuhan": {"id": "Kembali ke Kepatuhan SOP", "en": "Back to SOP compliance"},
    "back_dlq": {"id": "Kembali ke surat mati", "en": "Back to the dead letters"},
    "back_event_log": {"id": "Kembali ke log peristiwa", "en": "Back to the event log"},
    "back_page": {"id": "Kembali ke halaman sebelumnya", "en": "Back to the previous page"},
    "event_not_found": {
        "id": "Peristiwa tidak ditemukan: stream atau ID entrinya salah, atau entri itu sudah tidak ada.",
        "en": "Event not found: its stream or entry id is wrong, or the entry is gone.",
    },
    "format_unknown": {
        "id": "Format berkas tidak dikenal: yang tersedia PDF, DOCX atau XLSX.",
        "en": "Unknown file format: PDF, DOCX or XLSX are available.",
    },
    "msg_bad_address": {
        "id": "Alamat ini tidak menuju halaman mana pun: ada karakter yang tidak boleh ada di alamat.",
        "en": "This address leads to no page: it holds a character no address may hold.",
    },
    "msg_unreadable_form": {
        "id": "Isian formulir tidak terbaca (kiriman rusak); tidak ada yang disimpan. Kembali ke formulir dan kirim "
        "ulang.",
        "en": "The form's content could not be read (a broken submission); nothing was saved. Go back to the form "
        "and send it again.",
    },
    "msg_too_large": {
        "id": "Isian formulir melebihi batas {limit} per kiriman; tidak ada yang disimpan. Kembali ke formulir, "
        "persingkat teksnya, lalu kirim lagi.",
        "en": "The form's content is over the {limit} limit per request; nothing was saved. Go back to the form, "
        "shorten the text and send it again.",
    },
    # disposisi
    "disposisi": {"id": "Disposisi", "en": "Dispositions"},
    "disposisi_new": {"id": "Terbitkan disposisi", "en": "Issue a disposition"},
    "disposisi_received": {"id": "Disposisi untuk Anda", "en": "Dispositions to you"},
    "disposisi_sent": {"id": "Disposisi yang Anda terbitkan", "en": "Dispositions you issued"},
    "disposisi_none": {"id": "Tidak ada disposisi.", "en": "No dispositions."},
    "pengingat": {"id": "Unit yang belum lengkap melapor", "en": "Units that have not reported in full"},
    "pengingat_intro": {
        "id": "Pengingat otomatis dari pengumpul data: satu ringkasan per unit, menjelang dan setelah batas waktu.",
        "en": "Automatic reminders from the collector: one summary per unit, before and after the deadline.",
    },
    "pengingat_jenis_pengingat": {"id": "menjelang batas waktu", "en": "deadline approaching"},
    "pengingat_jenis_terlambat": {"id": "melewati batas waktu", "en": "past the deadline"},
    "pengingat_missing": {"id": "Indikator belum dilaporkan", "en": "Indicators not yet reported"},
    "deadline": {"id": "Batas waktu", "en": "Deadline"},
    "nomor": {"id": "Nomor", "en": "Number"},
    "dari": {"id": "Dari", "en": "From"},
    "kepada": {"id": "Kepada", "en": "To"},
    "kepada_role": {"id": "Kepada jabatan", "en": "To a role"},
    "kepada_person": {"id": "atau kepada pejabat", "en": "or to an official"},
    "kepada_hint": {
        "id": "Penerima: pilih satu jabatan atau satu pejabat, tidak keduanya.",
        "en": "Recipient: choose one role or one official, not both.",
    },
    "choose": {"id": "— pilih —", "en": "— choose —"},
    "instruksi": {"id": "Instruksi / isi disposisi", "en": "Instruction"},
    "batas_waktu": {"id": "Batas waktu", "en": "Due date"},
    "catatan": {"id": "Catatan", "en": "Notes"},
    "tahun": {"id": "Tahun", "en": "Year"},
    "periode": {"id": "Periode", "en": "Period"},
    "langkah": {"id": "Langkah SOP", "en": "SOP step"},
    "issue": {"id": "Terbitkan", "en": "Issue"},
    "mark_done": {"id": "Tandai selesai", "en": "Mark done"},
    "status_open": {"id": "Terbuka", "en": "Open"},
    "status_done": {"id": "Selesai", "en": "Done"},
    "issued_at": {"id": "Diterbitkan", "en": "Issued"},
    "done_at": {"id": "Selesai pada", "en": "Done on"},
    "due": {"id": "jatuh tempo", "en": "due"},
    # socialisation
    "sosialisasi": {"id": "Sosialisasi", "en": "Circulation"},
    "sosialisasi_to_read": {"id": "Untuk dibaca (sosialisasi)", "en": "To read (circulated to you)"},
    "sosialisasi_send": {"id": "Sosialisasikan kepada pejabat", "en": "Circulate to officials"},
    "sosialisasi_button": {"id": "Sosialisasikan", "en": "Circulate"},
    "read": {"id": "sudah dibaca", "en": "read"},
    "unread": {"id": "belum dibaca", "en": "not read yet"},
    "not_read_by": {"id": "Belum dibaca oleh", "en": "Not read yet by"},
    "all_read": {"id": "Semua penerima sudah membaca.", "en": "Every recipient has read it."},
    "open_draft": {"id": "Buka draf", "en": "Open the draft"},
    "open_report": {"id": "Buka laporan", "en": "Open the report"},
    # unit part, koreksi
    "your_unit": {"id": "Bagian unit Anda", "en": "Your unit's part"},
    "show_all": {"id": "Tampilkan semua indikator", "en": "Show every indicator"},
    "show_unit": {"id": "Tampilkan bagian unit saya", "en": "Show my unit's part"},
    "koreksi_units": {"id": "Unit yang harus mengoreksi data", "en": "Units that must correct their data"},
    "koreksi_indikator": {"id": "Indikator yang dikoreksi", "en": "Indicators to correct"},
    "koreksi_hint": {
        "id": "Pengembalian ini ke Kepala Seksi untuk koreksi data: unit yang dipilih dibuka kembali "
        "untuk mengirim ulang.",
        "en": "This return goes to the Head of section to correct the data: the chosen units are reopened to resubmit.",
    },
    "waiting_for": {"id": "Menunggu: {reports} disetujui", "en": "Waiting for {reports} to be approved"},
    "returned_title": {"id": "Dikembalikan untuk diperbaiki", "en": "Returned for correction"},
    "resubmitted_title": {
        "id": "Sudah diajukan kembali setelah pengembalian",
        "en": "Resubmitted after the return",
    },
    "resubmitted_by": {"id": "Ditindaklanjuti oleh", "en": "Acted on by"},
    "returned_by": {"id": "Dikembalikan oleh", "en": "Returned by"},
    "return_reason": {"id": "Alasan", "en": "Reason"},
    "unit_delivered": {"id": "sudah mengirim data baru", "en": "has sent new data"},
    "unit_owing": {"id": "belum mengirim data baru", "en": "has not sent new data yet"},
    "koreksi_owing": {
        "id": "Unit yang belum mengirim data baru",
        "en": "Units that have not sent new data yet",
    },
    "koreksi_close_note": {
        "id": "Catatan penutupan koreksi (wajib, minimal {n} karakter): mengapa koreksi ditutup tanpa data baru",
        "en": "Note closing the correction (required, at least {n} characters): why it closes without new data",
    },
    "koreksi_mark": {"id": "perlu dikoreksi", "en": "to be corrected"},
    "koreksi_tanpa_data": {
        "id": "Koreksi ditutup tanpa data baru dari",
        "en": "Correction closed without new data from",
    },
    "note_lower": {"id": "catatan", "en": "note"},
    # SOP compliance
    "kepatuhan": {"id": "Kepatuhan SOP", "en": "SOP compliance"},
    # the operators' menu in the top navigation (role `operator`)
    "nav_operator": {"id": "Operator", "en": "Operator"},
    "nav_op_events": {"id": "Log peristiwa", "en": "Event log"},
    "nav_op_trace": {"id": "Jejak", "en": "Trace"},
    "nav_op_dlq": {"id": "Surat mati", "en": "Dead letters"},
    "nav_op_groups": {"id": "Grup konsumen", "en": "Consumer groups"},
    "kepatuhan_intro": {
        "id": "Per langkah: standar waktu SOP dan lama yang terukur dari riwayat draf, disposisi dan sosialisasi.",
        "en": "Per step: the SOP time standard and the durations measured from draft history, dispositions and "
        "circulations.",
    },
    "kepatuhan_due_note": {
        "id": "Disposisi yang diberi batas waktu dinilai terhadap batas waktunya (selesai paling lambat pada tanggal "
        "itu), bukan terhadap standar waktu langkahnya — sama seperti di halaman disposisi.",
        "en": "A disposition with a due date is judged against that date (done by that day), not its step's time "
        "standard — as its own page shows.",
    },
    "measured": {"id": "Terukur", "en": "Measured"},
    "median": {"id": "Median", "en": "Median"},
    "worst": {"id": "Terlama", "en": "Worst"},
    "within": {"id": "Sesuai standar", "en": "Within standard"},
    "no_data": {"id": "belum ada data", "en": "no data yet"},
    "show": {"id": "Tampilkan", "en": "Show"},
    "tahun_invalid": {"id": "Tahun tidak sah: isi tahun 2000–2100.", "en": "Invalid year: enter a year 2000–2100."},
    "other_years": {"id": "Tahun lain dengan data", "en": "Other years with data"},
    # what a card asks of the reader (the inbox)
    "act_submit": {"id": "Susun dan ajukan", "en": "Compose and submit"},
    "act_resubmit": {"id": "Perbaiki sesuai catatan lalu ajukan kembali", "en": "Correct as noted and resubmit"},
    "act_approve": {"id": "Periksa dan setujui", "en": "Review and approve"},
    "act_koreksi": {
        "id": "Perbaiki data unit {units} lalu nyatakan koreksi selesai",
        "en": "Correct the data of {units}, then mark the correction done",
    },
    "act_wait_submit": {"id": "Tunggu {role} menyusun dan mengajukan", "en": "Wait for {role} to compose and submit"},
    "act_wait_approve": {"id": "Tunggu {role} memeriksa dan menyetujui", "en": "Wait for {role} to review and approve"},
    "act_wait_koreksi": {
        "id": "Tunggu {role} memperbaiki data unit {units}",
        "en": "Wait for {role} to correct the data of {units}",
    },
    "act_units_named": {"id": "yang disebut", "en": "the units named"},
    "act_none": {"id": "Tidak ada tindakan lagi", "en": "Nothing more to do"},
    "act_circulate": {
        "id": "Sosialisasikan kepada pejabat terkait (langkah {step})",
        "en": "Circulate it to the officials concerned (step {step})",
    },
    "act_wait_reports": {"id": "Tunggu {reports} disetujui", "en": "Wait for {reports} to be approved"},
    "act_disposisi": {"id": "Tindak lanjuti lalu tandai selesai", "en": "Act on it, then mark it done"},
    "act_wait_disposisi": {"id": "Menunggu tindak lanjut {kepada}", "en": "Waiting for {kepada} to act on it"},
    "act_read": {"id": "Baca laporan ini", "en": "Read this report"},
    "act_was_read": {"id": "Sudah dibaca", "en": "Already read"},
    "act_wait_read": {"id": "Menunggu dibaca {n} penerima", "en": "Waiting for {n} recipient(s) to read it"},
    "state_to_submit": {"id": "Menunggu diajukan", "en": "Waiting to be submitted"},
    "state_in_review": {"id": "Diperiksa {role}", "en": "Under review by {role}"},
    "final_on": {"id": "Final pada", "en": "Final on"},
    "satuan": {"id": "Satuan", "en": "Unit of measure"},
    # messages (the `pesan` of a redirect)
    "msg_logged_out": {"id": "Anda telah keluar.", "en": "You have logged out."},
    "msg_expired": {
        "id": "Sesi Anda telah berakhir; silakan masuk kembali.",
        "en": "Your session has expired; please log in again.",
    },
    "msg_login_required": {"id": "Silakan masuk terlebih dahulu.", "en": "Please log in first."},
    "msg_csrf": {
        "id": "Token keamanan formulir tidak sah atau hilang; tidak ada yang diubah. "
        "Muat ulang halaman lalu coba lagi.",
        "en": "The form's security token is missing or invalid; nothing was changed. Reload the page and try again.",
    },
    "msg_moved_on": {
        "id": "Draf sudah berubah sejak halaman ini dibuka; keputusan Anda tidak disimpan. Periksa keadaan terbaru.",
        "en": "The draft has changed since this page was opened; your decision was not saved. Check its new state.",
    },
    "msg_reason_required": {
        "id": "Pengembalian wajib disertai alasan.",
        "en": "A return needs a reason.",
    },
    "msg_approve": {"id": "Draf disetujui.", "en": "The draft was approved."},
    "msg_submit": {"id": "Draf diajukan untuk diperiksa.", "en": "The draft was submitted for review."},
    "msg_final": {"id": "Draf disetujui dan kini final.", "en": "The draft was approved and is now final."},
    "msg_return": {"id": "Draf dikembalikan.", "en": "The draft was returned."},
    "msg_koreksi_selesai": {"id": "Koreksi dinyatakan selesai.", "en": "The correction was marked done."},
    "msg_disposisi": {"id": "Disposisi diterbitkan.", "en": "The disposition was issued."},
    "msg_disposisi_selesai": {"id": "Disposisi ditandai selesai.", "en": "The disposition was marked done."},
    "msg_sosialisasi": {"id": "Draf disosialisasikan.", "en": "The draft was circulated."},
    "msg_dibaca": {"id": "Tanda terima baca dicatat.", "en": "Your read receipt was recorded."},
}

STATES = {
    "menunggu": {"id": "Menunggu", "en": "Waiting"},
    "dikembalikan": {"id": "Dikembalikan", "en": "Returned"},
    "final": {"id": "Final", "en": "Final"},
    "superseded": {"id": "Diganti versi baru", "en": "Superseded"},
}
JENIS = {
    "triwulan": {"id": "Laporan Kinerja Triwulan", "en": "Quarterly performance report"},
    "semester": {"id": "Laporan Kinerja Semester", "en": "Semester performance report"},
    "tahunan": {"id": "Laporan Kinerja Tahunan (LKIP)", "en": "Annual performance report (LKIP)"},
}
ACTIONS = {
    "rendered": {"id": "Draf dibuat", "en": "Draft made"},
    "submitted": {"id": "Diajukan", "en": "Submitted"},
    "submit": {"id": "Diajukan", "en": "Submitted"},
    "approve": {"id": "Disetujui", "en": "Approved"},
    "approved": {"id": "Disetujui", "en": "Approved"},
    "return": {"id": "Dikembalikan", "en": "Returned"},
    "returned": {"id": "Dikembalikan", "en": "Returned"},
    "koreksi_selesai": {"id": "Koreksi selesai", "en": "Correction done"},
    "superseded": {"id": "Diganti versi baru", "en": "Superseded"},
    "final": {"id": "Final", "en": "Final"},
    "sosialisasi": {"id": "Disosialisasikan", "en": "Circulated"},
    "dibaca": {"id": "Dibaca", "en": "Read"},
    "siap": {
        "id": "Siap diajukan (laporan yang ditunggu sudah final)",
        "en": "Ready to submit (awaited reports final)",
    },
}


PERIODE_NAMES = {  # a period without its year: the disposisi form's choices
    "TW1": {"id": "Triwulan I", "en": "Quarter I"},
    "TW2": {"id": "Triwulan II", "en": "Quarter II"},
    "TW3": {"id": "Triwulan III", "en": "Quarter III"},
    "TW4": {"id": "Triwulan IV", "en": "Quarter IV"},
    "S1": {"id": "Semester I", "en": "Semester I"},
    "S2": {"id": "Semester II", "en": "Semester II"},
    "TAHUNAN": {"id": "Tahunan", "en": "Annual"},
}


def periode_name(code: str, lang: str) -> str:
    return pick(PERIODE_NAMES, code, lang)


def lang_of(value: str | None) -> str:
    return value if value in LANGS else DEFAULT_LANG


def t(key: str, lang: str) -> str:
    entry = TEXT.get(key)
    return entry[lang] if entry else key


def pick(table: dict[str, dict[str, str]], key: str | None, lang: str) -> str:
    if key is None:
        return "–"
    entry = table.get(key)
    return entry[lang] if entry else key


def predikat(value: str | None, lang: str) -> str:
    return predikat_label(value or None, lang, "–")


def fmt_datetime(value: datetime, lang: str) -> str:
    """ "8 Januari 2024 14.05 WIB" (id) / "8 January 2024 14:05 WIB" (en), in the office's time zone (WITA, WIT
    for offices there). A naive value is already office time."""
    zone = clock.office_zone()
    local = value.astimezone(zone) if value.tzinfo else value.replace(tzinfo=zone)
    hhmm = local.strftime("%H.%M") if lang == "id" else local.strftime("%H:%M")
    return f"{fmt_date(local, lang)} {hhmm} {clock.zone_label(zone)}"


def fmt_duration(value: timedelta, lang: str, *, seconds: bool = False) -> str:
    """A waiting time or a time standard: "2 hari 3 jam", "30 menit", "less than a minute"; with `seconds` a time
    under an hour keeps its seconds ("2 menit 33 detik"), so a measured 2,55 minutes never reads as a 2-minute
    standard met (the compliance page)."""
    total = max(int(value.total_seconds()), 0)
    if seconds and total < 3600 and total % 60:
        mins, secs = divmod(total, 60)
        names = {"id": ("menit", "detik"), "en": ("min", "s")}[lang]
        return " ".join(f"{n} {u}" for n, u in zip((mins, secs), names, strict=True) if n)
    minutes = total // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    units = {"id": ("hari", "jam", "menit"), "en": ("d", "h", "min")}[lang]
    parts = [f"{n} {u}" for n, u in zip((days, hours, mins), units, strict=True) if n]
    if not parts:
        return "< 1 menit" if lang == "id" else "< 1 min"
    return " ".join(parts[:2])


# ---- final documents and the Lembar Disposisi (web/final.py) -------------------------------------------------------
DOCUMENT_TEXT: dict[str, dict[str, str]] = {
    "final_documents": {"id": "Dokumen final", "en": "Final documents"},
    "final_published": {"id": "Diterbitkan", "en": "Published"},
    "final_intro": {
        "id": "Laporan yang telah disahkan, dengan Lembar Pengesahan. Periksa keaslian berkas dengan SHA-256-nya.",
        "en": "The approved report, with its approval sheet. Check each file against its SHA-256.",
    },
    "final_pending": {
        "id": "Draf ini sudah final; dokumen finalnya sedang diterbitkan oleh layanan dokumen. "
        "Muat ulang halaman ini sebentar lagi. Draf tidak ditampilkan sebagai dokumen final.",
        "en": "This draft is final; the document service is publishing its final documents. Reload this page in a "
        "moment. The draft is not shown as if it were final.",
    },
    "final_not_yet": {"id": "Draf ini belum final.", "en": "This draft is not final yet."},
    "file_pdf": {"id": "PDF", "en": "PDF"},
    "file_docx": {"id": "Unduh Word (.docx)", "en": "Download Word (.docx)"},
    "file_xlsx": {"id": "Unduh Excel (.xlsx)", "en": "Download Excel (.xlsx)"},
    "sha256": {"id": "SHA-256", "en": "SHA-256"},
    "draft_document": {"id": "Dokumen draf (PDF)", "en": "Draft document (PDF)"},
    "renderer_down": {
        "id": "Layanan dokumen tidak dapat dihubungi; coba lagi sebentar lagi.",
        "en": "The document service cannot be reached; try again in a moment.",
    },
    "lembar_disposisi": {"id": "Lembar Disposisi", "en": "Disposition sheet"},
    "lembar_pdf": {"id": "Buka PDF di tab baru", "en": "Open the PDF in a new tab"},
    "lembar_docx": {"id": "Unduh Word (.docx)", "en": "Download Word (.docx)"},
    "lembar_pending": {
        "id": "Lembar Disposisi sedang dibuat oleh layanan dokumen; coba lagi sebentar lagi.",
        "en": "The document service is still making the disposition sheet; try again in a moment.",
    },
}
TEXT.update(DOCUMENT_TEXT)
