"""A report (quarterly or monthly, SOP step 2), read and weighed: what it names is validated against the PK, and
what it changes is told apart from what the unit already holds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Never, Protocol, TypedDict, cast

from services.collector.core.errors import NotPermitted
from services.collector.core.pkdoc import IndikatorDoc, PkDoc
from services.collector.core.validation import (
    ANALISIS,
    MAX_TEXT,
    Analisis,
    Problems,
    analisis_of,
    check_fields,
    indikator_index,
    parse_decimal,
    read_number,
    read_tahun,
    shown,
    validate_realisasi,
)
from shared.sakip import responsibility

REPORT_FIELDS = frozenset({"tahun", "unit", "realisasi", "anggaran", "kendala", "solusi"})
Good = list[tuple[str, Decimal, str | None]]  # (indicator, value, keterangan) of the valid items


class Ringkasan(TypedDict):
    """What a report changed (schemas.Ringkasan)."""

    imported: int
    updated: int
    ignored: int
    conflicts: list[Never]  # always empty: a single report has no conflicts (a bulk row's are RingkasanBulk's)


class RealisasiBody(TypedDict, total=False):
    indikator: str
    nilai: str | int | float
    keterangan: str | None  # a note on the figure (its source, a correction)
    penyebab: str | None  # the analysis of issue 15: why the target was (not) met, ...
    kendala: str | None
    solusi: str | None
    tindak_lanjut: str | None


class AnggaranBody(TypedDict, total=False):
    realisasi: str | int | float | None


class LaporanBody(TypedDict, total=False):
    """A report's body once `read_report` took it (schemas.LaporanTriwulan / LaporanBulanan): kept as sent, so the
    stored submission and the idempotency hash are the body that came."""

    tahun: int
    unit: str
    triwulan: int  # a quarterly report's
    bulan: int  # a monthly report's
    realisasi: list[RealisasiBody]
    anggaran: AnggaranBody | None
    kendala: str | None
    solusi: str | None


@dataclass(frozen=True)
class ParsedPk:
    """One PK version, parsed, with the lookups every report needs. Shared between requests: never mutate it."""

    version: int
    doc: PkDoc
    index: dict[str, IndikatorDoc]  # indicator code -> indicator
    responsible: dict[str, list[str]]  # unit -> the indicators it must report
    programme_owners: frozenset[str]  # the units a programme names as its owner (anggaran is summed into those)

    @classmethod
    def of(cls, version: int, doc: PkDoc) -> ParsedPk:
        return cls(version, doc, indikator_index(doc), responsible(doc), programme_owners(doc))


def responsible(pk: PkDoc) -> dict[str, list[str]]:
    """unit -> the indicators it must report (units with none are not expected)."""
    return responsibility(indikator_index(pk).values())


class Known(Protocol):
    """What reading a report asks of the collector's data (the use case answers from the database)."""

    def unit_exists(self, unit: str) -> bool: ...

    def may_act_for(self, key_unit: str, unit: str) -> bool: ...

    def pk(self, tahun: int) -> ParsedPk | None: ...


@dataclass(frozen=True)
class Report:
    """The part every report shares (quarterly and monthly), validated: who, which year, which values."""

    tahun: int
    unit: str
    pk: PkDoc
    good: Good
    spent: str | None
    body: LaporanBody
    responsible: dict[str, list[str]]  # of the PK: unit -> its indicators
    analisis: dict[str, Analisis] = field(default_factory=dict)  # indicator -> the analysis fields its item gave


def read_report(
    body: Any,
    *,
    key_unit: str | None,
    known: Known,
    check_period: Callable[[Problems, Mapping[str, object]], None],
    period_field: str,
) -> Report:
    """Validate a report's body (docs/contract.md: every problem listed, Invalid; NotPermitted for a unit the key may
    not act for; key_unit None is the admin, who may report for any known unit). `check_period` checks the period's own
    field (`triwulan` or `bulan`) in its place in the list."""
    p = Problems()
    if not isinstance(body, dict):
        raise p.refuse("body", "not_an_object")
    check_fields(p, body, REPORT_FIELDS | {period_field})
    tahun, unit = read_tahun(p, body.get("tahun")), body.get("unit")
    check_period(p, body)
    if not isinstance(unit, str) or not unit:
        p.add("unit", "required" if unit is None or unit == "" else "not_a_string")
        unit = None  # the checks that depend on the unit are left out
    elif len(unit) > MAX_TEXT:
        p.add("unit", "too_long")
        unit = None
    elif key_unit is None:
        if not known.unit_exists(unit):
            p.add("unit", "unknown_unit", f" ({unit})", f" ({unit})")
            unit = None
    elif not known.may_act_for(key_unit, unit):
        raise NotPermitted.one(
            "unit",
            "wrong_unit",
            f"Kunci API ini milik unit {key_unit}, tidak dapat melapor untuk {shown(unit)}.",
            f"This API key belongs to unit {key_unit} and cannot report for {shown(unit)}.",
        )
    parsed = known.pk(tahun) if tahun is not None else None
    if tahun is not None and parsed is None:
        p.add("tahun", "pk_not_found", f" ({tahun})", f" ({tahun})")
    items = body.get("realisasi")
    empty = items == []
    if not isinstance(items, list):
        p.add("realisasi", "required" if items is None else "not_a_list")
        items = []
    index = None if tahun is None else (parsed.index if parsed else {})  # an invalid year: no PK to check against
    good = validate_realisasi(p, items, unit, index)
    spent = _read_anggaran(p, body.get("anggaran"))
    notes = False
    for key in ("kendala", "solusi"):
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            p.add(key, "not_a_string")
        elif isinstance(value, str) and len(value) > MAX_TEXT:
            p.add(key, "too_long")
        notes = notes or (isinstance(value, str) and bool(value.strip()))
    if spent is not None and parsed is not None and isinstance(unit, str) and unit not in parsed.programme_owners:
        # the recap sums a unit's anggaran into the programmes it owns: with none, it would be acknowledged and lost
        p.add("anggaran.realisasi", "no_programme", f" ({unit})", f" ({unit})")
    if empty and spent is None and not notes:
        p.add("realisasi", "empty_report")  # names nothing: no value, no anggaran, no kendala or solusi
    p.check()
    assert tahun is not None and isinstance(unit, str) and parsed is not None
    taken = cast(LaporanBody, body)  # every field checked above
    analisis = {item["indikator"]: given for item in taken["realisasi"] if (given := analisis_of(item))}
    spent_text = None if spent is None else str(spent)
    return Report(tahun, unit, parsed.doc, good, spent_text, taken, parsed.responsible, analisis)


def programme_owners(pk: PkDoc) -> frozenset[str]:
    """The units a programme of the PK names as its owner."""
    programmes = pk.get("program") or []
    owners = (p.get("unit") for p in programmes if isinstance(p, dict))
    return frozenset(unit for unit in owners if isinstance(unit, str))


def _read_anggaran(p: Problems, anggaran: Any) -> Decimal | None:
    if anggaran is None:
        return None
    if not isinstance(anggaran, dict):
        p.add("anggaran", "not_an_object")
        return None
    check_fields(p, anggaran, frozenset({"realisasi"}), "anggaran.")
    return read_number(p, anggaran.get("realisasi"), "anggaran.realisasi", required=False)


def check_triwulan(p: Problems, body: Mapping[str, object]) -> None:
    triwulan = body.get("triwulan")
    if triwulan is None:
        p.add("triwulan", "required")
    elif isinstance(triwulan, bool) or not isinstance(triwulan, int):  # "2", 2.0, true: the type, not the range
        p.add("triwulan", "not_an_integer")
    elif triwulan not in (1, 2, 3, 4):
        p.add("triwulan", "not_allowed", " (1–4)", " (1–4)")


BULAN_RANGE = ("harus bilangan bulat 1–12", "must be a whole number from 1 to 12")


def check_bulan(p: Problems, body: Mapping[str, object]) -> None:
    bulan = body.get("bulan")
    if bulan is None:
        p.add("bulan", "required")
    elif isinstance(bulan, bool) or not isinstance(bulan, int):
        p.add("bulan", "not_an_integer")
    elif not 1 <= bulan <= 12:
        p.add("bulan", "out_of_range", f" ({bulan})", f" ({bulan})", message=BULAN_RANGE)


class HasNilai(Protocol):
    nilai: str
    keterangan: str | None
    penyebab: str | None
    kendala: str | None
    solusi: str | None
    tindak_lanjut: str | None


class HasCatatan(Protocol):
    anggaran_realisasi: str | None
    kendala: str | None
    solusi: str | None


@dataclass
class Diff:
    """What a report changes against the values held: the summary counts and the values to write."""

    imported: int = 0
    updated: int = 0
    ignored: int = 0
    changes: list[tuple[str, str, str | None]] = field(default_factory=list)
    analisis: dict[str, Analisis] = field(default_factory=dict)  # of the changed values: the analysis fields given

    def summary(self) -> Ringkasan:
        return {"imported": self.imported, "updated": self.updated, "ignored": self.ignored, "conflicts": []}


def diff_values(current: Mapping[str, HasNilai], good: Good, analisis: Mapping[str, Analisis] | None = None) -> Diff:
    """A value equal as a decimal (60.00 == 60) with no new keterangan and no new analysis is ignored; others are
    imported or updated. A keterangan or an analysis field left out keeps the one held (`keeps`)."""
    d = Diff()
    for kode, nilai, keterangan in good:
        old, given = current.get(kode), (analisis or {}).get(kode, {})
        if old is None:
            d.imported += 1
        elif (
            parse_decimal(old.nilai) == nilai
            and (keterangan is None or keterangan == old.keterangan)
            and all(getattr(old, key) == text for key, text in given.items())
        ):
            d.ignored += 1
            continue
        else:
            d.updated += 1
        d.changes.append((kode, str(nilai), keterangan))
        if given:
            d.analisis[kode] = given
    return d


def keeps(old: HasNilai | None, given: Analisis) -> dict[str, str | None]:
    """The analysis a value holds after a report: each field the item gave (None: cleared), the others as held
    (a resubmission that leaves them out keeps them, as it keeps a keterangan)."""
    return {key: given[key] if key in given else (getattr(old, key) if old is not None else None) for key in ANALISIS}


def catatan_changed(row: HasCatatan, report: Report) -> bool:
    """Does the report change the anggaran (compared as decimals), kendala or solusi held in `row`?"""
    kendala, solusi, spent = report.body.get("kendala"), report.body.get("solusi"), report.spent
    return (
        (
            spent is not None
            and (row.anggaran_realisasi is None or parse_decimal(row.anggaran_realisasi) != parse_decimal(spent))
        )
        or (kendala is not None and kendala != row.kendala)
        or (solusi is not None and solusi != row.solusi)
    )


def apply_catatan(row: HasCatatan, report: Report) -> None:
    """Keep what the report names; what it leaves out stays as it was."""
    if report.spent is not None:
        row.anggaran_realisasi = report.spent
    if report.body.get("kendala") is not None:
        row.kendala = report.body["kendala"]
    if report.body.get("solusi") is not None:
        row.solusi = report.body["solusi"]


def completes(report: Report, held: Mapping[str, object]) -> bool:
    """After this report, does the unit hold a value for every indicator it answers for?"""
    return set(report.responsible.get(report.unit, [])) <= set(held)
