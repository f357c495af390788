"""The catalogue: every text the officials' pages, the documents and the operator console show, in Indonesian
(`id`, the default) and English (`en`), as data: `TABLE[key][lang]`. The keys and texts are those the pages and
documents have always used; shared/i18n/__init__.py reads them. (The predikat labels are not here: they belong to
the SAKIP vocabulary.)"""

from __future__ import annotations

Table = dict[str, dict[str, str]]

# ---- the officials' pages (services/approval/web) ------------------------------------------------------------------
PAGES: Table = {
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
        "id": "Disposisi ini hanya dapat dibuka penerbitnya, penerimanya, Sekretaris Dinas, Kepala Dinas dan "
        "Inspektorat.",
        "en": "Only the issuer, the recipients, the Secretary, the Head of the office and the Inspectorate may open "
        "this disposition.",
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
        "Dinas, Kepala Dinas dan Inspektorat.",
        "en": "Only the sender, the recipients, the Secretary, the Head of the office and the Inspectorate may see "
        "this circulation and its read receipts.",
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
    "rekap_baru": {
        "id": "Versi ini disusun dari versi rekap {lama}, padahal sudah ada versi rekap {baru} dengan data yang "
        "lebih baru (diterima {sejak}). Versi ini tidak dapat disetujui (masih dapat dikembalikan). Draf versi baru "
        "sedang disusun; versi itu kembali ke Staf Penyusun untuk diajukan ulang, lalu sampai lagi kepada Anda.",
        "en": "This version was drawn from recap version {lama}, but recap version {baru} with newer data exists "
        "(received {sejak}). This version cannot be approved (it can still be returned). A new draft version is being "
        "drawn; it goes back to the compiling staff to be submitted again, then comes to you.",
    },
    "rekap_baru_tertunda": {
        "id": "Versi ini disusun dari versi rekap {lama}, padahal sudah ada versi rekap {baru} dengan data yang "
        "lebih baru (diterima {sejak}). Versi ini tidak dapat disetujui (masih dapat dikembalikan). Draf versi baru "
        "belum muncul lebih dari {menit} menit kemudian: penyusunannya gagal atau renderer tidak berjalan. Beri tahu "
        "operator.",
        "en": "This version was drawn from recap version {lama}, but recap version {baru} with newer data exists "
        "(received {sejak}). This version cannot be approved (it can still be returned). The new draft version has "
        "not appeared more than {menit} minutes later: drawing it failed or the renderer is not running. Tell the "
        "operator.",
    },
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
    "act_wait_new_version": {
        "id": "Tunggu versi baru (data lebih baru); versi ini hanya dapat dikembalikan",
        "en": "Wait for the new version (newer data); this one can only be returned",
    },
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
    # the checks before approval (services/approval/pemeriksaan.py, shared/sakip/checks.py; issue #15 items 1, 5)
    "pemeriksaan": {"id": "Pemeriksaan sebelum persetujuan", "en": "Checks before approval"},
    "pemeriksaan_intro": {
        "id": "Jelaskan atau perbaiki sebelum menyetujui; pemeriksaan ini tidak menghalangi keputusan.",
        "en": "Explain or correct these before approving; they do not block the decision.",
    },
    "analisis_belum_ada": {"id": "analisis belum ada", "en": "no analysis yet"},
    "analisis_belum_ada_title": {
        "id": "Capaian di bawah 100 % atau di atas 120 % tanpa penyebab dari unit",
        "en": "Achievement below 100 % or above 120 % without a cause from the unit",
    },
    "konsistensi_title": {"id": "Konsistensi angka", "en": "Consistency of the figures"},
    "pj_unit": {"id": "Penanggung jawab", "en": "Responsible unit"},
    "tindakan": {"id": "Tindakan", "en": "What to do"},
    "penjelasan_unit": {"id": "Penjelasan unit", "en": "The unit's explanation"},
    "expl_penyebab": {"id": "penyebab", "en": "cause"},
    "expl_kendala": {"id": "kendala", "en": "obstacle"},
    "expl_solusi": {"id": "solusi", "en": "solution"},
    "expl_tindak_lanjut": {"id": "tindak lanjut", "en": "follow-up"},
    "analisis_board_title": {"id": "Analisis per indikator belum ada", "en": "Indicator analysis missing"},
    "analisis_board_intro": {
        "id": "Per triwulan (rekap terbaru): indikator dengan capaian di bawah 100 % atau di atas 120 % yang "
        "belum dijelaskan penyebabnya oleh unit penanggung jawab.",
        "en": "Per quarter (newest recap): indicators below 100 % or above 120 % whose responsible unit has not "
        "given a cause.",
    },
    "analisis_board_none": {
        "id": "Semua indikator di luar 100–120 % sudah dianalisis.",
        "en": "Every indicator outside 100–120 % has an analysis.",
    },
    # the AKIP self-assessment (services/approval/web/evaluasi.py)
    "nav_evaluasi": {"id": "Evaluasi AKIP", "en": "AKIP evaluation"},
    "ev_title": {"id": "Evaluasi AKIP", "en": "AKIP evaluation"},
    "ev_intro": {
        "id": "Penilaian mandiri atas Lembar Kerja Evaluasi (LKE); Inspektorat menetapkan jawaban akhir dan "
        "menutupnya.",
        "en": "The office's self-assessment against the evaluation worksheet (LKE); the Inspectorate sets the final "
        "answers and closes it.",
    },
    "ev_trend": {"id": "Nilai dan predikat per tahun", "en": "Score and grade per year"},
    "ev_trend_caption": {
        "id": "Tahun berdampingan: nilai tersimpan saat evaluasi ditutup.",
        "en": "Years side by side: the scores kept when each evaluation was closed.",
    },
    "ev_none": {"id": "Belum ada evaluasi.", "en": "No evaluation yet."},
    "ev_open_year": {"id": "Isi lembar kerja", "en": "Answer the worksheet"},
    "ev_worksheet": {"id": "Lembar kerja", "en": "Worksheet"},
    "ev_state_belum_dibuka": {"id": "Belum diisi", "en": "Not started"},
    "ev_state_terbuka": {"id": "Terbuka", "en": "Open"},
    "ev_state_ditutup": {"id": "Ditutup", "en": "Closed"},
    "ev_nilai": {"id": "Nilai", "en": "Score"},
    "ev_nilai_berjalan": {"id": "Nilai sementara", "en": "Running score"},
    "ev_predikat": {"id": "Predikat", "en": "Grade"},
    "ev_dijawab": {"id": "Kriteria bernilai", "en": "Criteria with a value"},
    "ev_value_rule": {
        "id": "Nilai kriteria: jawaban akhir Inspektorat, atau jawaban perangkat daerah, atau jawaban dari data; "
        "kriteria tanpa jawaban bernilai 0.",
        "en": "A criterion's value: the Inspectorate's final answer, else the office's answer, else the data's; a "
        "criterion without an answer counts 0.",
    },
    "ev_pemanfaatan": {
        "id": "Bukti pemanfaatan informasi kinerja tahun ini",
        "en": "This year's evidence of the use of performance information",
    },
    "ev_bobot": {"id": "bobot", "en": "weight"},
    "ev_bukti_sumber": {"id": "Sumber bukti", "en": "Where the evidence is"},
    "ev_dari_data": {"id": "dari data", "en": "from the data"},
    "ev_dari": {"id": "dari", "en": "of"},
    "ev_jawaban_kantor": {"id": "Jawaban perangkat daerah", "en": "The office's answer"},
    "ev_override": {"id": "data:", "en": "data:"},
    "ev_bukti": {"id": "Bukti", "en": "Evidence"},
    "ev_bukti_judul": {"id": "Judul bukti", "en": "Evidence title"},
    "ev_bukti_tautan": {"id": "Tautan bukti", "en": "Evidence link"},
    "ev_bukti_placeholder": {"id": "https://… atau /draf/…", "en": "https://… or /draf/…"},
    "ev_komentar": {"id": "Komentar Inspektorat", "en": "The Inspectorate's comment"},
    "ev_jawaban_akhir": {"id": "Jawaban akhir (Inspektorat)", "en": "Final answer (Inspectorate)"},
    "ev_nilai_kriteria": {"id": "Nilai kriteria", "en": "The criterion's value"},
    "ev_sumber_akhir": {"id": "jawaban akhir", "en": "final answer"},
    "ev_sumber_kantor": {"id": "jawaban perangkat daerah", "en": "the office's answer"},
    "ev_sumber_data": {"id": "dari data", "en": "from the data"},
    "ev_answer_form": {"id": "Isi jawaban", "en": "Answer"},
    "ev_review_form": {"id": "Tinjau (Inspektorat)", "en": "Review (Inspectorate)"},
    "ev_skala": {"id": "skala", "en": "scale"},
    "ev_no_answer": {"id": "— belum dijawab —", "en": "— no answer —"},
    "ev_save": {"id": "Simpan jawaban", "en": "Save the answer"},
    "ev_save_review": {"id": "Simpan tinjauan", "en": "Save the review"},
    "ev_close": {"id": "Tutup evaluasi", "en": "Close the evaluation"},
    "ev_close_hint": {
        "id": "Setelah ditutup, nilai dan predikat disimpan dan tidak ada jawaban yang dapat diubah. Nilai saat ini:",
        "en": "Once closed, the score and grade are kept and no answer can change. The score now:",
    },
    "ev_close_confirm": {
        "id": "Saya yakin menutup evaluasi tahun ini.",
        "en": "I am sure I want to close this year's evaluation.",
    },
    "ev_confirm_required": {
        "id": "Centang kotak «Saya yakin menutup evaluasi tahun ini.» untuk menutup evaluasi.",
        "en": "Tick «I am sure I want to close this year's evaluation.» to close the evaluation.",
    },
    "msg_evaluasi": {"id": "Jawaban disimpan.", "en": "The answer was saved."},
    "msg_evaluasi_ditutup": {
        "id": "Evaluasi ditutup; nilai dan predikat disimpan.",
        "en": "The evaluation is closed; its score and grade are kept.",
    },
    # the LKjIP's quality check (services/approval/kualitas.py, shared/sakip/kualitas.py; issue #17 item 2)
    "kualitas": {"id": "Uji kualitas LKjIP (Evaluasi AKIP)", "en": "LKjIP quality check (AKIP evaluation)"},
    "kualitas_intro": {
        "id": "Dihitung dari data: seberapa jauh laporan ini memenuhi kriteria lembar kerja evaluasi ({lembar}) "
        "yang dapat diukur, jawaban yang diraih dan prakiraan nilai tiap komponen. Tidak menghalangi keputusan.",
        "en": "Computed from data: how far this report meets the evaluation worksheet's measurable criteria "
        "({lembar}), the answer each earns and each component's predicted score. It does not block the decision.",
    },
    "kualitas_kriteria": {"id": "Kriteria terukur", "en": "Measurable criteria"},
    "kualitas_cakupan": {
        "id": "{judul}: {ada} dari {dari} {satuan} ({persen} %)",
        "en": "{judul}: {ada} of {dari} {satuan} ({persen}%)",
    },  # fmt: skip
    "kualitas_kosong": {
        "id": "{judul}: tidak ada yang perlu diperiksa: {sebab}",
        "en": "{judul}: nothing needs checking: {sebab}",
    },
    "kualitas_kosong_umum": {"id": "belum ada {satuan}", "en": "no {satuan} yet"},
    "kualitas_kosong_analisis": {
        "id": "tidak ada indikator dengan capaian di luar 100–120 %",
        "en": "no indicator with an achievement outside 100–120%",
    },
    "kualitas_jawaban": {"id": "Jawaban dari data", "en": "Answer from the data"},
    "kualitas_kurang": {"id": "Belum memenuhi", "en": "Lacking"},
    "kualitas_buka": {"id": "buka", "en": "open"},
    "kualitas_komponen": {"id": "Prakiraan nilai per komponen", "en": "Predicted score per component"},
    "kualitas_prediksi": {
        "id": "prakiraan {bawah} – {atas} dari bobot {bobot}",
        "en": "predicted {bawah} – {atas} of weight {bobot}",
    },
    "kualitas_terukur": {"id": "{n} dari {m} kriteria terukur", "en": "{n} of {m} criteria measured"},
    "kualitas_rentang": {
        "id": "Batas bawah: kriteria yang belum terukur bernilai 0; batas atas: pada jawaban terbaik skalanya.",
        "en": "Floor: the criteria not measured count 0; ceiling: at their scale's best answer.",
    },
    "kualitas_tak_terukur": {"id": "tidak ada kriteria terukur", "en": "no measured criteria"},
    "kualitas_satuan_indikator": {"id": "indikator", "en": "indicators"},
    "kualitas_satuan_sasaran": {"id": "sasaran", "en": "objectives"},
    "kualitas_satuan_laporan": {"id": "laporan", "en": "reports"},
    "kualitas_satuan_tindak_lanjut": {"id": "tindak lanjut", "en": "follow-ups"},
    "kualitas_satuan_triwulan": {"id": "triwulan", "en": "quarters"},
}

STATES: Table = {
    "menunggu": {"id": "Menunggu", "en": "Waiting"},
    "dikembalikan": {"id": "Dikembalikan", "en": "Returned"},
    "final": {"id": "Final", "en": "Final"},
    "superseded": {"id": "Diganti versi baru", "en": "Superseded"},
}
JENIS: Table = {
    "triwulan": {"id": "Laporan Kinerja Triwulan", "en": "Quarterly performance report"},
    "semester": {"id": "Laporan Kinerja Semester", "en": "Semester performance report"},
    "tahunan": {"id": "Laporan Kinerja Tahunan (LKIP)", "en": "Annual performance report (LKIP)"},
}
ACTIONS: Table = {
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

PERIODE_NAMES: Table = {  # a period without its year: the disposisi form's choices
    "TW1": {"id": "Triwulan I", "en": "Quarter I"},
    "TW2": {"id": "Triwulan II", "en": "Quarter II"},
    "TW3": {"id": "Triwulan III", "en": "Quarter III"},
    "TW4": {"id": "Triwulan IV", "en": "Quarter IV"},
    "S1": {"id": "Semester I", "en": "Semester I"},
    "S2": {"id": "Semester II", "en": "Semester II"},
    "TAHUNAN": {"id": "Tahunan", "en": "Annual"},
}

# ---- the final documents and the Lembar Disposisi on the officials' pages (web/final.py) ---------------------------
FINAL_DOCUMENTS: Table = {
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
    "file_store_down": {
        "id": "Penyimpanan berkas sedang tidak tersedia; coba lagi beberapa menit lagi.",
        "en": "File storage is temporarily unavailable; try again in a few minutes.",
    },
    "file_damaged": {
        "id": "Berkas ini hilang atau rusak di penyimpanan; beri tahu operator.",
        "en": "This file is missing or damaged in the store; tell the operator.",
    },
    "lembar_disposisi": {"id": "Lembar Disposisi", "en": "Disposition sheet"},
    "lembar_pdf": {"id": "Buka PDF di tab baru", "en": "Open the PDF in a new tab"},
    "lembar_docx": {"id": "Unduh Word (.docx)", "en": "Download Word (.docx)"},
    "lembar_pending": {
        "id": "Lembar Disposisi sedang dibuat oleh layanan dokumen; coba lagi sebentar lagi.",
        "en": "The document service is still making the disposition sheet; try again in a moment.",
    },
}

# ---- the public verification page (services/approval/web/verifikasi.py) ---------------------------------------------
VERIFIKASI: Table = {
    "vf_title": {"id": "Verifikasi Dokumen", "en": "Document verification"},
    "vf_intro": {
        "id": "Periksa apakah sebuah berkas adalah dokumen final yang diterbitkan kantor ini dan apakah tanda tangan "
        "elektroniknya utuh. Berkas diperiksa lalu dibuang; tidak disimpan.",
        "en": "Check whether a file is a final document this office published and whether its electronic signature "
        "is intact. The file is checked and discarded, never stored.",
    },
    "vf_document": {"id": "Dokumen", "en": "Document"},
    "vf_jenis": {"id": "Jenis", "en": "Kind"},
    "vf_periode": {"id": "Periode", "en": "Period"},
    "vf_version": {"id": "Versi", "en": "Version"},
    "vf_published": {"id": "Diterbitkan", "en": "Published"},
    "vf_files": {"id": "Berkas final dan SHA-256-nya", "en": "Final files and their SHA-256"},
    "vf_this_file": {"id": "berkas yang ditanyakan", "en": "the file asked about"},
    "vf_chain": {"id": "Rantai persetujuan", "en": "Approval chain"},
    "vf_no": {"id": "No", "en": "No"},
    "vf_nama": {"id": "Nama", "en": "Name"},
    "vf_jabatan": {"id": "Jabatan", "en": "Position"},
    "vf_tindakan": {"id": "Tindakan", "en": "Action"},
    "vf_tanggal": {"id": "Tanggal", "en": "Date"},
    "vf_upload": {"id": "Periksa berkas PDF", "en": "Check a PDF file"},
    "vf_upload_help": {
        "id": "Pilih berkas PDF (paling besar {limit}).",
        "en": "Choose a PDF file (at most {limit}).",
    },
    "vf_file": {"id": "Berkas PDF", "en": "PDF file"},
    "vf_check": {"id": "Periksa", "en": "Check"},
    "vf_result": {"id": "Hasil pemeriksaan", "en": "Result"},
    "vf_valid": {
        "id": "COCOK — berkas ini adalah dokumen final asli kantor ini.",
        "en": "VALID — this file is a genuine final document of this office.",
    },
    "vf_invalid": {
        "id": "TIDAK COCOK — berkas ini bukan dokumen final kantor ini, atau telah diubah.",
        "en": "NOT VALID — this file is not a final document of this office, or it was changed.",
    },
    "vf_found": {
        "id": "SHA-256 berkas sama persis dengan dokumen final yang diterbitkan.",
        "en": "The file's SHA-256 is exactly that of a published final document.",
    },
    "vf_not_found": {
        "id": "SHA-256 berkas tidak cocok dengan dokumen final mana pun yang diterbitkan kantor ini.",
        "en": "The file's SHA-256 matches no final document this office published.",
    },
    "vf_sig_valid": {
        "id": 'Tanda tangan elektronik "{field}" oleh {signer} ({when}): utuh dan sah (sertifikat kantor).',
        "en": 'Electronic signature "{field}" by {signer} ({when}): intact and valid (office certificate).',
    },
    "vf_sig_broken": {
        "id": 'Tanda tangan elektronik "{field}": TIDAK UTUH — isi berkas berubah setelah ditandatangani.',
        "en": 'Electronic signature "{field}": NOT INTACT — the file changed after it was signed.',
    },
    "vf_sig_untrusted": {
        "id": 'Tanda tangan elektronik "{field}" oleh {signer}: utuh, tetapi bukan dengan sertifikat kantor ini.',
        "en": 'Electronic signature "{field}" by {signer}: intact, but not made with this office\'s certificate.',
    },
    "vf_sig_appended": {
        "id": 'Tanda tangan elektronik "{field}": utuh, tetapi ada isi yang ditambahkan setelah ditandatangani.',
        "en": 'Electronic signature "{field}": intact, but content was added after it was signed.',
    },
    "vf_unsigned": {
        "id": "Berkas ini tidak memuat tanda tangan elektronik.",
        "en": "This file carries no electronic signature.",
    },
    "vf_computed": {"id": "SHA-256 berkas yang diunggah", "en": "SHA-256 of the uploaded file"},
    "vf_not_found_title": {"id": "Dokumen tidak ditemukan", "en": "Document not found"},
    "vf_unknown_sha": {
        "id": "Tidak ada dokumen final kantor ini dengan SHA-256 {sha}.",
        "en": "No final document of this office has the SHA-256 {sha}.",
    },
    "vf_unknown_doc": {
        "id": "Tidak ada dokumen final kantor ini dengan nomor {id}.",
        "en": "No final document of this office has the id {id}.",
    },
    "vf_bad_sha": {
        "id": "Alamat tidak sah: SHA-256 harus 64 karakter heksadesimal (0-9, a-f).",
        "en": "Invalid address: a SHA-256 is 64 hexadecimal characters (0-9, a-f).",
    },
    "vf_no_file": {"id": "Berkas: pilih sebuah berkas PDF.", "en": "File: choose a PDF file."},
    "vf_empty": {"id": "Berkas: berkas kosong.", "en": "File: the file is empty."},
    "vf_too_large": {
        "id": "Berkas: terlalu besar (paling besar {limit}).",
        "en": "File: too large (at most {limit}).",
    },
    "vf_not_pdf": {
        "id": "Berkas: bukan berkas PDF (tidak diawali %PDF-).",
        "en": "File: not a PDF file (it does not start with %PDF-).",
    },
    "vf_unreadable": {
        "id": "Berkas tidak dapat dibaca sebagai PDF; tanda tangannya tidak dapat diperiksa.",
        "en": "The file cannot be read as a PDF; its signature cannot be checked.",
    },
    "vf_back": {"id": "Kembali ke verifikasi", "en": "Back to verification"},
    "vf_file_is_text": {
        "id": "Berkas: harus berupa berkas yang diunggah (isian berkas terkirim sebagai teks); pilih berkas PDF "
        "pada formulir ini lalu kirim lagi.",
        "en": "File: must be an uploaded file (the file field arrived as text); choose a PDF file on this form and "
        "send it again.",
    },
    "vf_many_files": {
        "id": "Berkas: kirim satu berkas saja per pemeriksaan (terkirim lebih dari satu); tidak ada yang diperiksa.",
        "en": "File: send one file per check (more than one arrived); nothing was checked.",
    },
    "vf_bad_form": {
        "id": "Formulir: isian csrf harus satu teks; muat ulang halaman ini lalu kirim lagi.",
        "en": "Form: the csrf field must be one text; reload this page and send it again.",
    },
    "vf_upload_too_large": {
        "id": "Berkas: terlalu besar (paling besar {limit} per berkas); tidak ada yang diperiksa atau disimpan. "
        "Pilih berkas PDF yang lebih kecil.",
        "en": "File: too large (at most {limit} per file); nothing was checked or stored. Choose a smaller PDF file.",
    },
    "vf_json": {"id": "JSON", "en": "JSON"},
}

# ---- the operator console (services/approval/web/operator.py) ------------------------------------------------------
OPERATOR: Table = {
    "events": {"id": "Log peristiwa", "en": "Event log"},
    "trace": {"id": "Jejak", "en": "Trace"},
    "dlq": {"id": "Surat mati", "en": "Dead letters"},
    "groups": {"id": "Grup konsumen", "en": "Consumer groups"},
    "type": {"id": "Jenis peristiwa", "en": "Event type"},
    "service": {"id": "Layanan", "en": "Service"},
    "unit": {"id": "Unit", "en": "Unit"},
    "periode": {"id": "Periode", "en": "Period"},
    "corr": {"id": "ID korelasi", "en": "Correlation id"},
    "since": {"id": "Dari ({zone})", "en": "From ({zone})"},
    "until": {"id": "Sampai ({zone})", "en": "Until ({zone})"},
    "all": {"id": "semua", "en": "all"},
    "filter": {"id": "Saring", "en": "Filter"},
    "reset": {"id": "Hapus saringan", "en": "Clear filters"},
    "time": {"id": "Waktu", "en": "Time"},
    "zone": {"id": "{zone}", "en": "{zone}"},
    "about": {"id": "Tentang", "en": "About"},
    "envelope": {"id": "Amplop", "en": "Envelope"},
    "detail": {"id": "Rincian", "en": "Details"},
    "copy": {"id": "Salin", "en": "Copy"},
    "copied": {"id": "Tersalin", "en": "Copied"},
    "copy_corr": {"id": "Salin ID korelasi", "en": "Copy the correlation id"},
    "same_corr": {"id": "Peristiwa dengan ID korelasi ini", "en": "Events with this correlation id"},
    "older": {"id": "Lebih lama", "en": "Older"},
    "newest": {"id": "Terbaru", "en": "Newest"},
    "live": {"id": "Langsung: peristiwa baru muncul di atas", "en": "Live: new events appear at the top"},
    "none": {"id": "Tidak ada peristiwa.", "en": "No events."},
    "none_dlq": {"id": "Tidak ada surat mati.", "en": "No dead letters."},
    "otel_trace": {"id": "ID jejak OpenTelemetry", "en": "OpenTelemetry trace id"},
    "trace_for": {
        "id": "ID pengajuan, draf, dokumen, peristiwa atau korelasi",
        "en": "Submission, draft, document, event or correlation id",
    },
    "show": {"id": "Tampilkan", "en": "Show"},
    "replay": {"id": "Kirim ulang", "en": "Replay"},
    "drop": {"id": "Buang", "en": "Drop"},
    "reason": {"id": "Alasan", "en": "Reason"},
    "last_error": {"id": "Galat terakhir", "en": "Last error"},
    "deliveries": {"id": "Pengiriman", "en": "Deliveries"},
    "failed_at": {"id": "Gagal pada", "en": "Failed at"},
    "stream": {"id": "Stream", "en": "Stream"},
    "group": {"id": "Grup", "en": "Group"},
    "length": {"id": "Panjang", "en": "Length"},
    "pending": {"id": "Tertunda", "en": "Pending"},
    "oldest": {
        "id": "Tertunda tertua (umur sejak entri ditulis)",
        "en": "Oldest pending (age since the entry was written)",
    },
    "lag": {"id": "Tertinggal", "en": "Lag"},
    "consumers": {"id": "Konsumen", "en": "Consumers"},
    "replayed": {
        "id": "Peristiwa dikirim ulang hanya ke grup konsumen {group}, dengan event_id yang sama.",
        "en": "Event redelivered to consumer group {group} only, with the same event_id.",
    },
    "dlq_about": {
        "id": "Setiap grup konsumen yang gagal memproses sebuah peristiwa mencatat surat matinya sendiri. "
        "Kirim ulang mengirim peristiwa hanya ke grup pada baris itu; Buang menghapus baris itu saja.",
        "en": "Each consumer group that failed an event keeps its own dead letter. Replay redelivers the event to "
        "the group on that row only; Drop removes that row only.",
    },
    "event_id": {"id": "ID peristiwa", "en": "Event id"},
    "row": {"id": "Baris", "en": "Row"},
    "dropped": {"id": "Surat mati dibuang (tercatat).", "en": "Dead letter dropped (recorded)."},
    "gone": {"id": "Surat mati itu sudah tidak ada.", "en": "That dead letter is gone."},
    "csrf": {"id": "Formulir kedaluwarsa; muat ulang halaman.", "en": "The form expired; reload the page."},
    "forbidden": {"id": "Halaman ini hanya untuk operator.", "en": "This page is for operators only."},
    "recorded": {"id": "Tindakan tercatat", "en": "Recorded actions"},
    "by": {"id": "Oleh", "en": "By"},
    "confirm_drop": {"id": "Ya, buang surat mati ini", "en": "Yes, drop this dead letter"},
    "drop_unconfirmed": {
        "id": "Surat mati tidak dibuang: centang “Ya, buang surat mati ini” di barisnya, lalu tekan Buang.",
        "en": "The dead letter was not dropped: tick “Yes, drop this dead letter” on its row, then press Drop.",
    },
    "action": {"id": "Tindakan", "en": "Action"},
}

# ---- the documents: reports and the Lembar Disposisi (services/renderer; the view-model's `labels`) ----------------
DOCUMENTS: Table = {
    "report": {"id": "Laporan Kinerja", "en": "Performance Report"},
    "report_annual": {"id": "Laporan Kinerja Instansi Pemerintah", "en": "Government Agency Performance Report"},
    "no": {"id": "No", "en": "No"},
    "kode": {"id": "Kode", "en": "Code"},
    "sasaran": {"id": "Sasaran Strategis", "en": "Strategic Objective"},
    "indikator": {"id": "Indikator Kinerja", "en": "Performance Indicator"},
    "satuan": {"id": "Satuan", "en": "Unit"},
    "target": {"id": "Target", "en": "Target"},
    "realisasi": {"id": "Realisasi", "en": "Actual"},
    "capaian": {"id": "Capaian (%)", "en": "Achievement (%)"},
    "predikat": {"id": "Predikat", "en": "Rating"},
    "keterangan": {"id": "Keterangan", "en": "Remarks"},
    "up_to": {"id": "s.d.", "en": "up to"},
    "per_indikator": {"id": "Capaian Kinerja per Indikator", "en": "Achievement per Indicator"},
    "kumulatif": {"id": "Capaian Kinerja Kumulatif", "en": "Cumulative Achievement"},
    "per_sasaran": {"id": "Capaian Kinerja per Sasaran Strategis", "en": "Achievement per Strategic Objective"},
    "instansi": {"id": "Capaian Kinerja Instansi", "en": "Agency Achievement"},
    "grafik": {"id": "Grafik Capaian Kinerja per Indikator", "en": "Achievement per Indicator"},
    "grafik_sasaran": {
        "id": "Grafik Capaian Kinerja per Sasaran Strategis",
        "en": "Achievement per Strategic Objective",
    },
    "catatan": {"id": "Kendala dan Solusi", "en": "Obstacles and Solutions"},
    "unit": {"id": "Unit Kerja", "en": "Work Unit"},
    "kendala": {"id": "Kendala", "en": "Obstacle"},
    "solusi": {"id": "Solusi", "en": "Solution"},
    "pengesahan": {"id": "Lembar Pengesahan", "en": "Approval Sheet"},
    "nama": {"id": "Nama", "en": "Name"},
    "nip": {"id": "NIP", "en": "NIP"},
    "jabatan": {"id": "Jabatan", "en": "Position"},
    "tanggal": {"id": "Tanggal", "en": "Date"},
    "kepala": {"id": "Kepala", "en": "Head of"},
    "dicetak": {"id": "Dicetak pada", "en": "Printed on"},
    "versi": {"id": "Versi", "en": "Version"},
    "pk_versi": {"id": "Perjanjian Kinerja versi", "en": "Performance Agreement version"},
    "draf": {"id": "DRAF", "en": "DRAFT"},
    "halaman": {"id": "Halaman", "en": "Page"},
    "dari": {"id": "dari", "en": "of"},
    "garis_target": {"id": "Target 100%", "en": "Target 100%"},
    "sheet_indikator": {"id": "Indikator", "en": "Indicators"},
    "sheet_sasaran": {"id": "Sasaran", "en": "Objectives"},
    "report_semester": {"id": "Laporan Kinerja", "en": "Performance Report"},
    "triwulan": {"id": "Triwulan", "en": "Quarter"},
    "tw": {"id": "TW", "en": "Q"},
    "grafik_tren": {"id": "Grafik Realisasi terhadap Target per Triwulan", "en": "Actual against Target by Quarter"},
    "grafik_tren_instansi": {
        "id": "Grafik Capaian Kinerja Instansi per Triwulan",
        "en": "Agency Achievement by Quarter",
    },
    "anggaran": {"id": "Realisasi Anggaran per Program", "en": "Budget Realisation per Programme"},
    "program": {"id": "Program", "en": "Programme"},
    "pagu": {"id": "Pagu (Rp)", "en": "Budget (IDR)"},
    "realisasi_rp": {"id": "Realisasi (Rp)", "en": "Spent (IDR)"},
    "persen": {"id": "Serapan (%)", "en": "Absorption (%)"},
    "jumlah": {"id": "Jumlah", "en": "Total"},
    "ringkasan": {"id": "Ringkasan Eksekutif", "en": "Executive Summary"},
    "kata_pengantar": {"id": "Kata Pengantar", "en": "Foreword"},
    "daftar_isi": {"id": "Daftar Isi", "en": "Contents"},
    "bab1": {"id": "Bab I Pendahuluan", "en": "Chapter I Introduction"},
    "bab2": {"id": "Bab II Perencanaan Kinerja", "en": "Chapter II Performance Planning"},
    "bab3": {"id": "Bab III Akuntabilitas Kinerja", "en": "Chapter III Performance Accountability"},
    "bab4": {"id": "Bab IV Penutup", "en": "Chapter IV Closing"},
    "lampiran": {"id": "Lampiran", "en": "Appendices"},
    "latar": {"id": "Latar Belakang", "en": "Background"},
    "kedudukan": {"id": "Kedudukan, Tugas dan Fungsi", "en": "Position, Tasks and Functions"},
    "struktur": {"id": "Struktur Organisasi", "en": "Organisation"},
    "isu": {"id": "Isu Strategis", "en": "Strategic Issues"},
    "sistematika": {"id": "Sistematika Penyajian", "en": "Structure of this Report"},
    "renstra": {"id": "Rencana Strategis", "en": "Strategic Plan"},
    "pk": {"id": "Perjanjian Kinerja", "en": "Performance Agreement"},
    "pk_tabel": {"id": "Perjanjian Kinerja Tahun", "en": "Performance Agreement"},
    "target_tahunan": {"id": "Target Tahunan", "en": "Annual Target"},
    "capaian_a": {"id": "A. Capaian Kinerja Organisasi", "en": "A. Organisational Performance"},
    "capaian_b": {"id": "B. Realisasi Anggaran", "en": "B. Budget Realisation"},
    "perbandingan": {
        "id": "Perbandingan dengan Tahun Lalu dan Target Akhir Renstra",
        "en": "Comparison with Last Year and the Strategic Plan End Target",
    },
    "realisasi_lalu": {"id": "Realisasi Tahun Lalu", "en": "Last Year"},
    "realisasi_ini": {"id": "Realisasi Tahun Ini", "en": "This Year"},
    "perubahan": {"id": "Perubahan", "en": "Change"},
    "kondisi": {"id": "Kondisi", "en": "Trend"},
    "target_renstra": {"id": "Target Akhir Renstra", "en": "Strategic Plan End Target"},
    "capaian_renstra": {"id": "Capaian thd. Renstra (%)", "en": "Achievement vs Plan (%)"},
    "analisis": {
        "id": "Analisis Penyebab Keberhasilan/Kegagalan dan Solusi",
        "en": "Causes of Success or Shortfall and Solutions",
    },
    "membaik": {"id": "membaik", "en": "improved"},
    "memburuk": {"id": "memburuk", "en": "worsened"},
    "tetap": {"id": "tetap", "en": "unchanged"},
    "tetap_rentang": {"id": "tetap dalam rentang target", "en": "stayed within the target range"},
    "penutup": {"id": "Penutup", "en": "Closing"},
    "disahkan": {"id": "Disahkan oleh", "en": "Approved by"},
    "belum_disahkan": {
        "id": "Dokumen ini belum disahkan (DRAF).",
        "en": "This document has not been approved yet (DRAFT).",
    },
    "rantai": {"id": "Rantai Persetujuan", "en": "Approval Chain"},
    "catatan_persetujuan": {"id": "Catatan", "en": "Note"},  # an approver's decision note, under their row
    # the Lembar Pengesahan's seal (templates/_pengesahan.html): the verification QR code and the e-signature box
    "ttd_elektronik": {"id": "Tanda Tangan Elektronik", "en": "Electronic Signature"},
    "verifikasi_qr": {
        "id": "Pindai kode QR (atau buka alamat di bawahnya) untuk memeriksa keaslian dokumen ini.",
        "en": "Scan the QR code (or open the address below it) to verify this document.",
    },
    "ttd_elektronik_ket": {
        "id": "Dokumen ini ditandatangani secara elektronik (PAdES) dengan sertifikat {signer}.",
        "en": "This document is signed electronically (PAdES) with the certificate of {signer}.",
    },
    "tidak_ditandatangani": {
        "id": "Dokumen ini tidak ditandatangani secara elektronik: sertifikat kantor belum dipasang.",
        "en": "This document is not signed electronically: no office certificate is installed.",
    },
    "unit_kerja": {"id": "Unit kerja", "en": "Work units"},
    "lampiran_pk": {"id": "Lampiran 1. Perjanjian Kinerja", "en": "Appendix 1. Performance Agreement"},
    "lampiran_pengesahan": {"id": "Lampiran 2. Lembar Pengesahan", "en": "Appendix 2. Approval Sheet"},
    "penanggung_jawab": {"id": "Penanggung Jawab", "en": "Responsible"},
    "sheet_anggaran": {"id": "Anggaran", "en": "Budget"},
    "sheet_perbandingan": {"id": "Perbandingan", "en": "Comparison"},
    "sheet_triwulan": {"id": "Per Triwulan", "en": "By Quarter"},
    "sheet_pk": {"id": "PK", "en": "Agreement"},
    "sheet_catatan": {"id": "Kendala dan Solusi", "en": "Obstacles"},
    "ringkasan_1": {
        "id": "{instansi} menyusun {jenis} {periode} sebagai wujud pertanggungjawaban atas pelaksanaan Perjanjian "
        "Kinerja yang memuat {n_sasaran} sasaran strategis dan {n_indikator} indikator kinerja.",
        "en": "{instansi} presents its {jenis} for {periode}, accounting for the Performance Agreement of "
        "{n_sasaran} strategic objectives and {n_indikator} performance indicators.",
    },
    "ringkasan_2": {
        "id": "Capaian kinerja instansi {periode} sebesar {capaian}% dengan predikat {predikat}. Sebanyak "
        "{n_tercapai} dari {n_indikator} indikator mencapai target (capaian ≥ 100%), {n_belum} indikator "
        "belum mencapai target.",
        "en": "The agency's achievement for {periode} is {capaian}%, rated {predikat}. {n_tercapai} of "
        "{n_indikator} indicators met their target (achievement ≥ 100%); {n_belum} did not.",
    },
    "ringkasan_3": {
        "id": "Realisasi anggaran seluruh program sebesar {realisasi} dari pagu {pagu} ({persen}%).",
        "en": "Programmes spent {realisasi} of a budget of {pagu} ({persen}%).",
    },
    "bab3_intro": {
        "id": "Pengukuran kinerja membandingkan realisasi dengan target setiap indikator pada Perjanjian Kinerja. "
        "Capaian dihitung per indikator, dirata-ratakan per sasaran strategis (setiap capaian dibatasi 100%) "
        "dan per instansi; predikat dibaca dari capaian yang dibulatkan.",
        "en": "Performance is measured by comparing each indicator's actual with its target in the Performance "
        "Agreement. Achievement is computed per indicator, averaged per objective (each capped at 100%) and "
        "for the agency; the rating is read from the rounded figure.",
    },
    "bab2_intro": {
        "id": "Perjanjian Kinerja {tahun} {instansi} memuat sasaran strategis, indikator kinerja dan target "
        "tahunan berikut, beserta target per triwulan dalam Rencana Aksi.",
        "en": "The {tahun} Performance Agreement of {instansi} sets the following strategic objectives, indicators "
        "and annual targets, with quarterly targets in the Action Plan.",
    },
    "penutup_1": {
        "id": "Secara keseluruhan capaian kinerja {instansi} {periode} adalah {capaian}% ({predikat}). Indikator "
        "dengan capaian tertinggi adalah {terbaik} ({capaian_terbaik}%), sedangkan capaian terendah pada "
        "{terendah} ({capaian_terendah}%).",
        "en": "Overall, the achievement of {instansi} for {periode} is {capaian}% ({predikat}). The highest "
        "achievement is {terbaik} ({capaian_terbaik}%), the lowest {terendah} ({capaian_terendah}%).",
    },
    # ---- the annual LKIP's own parts (services/renderer/lkip.py) ----
    "daftar_tabel": {"id": "Daftar Tabel", "en": "List of Tables"},
    "daftar_grafik": {"id": "Daftar Grafik", "en": "List of Figures"},
    "tabel_no": {"id": "Tabel", "en": "Table"},
    "grafik_no": {"id": "Grafik", "en": "Figure"},
    "sdm": {"id": "Sumber Daya Manusia", "en": "Human Resources"},
    "sdm_intro": {
        "id": "Keadaan pegawai {instansi} per {keadaan} berjumlah {total} orang, dengan komposisi sebagai berikut.",
        "en": "As of {keadaan}, {instansi} has {total} employees, as follows.",
    },
    "sdm_golongan": {"id": "Komposisi Pegawai menurut Golongan", "en": "Employees by Grade"},
    "sdm_pendidikan": {"id": "Komposisi Pegawai menurut Pendidikan", "en": "Employees by Education"},
    "uraian": {"id": "Uraian", "en": "Item"},
    "jumlah_orang": {"id": "Jumlah (orang)", "en": "Number"},
    "persen_sdm": {"id": "Persentase (%)", "en": "Share (%)"},
    "struktur_intro": {
        "id": "Dalam melaksanakan tugas dan fungsinya, {instansi} terdiri atas unit kerja berikut:",
        "en": "{instansi} carries out its tasks through the following units:",
    },
    "renstra_ringkas": {"id": "Rencana Strategis {periode}", "en": "Strategic Plan {periode}"},
    "visi": {"id": "Visi", "en": "Vision"},
    "misi": {"id": "Misi", "en": "Mission"},
    "tujuan": {"id": "Tujuan", "en": "Goals"},
    "renstra_tabel": {
        "id": "Sasaran Strategis, Indikator Kinerja dan Target Renstra",
        "en": "Strategic Objectives, Indicators and Strategic Plan Targets",
    },
    "renstra_kosong": {
        "id": "Ringkasan Renstra (visi, misi, tujuan) belum dimuat dalam Perjanjian Kinerja.",
        "en": "The Performance Agreement does not carry the Strategic Plan summary (vision, mission, goals).",
    },
    "target_renstra_tahun": {"id": "Target Renstra {tahun}", "en": "Plan Target {tahun}"},
    "pk_intro": {
        "id": "Perjanjian Kinerja {tahun} ditandatangani pada {tanggal} antara {pertama} selaku pihak pertama dan "
        "{kedua} selaku pihak kedua.",
        "en": "The {tahun} Performance Agreement was signed on {tanggal} by {pertama} (first party) and {kedua} "
        "(second party).",
    },
    "program_tabel": {"id": "Program dan Pagu Anggaran", "en": "Programmes and Budget"},
    "kegiatan": {"id": "Kegiatan", "en": "Activity"},
    "skala_predikat": {"id": "Skala Nilai Predikat Capaian Kinerja", "en": "Rating Scale"},
    "skala_intro": {
        "id": "Predikat setiap capaian dibaca dari capaian yang dibulatkan dua desimal menurut skala berikut.",
        "en": "Each achievement is rated from its figure rounded to two decimals on the following scale.",
    },
    "rentang_capaian": {"id": "Rentang Capaian (%)", "en": "Achievement (%)"},
    "rumus_tabel": {"id": "Rumus Capaian menurut Polaritas Indikator", "en": "Achievement Formula by Polarity"},
    "polaritas": {"id": "Polaritas", "en": "Polarity"},
    "rumus": {"id": "Rumus", "en": "Formula"},
    "pol_positif": {"id": "Positif (semakin tinggi semakin baik)", "en": "Positive (higher is better)"},
    "pol_negatif": {"id": "Negatif (semakin rendah semakin baik)", "en": "Negative (lower is better)"},
    "pol_rentang": {"id": "Rentang (baik bila dalam rentang target)", "en": "Range (good within the target range)"},
    "rumus_positif": {"id": "Capaian = Realisasi ÷ Target × 100%", "en": "Achievement = Actual ÷ Target × 100%"},
    "rumus_negatif": {
        "id": "Capaian = (2 × Target − Realisasi) ÷ Target × 100%, paling rendah 0%",
        "en": "Achievement = (2 × Target − Actual) ÷ Target × 100%, at least 0%",
    },
    "rumus_rentang": {
        "id": "Dalam rentang: 100%; di bawah batas bawah: Realisasi ÷ Batas Bawah × 100%; di atas batas atas: "
        "(2 × Batas Atas − Realisasi) ÷ Batas Atas × 100%, paling rendah 0%",
        "en": "Within the range: 100%; below it: Actual ÷ Lower Bound × 100%; above it: "
        "(2 × Upper Bound − Actual) ÷ Upper Bound × 100%, at least 0%",
    },
    "rumus_negatif_singkat": {
        "id": "Capaian = (2 × Target − Realisasi) ÷ Target × 100%",
        "en": "Achievement = (2 × Target − Actual) ÷ Target × 100%",
    },
    "rumus_rentang_bawah": {
        "id": "Capaian = Realisasi ÷ Batas Bawah × 100%",
        "en": "Achievement = Actual ÷ Lower Bound × 100%",
    },
    "rumus_rentang_atas": {
        "id": "Capaian = (2 × Batas Atas − Realisasi) ÷ Batas Atas × 100%",
        "en": "Achievement = (2 × Upper Bound − Actual) ÷ Upper Bound × 100%",
    },
    "rumus_agregat": {
        "id": "Capaian sasaran adalah rata-rata capaian indikatornya, setiap capaian dibatasi paling tinggi 100% "
        "agar capaian yang melampaui target tidak menutupi yang belum tercapai; capaian instansi adalah rata-rata "
        "capaian sasaran.",
        "en": "An objective's achievement is the mean of its indicators' achievements, each capped at 100% so that "
        "over-achievement cannot hide a shortfall; the agency's is the mean of its objectives'.",
    },
    "seri_tabel": {"id": "Realisasi Indikator Kinerja Lima Tahun Terakhir", "en": "Actuals of the Last Five Years"},
    "analisis_per_indikator": {"id": "Analisis Capaian per Indikator", "en": "Analysis per Indicator"},
    "grafik_seri": {
        "id": "Realisasi {kode} {awal}–{akhir} dan Target Renstra",
        "en": "{kode} Actuals {awal}–{akhir} and Strategic Plan Targets",
    },
    "target_renstra_garis": {"id": "Target Renstra", "en": "Plan target"},
    "an_capaian": {
        "id": "Pada tahun {tahun}, indikator {nama} ditargetkan {target} dan terealisasi {realisasi}, sehingga "
        "capaiannya {capaian}% dengan predikat {predikat}.",
        "en": "In {tahun}, {nama} had a target of {target} and an actual of {realisasi}: an achievement of "
        "{capaian}%, rated {predikat}.",
    },
    "an_belum": {
        "id": "Pada tahun {tahun}, indikator {nama} ditargetkan {target}; capaiannya belum dapat dihitung ({ket}).",
        "en": "In {tahun}, {nama} had a target of {target}; its achievement cannot be computed yet ({ket}).",
    },
    "an_rumus": {
        "id": "Indikator ini berpolaritas {polaritas}: {rumus}.",
        "en": "This indicator is {polaritas}: {rumus}.",
    },
    "an_rentang_dalam": {
        "id": "realisasi {realisasi} berada dalam rentang target {target}, sehingga capaian = 100%",
        "en": "the actual {realisasi} lies within the target range {target}, so the achievement is 100%",
    },
    "an_lalu": {
        "id": "Dibandingkan realisasi tahun {tahun_lalu} sebesar {lalu}, kinerja {kondisi} (perubahan {perubahan}).",
        "en": "Against {tahun_lalu}'s actual of {lalu}, performance {kondisi} (change {perubahan}).",
    },
    "an_seri": {"id": "Perkembangan realisasi {awal}–{akhir}: {seri}.", "en": "Actuals {awal}–{akhir}: {seri}."},
    "an_renstra_ok": {
        "id": "Realisasi telah memenuhi target Renstra tahun {tahun} sebesar {target}, sehingga berada pada jalur "
        "pencapaian target Renstra.",
        "en": "The actual meets the Strategic Plan target for {tahun} of {target}: on track.",
    },
    "an_renstra_tidak": {
        "id": "Realisasi belum memenuhi target Renstra tahun {tahun} sebesar {target}, sehingga belum berada pada "
        "jalur pencapaian target Renstra.",
        "en": "The actual falls short of the Strategic Plan target for {tahun} of {target}: not on track.",
    },
    "an_renstra_akhir": {
        "id": "Terhadap target akhir Renstra{tahun} sebesar {target}, capaian sampai dengan tahun ini {capaian}%.",
        "en": "Against the Strategic Plan end target{tahun} of {target}, the achievement so far is {capaian}%.",
    },
    "an_benchmark": {
        "id": "Sebagai pembanding, realisasi {realisasi} {arah} angka {tingkat} tahun {tahun} sebesar {nilai} "
        "(sumber: {sumber}); karena {arti}, artinya kinerja {instansi} {banding}.",
        "en": "For comparison, the actual {realisasi} is {arah} the {tingkat} figure for {tahun} of {nilai} "
        "(source: {sumber}); as {arti}, {instansi}'s performance is {banding}.",
    },
    "bm_lebih_tinggi": {"id": "lebih tinggi dari", "en": "higher than"},
    "bm_lebih_rendah": {"id": "lebih rendah dari", "en": "lower than"},
    "bm_sama_dengan": {"id": "sama dengan", "en": "equal to"},
    "bm_arti_positif": {"id": "indikator ini semakin tinggi semakin baik", "en": "higher is better here"},
    "bm_arti_negatif": {"id": "indikator ini semakin rendah semakin baik", "en": "lower is better here"},
    "bm_arti_rentang": {
        "id": "indikator ini baik bila berada dalam rentang target",
        "en": "this indicator is good within its target range",
    },
    "bm_nasional": {"id": "nasional", "en": "national"},
    "bm_provinsi": {"id": "provinsi", "en": "provincial"},
    "bm_kota": {"id": "kota/kabupaten", "en": "city"},
    "bm_lainnya": {"id": "pembanding", "en": "benchmark"},
    "bm_lebih_baik": {"id": "lebih baik dari pembanding", "en": "better than the benchmark"},
    "bm_lebih_buruk": {"id": "masih di bawah pembanding", "en": "still below the benchmark"},
    "bm_sama": {"id": "setara dengan pembanding", "en": "on a par with the benchmark"},
    "penyebab": {"id": "Penyebab", "en": "Cause"},
    "tindak_lanjut": {"id": "Tindak lanjut", "en": "Follow-up"},
    "analisis_belum": {
        "id": "Analisis penyebab belum disampaikan oleh unit kerja penanggung jawab.",
        "en": "The responsible unit has not submitted an analysis of causes yet.",
    },
    "catatan_umum": {"id": "Catatan Umum Unit Kerja", "en": "Work Units' General Notes"},
    "catatan_umum_intro": {
        "id": "Catatan umum yang disampaikan unit kerja bersama laporan triwulannya (bukan analisis per indikator).",
        "en": "General notes the units sent with their quarterly reports (not the per-indicator analysis).",
    },
    "efisiensi": {"id": "Efisiensi Penggunaan Sumber Daya per Sasaran", "en": "Efficiency per Objective"},
    "efisiensi_intro": {
        "id": "Efisiensi membandingkan capaian kinerja sasaran dengan serapan anggaran program pendukungnya: rasio "
        "efisiensi = capaian ÷ serapan; rasio ≥ 1 berarti capaian diraih dengan serapan yang lebih kecil.",
        "en": "Efficiency compares an objective's achievement with the absorption of its programmes' budget: "
        "ratio = achievement ÷ absorption; a ratio ≥ 1 means the result took proportionally less money.",
    },
    "rasio": {"id": "Rasio Efisiensi", "en": "Efficiency Ratio"},
    "sisa": {"id": "Sisa Anggaran (Rp)", "en": "Unspent (IDR)"},
    "pendukung": {"id": "Program/Kegiatan Pendukung", "en": "Supporting Programmes/Activities"},
    "efisien": {"id": "efisien", "en": "efficient"},
    "kurang_efisien": {"id": "kurang efisien", "en": "less efficient"},
    "tanpa_program": {"id": "tidak ada program pendukung dalam PK", "en": "no supporting programme in the PK"},
    "renstra_akhir_capai": {
        "id": "Tahun {tahun} merupakan tahun terakhir Renstra {periode}: {n_capai} dari {n_renstra} indikator "
        "mencapai target akhir Renstra{belum}.",
        "en": "{tahun} is the last year of the Strategic Plan {periode}: {n_capai} of {n_renstra} indicators reached "
        "the Plan's end target{belum}.",
    },
    "renstra_jalur": {
        "id": "Terhadap Renstra {periode}, {n_capai} dari {n_renstra} indikator berada pada jalur pencapaian target "
        "akhir Renstra tahun {akhir}{belum}.",
        "en": "Against the Strategic Plan {periode}, {n_capai} of {n_renstra} indicators are on track to the Plan's "
        "{akhir} end target{belum}.",
    },
    "renstra_belum": {
        "id": "; yang belum (capaian terhadap target Renstra): {daftar}",
        "en": "; not yet (achievement against the Plan's target): {daftar}",
    },
    "belum_target": {
        "id": "Indikator yang belum mencapai target tahun ini: {daftar}.",
        "en": "Indicators below this year's target: {daftar}.",
    },
    "penyebab_utama": {"id": "penyebab utama", "en": "main cause"},
    "penyebab_belum_ada": {
        "id": "analisis penyebab belum disampaikan unit kerja",
        "en": "the unit has not sent an analysis of causes yet",
    },
    "konsistensi": {"id": "Catatan Konsistensi Data", "en": "Data Consistency Notes"},
    "konsistensi_intro": {
        "id": "Pemeriksaan konsistensi data laporan ini menemukan selisih berikut beserta penjelasannya.",
        "en": "The consistency check of this report's data found the following differences and their explanation.",
    },
    "konsistensi_nihil": {
        "id": "Pemeriksaan konsistensi data laporan ini tidak menemukan selisih.",
        "en": "The consistency check of this report's data found no difference.",
    },
    "ks_serapan": {
        "id": "{kode} {nama}: realisasi {realisasi} berbeda dari serapan anggaran kumulatif seluruh program "
        "{serapan} (Realisasi Anggaran per Program).",
        "en": "{kode} {nama}: the actual {realisasi} differs from the programmes' cumulative budget absorption "
        "{serapan} (Budget Realisation per Programme).",
    },
    "ks_tw4_capaian": {
        "id": "capaian tahunan {tahunan} berbeda dari capaian s.d. TW IV {sd}",
        "en": "the annual achievement {tahunan} differs from the achievement to date at Q4 {sd}",
    },
    "ks_tw4_realisasi": {
        "id": "realisasi tahunan {tahunan} berbeda dari realisasi s.d. TW IV {sd}",
        "en": "the annual actual {tahunan} differs from the actual to date at Q4 {sd}",
    },
    "ks_tw4_target": {
        "id": "target s.d. TW IV adalah {cara} target triwulanan Rencana Aksi ({sd}), sedangkan capaian tahunan "
        "dihitung terhadap target tahunan Perjanjian Kinerja ({tahunan})",
        "en": "the target to date at Q4 is the {cara} of the Action Plan's quarterly targets ({sd}), while the annual "
        "achievement is measured against the Performance Agreement's annual target ({tahunan})",
    },
    "ks_cara_rata_rata": {"id": "rata-rata", "en": "average"},
    "ks_cara_jumlah": {"id": "jumlah", "en": "sum"},
    "ks_cara_terakhir": {"id": "target TW IV dari", "en": "last"},
    "ks_alasan": {"id": "Penjelasan: {alasan}", "en": "Explanation: {alasan}"},
    "ks_alasan_belum": {
        "id": "Penjelasan: belum disampaikan unit kerja.",
        "en": "Explanation: not yet given by the unit.",
    },
    "pihak_pertama": {"id": "PIHAK PERTAMA", "en": "FIRST PARTY"},
    "pihak_kedua": {"id": "PIHAK KEDUA", "en": "SECOND PARTY"},
    "data_triwulan_kosong": {"id": "Data per triwulan belum tersedia.", "en": "No quarterly data available yet."},
    # quarterly and semester reports (issue 15 item 6): cumulative budget, Rencana Aksi progress, early warnings
    "realisasi_periode": {"id": "Realisasi Periode Ini (Rp)", "en": "Spent this Period (IDR)"},
    "persen_periode": {"id": "Serapan Periode Ini (%)", "en": "Absorption this Period (%)"},
    "realisasi_sd_rp": {"id": "Realisasi {sd} (Rp)", "en": "Spent {sd} (IDR)"},
    "persen_sd": {"id": "Serapan {sd} (%)", "en": "Absorption {sd} (%)"},
    "rencana_aksi": {
        "id": "Progres Rencana Aksi — Target dan Realisasi per Triwulan",
        "en": "Action Plan Progress — Target and Actual by Quarter",
    },
    "rencana_aksi_ket": {
        "id": "T = target Rencana Aksi triwulan, R = realisasi; triwulan setelah periode ini belum berjalan (–).",
        "en": "T = the Action Plan's quarterly target, A = actual; quarters after this period have not run yet (–).",
    },
    "t_singkat": {"id": "T", "en": "T"},
    "r_singkat": {"id": "R", "en": "A"},
    "capaian_sd": {"id": "Capaian {sd} (%)", "en": "Achievement {sd} (%)"},
    "peringatan": {"id": "Peringatan Dini", "en": "Early Warning"},
    "peringatan_ket": {
        "id": "Indikator dengan capaian {sd} di bawah 100%: kuning 85 – < 100%, merah < 85% (aturan peringatan dini "
        "laporan bulanan, dibaca pada akhir periode dari rekap triwulan).",
        "en": "Indicators achieving less than 100% {sd}: yellow 85 – < 100%, red < 85% (the monthly early-warning "
        "rule, read at the period's end from the quarterly recap).",
    },
    "peringatan_nihil": {
        "id": "Tidak ada peringatan: semua indikator mencapai target {sd}.",
        "en": "No warning: every indicator met its target {sd}.",
    },
    "peringatan_pesan": {
        "id": "Realisasi {sd} {realisasi} {satuan} terhadap target {target}: capaian {capaian}%.",
        "en": "Actual {sd} {realisasi} {satuan} against a target of {target}: achievement {capaian}%.",
    },
    # quarterly and semester reports: the per-indicator analysis, the units' general notes, the consistency notes
    "analisis_periode_ket": {
        "id": "Indikator dengan analisis dari unit kerja, atau dengan capaian di luar 100–120% (wajib dianalisis): "
        "penyebab, kendala, solusi dan tindak lanjut per unit kerja dan triwulan.",
        "en": "Indicators the units analysed, or achieving outside 100–120% (which need an analysis): cause, "
        "obstacle, solution and follow-up per unit and quarter.",
    },
    "analisis_nihil": {
        "id": "Tidak ada indikator dengan capaian di luar 100–120% dan tidak ada analisis dari unit kerja.",
        "en": "No indicator achieved outside 100–120% and no unit sent an analysis.",
    },
    "catatan_unit": {"id": "Catatan Unit Kerja", "en": "Work Units' Notes"},
    "konsistensi_ket": {
        "id": "Angka dalam laporan ini yang saling tidak sesuai (pemeriksaan otomatis), dengan penjelasan unit kerja "
        "bila ada.",
        "en": "Figures of this report that do not agree with each other (automatic check), with the units' "
        "explanation where given.",
    },
    "ks_serapan_anggaran": {
        "id": "{kode} {nama}: realisasi {realisasi}% tidak sama dengan serapan anggaran kumulatif program "
        "{serapan}% (Realisasi Anggaran per Program).",
        "en": "{kode} {nama}: the actual {realisasi}% differs from the programmes' cumulative budget absorption "
        "{serapan}% (Budget Realisation per Programme).",
    },
    "ks_cacah_desimal": {
        "id": "{kode} {nama}: realisasi{sd} {realisasi} {satuan} bukan bilangan bulat, padahal indikator ini "
        "dihitung tanpa desimal.",
        "en": "{kode} {nama}: the actual{sd} {realisasi} {satuan} is not a whole number, yet this indicator is a "
        "count.",
    },
    "ks_melebihi_pagu": {
        "id": "{kode} {nama}: realisasi anggaran {realisasi} melebihi pagu {pagu}.",
        "en": "{kode} {nama}: spending {realisasi} exceeds the budget {pagu}.",
    },
    "penjelasan_unit": {"id": "Penjelasan unit kerja", "en": "Units' explanation"},
    "penjelasan_belum": {"id": "Belum ada penjelasan dari unit kerja.", "en": "No explanation from the units yet."},
    "kuning": {"id": "Kuning", "en": "Yellow"},
    "merah": {"id": "Merah", "en": "Red"},
    "tingkat": {"id": "Tingkat", "en": "Level"},
    "target_min": {"id": "Target Minimum", "en": "Target Minimum"},
    "target_max": {"id": "Target Maksimum", "en": "Target Maximum"},
    "minimum": {"id": "Minimum", "en": "Minimum"},
    "maksimum": {"id": "Maksimum", "en": "Maximum"},
    "disposisi": {"id": "Lembar Disposisi", "en": "Disposition Sheet"},
    "nomor": {"id": "Nomor", "en": "Number"},
    "tanggal_disposisi": {"id": "Tanggal", "en": "Date"},
    "dari_pejabat": {"id": "Dari", "en": "From"},
    "kepada": {"id": "Kepada", "en": "To"},
    "instruksi": {"id": "Instruksi / Isi Disposisi", "en": "Instruction"},
    "batas_waktu": {"id": "Batas Waktu", "en": "Due Date"},
    "catatan_disp": {"id": "Catatan", "en": "Notes"},
    "terkait": {"id": "Terkait Laporan", "en": "Related Report"},
    # the LKIP's follow-ups (issue 17; services/renderer/lkip.py _tindak_lanjut)
    "tl_judul": {
        "id": "Tindak Lanjut dan Pemanfaatan Informasi Kinerja",
        "en": "Follow-ups and Use of Performance Information",
    },
    "tl_tabel": {"id": "Tindak Lanjut atas Informasi Kinerja Tahun {tahun}", "en": "Follow-ups in {tahun}"},
    "tl_intro": {
        "id": "Atas informasi kinerja tahun {tahun}, pimpinan menerbitkan {n} tindak lanjut (disposisi): {selesai} "
        "selesai, {terbuka} masih berjalan dan {terlambat} melewati batas waktu. Rinciannya beserta hasil dan jumlah "
        "bukti dukungnya sebagai berikut.",
        "en": "On the performance information of {tahun}, the office's leadership issued {n} follow-ups "
        "(dispositions): {selesai} done, {terbuka} open and {terlambat} past their due date. Each with its result "
        "and the number of its evidence files:",
    },
    "tl_nihil": {
        "id": "Atas informasi kinerja tahun {tahun} belum ada tindak lanjut (disposisi) yang tercatat.",
        "en": "No follow-up (disposition) on the performance information of {tahun} has been recorded.",
    },
    "tl_belum": {
        "id": "{kode} {nama} di bawah target pada {periode} (capaian terakhir {capaian}%): belum ada tindak lanjut.",
        "en": "{kode} {nama} below target in {periode} (latest achievement {capaian}%): no follow-up yet.",
    },
    "tl_TW1": {"id": "Triwulan I", "en": "Quarter I"},
    "tl_TW2": {"id": "Triwulan II", "en": "Quarter II"},
    "tl_TW3": {"id": "Triwulan III", "en": "Quarter III"},
    "tl_TW4": {"id": "Triwulan IV", "en": "Quarter IV"},
    "tl_tahunan": {"id": "capaian tahunan", "en": "the annual result"},
    "tl_dan": {"id": "dan", "en": "and"},
    "tl_belum_intro": {
        "id": "Indikator di bawah target tahun ini yang belum memiliki tindak lanjut:",
        "en": "Indicators below this year's target without a follow-up:",
    },
    "tl_nomor": {"id": "Nomor / Tanggal", "en": "Number / Date"},
    "tl_indikator": {"id": "Indikator", "en": "Indicators"},
    "tl_unit": {"id": "Unit Kerja", "en": "Unit"},
    "tl_instruksi": {"id": "Instruksi", "en": "Instruction"},
    "tl_hasil_diharapkan": {"id": "Hasil yang Diharapkan", "en": "Expected Result"},
    "tl_batas": {"id": "Batas Waktu", "en": "Due Date"},
    "tl_status": {"id": "Status", "en": "Status"},
    "tl_hasil": {"id": "Hasil", "en": "Result"},
    "tl_bukti": {"id": "Bukti", "en": "Evidence"},
    "tl_selesai": {"id": "selesai", "en": "done"},
    "tl_terbuka": {"id": "terbuka", "en": "open"},
    "tl_terlambat": {"id": "terlambat", "en": "overdue"},
    "tl_bukti_n": {"id": "{n} berkas", "en": "{n} file(s)"},
    "an_tl": {
        "id": "Atas indikator ini telah diterbitkan tindak lanjut {daftar}.",
        "en": "Follow-ups issued on this indicator: {daftar}.",
    },
    "an_tl_item_selesai": {"id": "{nomor} ({unit}; selesai: {hasil})", "en": "{nomor} ({unit}; done: {hasil})"},
    "an_tl_item": {
        "id": "{nomor} ({unit}; {status}, batas waktu {batas})",
        "en": "{nomor} ({unit}; {status}, due {batas})",
    },
}

REASONS: Table = {  # why a recap row has no capaian (shared.sakip.rekap.Reason): its keterangan
    "belum_ada_data": {"id": "Belum ada data", "en": "No data yet"},
    "target_nol": {"id": "Target nol", "en": "Zero target"},
}

# ---- the evaluator's export: every use of performance information in a year (services/approval/pemanfaatan.py) ------
PEMANFAATAN: Table = {
    "pm_title": {"id": "Pemanfaatan Informasi Kinerja", "en": "Use of Performance Information"},
    "pm_intro": {
        "id": "Setiap pemanfaatan informasi kinerja tahun ini, dari catatan yang disimpan sistem: keputusan atas "
        "laporan, disposisi dan tindak lanjut beserta buktinya, sosialisasi dan tanda bacanya, serta dokumen final.",
        "en": "Every use of the year's performance information, from the records the system keeps: decisions on "
        "reports, dispositions and follow-ups with their evidence, circulations and their read receipts, and the "
        "final documents.",
    },
    "pm_generated": {"id": "Dibuat pada", "en": "Generated on"},
    "pm_year": {"id": "Tahun", "en": "Year"},
    "pm_summary": {"id": "Ringkasan", "en": "Summary"},
    "pm_none": {
        "id": "Belum ada pemanfaatan informasi kinerja yang tercatat untuk tahun ini.",
        "en": "No use of performance information is recorded for this year yet.",
    },
    "pm_download_pdf": {"id": "Unduh PDF", "en": "Download PDF"},
    "pm_download_xlsx": {"id": "Unduh Excel (.xlsx)", "en": "Download Excel (.xlsx)"},
    "pm_not_allowed": {
        "id": "Ekspor pemanfaatan informasi kinerja hanya dapat dibuka Sekretaris Dinas, Kepala Dinas dan Inspektorat.",
        "en": "The export of the use of performance information is open to the Secretary, the Head of the office "
        "and the Inspectorate only.",
    },
    "pm_year_invalid": {"id": "Tahun tidak sah (2000–2100).", "en": "Invalid year (2000–2100)."},
    "pm_no": {"id": "No.", "en": "No."},
    "pm_tanggal": {"id": "Tanggal", "en": "Date"},
    "pm_jenis": {"id": "Jenis", "en": "Kind"},
    "pm_periode": {"id": "Periode / laporan", "en": "Period / report"},
    "pm_uraian": {"id": "Uraian", "en": "Description"},
    "pm_pejabat": {"id": "Pejabat", "en": "Official"},
    "pm_jabatan": {"id": "Jabatan", "en": "Position"},
    "pm_indikator": {"id": "Indikator", "en": "Indicators"},
    "pm_bukti": {"id": "Bukti", "en": "Evidence"},
    "pm_tautan": {"id": "Tautan", "en": "Link"},
    "pm_page": {"id": "Halaman", "en": "Page"},
    "pm_open": {"id": "Buka", "en": "Open"},
    "pm_of": {"id": "dari", "en": "of"},
    # the kinds of record (`jenis`)
    "keputusan": {"id": "Keputusan atas laporan", "en": "Decision on a report"},
    "disposisi": {"id": "Disposisi", "en": "Disposition"},
    "disposisi_selesai": {"id": "Disposisi selesai", "en": "Disposition done"},
    "tindak_lanjut": {"id": "Tindak lanjut", "en": "Follow-up"},
    "tindak_lanjut_selesai": {"id": "Tindak lanjut selesai", "en": "Follow-up done"},
    "sosialisasi": {"id": "Sosialisasi", "en": "Circulation"},
    "dibaca": {"id": "Tanda baca", "en": "Read receipt"},
    "final": {"id": "Dokumen final", "en": "Final document"},
    # the summary line's parts ({n} a count)
    "sum_keputusan": {"id": "{n} keputusan atas laporan", "en": "{n} decisions on reports"},
    "sum_disposisi": {"id": "{n} disposisi ({selesai} selesai)", "en": "{n} dispositions ({selesai} done)"},
    "sum_tindak_lanjut": {"id": "{n} tindak lanjut ({selesai} selesai)", "en": "{n} follow-ups ({selesai} done)"},
    "sum_sosialisasi": {"id": "{n} sosialisasi", "en": "{n} circulations"},
    "sum_dibaca": {"id": "{n} tanda baca", "en": "{n} read receipts"},
    "sum_final": {"id": "{n} dokumen final", "en": "{n} final documents"},
    # the descriptions of the records
    "u_submit": {"id": "{laporan} versi {versi} diajukan", "en": "{laporan} version {versi} submitted"},
    "u_approve": {"id": "{laporan} versi {versi} disetujui", "en": "{laporan} version {versi} approved"},
    "u_return": {"id": "{laporan} versi {versi} dikembalikan", "en": "{laporan} version {versi} returned"},
    "u_koreksi": {
        "id": "{laporan} versi {versi} dikembalikan untuk koreksi data",
        "en": "{laporan} version {versi} returned for a data correction",
    },
    "u_koreksi_selesai": {
        "id": "Koreksi data {laporan} versi {versi} selesai",
        "en": "Data correction of {laporan} version {versi} done",
    },
    "u_units": {"id": "unit: {units}", "en": "units: {units}"},
    "u_catatan": {"id": "catatan: {catatan}", "en": "note: {catatan}"},
    "u_disposisi": {
        "id": "Disposisi {nomor} kepada {kepada}: {instruksi}",
        "en": "Disposition {nomor} to {kepada}: {instruksi}",
    },
    "u_tindak_lanjut": {
        "id": "Tindak lanjut {nomor} kepada {kepada}: {instruksi}",
        "en": "Follow-up {nomor} to {kepada}: {instruksi}",
    },
    "u_unit": {"id": "unit penanggung jawab: {unit}", "en": "responsible unit: {unit}"},
    "u_hasil_diharapkan": {"id": "hasil yang diharapkan: {hasil}", "en": "expected result: {hasil}"},
    "u_batas": {"id": "batas waktu {tanggal}", "en": "due {tanggal}"},
    "u_selesai": {"id": "Disposisi {nomor} ditandai selesai", "en": "Disposition {nomor} marked done"},
    "u_tl_selesai": {"id": "Tindak lanjut {nomor} selesai", "en": "Follow-up {nomor} done"},
    "u_hasil": {"id": "hasil: {hasil}", "en": "result: {hasil}"},
    "u_sosialisasi": {
        "id": "{laporan} versi {versi} disosialisasikan kepada {penerima}",
        "en": "{laporan} version {versi} circulated to {penerima}",
    },
    "u_belum_dibaca": {"id": "belum dibaca: {nama}", "en": "not read yet: {nama}"},
    "u_dibaca": {
        "id": "{laporan} versi {versi} dibaca (sosialisasi)",
        "en": "{laporan} version {versi} read (circulation)",
    },
    "u_final": {
        "id": "Dokumen final {laporan} versi {versi} diterbitkan",
        "en": "Final documents of {laporan} version {versi} published",
    },
    "b_bukti": {"id": "Bukti: {nama}", "en": "Evidence: {nama}"},
    "b_final": {"id": "{format} final (SHA-256 {sha})", "en": "Final {format} (SHA-256 {sha})"},
    # the two parts (issue 17 review): the uses, then the report's review and formalisation trail
    "bagian_pemanfaatan": {
        "id": "Bagian 1 — Pemanfaatan informasi kinerja",
        "en": "Part 1 — Uses of performance information",
    },
    "bagian_penelaahan": {
        "id": "Bagian 2 — Jejak reviu dan pengesahan laporan (bukti pendukung pemenuhan Pelaporan Kinerja)",
        "en": "Part 2 — The reports' review and formalisation trail (supporting evidence for Reporting: in place)",
    },
    "pm_kriteria": {"id": "Mendukung kriteria lembar kerja", "en": "Supports worksheet criteria"},
    "pm_catatan": {"id": "{n} catatan", "en": "{n} records"},
    "pm_bagian": {"id": "Bagian", "en": "Part"},
}


TINDAK_LANJUT: Table = {  # the follow-up pages (issue 17): services/approval/web/tindaklanjut.py
    "tindak_lanjut": {"id": "Tindak lanjut", "en": "Follow-ups"},
    "tl_title": {"id": "Tindak lanjut hasil pengukuran kinerja", "en": "Follow-ups of performance measurement"},
    "tl_intro": {
        "id": "Indikator di bawah target (capaian < 100 % pada rekap triwulan atau tahunan) ditindaklanjuti dengan "
        "disposisi kepada unit penanggung jawab; penerimanya menandai selesai dengan hasil dan bukti.",
        "en": "Indicators below target (capaian < 100 % in a quarter's or the annual recap) are followed up with a "
        "disposition to the responsible unit; its recipient marks it done with the result and evidence.",
    },
    "tl_list": {"id": "Tindak lanjut tahun ini", "en": "This year's follow-ups"},
    "tl_none": {"id": "Belum ada tindak lanjut.", "en": "No follow-ups yet."},
    "tl_tanpa": {"id": "Indikator di bawah target tanpa tindak lanjut", "en": "Off-target indicators without one"},
    "tl_tanpa_none": {
        "id": "Semua indikator di bawah target sudah ditindaklanjuti.",
        "en": "Every off-target indicator has a follow-up.",
    },
    "tl_buat": {"id": "Buat tindak lanjut", "en": "Create a follow-up"},
    "tl_new": {"id": "Tindak lanjut baru", "en": "New follow-up"},
    "tl_indikator": {"id": "Indikator", "en": "Indicators"},
    "tl_unit": {"id": "Unit penanggung jawab", "en": "Responsible unit"},
    "tl_hasil_diharapkan": {"id": "Hasil yang diharapkan", "en": "Expected result"},
    "tl_hasil": {"id": "Hasil", "en": "Result"},
    "tl_bukti": {"id": "Bukti", "en": "Evidence"},
    "tl_sumber": {"id": "Asal", "en": "Source"},
    "tl_capaian": {"id": "Capaian", "en": "Achievement"},
    "tl_status": {"id": "Status", "en": "Status"},
    "tl_status_terbuka": {"id": "Terbuka", "en": "Open"},
    "tl_status_terlambat": {"id": "Terlambat", "en": "Late"},
    "tl_status_selesai": {"id": "Selesai", "en": "Done"},
    "tl_below_target": {"id": "di bawah target", "en": "below target"},
    "tl_cakupan": {"id": "Cakupan", "en": "Coverage"},
    "tl_issue": {"id": "Terbitkan tindak lanjut", "en": "Issue the follow-up"},
    "tl_may_not_issue": {
        "id": "Tindak lanjut diterbitkan pejabat yang mengarahkan pekerjaan (bukan staf, operator atau inspektorat).",
        "en": "Follow-ups are issued by officials who direct work (not staff, the operator or the inspectorate).",
    },
    "disposisi_all": {"id": "Semua disposisi tahun", "en": "All dispositions of"},
    "disposisi_all_hint": {
        "id": "Sebagai pengawas SOP Anda dapat membaca setiap disposisi tahun ini.",
        "en": "As an overseer of the SOP you may read every disposition of the year.",
    },
    "tl_duplikat_open": {
        "id": "Buka tindak lanjut yang sudah diterbitkan",
        "en": "Open the follow-up already issued",
    },
    "tl_done_help": {
        "id": "Tulis hasilnya dan lampirkan bukti (PDF, PNG, JPEG, XLSX atau DOCX; paling besar {mb} MB per berkas).",
        "en": "Write the result and attach evidence (PDF, PNG, JPEG, XLSX or DOCX; at most {mb} MB a file).",
    },
    "tl_bukti_not_found": {"id": "Berkas bukti tidak ditemukan.", "en": "Evidence file not found."},
    "tl_bukti_missing": {
        "id": "Berkas bukti hilang atau rusak di penyimpanan; beri tahu operator.",
        "en": "The evidence file is missing or damaged in the store; tell the operator.",
    },
    "msg_tindak_lanjut": {"id": "Tindak lanjut diterbitkan.", "en": "Follow-up issued."},
    "tl_year": {"id": "Tahun", "en": "Year"},
}
