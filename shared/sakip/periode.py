"""The reporting periods of a year (docs/design.md §3): four quarters, two semesters and the year, with their quarters
and their names ("Triwulan I 2024")."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

Kind = Literal["triwulan", "semester", "tahunan"]


class Periode(StrEnum):
    TW1 = "TW1"
    TW2 = "TW2"
    TW3 = "TW3"
    TW4 = "TW4"
    S1 = "S1"
    S2 = "S2"
    TAHUNAN = "TAHUNAN"

    @classmethod
    def parse(cls, text: str) -> Periode:
        """ "TW1" → Periode.TW1; anything else is a ValueError."""
        try:
            return cls(text)
        except ValueError:
            raise ValueError(f"unknown periode {text!r} (one of {', '.join(PERIODES)})") from None

    @classmethod
    def of_quarter(cls, triwulan: int) -> Periode:
        return cls(f"TW{triwulan}")

    @property
    def quarters(self) -> tuple[int, ...]:
        """The quarters the period is made of: TW2 → (2,), S2 → (3, 4), TAHUNAN → (1, 2, 3, 4)."""
        return _QUARTERS[self.value]

    @property
    def quarters_to_date(self) -> tuple[int, ...]:
        """s.d. TWn: TW1 up to the period's last quarter."""
        return tuple(range(1, self.quarters[-1] + 1))

    @property
    def kind(self) -> Kind:
        """The report kind a period gets: TW* → triwulan, S* → semester, TAHUNAN → tahunan."""
        if self is Periode.TAHUNAN:
            return "tahunan"
        return "semester" if self.value.startswith("S") else "triwulan"

    @property
    def triwulan(self) -> int | None:
        """The quarter's number for TW1…TW4, else None."""
        return self.quarters[0] if self.kind == "triwulan" else None

    def label(self, tahun: int, locale: str = "id") -> str:
        """ "Triwulan I 2024", "Semester II 2024", "Tahun 2024"; in English "Quarter I 2024" … "Year 2024"."""
        return periode_label(self.value, tahun, locale)


_QUARTERS: dict[str, tuple[int, ...]] = {
    "TW1": (1,), "TW2": (2,), "TW3": (3,), "TW4": (4,), "S1": (1, 2), "S2": (3, 4), "TAHUNAN": (1, 2, 3, 4),
}  # fmt: skip
PERIODES: tuple[str, ...] = tuple(p.value for p in Periode)
PERIODE_QUARTERS: dict[str, tuple[int, ...]] = {p.value: p.quarters for p in Periode}
TRIWULAN_PERIODES: dict[str, int] = {p.value: p.quarters[0] for p in Periode if p.kind == "triwulan"}
PERIODES_OF_KIND: dict[str, tuple[str, ...]] = {
    kind: tuple(p.value for p in Periode if p.kind == kind) for kind in ("triwulan", "semester", "tahunan")
}
PERIODE_PATTERN = "^(TW[1-4]|S[12]|TAHUNAN)$"  # a path parameter's pattern: exactly PERIODES (tested)
TRIWULAN_PATTERN = "^TW[1-4]$"  # exactly the quarters


def quarters_of(periode: str) -> tuple[int, ...]:
    return Periode.parse(periode).quarters


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_WORDS = {
    "id": {"TW": "Triwulan", "S": "Semester", "TAHUNAN": "Tahun"},
    "en": {"TW": "Quarter", "S": "Semester", "TAHUNAN": "Year"},
}  # a locale without its words reads Indonesian


def roman(n: int) -> str:
    """Quarter and semester numbers: 1..4 → I..IV."""
    if n not in _ROMAN:
        raise ValueError(f"no roman numeral for {n!r} (1..4 only)")
    return _ROMAN[n]


def periode_label(periode: str, tahun: int, locale: str = "id") -> str:
    """Name the period: "TW1" → "Triwulan I 2024", "S2" → "Semester II 2024", "TAHUNAN" → "Tahun 2024"."""
    words = _WORDS.get(locale, _WORDS["id"])
    if periode == "TAHUNAN":
        return f"{words['TAHUNAN']} {tahun}"
    for prefix in ("TW", "S"):
        if periode.startswith(prefix) and periode[len(prefix) :].isdigit():
            return f"{words[prefix]} {roman(int(periode[len(prefix) :]))} {tahun}"
    raise ValueError(f"unknown periode {periode!r}")
