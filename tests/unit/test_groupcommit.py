"""shared/groupcommit.py on a real SQLite file: a failed piece's writes and deferred rows go with its savepoint, the
others of its batch are stored; a COMMIT that fails answers every piece with its error (none answered as stored)."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, event, insert, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from shared.fastsql import Fast
from shared.groupcommit import GroupCommit, _count_writes, connection, insert_later
from tests.support.databases import sqlite_file

META = MetaData()
ROWS = Table("row", META, Column("id", Integer, primary_key=True), Column("name", String, unique=True))
LATER = Table("later", META, Column("id", Integer, primary_key=True, autoincrement=True), Column("name", String))
_LATER = Fast(insert(LATER))


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    with sqlite_file(tmp_path / "g.db", META) as engine:
        yield engine


def write(name: str, fail: bool = False) -> Any:
    def work(session: Session) -> str:
        session.connection().execute(insert(ROWS).values(name=name))
        insert_later(session, _LATER, {"name": name})
        if fail:
            raise ValueError(name)
        return name

    return work


def held(gc: GroupCommit, pieces: list[Any]) -> list[Future[Any]]:
    """All `pieces` in one batch: the writer is kept busy by a first piece until they are queued."""
    gate = threading.Event()
    first = gc.submit(lambda _: gate.wait(30))
    while gc.pending():  # the writer took the first piece
        pass
    futures = [gc.submit(p) for p in pieces]
    gate.set()
    first.result(30)
    return futures


def names(engine: Any, table: Table) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(table.c.name)).scalars())


def test_a_failing_piece_fails_alone_and_its_deferred_rows_go_with_it(engine: Any) -> None:
    gc = GroupCommit(engine)
    futures = held(gc, [write("a"), write("b", fail=True), write("c"), write("a")])  # the last: a unique conflict
    assert futures[0].result(30) == "a" and futures[2].result(30) == "c"
    with pytest.raises(ValueError):
        futures[1].result(30)
    with pytest.raises(Exception, match="UNIQUE"):
        futures[3].result(30)
    assert names(engine, ROWS) == ["a", "c"]
    assert names(engine, LATER) == ["a", "c"]
    assert gc.batches == 2  # the first piece's batch, then the four together


def test_recover_answers_a_failed_piece_in_the_same_transaction(engine: Any) -> None:
    gc = GroupCommit(engine)
    first = gc.submit(write("x"))
    assert first.result(30) == "x"
    again = gc.submit(write("x"), recover=lambda session, exc: f"seen {type(exc).__name__}")
    assert again.result(30) == "seen IntegrityError"
    assert names(engine, ROWS) == ["x"]


def test_a_failed_commit_answers_every_piece_with_its_error(engine: Any) -> None:
    gc = GroupCommit(engine)

    def refuse(conn: Any) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(engine, "commit", refuse)
    futures = [gc.submit(write(n)) for n in ("p", "q")]
    for f in futures:
        with pytest.raises(OperationalError):
            f.result(30)
    event.remove(engine, "commit", refuse)
    engine.dispose()  # the connection whose COMMIT was refused still holds its transaction
    assert names(engine, ROWS) == [] and names(engine, LATER) == []


def test_a_piece_refused_before_it_writes_leaves_the_batch_without_savepoints_and_runs_each_piece_once(
    engine: Any,
) -> None:
    gc = GroupCommit(engine)
    runs: list[str] = []
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    def counted(name: str, refuse: bool = False) -> Any:
        def work(session: Session) -> str:
            runs.append(name)
            if refuse:
                raise ValueError(name)  # before any write: a refused report
            return str(write(name)(session))

        return work

    futures = held(gc, [counted("a"), counted("b", refuse=True), counted("c")])
    assert futures[0].result(30) == "a" and futures[2].result(30) == "c"
    with pytest.raises(ValueError):
        futures[1].result(30)
    assert sorted(runs) == ["a", "b", "c"]  # no second run of the batch
    assert not any(s.startswith("SAVEPOINT") for s in statements)
    assert names(engine, ROWS) == ["a", "c"] and names(engine, LATER) == ["a", "c"]


def test_a_request_cancelled_while_queued_is_not_stored_and_the_others_are_answered(engine: Any) -> None:
    gc = GroupCommit(engine)
    gate = threading.Event()
    first = gc.submit(lambda _: gate.wait(30))
    while gc.pending():
        pass
    gone, kept = gc.submit(write("gone")), gc.submit(write("kept"))
    assert gone.cancel()  # its client left while it waited
    gate.set()
    assert first.result(30) and kept.result(30) == "kept"
    assert names(engine, ROWS) == ["kept"]


def test_awaited_pieces_of_one_batch_each_get_their_own_answer(engine: Any) -> None:
    """`run` (the collector's path): the answers of a batch reach the event loop together (one hand-over), each
    awaiting caller its own value or its own error."""
    gc = GroupCommit(engine)

    handed: list[str] = []  # the threads that handed something to the loop

    async def main() -> list[Any]:
        loop = asyncio.get_running_loop()
        hand = loop.call_soon_threadsafe

        def counted(*args: Any, **kwargs: Any) -> Any:
            handed.append(threading.current_thread().name)
            return hand(*args, **kwargs)

        loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
        gate = threading.Event()
        first = gc.submit(lambda _: gate.wait(30))
        while gc.pending():
            await asyncio.sleep(0)
        works = [write(f"n{i}", fail=i % 3 == 1) for i in range(9)]
        tasks = [asyncio.ensure_future(gc.run(w)) for w in works]
        while gc.pending() < len(works):
            await asyncio.sleep(0.001)
        gate.set()
        assert first.result(30)
        return await asyncio.gather(*tasks, return_exceptions=True)

    answers = asyncio.run(main())
    assert handed.count(gc.name) == 1, handed  # nine answers, one wake-up of the loop
    for i, answer in enumerate(answers):
        if i % 3 == 1:
            assert isinstance(answer, ValueError) and str(answer) == f"n{i}"
        else:
            assert answer == f"n{i}"
    assert names(engine, ROWS) == sorted(f"n{i}" for i in range(9) if i % 3 != 1)


def test_an_awaited_piece_cancelled_while_queued_is_not_stored(engine: Any) -> None:
    gc = GroupCommit(engine)

    async def main() -> Any:
        gate = threading.Event()
        first = gc.submit(lambda _: gate.wait(30))
        while gc.pending():
            await asyncio.sleep(0)
        gone, kept = asyncio.ensure_future(gc.run(write("gone"))), asyncio.ensure_future(gc.run(write("kept")))
        while gc.pending() < 2:
            await asyncio.sleep(0.001)
        gone.cancel()  # its client left while it waited
        await asyncio.sleep(0)  # the cancellation reaches the queued piece
        gate.set()
        assert first.result(30)
        with pytest.raises(asyncio.CancelledError):
            await gone
        return await kept

    assert asyncio.run(main()) == "kept"
    assert names(engine, ROWS) == ["kept"]


def test_an_awaited_piece_cancelled_once_taken_is_stored_and_the_others_are_answered(engine: Any) -> None:
    """A client that leaves while its report is being written: the report is stored (it can no longer be taken
    back), its answer is set aside, and the others of its batch are answered."""
    gc = GroupCommit(engine)

    async def main() -> Any:
        started, gate = threading.Event(), threading.Event()

        def slow(session: Session) -> str:
            started.set()
            gate.wait(30)
            return write("slow")(session)

        gone = asyncio.ensure_future(gc.run(slow))
        kept = asyncio.ensure_future(gc.run(write("kept")))
        while not started.is_set():
            await asyncio.sleep(0.001)
        gone.cancel()  # its client left while the writer ran it
        await asyncio.sleep(0)
        gate.set()
        with pytest.raises(asyncio.CancelledError):
            await gone
        return await kept

    assert asyncio.run(main()) == "kept"
    assert names(engine, ROWS) == ["kept", "slow"]


def test_on_sqlite_a_write_is_seen_without_a_listener_on_every_statement(engine: Any) -> None:
    """SQLite counts the rows a connection changed: a piece that wrote (no deferred row) and then failed is still
    undone alone, and no listener taxes every statement of the process (SQLAlchemy's event dispatch)."""
    gc = GroupCommit(engine)
    assert not event.contains(engine, "before_cursor_execute", _count_writes)

    def wrote_then_failed(session: Session) -> str:
        session.connection().execute(insert(ROWS).values(name="half"))
        raise ValueError("after a write")

    futures = held(gc, [write("a"), wrote_then_failed, write("c")])
    assert futures[0].result(30) == "a" and futures[2].result(30) == "c"
    with pytest.raises(ValueError):
        futures[1].result(30)
    assert names(engine, ROWS) == ["a", "c"]  # the half-written piece's row went with its savepoint


def write_through_the_batch_connection(name: str, fail: bool = False) -> Any:
    """As the collector's statements do: through the batch's remembered connection (groupcommit.connection)."""

    def work(session: Session) -> str:
        connection(session).execute(insert(ROWS).values(name=name))
        if fail:
            raise ValueError(name)
        return name

    return work


def test_every_failing_piece_is_undone_when_the_pieces_write_through_the_batch_connection(engine: Any) -> None:
    """Each piece's SAVEPOINT is made even though it asks the remembered connection, not the session: the second
    failing piece's row was once committed with the batch (a phantom submission that blocked its unit's quarter)."""
    gc = GroupCommit(engine)
    pieces = [write_through_the_batch_connection(n, fail=n in "bc") for n in "abcd"]
    futures = held(gc, pieces)
    assert futures[0].result(30) == "a" and futures[3].result(30) == "d"
    for failed in futures[1:3]:
        with pytest.raises(ValueError):
            failed.result(30)
    assert names(engine, ROWS) == ["a", "d"]
