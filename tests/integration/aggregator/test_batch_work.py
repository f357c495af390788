"""The aggregator's work per event inside a consumer's batch (one transaction for up to 50 events, as
EventConsumer._apply_batch runs them): the year's row lock is taken once per transaction, also when the year's
first PK arrives in the same batch, and taken again in the next transaction; the batch's inputs, stale mark and
recap are those of handling each event alone. On SQLite, and on PostgreSQL when LAPKIN_TEST_DATABASE_URL is set."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, select

from services.aggregator.models import AggInput, AggStale, RekapRevision
from shared.events import catalogue as ev
from shared.events.envelope import Envelope, new_envelope
from shared.messaging.outbox import claim_event
from shared.messaging.streams import waiting
from tests.integration.aggregator.test_coalescing import responsible, submitted
from tests.integration.conftest import eventually

LOCK_QUERY = "SELECT agg_pk.tahun, agg_pk.version"  # _lock_year's (FOR UPDATE on PostgreSQL; SQLite has none)


def pk_published(pk: dict[str, Any]) -> Envelope:
    payload = ev.PerjanjianKinerjaPublished(tahun=2024, version=1, pk={**pk, "tahun": 2024})
    return new_envelope("PerjanjianKinerjaPublished", payload, producer="collector")


def apply_batch(rt: Any, session: Session, batch: list[Envelope]) -> None:
    """As EventConsumer._apply_batch: claim and handle each event in the session, the events after it waiting."""
    for n, env in enumerate(batch):
        with waiting(len(batch) - 1 - n):
            if claim_event(session, rt.service, env.event_id):
                rt.handlers[env.type](session, env, ev.parse_payload(env))
    session.commit()


def test_the_year_is_locked_once_per_batch_transaction(aggregator, pk):
    rt = aggregator.rt
    statements: list[str] = []
    event.listen(rt.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    units = list(responsible(pk))
    first = [pk_published(pk)] + [submitted(pk, unit, 1, 10) for unit in units]
    with Session(rt.engine) as session:
        apply_batch(rt, session, first)
        locks = [q for q in statements if LOCK_QUERY in q]
        # the PK's event finds no row yet (asked again after its insert); the first report locks it for the batch
        assert len(locks) == 2, locks
        if rt.engine.dialect.name == "postgresql":
            assert all("FOR UPDATE" in q for q in locks)
        statements.clear()
        apply_batch(rt, session, [submitted(pk, unit, 2, 20) for unit in units])  # the next transaction
        assert len([q for q in statements if LOCK_QUERY in q]) == 1  # the lock ended with the last commit

    with Session(rt.engine) as session:
        inputs = {row.unit: row for row in session.exec(select(AggInput).where(AggInput.tahun == 2024))}
    assert {unit: row.revision for unit, row in inputs.items()} == {unit: 2 for unit in units}
    assert all(row.complete_on_time is True for row in inputs.values())

    def recapped() -> bool:  # by the batch's last event, or by the sweep (the year was recomputed a moment ago)
        with Session(rt.engine) as session:
            query = select(RekapRevision).where(RekapRevision.periode == "TW1")
            last = max(session.exec(query), key=lambda r: r.revision)
            return not session.exec(select(AggStale)).all() and json.loads(last.inputs) == {
                f"1:{unit}": 2 for unit in units
            }

    eventually(recapped)


def test_a_batch_keeps_the_newest_snapshot_the_first_complete_ones_on_time_and_each_periods_newest_cause(
    aggregator, pk
):
    """Every event of the batch waits behind more (the year is only marked stale): a late older snapshot changes
    neither the input nor the stale mark; complete_on_time is the on_time of the unit's first snapshot holding all
    its indicators; the stale mark names, per period, the newest event that touched it."""
    rt = aggregator.rt
    unit, other = list(responsible(pk))[:2]
    with Session(rt.engine) as session:
        apply_batch(rt, session, [pk_published(pk)])
    incomplete = submitted(pk, other, 1, 10)
    incomplete.payload["realisasi"] = incomplete.payload["realisasi"][:-1]  # one indicator short
    late = submitted(pk, other, 2, 20)
    late.payload["on_time"] = False
    newest = submitted(pk, unit, 2, 30)
    older = submitted(pk, unit, 1, 40)  # arrives after revision 2
    tw2 = submitted(pk, unit, 1, 50, triwulan=2)
    batch = [incomplete, late, newest, tw2, older]
    with Session(rt.engine) as session:
        for env in batch:
            with waiting(10):
                assert claim_event(session, rt.service, env.event_id)
                rt.handlers[env.type](session, env, ev.parse_payload(env))
        session.commit()
    with Session(rt.engine) as session:
        rows = {(r.triwulan, r.unit): r for r in session.exec(select(AggInput).where(AggInput.tahun == 2024))}
        stale = session.get(AggStale, 2024)
    assert rows[(1, unit)].revision == 2 and rows[(1, unit)].submission_id == f"{unit}-2"
    assert json.loads(rows[(1, unit)].values) == {
        item["indikator"]: item["nilai"] for item in newest.payload["realisasi"]
    }  # none of the older snapshot's values
    assert rows[(1, unit)].complete_on_time is True
    assert rows[(1, other)].complete_on_time is False  # its first complete snapshot came late
    assert stale is not None and stale.event_id == tw2.event_id  # the older snapshot marked nothing
    causes = json.loads(stale.causes)
    assert {periode: cause[0] for periode, cause in causes.items()} == {
        "TW1": newest.event_id, "S1": tw2.event_id, "TAHUNAN": tw2.event_id, "TW2": tw2.event_id
    }  # fmt: skip
