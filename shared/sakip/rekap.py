"""A period's recap (DESIGN.md §3, the body of GET /rekap and of RekapCompleted): a row per indicator and per
sasaran, the office's capaian, completeness, notes and budget.

Two forms: the typed model (RekapCompleted v2) and the document form, the recap as stored, served (GET /rekap)
and carried by v1 (figures as text rounded to 2 places, a range target as "15.00-25.00"). `from_document` and
`document` convert between them exactly: document(from_document(d)) == d."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from shared.sakip.base import Dec, Model, OpenModel, SparseModel
from shared.sakip.periode import Periode
from shared.sakip.pk import Agregasi, Polaritas
from shared.sakip.predikat import Predikat
from shared.sakip.target import Target

Reason = Literal["belum_ada_data", "target_nol"]  # why a capaian is missing
Status = Literal["provisional", "complete", "final"]
_SD = ("target_sd", "realisasi_sd", "capaian_sd", "predikat_sd", "reason_sd")


class RekapIndikator(OpenModel):
    """One indicator's figures for the period and, except for TAHUNAN, from TW I up to the period (`*_sd`)."""

    kode: str
    nama: str
    satuan: str
    polaritas: Polaritas
    agregasi: Agregasi
    sasaran: str = Field(description="Kode sasaran strategis")
    penanggung_jawab: str = Field(description="Kode unit yang bertanggung jawab")
    target: Target
    realisasi: Dec | None = Field(description="Realisasi periode (tanpa data: null)")
    capaian: Dec | None = Field(description="Capaian (%), dibulatkan 2 desimal")
    predikat: Predikat | None
    reason: Reason | None = Field(description="Mengapa capaian kosong")
    target_sd: Target | None = None
    realisasi_sd: Dec | None = None
    capaian_sd: Dec | None = None
    predikat_sd: Predikat | None = None
    reason_sd: Reason | None = None

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> RekapIndikator:
        target_sd = doc.get("target_sd")
        return cls.model_validate(
            {
                **doc,
                "target": Target.parse(doc["target"]),
                "target_sd": None if target_sd is None else Target.parse(target_sd),
            }
        )

    def document(self) -> dict[str, Any]:
        doc = self.model_dump(mode="json")
        doc["target"] = self.target.text()
        if self.target_sd is None:  # TAHUNAN: no s.d. figures
            for key in _SD:
                del doc[key]
        else:
            doc["target_sd"] = self.target_sd.text()
        return doc


class RekapSasaran(OpenModel):
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


class AnggaranRekap(OpenModel):
    kode: str
    nama: str
    sasaran: str | None = None
    unit: str | None = None
    pagu: Dec
    realisasi: Dec
    persen: Dec | None


class Rekap(SparseModel):
    """The recap of one period. The aggregator's always has every field; `None` in a field of the first group
    means "not given" (it is left out of the document), a missing figure is `None` and stays in it."""

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
    anggaran: list[AnggaranRekap] | None = None
    revision: int | None = None

    OMIT_NONE = (
        "tahun", "periode", "sasaran", "skipped_instansi", "status", "kelengkapan", "pk_version", "units",
        "quarters_final", "catatan", "anggaran", "revision",
    )  # fmt: skip  # capaian_instansi and predikat_instansi: None is "no figure", and stays

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

    def document(self) -> dict[str, Any]:
        doc = self.model_dump(mode="json")
        doc["indikator"] = [row.document() for row in self.indikator]
        return doc
