"""The approval service's JSON request bodies as pydantic models, for its OpenAPI (shared.contract.json_body_of).

The routes read their bodies strictly (shared.service.JsonBody) and their rules name every problem; these models
are what `/openapi.json` documents and what a generated client sends. They never promise more than the rules take.
Deskripsi dalam bahasa Indonesia, diikuti bahasa Inggris. / Descriptions in Indonesian, then English."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.approval.disposisi import PERIODES
from services.approval.limits import MAX_TEXT
from services.approval.officials import ROLES

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
    role: str = Field(description="Peran dalam SOP / the official's role", examples=["kabid"])
    unit: str | None = Field(description="Kode unit pejabat / the official's unit", examples=["BID-PENTA"])


class Token(BaseModel):
    """Token pejabat untuk `Authorization: Bearer …`. / An official's bearer token."""

    token: str = Field(description="Token, berlaku sampai LAPKIN_TOKEN_TTL_S / the token, valid for the TTL")
    official: Pejabat = Field(description="Pejabat yang masuk / the official logged in")
