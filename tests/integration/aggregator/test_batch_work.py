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
