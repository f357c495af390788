"""The checks before approval (issue #15 items 1 and 5) as the approval service shows them: on a draft (its page,
next to the decision, and GET /api/v1/drafts/{id}) and, for the analysis, on the board of the year's quarters
(the compliance page). The rules are shared.sakip.checks'; this reads the recap revisions the service keeps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from sqlmodel import Session

from services.approval import queries
from services.approval.answers import AnalisisBelumAda, Pemeriksaan, Temuan
from services.approval.models import DraftRow
from shared.sakip import JsonObject
from shared.sakip.checks import analysis_missing, consistency


def of_recap(rekap: Mapping[str, Any], quarters: Mapping[int, JsonObject]) -> Pemeriksaan:
    """The recap's indicators without analysis (with name, unit and capaian) and its consistency findings."""
    rows = {str(r.get("kode")): r for r in rekap.get("indikator") or [] if isinstance(r, Mapping)}
    missing: list[AnalisisBelumAda] = [
        {
            "indikator": kode,
            "nama": str(rows[kode].get("nama") or ""),
            "unit": rows[kode].get("penanggung_jawab"),
            "capaian": rows[kode].get("capaian"),
        }
        for kode in analysis_missing(rekap)
    ]
    findings: list[Temuan] = [{**f} for f in consistency(rekap, quarters)]
    return {"analisis_belum_ada": missing, "konsistensi": findings}


def for_draft(db: Session, row: DraftRow | None) -> Pemeriksaan:
    """The checks of the recap revision the draft's version was drawn from (nothing without one)."""
    if row is None or (recap := queries.recap(db, row.tahun, row.periode, row.recap_revision)) is None:
        return {"analisis_belum_ada": [], "konsistensi": []}
    return of_recap(recap.get("rekap", {}), queries.recaps_to_date(db, row.tahun, recap))


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
            out.append({"periode": f"TW{q}", **m})
    return out
