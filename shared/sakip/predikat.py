"""The predikat of a capaian (docs/design.md §3): the LKIP practice scale, its bands and its labels."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class Predikat(StrEnum):
    SANGAT_BAIK = "Sangat Baik"
    BAIK = "Baik"
    CUKUP = "Cukup"
    KURANG = "Kurang"
    SANGAT_KURANG = "Sangat Kurang"

    def label(self, locale: str = "id") -> str:
        return PREDIKAT_LABELS[self.value].get(locale, self.value)


PREDIKAT_LABELS: dict[str, dict[str, str]] = {
    Predikat.SANGAT_BAIK: {"id": "Sangat Baik", "en": "Very Good"},
    Predikat.BAIK: {"id": "Baik", "en": "Good"},
    Predikat.CUKUP: {"id": "Cukup", "en": "Fair"},
    Predikat.KURANG: {"id": "Kurang", "en": "Poor"},
    Predikat.SANGAT_KURANG: {"id": "Sangat Kurang", "en": "Very Poor"},
}
PREDIKAT_EN: dict[str, str] = {name: labels["en"] for name, labels in PREDIKAT_LABELS.items()}

# Lower bounds of the shown (rounded) capaian, highest first: the LKIP practice scale.
DEFAULT_PREDIKAT_BANDS: tuple[tuple[Decimal, Predikat], ...] = (
    (Decimal(91), Predikat.SANGAT_BAIK),
    (Decimal(76), Predikat.BAIK),
    (Decimal(66), Predikat.CUKUP),
    (Decimal(51), Predikat.KURANG),
    (Decimal("-Infinity"), Predikat.SANGAT_KURANG),
)


def predikat_label(value: str | None, locale: str, missing: str) -> str:
    """A predikat as its reader reads it; `missing` where there is none; an unknown name as written."""
    if value is None:
        return missing
    return PREDIKAT_LABELS.get(value, {}).get(locale, value)
