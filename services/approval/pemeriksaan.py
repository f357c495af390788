"""The checks before approval (issue #15 items 1 and 5) as the approval service shows them: on a draft (its page,
next to the decision, and GET /api/v1/drafts/{id}) and, for the analysis, on the board of the year's quarters
(the compliance page). The rules are shared.sakip.checks'; this reads the recap revisions the service keeps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from sqlmodel import Session

from services.approval import queries
from services.approval.answers import AnalisisBelumAda, Pemeriksaan, Penjelasan, Temuan
from services.approval.models import DraftRow
from services.approval.units import unit_names
from shared.sakip import JsonObject
from shared.sakip.checks import analysis_missing, consistency

# what the approver may do about a finding, naming the unit that answers for it (the indicator's penanggung jawab):
# ask it (the decision "Kembalikan", with the reason), or approve with a note that says why (the note is printed on
# the final's Lembar Pengesahan)
ACTIONS: dict[str, tuple[str, str]] = {
    "analisis_belum_ada": (
        "Minta analisis penyebab dari {unit} (Kembalikan dengan alasan), atau setujui dengan catatan yang "
        "menjelaskan penyebabnya.",
        "Ask {unit} for the analysis of causes (Return, with the reason), or approve with a note that explains the "
        "cause.",
    ),
    "cacah_desimal": (
        "Minta {unit} memperbaiki datanya (Kembalikan dengan alasan), atau setujui dengan catatan yang menjelaskan "
        "angkanya.",
        "Ask {unit} to correct the data (Return, with the reason), or approve with a note that explains the figure.",
    ),
    "melebihi_pagu": (
        "Minta penjelasan {unit} (Kembalikan dengan alasan), atau setujui dengan catatan yang menjelaskan "
        "kelebihannya.",
        "Ask {unit} to explain (Return, with the reason), or approve with a note that explains the excess.",
    ),
}
ACTION_DEFAULT = (  # serapan_anggaran, tw4_tahunan: two figures that should agree
    "Minta penjelasan {unit} (Kembalikan dengan alasan), atau setujui dengan catatan yang menjelaskan selisihnya.",
    "Ask {unit} to explain (Return, with the reason), or approve with a note that explains the difference.",
)
NO_UNIT = ("unit penanggung jawab", "the responsible unit")
ANALYSIS_TEXTS = ("penyebab", "kendala", "solusi", "tindak_lanjut")


def _action(rule: str, unit: str | None, unit_nama: str | None) -> tuple[str, str]:
    text_id, text_en = ACTIONS.get(rule, ACTION_DEFAULT)
    name = unit_nama or unit
    return text_id.format(unit=name or NO_UNIT[0]), text_en.format(unit=name or NO_UNIT[1])


def _explanations(rekap: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, list[Penjelasan]]:
    """Per indicator, what its units wrote about it in the period (the recap's `analisis`: quarter, unit, texts)."""
    out: dict[str, list[Penjelasan]] = {}
    for a in rekap.get("analisis") or []:
        if not isinstance(a, Mapping) or not a.get("indikator"):
            continue
        texts = {k: str(a[k]).strip() for k in ANALYSIS_TEXTS if isinstance(a.get(k), str) and a[k].strip()}
        if not texts:
            continue
        unit = str(a["unit"]) if a.get("unit") else None
        triwulan = a.get("triwulan")
        out.setdefault(str(a["indikator"]), []).append(
            {
                "triwulan": triwulan if isinstance(triwulan, int) and not isinstance(triwulan, bool) else None,
                "unit": unit,
                "unit_nama": names.get(unit) if unit else None,
                **{k: texts.get(k) for k in ANALYSIS_TEXTS},  # type: ignore[typeddict-item]
            }
        )
    return out


def of_recap(
    rekap: Mapping[str, Any], quarters: Mapping[int, JsonObject], names: Mapping[str, str] | None = None
) -> Pemeriksaan:
    """The recap's indicators without analysis (with name, unit and capaian) and its consistency findings, each
    with the unit that answers for it (`names`: unit code → name), what the approver may do about it, and what the
    unit already wrote about that indicator in the period."""
    names = names or {}
    if isinstance(rekap.get("units"), Mapping):  # a recap that lists its units names them first
        names = {**names, **{str(k): str(v) for k, v in rekap["units"].items() if v}}
    rows = {str(r.get("kode")): r for r in rekap.get("indikator") or [] if isinstance(r, Mapping)}
    programmes = {str(a.get("kode")): a for a in rekap.get("anggaran") or [] if isinstance(a, Mapping)}
    said = _explanations(rekap, names)

    def unit_of(rule: str, kode: str) -> str | None:
        owner = (programmes if rule == "melebihi_pagu" else rows).get(kode, {})
        value = owner.get("unit" if rule == "melebihi_pagu" else "penanggung_jawab")
        return str(value) if value else None

    missing: list[AnalisisBelumAda] = []
    for kode in analysis_missing(rekap):
        unit = unit_of("analisis_belum_ada", kode)
        tindakan_id, tindakan_en = _action("analisis_belum_ada", unit, names.get(unit or ""))
        missing.append(
            {
                "indikator": kode,
                "nama": str(rows[kode].get("nama") or ""),
                "unit": unit,
                "unit_nama": names.get(unit) if unit else None,
                "capaian": rows[kode].get("capaian"),
                "tindakan_id": tindakan_id,
                "tindakan_en": tindakan_en,
                "penjelasan": said.get(kode, []),
            }
        )
    findings: list[Temuan] = []
    for f in consistency(rekap, quarters):
        unit = unit_of(f["rule"], f["indikator"])
        tindakan_id, tindakan_en = _action(f["rule"], unit, names.get(unit or ""))
        findings.append(
            {
                **f,
                "unit": unit,
                "unit_nama": names.get(unit) if unit else None,
                "tindakan_id": tindakan_id,
                "tindakan_en": tindakan_en,
                "penjelasan": [] if f["rule"] == "melebihi_pagu" else said.get(f["indikator"], []),
            }
        )
    return {"analisis_belum_ada": missing, "konsistensi": findings}


def for_draft(db: Session, row: DraftRow | None) -> Pemeriksaan:
    """The checks of the recap revision the draft's version was drawn from (nothing without one)."""
    if row is None or (recap := queries.recap(db, row.tahun, row.periode, row.recap_revision)) is None:
        return {"analisis_belum_ada": [], "konsistensi": []}
    quarters = queries.recaps_to_date(db, row.tahun, recap)
    return of_recap(recap.get("rekap", {}), quarters, unit_names(db, row.tahun))


class BoardEntry(TypedDict):
    """A quarter's indicator without analysis, on the board: which quarter, which indicator, whose."""

    periode: str
    indikator: str
    nama: str
    unit: str | None
    capaian: str | None


def board(db: Session, tahun: int) -> list[BoardEntry]:
    """Per quarter of the year (its newest recap revision), the indicators outside 100–120 % no unit explained."""
    out: list[BoardEntry] = []
    for q in (1, 2, 3, 4):
        newest = queries.newest_recap(db, tahun, f"TW{q}")
        if newest is None:
            continue
        rekap = newest.get("rekap", {})
        for m in of_recap(rekap, {})["analisis_belum_ada"]:
            out.append({"periode": f"TW{q}", "indikator": m["indikator"], "nama": m["nama"], "unit": m["unit"],
                        "capaian": m["capaian"]})  # fmt: skip
    return out
