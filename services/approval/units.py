"""Units by name: the recap's unit list (`rekap.units`, the PK's), then the collector's reminders
(`SubmissionOverdue.nama_unit`). Used by the pages (web/present.py) and by the refusals that name units
(handlers.decide)."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from services.approval.models import PengingatRow, RekapRow


def unit_names(db: Session, tahun: int | None = None) -> dict[str, str]:
    """Unit code → name: the newest recap that lists the units (the year's first), then the reminders' names."""
    names: dict[str, str] = {}
    for reminder in db.exec(select(PengingatRow).where(col(PengingatRow.nama_unit).is_not(None))):
        if reminder.nama_unit:
            names.setdefault(reminder.unit, reminder.nama_unit)
    query = select(RekapRow).order_by(col(RekapRow.tahun).desc(), col(RekapRow.revision).desc())
    if tahun is not None:
        query = query.where(RekapRow.tahun == tahun)
    row = db.exec(query.limit(1)).first()
    if row is not None:
        units = json.loads(row.body).get("rekap", {}).get("units")
        if isinstance(units, dict):
            names.update({str(k): str(v) for k, v in units.items() if v})
    if tahun is not None and not names:
        return unit_names(db, None)
    return names
