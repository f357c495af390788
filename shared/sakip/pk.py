"""The Perjanjian Kinerja (docs/contract.md): sasaran, their indicators with typed targets, units and programmes, and
which unit answers for which indicator.

Two forms: the typed model (PerjanjianKinerjaPublished v2) and the document form, the PK as an agency sends it
and v1 carried (targets as numbers or text, a range as `target_min`/`target_max` and [min, max] pairs).
`from_document` and `document` convert between them; every other key of the document travels along unchanged."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, model_validator

from shared.sakip.base import Dec, JsonObject, OpenModel, SparseModel
from shared.sakip.target import Target


class Polaritas(StrEnum):
    POSITIF = "positif"  # higher is better
    NEGATIF = "negatif"  # lower is better
    RENTANG = "rentang"  # within a range


class Agregasi(StrEnum):
    JUMLAH = "jumlah"
    TERAKHIR = "terakhir"
    RATA_RATA = "rata_rata"


class Kepala(SparseModel):
    """The head of the office, the PK's first signatory."""

    nama: str | None = Field(default=None, description="Nama kepala")
    nip: str | None = Field(default=None, description="NIP (18 angka)", examples=["197205022002121009"])
    jabatan: str | None = Field(default=None, examples=["Kepala Dinas Ketenagakerjaan Kota Tangerang"])
    pangkat: str | None = Field(default=None, examples=["Pembina Utama Muda"])
    golongan: str | None = Field(default=None, examples=["IV/c"])


class Instansi(SparseModel):
    nama: str = Field(description="Nama instansi", examples=["Dinas Komunikasi dan Informatika"])
    kepala: Kepala | None = None


class PihakKedua(SparseModel):
    """The PK's second signatory (for a dinas: the Wali Kota; an elected official has no NIP)."""

    nama: str
    jabatan: str = Field(examples=["Wali Kota Tangerang"])
    nip: str | None = None


class Tujuan(SparseModel):
    kode: str = Field(examples=["T-1"])
    nama: str


class Renstra(SparseModel):
    """The strategic plan (Renstra) the PK belongs to: its period, visi, misi and tujuan."""

    tahun_awal: int = Field(examples=[2019])
    tahun_akhir: int = Field(examples=[2024])
    visi: str
    misi: list[str]
    tujuan: list[Tujuan]


class RealisasiTahun(SparseModel):
    """An indicator's realisation in a past year."""

    tahun: int = Field(examples=[2023])
    nilai: Dec = Field(examples=["7.04"])


class TargetRenstra(SparseModel):
    """An indicator's Renstra target for one year: `target`, or for rentang `target_min`/`target_max`."""

    tahun: int = Field(examples=[2024])
    target: Dec | None = None
    target_min: Dec | None = None
    target_max: Dec | None = None


Tingkat = Literal["nasional", "provinsi", "kota", "lainnya"]


class Benchmark(SparseModel):
    """A standard to compare the indicator with: its value, source and level."""

    nilai: Dec = Field(examples=["4.91"])
    sumber: str = Field(examples=["BPS, Sakernas Agustus 2024"])
    tingkat: Tingkat
    tahun: int | None = None


class Kegiatan(SparseModel):
    kode: str
    nama: str
    pagu: Dec | None = None


class Unit(SparseModel):
    kode: str = Field(description="Kode unit kerja", examples=["BID-A"])
    nama: str = Field(description="Nama unit kerja", examples=["Bidang Aplikasi Informatika"])
    jenis: str | None = Field(default=None, description="Jenis unit", examples=["bidang"])
    induk: str | None = Field(default=None, description="Kode unit induk")


class Indikator(SparseModel):
    kode: str = Field(description="Kode indikator", examples=["IKU-1.1"])
    nama: str = Field(description="Nama indikator")
    satuan: str = Field(description="Satuan", examples=["%"])
    polaritas: Polaritas
    agregasi: Agregasi
    penanggung_jawab: str = Field(description="Kode unit yang bertanggung jawab atas indikator", examples=["BID-A"])
    target: Target = Field(description="Target tahunan")
    target_triwulan: tuple[Target, Target, Target, Target] = Field(description="Target tiap triwulan (TW I–IV)")
    desimal: int | None = Field(default=None, description="Banyak desimal yang dibaca orang (0–4)")
    kategori: Literal["serapan_anggaran"] | None = Field(default=None, description="serapan_anggaran: serapan anggaran")
    realisasi_tahun_sebelumnya: list[RealisasiTahun] | None = None
    target_renstra: list[TargetRenstra] | None = None
    benchmark: Benchmark | None = None

    @model_validator(mode="after")
    def _range_iff_rentang(self) -> Indikator:
        ranged = self.polaritas == Polaritas.RENTANG
        if any(t.is_range != ranged for t in (self.target, *self.target_triwulan)):
            raise ValueError("an indicator of polaritas rentang has range targets, any other single ones")
        return self

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Indikator:
        rest = {k: v for k, v in doc.items() if k not in ("target", "target_min", "target_max", "target_triwulan")}
        if doc["polaritas"] == Polaritas.RENTANG:
            target = Target.from_pk([doc["target_min"], doc["target_max"]])
        else:
            target = Target.from_pk(doc["target"])
        quarterly = [Target.from_pk(t) for t in doc["target_triwulan"]]
        return cls.model_validate({**rest, "target": target, "target_triwulan": quarterly})

    def document(self) -> JsonObject:
        doc = self.model_dump(mode="json", exclude={"target", "target_triwulan"}, exclude_unset=True)
        bounds = self.target.bounds
        if bounds is not None:
            doc["target_min"], doc["target_max"] = str(bounds[0]), str(bounds[1])
        else:
            doc["target"] = str(self.target.nilai)
        doc["target_triwulan"] = [t.pk_value() for t in self.target_triwulan]
        return doc


class Sasaran(OpenModel):
    kode: str = Field(description="Kode sasaran strategis", examples=["SS-1"])
    nama: str = Field(description="Nama sasaran strategis")
    indikator: list[Indikator]


class Program(SparseModel):
    kode: str
    nama: str
    pagu: Dec = Field(description="Pagu anggaran (rupiah)", examples=["1250000000"])
    sasaran: str | None = None
    unit: str | None = None
    kegiatan: list[Kegiatan] | None = None


class PerjanjianKinerja(SparseModel):
    tahun: int | None = Field(default=None, description="Tahun PK", examples=[2024])
    instansi: Instansi
    tanggal: date | None = Field(default=None, description="Tanggal PK ditandatangani")
    pihak_kedua: PihakKedua | None = None
    renstra: Renstra | None = None
    units: list[Unit]
    sasaran: list[Sasaran]
    program: list[Program] = []

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> PerjanjianKinerja:
        """The document form (v1; the PK as sent) read into the typed one."""
        sasaran = [{**s, "indikator": [Indikator.from_document(i) for i in s["indikator"]]} for s in doc["sasaran"]]
        given = {k: v for k, v in doc.items() if not (k == "program" and v is None)}  # "program": null is none
        return cls.model_validate({**given, "sasaran": sasaran})

    @classmethod
    def read(cls, doc: Mapping[str, Any] | PerjanjianKinerja) -> PerjanjianKinerja:
        """Either form: a typed dump (its targets are objects) or a document."""
        if isinstance(doc, PerjanjianKinerja):
            return doc
        typed = any(isinstance(i.get("target"), dict) for s in doc.get("sasaran", []) for i in s.get("indikator", []))
        return cls.model_validate(doc) if typed else cls.from_document(doc)

    def document(self) -> JsonObject:
        """The document form (v1): the PK as sent, what documents and PK versions read."""
        doc = self.model_dump(mode="json", exclude={"sasaran"}, exclude_unset=True)
        doc["sasaran"] = [
            {
                **s.model_dump(mode="json", exclude={"indikator"}, exclude_unset=True),
                "indikator": [i.document() for i in s.indikator],
            }
            for s in self.sasaran
        ]
        return doc

    def indikator(self) -> Iterator[tuple[Sasaran, Indikator]]:
        for s in self.sasaran:
            for i in s.indikator:
                yield s, i

    def responsibility(self) -> dict[str, list[str]]:
        """unit → the indicators it answers for, in PK order."""
        return responsibility(i for _, i in self.indikator())


def responsibility(indicators: Iterable[Indikator | Mapping[str, Any]]) -> dict[str, list[str]]:
    """unit → the codes of the indicators it answers for (`penanggung_jawab`), in order; an indicator that names no
    unit is nobody's. Works on the PK's indicators and on a recap's rows alike."""
    out: dict[str, list[str]] = {}
    for ind in indicators:
        row = ind if isinstance(ind, Mapping) else {"kode": ind.kode, "penanggung_jawab": ind.penanggung_jawab}
        unit = row.get("penanggung_jawab")
        if unit:
            out.setdefault(unit, []).append(row.get("kode"))  # type: ignore[arg-type]
    return out


def decimals_of(ind: Indikator | Mapping[str, Any]) -> int:
    """How many decimals a person reads for this indicator's figures (target, realisasi): the PK's `desimal` (0–4)
    when given; else 2 for a percentage and, for anything else (a count: orang, kasus), as many as its targets
    write (0 for "1200"), so a count is never shown as "1.200,00"."""
    doc = ind.document() if isinstance(ind, Indikator) else ind
    given = doc.get("desimal")
    if isinstance(given, int) and not isinstance(given, bool) and 0 <= given <= 4:
        return given
    if "%" in str(doc.get("satuan") or ""):
        return 2
    texts = [doc.get("target"), doc.get("target_min"), doc.get("target_max")]
    for t in doc.get("target_triwulan") or []:
        texts.extend(t if isinstance(t, list) else [t])
    places = [len(str(t).split(".", 1)[1].rstrip("0")) for t in texts if t is not None and "." in str(t)]
    return min(max(places, default=0), 4)
