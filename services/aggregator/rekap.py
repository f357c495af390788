"""Build the recap of one period (the body of GET /rekap and of RekapCompleted) from the PK and the values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from services.aggregator import domain
from services.aggregator.domain import Indikator
from shared.sakip import ANALISIS_FIELDS, PerjanjianKinerja, Predikat, decimals_of
from shared.sakip.document import AnalisisDoc, PkDoc, RekapFigures, RekapIndikatorDoc, RekapSasaranDoc


@dataclass(frozen=True)
class Sasaran:
    kode: str
    nama: str


def parse_pk(pk: PkDoc | PerjanjianKinerja) -> tuple[list[Sasaran], list[Indikator]]:
    """The sasaran and indicators of a PK (typed, or its document: docs/contract.md shape) in the arithmetic's form."""
    typed = PerjanjianKinerja.read(pk)
    sasaran = [Sasaran(s.kode, s.nama) for s in typed.sasaran]
    indikator = [
        Indikator(
            kode=i.kode,
            nama=i.nama,
            satuan=i.satuan,
            polaritas=i.polaritas.value,
            agregasi=i.agregasi.value,
            sasaran=s.kode,
            penanggung_jawab=i.penanggung_jawab,
            target_tahunan=i.target.value,
            target_triwulan=(
                i.target_triwulan[0].value,
                i.target_triwulan[1].value,
                i.target_triwulan[2].value,
                i.target_triwulan[3].value,
            ),
            desimal=decimals_of(i),
            kategori=i.kategori,
        )
        for s, i in typed.indikator()
    ]
    return sasaran, indikator


Values = Mapping[str, Mapping[int, Decimal]]  # indikator kode -> quarter -> realisasi


def _indikator_row(
    ind: Indikator, periode: str, values: Mapping[int, Decimal], bands: Sequence[tuple[Decimal, Predikat]]
) -> tuple[RekapIndikatorDoc, Decimal | None]:
    quarters = domain.PERIODE_QUARTERS[periode]
    tahunan = periode == "TAHUNAN"
    target = domain.period_target(ind, quarters, tahunan=tahunan)
    realisasi = domain.period_realisasi(ind, quarters, values)
    cap = domain.compute_capaian(ind.polaritas, realisasi, target)
    row: RekapIndikatorDoc = {
        "kode": ind.kode,
        "nama": ind.nama,
        "satuan": ind.satuan,
        "polaritas": ind.polaritas,
        "agregasi": ind.agregasi,
        "sasaran": ind.sasaran,
        "penanggung_jawab": ind.penanggung_jawab,
        "target": domain.fmt_target(target),
        "realisasi": domain.fmt(realisasi),
        "capaian": domain.fmt(cap.value),
        "predikat": domain.predikat(cap.value, bands),
        "reason": cap.reason,
        "desimal": ind.desimal,
        "kategori": ind.kategori,
    }
    if not tahunan:
        to_date = domain.quarters_to_date(periode)
        target_sd = domain.period_target(ind, to_date)
        realisasi_sd = domain.period_realisasi(ind, to_date, values)
        cap_sd = domain.compute_capaian(ind.polaritas, realisasi_sd, target_sd)
        row["target_sd"] = domain.fmt_target(target_sd)
        row["realisasi_sd"] = domain.fmt(realisasi_sd)
        row["capaian_sd"] = domain.fmt(cap_sd.value)
        row["predikat_sd"] = domain.predikat(cap_sd.value, bands)
        row["reason_sd"] = cap_sd.reason
    return row, cap.value


def build_rekap(
    *,
    tahun: int,
    periode: str,
    sasaran: Sequence[Sasaran],
    indikator: Sequence[Indikator],
    values: Values,
    bands: Sequence[tuple[Decimal, Predikat]] = domain.DEFAULT_PREDIKAT_BANDS,
) -> RekapFigures:
    """SOP steps 2–3, 6 and 9: the recap of a quarter, a semester or the year."""
    rows: list[RekapIndikatorDoc] = []
    caps: dict[str, list[Decimal | None]] = {s.kode: [] for s in sasaran}
    for ind in indikator:
        row, cap = _indikator_row(ind, periode, values.get(ind.kode, {}), bands)
        rows.append(row)
        caps.setdefault(ind.sasaran, []).append(cap)
    sasaran_rows: list[RekapSasaranDoc] = []
    sasaran_caps: list[Decimal | None] = []
    for s in sasaran:
        rolled = domain.roll_up(caps.get(s.kode, []))
        sasaran_caps.append(rolled.value)
        sasaran_rows.append(
            {
                "kode": s.kode,
                "nama": s.nama,
                "capaian": domain.fmt(rolled.value),
                "predikat": domain.predikat(rolled.value, bands),
                "skipped": rolled.skipped,
            }
        )
    office = domain.roll_up(sasaran_caps)
    return {
        "tahun": tahun,
        "periode": periode,
        "indikator": rows,
        "sasaran": sasaran_rows,
        "capaian_instansi": domain.fmt(office.value),
        "predikat_instansi": domain.predikat(office.value, bands),
        "skipped_instansi": office.skipped,
    }


Notes = Mapping[str, Mapping[str, str | None]]  # a unit's snapshot: indikator -> its analysis fields


def build_analisis(indikator: Sequence[Indikator], notes: Mapping[tuple[int, str], Notes]) -> list[AnalisisDoc]:
    """The recap's `analisis`: per indicator (PK order), quarter and unit, the analysis the unit's snapshot holds
    (`notes`: (triwulan, unit) -> its snapshot's analysis; the period's quarters only, each unit's revision the recap
    used). Only an analysis with at least one text is listed."""
    out: list[AnalisisDoc] = []
    for ind in indikator:
        for triwulan, unit in sorted(notes):
            given = notes[(triwulan, unit)].get(ind.kode) or {}
            texts = {key: given.get(key) or None for key in ANALISIS_FIELDS}
            if any(texts.values()):
                out.append(
                    {
                        "indikator": ind.kode,
                        "triwulan": triwulan,
                        "unit": unit,
                        "penyebab": texts["penyebab"],
                        "kendala": texts["kendala"],
                        "solusi": texts["solusi"],
                        "tindak_lanjut": texts["tindak_lanjut"],
                    }
                )
    return out
