"""What the collector's OpenAPI says beyond its routes and models, for the agency teams that build against it
(docs/integration.md): how to authenticate (bearer schemes, and which each operation needs), the limits, the
Idempotency-Key, every parameter and operation described in Indonesian then English, and the `rule` values an error
item can carry. Installed by main.create_app on `app.openapi` (after shared.contract.document_bodies)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from services.collector.core.validation import MESSAGES, SHOWN
from shared.config import Settings
from shared.errors import pydantic_rules
from shared.httphead import BODY_TIMEOUT_S, HEAD_TIMEOUT_S, MAX_HEAD_BYTES, MIN_RATE
from shared.service import MAX_IN_FLIGHT_PER_ADDRESS, MAX_IN_FLIGHT_PER_CREDENTIAL

UNIT, ADMIN, PEJABAT = "kunciApiUnit", "tokenAdmin", "tokenPejabat"
SECURITY_SCHEMES = {
    UNIT: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "lpk_…",
        "description": (
            "Kunci API unit (`lpk_…`), dibuat admin Lapkin (POST /api/v1/units/{kode}/api-keys) dan ditampilkan "
            "sekali: `Authorization: Bearer lpk_…`. Melapor untuk unitnya dan unit yang menyebutnya sebagai induk. / "
            "A unit's API key, made by the Lapkin admin and shown once; reports for its unit and the units naming "
            "it as their parent."
        ),
    },
    ADMIN: {
        "type": "http",
        "scheme": "bearer",
        "description": (
            "Token admin Lapkin (berkas `data/admin_token` instalasi): PK, kalender, kunci API, penutupan periode. / "
            "The Lapkin admin's token (the installation's `data/admin_token`): PK, calendar, API keys, closing."
        ),
    },
    PEJABAT: {
        "type": "http",
        "scheme": "bearer",
        "description": (
            "Token masuk pejabat (layanan approval): membaca PK, status dan bukti sesuai perannya. / An official's "
            "sign-in token (the approval service): reads the PK, the status and the evidence, as the role allows."
        ),
    },
}

# operationId -> the schemes that may call it (any one of them)
SECURITY: dict[str, list[str]] = {
    "put_perjanjian_kinerja": [ADMIN],
    "get_perjanjian_kinerja": [UNIT, ADMIN, PEJABAT],
    "get_pk_versions": [UNIT, ADMIN, PEJABAT],
    "get_pk_version": [UNIT, ADMIN, PEJABAT],
    "get_kalender": [ADMIN],
    "put_kalender": [ADMIN],
    "create_api_key": [ADMIN],
    "list_api_keys": [ADMIN],
    "revoke_api_key": [ADMIN],
    "post_laporan_triwulan": [UNIT],
    "post_laporan_bulanan": [UNIT],
    "post_laporan_triwulan_upload": [UNIT],
    "post_laporan_triwulan_bulk": [UNIT, ADMIN],
    "get_template": [UNIT, ADMIN],
    "get_periode_status": [UNIT, ADMIN, PEJABAT],
    "get_kelengkapan": [ADMIN, PEJABAT],
    "post_close": [ADMIN],
    "post_bukti": [UNIT, ADMIN],
    "get_submission_bukti": [UNIT, ADMIN, PEJABAT],
    "get_bukti_list": [UNIT, ADMIN, PEJABAT],
    "get_bukti_file": [UNIT, ADMIN, PEJABAT],
}

# operationId -> (summary, description): Indonesian, then English
OPERATIONS: dict[str, tuple[str, str]] = {
    "put_perjanjian_kinerja": (
        "Simpan Perjanjian Kinerja / store the PK",
        "Menyimpan PK tahun itu sebagai versi baru (PK perubahan); PK yang sama lagi tidak membuat versi. / Stores "
        "the year's PK as a new version; the same PK again makes none.",
    ),
    "get_perjanjian_kinerja": (
        "PK terbaru / the newest PK",
        "Versi PK terbaru: indikator, target dan penanggung jawab (unit mana melaporkan indikator mana). / The "
        "newest PK version: indicators, targets and which unit reports which.",
    ),
    "get_pk_versions": (
        "Daftar versi PK / the PK's versions",
        "Setiap versi PK tahun itu dengan perubahannya terhadap versi sebelumnya. / Every version of the year's PK "
        "and what it changed.",
    ),
    "get_pk_version": ("Satu versi PK / one PK version", "Versi PK yang diminta. / The version asked for."),
    "get_kalender": (
        "Kalender pelaporan / the reporting calendar",
        "Jendela (buka, deadline) keempat triwulan; `configured` false: bawaan, laporan lebih awal diterima. / The "
        "four quarters' windows; `configured` false: the defaults, early reports are taken.",
    ),
    "put_kalender": (
        "Atur kalender / set the calendar",
        "Mengatur kalender tahun itu; sejak itu laporan sebelum `buka` ditolak (409 periode_belum_dibuka). / Sets "
        "the year's calendar; from then on a report before `buka` is refused.",
    ),
    "create_api_key": (
        "Buat kunci API unit / make a unit's API key",
        "Kunci ditampilkan sekali di jawaban ini; hanya hash-nya disimpan. / The key is shown once, in this "
        "answer; only its hash is kept.",
    ),
    "list_api_keys": (
        "Daftar kunci API / the API keys",
        "Kunci setiap unit (tanpa kuncinya sendiri). / Every unit's keys (never the keys themselves).",
    ),
    "revoke_api_key": (
        "Cabut kunci API / revoke an API key",
        "Kunci ditolak (401) sejak permintaan berikutnya, oleh setiap proses collector. / Refused (401) from the "
        "next request on, by every collector process.",
    ),
    "post_laporan_triwulan": (
        "Kirim laporan triwulan / submit a quarterly report",
        "Realisasi kumulatif sampai triwulan itu (boleh sebagian), per indikator dengan analisisnya (penyebab, "
        "kendala, solusi, tindak_lanjut: yang tidak disebut tetap seperti tersimpan), anggaran, kendala, solusi. "
        "202: disimpan sebagai "
        "revisi berikutnya; data yang sama lagi tidak membuat revisi dan menjawab id pengiriman yang tersimpan. "
        "Semua masalah disebut sekaligus (422). Kirim dengan `Idempotency-Key` agar aman diulang; `dry_run=true` "
        "memeriksa tanpa menyimpan. Hanya kunci API unit. / The cumulative values up to the quarter (partial is "
        "fine), budget, obstacles, solutions. 202: stored as the next revision; the same data again makes no "
        "revision and answers the stored submission's id. Every problem at once (422). Send an Idempotency-Key to "
        "retry safely; dry_run=true checks without storing. A unit's API key only. Each value may carry its "
        "analysis (penyebab, kendala, solusi, tindak_lanjut); a field left out keeps the one held.",
    ),
    "post_laporan_bulanan": (
        "Kirim kemajuan bulanan / submit monthly progress",
        "Aturan dan jawaban laporan triwulan; ditampilkan sebagai tren dan peringatan dini, tidak masuk rekap. "
        "Ditolak hanya bila triwulannya sudah final. / The quarterly report's rules and answer; shown as trend and "
        "early warning, never recapped. Refused only once its quarter is final.",
    ),
    "post_laporan_triwulan_upload": (
        "Unggah template Excel terisi / upload a filled Excel template",
        "Template dari GET /template/{tahun}/{unit}.xlsx, diisi: dibaca menjadi laporan triwulan dan dikirim persis "
        "seperti POST /laporan-triwulan; setiap kesalahan menyebut selnya (mis. Laporan!I13). / A filled template, "
        "submitted exactly as POST /laporan-triwulan; every error names its cell.",
    ),
    "post_laporan_triwulan_bulk": (
        "Kirim banyak laporan triwulan / submit many quarterly reports",
        "`submissions`: satu baris per unit dan triwulan. atomic=true: semua atau tidak sama sekali (422); "
        "atomic=false: baris yang sah disimpan, yang lain dilaporkan (200). Admin: unit mana pun; kunci unit: unit "
        "itu dan anaknya. / One row per unit and quarter; all or nothing, or the valid rows.",
    ),
    "get_template": (
        "Template Excel unit / the unit's Excel template",
        "Lembar isian unit dari PK terbaru (kunci unit itu, kunci induknya, atau admin); `triwulan` mengisi sel "
        "triwulan. / The unit's pre-filled sheet of the newest PK; `triwulan` pre-fills that cell.",
    ),
    "get_periode_status": (
        "Status triwulan / a quarter's status",
        "Status periode (belum_dibuka, open, closed, final), buka dan deadline, dan per unit: lengkap, tepat waktu, "
        "revisi, indikator yang belum dilaporkan, riwayat revisi dan bukti. Kunci unit hanya melihat barisnya. / "
        "The period's state, opening and deadline, and per unit its completeness, timeliness, revision, missing "
        "indicators, revisions and evidence. A unit's key sees its own row.",
    ),
    "get_kelengkapan": (
        "Kelengkapan pelaporan / reporting rates",
        "Per triwulan: unit yang wajib, lengkap, tepat waktu, dan persentasenya (admin dan pejabat). / Per quarter: "
        "units expected, complete, on time, and the rates (admin and officials).",
    ),
    "post_close": (
        "Tutup triwulan / close a quarter",
        "Menutup triwulan: laporan berikutnya ditolak (409 periode_closed) kecuali unit yang dibuka kembali oleh "
        "koreksi. / Closes the quarter: later reports are refused unless a correction reopened the unit.",
    ),
    "post_bukti": (
        "Lampirkan bukti dukung / attach evidence",
        "Berkas (PDF, PNG, JPEG, xlsx; jenis dari isinya) untuk pengiriman `submission_id` (dari jawaban laporan). "
        "201: dilampirkan; 200: berkas yang sama sudah terlampir. / A file for the submission (the id a report's "
        "answer gives): 201 attached, 200 the same bytes were attached already.",
    ),
    "get_submission_bukti": (
        "Bukti satu pengiriman / a submission's evidence",
        "Berkas yang dilampirkan ke pengiriman itu. / The files attached to the submission.",
    ),
    "get_bukti_list": (
        "Bukti satu tahun atau triwulan / a year's or quarter's evidence",
        "Berkas yang boleh dilihat pemanggil, disaring tahun, triwulan dan unit. / The files the caller may see.",
    ),
    "get_bukti_file": (
        "Unduh bukti / download evidence",
        "Isi berkas seperti disimpan, dengan jenisnya (Content-Type) dan SHA-256-nya (X-Content-SHA256). / The "
        "stored bytes, typed by their content, with their SHA-256.",
    ),
}

# parameter name -> its description (path and query parameters; the same name means the same thing everywhere)
PARAMETERS = {
    "tahun": "Tahun anggaran 2000–2100 / the budget year",
    "periode": "Triwulan: TW1, TW2, TW3 atau TW4 / the quarter",
    "version": "Nomor versi PK (mulai 1) / the PK version's number",
    "kode": "Kode unit dalam PK / the unit's code",
    "key_id": "Id kunci API (dari daftar kunci) / the API key's id",
    "submission_id": "Id pengiriman dari jawaban laporan (`submission_id`) / the submission's id, from its answer",
    "bukti_id": "Id bukti (dari daftar bukti atau status) / the evidence file's id",
    "unit": "Kode unit / the unit's code",
    "triwulan": "Triwulan 1–4 / the quarter",
}

RULES_OTHER = (  # rules named where they are raised (api.py, bukti.py, bulk.py, excel.py, the core), not in MESSAGES
    "unauthorized", "forbidden", "method_not_allowed", "not_found", "too_large", "rate_limited", "unit_key_required",
    "unit_key_not_allowed",  # shared.service (a unit key on the other services), found by the scan of shared/
    "wrong_unit", "idempotency_key_reused", "concurrent_submission", "periode_closed", "periode_belum_dibuka",
    "invalid_json", "duplicate_key", "too_deep", "nul_character", "lone_surrogate", "invalid_character",
    "not_storable", "database_unavailable", "file_store_unavailable", "busy", "internal_error", "duplicate_row",
    "too_many_rows", "too_many_at_once", "request_timeout", "too_many_connections", "invalid_http",
    "too_many_pipelined",
    "unknown_submission", "unknown_bukti", "unknown_version", "no_indikator", "invalid_form", "invalid_multipart",
    "invalid_file", "invalid_file_type", "empty_file", "file_missing", "too_many_files", "too_many_parts",
    "unpacked_too_large", "not_a_template", "formula_without_value", "invalid", "duplicate_parameter",
)  # fmt: skip


def rules() -> list[str]:
    """Every `rule` an error item of the collector can carry (tests/unit/collector: each raised one is listed)."""
    return sorted(set(MESSAGES) | set(pydantic_rules()) | set(RULES_OTHER))


def info_description(settings: Settings) -> str:
    mib = settings.max_body_bytes / (1024 * 1024)
    upload_mib = settings.max_upload_bytes / (1024 * 1024)
    per_minute, burst = settings.rate_limit_per_minute, settings.rate_limit_burst or settings.rate_limit_per_minute
    return (
        "Kontrak HTTP collector Lapkin untuk sistem instansi (panduan: docs/integration.md). / The Lapkin "
        "collector's HTTP contract for agency systems (guide: docs/integration.md).\n\n"
        "**Autentikasi / authentication**: `Authorization: Bearer <token>`; setiap operasi menyebut skema yang "
        "diterimanya (`security`): kunci API unit (`lpk_…`), token admin, atau token pejabat. 401: tidak ada atau "
        "tidak dikenal; 403: dikenal tetapi tidak boleh. / Each operation names the schemes it takes; 401 missing "
        "or unknown, 403 known but not allowed.\n\n"
        f"**Batas / limits**: badan JSON paling besar {mib:g} MiB (413); unggahan berkas {upload_mib:g} MiB. "
        f"Pengiriman (POST laporan, bulk, upload, bukti) dibatasi per kunci: {per_minute} per menit, ledakan "
        f"{burst}; bulk mengambil satu token per baris (paling banyak {burst}); lewat dari itu 429 `rate_limited` "
        f"dengan header `Retry-After` (detik). Paling banyak {MAX_IN_FLIGHT_PER_CREDENTIAL} permintaan berjalan "
        f"bersamaan per kredensial dan {MAX_IN_FLIGHT_PER_ADDRESS} per alamat, lewat dari itu 429 `too_many_at_once`. "
        "503 juga membawa `Retry-After`; header "
        f"permintaan paling besar {MAX_HEAD_BYTES // 1024} KiB (431); permintaan yang tidak datang utuh pada "
        f"waktunya (header {HEAD_TIMEOUT_S:g} s, isi {BODY_TIMEOUT_S:g} s, masing-masing +1 s per {MIN_RATE} byte) 408 "
        "`request_timeout`. / JSON bodies up to "
        f"{mib:g} MiB; uploads "
        f"{upload_mib:g} MiB; submissions per key: {per_minute} a minute, bursts of {burst}, a bulk taking one a row "
        f"(at most {burst}); beyond, 429 `rate_limited` with Retry-After (seconds). At most "
        f"{MAX_IN_FLIGHT_PER_CREDENTIAL} requests under way at once per credential and {MAX_IN_FLIGHT_PER_ADDRESS} "
        "per address, beyond, 429 `too_many_at_once`. "
        f"A 503 carries Retry-After too; request headers up to {MAX_HEAD_BYTES // 1024} KiB (431); a request that "
        f"does not arrive whole in time (head {HEAD_TIMEOUT_S:g} s, body {BODY_TIMEOUT_S:g} s, each +1 s per "
        f"{MIN_RATE} bytes) 408 `request_timeout`.\n\n"
        "**Idempotency-Key** (header, ≤ 200 karakter) pada POST laporan triwulan, bulanan dan upload: berlaku per "
        "unit kunci API (semua kunci unit itu, ketiga rute itu berbagi satu ruang kunci) dan disimpan tanpa batas "
        "waktu. Isi sama: jawaban pertama diulang, tidak disimpan dua kali; isi lain: 409 "
        "`idempotency_key_reused`. / Scoped to the API key's unit (all its keys, the three routes share one key "
        "space) and kept indefinitely: the same body answers as the first time; another body is 409.\n\n"
        "**Parameter query** yang tidak dikenal ditolak (422 `unknown_field`), begitu pula kolom badan yang tidak "
        "dikenal. / Unknown query parameters and body fields are refused (422 unknown_field).\n\n"
        '**Kesalahan / errors**: selalu `{"errors": [{field, rule, message_id, message_en}]}`, semua masalah '
        f"sekaligus; pesan mengutip paling banyak {SHOWN} karakter nilai yang dikirim. / Always the one error "
        f"shape, every problem at once; a message quotes at most {SHOWN} characters of a value sent."
    )


RETRY_AFTER = {
    "Retry-After": {
        "description": "Detik sebelum mencoba lagi / seconds to wait before retrying",
        "schema": {"type": "integer", "minimum": 1},
    }
}


HEALTHZ = {
    "summary": "Kesehatan layanan / health",
    "description": (
        'Tanpa autentikasi: 200 `{"status": "ok"}` bila basis data, Redis dan aliran peristiwanya baik; 503 '
        '`{"status": "error", "problems": [...]}` menyebut yang tidak. Untuk pemantauan, bukan untuk '
        "sistem instansi. / No authentication: 200 when the database, Redis and the event streams are well; 503 "
        "naming what is not, in `problems`. For monitoring."
    ),
    "responses": {
        "200": {
            "description": "Sehat / healthy",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"status": {"type": "string", "enum": ["ok"]}},
                        "required": ["status"],
                    }
                }
            },
        },
        "503": {
            "description": "Tidak sehat: yang salah ada dalam `problems` / not healthy: what is wrong, in `problems`",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "status": {"type": "string", "enum": ["error"]},
                            "problems": {"type": "array", "items": {"type": "string"}},
                        },
                        "required": ["status", "problems"],
                    }
                }
            },
        },
    },
}
NO_RETRY_AFTER = {"healthz_healthz_get"}  # its 503 carries no Retry-After
ERROR_MODELS = {
    "ErrorBody": (
        "Badan setiap penolakan; penolakan bulk juga memuat jawaban setiap barisnya, jadi kunci lain boleh ada. / "
        "Every refusal's body; a bulk refusal also carries its rows' answers, hence extra keys are allowed."
    ),
    "ErrorItemModel": "Satu masalah: kolom, aturan dan pesannya. / One problem: its field, rule and messages.",
}
ERROR_EXAMPLE = {  # the collector's own field, where the kernel's example names none of its payloads
    "field": "realisasi[0].nilai",
    "message_id": "realisasi[0].nilai: harus berupa angka desimal biasa",
    "message_en": "realisasi[0].nilai: must be a plain decimal number",
}


def describe(spec: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The collector's OpenAPI with the above added (in place)."""
    spec["info"]["description"] = info_description(settings)
    spec.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
    for operations in spec["paths"].values():
        for operation in operations.values():
            name = operation.get("operationId", "")
            operation["security"] = [{scheme: []} for scheme in SECURITY.get(name, [])]
            if name in OPERATIONS:
                operation["summary"], operation["description"] = OPERATIONS[name]
            for param in operation.get("parameters", []):
                if param["in"] in ("path", "query") and param["name"] in PARAMETERS and not param.get("description"):
                    param["description"] = PARAMETERS[param["name"]]
            for code in ("429", "503"):
                if code in operation.get("responses", {}) and name not in NO_RETRY_AFTER:
                    operation["responses"][code]["headers"] = RETRY_AFTER
    if "/healthz" in spec["paths"]:
        spec["paths"]["/healthz"]["get"].update(HEALTHZ)
    schemas = spec["components"]["schemas"]
    for model, words in ERROR_MODELS.items():
        if model in schemas:
            schemas[model]["description"] = words
    item = schemas.get("ErrorItemModel")
    if item is not None:
        for prop, example in ERROR_EXAMPLE.items():
            item["properties"][prop]["examples"] = [example]
        rule = item["properties"]["rule"]
        rule["description"] = (
            "Aturan yang dilanggar, untuk program; salah satu dari / the rule broken, for programs; one of: "
            + ", ".join(rules())
        )
    return spec


def install(app: FastAPI) -> None:
    generate: Callable[[], dict[str, Any]] = app.openapi
    settings: Settings = app.state.rt.settings
    done: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        if not done:
            done.append(describe(generate(), settings))
        return done[0]

    app.openapi = openapi  # type: ignore[method-assign]
