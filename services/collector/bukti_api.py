"""HTTP routes for evidence files (bukti dukung): upload to a submission, list, download. Thin: the rules live in
`bukti`. The upload route is async so it can read the multipart body itself (FastAPI's own form parsing would turn
the body-size limit's 413 into a 400); its database and disk work runs in worker threads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from services.collector import answers as a
from services.collector import bukti, filetype
from services.collector import schemas as s
from services.collector.api import Submitter, UnitOrAdmin, known_query
from services.collector.core.validation import shown
from services.collector.validation import TAHUN_MAX, TAHUN_MIN
from shared.contract import answer, operation_name
from shared.errors import ApiError, ErrorItem, api_error, error_responses
from shared.filetype import file_response as file_response  # the tests' import
from shared.inputguard import check_text
from shared.service import RuntimeDep, SessionDep

router = APIRouter(
    prefix="/api/v1",
    tags=["collector", "bukti"],
    dependencies=[Depends(known_query)],  # an unknown query parameter: 422 (api.py)
    responses=error_responses(401, 403, 404, 413, 422, 429, 503),
    generate_unique_id_function=operation_name,
)
T = TypeVar("T")
MAX_FIELD_BYTES = 16 * 1024  # indikator, keterangan
FORM_FIELDS = ("file", "indikator", "keterangan")
UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "additionalProperties": False,
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "indikator": {"type": "string"},
                        "keterangan": {"type": "string", "maxLength": bukti.MAX_KETERANGAN},
                    },
                }
            }
        },
    }
}


def _in_session(engine: Any, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with Session(engine, expire_on_commit=False) as session:
        return work(session, *args, **kwargs)


@router.post(
    "/laporan-triwulan/{submission_id}/bukti",
    status_code=201,
    openapi_extra=UPLOAD,
    response_model=None,
    responses={
        **answer(201, s.Bukti, "Berkas dilampirkan / attached"),
        **answer(200, s.Bukti, "Berkas yang sama sudah terlampir: barisnya / these bytes were attached already"),
        **error_responses(409, 429, 503),
    },
)
async def post_bukti(submission_id: str, request: Request, rt: RuntimeDep, caller: Submitter) -> JSONResponse:
    """Attach a file (PDF, PNG, JPEG, xlsx; type from the content) to a submission: 201 with its row, or 200 with
    the row already there when the same bytes were attached before."""
    read_engine = rt.read_engine or rt.engine
    sub = await run_in_threadpool(_in_session, read_engine, bukti.check_upload, caller, submission_id)
    form = await _read_form(request)
    try:
        _refuse_unknown_fields(form)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise api_error(422, "file", "required", "file: wajib diisi (berkas)", "file: is required (a file)")
        indikator, keterangan = _text(form, "indikator"), _text(form, "keterangan")
        bukti.check_fields(sub, indikator, keterangan)
        root = bukti.store_root(rt.settings.data_dir)  # the temp file; then into the store
        staged = await run_in_threadpool(bukti.stage, upload.file, root, rt.settings.max_upload_bytes)
        try:
            row, created = await run_in_threadpool(
                _in_session,
                rt.engine,
                bukti.attach,
                store=bukti.files(rt),
                caller=caller,
                sub=sub,
                staged=staged,
                filename=bukti.display_name(upload.filename),
                indikator=indikator,
                keterangan=keterangan,
                max_count=rt.settings.max_bukti_per_submission,
            )
        finally:
            staged.path.unlink(missing_ok=True)  # gone already when it was placed
    finally:
        await form.close()
    return JSONResponse(bukti.public(row), status_code=201 if created else 200)


async def _read_form(request: Request) -> FormData:
    try:
        return await request.form(max_files=1, max_fields=8, max_part_size=MAX_FIELD_BYTES)
    except HTTPException as exc:  # starlette's 400 for a malformed body, or a second file
        raise api_error(
            422,
            "body",
            "invalid_multipart",
            f"body: multipart/form-data tidak valid ({exc.detail})",
            f"body: invalid multipart/form-data ({exc.detail})",
        ) from exc


def _refuse_unknown_fields(form: FormData) -> None:
    """A misspelt form field (`keterngan`) is refused, not dropped: the file would be stored without it."""
    unknown = [name for name in dict.fromkeys(form.keys()) if name not in FORM_FIELDS]
    if unknown:
        raise ApiError(
            422,
            [
                ErrorItem(
                    shown(name),
                    "unknown_field",
                    f"{shown(name)}: field formulir tidak dikenal (yang dikenal: file, indikator, keterangan; "
                    "tidak ada yang disimpan)",
                    f"{shown(name)}: unknown form field (known: file, indikator, keterangan; nothing was stored)",
                )
                for name in unknown
            ],
        )


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise api_error(422, name, "not_a_string", f"{name}: harus teks", f"{name}: must be text")
    check_text(name, value)  # multipart is not read by shared.inputguard: PostgreSQL stores no NUL
    return value.strip() or None


@router.get(
    "/laporan-triwulan/{submission_id}/bukti",
    response_model=None,
    responses=answer(200, s.BuktiPengiriman, "Bukti pengiriman itu / the submission's files"),
)
def get_submission_bukti(submission_id: str, session: SessionDep, caller: UnitOrAdmin) -> a.BuktiPengiriman:
    return bukti.for_submission(session, caller, submission_id)


@router.get("/bukti", response_model=None, responses=answer(200, s.BuktiPeriode, "Bukti periode / the files"))
def get_bukti_list(
    session: SessionDep,
    caller: UnitOrAdmin,
    tahun: Annotated[int, Query(ge=TAHUN_MIN, le=TAHUN_MAX)],
    triwulan: Annotated[int | None, Query(ge=1, le=4)] = None,
    unit: str | None = None,
) -> a.BuktiPeriode:
    return bukti.for_period(session, caller, tahun, triwulan, unit)


@router.get(
    "/bukti/{bukti_id}",
    response_class=FileResponse,
    responses={
        200: {
            "description": "Isi berkas seperti disimpan / the stored bytes",
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in filetype.ACCEPTED.values()},
        }
    },
)
def get_bukti_file(bukti_id: str, session: SessionDep, rt: RuntimeDep, caller: UnitOrAdmin) -> Response:
    row, body = bukti.for_download(session, caller, bukti.files(rt), bukti_id)
    return file_response(row.filename, row.content_type, row.sha256, body)
