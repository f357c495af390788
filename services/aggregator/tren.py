"""Monthly trend and early warning (peringatan dini), docs/collection.md: pure rules over Decimal, no I/O.

As of the latest month m with a value for the indicator (quarter q = the quarter of m):
- realisasi s.d. m combines the monthly values by `agregasi` (domain.combine: sum, latest, mean);
- the projection for `jumlah` is linear to the end of quarter q (realisasi s.d. m / m × 3q); for `terakhir` and
  `rata_rata` it is the realisasi s.d. m itself;
- the target is the year-to-date target s.d. TW q (domain.period_target over TW1..TWq, as the recap's `target_sd`);
- capaian of the projection by the docs/design.md §3 rules (domain.compute_capaian), so `negatif` warns above its
  target and `rentang` outside its range; the level is read from the rounded capaian, like the predikat:
  ≥ 100 none, 85 – < 100 `kuning`, < 85 `merah`; a null capaian (no data, zero target) gives no level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Final, Literal

from services.aggregator import domain
from services.aggregator.domain import Capaian, Indikator, Target
from services.aggregator.schemas import IndikatorTren, Ringkasan, TrenDasar
from shared.formatting import fmt_number

KUNING: Final = "kuning"
MERAH: Final = "merah"
Level = Literal["kuning", "merah"]
MERAH_BELOW = Decimal(85)  # the lower bound of `kuning`; `merah` is below it
KUNING_BELOW = Decimal(100)


def quarter_of(bulan: int) -> int:
    return (bulan - 1) // 3 + 1


@dataclass(frozen=True)
class Peringatan:
    """An indicator's early warning as of month `bulan` (all None but `reason` when it has no monthly value)."""

    bulan: int | None
    triwulan: int | None
    realisasi_sd: Decimal | None
    proyeksi: Decimal | None
    target_sd: Target | None
    capaian: Capaian
    level: Level | None
    reason: str | None  # why a level (di_bawah_target …) or why none could be computed (belum_ada_data, target_nol)


def project(agregasi: str, realisasi_sd: Decimal, bulan: int) -> Decimal:
    """`jumlah` accrues month by month: the pace so far, carried to the end of the month's quarter. A level
    (`terakhir`) or a mean (`rata_rata`) is not extrapolated."""
    if agregasi != "jumlah":
        return realisasi_sd
    with localcontext(prec=domain.PRECISION):
        return realisasi_sd / Decimal(bulan) * Decimal(3 * quarter_of(bulan))


def level_of(capaian: Decimal | None) -> Level | None:
    """Read from the rounded figure that is shown (99.996 → 100,00 → no warning), as the predikat is."""
    if capaian is None:
        return None
    shown = domain.round2(capaian)
    if shown >= KUNING_BELOW:
        return None
    return KUNING if shown >= MERAH_BELOW else MERAH


def _direction(polaritas: str, proyeksi: Decimal, target: Target) -> str:
    if polaritas == "negatif":
        return "di_atas_target"
    if polaritas == "rentang" and isinstance(target, tuple):
        return "di_bawah_rentang" if proyeksi < target[0] else "di_atas_rentang"
    return "di_bawah_target"


def early_warning(ind: Indikator, months: Mapping[int, Decimal]) -> Peringatan:
    """The rule of the module docstring for one indicator and its monthly values (month → realisasi)."""
    if not months:
        none = domain.BELUM_ADA_DATA
        return Peringatan(None, None, None, None, None, Capaian(None, domain.BELUM_ADA_DATA), None, none)
    bulan = max(months)
    triwulan = quarter_of(bulan)
    realisasi_sd = domain.combine(ind.agregasi, [months[m] for m in sorted(months)])
    assert realisasi_sd is not None
    proyeksi = project(ind.agregasi, realisasi_sd, bulan)
    target = domain.period_target(ind, range(1, triwulan + 1))
    capaian = domain.compute_capaian(ind.polaritas, proyeksi, target)
    level = level_of(capaian.value)
    reason: str | None
    if capaian.value is None:
        reason = capaian.reason
    else:
        reason = _direction(ind.polaritas, proyeksi, target) if level else None
    return Peringatan(bulan, triwulan, realisasi_sd, proyeksi, target, capaian, level, reason)


_DIRECTION_WORDS = {
    "di_bawah_target": ("di bawah target", "below the target"),
    "di_atas_target": ("di atas target (indikator negatif)", "above the target (a negative indicator)"),
    "di_bawah_rentang": ("di bawah rentang target", "below the target range"),
    "di_atas_rentang": ("di atas rentang target", "above the target range"),
}


def _fmt_target(target: Target, locale: str) -> str:
    if isinstance(target, tuple):
        return f"{fmt_number(target[0], locale=locale)}–{fmt_number(target[1], locale=locale)}"
    return fmt_number(target, locale=locale)


def message(ind: Indikator, w: Peringatan) -> tuple[str, str] | None:
    """The warning in Indonesian and English, with its figures; None when there is nothing to say."""
    if w.reason == domain.BELUM_ADA_DATA:
        return ("Belum ada laporan bulanan.", "No monthly report yet.")
    if w.reason == domain.TARGET_NOL:
        return ("Target s.d. triwulan ini nol: capaian tidak dapat dihitung.", "The target to date is zero.")
    if w.level is None or w.reason is None:
        return None
    assert w.proyeksi is not None and w.target_sd is not None and w.capaian.value is not None
    words_id, words_en = _DIRECTION_WORDS[w.reason]
    if ind.agregasi == "jumlah":
        what_id, what_en = f"Proyeksi akhir TW {w.triwulan}", f"Projection to the end of Q{w.triwulan}"
    else:
        what_id, what_en = f"Realisasi s.d. bulan {w.bulan}", f"Realisation to month {w.bulan}"
    return (
        f"{what_id} {fmt_number(w.proyeksi)} {ind.satuan} {words_id} {_fmt_target(w.target_sd, 'id')}: "
        f"capaian {fmt_number(w.capaian.value)}% ({w.level}).",
        f"{what_en} {fmt_number(w.proyeksi, locale='en')} {ind.satuan} is {words_en} "
        f"{_fmt_target(w.target_sd, 'en')}: achievement {fmt_number(w.capaian.value, locale='en')}% ({w.level}).",
    )


def _fmt(value: Decimal | None) -> str | None:
    return domain.fmt(value)


def tren_row(ind: Indikator, months: Mapping[int, Decimal]) -> IndikatorTren:
    """One indicator of `GET /api/v1/tren/{tahun}`: its months with values and its early warning."""
    w = early_warning(ind, months)
    text = message(ind, w)
    return {
        "kode": ind.kode,
        "nama": ind.nama,
        "satuan": ind.satuan,
        "polaritas": ind.polaritas,
        "agregasi": ind.agregasi,
        "sasaran": ind.sasaran,
        "penanggung_jawab": ind.penanggung_jawab,
        "bulan": [{"bulan": m, "nilai": _fmt(months[m])} for m in sorted(months)],
        "bulan_terakhir": w.bulan,
        "triwulan": w.triwulan,
        "realisasi_sd": _fmt(w.realisasi_sd),
        "proyeksi": _fmt(w.proyeksi),
        "target_sd": None if w.target_sd is None else domain.fmt_target(w.target_sd),
        "capaian_proyeksi": _fmt(w.capaian.value),
        "peringatan": w.level,
        "reason": w.reason,
        "message_id": text[0] if text else None,
        "message_en": text[1] if text else None,
    }


def build_tren(
    tahun: int, pk_version: int, indikator: Sequence[Indikator], values: Mapping[str, Mapping[int, Decimal]]
) -> TrenDasar:
    """The year's monthly trend per indicator (PK order) with early warnings and a count per level."""
    rows = [tren_row(ind, values.get(ind.kode, {})) for ind in indikator]
    ringkasan: Ringkasan = {
        MERAH: sum(r["peringatan"] == MERAH for r in rows),
        KUNING: sum(r["peringatan"] == KUNING for r in rows),
        "aman": sum(r["peringatan"] is None and r["capaian_proyeksi"] is not None for r in rows),
        "tanpa_nilai": sum(r["capaian_proyeksi"] is None for r in rows),
    }
    return {"tahun": tahun, "pk_version": pk_version, "ringkasan": ringkasan, "indikator": rows}
