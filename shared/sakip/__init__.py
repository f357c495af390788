"""The SAKIP vocabulary, typed once for every service: periods, the Perjanjian Kinerja and its targets, the recap,
the predikat scale and who answers for which indicator. The kernel: it imports no service."""

from shared.sakip.base import JsonObject
from shared.sakip.periode import (
    PERIODE_PATTERN,
    PERIODE_QUARTERS,
    PERIODES,
    PERIODES_OF_KIND,
    TRIWULAN_PATTERN,
    TRIWULAN_PERIODES,
    Kind,
    Periode,
    periode_label,
    quarters_of,
    roman,
)
from shared.sakip.pk import (
    Agregasi,
    Indikator,
    Instansi,
    PerjanjianKinerja,
    Polaritas,
    Program,
    Sasaran,
    Unit,
    decimals_of,
    responsibility,
)
from shared.sakip.predikat import DEFAULT_PREDIKAT_BANDS, PREDIKAT_EN, PREDIKAT_LABELS, Predikat, predikat_label
from shared.sakip.rekap import AnggaranRekap, Catatan, Kelengkapan, Rekap, RekapIndikator, RekapSasaran
from shared.sakip.target import Target

__all__ = [
    "DEFAULT_PREDIKAT_BANDS",
    "PERIODES",
    "PERIODES_OF_KIND",
    "PERIODE_PATTERN",
    "PERIODE_QUARTERS",
    "PREDIKAT_EN",
    "PREDIKAT_LABELS",
    "TRIWULAN_PATTERN",
    "TRIWULAN_PERIODES",
    "Agregasi",
    "AnggaranRekap",
    "Catatan",
    "Indikator",
    "Instansi",
    "JsonObject",
    "Kelengkapan",
    "Kind",
    "Periode",
    "PerjanjianKinerja",
    "Polaritas",
    "Predikat",
    "Program",
    "Rekap",
    "RekapIndikator",
    "RekapSasaran",
    "Sasaran",
    "Target",
    "Unit",
    "periode_label",
    "predikat_label",
    "quarters_of",
    "decimals_of",
    "responsibility",
    "roman",
]
