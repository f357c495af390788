"""The SAKIP evaluation worksheet (Lembar Kerja Evaluasi, LKE) as data: load, validate and score it.

`evaluasi.yaml` beside this module is the bundled worksheet of PermenPANRB 88/2021 (Evaluasi Akuntabilitas Kinerja
Instansi Pemerintah): four components, each split into Pemenuhan / Kualitas / Pemanfaatan, each holding criteria
answered on a scale (A–E, Y/T …). A region whose inspectorate uses its own variant (other weights, another scale)
points `LAPKIN_EVALUASI_FILE` at its file; a broken file raises `LkeError` naming the line of each problem, like the
workflow file (both use services/approval/yamlfile.py).

Criteria Lapkin's data measures name a data check (`terukur`, one of `TERUKUR`); the check's coverage (percent)
becomes a suggested answer through `Skala.dari_cakupan`. Everything else is the evaluator's judgement.

Scores are Decimal: a sub-component scores its weight × the mean of its criteria's answer values, rounded to 2 places;
a component the sum of its rounded subs; the worksheet the sum of its components (0–100), graded by the bands in
`predikat`. `rentang` gives what a component may still score while some criteria are unanswered (floor and ceiling).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, TypedDict

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from services.approval import yamlfile
from services.approval.yamlfile import Path_

BUNDLED = Path(__file__).with_name("evaluasi.yaml")
# the data checks a criterion may name as `terukur` (docs/evaluation.md): shared/sakip/kualitas.py computes the first
# ten from the PK, the recaps and the reports' states, services/approval/tindaklanjut.py the follow-up ones
TERUKUR: frozenset[str] = frozenset(
    {
        "target",
        "renstra",
        "tahun_lalu",
        "benchmark",
        "analisis",
        "efisiensi",
        "berkala",
        "tepat_waktu",
        "rencana_aksi",
        "pengukuran_berkala",
        "tindak_lanjut",
        "tindak_lanjut_selesai",
    }
)
TOLERANSI = Decimal("0.01")  # weights must sum to 100 (components) and to their component (subs) within this
SERATUS = Decimal(100)
_CENTS = Decimal("0.01")


class LkeError(yamlfile.FileError):
    """A worksheet file that cannot be used; `problems` holds (line or None, text), the first line in `line`."""

    what = "evaluation worksheet"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Jawaban(_Model):
    kode: str  # the letter the evaluator writes: "A", "Y"
    nilai: Decimal  # its value, 0–1
    cakupan_min: Decimal  # the least coverage (percent) a measured criterion needs to earn it


class Skala(_Model):
    kode: str  # its key in Lke.skala (filled from the key when the file leaves it out)
    nama: str
    jawaban: list[Jawaban]

    def nilai(self, kode: str) -> Decimal:
        """The value of an answer; KeyError for a letter not on this scale."""
        for j in self.jawaban:
            if j.kode == kode:
                return j.nilai
        raise KeyError(f"{kode!r} is not an answer of scale {self.kode} ({', '.join(self.kodes())})")

    def kodes(self) -> list[str]:
        return [j.kode for j in self.jawaban]

    def dari_cakupan(self, persen: Decimal) -> str:
        """The best answer whose `cakupan_min` the coverage reaches (the lowest answer when it reaches none)."""
        earned = [j for j in self.jawaban if j.cakupan_min <= persen]
        if not earned:
            return min(self.jawaban, key=lambda j: j.nilai).kode
        return max(earned, key=lambda j: j.nilai).kode


class Kriteria(_Model):
    kode: str  # "3.b.4" (component.sub.n)
    teks: str
    teks_en: str
    skala: str  # a key of Lke.skala
    terukur: str | None = None  # the data check that measures it (TERUKUR); None: a judgement call
    bukti: str = ""  # where its evidence comes from in Lapkin (Indonesian, one line)


class SubKomponen(_Model):
    kode: str  # "3.b"
    nama: str
    nama_en: str
    bobot: Decimal
    kriteria: list[Kriteria]


class Komponen(_Model):
    kode: str  # "3"
    nama: str
    nama_en: str
    bobot: Decimal
    sub: list[SubKomponen]


class Predikat(_Model):
    kode: str  # "BB"
    nama: str  # "Sangat Baik"
    nama_en: str = ""  # "Very good" (a file without it shows the Indonesian name in English too)
    # a score above this earns the grade (AA: > 90); the lowest band also takes every score at or below its bound,
    # so it is written 0 (D: 0–30)
    lebih_dari: Decimal


class Tenggat(_Model):
    tahunan: str = "02-28"  # MM-DD of the next year: the LKjIP of a year is due then
    triwulan_hari: int = 30  # a quarter's report: days after the quarter ends
    semester_hari: int = 30

    @field_validator("tahunan")
    @classmethod
    def _mm_dd(cls, v: str) -> str:
        parts = v.split("-")
        if len(parts) != 2 or not all(p.isdigit() and len(p) == 2 for p in parts):
            raise ValueError("must be MM-DD, e.g. 02-28")
        month, day = int(parts[0]), int(parts[1])
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2000, month)[1]:  # 2000: 02-29 allowed
            raise ValueError(f"{v} is not a day of the year")
        return v

    @field_validator("triwulan_hari", "semester_hari")
    @classmethod
    def _days(cls, v: int) -> int:
        if v < 0:
            raise ValueError("must be 0 or more days")
        return v


class Lke(_Model):
    kode: str  # "PermenPANRB-88-2021"
    judul: str
    sumber: str  # the citation: regulation and annex
    skala: dict[str, Skala]
    komponen: list[Komponen]
    predikat: list[Predikat]  # highest first
    tenggat: Tenggat = Tenggat()

    @model_validator(mode="before")
    @classmethod
    def _skala_kode(cls, data: Any) -> Any:
        """A scale's `kode` is its key; the file may leave it out."""
        if isinstance(data, dict) and isinstance(data.get("skala"), dict):
            scales = {}
            for key, value in data["skala"].items():
                if isinstance(value, dict) and "kode" not in value:
                    value = {"kode": key, **value}
                scales[key] = value
            data = {**data, "skala": scales}
        return data

    def kriteria(self, kode: str) -> Kriteria:
        for _k, _s, kr in self.semua_kriteria():
            if kr.kode == kode:
                return kr
        raise KeyError(kode)

    def semua_kriteria(self) -> list[tuple[Komponen, SubKomponen, Kriteria]]:
        """Every criterion with its component and sub-component, in the worksheet's order."""
        return [(k, s, kr) for k in self.komponen for s in k.sub for kr in s.kriteria]

    def skala_of(self, kode: str) -> Skala:
        """The answer scale of a criterion."""
        return self.skala[self.kriteria(kode).skala]

    def tenggat_tahunan(self, tahun: int) -> date:
        """The LKjIP of `tahun` is due on this date (in the next year; 02-29 falls back to 28 February)."""
        month, day = (int(p) for p in self.tenggat.tahunan.split("-"))
        return date(tahun + 1, month, min(day, calendar.monthrange(tahun + 1, month)[1]))

    def predikat_of(self, nilai: Decimal) -> Predikat:
        """The grade of a score: the highest band whose bound it exceeds; the lowest band takes the rest."""
        for p in self.predikat:
            if nilai > p.lebih_dari:
                return p
        return self.predikat[-1]


def load_lke(path: str | Path | None = None) -> Lke:
    """Load and validate a worksheet file; the bundled PermenPANRB 88/2021 worksheet when `path` is None."""
    text, source = yamlfile.read(path, BUNDLED)
    return parse_lke(text, source)


def parse_lke(text: str, source: str = "<string>") -> Lke:
    return yamlfile.parse(
        text, Lke, LkeError, _check, source=source, shape="kode, judul, sumber, skala, komponen and predikat"
    )


def _check(lke: Lke) -> list[tuple[Path_, str]]:
    """The rules pydantic cannot see: weights that sum, codes that are unique and nested, known scales and checks."""
    return [*_check_skala(lke), *_check_komponen(lke), *_check_predikat(lke)]


def _check_skala(lke: Lke) -> list[tuple[Path_, str]]:
    """Each scale runs from its best answer down to one every coverage earns (0 %), values within 0–1."""
    out: list[tuple[Path_, str]] = []
    for key, sk in lke.skala.items():
        base: Path_ = ("skala", key)
        if sk.kode != key:
            out.append(((*base, "kode"), f"must be its key {key!r}"))
        if not sk.jawaban:
            out.append(((*base, "jawaban"), "a scale needs at least one answer"))
            continue
        letters = sk.kodes()
        for i, j in enumerate(sk.jawaban):
            p: Path_ = (*base, "jawaban", i)
            if letters.index(j.kode) != i:
                out.append(((*p, "kode"), f"answer {j.kode!r} is defined twice"))
            if not Decimal(0) <= j.nilai <= Decimal(1):
                out.append(((*p, "nilai"), "must be between 0 and 1"))
            if not Decimal(0) <= j.cakupan_min <= SERATUS:
                out.append(((*p, "cakupan_min"), "must be a percentage between 0 and 100"))
            if i and (j.nilai >= sk.jawaban[i - 1].nilai or j.cakupan_min > sk.jawaban[i - 1].cakupan_min):
                out.append((p, "answers must run from the best down: value falling, minimum coverage not rising"))
        if sk.jawaban[-1].cakupan_min != 0:
            out.append(((*base, "jawaban", len(sk.jawaban) - 1, "cakupan_min"), "the lowest answer must need 0 %"))
    return out


def _check_komponen(lke: Lke) -> list[tuple[Path_, str]]:
    """Weights sum (components to 100, subs to their component); codes unique and nested; scales and checks known."""
    out: list[tuple[Path_, str]] = []
    seen: dict[str, str] = {}  # every code of a component, sub-component or criterion: where it was first defined

    def unique(path: Path_, kode: str) -> None:
        if kode in seen:
            out.append(((*path, "kode"), f"code {kode!r} is used twice (first at {seen[kode]})"))
        else:
            seen[kode] = yamlfile.dotted(path)

    def nested(path: Path_, kode: str, parent: str) -> None:
        head, _, tail = kode.rpartition(".")
        if head != parent or not tail:
            out.append(((*path, "kode"), f"code {kode!r} must be {parent}.<n>: it belongs to {parent}"))

    def weighs(path: Path_, bobot: Decimal, parts: list[Decimal], what: str) -> None:
        if bobot <= 0:
            out.append(((*path, "bobot"), "a weight must be positive"))
        total = sum(parts, Decimal(0))
        if parts and abs(total - bobot) > TOLERANSI:
            out.append((path, f"{what} weights sum to {total}, not {bobot}"))

    if not lke.komponen:
        out.append((("komponen",), "no components defined"))
    weighs(("komponen",), SERATUS, [k.bobot for k in lke.komponen], "the components'")
    for ki, k in enumerate(lke.komponen):
        kp: Path_ = ("komponen", ki)
        unique(kp, k.kode)
        if not k.sub:
            out.append(((*kp, "sub"), "a component needs at least one sub-component"))
        weighs(kp, k.bobot, [s.bobot for s in k.sub], f"component {k.kode}: its sub-components'")
        for si, s in enumerate(k.sub):
            sp: Path_ = (*kp, "sub", si)
            unique(sp, s.kode)
            nested(sp, s.kode, k.kode)
            weighs(sp, s.bobot, [], "")
            if not s.kriteria:
                out.append(((*sp, "kriteria"), "a sub-component needs at least one criterion"))
            for ci, kr in enumerate(s.kriteria):
                cp: Path_ = (*sp, "kriteria", ci)
                unique(cp, kr.kode)
                nested(cp, kr.kode, s.kode)
                if kr.skala not in lke.skala:
                    out.append(((*cp, "skala"), f"unknown scale {kr.skala!r} (scales: {', '.join(lke.skala)})"))
                if kr.terukur is not None and kr.terukur not in TERUKUR:
                    known = ", ".join(sorted(TERUKUR))
                    out.append(((*cp, "terukur"), f"unknown data check {kr.terukur!r} (checks: {known})"))
    return out


def _check_predikat(lke: Lke) -> list[tuple[Path_, str]]:
    """Grades run from the highest bound down to one starting at 0, so every score from 0 to 100 has one."""
    out: list[tuple[Path_, str]] = []
    if not lke.predikat:
        return [(("predikat",), "no grades defined")]
    codes = [g.kode for g in lke.predikat]
    for i, g in enumerate(lke.predikat):
        gp: Path_ = ("predikat", i)
        if codes.index(g.kode) != i:
            out.append(((*gp, "kode"), f"grade {g.kode!r} is defined twice"))
        if not Decimal(0) <= g.lebih_dari < SERATUS:
            out.append(((*gp, "lebih_dari"), "must be a score from 0 up to (not including) 100"))
        if i and g.lebih_dari >= lke.predikat[i - 1].lebih_dari:
            out.append(((*gp, "lebih_dari"), "grades must run from the highest down: each bound below the one before"))
    if lke.predikat[-1].lebih_dari != 0:
        out.append((("predikat", len(lke.predikat) - 1, "lebih_dari"), "the lowest grade must start at 0"))
    return out


class KomponenSkor(TypedDict):
    kode: str
    nama: str
    bobot: str  # decimal text, 2 places
    nilai: str
    sub: dict[str, str]  # sub-component code -> its score


class Skor(TypedDict):
    nilai: str  # 0–100, decimal text with 2 places
    predikat: str  # the grade's code of the rounded score
    komponen: list[KomponenSkor]
    dijawab: int  # criteria answered
    jumlah: int  # criteria in the worksheet


def _text(d: Decimal) -> str:
    return str(d.quantize(_CENTS, rounding=ROUND_HALF_UP))


def _sub_nilai(lke: Lke, sub: SubKomponen, jawaban: Mapping[str, str], hanya_dijawab: bool) -> Decimal:
    """bobot × the mean value of the sub-component's answers (unanswered: 0, or left out for `hanya_dijawab`), rounded
    to the 2 places it is shown with: the component and the total add up these shown figures."""
    values = [
        lke.skala[kr.skala].nilai(jawaban[kr.kode]) if jawaban.get(kr.kode) else Decimal(0)
        for kr in sub.kriteria
        if jawaban.get(kr.kode) or not hanya_dijawab
    ]
    exact = sub.bobot * sum(values, Decimal(0)) / len(values) if values else Decimal(0)
    return exact.quantize(_CENTS, rounding=ROUND_HALF_UP)


def skor(lke: Lke, jawaban: Mapping[str, str], *, hanya_dijawab: bool = False) -> Skor:
    """Score answers (criterion code -> answer letter) on the worksheet.

    A sub-component scores bobot × the mean value of its criteria's answers; an unanswered criterion counts 0, or with
    `hanya_dijawab` is left out of the mean (a sub with no answer then scores 0). Each sub-component's score is rounded
    (ROUND_HALF_UP, 2 places) first, a component is the sum of its rounded subs and the total the sum of the
    components, so every sum a reader sees adds up (issue #17: 2,88 + 1,29 + 2,50 + 0 is 6,67, and the total says
    6,67); the grade is that of the total. An empty letter is no answer; a code that is no criterion, or a letter not
    on the criterion's scale, raises KeyError.
    """
    codes = {kr.kode for _k, _s, kr in lke.semua_kriteria()}
    for kode in jawaban:
        if kode not in codes:
            raise KeyError(f"{kode!r} is not a criterion of worksheet {lke.kode}")
    total = Decimal(0)
    komponen: list[KomponenSkor] = []
    for k in lke.komponen:
        subs = {s.kode: _sub_nilai(lke, s, jawaban, hanya_dijawab) for s in k.sub}
        nilai_k = sum(subs.values(), Decimal(0))
        sub_text = {kode: _text(v) for kode, v in subs.items()}
        komponen.append(
            {"kode": k.kode, "nama": k.nama, "bobot": _text(k.bobot), "nilai": _text(nilai_k), "sub": sub_text}
        )
        total += nilai_k
    all_criteria = lke.semua_kriteria()
    dijawab = sum(1 for _k, _s, kr in all_criteria if jawaban.get(kr.kode))
    jumlah = len(all_criteria)
    return {
        "nilai": _text(total),
        "predikat": lke.predikat_of(total).kode,
        "komponen": komponen,
        "dijawab": dijawab,
        "jumlah": jumlah,
    }


class Rentang(TypedDict):
    """What a component may still score, from the answers known so far (issue #17 item 1): `bawah` counts every
    unanswered criterion 0, `atas` at its scale's best answer; the true score lies between, whatever the rest is."""

    kode: str
    bawah: str  # decimal text, 2 places
    atas: str


def terbaik(lke: Lke) -> dict[str, str]:
    """Every criterion answered with its scale's best answer (the highest value)."""
    return {
        kr.kode: max(lke.skala[kr.skala].jawaban, key=lambda j: j.nilai).kode for _k, _s, kr in lke.semua_kriteria()
    }


def rentang(lke: Lke, jawaban: Mapping[str, str]) -> list[Rentang]:
    """Per component the floor and ceiling of its score given `jawaban` (the rest unknown): a range, not a guess —
    a mean over the known answers alone (`hanya_dijawab`) lets one answer stand for its whole sub-component."""
    given = {kode: v for kode, v in jawaban.items() if v}
    bawah = skor(lke, given)["komponen"]
    atas = skor(lke, {**terbaik(lke), **given})["komponen"]
    return [{"kode": lo["kode"], "bawah": lo["nilai"], "atas": hi["nilai"]} for lo, hi in zip(bawah, atas, strict=True)]
