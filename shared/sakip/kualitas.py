"""The quality check of an LKjIP (issue #17 item 2): pure functions on the PK, the recap and the reports' states.

Each check answers one question an evaluator asks of the report (PermenPAN-RB 88/2021, Evaluasi AKIP) with a count:
of the `dari` things it looks at, `ada` have what the criterion asks for; `cakupan` = ada ÷ dari × 100 as text with
2 places (ROUND_HALF_UP; None when there is nothing to look at), and `kurang` names each thing that lacks it and why,
with a link where one helps. The checks read the data the LKIP prints from (services/renderer/lkip.py), so a check
agrees with the document: an indicator counts for `benchmark` exactly when the PK gives the benchmark the LKIP's
sentence compares with, for `renstra` when the LKIP prints a Renstra target of the year or of the Renstra's end.

Keys (docs/evaluation.md): target, renstra, tahun_lalu, benchmark, analisis, efisiensi, berkala, tepat_waktu,
rencana_aksi, pengukuran_berkala. Deadlines are plain dates here (`batas`); the worksheet (`Lke.tenggat`) holds
their rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict

from shared.formatting import fmt_date, fmt_number, round_half_up
from shared.sakip.checks import HIGH, LOW
from shared.sakip.periode import periode_label
from shared.sakip.pk import PerjanjianKinerja

KEYS: tuple[str, ...] = (
    "target", "renstra", "tahun_lalu", "benchmark", "analisis", "efisiensi", "berkala", "tepat_waktu", "rencana_aksi",
    "pengukuran_berkala",
)  # fmt: skip
# a semester report prints no annual analysis (Renstra, past years, benchmark, efficiency: services/renderer/viewmodel
# adds lkip.annual_parts to the TAHUNAN report only), so those checks do not apply to it
SEMESTER_KEYS: tuple[str, ...] = ("target", "analisis", "berkala", "tepat_waktu", "rencana_aksi", "pengukuran_berkala")
JUDUL: dict[str, tuple[str, str]] = {
    "target": ("Realisasi dibandingkan dengan target tahunan", "Results compared with the annual target"),
    "renstra": ("Realisasi dibandingkan dengan target Renstra", "Results compared with the Renstra target"),
    "tahun_lalu": ("Realisasi dibandingkan dengan tahun sebelumnya", "Results compared with the previous year"),
    "benchmark": ("Realisasi dibandingkan dengan pembanding (benchmark)", "Results compared with a benchmark"),
    "analisis": (
        "Analisis penyebab dan tindak lanjut atas capaian di luar 100–120 %",
        "Causes and follow-up of results outside 100–120%",
    ),
    "efisiensi": ("Analisis efisiensi penggunaan sumber daya per sasaran", "Efficiency of resources per objective"),
    "berkala": ("Laporan kinerja berkala final tepat waktu", "Periodic performance reports final on time"),
    "tepat_waktu": (
        "Laporan ditandatangani (final) tepat waktu — diukur dari tanggal tanda tangan, penyampaiannya di luar Lapkin",
        "Report signed (final) on time — measured by the signing date; submission happens outside Lapkin",
    ),
    "rencana_aksi": (
        "Indikator dengan target triwulanan (Rencana Aksi)",
        "Indicators with quarterly targets (action plan)",
    ),
    "pengukuran_berkala": (
        "Triwulan yang rekap capaiannya lengkap (data semua unit masuk)",
        "Quarters whose results recap is complete (every unit's data in)",
    ),
}
_HUNDRED = Decimal(100)
QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}

LinkOf = Callable[[str], str | None]  # a code (indicator, unit, periode) → a link, or None


class Kurang(TypedDict):
    """One thing the check found lacking: what it is (code and name), why, and where to mend it."""

    kode: str
    nama: str
    alasan_id: str
    alasan_en: str
    tautan: str | None


class Cek(TypedDict):
    """One data check: `ada` of `dari` have what it asks; `cakupan` their percentage ("44.44"; None when dari is 0)."""

    kunci: str
    judul_id: str
    judul_en: str
    ada: int
    dari: int
    cakupan: str | None
    kurang: list[Kurang]


class Laporan(TypedDict):
    """A report of the year as the approval service knows it: drafted or not, and when it became final."""

    periode: str
    ada: bool  # a draft exists
    final_on: date | None  # the day (office's zone) it became final; None: not final
    tautan: str | None


def cakupan(ada: int, dari: int) -> str | None:
    """ada ÷ dari as a percentage, text with 2 places rounded half up ("44.44"); None when there is nothing."""
    if dari <= 0:
        return None
    return str(round_half_up(Decimal(ada) / Decimal(dari) * _HUNDRED, 2))


def cek(kunci: str, ada: int, dari: int, kurang: list[Kurang]) -> Cek:
    judul_id, judul_en = JUDUL[kunci]
    return {"kunci": kunci, "judul_id": judul_id, "judul_en": judul_en, "ada": ada, "dari": dari,
            "cakupan": cakupan(ada, dari), "kurang": kurang}  # fmt: skip


def _kurang(kode: str, nama: str, alasan_id: str, alasan_en: str, tautan: str | None = None) -> Kurang:
    return {"kode": kode, "nama": nama, "alasan_id": alasan_id, "alasan_en": alasan_en, "tautan": tautan}


def _dec(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return out if out.is_finite() else None


def pk_document(pk: PerjanjianKinerja | Mapping[str, Any]) -> Mapping[str, Any]:
    """The PK's document form (what the LKIP reads), from the typed PK or either JSON form."""
    return PerjanjianKinerja.read(pk).document()


def _indicators(pk: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [i for s in pk.get("sasaran") or [] for i in s.get("indikator") or []]


def _link(of: LinkOf | None, kode: str) -> str | None:
    return of(kode) if of is not None else None


def _has_target(entry: Mapping[str, Any]) -> bool:
    return _dec(entry.get("target")) is not None or (
        _dec(entry.get("target_min")) is not None and _dec(entry.get("target_max")) is not None
    )


# ---- indicator checks ----------------------------------------------------------------------------------------------


def target(pk: Mapping[str, Any], rekap: Mapping[str, Any], tautan: LinkOf | None = None) -> Cek:
    """Every PK indicator whose realisasi the recap compares with its annual target (a capaian, or a zero target's
    reason `target_nol`: the comparison made); lacking: no realisasi reported (link: `tautan(kode)`)."""
    rows = {str(r.get("kode")): r for r in rekap.get("indikator") or [] if isinstance(r, Mapping)}
    kurang: list[Kurang] = []
    indicators = _indicators(pk)
    for ind in indicators:
        kode, nama = str(ind["kode"]), str(ind.get("nama") or "")
        row = rows.get(kode)
        if row is None:
            kurang.append(_kurang(kode, nama, "tidak ada di rekap", "not in the recap", _link(tautan, kode)))
        elif _dec(row.get("realisasi")) is None:
            kurang.append(_kurang(kode, nama, "realisasi belum dilaporkan", "no result reported", _link(tautan, kode)))
        elif row.get("target") in (None, ""):
            kurang.append(_kurang(kode, nama, "tanpa target tahunan", "no annual target", _link(tautan, kode)))
    return cek("target", len(indicators) - len(kurang), len(indicators), kurang)


def _year_target(entries: Sequence[Mapping[str, Any]], tahun: int) -> bool:
    return any(int(e.get("tahun") or 0) == tahun and _has_target(e) for e in entries)


def renstra(pk: Mapping[str, Any], tahun: int, tautan: LinkOf | None = None) -> Cek:
    """Every PK indicator the LKIP compares with the Renstra: a `target_renstra` of the year or of the Renstra's last
    year, or a `target_akhir_renstra` (services/renderer/lkip.renstra_end)."""
    akhir = int((pk.get("renstra") or {}).get("tahun_akhir") or 0)
    kurang: list[Kurang] = []
    indicators = _indicators(pk)
    for ind in indicators:
        plan = list(ind.get("target_renstra") or [])
        if _year_target(plan, tahun) or (akhir and _year_target(plan, akhir)):
            continue
        if _dec(ind.get("target_akhir_renstra")) is not None:
            continue
        kode = str(ind["kode"])
        kurang.append(
            _kurang(kode, str(ind.get("nama") or ""), f"PK tanpa target Renstra ({tahun} atau akhir periode)",
                    f"the PK gives no Renstra target ({tahun} or the period's end)", _link(tautan, kode))
        )  # fmt: skip
    return cek("renstra", len(indicators) - len(kurang), len(indicators), kurang)


def tahun_lalu(pk: Mapping[str, Any], tahun: int, tautan: LinkOf | None = None) -> Cek:
    """Every PK indicator with last year's realisation (`realisasi_tahun_sebelumnya` of tahun − 1, else
    `realisasi_tahun_lalu`): what the LKIP's "compared with {tahun − 1}" sentence needs."""
    kurang: list[Kurang] = []
    indicators = _indicators(pk)
    for ind in indicators:
        past = ind.get("realisasi_tahun_sebelumnya") or []
        if any(int(e.get("tahun") or 0) == tahun - 1 and _dec(e.get("nilai")) is not None for e in past):
            continue
        if _dec(ind.get("realisasi_tahun_lalu")) is not None:
            continue
        kode = str(ind["kode"])
        kurang.append(
            _kurang(kode, str(ind.get("nama") or ""), f"PK tanpa realisasi tahun {tahun - 1}",
                    f"the PK gives no result for {tahun - 1}", _link(tautan, kode))
        )  # fmt: skip
    return cek("tahun_lalu", len(indicators) - len(kurang), len(indicators), kurang)


def benchmark(pk: Mapping[str, Any], tautan: LinkOf | None = None) -> Cek:
    """Every PK indicator with a benchmark value (PK `benchmark.nilai`); the worked example: 4 of 9."""
    kurang: list[Kurang] = []
    indicators = _indicators(pk)
    for ind in indicators:
        if _dec((ind.get("benchmark") or {}).get("nilai")) is not None:
            continue
        kode = str(ind["kode"])
        kurang.append(
            _kurang(kode, str(ind.get("nama") or ""), "PK tanpa pembanding (benchmark)",
                    "the PK gives no benchmark", _link(tautan, kode))
        )  # fmt: skip
    return cek("benchmark", len(indicators) - len(kurang), len(indicators), kurang)


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def analisis(rekap: Mapping[str, Any], tautan: LinkOf | None = None) -> Cek:
    """The recap's indicators with a capaian outside 100–120 % (shared.sakip.checks' LOW/HIGH) that carry a cause
    (`penyebab`) and a follow-up (`solusi` or `tindak_lanjut`) in the recap's `analisis`, from any quarter or unit."""
    said: dict[str, dict[str, bool]] = {}
    for a in rekap.get("analisis") or []:
        if not isinstance(a, Mapping) or not a.get("indikator"):
            continue
        got = said.setdefault(str(a["indikator"]), {"penyebab": False, "lanjut": False})
        got["penyebab"] |= _text(a.get("penyebab"))
        got["lanjut"] |= _text(a.get("solusi")) or _text(a.get("tindak_lanjut"))
    dari = 0
    kurang: list[Kurang] = []
    for row in rekap.get("indikator") or []:
        capaian = _dec(row.get("capaian")) if isinstance(row, Mapping) else None
        if capaian is None or LOW <= capaian <= HIGH:
            continue
        dari += 1
        kode = str(row["kode"])
        got = said.get(kode, {"penyebab": False, "lanjut": False})
        lacks = [k for k in ("penyebab", "lanjut") if not got[k]]
        if not lacks:
            continue
        shown = {lc: fmt_number(capaian, 2, lc) for lc in ("id", "en")}
        why_id = " dan ".join({"penyebab": "penyebab", "lanjut": "solusi/tindak lanjut"}[k] for k in lacks)
        why_en = " and ".join({"penyebab": "cause", "lanjut": "solution/follow-up"}[k] for k in lacks)
        kurang.append(
            _kurang(kode, str(row.get("nama") or ""), f"capaian {shown['id']} %, belum ada {why_id}",
                    f"achievement {shown['en']}%, no {why_en}", _link(tautan, kode))
        )  # fmt: skip
    return cek("analisis", dari - len(kurang), dari, kurang)


def efisiensi(pk: Mapping[str, Any], rekap: Mapping[str, Any], tautan: LinkOf | None = None) -> Cek:
    """The PK's sasaran whose efficiency the LKIP can show (its Tabel efisiensi): programmes with a pagu above 0 and
    a realisasi in the recap's `anggaran` (a programme's sasaran from the recap, else the PK), and a capaian."""
    programmes = {str(p.get("kode")): p for p in pk.get("program") or []}
    capaian = {str(s.get("kode")): _dec(s.get("capaian")) for s in rekap.get("sasaran") or [] if isinstance(s, Mapping)}
    kurang: list[Kurang] = []
    sasaran = list(pk.get("sasaran") or [])
    for s in sasaran:
        kode, nama = str(s.get("kode")), str(s.get("nama") or "")
        mine = [a for a in rekap.get("anggaran") or []
                if (a.get("sasaran") or programmes.get(str(a.get("kode")), {}).get("sasaran")) == kode]  # fmt: skip
        pagu = sum((_dec(a.get("pagu")) or Decimal(0) for a in mine), Decimal(0))
        if not mine:
            why = ("tidak ada program dengan anggaran", "no programme with a budget")
        elif not pagu or any(_dec(a.get("realisasi")) is None for a in mine):
            why = ("pagu atau realisasi anggaran belum ada", "budget or spending missing")
        elif capaian.get(kode) is None:
            why = ("capaian sasaran belum ada", "no achievement for the objective")
        else:
            continue
        kurang.append(_kurang(kode, nama, why[0], why[1], _link(tautan, kode)))
    return cek("efisiensi", len(sasaran) - len(kurang), len(sasaran), kurang)


def rencana_aksi(pk: Mapping[str, Any], tautan: LinkOf | None = None) -> Cek:
    """Every PK indicator with quarterly targets (its Rencana Aksi): four, at least one of them not zero."""
    kurang: list[Kurang] = []
    indicators = _indicators(pk)
    for ind in indicators:
        quarterly = list(ind.get("target_triwulan") or [])
        figures = [_dec(v) for t in quarterly for v in (t if isinstance(t, list) else [t])]
        if len(quarterly) == 4 and all(f is not None for f in figures) and any(figures):
            continue
        kode = str(ind["kode"])
        kurang.append(
            _kurang(kode, str(ind.get("nama") or ""), "PK tanpa target triwulanan", "the PK gives no quarterly targets",
                    _link(tautan, kode))
        )  # fmt: skip
    return cek("rencana_aksi", len(indicators) - len(kurang), len(indicators), kurang)


QUARTERS_OF: dict[str, tuple[str, ...]] = {
    "TAHUNAN": ("TW1", "TW2", "TW3", "TW4"),
    "S2": ("TW1", "TW2", "TW3", "TW4"),
    "S1": ("TW1", "TW2"),
}  # the quarters a report's periodic measurement covers


def pengukuran_berkala(
    tahun: int, periode: str, lengkap: Mapping[str, bool | None], tautan: Mapping[str, str | None] | None = None
) -> Cek:
    """The quarters of the report (QUARTERS_OF: a year's four) whose recap is complete — every unit's data in, so
    achievement was measured that quarter (criteria 1.c.4, 2.b.4: monitored/measured periodically). `lengkap`:
    quarter → True (a complete recap), False (a recap with data still missing), None or absent (no recap); lacking
    names the quarter and why (link: `tautan[quarter]`, e.g. its report's draft)."""
    kurang: list[Kurang] = []
    wanted = QUARTERS_OF.get(periode, ())
    for q in wanted:
        got = lengkap.get(q)
        if got:
            continue
        if got is None:
            why = ("belum ada rekap triwulan ini", "no recap of this quarter")
        else:
            why = ("rekap belum lengkap: data sebagian unit belum masuk", "recap incomplete: some units' data missing")
        kurang.append(_kurang(q, periode_label(q, tahun, "id"), why[0], why[1], (tautan or {}).get(q)))
    return cek("pengukuran_berkala", len(wanted) - len(kurang), len(wanted), kurang)


# ---- reports and deadlines -----------------------------------------------------------------------------------------


def batas(
    tahun: int, periode: str, *, tahunan: str = "02-28", triwulan_hari: int = 30, semester_hari: int = 30
) -> date:
    """The day the report of `periode` is due: a quarter's `triwulan_hari` days after it ends, a semester's
    `semester_hari` days after, the year's on `tahunan` (MM-DD) of the next year (29 Feb in a common year: 28)."""
    if periode == "TAHUNAN":
        month, day = (int(x) for x in tahunan.split("-"))
        try:
            return date(tahun + 1, month, day)
        except ValueError:
            return date(tahun + 1, month, day - 1)
    if periode.startswith("TW"):
        q, days = int(periode[2:]), triwulan_hari
    else:
        q, days = int(periode[1:]) * 2, semester_hari
    month, day = QUARTER_END[q]
    return date(tahun, month, day) + timedelta(days=days)


BERKALA_OF: dict[str, tuple[str, ...]] = {
    "TAHUNAN": ("TW1", "TW2", "TW3", "TW4", "S1", "S2"),
    "S2": ("TW1", "TW2", "TW3", "TW4", "S1"),
    "S1": ("TW1", "TW2"),
}  # the periodic reports before a report: a semester report has its own quarters (and S1) to check


def _late(final_on: date, due: date) -> tuple[str, str]:
    return (f"final {fmt_date(final_on, 'id')}, lewat batas {fmt_date(due, 'id')}",
            f"final on {fmt_date(final_on, 'en')}, after the deadline {fmt_date(due, 'en')}")  # fmt: skip


def berkala(tahun: int, periode: str, laporan: Mapping[str, Laporan], tenggat: Mapping[str, date]) -> Cek:
    """The periodic reports before this one (BERKALA_OF) final by their deadline (`tenggat`: periode → due day);
    lacking: not drafted, not final, or final late (link: the report's draft)."""
    kurang: list[Kurang] = []
    wanted = BERKALA_OF.get(periode, ())
    for p in wanted:
        got = laporan.get(p)
        nama = periode_label(p, tahun, "id")
        due = tenggat[p]
        if got is None or not got["ada"]:
            why = (f"belum ada drafnya (batas {fmt_date(due, 'id')})", f"not drafted (due {fmt_date(due, 'en')})")
        elif got["final_on"] is None:
            why = (f"belum final (batas {fmt_date(due, 'id')})", f"not final (due {fmt_date(due, 'en')})")
        elif got["final_on"] > due:
            why = _late(got["final_on"], due)
        else:
            continue
        kurang.append(_kurang(p, nama, why[0], why[1], got["tautan"] if got else None))
    return cek("berkala", len(wanted) - len(kurang), len(wanted), kurang)


def tepat_waktu(tahun: int, periode: str, final_on: date | None, due: date, tautan: str | None = None) -> Cek:
    """This report final (signed) by its deadline: 1 of 1, or 0 of 1 naming why (not final yet, or late)."""
    if final_on is not None and final_on <= due:
        return cek("tepat_waktu", 1, 1, [])
    if final_on is None:
        why = (f"belum final (batas {fmt_date(due, 'id')})", f"not final yet (due {fmt_date(due, 'en')})")
    else:
        why = _late(final_on, due)
    return cek("tepat_waktu", 0, 1, [_kurang(periode, periode_label(periode, tahun, "id"), why[0], why[1], tautan)])


def semua(
    pk: PerjanjianKinerja | Mapping[str, Any],
    rekap: Mapping[str, Any],
    *,
    tahun: int,
    periode: str,
    laporan: Mapping[str, Laporan],
    tenggat: Mapping[str, date],
    tautan_indikator: LinkOf | None = None,
    tautan_sasaran: LinkOf | None = None,
    rekap_lengkap: Mapping[str, bool | None] | None = None,
) -> dict[str, Cek]:
    """Every check of this module that applies to one report (`periode` of `tahun`; its recap `rekap`, the year's PK),
    in KEYS order: all for TAHUNAN, SEMESTER_KEYS for a semester. `laporan`: the year's reports by periode (this one
    too); `tenggat`: every periode's due day; `rekap_lengkap`: quarter → its recap complete (pengukuran_berkala)."""
    doc = pk_document(pk)
    this = laporan.get(periode)
    out = {
        "target": target(doc, rekap, tautan_indikator),
        "renstra": renstra(doc, tahun, tautan_indikator),
        "tahun_lalu": tahun_lalu(doc, tahun, tautan_indikator),
        "benchmark": benchmark(doc, tautan_indikator),
        "analisis": analisis(rekap, tautan_indikator),
        "efisiensi": efisiensi(doc, rekap, tautan_sasaran),
        "berkala": berkala(tahun, periode, laporan, tenggat),
        "tepat_waktu": tepat_waktu(
            tahun, periode, this["final_on"] if this else None, tenggat[periode], this["tautan"] if this else None
        ),  # fmt: skip
        "rencana_aksi": rencana_aksi(doc, tautan_indikator),
        "pengukuran_berkala": pengukuran_berkala(
            tahun, periode, rekap_lengkap or {}, {p: r["tautan"] for p, r in laporan.items()}
        ),
    }
    return out if periode == "TAHUNAN" else {key: c for key, c in out.items() if key in SEMESTER_KEYS}


# ---- indicators under target (one definition for the follow-up check, the follow-up page and the LKIP) -------------

BELOW_TARGET_PERIODS: tuple[str, ...] = ("TAHUNAN", "TW4", "TW3", "TW2", "TW1")  # the one shown: the latest


class BawahTarget(TypedDict):
    """An indicator under target in the year: capaian < 100 % in a quarter's newest recap or in the annual one.
    `periode`/`capaian`: the latest period it fell short in (the annual first); `periode_semua`: every one, in
    the year's order."""

    kode: str
    nama: str
    unit: str | None
    periode: str
    capaian: Decimal
    periode_semua: list[str]


def _capaian_below(row: Mapping[str, Any]) -> Decimal | None:
    try:
        capaian = Decimal(str(row.get("capaian")))
    except InvalidOperation:
        return None
    return capaian if capaian.is_finite() and capaian < 100 else None


def below_target(recaps: Mapping[str, Mapping[str, Any]]) -> list[BawahTarget]:
    """Every indicator under target in the year (`recaps`: periode → the newest recap document of TW1–TW4 and
    TAHUNAN, any may be missing), in the recaps' order of indicators. What counts as "under target" for the
    worksheet's follow-up criterion (3.c.3: information of the periodic reports used) and what the LKIP lists."""
    found: dict[str, BawahTarget] = {}
    for periode in BELOW_TARGET_PERIODS:
        for row in (recaps.get(periode) or {}).get("indikator") or []:
            if not isinstance(row, Mapping) or not row.get("kode"):
                continue
            capaian = _capaian_below(row)
            if capaian is None:
                continue
            kode = str(row["kode"])
            if kode in found:
                found[kode]["periode_semua"].insert(0, periode)
                continue
            unit = row.get("penanggung_jawab")
            found[kode] = {"kode": kode, "nama": str(row.get("nama") or ""), "unit": str(unit) if unit else None,
                           "periode": periode, "capaian": capaian, "periode_semua": [periode]}  # fmt: skip
    order = [
        str(row.get("kode"))
        for p in (*reversed(BELOW_TARGET_PERIODS[1:]), "TAHUNAN")
        for row in (recaps.get(p) or {}).get("indikator") or []
        if isinstance(row, Mapping)
    ]
    rank = {k: n for n, k in reversed(list(enumerate(order)))}
    for entry in found.values():  # TW1 … TW4, TAHUNAN
        entry["periode_semua"].sort(key=lambda p: (p == "TAHUNAN", p))
    return sorted(found.values(), key=lambda e: rank.get(e["kode"], len(rank)))
