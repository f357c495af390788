"""The follow-ups (tindak lanjut, issue 17) the renderer keeps for the LKIP: a disposition naming indicators
(DisposisiIssued with `indikator`) joined with what came of it (DisposisiCompleted). The two events may arrive in
either order (a redelivery, a replay of a dead letter): each fills its own columns of one row per `nomor`, so a
completion seen first waits for its issue, and the same event twice changes nothing.

A document shows the follow-ups known at its moment (`known_at`): a draft those known when it is drawn, a final
those known at the approval — a follow-up issued, or completed, later is left out (or shown still open), so a
final drawn again from the same events prints the same."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, col, select

from services.renderer.models import TindakLanjutRow
from services.renderer.viewtypes import TindakLanjutDoc
from shared.clock import as_utc
from shared.events import catalogue as ev
from shared.events.envelope import Envelope, utcnow

__all__ = ["keep_completion", "keep_issue", "known_at"]


def _moment(value: str) -> datetime | None:
    """An ISO moment from an event; a bare date is the start of that day (UTC)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _row(session: Session, nomor: str, tahun: int) -> TindakLanjutRow:
    return session.get(TindakLanjutRow, nomor) or TindakLanjutRow(nomor=nomor, tahun=tahun)


def keep_issue(session: Session, env: Envelope, p: ev.DisposisiIssued, tahun: int) -> None:
    """What a follow-up asks (a plain disposition, without indicators, is not one): its own columns only, so a
    completion already kept stays."""
    if not p.indikator:
        return
    row = _row(session, p.nomor, tahun)
    row.tahun, row.periode, row.indikator, row.unit = tahun, p.periode, json.dumps(list(p.indikator)), p.unit
    row.dari, row.kepada = json.dumps(p.dari, sort_keys=True), json.dumps(p.kepada, sort_keys=True)
    row.instruksi, row.hasil_diharapkan, row.batas_waktu, row.sumber = (
        p.instruksi, p.hasil_diharapkan, p.batas_waktu, p.sumber
    )  # fmt: skip
    row.issued_at = env.occurred_at
    row.updated_at = utcnow()
    session.add(row)


def keep_completion(session: Session, env: Envelope, p: ev.DisposisiCompleted) -> None:
    """What came of a follow-up: the newest completion wins (an older one redelivered late changes nothing). A plain
    disposition's completion names no indicator and is not kept; one arriving before its issue is kept with the
    indicators it repeats, and the issue fills the rest when it comes."""
    if not p.indikator:
        return
    done = _moment(p.selesai_at) or env.occurred_at
    row = _row(session, p.nomor, p.tahun)
    if row.selesai_at is not None and as_utc(row.selesai_at) > done:
        return
    if row.issued_at is None:  # only the completion so far: what it repeats of the issue
        row.indikator, row.unit = json.dumps(list(p.indikator)), p.unit
    row.selesai_at, row.hasil = done, p.hasil
    row.bukti = json.dumps([b.model_dump(mode="json") for b in p.bukti])
    row.updated_at = utcnow()
    session.add(row)


def known_at(session: Session, tahun: int, moment: datetime | None = None) -> list[TindakLanjutDoc]:
    """The follow-ups of `tahun` whose issue is known and happened by `moment` (None: now), oldest first; one
    completed after `moment` is shown as it stood then (not yet done)."""
    moment = moment or utcnow()
    query = (
        select(TindakLanjutRow)
        .where(TindakLanjutRow.tahun == tahun, col(TindakLanjutRow.issued_at).is_not(None))
        .order_by(col(TindakLanjutRow.issued_at), col(TindakLanjutRow.nomor))
    )
    out: list[TindakLanjutDoc] = []
    for row in session.exec(query):
        assert row.issued_at is not None
        issued = as_utc(row.issued_at)
        if issued > moment:
            continue
        done = as_utc(row.selesai_at) if row.selesai_at is not None else None
        if done is not None and done > moment:
            done = None
        out.append(
            {
                "nomor": row.nomor,
                "tahun": row.tahun,
                "periode": row.periode,
                "indikator": list(json.loads(row.indikator)),
                "unit": row.unit,
                "dari": json.loads(row.dari) if row.dari else {},
                "kepada": json.loads(row.kepada) if row.kepada else {},
                "instruksi": row.instruksi or "",
                "hasil_diharapkan": row.hasil_diharapkan,
                "batas_waktu": row.batas_waktu,
                "sumber": row.sumber,
                "issued_at": issued.isoformat(),
                "selesai_at": done.isoformat() if done else None,
                "hasil": row.hasil if done else None,
                "bukti": list(json.loads(row.bukti)) if done else [],
            }
        )
    return out
