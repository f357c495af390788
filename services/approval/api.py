"""The approval service's JSON routes (docs/contract.md, Approval)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile

from services.approval import answers as a
from services.approval import (
    disposisi,
    evaluasi,
    handlers,
    kepatuhan,
    kualitas,
    officials,
    pemanfaatan,
    pemeriksaan,
    sosialisasi,
    tindaklanjut,
)
from services.approval import login as login_
from services.approval import schemas as s
from services.approval.bukti import uploads_of as bukti_uploads
from services.approval.models import DraftRow
from services.approval.workflow import Workflow
from shared.contract import answer, json_body_of, operation_name
from shared.errors import ApiError, ErrorItem, api_error, error_responses
from shared.service import AdminDep, JsonBody, RowId, RuntimeDep, SessionDep, StaffDep
from shared.strictform import StrictFormRoute

router = APIRouter(
    prefix="/api/v1",
    tags=["approval"],
    responses=error_responses(401, 403, 404, 413, 422, 429, 503),
    generate_unique_id_function=operation_name,
)


def workflow(request: Request) -> Workflow:
    return request.app.state.rt.state["workflow"]  # type: ignore[no-any-return]


@router.post(
    "/officials",
    status_code=201,
    openapi_extra=json_body_of(s.PejabatBaru),
    response_model=None,
    responses={**answer(201, s.Pejabat, "Pejabat dibuat / the official made"), **error_responses(409)},
)
def create_official(session: SessionDep, _: AdminDep, body: JsonBody) -> a.Pejabat:
    if not isinstance(body, dict):
        raise ApiError(422, [ErrorItem("body", "not_an_object", "body: harus objek", "body: must be an object")])
    return officials.public(officials.create_official(session, body))


@router.post(
    "/login",
    openapi_extra=json_body_of(s.Login),
    response_model=None,
    responses={**answer(200, s.Token, "Token pejabat / the official's token"), **error_responses(429, 503)},
)
async def login(request: Request, rt: RuntimeDep, body: JsonBody) -> a.Token:
    """A token for an official. Unknown username and wrong password: the same 401; repeated failures from a client
    or for a username: 429 with Retry-After, growing (services/approval/login.py)."""
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("username"), str)
        or not isinstance(body.get("password"), str)
    ):
        raise ApiError(
            422,
            [
                ErrorItem(
                    "username", "required", "username dan password wajib diisi", "username and password are required"
                )
            ],
        )
    official = await login_.authenticate(rt, login_.client_of(request), body["username"], body["password"])
    return {"token": officials.issue_for(rt.settings, official), "official": officials.public(official)}


@router.get("/drafts", response_model=None, responses={200: {"model": list[s.Draf], "description": "Draf / drafts"}})
def list_drafts(
    request: Request,
    session: SessionDep,
    caller: StaffDep,
    tahun: int | None = Query(None, ge=2000, le=2100),
    periode: str | None = Query(None),
) -> list[a.Draf]:
    who = handlers.official_of(session, caller) if caller.kind == "official" else None
    return handlers.list_drafts(session, workflow(request), who, tahun, periode)


@router.get("/drafts/{draft_id}", response_model=None, responses=answer(200, s.DrafDenganRiwayat, "Draf / the draft"))
def get_draft(draft_id: str, request: Request, session: SessionDep, caller: StaffDep) -> a.DrafDenganRiwayat:
    who = handlers.official_of(session, caller) if caller.kind == "official" else None
    found = [d for d in handlers.list_drafts(session, workflow(request), who, None, None) if d["id"] == draft_id]
    if not found:
        raise ApiError(404, [ErrorItem("id", "not_found", "Draf tidak ditemukan.", "Draft not found.")])
    viewer = handlers.official_row(session, caller) if caller.kind == "official" else None
    row = session.get(DraftRow, draft_id)
    checks = pemeriksaan.for_draft(session, row)
    lke = kualitas.lke_of(request.app.state.rt.state)
    quality = kualitas.for_draft(session, workflow(request), lke, row)  # TAHUNAN and semester drafts
    return {**found[0], "history": handlers.history(session, draft_id, viewer), "pemeriksaan": checks,
            "kualitas": quality}  # fmt: skip


@router.post(
    "/drafts/{draft_id}/decision",
    openapi_extra=json_body_of(s.Keputusan),
    response_model=None,
    responses={**answer(200, s.Draf, "Draf setelah keputusan / the draft decided"), **error_responses(409)},
)
def post_decision(
    draft_id: str, request: Request, session: SessionDep, rt: RuntimeDep, caller: StaffDep, body: JsonBody
) -> a.Draf:
    return handlers.decide(session, rt, workflow(request), caller, draft_id, body)


# ---- disposisi, socialisation, SOP compliance ---------------------------------------------------------------------


@router.post(
    "/disposisi",
    status_code=201,
    openapi_extra=json_body_of(s.DisposisiBaru),
    response_model=None,
    responses={**answer(201, s.Disposisi, "Disposisi diterbitkan / issued"), **error_responses(409)},
)
def issue_disposisi(
    request: Request, session: SessionDep, rt: RuntimeDep, caller: StaffDep, body: JsonBody
) -> a.Disposisi:
    """Issue a disposition: `kepada_role` or `kepada_id`, `instruksi`, optional `batas_waktu` (YYYY-MM-DD),
    `catatan`, `tahun`, `periode`, `langkah` (SOP step; by default the sender's role's first disposisi step)."""
    who = handlers.official_row(session, caller)
    row = disposisi.issue(session, rt, workflow(request), who, body)
    return disposisi.public(session, workflow(request), row)


@router.get("/disposisi", response_model=None, responses=answer(200, s.DaftarDisposisi, "Disposisi / dispositions"))
def list_disposisi(request: Request, session: SessionDep, caller: StaffDep) -> a.DaftarDisposisi:
    who = handlers.official_row(session, caller)
    wf = workflow(request)
    return {
        "diterima": [disposisi.public(session, wf, d) for d in disposisi.for_official(session, who)],
        "dikirim": [disposisi.public(session, wf, d) for d in disposisi.sent_by(session, who)],
    }


@router.get(
    "/disposisi/{disposisi_id}", response_model=None, responses=answer(200, s.Disposisi, "Disposisi / the disposition")
)
def get_disposisi(disposisi_id: RowId, request: Request, session: SessionDep, caller: StaffDep) -> a.Disposisi:
    """One disposition, for its issuer, its recipients and the roles that oversee the SOP (`disposisi.may_read`;
    others 403); the admin token too."""
    row = disposisi.get(session, disposisi_id)
    if caller.kind == "official" and not disposisi.may_read(row, handlers.official_row(session, caller)):
        raise disposisi.NOT_ALLOWED
    return disposisi.public(session, workflow(request), row)


# the multipart result: its text parts read strictly (shared/strictform.py), included into `router` at the end
strict_form = APIRouter(route_class=StrictFormRoute, generate_unique_id_function=operation_name)


@strict_form.post(
    "/disposisi/{disposisi_id}/selesai",
    response_model=None,
    responses={**answer(200, s.Disposisi, "Ditandai selesai / marked done"), **error_responses(409)},
)
def disposisi_done(
    disposisi_id: RowId,
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    caller: StaffDep,
    hasil: str | None = Form(
        None, description="Hasil (wajib untuk tindak lanjut) / the result (a follow-up: required)"
    ),
    bukti: list[UploadFile | str] = File([], description="Berkas bukti (PDF/PNG/JPEG/XLSX/DOCX, ≤ 10 MB) / evidence"),
) -> a.Disposisi:
    """Its recipient marks it done; multipart/form-data with `hasil` (required for a follow-up) and `bukti` files
    (each at most 10 MB, told by content). Emits DisposisiCompleted."""
    who = handlers.official_row(session, caller)
    uploads = bukti_uploads(bukti)
    row = disposisi.mark_done(session, rt, disposisi_id, who, hasil=hasil, uploads=uploads)
    return disposisi.public(session, workflow(request), row)


@router.post(
    "/tindak-lanjut",
    status_code=201,
    openapi_extra=json_body_of(s.TindakLanjutBaru),
    response_model=None,
    responses={**answer(201, s.TindakLanjut, "Tindak lanjut diterbitkan / issued"), **error_responses(409)},
)
def issue_tindak_lanjut(
    request: Request, session: SessionDep, rt: RuntimeDep, caller: StaffDep, body: JsonBody
) -> a.TindakLanjut:
    """Issue a follow-up: a disposition (`kepada_role` or `kepada_id`, `instruksi`, `batas_waktu` required,
    `tahun`, `periode`, `catatan`) tied to `indikator` (codes of the year's PK), the responsible `unit`, the
    `hasil_diharapkan` and where it came from (`sumber`: "rekap:2024-TW2"). Roles that decide only."""
    who = handlers.official_row(session, caller)
    row = tindaklanjut.issue(session, rt, workflow(request), who, body)
    return tindaklanjut.public(session, workflow(request), row)


@router.get(
    "/tindak-lanjut", response_model=None, responses=answer(200, s.DaftarTindakLanjut, "Tindak lanjut / follow-ups")
)
def list_tindak_lanjut(
    request: Request,
    session: SessionDep,
    caller: StaffDep,
    tahun: str = Query(pattern=r"^[0-9]{4}$", description="Tahun 2000–2100, angka saja / the year, digits only"),
) -> a.DaftarTindakLanjut:
    """The year's follow-ups the caller may read (`disposisi.may_read`: issuer, recipients, oversight roles; the admin
    token all), the off-target indicators without one, and the two coverage figures (everyone's)."""
    year = int(tahun)  # digits only: "2024.0" and "true" are refused (422), as the body's strict integer
    if not 2000 <= year <= 2100:
        raise api_error(422, "tahun", "out_of_range", "tahun: antara 2000 dan 2100", "tahun: between 2000 and 2100")
    viewer = handlers.official_row(session, caller) if caller.kind == "official" else None
    return {
        "tahun": year,
        "tindak_lanjut": tindaklanjut.of_year(session, workflow(request), year, viewer=viewer),
        "tanpa_tindak_lanjut": tindaklanjut.without_follow_up(session, year),
        "cakupan": tindaklanjut.cakupan(session, year),
    }


@router.post(
    "/drafts/{draft_id}/sosialisasi",
    status_code=201,
    openapi_extra=json_body_of(s.SosialisasiBaru),
    response_model=None,
    responses={**answer(201, s.Sosialisasi, "Sosialisasi dikirim / circulated"), **error_responses(409)},
)
def circulate(
    draft_id: str,
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    caller: StaffDep,
    body: JsonBody,
) -> a.Sosialisasi:
    """Circulate a draft (SOP step 5: a final quarterly report; step 8: a semester or annual draft):
    `{"penerima": [official ids], "catatan": "..."}`."""
    who = handlers.official_row(session, caller)
    return sosialisasi.status(session, sosialisasi.circulate(session, rt, workflow(request), who, draft_id, body))


@router.get(
    "/sosialisasi/{sosialisasi_id}",
    response_model=None,
    responses=answer(200, s.Sosialisasi, "Sosialisasi / the circulation"),
)
def sosialisasi_status(sosialisasi_id: RowId, session: SessionDep, caller: StaffDep) -> a.Sosialisasi:
    """An official sees it when `sosialisasi.may_see` says so (sender, recipients, oversight); the admin token too."""
    sos = sosialisasi.get(session, sosialisasi_id)
    if caller.kind == "official" and not sosialisasi.may_see(session, sos, handlers.official_row(session, caller)):
        raise sosialisasi.NOT_ALLOWED
    return sosialisasi.status(session, sos)


@router.post(
    "/sosialisasi/{sosialisasi_id}/dibaca",
    response_model=None,
    responses=answer(200, s.Sosialisasi, "Ditandai dibaca / read"),
)
def sosialisasi_read(sosialisasi_id: RowId, session: SessionDep, rt: RuntimeDep, caller: StaffDep) -> a.Sosialisasi:
    who = handlers.official_row(session, caller)
    sos = sosialisasi.get(session, sosialisasi_id)
    status = sosialisasi.status(session, sos)
    if who.id not in [p["id"] for p in status["penerima"]]:
        raise ApiError(
            403,
            [ErrorItem(None, "not_recipient", "Anda bukan penerima sosialisasi ini.", "You are not a recipient.")],
        )
    sosialisasi.acknowledge(session, rt, sos, who)
    return sosialisasi.status(session, sos)


@router.get("/kepatuhan-sop", response_model=None, responses=answer(200, s.Kepatuhan, "Kepatuhan SOP / SOP compliance"))
def compliance(
    request: Request, session: SessionDep, caller: StaffDep, tahun: int = Query(..., ge=2000, le=2100)
) -> a.Kepatuhan:
    def minutes(value: timedelta | None) -> float | None:
        return round(value.total_seconds() / 60, 2) if value is not None else None

    rows = kepatuhan.report(session, workflow(request), tahun)
    return {
        "tahun": tahun,
        "langkah": [
            {
                "nomor": r["nomor"],
                "kegiatan": r["kegiatan"],
                "activity_en": r["activity_en"],
                "role": r["role"],
                "n": r["n"],
                "worst_late": r["worst_late"],
                "within": r["within"],
                "share": r["share"],
                "waktu_menit": minutes(r["waktu"]),
                "median_menit": minutes(r["median"]),
                "terlama_menit": minutes(r["worst"]),
            }  # fmt: skip
            for r in rows
        ],
    }


@router.get("/pengingat", response_model=None, responses=answer(200, s.DaftarPengingat, "Pengingat / reminders"))
def list_pengingat(
    session: SessionDep,
    caller: StaffDep,
    tahun: int | None = Query(None, ge=2000, le=2100),
    semua: bool = Query(False, description="also the settled ones"),
) -> a.DaftarPengingat:
    """The units that still owe a quarter's data, from the collector's SubmissionOverdue reminders."""
    return {"pengingat": handlers.pengingat(session, tahun, include_done=semua)}


# ---- the self-assessment of the SAKIP evaluation ------------------------------------------------------------------


@router.get("/evaluasi", response_model=None, responses=answer(200, list[s.EvaluasiTahun], "Tren / the years"))
def list_evaluasi(session: SessionDep, _: StaffDep) -> list[a.EvaluasiTahun]:
    """Every year's evaluation, oldest first: state, and the score, grade and per-component scores kept at closing."""
    return evaluasi.years(session)


@router.get(
    "/evaluasi/{tahun}", response_model=None, responses=answer(200, s.EvaluasiLembar, "Lembar kerja / worksheet")
)
def get_evaluasi(tahun: str, request: Request, session: SessionDep, _: StaffDep) -> a.EvaluasiLembar:
    """The year's worksheet: per criterion the data's answer (measured ones), the office's, the inspektorat's and
    its value; the running score and grade (the kept ones once closed). Every official reads it."""
    lke = evaluasi.lke_of(request.app.state.rt.state)
    year = evaluasi.check_year(tahun)
    return evaluasi.worksheet(session, lke, year, evaluasi.data_checks(session, year, lke))


@router.post(
    "/evaluasi/{tahun}/kriteria/{kode}",
    openapi_extra=json_body_of(s.JawabanEvaluasi),
    response_model=None,
    responses={**answer(200, s.EvaluasiLembar, "Lembar kerja / the worksheet"), **error_responses(409)},
)
def answer_evaluasi(
    tahun: str, kode: str, request: Request, session: SessionDep, rt: RuntimeDep, caller: StaffDep, body: JsonBody
) -> a.EvaluasiLembar:
    """One criterion's answers: the office's roles send `jawaban`, `catatan`, `bukti`; the inspektorat `komentar`,
    `jawaban_akhir`; others 403; a closed year 409; a letter not on the criterion's scale 422."""
    who = handlers.official_row(session, caller)
    lke = evaluasi.lke_of(rt.state)
    year = evaluasi.check_year(tahun)  # text of digits: "2024.0" is 422, as on the web page
    evaluasi.answer(session, rt, lke, who, year, kode, body)
    return evaluasi.worksheet(session, lke, year, evaluasi.data_checks(session, year, lke))


@router.post(
    "/evaluasi/{tahun}/tutup",
    response_model=None,
    responses={**answer(200, s.EvaluasiTahun, "Ditutup / closed"), **error_responses(409)},
)
def close_evaluasi(tahun: str, session: SessionDep, rt: RuntimeDep, caller: StaffDep) -> a.EvaluasiTahun:
    """The inspektorat closes the year: its score and grade are kept; nothing changes after (409)."""
    who = handlers.official_row(session, caller)
    lke = evaluasi.lke_of(rt.state)
    year = evaluasi.check_year(tahun)
    evaluasi.close(session, rt, lke, who, year, evaluasi.data_checks(session, year, lke))
    kept = evaluasi.year_of(session, year)
    assert kept is not None
    return kept


# ---- the evaluator's export (issue 17) ----------------------------------------------------------------------------


@router.get(
    "/evaluasi/{tahun}/pemanfaatan",
    response_model=None,
    responses=answer(200, s.LaporanPemanfaatan, "Pemanfaatan informasi kinerja / uses of performance information"),
)
def pemanfaatan_tahun(
    request: Request,
    session: SessionDep,
    rt: RuntimeDep,
    caller: StaffDep,
    tahun: Annotated[pemanfaatan.Tahun, Path(ge=2000, le=2100)],
) -> a.LaporanPemanfaatan:
    """Every use of the year's performance information, oldest first, from the records the system keeps (decisions,
    dispositions and follow-ups with evidence, circulations and read receipts, final documents), with counts per
    kind. For the officials who oversee the SOP and the inspektorat (others 403); the admin token too."""
    if caller.kind == "official" and not pemanfaatan.may_export(handlers.official_row(session, caller)):
        raise api_error(
            403,
            None,
            "not_allowed",
            "Ekspor pemanfaatan informasi kinerja hanya untuk Sekretaris Dinas, Kepala Dinas dan Inspektorat.",
            "The export of the use of performance information is for the Secretary, the Head and the Inspectorate.",
        )
    return pemanfaatan.report(session, workflow(request), tahun, evaluasi.lke_of(rt.state))


router.include_router(strict_form)
