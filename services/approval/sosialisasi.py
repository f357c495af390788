"""Socialisation (SOP steps 5 and 8): the role that acts at that step (the Sub Koordinator) circulates a final
quarterly report (step 5) or a semester / annual draft (step 8) to chosen officials; each recipient's opening of it
records a read receipt (`SosialisasiAcknowledged`, once); the sender sees who has not read it yet.

The circulation and each read are also draft history entries (`sosialisasi`, `dibaca`), so the draft page shows them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from services.approval import limits
from services.approval.answers import PenerimaSosialisasi, Sosialisasi
from services.approval.disposisi import actor
from services.approval.models import DraftHistory, DraftRow, Official, SosialisasiPenerima, SosialisasiRow
from services.approval.oversight import oversees
from services.approval.workflow import Workflow
from shared.clock import as_utc
from shared.errors import ApiError, ErrorItem, api_error
from shared.events import catalogue as ev
from shared.inputguard import row_id
from shared.service import Runtime


def step_for(row: DraftRow) -> int:
    return 5 if row.jenis == "triwulan" else 8


def may_circulate(wf: Workflow, row: DraftRow, who: Official) -> bool:
    """Step 5 circulates the final quarterly report; step 8 a semester or annual draft still current."""
    try:
        role = wf.step(step_for(row)).role
    except KeyError:
        return False
    if who.role != role:
        return False
    return row.state == "final" if row.jenis == "triwulan" else row.state != "superseded"


def circulate(
    session: Session,
    rt: Runtime,
    wf: Workflow,
    sender: Official,
    draft_id: str,
    data: Any,
    *,
    now: datetime | None = None,
) -> SosialisasiRow:
    if not isinstance(data, dict):
        raise ApiError(422, [ErrorItem("body", "not_an_object", "body: harus objek", "body: must be an object")])
    row = session.get(DraftRow, draft_id)
    if row is None:
        raise api_error(404, "draft_id", "not_found", "Draf tidak ditemukan.", "Draft not found.")
    step = step_for(row)
    if sender.role != wf.step(step).role:
        raise api_error(
            403,
            None,
            "wrong_role",
            f"Sosialisasi langkah {step} dilakukan oleh {wf.role_name(wf.step(step).role)}.",
            f"Step {step}'s circulation is done by role {wf.step(step).role!r}.",
        )
    if not may_circulate(wf, row, sender):
        raise api_error(
            409,
            "draft_id",
            "not_circulable",
            "Laporan triwulan disosialisasikan setelah final; draf yang sudah diganti tidak dapat disosialisasikan.",
            "A quarterly report is circulated once final; a superseded draft cannot be circulated.",
        )
    raw = data.get("penerima")
    ids: list[int] = []
    errors: list[ErrorItem] = []
    for value in raw if isinstance(raw, list) else []:
        try:
            ids.append(row_id(value))
        except ValueError:
            errors.append(
                ErrorItem("penerima", "invalid", f"penerima tidak sah: {value}", f"invalid recipient: {value}")
            )
    ids = list(dict.fromkeys(i for i in ids if i != sender.id))
    if not ids and not errors:
        errors.append(
            ErrorItem("penerima", "required", "Pilih minimal satu pejabat penerima.", "Choose at least one official.")
        )
    for i in ids:
        o = session.get(Official, i)
        if o is None or not o.active:
            errors.append(ErrorItem("penerima", "not_found", f"pejabat {i} tidak ditemukan", f"no official {i}"))
        elif not (o.role in wf.roles and wf.roles[o.role].decides):  # the operator runs the system, reads no report
            errors.append(
                ErrorItem(
                    "penerima",
                    "not_an_official",
                    f"{o.nama} bukan pejabat penerima laporan (peran {o.role}).",
                    f"{o.nama} is not an official who receives reports (role {o.role}).",
                )  # fmt: skip
            )
    if (long := limits.too_long("catatan", data.get("catatan"))) is not None:
        errors.append(long)
    if errors:
        raise ApiError(422, errors)
    catatan = data.get("catatan")
    catatan = catatan.strip() if isinstance(catatan, str) and catatan.strip() else None
    now = now or datetime.now(UTC)
    sos = SosialisasiRow(
        draft_id=row.id, version=row.version, tahun=row.tahun, langkah=step, dari_id=sender.id or 0,
        catatan=catatan, sent_at=now,
    )  # fmt: skip
    session.add(sos)
    session.flush()
    assert sos.id is not None
    for i in ids:
        session.add(SosialisasiPenerima(sosialisasi_id=sos.id, official_id=i))
    names = [o.nama for i in ids if (o := session.get(Official, i))]
    session.add(
        DraftHistory(
            draft_id=row.id, version=row.version, action="sosialisasi", step=step, actor_id=sender.id,
            actor_nama=sender.nama, actor_role=sender.role, at=now,
            note=f"kepada {', '.join(names)}" + (f" — {catatan}" if catatan else ""),
        )
    )  # fmt: skip
    session.commit()
    session.refresh(sos)
    return sos


def acknowledge(
    session: Session, rt: Runtime, sos: SosialisasiRow, who: Official, *, now: datetime | None = None
) -> bool:
    """Record the recipient's first opening (and emit it); False when not a recipient or already read."""
    assert sos.id is not None and who.id is not None
    rec = session.get(SosialisasiPenerima, (sos.id, who.id))
    if rec is None or rec.read_at is not None:
        return False
    now = now or datetime.now(UTC)
    rec.read_at = now
    session.add(rec)
    session.add(
        DraftHistory(
            draft_id=sos.draft_id, version=sos.version, action="dibaca", step=sos.langkah, actor_id=who.id,
            actor_nama=who.nama, actor_role=who.role, at=now,
        )
    )  # fmt: skip
    payload = ev.SosialisasiAcknowledged(
        draft_id=sos.draft_id,
        version=sos.version,
        official=ev.Actor.model_validate(actor(who)),
        read_at=now.isoformat(),
    )
    rt.emit(session, "SosialisasiAcknowledged", payload.model_dump(mode="json"), correlation_id=f"sosialisasi:{sos.id}")
    session.commit()
    rt.committed()
    return True


def may_see(session: Session, sos: SosialisasiRow, who: Official) -> bool:
    """Who may see a circulation and its read receipts: its sender, its recipients, and the roles that oversee the
    SOP (`oversight.oversees`: the Sekretaris and the Kepala Dinas, the same rule as for dispositions). Not the
    operator, not other officials."""
    if who.id is None:
        return False
    if who.id == sos.dari_id or oversees(who):
        return True
    return session.get(SosialisasiPenerima, (sos.id, who.id)) is not None


NOT_ALLOWED = api_error(
    403,
    None,
    "not_allowed",
    "Tanda terima sosialisasi ini hanya dapat dilihat pengirim, penerimanya, Sekretaris Dinas, Kepala Dinas dan "
    "Inspektorat.",
    "Only the sender, the recipients, the Secretary, the Head of the office and the Inspectorate may see this "
    "circulation's receipts.",
)


def get(session: Session, sosialisasi_id: int) -> SosialisasiRow:
    row = session.get(SosialisasiRow, sosialisasi_id)
    if row is None:
        raise api_error(404, "id", "not_found", "Sosialisasi tidak ditemukan.", "Circulation not found.")
    return row


def status(session: Session, sos: SosialisasiRow) -> Sosialisasi:
    recs = session.exec(select(SosialisasiPenerima).where(SosialisasiPenerima.sosialisasi_id == sos.id))
    penerima: list[PenerimaSosialisasi] = []
    for r in recs:
        o = session.get(Official, r.official_id)
        penerima.append(
            {
                "id": r.official_id,
                "nama": o.nama if o else str(r.official_id),
                "role": o.role if o else None,
                "read_at": as_utc(r.read_at).isoformat() if r.read_at else None,
            }
        )
    sender = session.get(Official, sos.dari_id)
    return {
        "id": sos.id,
        "draft_id": sos.draft_id,
        "version": sos.version,
        "langkah": sos.langkah,
        "dari": actor(sender) if sender else {"id": sos.dari_id},
        "catatan": sos.catatan,
        "sent_at": as_utc(sos.sent_at).isoformat(),
        "penerima": penerima,
        "belum_dibaca": [p["nama"] for p in penerima if p["read_at"] is None],
    }


def for_draft(session: Session, draft_id: str) -> list[SosialisasiRow]:
    query = select(SosialisasiRow).where(SosialisasiRow.draft_id == draft_id)
    return list(session.exec(query.order_by(col(SosialisasiRow.id))))


def unread_for(session: Session, who: Official) -> list[SosialisasiRow]:
    query = (
        select(SosialisasiRow)
        .join(SosialisasiPenerima, col(SosialisasiPenerima.sosialisasi_id) == col(SosialisasiRow.id))
        .where(SosialisasiPenerima.official_id == who.id, col(SosialisasiPenerima.read_at).is_(None))
    )
    return list(session.exec(query.order_by(col(SosialisasiRow.sent_at).desc())))
