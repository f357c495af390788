"""One error shape for every service: {"errors": [{"field", "rule", "message_id", "message_en"}]}."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException


@dataclass(frozen=True)
class ErrorItem:
    field: str | None
    rule: str
    message_id: str
    message_en: str


class ErrorItemJson(TypedDict):
    """An ErrorItem in a response body."""

    field: str | None
    rule: str
    message_id: str
    message_en: str


class ErrorBodyJson(TypedDict):
    """Every refusal's body (`ErrorBody` documents it)."""

    errors: list[ErrorItemJson]


class ApiError(Exception):
    def __init__(self, status: int, errors: list[ErrorItem], headers: dict[str, str] | None = None) -> None:
        super().__init__(errors[0].message_en if errors else str(status))
        self.status = status
        self.errors = errors
        self.headers = headers  # e.g. a 429's Retry-After


class ErrorItemModel(BaseModel):
    """One problem, as the OpenAPI documents it (the ErrorItem an ApiError carries)."""

    field: str | None = Field(
        description="Kolom yang bermasalah (null: permintaan itu sendiri) / the field at fault (null: the request)",
        examples=["baris[0].nilai"],
    )
    rule: str = Field(
        description="Aturan yang dilanggar, untuk program / the rule, for programs", examples=["not_a_number"]
    )
    message_id: str = Field(
        description="Pesan dalam bahasa Indonesia, untuk pengguna / the message in Indonesian, for people",
        examples=["baris[0].nilai: harus berupa angka desimal biasa"],
    )
    message_en: str = Field(
        description="Pesan dalam bahasa Inggris / the message in English",
        examples=["baris[0].nilai: must be a plain decimal number"],
    )


class ErrorBody(BaseModel):
    """Every refusal's body. A bulk refusal also carries its rows' answers, hence extra keys are allowed."""

    model_config = ConfigDict(extra="allow")
    errors: list[ErrorItemModel] = Field(description="Setiap masalah / every problem")


ERROR_DESCRIPTIONS = {
    401: "Kredensial tidak ada atau tidak dikenal / no credentials, or unknown ones",
    403: "Kredensial dikenal, tetapi tidak boleh melakukan ini / known credentials, not allowed here",
    404: "Tidak ditemukan / not found",
    409: (
        "Bertentangan dengan keadaan sekarang (periode ditutup atau belum dibuka, perubahan bersamaan, "
        "Idempotency-Key dipakai ulang) / conflicts with the current state (a closed period, a concurrent change, a "
        "reused Idempotency-Key)"
    ),
    413: "Badan permintaan melebihi batas ukuran / the body is over the size limit",
    422: "Permintaan tidak valid: setiap masalah disebut per kolom dan aturan / invalid request: every problem named",
    429: "Terlalu banyak permintaan; Retry-After menyebut kapan mencoba lagi / too many requests (see Retry-After)",
    503: (
        "Tidak dapat dijawab sekarang (sibuk, atau yang diperlukannya tidak tersedia); Retry-After menyebut kapan "
        "mencoba lagi / cannot be answered right now (busy, or what it depends on is away); see Retry-After"
    ),
}


def error_responses(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI `responses` for these refusals, each with the one error body."""
    return {code: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[code]} for code in codes}


def api_error(status: int, field: str | None, rule: str, message_id: str, message_en: str) -> ApiError:
    return ApiError(status, [ErrorItem(field, rule, message_id, message_en)])


def error_body(errors: list[ErrorItem]) -> ErrorBodyJson:
    return {
        "errors": [
            {"field": e.field, "rule": e.rule, "message_id": e.message_id, "message_en": e.message_en} for e in errors
        ]
    }


# pydantic error types -> (rule, Indonesian, English)
_PYDANTIC_RULES: dict[str, tuple[str, str, str]] = {
    "missing": ("required", "wajib diisi", "is required"),
    "int_parsing": ("not_an_integer", "harus bilangan bulat", "must be an integer"),
    "int_type": ("not_an_integer", "harus bilangan bulat", "must be an integer"),
    "string_type": ("not_a_string", "harus teks", "must be text"),
    "list_type": ("not_a_list", "harus daftar", "must be a list"),
    "dict_type": ("not_an_object", "harus objek", "must be an object"),
    "model_type": ("not_an_object", "harus objek", "must be an object"),
    "json_invalid": ("invalid_json", "JSON tidak valid", "is not valid JSON"),
    "string_too_long": ("too_long", "terlalu panjang", "is too long"),
    "literal_error": ("not_allowed", "nilai tidak diperbolehkan", "value is not allowed"),
    "enum": ("not_allowed", "nilai tidak diperbolehkan", "value is not allowed"),
    "greater_than_equal": ("out_of_range", "di luar rentang", "is out of range"),
    "less_than_equal": ("out_of_range", "di luar rentang", "is out of range"),
    "extra_forbidden": ("unknown_field", "kolom tidak dikenal", "is not a known field"),
}


def pydantic_rules() -> list[str]:
    """The rules a pydantic validation error can be answered with."""
    return sorted({rule for rule, _, _ in _PYDANTIC_RULES.values()} | {"invalid"})


def field_path(loc: tuple[Any, ...]) -> str:
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "body"


def from_validation(exc: RequestValidationError) -> list[ErrorItem]:
    items = []
    for err in exc.errors():
        rule, mid, men = _PYDANTIC_RULES.get(err["type"], ("invalid", "tidak valid", "is invalid"))
        field = field_path(tuple(err.get("loc", ())))
        if err["type"].startswith("value_error") and err.get("ctx", {}).get("error"):
            ctx = err["ctx"]["error"]
            rule, mid, men = getattr(ctx, "rule", rule), getattr(ctx, "message_id", mid), str(ctx)
        items.append(ErrorItem(field, rule, f"{field}: {mid}", f"{field}: {men}"))
    return items


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.errors), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(error_body(from_validation(exc)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        rule, mid, men = {
            401: ("unauthorized", "kredensial tidak ada atau tidak valid", "missing or invalid credentials"),
            403: ("forbidden", "tidak diizinkan", "not allowed"),
            404: ("not_found", "tidak ditemukan", "not found"),
            405: ("method_not_allowed", "metode tidak diizinkan", "method not allowed"),
            413: ("too_large", "isi permintaan terlalu besar", "request body too large"),
        }.get(exc.status_code, ("http_error", str(exc.detail), str(exc.detail)))
        return JSONResponse(
            error_body([ErrorItem(None, rule, mid, men)]), status_code=exc.status_code, headers=exc.headers
        )  # a 405's Allow header kept


UNAUTHORIZED = api_error(
    401, None, "unauthorized", "Kredensial tidak ada atau tidak valid.", "Missing or invalid credentials."
)
FORBIDDEN = api_error(403, None, "forbidden", "Anda tidak berhak melakukan ini.", "You are not allowed to do this.")
ADMIN_ONLY = api_error(
    403,
    None,
    "forbidden",
    "Hanya admin yang boleh melakukan ini (kredensial Anda dikenal, tetapi bukan milik admin).",
    "Only the admin may do this (your credentials are known, but they are not the admin's).",
)
UNIT_KEY_NOT_ALLOWED = api_error(
    403,
    None,
    "unit_key_not_allowed",
    "Kunci API unit hanya berlaku untuk laporan dan bukti unit itu sendiri, tidak di sini; rute ini memerlukan token "
    "admin atau token pejabat.",
    "A unit's API key is only for the unit's own reports and evidence, not here; this route needs the admin's token "
    "or an official's token.",
)
