"""The SAKIP arithmetic of docs/design.md §3: period values, capaian, predikat and roll-ups.

Pure functions over Decimal; no I/O. Rounding (half up, 2 places) happens only in `present_*`, never between
steps, and roll-ups use the unrounded inputs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Final

from shared.decimals import MAX_DECIMAL_PLACES, MAX_INTEGER_DIGITS
from shared.sakip import DEFAULT_PREDIKAT_BANDS as DEFAULT_PREDIKAT_BANDS  # the vocabulary (shared.sakip), re-exported
from shared.sakip import PERIODE_QUARTERS as PERIODE_QUARTERS
from shared.sakip import PERIODES as PERIODES
from shared.sakip import Periode, Predikat
from shared.sakip.rekap import Reason

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# Significant digits of every step. The inputs are the collector's (shared.decimals): < 10^I with at most D places
# (I = MAX_INTEGER_DIGITS, D = MAX_DECIMAL_PLACES). A realisasi or target combines at most 12 of them (months; 4
# quarters) and a trend projects it ×12: < 10^(I+3), exact in I+3+D digits. A nonzero target is ≥ 10^-(D+1) (a
# mean of 4 values, one ≥ 10^-D), so the largest figure rounded for display, a capaian r / t × 100, is
# < 10^(I+D+6): it and its 2 places fit in I+D+8 digits. PRECISION holds that with room, and is more than the 28
# significant digits docs/design.md §3 asks for. round2 is safe beyond the bounds as well (it widens its context).
PRECISION = 40
assert PRECISION >= MAX_INTEGER_DIGITS + MAX_DECIMAL_PLACES + 8

BELUM_ADA_DATA: Final = "belum_ada_data"
TARGET_NOL: Final = "target_nol"

Range = tuple[Decimal, Decimal]
Target = Decimal | Range


@dataclass(frozen=True)
class Indikator:
    kode: str
    nama: str
    satuan: str
    polaritas: str  # positif | negatif | rentang
    agregasi: str  # jumlah | terakhir | rata_rata
    sasaran: str
    penanggung_jawab: str
    target_tahunan: Target
    target_triwulan: tuple[Target, Target, Target, Target]
    desimal: int = 2  # the decimals a person reads (shared.sakip.decimals_of), carried into the recap's row
    kategori: str | None = None  # the PK's kategori (serapan_anggaran)


@dataclass(frozen=True)
class Capaian:
    value: Decimal | None  # unrounded
    reason: Reason | None


def quarters_to_date(periode: str) -> tuple[int, ...]:
    """s.d. TWn: TW1 up to the period's last quarter."""
    return Periode.parse(periode).quarters_to_date


def combine(agregasi: str, values: Sequence[Decimal]) -> Decimal | None:
    """Combine quarter values (in quarter order) by the indicator's aggregation rule."""
    if not values:
        return None
    with localcontext(prec=PRECISION):
        if agregasi == "jumlah":
            return sum(values, Decimal(0))
        if agregasi == "terakhir":
            return values[-1]
        if agregasi == "rata_rata":
            return sum(values, Decimal(0)) / Decimal(len(values))
    raise ValueError(f"unknown agregasi {agregasi!r}")


def combine_target(agregasi: str, targets: Sequence[Target]) -> Target:
    if targets and isinstance(targets[0], tuple):
        ranges = [t for t in targets if isinstance(t, tuple)]
        low = combine(agregasi, [r[0] for r in ranges])
        high = combine(agregasi, [r[1] for r in ranges])
        assert low is not None and high is not None
        return (low, high)
    value = combine(agregasi, [t for t in targets if isinstance(t, Decimal)])
    assert value is not None
    return value


def period_target(ind: Indikator, quarters: Iterable[int], *, tahunan: bool = False) -> Target:
    """All quarters of the period count for the target; TAHUNAN uses the annual target."""
    if tahunan:
        return ind.target_tahunan
    return combine_target(ind.agregasi, [ind.target_triwulan[q - 1] for q in quarters])


def period_realisasi(ind: Indikator, quarters: Iterable[int], values: Mapping[int, Decimal]) -> Decimal | None:
    """Only the quarters that have data count for the realisasi."""
    return combine(ind.agregasi, [values[q] for q in sorted(quarters) if q in values])


def compute_capaian(polaritas: str, realisasi: Decimal | None, target: Target) -> Capaian:
    if realisasi is None:
        return Capaian(None, BELUM_ADA_DATA)
    r = realisasi
    with localcontext(prec=PRECISION):
        if polaritas == "rentang":
            assert isinstance(target, tuple)
            low, high = target
            if low == 0:
                return Capaian(None, TARGET_NOL)
            if low <= r <= high:
                return Capaian(HUNDRED, None)
            if r < low:
                return Capaian(r / low * HUNDRED, None)
            return Capaian(max(Decimal(0), (2 * high - r) / high * HUNDRED), None)
        assert isinstance(target, Decimal)
        t = target
        if polaritas == "positif":
            if t == 0:
                return Capaian(None, TARGET_NOL)
            return Capaian(r / t * HUNDRED, None)
        if polaritas == "negatif":
            if t == 0:
                return Capaian(HUNDRED, None) if r == 0 else Capaian(None, TARGET_NOL)
            return Capaian(max(Decimal(0), (2 * t - r) / t * HUNDRED), None)
    raise ValueError(f"unknown polaritas {polaritas!r}")


def round2(value: Decimal) -> Decimal:
    """Half up to 2 places, in a context wide enough for the result (quantize raises when its result has more digits
    than the context holds: the 40-digit figures of issue 12 were rounded in Python's default 28)."""
    digits = max(PRECISION, value.adjusted() + 4)  # + a carry: 99.995 → 100.00
    return value.quantize(CENT, rounding=ROUND_HALF_UP, context=Context(prec=digits))


def predikat(
    capaian: Decimal | None, bands: Sequence[tuple[Decimal, Predikat]] = DEFAULT_PREDIKAT_BANDS
) -> Predikat | None:
    """The band is read from the rounded figure that is shown (90.996 → 91,00 → Sangat Baik)."""
    if capaian is None:
        return None
    shown = round2(capaian)
    for lower, name in bands:
        if shown >= lower:
            return name
    return bands[-1][1]


@dataclass(frozen=True)
class RollUp:
    value: Decimal | None
    skipped: int


def roll_up(values: Iterable[Decimal | None]) -> RollUp:
    """Mean of the inputs, each capped at 100 so over-achievement cannot hide a miss; nulls skipped."""
    values = list(values)
    present = [min(v, HUNDRED) for v in values if v is not None]
    skipped = len(values) - len(present)
    if not present:
        return RollUp(None, skipped)
    with localcontext(prec=PRECISION):
        return RollUp(sum(present, Decimal(0)) / Decimal(len(present)), skipped)


def fmt(value: Decimal | None) -> str | None:
    return None if value is None else str(round2(value))


def fmt_target(target: Target) -> str:
    if isinstance(target, tuple):
        return f"{round2(target[0])}-{round2(target[1])}"
    return str(round2(target))
