"""What changed between two versions of a draft: every figure its document shows, shown as the page shows it (the
draft page's "Perubahan sejak versi sebelumnya")."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypedDict

import services.approval.web.i18n as i18n
import services.approval.web.present as present
from services.approval.queries import StoredRecap
from services.approval.web.i18n import t
from shared.formatting import MISSING, fmt_rupiah
from shared.sakip import JsonObject, roman

Row = Mapping[str, object]  # a row of the recap's document form: an indicator, a sasaran, a programme, the recap


class FieldChange(TypedDict):
    label: str
    old: str
    new: str


class IndicatorChanges(TypedDict):
    kode: object
    nama: object
    fields: list[FieldChange]


class TotalChanges(TypedDict):
    group: str
    kode: object
    nama: object
    fields: list[FieldChange]


class UnitRevision(TypedDict):
    unit: str
    triwulan: str
    revision: int


class Changes(TypedDict):
    """What changed between two versions (templates/draft.html's "Perubahan sejak versi sebelumnya")."""

    indicators: list[IndicatorChanges]
    totals: list[TotalChanges]
    units: list[UnitRevision]


INDICATOR_FIGURES = ("target", "realisasi", "capaian", "predikat")
CUMULATIVE_FIGURES = ("target_sd", "realisasi_sd", "capaian_sd", "predikat_sd")  # the "s.d." table
QUARTER_FIGURES = ("target", "realisasi", "capaian")  # the semester / annual report's rows per quarter
BUDGET_FIGURES = ("pagu", "realisasi", "persen")


def _same(old: Any, new: Any) -> bool:
    """Equal figures: as numbers when both are numbers ("7.2" is "7.20"), else as given."""
    a, b = present.decimal(old), present.decimal(new)
    if a is not None and b is not None:
        return a == b
    return (old if old != "" else None) == (new if new != "" else None)


def _show(field: str, value: Any, lang: str, ind: Row | None = None) -> str:
    """A figure as the page shows it: predikat by its label, money in rupiah, capaian and serapan with 2 decimals,
    target and realisasi with the indicator's decimals (`present.places_of`)."""
    if field.startswith("predikat"):
        return i18n.predikat(value, lang)
    if field in ("pagu", "realisasi_rp"):
        amount = present.decimal(value)
        return fmt_rupiah(amount, lang) if amount is not None else MISSING
    if ind is None or field.startswith("capaian") or field == "persen":
        return present.figure(value, lang)
    return present.figure(value, lang, present.places_of(ind))


def _diff(
    old: Row,
    new: Row,
    fields: tuple[str, ...],
    lang: str,
    label: Callable[[str], str],
    show_as: Callable[[str], str] | None = None,
    ind: Row | None = None,
) -> list[FieldChange]:
    out: list[FieldChange] = []
    for f in fields:
        if not _same(old.get(f), new.get(f)):
            shown = show_as(f) if show_as else f
            out.append(
                {
                    "label": label(f),
                    "old": _show(shown, old.get(f), lang, ind),
                    "new": _show(shown, new.get(f), lang, ind),
                }
            )
    return out


def _by_kode(items: object) -> dict[object, JsonObject]:
    rows: Iterable[object] = items if isinstance(items, list) else []
    return {i.get("kode"): i for i in rows if isinstance(i, dict)}


def _quarter_label(q: int, lang: str) -> Callable[[str], str]:
    """A quarter's row figure: "Realisasi TW II"."""
    return lambda f: f"{t(f'fig_{f}', lang)} {t('tw', lang)} {roman(q)}"


def changes(
    prev: StoredRecap,
    cur: StoredRecap,
    lang: str,
    prev_quarters: dict[int, JsonObject] | None = None,
    cur_quarters: dict[int, JsonObject] | None = None,
    names: dict[str, str] | None = None,
) -> Changes:
    """Every figure the document shows that differs between two recaps: per indicator its target, realisasi,
    capaian and predikat, the cumulative (s.d.) ones (not for TW1, whose document has no cumulative table) and, for a
    semester or the year, each quarter's row (`*_quarters`: the single quarters' recaps each version was drawn
    with); per sasaran and for the office capaian and predikat; per programme the budget (pagu, realisasi,
    serapan). Plus the units whose data came in a new revision."""
    old_rekap, new_rekap = prev.get("rekap", {}) or {}, cur.get("rekap", {}) or {}
    periode = str(new_rekap.get("periode") or old_rekap.get("periode") or "")
    before = _by_kode(old_rekap.get("indikator"))
    fields = INDICATOR_FIGURES + (CUMULATIVE_FIGURES if periode != "TW1" else ())
    prev_q, cur_q = prev_quarters or {}, cur_quarters or {}
    quarters = sorted(set(prev_q) & set(cur_q))
    indicators: list[IndicatorChanges] = []
    for ind in new_rekap.get("indikator", []):
        kode = ind.get("kode")
        old = before.get(kode, {})
        diffs = _diff(old, ind, fields, lang, lambda f: t(f"fig_{f}", lang), ind=ind)
        for q in quarters:
            qo, qn = (
                _by_kode(prev_q[q].get("indikator")).get(kode, {}),
                _by_kode(cur_q[q].get("indikator")).get(kode, {}),
            )
            diffs += _diff(
                qo,
                qn,
                QUARTER_FIGURES,
                lang,
                _quarter_label(q, lang),
                ind=ind,
            )
        if diffs:
            indicators.append({"kode": kode, "nama": ind.get("nama") or "", "fields": diffs})
    totals: list[TotalChanges] = []
    old_sasaran = _by_kode(old_rekap.get("sasaran"))
    for s in new_rekap.get("sasaran", []):
        diffs = _diff(
            old_sasaran.get(s.get("kode"), {}), s, ("capaian", "predikat"), lang, lambda f: t(f"fig_{f}", lang)
        )
        if diffs:
            totals.append(
                {"group": t("sasaran", lang), "kode": s.get("kode"), "nama": s.get("nama") or "", "fields": diffs}
            )
    diffs = _diff(
        old_rekap, new_rekap, ("capaian_instansi", "predikat_instansi"), lang,
        lambda f: t(f"fig_{f.removesuffix('_instansi')}", lang), show_as=lambda f: f.removesuffix("_instansi"),
    )  # fmt: skip
    if diffs:
        totals.append({"group": t("office_total", lang), "kode": "", "nama": "", "fields": diffs})
    old_budget = _by_kode(old_rekap.get("anggaran"))
    for prog in new_rekap.get("anggaran", []) or []:
        diffs = _diff(
            old_budget.get(prog.get("kode"), {}), prog, BUDGET_FIGURES, lang, lambda f: t(f"fig_budget_{f}", lang),
            show_as=lambda f: {"realisasi": "realisasi_rp"}.get(f, f),
        )  # fmt: skip
        if diffs:
            totals.append(
                {"group": t("program", lang), "kode": prog.get("kode"), "nama": prog.get("nama") or "", "fields": diffs}
            )
    old_inputs = prev.get("inputs", {})
    units: list[UnitRevision] = []
    for key, revision in sorted(cur.get("inputs", {}).items()):
        if old_inputs.get(key) != revision:
            triwulan, _, unit = key.partition(":")
            units.append({"unit": present.unit_label(unit, names or {}), "triwulan": triwulan, "revision": revision})
    return {"indicators": indicators, "totals": totals, "units": units}
