"""Checks before approval (issue #15 items 1 and 5), pure functions on recap documents (the stored/served form).

- `analysis_missing(rekap)`: the indicators an evaluator asks "why?" about — capaian below 100 % or above 120 % —
  for which no unit sent a `penyebab` in the recap's `analisis`.
- `consistency(rekap, quarter_recaps)`: figures of one document that contradict each other, each a `Finding`:
  `serapan_anggaran`  the budget-absorption indicator (PK `kategori`) vs the cumulative absorption of the
                      programmes' budget (Bab III B: Σ realisasi / Σ pagu × 100) up to the period's last quarter;
  `tw4_tahunan`       the annual recap's realisasi or capaian vs TW IV's year-to-date (`*_sd`) of the same indicator;
  `cacah_desimal`     a count (desimal 0) with a fractional realisasi;
  `melebihi_pagu`     a programme's spending up to the period's last quarter above its pagu.
A check that lacks its data (an old recap without `kategori`/`desimal`, no quarter recaps) does not fire.
Messages are Indonesian and English with figures as people read them ("96,30 %", "96.30%"); `values` keeps the
figures as the recap writes them (text, "." decimals) for programs."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypedDict

from shared.formatting import fmt_number, fmt_rupiah, round_half_up
from shared.sakip.periode import PERIODE_QUARTERS

Rule = Literal["serapan_anggaran", "tw4_tahunan", "cacah_desimal", "melebihi_pagu"]
RULES: tuple[Rule, ...] = ("serapan_anggaran", "tw4_tahunan", "cacah_desimal", "melebihi_pagu")
LOW, HIGH = Decimal(100), Decimal(120)  # capaian outside [100, 120] wants an explanation
_HUNDRED = Decimal(100)


class Finding(TypedDict):
    """One inconsistency: its rule, the indicator (a programme's code for `melebihi_pagu`), the message in
    Indonesian and English, and the figures compared (as the recap writes them)."""

    rule: Rule
    indikator: str
    message_id: str
    message_en: str
    values: dict[str, str]


def _finding(rule: Rule, kode: str, message_id: str, message_en: str, values: dict[str, str]) -> Finding:
    return {"rule": rule, "indikator": kode, "message_id": message_id, "message_en": message_en, "values": values}


def _dec(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return out if out.is_finite() else None


def _rows(rekap: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [r for r in rekap.get("indikator") or [] if isinstance(r, Mapping) and r.get("kode")]


def _places(row: Mapping[str, Any]) -> int:
    desimal = row.get("desimal")
    return desimal if isinstance(desimal, int) and not isinstance(desimal, bool) and 0 <= desimal <= 4 else 2


def _num(value: Decimal, places: int, locale: str) -> str:
    return fmt_number(value, places, locale)


def _target(text: Any, places: int, locale: str) -> str:
    """A recap's target text ("83.00", a range "90.00-100.00") as people read it: "83,00", "90,00–100,00"."""
    raw = str(text)
    cut = raw.find("-", 1)  # a range's dash (a negative minimum's sign is at 0)
    parts = [raw[:cut], raw[cut + 1 :]] if cut > 0 else [raw]
    figures = [_dec(part) for part in parts]
    if any(f is None for f in figures):
        return raw
    return "–".join(_num(f, places, locale) for f in figures if f is not None)


def _pct(value: Decimal, locale: str) -> str:
    return f"{fmt_number(value, 2, locale)} %" if locale == "id" else f"{fmt_number(value, 2, locale)}%"


# ---- analysis ------------------------------------------------------------------------------------------------------


def analysis_missing(rekap: Mapping[str, Any]) -> list[str]:
    """The codes (PK order) of the indicators whose capaian is below 100 or above 120 and which have no `penyebab`
    in the recap's `analisis` (from any of the period's quarters and units)."""
    explained = {
        a.get("indikator")
        for a in rekap.get("analisis") or []
        if isinstance(a, Mapping) and isinstance(a.get("penyebab"), str) and a["penyebab"].strip()
    }
    out = []
    for row in _rows(rekap):
        capaian = _dec(row.get("capaian"))
        if capaian is not None and (capaian < LOW or capaian > HIGH) and row["kode"] not in explained:
            out.append(str(row["kode"]))
    return out


# ---- consistency ---------------------------------------------------------------------------------------------------


def _spending(rekap: Mapping[str, Any], quarter_recaps: Mapping[int, Mapping[str, Any]]) -> dict[str, Decimal] | None:
    """Each programme's spending from TW I to the period's last quarter: the quarter recaps' when all of them are
    there, else the recap's own when its quarters start at TW I (TW1, S1, TAHUNAN); None when it cannot be told."""
    quarters = PERIODE_QUARTERS.get(str(rekap.get("periode") or ""))
    if not quarters:
        return None
    through = range(1, max(quarters) + 1)
    sources: list[Mapping[str, Any]]
    if all(q in quarter_recaps and quarter_recaps[q].get("anggaran") is not None for q in through):
        sources = [quarter_recaps[q] for q in through]
    elif min(quarters) == 1 and rekap.get("anggaran") is not None:
        sources = [rekap]
    else:
        return None
    spent: dict[str, Decimal] = {}
    for source in sources:
        for a in source.get("anggaran") or []:
            real = _dec(a.get("realisasi"))
            if a.get("kode") and real is not None:
                spent[a["kode"]] = spent.get(a["kode"], Decimal(0)) + real
    return spent


def _pagu(rekap: Mapping[str, Any]) -> dict[str, tuple[str, Decimal]]:
    out = {}
    for a in rekap.get("anggaran") or []:
        pagu = _dec(a.get("pagu"))
        if a.get("kode") and pagu is not None:
            out[str(a["kode"])] = (str(a.get("nama") or a["kode"]), pagu)
    return out


def _serapan(rekap: Mapping[str, Any], spent: Mapping[str, Decimal] | None) -> list[Finding]:
    pagu = _pagu(rekap)
    total_pagu = sum((p for _, p in pagu.values()), Decimal(0))
    if spent is None or not total_pagu:
        return []
    total = round_half_up(sum((spent.get(k, Decimal(0)) for k in pagu), Decimal(0)) / total_pagu * _HUNDRED)
    out: list[Finding] = []
    for row in _rows(rekap):
        real = _dec(row.get("realisasi"))
        if row.get("kategori") != "serapan_anggaran" or real is None:
            continue
        if round_half_up(real, 2) == total:
            continue
        kode = str(row["kode"])
        out.append(
            _finding(
                "serapan_anggaran",
                kode,
                f"{kode} (serapan anggaran) {_pct(real, 'id')} tidak sama dengan serapan anggaran "
                f"kumulatif program {_pct(total, 'id')}: jelaskan selisihnya atau perbaiki data.",
                f"{kode} (budget absorption) {_pct(real, 'en')} differs from the programmes' "
                f"cumulative budget absorption {_pct(total, 'en')}: explain the difference or correct the data.",
                {"realisasi": str(real), "serapan_kumulatif": str(total)},
            )
        )
    return out


def _tw4(rekap: Mapping[str, Any], tw4: Mapping[str, Any] | None) -> list[Finding]:
    if rekap.get("periode") != "TAHUNAN" or tw4 is None:
        return []
    by_kode = {r["kode"]: r for r in _rows(tw4)}
    out: list[Finding] = []
    for row in _rows(rekap):
        q = by_kode.get(row["kode"])
        if q is None:
            continue
        kode, places = str(row["kode"]), _places(row)
        pairs = {
            "realisasi": (_dec(row.get("realisasi")), _dec(q.get("realisasi_sd"))),
            "capaian": (_dec(row.get("capaian")), _dec(q.get("capaian_sd"))),
        }
        differs = [k for k, (a, b) in pairs.items() if a is not None and b is not None and a != b]
        if not differs:
            continue
        parts_id, parts_en = [], []
        for key in differs:
            annual, to_date = pairs[key]
            assert annual is not None and to_date is not None  # differs holds only pairs of figures
            if key == "capaian":
                parts_id.append(f"capaian s.d. TW IV {_pct(to_date, 'id')} vs capaian tahunan {_pct(annual, 'id')}")
                parts_en.append(f"achievement to date at Q4 {_pct(to_date, 'en')} vs annual {_pct(annual, 'en')}")
            else:
                shown = _num(to_date, places, "id"), _num(annual, places, "id")
                parts_id.append(f"realisasi s.d. TW IV {shown[0]} vs realisasi tahunan {shown[1]}")
                parts_en.append(
                    f"value to date at Q4 {_num(to_date, places, 'en')} vs annual {_num(annual, places, 'en')}"
                )
        targets_id = targets_en = ""
        if "capaian" in differs and q.get("target_sd") and row.get("target") and q["target_sd"] != row["target"]:
            sd = {lc: _target(q["target_sd"], places, lc) for lc in ("id", "en")}
            annual_target = {lc: _target(row["target"], places, lc) for lc in ("id", "en")}
            targets_id = f" (target s.d. TW IV {sd['id']}, target tahunan {annual_target['id']})"
            targets_en = f" (target to date at Q4 {sd['en']}, annual target {annual_target['en']})"
        values = {f"{k}_tahunan": str(pairs[k][0]) for k in differs} | {
            f"{k}_sd_tw4": str(pairs[k][1]) for k in differs
        }
        out.append(
            _finding(
                "tw4_tahunan",
                kode,
                f"{kode}: {'; '.join(parts_id)}{targets_id} — jelaskan di analisis atau perbaiki.",
                f"{kode}: {'; '.join(parts_en)}{targets_en} — explain in the analysis or correct.",
                values,
            )
        )
    return out


def _cacah(rekap: Mapping[str, Any]) -> list[Finding]:
    out: list[Finding] = []
    for row in _rows(rekap):
        if row.get("desimal") != 0 or isinstance(row.get("desimal"), bool):
            continue
        for key in ("realisasi", "realisasi_sd"):
            real = _dec(row.get(key))
            if real is None or real == real.to_integral_value():
                continue
            kode, satuan = str(row["kode"]), str(row.get("satuan") or "")
            shown_id, shown_en = _num(real, 2, "id"), _num(real, 2, "en")
            out.append(
                _finding(
                    "cacah_desimal",
                    kode,
                    f"{kode}: realisasi{' s.d.' if key == 'realisasi_sd' else ''} {shown_id} "
                    f"{satuan} bukan bilangan bulat, padahal indikator ini dihitung tanpa desimal.".replace("  ", " "),
                    f"{kode}: the value{' to date' if key == 'realisasi_sd' else ''} {shown_en} "
                    f"{satuan} is not a whole number, yet this indicator is a count.".replace("  ", " "),
                    {key: str(real)},
                )
            )
            break  # one finding per indicator
    return out


def _melebihi(rekap: Mapping[str, Any], spent: Mapping[str, Decimal] | None) -> list[Finding]:
    out: list[Finding] = []
    for kode, (nama, pagu) in _pagu(rekap).items():
        real = (spent or {}).get(kode)
        if real is None:  # without the cumulative spending: the period's own
            real = next((_dec(a.get("realisasi")) for a in rekap.get("anggaran") or [] if a.get("kode") == kode), None)
        if real is None or real <= pagu:
            continue
        out.append(
            _finding(
                "melebihi_pagu",
                kode,
                f"{kode} {nama}: realisasi anggaran {fmt_rupiah(real, 'id')} melebihi pagu {fmt_rupiah(pagu, 'id')}.",
                f"{kode} {nama}: spending {fmt_rupiah(real, 'en')} exceeds the budget {fmt_rupiah(pagu, 'en')}.",
                {"realisasi": str(real), "pagu": str(pagu)},
            )
        )
    return out


def consistency(rekap: Mapping[str, Any], quarter_recaps: Mapping[int, Mapping[str, Any]]) -> list[Finding]:
    """Every inconsistency of the recap, rule by rule (RULES order), each in PK (or programme) order.
    `quarter_recaps`: the year's quarterly recaps by quarter (1–4) the recap is read against (may be partial)."""
    spent = _spending(rekap, quarter_recaps)
    return [
        *_serapan(rekap, spent),
        *_tw4(rekap, quarter_recaps.get(4)),
        *_cacah(rekap),
        *_melebihi(rekap, spent),
    ]
