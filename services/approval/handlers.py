"""The approval service's use cases (SOP steps 4–5, 7–9): drafts arrive from the renderer, officials decide
along the workflow file's chain, and every transition is an event with actor, time and note."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select

from services.approval import domain, limits
from services.approval.models import DraftHistory, DraftRow, DraftVersionRow, Official, PengingatRow, RekapRow
from services.approval.workflow import Workflow
from shared.errors import ApiError, ErrorItem, api_error
from shared.events import catalogue as ev
from shared.events.envelope import Envelope
from shared.service import Caller, Runtime


def to_domain(row: DraftRow) -> domain.Draft:
    return domain.Draft.from_dict(json.loads(row.data))


def official_row(session: Session, caller: Caller) -> Official:
    row = session.get(Official, int(caller.id)) if caller.kind == "official" else None
    if row is None or not row.active:
        raise api_error(
            403, None, "not_an_official", "Hanya pejabat yang dapat memutuskan.", "Only officials can decide."
        )
    assert row.id is not None
    return row


def official_of(session: Session, caller: Caller) -> domain.Official:
    row = official_row(session, caller)
    assert row.id is not None
    return domain.Official(id=row.id, role=row.role, unit=row.unit, nama=row.nama, nip=row.nip, jabatan=row.jabatan)


def public(wf: Workflow, row: DraftRow, who: domain.Official | None) -> dict[str, Any]:
    draft = to_domain(row)
    step = domain.current_step(wf, draft)
    return {
        "id": row.id,
        "jenis": row.jenis,
        "tahun": row.tahun,
        "periode": row.periode,
        "version": row.version,
        "document_id": row.document_id,
        "recap_revision": row.recap_revision,
        "state": row.state,
        "step": step,
        "acting_role": domain.acting_role(wf, draft) if row.state != "final" else None,
        "stage_started_at": row.stage_started_at.isoformat(),
        "may_approve": bool(who and row.state != "final" and domain.may_act(wf, draft, who)),
        "may_return": bool(who and row.state != "final" and domain.may_return(wf, draft, who)),
    }


def list_drafts(
    session: Session, wf: Workflow, who: domain.Official | None, tahun: int | None, periode: str | None
) -> list[dict[str, Any]]:
    query = select(DraftRow)
    if tahun is not None:
        query = query.where(DraftRow.tahun == tahun)
    if periode is not None:
        query = query.where(DraftRow.periode == periode)
    rows = session.exec(query.order_by(col(DraftRow.tahun), col(DraftRow.periode)))
    return [public(wf, row, who) for row in rows]


def history(session: Session, draft_id: str) -> list[dict[str, Any]]:
    rows = session.exec(select(DraftHistory).where(DraftHistory.draft_id == draft_id).order_by(col(DraftHistory.id)))
    return [
        {
            "version": h.version,
            "action": h.action,
            "step": h.step,
            "actor": h.actor_nama,
            "role": h.actor_role,
            "note": h.note,
            "at": h.at.isoformat(),
            **(json.loads(h.detail) if h.detail else {}),
        }
        for h in rows
    ]


def decide(session: Session, rt: Runtime, wf: Workflow, caller: Caller, draft_id: str, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ApiError(422, [ErrorItem("body", "not_an_object", "body: harus objek", "body: must be an object")])
    limits.check(body, "note")  # services/approval/limits.py: the web form's maxlength says the same
    row = session.exec(select(DraftRow).where(DraftRow.id == draft_id).with_for_update()).first()
    if row is None:
        raise api_error(404, "id", "not_found", "Draf tidak ditemukan.", "Draft not found.")
    who = official_of(session, caller)
    version = body.get("version")
    now = datetime.now(UTC)
    units, indikator = _strings(body.get("units")), _strings(body.get("indikator"))
    if body.get("decision") == "return" and (units or indikator):
        units = _koreksi_units(session, row, units, indikator)
    try:
        decision = domain.decide(
            wf,
            to_domain(row),
            who,
            str(body.get("decision")),
            body.get("note"),
            version=version if isinstance(version, int) else None,
            now=now,
            units=units,
            indikator=indikator,
        )
    except domain.DomainError as exc:
        field = {
            "reason_required": "note", "invalid_decision": "decision", "draft_moved_on": "version",
            "other_unit": "units",
        }.get(exc.rule)  # fmt: skip
        raise api_error(exc.status, field, exc.rule, exc.message_id, exc.message_en) from exc
    row.data, row.state, row.updated_at = json.dumps(decision.draft.to_dict()), decision.draft.state, now
    row.stage_started_at = now
    session.add(row)
    session.add(
        DraftHistory(
            draft_id=row.id,
            version=row.version,
            action=decision.action,
            step=decision.step,
            actor_id=int(who.id),
            actor_nama=who.nama,
            actor_role=who.role,
            note=decision.note,
            at=now,
            detail=json.dumps({"units": list(decision.units), "indikator": list(decision.indikator)})
            if decision.units or decision.indikator
            else None,
        )
    )
    if decision.event:
        payload = ev.DraftDecision(
            draft_id=row.id,
            tahun=row.tahun,
            periode=row.periode,
            jenis=row.jenis,
            version=row.version,
            step=decision.step,
            actor=ev.Actor(**decision.actor),
            note=decision.note,
            final=decision.final,
            chain=[dict(c) for c in decision.chain],
            units=list(decision.units),
            indikator=list(decision.indikator),
        )
        rt.emit(session, decision.event, payload.model_dump(mode="json"), correlation_id=_correlation(row))
    session.commit()
    rt.committed()
    return public(wf, row, who)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip() for v in value if str(v).strip()] if isinstance(value, list) else []


def recap_of(session: Session, row: DraftRow) -> dict[str, Any]:
    rec = session.get(RekapRow, (row.tahun, row.periode, row.recap_revision))
    return json.loads(rec.body).get("rekap", {}) if rec else {}


def units_of(recap: dict[str, Any]) -> dict[str, list[str]]:
    """unit -> the indicators it answers for (the recap's `penanggung_jawab`)."""
    out: dict[str, list[str]] = {}
    for ind in recap.get("indikator", []):
        if ind.get("penanggung_jawab"):
            out.setdefault(ind["penanggung_jawab"], []).append(ind.get("kode"))
    return out


def _koreksi_units(session: Session, row: DraftRow, units: list[str], indikator: list[str]) -> list[str]:
    """The named units plus the units answering for the named indicators; unknown codes are refused (422)."""
    by_unit = units_of(recap_of(session, row))
    if not by_unit:  # no recap to check against: take the names as given
        return units
    owner = {kode: unit for unit, kodes in by_unit.items() for kode in kodes}
    errors = [
        ErrorItem("units", "unknown_unit", f"unit tidak dikenal: {u}", f"unknown unit: {u}")
        for u in units
        if u not in by_unit
    ] + [
        ErrorItem("indikator", "unknown_indikator", f"indikator tidak dikenal: {i}", f"unknown indicator: {i}")
        for i in indikator
        if i not in owner
    ]
    if errors:
        raise ApiError(422, errors)
    return list(dict.fromkeys([*units, *(owner[i] for i in indikator)]))


def _correlation(row: DraftRow) -> str:
    return f"draft:{row.id}:v{row.version}"


def make_handlers(rt: Runtime, wf: Workflow) -> dict[str, Any]:
    def on_draft_rendered(session: Session, env: Envelope, p: ev.DraftRendered) -> None:
        """A new draft version starts its chain again and supersedes the one under review."""
        row = session.get(DraftRow, p.draft_id)
        if row is not None and (row.version >= p.version or row.state == "final"):
            return
        if row is None:
            draft = domain.new_draft(
                wf, id=p.draft_id, jenis=p.jenis, periode=p.periode, version=p.version, tahun=p.tahun
            )
            row = DraftRow(
                id=p.draft_id,
                jenis=p.jenis,
                tahun=p.tahun,
                periode=p.periode,
                version=p.version,
                document_id=p.document_id,
                recap_revision=p.recap_revision,
                state=draft.state,
                data="",
            )
        else:
            waiting_at = domain.current_step(wf, to_domain(row))  # the step whose work the new version ends
            old, draft = domain.supersede(to_domain(row), p.version)
            session.add(
                DraftHistory(
                    draft_id=row.id,
                    version=row.version,
                    action="superseded",
                    step=waiting_at,
                    note=f"diganti versi {p.version}",
                )
            )
        now = datetime.now(UTC)
        row.version, row.document_id, row.recap_revision = p.version, p.document_id, p.recap_revision
        row.state, row.data, row.stage_started_at, row.updated_at = draft.state, json.dumps(draft.to_dict()), now, now
        session.add(row)
        session.add(
            DraftHistory(
                draft_id=row.id, version=p.version, action="rendered", step=domain.current_step(wf, draft), at=now
            )
        )
        if session.get(DraftVersionRow, (row.id, p.version)) is None:
            session.add(
                DraftVersionRow(
                    draft_id=row.id,
                    version=p.version,
                    document_id=p.document_id,
                    recap_revision=p.recap_revision,
                    rendered_at=now,
                )
            )

    def on_rekap_completed(session: Session, env: Envelope, p: ev.RekapCompleted) -> None:
        """Keep every recap revision: a draft version shows the one it was drawn from (the web app's draft page)."""
        if session.get(RekapRow, (p.tahun, p.periode, p.revision)) is not None:
            return
        body = json.dumps({"rekap": p.rekap, "inputs": p.inputs})
        session.add(RekapRow(tahun=p.tahun, periode=p.periode, revision=p.revision, status=p.status, body=body))
        if p.periode.startswith("TW"):
            settle_pengingat(session, p.tahun, p.periode, p.rekap)

    def on_submission_overdue(session: Session, env: Envelope, p: ev.SubmissionOverdue) -> None:
        """Keep the reminder per unit, quarter and kind; what the newest recap already shows reported is settled."""
        row = session.get(PengingatRow, (p.tahun, p.periode, p.unit, p.jenis)) or PengingatRow(
            tahun=p.tahun, periode=p.periode, unit=p.unit, jenis=p.jenis, deadline=env.occurred_at, missing="[]"
        )
        row.deadline = datetime.fromisoformat(p.deadline)
        row.missing, row.received_at, row.selesai_at = json.dumps(p.missing_indikator), env.occurred_at, None
        row.nama_unit = p.nama_unit
        session.add(row)
        session.flush()
        latest = session.exec(
            select(RekapRow)
            .where(RekapRow.tahun == p.tahun, RekapRow.periode == p.periode)
            .order_by(col(RekapRow.revision).desc())
            .limit(1)
        ).first()
        if latest is not None:
            settle_pengingat(session, p.tahun, p.periode, json.loads(latest.body)["rekap"])

    return {
        "DraftRendered": on_draft_rendered,
        "RekapCompleted": on_rekap_completed,
        "SubmissionOverdue": on_submission_overdue,
    }


def settle_pengingat(session: Session, tahun: int, periode: str, rekap: dict[str, Any]) -> None:
    """Strike from the quarter's reminders every indicator the recap shows reported; a reminder with nothing left
    is settled (`selesai_at`)."""
    reported = {i["kode"] for i in rekap.get("indikator", []) if i.get("realisasi") is not None}
    rows = session.exec(select(PengingatRow).where(PengingatRow.tahun == tahun, PengingatRow.periode == periode))
    now = datetime.now(UTC)
    for row in rows:
        missing = json.loads(row.missing)
        left = [m for m in missing if m not in reported]
        if left == missing:
            continue
        row.missing = json.dumps(left)
        if not left and row.selesai_at is None:
            row.selesai_at = now
        session.add(row)


def pengingat(session: Session, tahun: int | None = None, include_done: bool = False) -> list[dict[str, Any]]:
    """The reminders the collector sent, newest quarter first: who still owes what (settled ones on request)."""
    query = select(PengingatRow)
    if tahun is not None:
        query = query.where(PengingatRow.tahun == tahun)
    if not include_done:
        query = query.where(col(PengingatRow.selesai_at).is_(None))
    rows = session.exec(query.order_by(col(PengingatRow.tahun).desc(), col(PengingatRow.periode).desc()))
    latest: dict[tuple[int, str, str], PengingatRow] = {}
    for r in rows:  # per unit and quarter the newest kind: terlambat supersedes pengingat
        key = (r.tahun, r.periode, r.unit)
        if key not in latest or r.jenis == "terlambat":
            latest[key] = r
    return [
        {
            "tahun": r.tahun,
            "periode": r.periode,
            "unit": r.unit,
            "nama_unit": r.nama_unit,
            "jenis": r.jenis,
            "deadline": _aware(r.deadline).isoformat(),
            "missing_indikator": json.loads(r.missing),
            "received_at": _aware(r.received_at).isoformat(),
            "selesai_at": _aware(r.selesai_at).isoformat() if r.selesai_at else None,
        }
        for r in sorted(latest.values(), key=lambda r: (-r.tahun, r.periode, r.unit))
    ]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
