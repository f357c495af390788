"""A period's recap (docs/design.md §3, the body of GET /rekap and of RekapCompleted): a row per indicator and per
sasaran, the office's capaian, completeness, notes and budget.

Two forms: the typed model (RekapCompleted v2) and the document form, the recap as stored, served (GET /rekap)
and carried by v1 (figures as text rounded to 2 places, a range target as "15.00-25.00"). `from_document` and
`document` convert between them exactly: document(from_document(d)) == d."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from shared.sakip.base import Dec, JsonObject, Model, SparseModel
from shared.sakip.periode import Periode
from shared.sakip.pk import Agregasi, Polaritas
from shared.sakip.predikat import Predikat
from shared.sakip.target import Target

Reason = Literal["belum_ada_data", "target_nol"]  # why a capaian is missing
ANALISIS_FIELDS = ("penyebab", "kendala", "solusi", "tindak_lanjut")  # a unit's analysis of one indicator (issue 15)
Status = Literal["provisional", "complete", "final"]


class RekapIndikator(SparseModel):
    """One indicator's figures for the period and, except for TAHUNAN, from TW I up to the period (`*_sd`). The
    aggregator writes every field (the `*_sd` ones but for TAHUNAN); a reader takes what it is given."""

    kode: str
    nama: str | None = None
    satuan: str | None = None
    polaritas: Polaritas | None = None
    agregasi: Agregasi | None = None
    sasaran: str | None = Field(default=None, description="Kode sasaran strategis")
    penanggung_jawab: str | None = Field(default=None, description="Kode unit yang bertanggung jawab")
    target: Target | None = None
    realisasi: Dec | None = Field(default=None, description="Realisasi periode (tanpa data: null)")
    capaian: Dec | None = Field(default=None, description="Capaian (%), dibulatkan 2 desimal (tanpa data: null)")
    predikat: Predikat | None = None
    reason: Reason | None = Field(default=None, description="Mengapa capaian kosong")
    target_sd: Target | None = None
    realisasi_sd: Dec | None = None
    capaian_sd: Dec | None = None
    predikat_sd: Predikat | None = None
    reason_sd: Reason | None = None
    desimal: int | None = Field(default=None, description="Banyak desimal yang dibaca orang (PK; decimals_of)")
    kategori: str | None = Field(default=None, description="Kategori indikator dari PK (serapan_anggaran)")

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> RekapIndikator:
        texts = {key: Target.fields_of(doc[key]) for key in ("target", "target_sd") if isinstance(doc.get(key), str)}
        return cls.model_validate({**doc, **texts})

    def document(self) -> JsonObject:
        doc = self.model_dump(mode="json")
        for key, target in (("target", self.target), ("target_sd", self.target_sd)):
            if target is not None:
                doc[key] = target.text()
        return doc


class RekapSasaran(SparseModel):
    kode: str
    nama: str
    capaian: Dec | None = Field(description="Rerata capaian indikatornya (tiap ≤ 100), 2 desimal")
    predikat: Predikat | None
    skipped: int = Field(description="Indikator tanpa capaian yang tidak dihitung")


class Kelengkapan(Model):
    expected_units: int
    submitted_units: int
    on_time_units: int


class Catatan(Model):
    triwulan: int
    unit: str
    kendala: str | None
    solusi: str | None


class Analisis(Model):
    """A unit's analysis of one indicator in one quarter (the revision the recap used): why the target was met or
    missed, what stood in the way, what was done, what comes next."""

    indikator: str
    triwulan: int
    unit: str
    penyebab: str | None
    kendala: str | None
    solusi: str | None
    tindak_lanjut: str | None


class AnggaranRekap(SparseModel):
    kode: str
    nama: str
    sasaran: str | None = None
    unit: str | None = None
    pagu: Dec
    realisasi: Dec
    persen: Dec | None


class Rekap(SparseModel):
    """The recap of one period. The aggregator's has every field (`quarters_final` for a semester and the year
    only; `revision` in the event); a reader takes what it is given and writes back just that."""

    tahun: int | None = None
    periode: Periode | None = None
    indikator: list[RekapIndikator] = []
    sasaran: list[RekapSasaran] | None = None
    capaian_instansi: Dec | None = Field(default=None, description="Capaian instansi (%), 2 desimal; tanpa data: null")
    predikat_instansi: Predikat | None = None
    skipped_instansi: int | None = None
    status: Status | None = None
    kelengkapan: Kelengkapan | None = None
    pk_version: int | None = None
    units: dict[str, str] | None = Field(default=None, description="Kode unit → nama")
    quarters_final: bool | None = Field(default=None, description="Semester/tahunan: semua triwulannya sudah final")
    catatan: list[Catatan] | None = None
    analisis: list[Analisis] | None = None
    anggaran: list[AnggaranRekap] | None = None
    revision: int | None = None

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Rekap:
        rows = [RekapIndikator.from_document(row) for row in doc.get("indikator", [])]
        return cls.model_validate({**doc, "indikator": rows})

    @classmethod
    def read(cls, doc: Mapping[str, Any]) -> Rekap:
        """Either form: a typed dump (its targets are objects) or a document (its targets are text)."""
        rows = doc.get("indikator")
        if isinstance(rows, list) and any(isinstance(r, Mapping) and isinstance(r.get("target"), str) for r in rows):
            return cls.from_document(doc)
        return cls.model_validate(doc)

    def document(self) -> JsonObject:
        doc = self.model_dump(mode="json")
        doc["indikator"] = [row.document() for row in self.indikator]
        return doc
