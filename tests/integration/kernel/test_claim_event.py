"""claim_event, one INSERT … ON CONFLICT DO NOTHING per event: True only for the first claim of (consumer, event) —
not again in the same transaction, nor from another session, nor from a concurrent transaction once the first
commits — and a rolled-back claim claims nothing. On SQLite, and on PostgreSQL when LAPKIN_TEST_DATABASE_URL is set."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func
from sqlmodel import Session, select

from shared.config import Settings
from shared.db import create_tables, make_engine
from shared.messaging.outbox import KERNEL_TABLES, ProcessedEvent, claim_event
from tests.support.databases import fresh_database_url


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Any]:
    with fresh_database_url() as url:
        engine = make_engine(Settings(data_dir=tmp_path, database_url=url), "claimtest")
        create_tables(engine, KERNEL_TABLES)
        yield engine
        engine.dispose()


def claims(engine: Any, consumer: str = "svc") -> list[str]:
    with Session(engine) as s:
        return sorted(s.exec(select(ProcessedEvent.event_id).where(ProcessedEvent.consumer == consumer)))


def test_a_repeat_in_the_same_transaction_is_not_claimed_again(engine):
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with Session(engine) as s:
        assert claim_event(s, "svc", "e1")
        assert not claim_event(s, "svc", "e1")
        assert claim_event(s, "other", "e1")  # another consumer claims the same event for itself
        assert claim_event(s, "svc", "e2")
        s.commit()
    assert not [q for q in statements if "SAVEPOINT" in q.upper()]  # one statement per claim, no savepoint
    assert len([q for q in statements if "processed_event" in q]) == 4
    assert claims(engine) == ["e1", "e2"]
    assert claims(engine, "other") == ["e1"]


def test_a_claim_committed_by_another_session_is_not_claimed_again(engine):
    with Session(engine) as s:
        assert claim_event(s, "svc", "e1")
        s.commit()
    with Session(engine) as s:
        assert not claim_event(s, "svc", "e1")
        assert claim_event(s, "svc", "e3")
        s.commit()
    assert claims(engine) == ["e1", "e3"]


def test_a_rolled_back_claim_leaves_the_event_unclaimed(engine):
    with Session(engine) as s:
        assert claim_event(s, "svc", "e1")
        s.rollback()
    assert claims(engine) == []
    with Session(engine) as s:
        assert claim_event(s, "svc", "e1")
        s.commit()
    assert claims(engine) == ["e1"]


@pytest.mark.parametrize("first_commits", [True, False])
def test_a_concurrent_claim_waits_for_the_first_and_follows_its_outcome(engine, first_commits):
    """Two consumer processes of one service delivered the same event: the second claim waits for the first's
    transaction, then claims nothing when it committed and the event when it rolled back."""
    first = Session(engine)
    assert claim_event(first, "svc", "e1")
    result: list[bool] = []

    def second() -> None:
        with Session(engine) as s:
            result.append(claim_event(s, "svc", "e1"))
            s.commit()

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.3)
    assert result == []  # waiting for the first transaction (PostgreSQL: the row; SQLite: the write lock)
    if first_commits:
        first.commit()
    else:
        first.rollback()
    first.close()
    thread.join(timeout=30)
    assert result == [not first_commits]
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(ProcessedEvent)).one() == 1
