"""The renderer's answers (docs/contract.md, Renderer), as TypedDicts: the routes return the dicts they always did, and
`/openapi.json` documents them from these (shared.contract.answer).

Deskripsi dalam bahasa Indonesia, diikuti bahasa Inggris. / Descriptions in Indonesian, then English."""

from typing import Annotated

from pydantic import Field
from typing_extensions import TypedDict


class Dokumen(TypedDict):
    """Satu dokumen: draf atau final, dengan hash berkasnya. / One document, draft or final, with its files' hashes."""

    id: Annotated[str, Field(description="Id dokumen / the document's id", examples=["2024-TW1-v1-final"])]
    draft_id: Annotated[str, Field(description="Id draf / the draft's id", examples=["2024-TW1"])]
    jenis: Annotated[
        str, Field(description="triwulan, semester, tahunan atau disposisi / the kind", examples=["triwulan"])
    ]
    tahun: Annotated[int, Field(description="Tahun anggaran / budget year", examples=[2024])]
    periode: Annotated[str, Field(description="Periode (kosong untuk disposisi tanpa periode) / the period")]
    version: Annotated[int, Field(description="Versi draf / the draft's version", examples=[1])]
    recap_revision: Annotated[int, Field(description="Revisi rekap yang digambar / the recap revision drawn")]
    status: Annotated[str, Field(description="draft atau final / draft or final", examples=["final"])]
    sha256: Annotated[str | None, Field(description="SHA-256 berkas .pdf / the .pdf's SHA-256")]
    files: Annotated[dict[str, str], Field(description="Format → SHA-256 berkasnya / format → its file's SHA-256")]
    formats: Annotated[list[str], Field(description="Format yang tersedia / the formats", examples=[["docx", "pdf"]])]
    created_at: Annotated[str, Field(description="Waktu dibuat (ISO 8601) / when it was made")]
    folder: Annotated[str, Field(description="Folder berkas di server / the files' folder on the server")]


class TemplatDiterima(TypedDict):
    """Templat Word kantor yang diterima. / The office's Word template, accepted."""

    jenis: Annotated[str, Field(description="Jenis laporan templat itu / the report kind", examples=["triwulan"])]
    sha256: Annotated[str, Field(description="SHA-256 berkas templat / the template's SHA-256")]
    fields: Annotated[list[str], Field(description="Isian wajib templat jenis itu / the kind's required fields")]
