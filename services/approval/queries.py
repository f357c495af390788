"""The approval service's reads for its pages (the officials' web app): a draft's recaps, the officials one may send
to, the years with records, whether a draft is due for circulation. SQL only here; what the pages make of it is in
services/approval/web/presenters/."""

from __future__ import annotations

import json
from typing import TypedDict

from sqlmodel import Session, col, select

from services.approval import disposisi, domain, handlers, kepatuhan, sosialisasi
from services.approval.models import DraftRow, DraftVersionRow, Official, RekapRow
from services.approval.workflow import Workflow
from shared import clock
from shared.sakip import JsonObject


class StoredRecap(TypedDict):
    """A recap revision as the service keeps it (RekapRow.body, JSON): the recap's document form (GET /rekap's, what
    the draft page and its changes read) and the input revisions it was drawn from ("<triwulan>:<unit>" → revision)."""

    rekap: JsonObject
    inputs: dict[str, int]


def recap(db: Session, tahun: int, periode: str, revision: int | None) -> StoredRecap | None:
    if revision is None:
        return None
    row = db.get(RekapRow, (tahun, periode, revision))
    return stored(row.body) if row else None


def stored(body: str) -> StoredRecap:
    recap: StoredRecap = json.loads(body)
    return recap


def previous_recap(db: Session, row: DraftRow) -> tuple[int | None, StoredRecap | None]:
    """The recap of the draft's previous version: its recorded recap revision, or for drafts made before versions
    were recorded the newest complete revision older than this version's."""
    if row.version <= 1:
        return None, None
    prev = db.exec(
        select(DraftVersionRow)
        .where(DraftVersionRow.draft_id == row.id, DraftVersionRow.version < row.version)
        .order_by(col(DraftVersionRow.version).desc())
    ).first()
    if prev is not None:
        return prev.version, recap(db, row.tahun, row.periode, prev.recap_revision)
    older = db.exec(
        select(RekapRow)
        .where(
            RekapRow.tahun == row.tahun,
            RekapRow.periode == row.periode,
            RekapRow.revision < row.recap_revision,
            RekapRow.status == "complete",
        )
        .order_by(col(RekapRow.revision).desc())
    ).first()
    return row.version - 1, (stored(older.body) if older else None)


def quarter_recaps(db: Session, tahun: int, recap: StoredRecap | None) -> dict[int, JsonObject]:
    """For a semester or annual recap, the recap of each of its quarters drawn from the same data: the newest
    revision of TWq whose inputs are the period recap's inputs of quarter q (the document's rows per quarter)."""
    if not recap:
        return {}
    periode = str(recap.get("rekap", {}).get("periode") or "")
    quarters = domain.QUARTERS.get(periode, ())
    if len(quarters) < 2:
        return {}
    inputs = recap.get("inputs") or {}
    out: dict[int, JsonObject] = {}
    for q in quarters:
        want = {k: v for k, v in inputs.items() if k.startswith(f"{q}:")}
        rows = db.exec(
            select(RekapRow)
            .where(RekapRow.tahun == tahun, RekapRow.periode == f"TW{q}")
            .order_by(col(RekapRow.revision).desc())
        )
        for rec in rows:
            body = stored(rec.body)
            if (body.get("inputs") or {}) == want:
                out[q] = body.get("rekap", {})
                break
    return out


def recaps_to_date(db: Session, tahun: int, recap: StoredRecap | None) -> dict[int, JsonObject]:
    """The quarter recaps from TW I to the recap's last quarter, as the checks before approval read it against: a
    quarter's own recap is itself, a semester's or the year's quarters those it was drawn from (`quarter_recaps`),
    and a quarter before the period the newest revision of that quarter's recap."""
    if not recap:
        return {}
    periode = str(recap.get("rekap", {}).get("periode") or "")
    quarters = domain.QUARTERS.get(periode, ())
    if not quarters:
        return {}
    out = quarter_recaps(db, tahun, recap)
    if len(quarters) == 1:
        out[quarters[0]] = recap.get("rekap", {})
    for q in range(1, max(quarters) + 1):
        if q in out:
            continue
        newest = newest_recap(db, tahun, f"TW{q}")
        if newest is not None:
            out[q] = newest.get("rekap", {})
    return out


def newest_recap(db: Session, tahun: int, periode: str) -> StoredRecap | None:
    """The period's newest recap revision the service has received."""
    row = db.exec(
        select(RekapRow)
        .where(RekapRow.tahun == tahun, RekapRow.periode == periode)
        .order_by(col(RekapRow.revision).desc())
    ).first()
    return stored(row.body) if row else None


def active_officials(db: Session) -> list[Official]:
    """Every active official, by name."""
    return list(db.exec(select(Official).where(Official.active == True).order_by(col(Official.nama))))  # noqa: E712


def circulation_due(wf: Workflow, row: DraftRow, official: Official, db: Session) -> bool:
    """The circulation is this official's next step (SOP step 5: a final quarterly report; step 8: a semester or
    annual draft at step 8) and this version has not been circulated yet."""
    if not sosialisasi.may_circulate(wf, row, official):
        return False
    if row.jenis != "triwulan" and domain.current_step(wf, handlers.to_domain(row)) != sosialisasi.step_for(row):
        return False
    return not any(s.version == row.version for s in sosialisasi.for_draft(db, row.id))


def years_with_records(db: Session) -> list[int]:
    """Every year a draft, a disposisi or a circulation belongs to, newest first."""
    found: set[int] = set()
    for model in (DraftRow, disposisi.DisposisiRow, sosialisasi.SosialisasiRow):
        found.update(y for y in db.exec(select(model.tahun).distinct()) if isinstance(y, int))
    return sorted(found, reverse=True)


def newest_measured(db: Session, wf: Workflow, years: list[int]) -> int:
    """The year the page opens on: the newest with a measured step, else the newest with any record, else this
    year (the calendar year has often nothing yet: its first quarter is reported in April)."""
    for year in years:
        if any(r["n"] for r in kepatuhan.report(db, wf, year)):
            return year
    return years[0] if years else clock.office_date().year
