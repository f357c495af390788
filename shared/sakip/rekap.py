"""A period's recap (DESIGN.md §3, the body of GET /rekap and of RekapCompleted): a row per indicator and per
sasaran, the office's capaian, completeness, notes and budget.

Two forms: the typed model (RekapCompleted v2) and the document form, the recap as stored, served (GET /rekap)
and carried by v1 (figures as text rounded to 2 places, a range target as "15.00-25.00"). `from_document` and
`document` convert between them exactly: document(from_document(d)) == d."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from shared.sakip.base import Dec, Model
from shared.sakip.periode import Periode
from shared.sakip.pk import Agregasi, Polaritas
from shared.sakip.predikat import Predikat
from shared.sakip.target import Target

Reason = Literal["belum_ada_data", "target_nol"]  # why a capaian is missing
Status = Literal["provisional", "complete", "final"]
_SD = ("target_sd", "realisasi_sd", "capaian_sd", "predikat_sd", "reason_sd")


class RekapIndikator(Model):
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
        doc = self.model_dump(mode="json", exclude=set(_SD))
        doc["target"] = self.target.text()
        if self.target_sd is not None:  # every period but TAHUNAN
            doc.update(self.model_dump(mode="json", include=set(_SD)))
            doc["target_sd"] = self.target_sd.text()
        return doc


class RekapSasaran(Model):
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


class AnggaranRekap(Model):
    kode: str
    nama: str
    sasaran: str | None
    unit: str | None
    pagu: Dec
    realisasi: Dec
    persen: Dec | None


class Rekap(Model):
    tahun: int
    periode: Periode
    indikator: list[RekapIndikator]
    sasaran: list[RekapSasaran]
    capaian_instansi: Dec | None
    predikat_instansi: Predikat | None
    skipped_instansi: int
    status: Status
    kelengkapan: Kelengkapan
    pk_version: int
    units: dict[str, str] = Field(description="Kode unit → nama")
    catatan: list[Catatan]
    anggaran: list[AnggaranRekap]
    quarters_final: bool | None = Field(default=None, description="Semester/tahunan: semua triwulannya sudah final")
    revision: int | None = None

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Rekap:
        return cls.model_validate({**doc, "indikator": [RekapIndikator.from_document(row) for row in doc["indikator"]]})

    def document(self) -> dict[str, Any]:
        doc = self.model_dump(mode="json", exclude={"indikator", "quarters_final", "revision"})
        doc["indikator"] = [row.document() for row in self.indikator]
        if self.quarters_final is not None:  # a semester or the year
            doc["quarters_final"] = self.quarters_final
        if self.revision is not None:
            doc["revision"] = self.revision
        return doc
