"""Validation of PK documents and submissions: every problem listed, named by field and rule, in Indonesian
and English. Pure: works on the JSON as received."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from services.collector.core.errors import Invalid, Problem
from services.collector.core.pkdoc import IndikatorDoc, PkDoc
from shared.decimals import MAX_DECIMAL_PLACES, MAX_INTEGER_DIGITS, NotADecimal, read_decimal
from shared.strictjson import JsonBigInteger

JENIS_UNIT = ("sekretariat", "bidang", "seksi", "upt", "opd", "instansi_terkait")
POLARITAS = ("positif", "negatif", "rentang")
AGREGASI = ("jumlah", "terakhir", "rata_rata")
MAX_TEXT = 4000
TAHUN_MIN, TAHUN_MAX = 2000, 2100  # every year the collector takes, in a path or a body
SHOWN = 80  # at most this much of a value sent is repeated in a message (a 1 MiB value is not echoed back)


def shown(value: object, limit: int = SHOWN) -> str:
    """A value sent, as a message repeats it: its first `limit` characters, and "…" when there were more."""
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("wajib diisi", "is required"),
    "not_a_number": (
        "harus berupa angka desimal biasa ≥ 0 (hanya angka 0-9 dan satu '.' desimal)",
        "must be a plain decimal number ≥ 0 (only digits 0-9 and one '.' before decimals)",
    ),
    "too_many_digits": (
        f"paling banyak {MAX_INTEGER_DIGITS} angka sebelum titik desimal",
        f"at most {MAX_INTEGER_DIGITS} digits before the decimal point",
    ),
    "too_many_decimals": (
        f"paling banyak {MAX_DECIMAL_PLACES} angka di belakang titik desimal",
        f"at most {MAX_DECIMAL_PLACES} digits after the decimal point",
    ),
    "negative_value": ("tidak boleh negatif", "must not be negative"),
    "out_of_range": ("untuk satuan % harus antara 0 dan 100", "must be between 0 and 100 for a % indicator"),
    "not_an_integer": ("harus bilangan bulat", "must be an integer"),
    "empty_report": (
        "laporan kosong: sebutkan paling sedikit satu nilai indikator, anggaran, kendala atau solusi",
        "the report is empty: name at least one indicator's value, the anggaran, a kendala or a solusi",
    ),
    "not_allowed": ("nilai tidak diperbolehkan", "value is not allowed"),
    "too_long": (f"maksimal {MAX_TEXT} karakter", f"at most {MAX_TEXT} characters"),
    "not_a_string": ("harus berupa teks", "must be text"),
    "not_a_list": ("harus berupa daftar", "must be a list"),
    "not_an_object": ("harus berupa objek", "must be an object"),
    "duplicate_kode": ("kode ganda", "duplicate code"),
    "duplicate_indikator": ("indikator dilaporkan lebih dari sekali", "indicator reported more than once"),
    "unknown_unit": ("unit tidak dikenal", "unknown unit"),
    "unknown_field": (
        "kolom tidak dikenal (periksa ejaannya; kolom yang tidak dikenal tidak disimpan)",
        "unknown field (check its spelling; an unknown field would not be stored)",
    ),
    "no_programme": (
        "unit ini tidak memegang program mana pun dalam Perjanjian Kinerja, jadi realisasi anggarannya tidak dapat "
        "dihitung; kosongkan anggaran atau minta admin mencantumkan program unit ini",
        "this unit holds no programme in the Perjanjian Kinerja, so its budget realisation cannot be counted; leave "
        "anggaran out or ask the admin to list the unit's programme",
    ),
    "unknown_sasaran": ("sasaran tidak dikenal", "unknown sasaran"),
    "unknown_indikator": ("indikator tidak ada dalam Perjanjian Kinerja", "indicator is not in the PK"),
    "not_responsible": (
        "indikator ini bukan tanggung jawab unit ini",
        "this unit is not responsible for this indicator",
    ),
    "target_triwulan_count": ("harus berisi 4 target triwulan", "must hold 4 quarterly targets"),
    "invalid_range": (
        "harus pasangan [min, max] dengan min ≤ max",
        "must be a [min, max] pair with min ≤ max",
    ),
    "pk_not_found": ("Perjanjian Kinerja tahun ini belum ada", "no PK exists for this year"),
    "duplicate": ("disebut lebih dari sekali", "given more than once"),
    "not_a_date": ("harus tanggal/waktu", "must be a date or date-time"),
    "before_opening": ("harus setelah waktu buka", "must be after the opening time"),
    "tahun_mismatch": ("tidak sama dengan tahun di URL", "differs from the year in the URL"),
}


class Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(
        self, field: str, rule: str, detail_id: str = "", detail_en: str = "", *, message: tuple[str, str] | None = None
    ) -> None:
        """`message` replaces the rule's usual wording where a rule names another limit (bulan 1–12, not 0–100 %)."""
        mid, men = message or MESSAGES.get(rule, ("tidak valid", "is invalid"))
        field, detail_id, detail_en = shown(field), shown(detail_id), shown(detail_en)  # a misspelt key may be 1 MiB
        self.items.append(Problem(field, rule, f"{field}: {mid}{detail_id}", f"{field}: {men}{detail_en}"))

    def __bool__(self) -> bool:
        return bool(self.items)

    def check(self) -> None:
        """Refuse (Invalid, every problem listed) when any problem was found."""
        if self.items:
            raise Invalid(self.items)

    def refuse(self, field: str, rule: str) -> Invalid:
        """The one problem that ends reading a body (it is no object, a list is no list)."""
        self.add(field, rule)
        return Invalid(self.items)


def parse_decimal(value: Any) -> Decimal | None:
    """A figure held in the collector's own tables (written by it, hence valid), as a Decimal; None for anything
    else. What a request sends is read by `read_number`, in the one syntax and bounds of shared.decimals."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def _text(p: Problems, obj: Mapping[str, object], key: str, field: str, *, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            p.add(field, "required")
        return None
    if not isinstance(value, str):
        p.add(field, "not_a_string")
        return None
    if required and not value.strip():
        p.add(field, "required")
    if len(value) > MAX_TEXT:
        p.add(field, "too_long")
    return value


def _choice(p: Problems, obj: Mapping[str, object], key: str, field: str, allowed: tuple[str, ...]) -> str | None:
    value = obj.get(key)
    if value is None:
        p.add(field, "required")
    elif value not in allowed:
        p.add(field, "not_allowed", f" (pilihan: {', '.join(allowed)})", f" (allowed: {', '.join(allowed)})")
    else:
        return str(value)
    return None


def read_number(p: Problems, value: Any, field: str, *, required: bool = True) -> Decimal | None:
    """A figure of a request (a target, a realisasi, money): the one syntax and bounds of shared.decimals, ≥ 0.
    Every figure the collector takes passes here, from JSON and from Excel cells alike."""
    if value is None:
        if required:
            p.add(field, "required")
        return None
    try:
        d = read_decimal(value)
    except NotADecimal as refused:
        p.add(field, refused.rule)
        return None
    if d < 0:
        p.add(field, "negative_value")
    return d


TAHUN_RANGE = (f"harus tahun {TAHUN_MIN}–{TAHUN_MAX}", f"must be a year from {TAHUN_MIN} to {TAHUN_MAX}")


def read_tahun(p: Problems, value: Any, field: str = "tahun") -> int | None:
    """A report's year: an integer within the bounds every route keeps (checked before the database is asked, where
    2^70 is no integer at all), else None with the problem added."""
    if value is None:
        p.add(field, "required")
    elif isinstance(value, JsonBigInteger):  # an integer of thousands of digits: valid JSON, no year
        p.add(field, "too_many_digits", message=TAHUN_RANGE)
    elif isinstance(value, bool) or not isinstance(value, int):
        p.add(field, "not_an_integer")
    elif not TAHUN_MIN <= value <= TAHUN_MAX:
        p.add(field, "out_of_range", message=TAHUN_RANGE)
    else:
        return value
    return None


def _list(p: Problems, obj: Mapping[str, object], key: str, field: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        p.add(field, "required")
        return []
    if not isinstance(value, list):
        p.add(field, "not_a_list")
        return []
    return value


def validate_pk(body: Any, tahun: int) -> list[Problem]:
    p = Problems()
    if not isinstance(body, dict):
        p.add("body", "not_an_object")
        return p.items
    if body.get("tahun") is not None and body.get("tahun") != tahun:
        p.add("tahun", "tahun_mismatch")
    if not isinstance(body.get("instansi"), dict):
        p.add("instansi", "required")
    else:
        _text(p, body["instansi"], "nama", "instansi.nama")
    units: set[str] = set()
    unit_list = _list(p, body, "units", "units")
    for n, unit in enumerate(unit_list):
        f = f"units[{n}]"
        if not isinstance(unit, dict):
            p.add(f, "not_an_object")
            continue
        kode = _text(p, unit, "kode", f"{f}.kode")
        _text(p, unit, "nama", f"{f}.nama")
        _choice(p, unit, "jenis", f"{f}.jenis", JENIS_UNIT)
        if kode in units:
            p.add(f"{f}.kode", "duplicate_kode", f" ({kode})", f" ({kode})")
        if kode:
            units.add(kode)
    for n, unit in enumerate(unit_list):
        if isinstance(unit, dict) and unit.get("induk") is not None and not _known(unit["induk"], units):
            p.add(f"units[{n}].induk", "unknown_unit")
    codes: set[str] = set()
    sasaran_codes: set[str] = set()
    for s_n, sasaran in enumerate(_list(p, body, "sasaran", "sasaran")):
        f = f"sasaran[{s_n}]"
        if not isinstance(sasaran, dict):
            p.add(f, "not_an_object")
            continue
        s_kode = _text(p, sasaran, "kode", f"{f}.kode")
        _text(p, sasaran, "nama", f"{f}.nama")
        if s_kode in sasaran_codes:
            p.add(f"{f}.kode", "duplicate_kode", f" ({s_kode})", f" ({s_kode})")
        if s_kode:
            sasaran_codes.add(s_kode)
        for i_n, ind in enumerate(_list(p, sasaran, "indikator", f"{f}.indikator")):
            _validate_indikator(p, ind, f"{f}.indikator[{i_n}]", units, codes)
    programs = _list(p, body, "program", "program") if body.get("program") is not None else []
    for n, prog in enumerate(programs):
        f = f"program[{n}]"
        if not isinstance(prog, dict):
            p.add(f, "not_an_object")
            continue
        _text(p, prog, "kode", f"{f}.kode")
        _text(p, prog, "nama", f"{f}.nama")
        read_number(p, prog.get("pagu"), f"{f}.pagu")
        if not _known(prog.get("sasaran"), sasaran_codes):
            p.add(f"{f}.sasaran", "unknown_sasaran")
        if prog.get("unit") is not None and not _known(prog.get("unit"), units):
            p.add(f"{f}.unit", "unknown_unit")
    return p.items


def _validate_indikator(p: Problems, ind: Any, f: str, units: set[str], codes: set[str]) -> None:
    if not isinstance(ind, dict):
        p.add(f, "not_an_object")
        return
    kode = _text(p, ind, "kode", f"{f}.kode")
    if kode in codes:
        p.add(f"{f}.kode", "duplicate_kode", f" ({kode})", f" ({kode})")
    if kode:
        codes.add(kode)
    _text(p, ind, "nama", f"{f}.nama")
    _text(p, ind, "satuan", f"{f}.satuan")
    polaritas = _choice(p, ind, "polaritas", f"{f}.polaritas", POLARITAS)
    _choice(p, ind, "agregasi", f"{f}.agregasi", AGREGASI)
    if not _known(ind.get("penanggung_jawab"), units):
        p.add(f"{f}.penanggung_jawab", "unknown_unit", f" ({ind.get('penanggung_jawab')})")
    if polaritas == "rentang":
        low = read_number(p, ind.get("target_min"), f"{f}.target_min")
        high = read_number(p, ind.get("target_max"), f"{f}.target_max")
        if low is not None and high is not None and low > high:
            p.add(f"{f}.target_max", "invalid_range")
    else:
        read_number(p, ind.get("target"), f"{f}.target")
    tw = ind.get("target_triwulan")
    if not isinstance(tw, list) or len(tw) != 4:
        p.add(f"{f}.target_triwulan", "target_triwulan_count")
        return
    for q, t in enumerate(tw):
        tf = f"{f}.target_triwulan[{q}]"
        if polaritas == "rentang":
            if not isinstance(t, list) or len(t) != 2:
                p.add(tf, "invalid_range")
                continue
            low, high = read_number(p, t[0], f"{tf}[0]"), read_number(p, t[1], f"{tf}[1]")
            if low is not None and high is not None and low > high:
                p.add(tf, "invalid_range")
        else:
            read_number(p, t, tf)
    for key in ("realisasi_tahun_lalu", "target_akhir_renstra"):
        read_number(p, ind.get(key), f"{f}.{key}", required=False)


def _known(value: Any, codes: set[str]) -> bool:
    """`value` is one of `codes` (and a string: a list or an object from the JSON is never a code)."""
    return isinstance(value, str) and value in codes


def indikator_index(pk: PkDoc) -> dict[str, IndikatorDoc]:
    return {i["kode"]: i for s in pk["sasaran"] for i in s["indikator"]}


ITEM_FIELDS = frozenset({"indikator", "nilai", "keterangan"})


def check_fields(p: Problems, obj: Mapping[str, object], allowed: frozenset[str], prefix: str = "") -> None:
    """Every key of `obj` not in `allowed` is a problem: a misspelt field (`kendalla`, `Anggaran`) answered 202 and
    silently dropped would be data the unit believes was counted."""
    for key in obj:
        if key not in allowed:
            p.add(f"{prefix}{key}", "unknown_field")


def validate_realisasi(
    p: Problems, items: list[Any], unit: str | None, indikator: Mapping[str, IndikatorDoc] | None
) -> list[tuple[str, Decimal, str | None]]:
    """The `realisasi` items of a quarterly or monthly submission. `indikator` None: the year is invalid, so no PK
    says which codes exist; `unit` None: the unit is invalid. Then the checks that depend on them are left out (the
    invalid field's own error says what is wrong, not a misleading "not in the PK" or "not responsible")."""
    seen: set[str] = set()
    good: list[tuple[str, Decimal, str | None]] = []
    for n, item in enumerate(items):
        f = f"realisasi[{n}]"
        if not isinstance(item, dict):
            p.add(f, "not_an_object")
            continue
        check_fields(p, item, ITEM_FIELDS, f"{f}.")
        kode = item.get("indikator")
        ind = indikator.get(kode) if isinstance(kode, str) and indikator is not None else None
        if kode is None:
            p.add(f"{f}.indikator", "required")
        elif isinstance(kode, str) and len(kode) > MAX_TEXT:
            p.add(f"{f}.indikator", "too_long")
        elif indikator is None:
            pass  # no PK to check the code against: the year's own error is reported
        elif ind is None:
            p.add(f"{f}.indikator", "unknown_indikator", f" ({kode})", f" ({kode})")
        elif unit is not None and ind["penanggung_jawab"] != unit:
            p.add(f"{f}.indikator", "not_responsible", f" ({kode})", f" ({kode})")
        if isinstance(kode, str) and kode in seen:
            p.add(f"{f}.indikator", "duplicate_indikator", f" ({kode})", f" ({kode})")
        if isinstance(kode, str):
            seen.add(kode)
        nilai = read_number(p, item.get("nilai"), f"{f}.nilai")
        if nilai is not None and ind is not None and ind["satuan"].strip() == "%" and nilai > 100:
            p.add(f"{f}.nilai", "out_of_range")
        keterangan = _text(p, item, "keterangan", f"{f}.keterangan", required=False)
        if ind is not None and nilai is not None and nilai >= 0:
            good.append((kode, nilai, keterangan))  # type: ignore[arg-type]
    return good
