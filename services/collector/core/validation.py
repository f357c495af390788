"""Validation of PK documents and submissions: every problem listed, named by field and rule, in Indonesian
and English. Pure: works on the JSON as received."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from services.collector.core.errors import Invalid, Problem
from services.collector.core.pkdoc import IndikatorDoc, PkDoc
from shared.decimals import MAX_DECIMAL_PLACES, MAX_INTEGER_DIGITS, NotADecimal, read_decimal
from shared.sakip.rekap import ANALISIS_FIELDS
from shared.sakip.tahun import YEAR_MAX, YEAR_MIN
from shared.strictjson import JsonBigInteger

JENIS_UNIT = ("sekretariat", "bidang", "seksi", "upt", "opd", "instansi_terkait")
POLARITAS = ("positif", "negatif", "rentang")
AGREGASI = ("jumlah", "terakhir", "rata_rata")
MAX_TEXT = 4000
ANALISIS = ANALISIS_FIELDS  # an item's analysis (issue 15), kept per indicator
MAX_ANALISIS = 2000  # each of them
TAHUN_MIN, TAHUN_MAX = YEAR_MIN, YEAR_MAX  # every year the collector takes, in a path or a body
MAX_ITEMS = 20  # misi, tujuan, kegiatan of a programme: a list a person writes, not a table
MAX_REALISASI = 2000  # values in one report (as the Excel sheet's rows): a unit answers for a few dozen indicators
MAX_PROBLEMS = 100  # problems listed in one answer (per row of a bulk); the rest are not looked for (Problems)
MAX_RENSTRA_YEARS = 6  # a Renstra is 5 years; one aligned to a new RPJMD may span a transition year
MAX_PAST_YEARS = 5  # realisasi_tahun_sebelumnya: up to the 5 years before the PK's
KATEGORI = ("serapan_anggaran",)  # marks the budget-absorption indicator (compared with the programmes' absorption)
TINGKAT_BENCHMARK = ("nasional", "provinsi", "kota", "lainnya")
DESIMAL_MAX = 4
# the civil-service grades (PP 99/2000) and their ranks: a kepala's pangkat must be his golongan's
PANGKAT = {
    "I/a": "Juru Muda", "I/b": "Juru Muda Tingkat I", "I/c": "Juru", "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda", "II/b": "Pengatur Muda Tingkat I", "II/c": "Pengatur", "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda", "III/b": "Penata Muda Tingkat I", "III/c": "Penata", "III/d": "Penata Tingkat I",
    "IV/a": "Pembina", "IV/b": "Pembina Tingkat I", "IV/c": "Pembina Utama Muda", "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}  # fmt: skip
GOLONGAN = tuple(PANGKAT)
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
    # the PK's planning context (issue 15): Renstra, signatories, past years, benchmark, kegiatan
    "not_a_day": ("harus tanggal berformat YYYY-MM-DD", "must be a date written YYYY-MM-DD"),
    "tanggal_tahun": (
        "harus pada tahun PK atau tahun sebelumnya",
        "must fall in the PK's year or the year before",
    ),
    "not_a_nip": ("harus NIP 18 angka (spasi boleh)", "must be an 18-digit NIP (spaces allowed)"),
    "not_a_golongan": (
        "harus golongan PNS: I–IV, garis miring, huruf a–e (mis. IV/c)",
        "must be a civil-service grade: I–IV, a slash, a letter a–e (e.g. IV/c)",
    ),
    "pangkat_golongan": ("pangkat tidak sesuai dengan golongan", "the rank does not match the grade"),
    "renstra_period": (
        f"harus tahun_awal ≤ tahun PK ≤ tahun_akhir, paling lama {MAX_RENSTRA_YEARS} tahun",
        f"must be tahun_awal ≤ the PK's year ≤ tahun_akhir, at most {MAX_RENSTRA_YEARS} years",
    ),
    "too_many_items": (f"paling banyak {MAX_ITEMS} butir", f"at most {MAX_ITEMS} items"),
    "more_problems": (
        f"Masalah lain tidak dicantumkan: pemeriksaan berhenti setelah {MAX_PROBLEMS}; perbaiki yang tercantum, lalu "
        "kirim lagi.",
        f"Further problems are not listed: checking stopped after {MAX_PROBLEMS}; fix those listed and send again.",
    ),
    "past_year": (
        f"harus salah satu dari {MAX_PAST_YEARS} tahun sebelum tahun PK",
        f"must be one of the {MAX_PAST_YEARS} years before the PK's year",
    ),
    "outside_renstra": ("harus dalam periode Renstra", "must lie within the Renstra period"),
    "differs_tahun_lalu": (
        "harus sama dengan realisasi_tahun_lalu",
        "must equal realisasi_tahun_lalu",
    ),
    "differs_akhir_renstra": (
        "target tahun akhir Renstra harus sama dengan target_akhir_renstra",
        "the Renstra's last year's target must equal target_akhir_renstra",
    ),
    "akhir_renstra_rentang": (
        "indikator rentang: target akhir Renstra adalah rentang target_renstra tahun akhir; target_akhir_renstra "
        "(satu angka) bertentangan dengannya, hapus",
        "a range indicator: the Renstra end target is the range of target_renstra's last year; a single "
        "target_akhir_renstra contradicts it, remove it",
    ),
    "kategori_satuan": (
        "indikator serapan anggaran harus bersatuan %",
        "a budget-absorption indicator must be measured in %",
    ),
    "over_pagu": (
        "jumlah pagu kegiatan melebihi pagu program",
        "the kegiatan's budgets add up to more than the programme's",
    ),
}


class Problems:
    """The problems found in one body, at most MAX_PROBLEMS of them: past that, one `more_problems` item says the
    rest were not listed, and the readers stop reading (`full`). A 1 MiB report of 28.334 invalid items answered a
    28 MiB list of 113.000 problems after 1,4 s of the event loop (the fourth outsider)."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.more = False  # a problem past MAX_PROBLEMS was found

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_PROBLEMS

    def stopped(self) -> bool:
        """For a reader's loop: True once full (and then the answer says more were found): stop reading."""
        if self.full:
            self.more = True
        return self.more

    def add(
        self, field: str, rule: str, detail_id: str = "", detail_en: str = "", *, message: tuple[str, str] | None = None
    ) -> None:
        """`message` replaces the rule's usual wording where a rule names another limit (bulan 1–12, not 0–100 %)."""
        if self.stopped():
            return
        mid, men = message or MESSAGES.get(rule, ("tidak valid", "is invalid"))
        field, detail_id, detail_en = shown(field), shown(detail_id), shown(detail_en)  # a misspelt key may be 1 MiB
        self.items.append(Problem(field, rule, f"{field}: {mid}{detail_id}", f"{field}: {men}{detail_en}"))

    def __bool__(self) -> bool:
        return bool(self.items)

    def listed(self) -> list[Problem]:
        """The problems, and when there were more than MAX_PROBLEMS, the item saying so."""
        if not self.more:
            return self.items
        mid, men = MESSAGES["more_problems"]
        return [*self.items, Problem(None, "more_problems", mid, men)]

    def check(self) -> None:
        """Refuse (Invalid, every problem listed, at most MAX_PROBLEMS) when any problem was found."""
        if self.items:
            raise Invalid(self.listed())

    def refuse(self, field: str, rule: str) -> Invalid:
        """The one problem that ends reading a body (it is no object, a list is no list)."""
        self.add(field, rule)
        return Invalid(self.listed())


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


ANALISIS_TOO_LONG = (f"maksimal {MAX_ANALISIS} karakter", f"at most {MAX_ANALISIS} characters")
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
        return p.listed()
    if body.get("tahun") is not None and body.get("tahun") != tahun:
        p.add("tahun", "tahun_mismatch")
    if not isinstance(body.get("instansi"), dict):
        p.add("instansi", "required")
    else:
        _text(p, body["instansi"], "nama", "instansi.nama")
        _validate_kepala(p, body["instansi"].get("kepala"))
    _validate_tanggal(p, body.get("tanggal"), tahun)
    _validate_pihak_kedua(p, body.get("pihak_kedua"))
    renstra = _validate_renstra(p, body.get("renstra"), tahun)
    serapan: list[str] = []  # the indicators marked kategori serapan_anggaran
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
            _validate_history(p, ind, f"{f}.indikator[{i_n}]", tahun, renstra, serapan)
    programs = _list(p, body, "program", "program") if body.get("program") is not None else []
    codes_kegiatan: set[str] = set()
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
        _validate_kegiatan(p, prog, f, codes_kegiatan)
    return p.listed()


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


# ---- the PK's planning context (issue 15): every key optional; a key given is checked whole ------------------


def _object(
    p: Problems, value: Any, field: str, allowed: frozenset[str], *, item: bool = False
) -> dict[str, Any] | None:
    """An optional object of known keys (an `item` of a list is not optional): None when absent or not an object
    (the problem added); a key it does not know is refused as a report's is (a misspelt `sumbre` would be a source
    nobody prints)."""
    if value is None and not item:
        return None
    if not isinstance(value, dict):
        p.add(field, "not_an_object")
        return None
    check_fields(p, value, allowed, f"{field}.")
    return value


def _items(p: Problems, value: Any, field: str, limit: int = MAX_ITEMS) -> list[Any]:
    """An optional list: [] when absent; a list of more than `limit` items is refused (and not read further)."""
    if value is None:
        return []
    if not isinstance(value, list):
        p.add(field, "not_a_list")
        return []
    if len(value) > limit:
        p.add(field, "too_many_items", message=_at_most(limit))
        return []
    return value


def _at_most(limit: int) -> tuple[str, str]:
    return f"paling banyak {limit} butir", f"at most {limit} items"


def _validate_kepala(p: Problems, kepala: Any) -> None:
    """instansi.kepala: the head who signs (nama, nip as before; jabatan, pangkat, golongan new). Other keys travel
    along, as they always did in `instansi`."""
    f = "instansi.kepala"
    if kepala is None:
        return
    if not isinstance(kepala, dict):
        p.add(f, "not_an_object")
        return
    for key in ("nama", "jabatan", "pangkat"):
        _text(p, kepala, key, f"{f}.{key}", required=False)
    _nip(p, kepala.get("nip"), f"{f}.nip")
    golongan = _text(p, kepala, "golongan", f"{f}.golongan", required=False)
    if golongan is None:
        return
    if golongan not in PANGKAT:
        p.add(f"{f}.golongan", "not_a_golongan")
        return
    pangkat = kepala.get("pangkat")
    if isinstance(pangkat, str) and pangkat.strip().casefold() != PANGKAT[golongan].casefold():
        detail = f" ({golongan}: {PANGKAT[golongan]})"
        p.add(f"{f}.pangkat", "pangkat_golongan", detail, detail)


def _nip(p: Problems, value: Any, field: str) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        p.add(field, "not_a_string")
    elif not (
        value.replace(" ", "").isdigit() and value.replace(" ", "").isascii() and len(value.replace(" ", "")) == 18
    ):
        p.add(field, "not_a_nip")


def _validate_tanggal(p: Problems, value: Any, tahun: int) -> None:
    """`tanggal`: the day the PK was signed, in its year or late in the year before."""
    if value is None:
        return
    try:
        day = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        day = None
    if day is None:
        p.add("tanggal", "not_a_day")
    elif day.year not in (tahun - 1, tahun):
        p.add("tanggal", "tanggal_tahun", f" ({tahun - 1}–{tahun})", f" ({tahun - 1}–{tahun})")


def _validate_pihak_kedua(p: Problems, value: Any) -> None:
    """`pihak_kedua`: the PK's second signatory (the Wali Kota for a dinas); an elected one has no NIP."""
    obj = _object(p, value, "pihak_kedua", frozenset({"nama", "jabatan", "nip"}))
    if obj is not None:
        _text(p, obj, "nama", "pihak_kedua.nama")
        _text(p, obj, "jabatan", "pihak_kedua.jabatan")
        _nip(p, obj.get("nip"), "pihak_kedua.nip")


def _validate_renstra(p: Problems, value: Any, tahun: int) -> tuple[int, int] | None:
    """`renstra`: the strategic plan the PK belongs to; its period (tahun_awal, tahun_akhir) when valid."""
    f = "renstra"
    obj = _object(p, value, f, frozenset({"tahun_awal", "tahun_akhir", "visi", "misi", "tujuan"}))
    if obj is None:
        return None
    _text(p, obj, "visi", f"{f}.visi")
    misi = _list(p, obj, "misi", f"{f}.misi")
    if obj.get("misi") == []:
        p.add(f"{f}.misi", "required")
    for n, text in enumerate(_items(p, misi, f"{f}.misi")):
        _text(p, {"misi": text}, "misi", f"{f}.misi[{n}]")
    kodes: set[str] = set()
    for n, tujuan in enumerate(_items(p, _list(p, obj, "tujuan", f"{f}.tujuan"), f"{f}.tujuan")):
        t = _object(p, tujuan, f"{f}.tujuan[{n}]", frozenset({"kode", "nama"}), item=True)
        if t is None:
            continue
        kode = _text(p, t, "kode", f"{f}.tujuan[{n}].kode")
        _text(p, t, "nama", f"{f}.tujuan[{n}].nama")
        if kode in kodes:
            p.add(f"{f}.tujuan[{n}].kode", "duplicate_kode", f" ({kode})", f" ({kode})")
        if kode:
            kodes.add(kode)
    awal, akhir = (
        read_tahun(p, obj.get("tahun_awal"), f"{f}.tahun_awal"),
        read_tahun(p, obj.get("tahun_akhir"), f"{f}.tahun_akhir"),
    )
    if awal is None or akhir is None:
        return None
    if not (awal <= tahun <= akhir and akhir - awal < MAX_RENSTRA_YEARS):
        p.add(f"{f}.tahun_akhir", "renstra_period", f" ({awal}–{akhir}, PK {tahun})", f" ({awal}–{akhir}, PK {tahun})")
        return None
    return awal, akhir


def _figure(p: Problems, ind: Mapping[str, Any], value: Any, field: str, *, required: bool = True) -> Decimal | None:
    """A figure of an indicator (a past realisasi, a Renstra target, a benchmark): ≥ 0, and 0–100 for a %."""
    d = read_number(p, value, field, required=required)
    if d is not None and str(ind.get("satuan") or "").strip() == "%" and d > 100:
        p.add(field, "out_of_range")
        return None
    return d


def _year(p: Problems, obj: Mapping[str, Any], field: str, seen: set[int], allowed: range, rule: str) -> int | None:
    """An item's `tahun`: a year within `allowed` (else `rule`, naming the years), given once in its list."""
    year = read_tahun(p, obj.get("tahun"), field)
    if year is None:
        return None
    if year not in allowed:
        detail = f" ({allowed[0]}–{allowed[-1]})" if allowed else ""
        p.add(field, rule, detail, detail)
        return None
    if year in seen:
        p.add(field, "duplicate", f" ({year})", f" ({year})")
        return None
    seen.add(year)
    return year


def _validate_history(
    p: Problems, ind: Any, f: str, tahun: int, renstra: tuple[int, int] | None, serapan: list[str]
) -> None:
    """An indicator's optional planning keys: desimal, kategori, realisasi_tahun_sebelumnya, target_renstra,
    benchmark. Each agrees with the keys it repeats (realisasi_tahun_lalu, target_akhir_renstra)."""
    if not isinstance(ind, dict):
        return  # its own problem is already listed
    desimal = ind.get("desimal")
    if desimal is not None:
        if isinstance(desimal, bool) or not isinstance(desimal, int):
            p.add(f"{f}.desimal", "not_an_integer")
        elif not 0 <= desimal <= DESIMAL_MAX:
            msg = (f"harus 0–{DESIMAL_MAX}", f"must be 0 to {DESIMAL_MAX}")
            p.add(f"{f}.desimal", "out_of_range", message=msg)
    if ind.get("kategori") is not None:
        kategori = _choice(p, ind, "kategori", f"{f}.kategori", KATEGORI)
        if kategori == "serapan_anggaran":
            if str(ind.get("satuan") or "").strip() != "%":
                p.add(f"{f}.kategori", "kategori_satuan")
            if serapan:
                p.add(f"{f}.kategori", "duplicate", f" ({serapan[0]})", f" ({serapan[0]})")
            serapan.append(str(ind.get("kode")))
    _validate_past(p, ind, f, tahun)
    _validate_target_renstra(p, ind, f, renstra)
    bench = _object(p, ind.get("benchmark"), f"{f}.benchmark", frozenset({"nilai", "sumber", "tingkat", "tahun"}))
    if bench is not None:
        _figure(p, ind, bench.get("nilai"), f"{f}.benchmark.nilai")
        _text(p, bench, "sumber", f"{f}.benchmark.sumber")
        _choice(p, bench, "tingkat", f"{f}.benchmark.tingkat", TINGKAT_BENCHMARK)
        if bench.get("tahun") is not None:
            read_tahun(p, bench.get("tahun"), f"{f}.benchmark.tahun")


def _validate_past(p: Problems, ind: dict[str, Any], f: str, tahun: int) -> None:
    """realisasi_tahun_sebelumnya: [{tahun, nilai}] of the 5 years before the PK's; last year's equals
    realisasi_tahun_lalu when both are given."""
    key = "realisasi_tahun_sebelumnya"
    seen: set[int] = set()
    last = read_number(Problems(), ind.get("realisasi_tahun_lalu"), "", required=False)  # its own check is above
    for n, item in enumerate(_items(p, ind.get(key), f"{f}.{key}", MAX_PAST_YEARS)):
        g = f"{f}.{key}[{n}]"
        obj = _object(p, item, g, frozenset({"tahun", "nilai"}), item=True)
        if obj is None:
            continue
        year = _year(p, obj, f"{g}.tahun", seen, range(tahun - MAX_PAST_YEARS, tahun), "past_year")
        nilai = _figure(p, ind, obj.get("nilai"), f"{g}.nilai")
        if year == tahun - 1 and nilai is not None and last is not None and nilai != last:
            detail = f" ({shown(ind.get('realisasi_tahun_lalu'))})"
            p.add(f"{g}.nilai", "differs_tahun_lalu", detail, detail)


def _validate_target_renstra(p: Problems, ind: dict[str, Any], f: str, renstra: tuple[int, int] | None) -> None:
    """target_renstra: [{tahun, target}] (rentang: target_min, target_max), a year at most once and within the
    Renstra period when `renstra` gives it; the last year's target equals target_akhir_renstra when both given."""
    key = "target_renstra"
    ranged = ind.get("polaritas") == "rentang"
    fields = frozenset({"tahun", "target_min", "target_max"} if ranged else {"tahun", "target"})
    years = range(renstra[0], renstra[1] + 1) if renstra else range(TAHUN_MIN, TAHUN_MAX + 1)
    end = read_number(Problems(), ind.get("target_akhir_renstra"), "", required=False)
    seen: set[int] = set()
    for n, item in enumerate(_items(p, ind.get(key), f"{f}.{key}", len(years) if renstra else MAX_ITEMS)):
        g = f"{f}.{key}[{n}]"
        obj = _object(p, item, g, fields, item=True)
        if obj is None:
            continue
        year = _year(p, obj, f"{g}.tahun", seen, years, "outside_renstra")
        if ranged:
            low, high = (
                _figure(p, ind, obj.get("target_min"), f"{g}.target_min"),
                _figure(p, ind, obj.get("target_max"), f"{g}.target_max"),
            )
            if low is not None and high is not None and low > high:
                p.add(f"{g}.target_max", "invalid_range")
            if renstra and year == renstra[1] and end is not None:  # one end target, not a number and a range
                detail = f" ({shown(ind.get('target_akhir_renstra'))})"
                p.add(f"{f}.target_akhir_renstra", "akhir_renstra_rentang", detail, detail)
            continue
        target = _figure(p, ind, obj.get("target"), f"{g}.target")
        if renstra and year == renstra[1] and target is not None and end is not None and target != end:
            detail = f" ({shown(ind.get('target_akhir_renstra'))})"
            p.add(f"{g}.target", "differs_akhir_renstra", detail, detail)


def _validate_kegiatan(p: Problems, prog: dict[str, Any], f: str, codes: set[str]) -> None:
    """program.kegiatan: [{kode, nama, pagu?}], a code once in the PK; their budgets add up to at most the
    programme's."""
    total, pagu = Decimal(0), read_number(Problems(), prog.get("pagu"), "", required=True)
    for n, item in enumerate(_items(p, prog.get("kegiatan"), f"{f}.kegiatan")):
        g = f"{f}.kegiatan[{n}]"
        obj = _object(p, item, g, frozenset({"kode", "nama", "pagu"}), item=True)
        if obj is None:
            continue
        kode = _text(p, obj, "kode", f"{g}.kode")
        _text(p, obj, "nama", f"{g}.nama")
        if kode in codes:
            p.add(f"{g}.kode", "duplicate_kode", f" ({kode})", f" ({kode})")
        if kode:
            codes.add(kode)
        total += read_number(p, obj.get("pagu"), f"{g}.pagu", required=False) or 0
    if pagu is not None and total > pagu:
        detail = f" ({total} > {pagu})"
        p.add(f"{f}.kegiatan", "over_pagu", detail, detail)


def _known(value: Any, codes: set[str]) -> bool:
    """`value` is one of `codes` (and a string: a list or an object from the JSON is never a code)."""
    return isinstance(value, str) and value in codes


def indikator_index(pk: PkDoc) -> dict[str, IndikatorDoc]:
    return {i["kode"]: i for s in pk["sasaran"] for i in s["indikator"]}


ITEM_FIELDS = frozenset({"indikator", "nilai", "keterangan", *ANALISIS})
Analisis = dict[str, str | None]  # the analysis fields an item gave: its text, or None to clear one held ("")


def analisis_of(item: Mapping[str, object]) -> Analisis:
    """The analysis fields a (validated) realisasi item gives: a field left out or null is not in it (the text held
    stays); one sent blank ("") clears the text held (None)."""
    return {key: (text if text.strip() else None) for key in ANALISIS if isinstance(text := item.get(key), str)}


def check_fields(p: Problems, obj: Mapping[str, object], allowed: frozenset[str], prefix: str = "") -> None:
    """Every key of `obj` not in `allowed` is a problem: a misspelt field (`kendalla`, `Anggaran`) answered 202 and
    silently dropped would be data the unit believes was counted."""
    for key in obj:
        if key not in allowed:
            if p.stopped():  # an object of 100.000 unknown keys: the first hundred say enough
                return
            p.add(f"{prefix}{key}", "unknown_field")


def validate_realisasi(
    p: Problems, items: list[Any], unit: str | None, indikator: Mapping[str, IndikatorDoc] | None
) -> list[tuple[str, Decimal, str | None]]:
    """The `realisasi` items of a quarterly or monthly submission. `indikator` None: the year is invalid, so no PK
    says which codes exist; `unit` None: the unit is invalid. Then the checks that depend on them are left out (the
    invalid field's own error says what is wrong, not a misleading "not in the PK" or "not responsible")."""
    seen: set[str] = set()
    good: list[tuple[str, Decimal, str | None]] = []
    if len(items) > MAX_REALISASI:
        p.add("realisasi", "too_many_items", message=_at_most(MAX_REALISASI))
        return good  # not read: its items' problems would be the least of it
    for n, item in enumerate(items):
        if p.stopped():
            break
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
        for key in ANALISIS:
            text = item.get(key)
            if text is not None and not isinstance(text, str):
                p.add(f"{f}.{key}", "not_a_string")
            elif isinstance(text, str) and len(text) > MAX_ANALISIS:
                p.add(f"{f}.{key}", "too_long", message=ANALISIS_TOO_LONG)
        if ind is not None and nilai is not None and nilai >= 0:
            good.append((kode, nilai, keterangan))  # type: ignore[arg-type]
    return good
