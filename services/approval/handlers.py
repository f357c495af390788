"""The approval service's use cases (SOP steps 4–5, 7–9): drafts arrive from the renderer, officials decide
along the workflow file's chain, and every transition is an event with actor, time and note."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from services.approval import domain, limits, sosialisasi
from services.approval.answers import Draf, HistoryDetail, Pengingat, ReturnView, Riwayat
from services.approval.models import (
    DraftHistory,
    DraftRow,
    DraftVersionRow,
    FinalDocumentRow,
    Official,
    PengingatRow,
    PerjanjianKinerjaRow,
    RekapRow,
    SosialisasiPenerima,
)
from services.approval.signatory import signed_chain
from services.approval.units import unit_names
from services.approval.workflow import Workflow
from shared.clock import as_utc
from shared.errors import ApiError, ErrorItem, api_error
from shared.events import catalogue as ev
from shared.events.envelope import Envelope
from shared.messaging.streams import Handler
from shared.sakip import JsonObject, Rekap, responsibility
from shared.sakip.document import content_hash, draws_new_version
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
    return domain.Official(
        id=row.id, role=row.role, unit=row.unit, nama=row.nama, nip=row.nip, jabatan=row.jabatan,
        pangkat=row.pangkat or None, golongan=row.golongan or None,
    )  # fmt: skip


def waiting_for(
    session: Session, wf: Workflow, row: DraftRow, draft: domain.Draft | None = None
) -> list[tuple[str, int]]:
    """The (periode, tahun) of the reports the workflow's `requires` makes this draft wait for: at its submit stage,
    every report of a required kind and the same year that is not final (or not drafted yet)."""
    draft = draft or to_domain(row)
    if row.state == domain.FINAL or not domain.waits_for(wf, draft):
        return []
    out = []
    for periode, tahun in wf.prerequisites(row.jenis, row.tahun):
        other = session.exec(select(DraftRow).where(DraftRow.tahun == tahun, DraftRow.periode == periode)).first()
        if other is None or other.state != domain.FINAL:
            out.append((periode, tahun))
    return out


def newer_recap(session: Session, row: DraftRow) -> RekapRow | None:
    """The period's newest recap revision the renderer will draw a new version of this draft from, if any: newer
    than the one the current version was drawn from (`row.recap_revision`), complete (a semester or the year: its
    quarters final), and showing something else (the rule is shared.sakip.document.draws_new_version, which
    `lapkin reconcile` applies too; a revision that only renumbers its inputs draws nothing new). A semester's or
    the year's draft is drawn from that period's own recap, which the aggregator revises whenever one of its
    quarters changes, so its own revisions are what count here too. While there is one, the version under review is
    out of date: no forward decision on it (`decide`), the pages say why (web/presenters/cards.row_view)."""
    if row.state == domain.FINAL:
        return None
    newest = session.exec(
        select(RekapRow)
        .where(
            RekapRow.tahun == row.tahun,
            RekapRow.periode == row.periode,
            RekapRow.revision > row.recap_revision,
            RekapRow.status == "complete",
        )
        .order_by(col(RekapRow.revision).desc())
        .limit(1)
    ).first()
    if newest is None:
        return None
    shown: JsonObject = json.loads(newest.body).get("rekap") or {}
    base = session.get(RekapRow, (row.tahun, row.periode, row.recap_revision))  # None: not received yet
    drawn_hash = content_hash(json.loads(base.body).get("rekap") or {}) if base is not None else None
    new_version = draws_new_version(
        shown, revision=newest.revision, status=newest.status, drawn_revision=row.recap_revision, drawn_hash=drawn_hash
    )
    return newest if new_version else None


# How long after the approval service received a newer recap its new draft version may take to appear before the
# pages and the 409 stop saying "being drawn" and say "not drawn yet: tell the operator". The renderer waits at most
# LAPKIN_DRAFT_SETTLE_MAX_MS (20 s) for a recap to settle and draws the largest office's draft in under a minute;
# five minutes without it means drawing failed (a dead letter "pending draft failed to render") or the renderer is
# not running.
NEW_VERSION_OVERDUE = timedelta(minutes=5)


def new_version_overdue(newer: RekapRow, now: datetime | None = None) -> bool:
    """The new version drawn from `newer` has not appeared within NEW_VERSION_OVERDUE of its recap's arrival."""
    return (now or datetime.now(UTC)) - as_utc(newer.received_at) > NEW_VERSION_OVERDUE


def newer_recap_error(row: DraftRow, newer: RekapRow) -> ApiError:
    """409: the version under review was drawn from an older recap than the period's newest (`newer_recap`); it says
    whether the new version is still being drawn or is overdue (`new_version_overdue`)."""
    head_id = (
        f"Draf versi {row.version} disusun dari rekap revisi {row.recap_revision}, padahal sudah ada rekap revisi "
        f"{newer.revision} dengan data yang lebih baru."
    )
    head_en = (
        f"Draft version {row.version} was drawn from recap revision {row.recap_revision}, but recap revision "
        f"{newer.revision} with newer data exists."
    )
    if new_version_overdue(newer):
        minutes = int(NEW_VERSION_OVERDUE.total_seconds() // 60)
        return api_error(
            409,
            "version",
            "newer_recap",
            f"{head_id} Draf versi baru belum muncul lebih dari {minutes} menit setelah rekap itu diterima: "
            "penyusunannya gagal atau renderer tidak berjalan. Operator perlu memeriksa `lapkin status` dan "
            'mengirim ulang surat mati "pending draft failed to render" (docs/operations.md).',
            f"{head_en} The new draft version has not appeared more than {minutes} minutes after that recap "
            "arrived: drawing it failed or the renderer is not running. An operator must check `lapkin status` "
            'and replay the dead letter "pending draft failed to render" (docs/operations.md).',
        )
    return api_error(
        409,
        "version",
        "newer_recap",
        f"{head_id} Draf versi baru sedang disusun; putuskan setelah versi itu muncul (biasanya dalam satu menit).",
        f"{head_en} A new draft version is being drawn; decide once it appears (usually within a minute).",
    )


def public(wf: Workflow, row: DraftRow, who: domain.Official | None, session: Session | None = None) -> Draf:
    draft = to_domain(row)
    step = domain.current_step(wf, draft)
    waits = waiting_for(session, wf, row, draft) if session is not None else []
    newer = newer_recap(session, row) if session is not None else None
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
        "may_approve": bool(who and row.state != "final" and not newer and domain.may_act(wf, draft, who, waits)),
        "may_return": bool(who and row.state != "final" and domain.may_return(wf, draft, who)),
        "menunggu": [{"periode": p, "tahun": t} for p, t in waits],  # reports it waits for (workflow `requires`)
        "rekap_baru": newer.revision if newer is not None else None,  # a new version is coming (newer_recap)
        "rekap_baru_diterima": as_utc(newer.received_at).isoformat() if newer is not None else None,
        "rekap_baru_tertunda": newer is not None and new_version_overdue(newer),
    }


def list_drafts(
    session: Session, wf: Workflow, who: domain.Official | None, tahun: int | None, periode: str | None
) -> list[Draf]:
    query = select(DraftRow)
    if tahun is not None:
        query = query.where(DraftRow.tahun == tahun)
    if periode is not None:
        query = query.where(DraftRow.periode == periode)
    rows = session.exec(query.order_by(col(DraftRow.tahun), col(DraftRow.periode)))
    return [public(wf, row, who, session) for row in rows]


CIRCULATION_ACTIONS = ("sosialisasi", "dibaca")


def history(session: Session, draft_id: str, viewer: Official | None = None) -> list[Riwayat]:
    """Every transition of the draft. A circulation and its reads (who it went to, its note, who read it when) are
    shown only to whom its read receipts are (services/approval/sosialisasi.may_see): with a `viewer`, the other
    circulations' entries are left out; without one (the admin token: the system itself) everything is shown."""
    rows = list(
        session.exec(select(DraftHistory).where(DraftHistory.draft_id == draft_id).order_by(col(DraftHistory.id)))
    )
    hidden = _hidden_circulation_entries(session, draft_id, rows, viewer) if viewer is not None else set()
    return [
        {
            "version": h.version,
            "action": h.action,
            "step": h.step,
            "actor": h.actor_nama,
            "role": h.actor_role,
            "note": h.note,
            "at": h.at.isoformat(),
            **detail_of(h),
        }
        for h in rows
        if h.id not in hidden
    ]


def detail_of(h: DraftHistory) -> HistoryDetail:
    """What the entry records beyond who did what (its `detail` JSON; none: {})."""
    detail: HistoryDetail = json.loads(h.detail) if h.detail else {}
    return detail


def _hidden_circulation_entries(
    session: Session, draft_id: str, rows: list[DraftHistory], viewer: Official
) -> set[int | None]:
    circulations = sosialisasi.for_draft(session, draft_id)
    seen = [c for c in circulations if sosialisasi.may_see(session, c, viewer)]
    hidden: set[int | None] = set()
    for h in rows:
        if h.action not in CIRCULATION_ACTIONS:
            continue
        if h.action == "sosialisasi":
            mine = any(
                c.version == h.version and c.dari_id == h.actor_id and as_utc(c.sent_at) == as_utc(h.at) for c in seen
            )
        else:  # a read: visible with a circulation of that version the reader received and the viewer may see
            mine = any(
                c.version == h.version
                and c.langkah == h.step
                and h.actor_id is not None
                and session.get(SosialisasiPenerima, (c.id, h.actor_id)) is not None
                for c in seen
            )
        if not mine:
            hidden.add(h.id)
    return hidden


def decide(session: Session, rt: Runtime, wf: Workflow, caller: Caller, draft_id: str, body: Any) -> Draf:
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
    current = to_domain(row)
    owing: list[str] = []
    if current.koreksi_role:
        ret = latest_return(session, row)
        owing = [u for u in current.koreksi_units if ret is None or not ret["delivered"].get(u, False)]
    try:
        decision = domain.decide(
            wf,
            current,
            who,
            str(body.get("decision")),
            body.get("note"),
            version=version if isinstance(version, int) else None,
            now=now,
            units=units,
            indikator=indikator,
            waiting_for=waiting_for(session, wf, row, current),
            owing=owing,
            unit_names=unit_names(session, row.tahun) if owing else None,
        )
    except domain.DomainError as exc:
        field = {
            "reason_required": "note", "invalid_decision": "decision", "draft_moved_on": "version",
            "other_unit": "units", "koreksi_target_required": "units", "koreksi_note_required": "note",
        }.get(exc.rule)  # fmt: skip
        raise api_error(exc.status, field, exc.rule, exc.message_id, exc.message_en) from exc
    if decision.action != "return" and (newer := newer_recap(session, row)) is not None:
        raise newer_recap_error(row, newer)  # approving it would sign figures the agency has since corrected
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
            detail=_detail(decision),
        )
    )
    if decision.final:
        release_waiting(session, wf, row, now)
    if decision.event:
        payload = ev.DraftDecision(
            draft_id=row.id,
            tahun=row.tahun,
            periode=row.periode,
            jenis=row.jenis,
            version=row.version,
            step=decision.step,
            actor=decision.actor,
            note=decision.note,
            final=decision.final,
            chain=[dict(e) for e in signed_chain(wf, row.jenis, decision.chain)],  # the signatory marked (signatory.py)
            units=list(decision.units),
            indikator=list(decision.indikator),
        )
        rt.emit(session, decision.event, payload.model_dump(mode="json"), correlation_id=_correlation(row))
    session.commit()
    rt.committed()
    return public(wf, row, who, session)


def release_waiting(session: Session, wf: Workflow, row: DraftRow, now: datetime) -> None:
    """`row` just became final: a draft that waited for it (the workflow's `requires`) and now waits for nothing
    more can be submitted; its submit step's clock starts now (history `siap`), not when it was drafted."""
    session.flush()
    for jenis, kinds in wf.requires.items():
        if row.jenis not in kinds:
            continue
        for other in session.exec(select(DraftRow).where(DraftRow.tahun == row.tahun, DraftRow.jenis == jenis)):
            draft = to_domain(other)
            if other.state == domain.FINAL or not domain.waits_for(wf, draft) or waiting_for(session, wf, other, draft):
                continue
            other.stage_started_at = now
            session.add(other)
            session.add(
                DraftHistory(
                    draft_id=other.id, version=other.version, action="siap", step=domain.current_step(wf, draft), at=now
                )
            )


def _detail(decision: domain.Decision) -> str | None:
    """The history entry's detail: a koreksi return's units and indicators; a correction closed without new data
    from some of them (`tanpa_data`)."""
    detail: HistoryDetail = {}
    if decision.units or decision.indikator:
        detail["units"], detail["indikator"] = list(decision.units), list(decision.indikator)
    if decision.tanpa_data:
        detail["tanpa_data"] = list(decision.tanpa_data)
    return json.dumps(detail) if detail else None


def latest_return(session: Session, row: DraftRow) -> ReturnView | None:
    """The draft's latest return (any version): reason, who, units and indicators named, whether the draft was
    decided on again since (`resolved`: a submit or approve after it), and per named unit whether it has
    `delivered`: a recap revision of the draft's period, or of a quarter making it up, holds a newer submission
    from that unit than the recap of the returned version."""
    entries = list(
        session.exec(select(DraftHistory).where(DraftHistory.draft_id == row.id).order_by(col(DraftHistory.id)))
    )
    last = next((i for i in range(len(entries) - 1, -1, -1) if entries[i].action == "return"), None)
    if last is None:
        return None
    ret = entries[last]
    after = [h for h in entries[last + 1 :] if h.action in ("submit", "approve")]
    detail = detail_of(ret)
    units = [str(u) for u in detail.get("units", [])]
    return {
        "version": ret.version,
        "note": ret.note,
        "actor": ret.actor_nama,
        "role": ret.actor_role,
        "step": ret.step,
        "at": as_utc(ret.at).isoformat(),
        "units": units,
        "indikator": [str(i) for i in detail.get("indikator", [])],
        "resolved": bool(after),
        "resolved_by": after[0].actor_nama if after else None,
        "resolved_at": as_utc(after[0].at).isoformat() if after else None,
        "delivered": delivered(session, row, ret.version, units),
        "koreksi_selesai": [
            {"tanpa_data": detail_of(h).get("tanpa_data", []), "note": h.note}
            for h in entries[last + 1 :]
            if h.action == "koreksi_selesai"
        ],
    }


def delivered(session: Session, row: DraftRow, version: int, units: list[str]) -> dict[str, bool]:
    """unit -> has it sent newer data for the draft's quarters than the recap `version` of the draft was drawn
    from?"""
    if not units:
        return {}
    ver = session.get(DraftVersionRow, (row.id, version))
    base_revision = ver.recap_revision if ver is not None else row.recap_revision
    base = session.get(RekapRow, (row.tahun, row.periode, base_revision))
    if base is None:  # the recap it was drawn from never arrived: nothing to compare against, nothing delivered
        return {u: False for u in units}
    base_inputs: dict[str, int] = json.loads(base.body).get("inputs") or {}
    quarters = domain.QUARTERS.get(row.periode, ())
    periodes = {row.periode, *(f"TW{q}" for q in quarters)}
    newest: dict[str, int] = {}
    for rec in session.exec(select(RekapRow).where(RekapRow.tahun == row.tahun, col(RekapRow.periode).in_(periodes))):
        for key, rev in (json.loads(rec.body).get("inputs") or {}).items():
            if isinstance(rev, int) and rev > newest.get(key, 0):
                newest[key] = rev
    return {u: any(newest.get(f"{q}:{u}", 0) > int(base_inputs.get(f"{q}:{u}", 0)) for q in quarters) for u in units}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    return [str(v).strip() for v in value if str(v).strip()] if isinstance(value, list) else []


def recap_of(session: Session, row: DraftRow) -> JsonObject:
    """The recap the draft was drawn from, in its document form (GET /rekap's; {} when it never arrived)."""
    rec = session.get(RekapRow, (row.tahun, row.periode, row.recap_revision))
    return json.loads(rec.body).get("rekap", {}) if rec else {}


def units_of(recap: JsonObject) -> dict[str, list[str]]:
    """unit -> the indicators it answers for (the recap's `penanggung_jawab`)."""
    return responsibility(recap.get("indikator", []))


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


def make_handlers(rt: Runtime, wf: Workflow) -> dict[str, Handler]:
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
        body = json.dumps({"rekap": p.rekap.document(), "inputs": p.inputs})
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
            settle_pengingat(session, p.tahun, p.periode, Rekap.read(json.loads(latest.body)["rekap"]))

    def on_document_published(session: Session, env: Envelope, p: ev.DocumentPublished) -> None:
        """The renderer published the final documents of an approved version: record them (id, each file's
        SHA-256), so the draft page and its circulations serve the final, not the draft."""
        if session.get(FinalDocumentRow, (p.draft_id, p.version)) is not None:
            return
        session.add(
            FinalDocumentRow(
                draft_id=p.draft_id,
                version=p.version,
                document_id=p.document_id,
                files=json.dumps(p.files, sort_keys=True),
                published_at=env.occurred_at or datetime.now(UTC),
            )
        )

    def on_pk_published(session: Session, env: Envelope, p: ev.PerjanjianKinerjaPublished) -> None:
        """Keep every version of the year's PK (a redelivered one is kept once): the quality check of a report
        reads the newest (Renstra targets, past years, benchmarks, quarterly targets; services/approval/kualitas)."""
        if session.get(PerjanjianKinerjaRow, (p.tahun, p.version)) is not None:
            return
        session.add(
            PerjanjianKinerjaRow(
                tahun=p.tahun,
                version=p.version,
                body=p.pk.model_dump_json(),
                received_at=env.occurred_at or datetime.now(UTC),
            )
        )

    return {
        "DraftRendered": on_draft_rendered,
        "RekapCompleted": on_rekap_completed,
        "SubmissionOverdue": on_submission_overdue,
        "DocumentPublished": on_document_published,
        "PerjanjianKinerjaPublished": on_pk_published,
    }


def final_document(session: Session, row: DraftRow) -> FinalDocumentRow | None:
    """The published final documents of the draft's current version (None until DocumentPublished arrives)."""
    if row.state != "final":
        return None
    return session.get(FinalDocumentRow, (row.id, row.version))


def settle_pengingat(session: Session, tahun: int, periode: str, rekap: Rekap) -> None:
    """Strike from the quarter's reminders every indicator the recap shows reported; a reminder with nothing left
    is settled (`selesai_at`)."""
    reported = {i.kode for i in rekap.indikator if i.realisasi is not None}
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


def pengingat(session: Session, tahun: int | None = None, include_done: bool = False) -> list[Pengingat]:
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
            "deadline": as_utc(r.deadline).isoformat(),
            "missing_indikator": json.loads(r.missing),
            "received_at": as_utc(r.received_at).isoformat(),
            "selesai_at": as_utc(r.selesai_at).isoformat() if r.selesai_at else None,
        }
        for r in sorted(latest.values(), key=lambda r: (-r.tahun, r.periode, r.unit))
    ]
