"""Group commit: the writes of concurrent requests carried out by one thread in one transaction and one commit.

Why: a report's own SQL is cheap; what cost was around it — a worker thread per request, the hand-over of SQLite's
single write lock between fifty waiting threads (shared/db.py's WriterQueue), a BEGIN and a COMMIT (and on
PostgreSQL a round trip and a flush to disk) per request (docs/benchmarks.md). Here requests queue their work; one
thread takes everything queued, runs each piece in a SAVEPOINT of one transaction, commits once, and only then
answers each request. Under no load a batch is one request and nothing waits; under load the batch grows by itself
(whatever arrived while the previous one ran).

What each request keeps:
- isolation: an error answers that request alone, its writes undone (its `recover` may still answer it, in the same
  transaction, e.g. from an idempotency record). A batch first runs without savepoints (two statements and the
  ORM's nested transaction less per request), which holds while every piece that fails wrote nothing — a refused
  report is refused before it writes; when one fails after a write (a conflict, a database error) the batch is
  rolled back and run again with each piece in its own SAVEPOINT, where that failure is undone alone;
- durability: no answer before the batch's COMMIT returned; a failed COMMIT answers every request of the batch with
  that error (none of them is stored), never a success;
- lock order: a batch runs its pieces in the order of their `order` keys, so two processes' batches take the rows
  they lock (PostgreSQL's SELECT … FOR UPDATE) in one order and cannot deadlock each other.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from shared.fastsql import Fast

log = logging.getLogger("lapkin.groupcommit")
T = TypeVar("T")
MAX_BATCH = 64  # requests per transaction: bounds how long the write lock is held and a failed commit's reach
_CACHE, _DEFERRED = "lapkin.group_commit.cache", "lapkin.group_commit.deferred"
_CONNECTION = ("lapkin.group_commit.connection",)  # its key in the batch cache
_WRITES = "lapkin.group_commit.writes"  # per connection: statements run that were not a SELECT


class _Redo(Exception):
    """A piece failed after it wrote, in a batch run without savepoints: the batch is run again with them."""


def _count_writes(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
    if not statement.lstrip()[:6].upper() == "SELECT":
        conn.info[_WRITES] = conn.info.get(_WRITES, 0) + 1


def _written(conn: Any) -> int:
    """A count that grows whenever the connection writes: SQLite's own count of the rows it changed (no listener on
    every statement: SQLAlchemy's event dispatch cost ≈ 5 % of a report's Python calls), else the statements that
    were not a SELECT (`_count_writes`, listening on a server database's engine)."""
    changes = getattr(conn.connection.dbapi_connection, "total_changes", None)
    return changes if isinstance(changes, int) else conn.info.get(_WRITES, 0)  # type: ignore[no-any-return]


def _clean(
    session: Session, context: contextvars.Context, fn: Callable[..., T], *args: Any
) -> tuple[Any, Exception | None]:
    """`fn(*args)` in `context`, its ORM changes flushed: (its value, None), or (None, its error) when it failed
    having written nothing; _Redo when it failed after a write (or on a database error, after which PostgreSQL
    refuses the rest of the transaction)."""
    conn = connection(session)
    writes, deferred = _written(conn), len(session.info[_DEFERRED])
    try:
        value = context.run(fn, *args)
        if session.new or session.dirty or session.deleted:
            session.flush()
        return value, None
    except Exception as exc:
        wrote = _written(conn) != writes or len(session.info[_DEFERRED]) != deferred
        if wrote or isinstance(exc, DBAPIError) or session.new or session.dirty or session.deleted:
            raise _Redo from exc
        return None, exc


def connection(session: Session) -> Connection:
    """`session.connection()`, remembered for the batch's transaction when `session` is a group commit's: a report
    asks for it about ten times, each ≈ 25 Python calls of SQLAlchemy's transaction bookkeeping (≈ 10 % of the writer
    thread's time). The batch's session keeps one connection for its one transaction (its savepoints included)."""
    cache = session.info.get(_CACHE)
    if cache is None:
        return session.connection()
    conn = cache.get(_CONNECTION)
    if conn is None:
        conn = cache[_CONNECTION] = session.connection()
    return conn  # type: ignore[no-any-return]


@contextmanager
def _savepoint(session: Session) -> Iterator[None]:
    """A piece's SAVEPOINT, made now: SQLAlchemy makes a nested transaction's SAVEPOINT when the session's connection
    is next asked for, and a piece asks the batch's remembered connection (`connection`) instead — after the
    first savepoint, the others were never made, and a failed piece's writes were committed with the batch."""
    with session.begin_nested():
        session.connection()
        yield


def batch_cache(session: Session) -> dict[Any, Any] | None:
    """A dict that lives as long as the batch's transaction when `session` is a group commit's, else None: for what
    every report of a batch reads alike and none of them writes (the newest PK version, a quarter's calendar row),
    read once per transaction instead of once per report."""
    return session.info.get(_CACHE)  # type: ignore[no-any-return]


def insert_later(session: Session, statement: Fast, row: dict[str, Any]) -> None:
    """Insert `row` in the session's transaction: in a group commit's batch, with the other rows of `statement` (a
    prebuilt INSERT, run as shared/fastsql.py runs it) in one executemany just before the COMMIT (dropped with its
    piece when that piece fails); elsewhere, now, through SQLAlchemy. Only for a row no later statement of the
    transaction reads and no constraint can refuse (an outbox row: its event id is new); its failure fails the whole
    batch."""
    deferred = session.info.get(_DEFERRED)
    if deferred is None:
        session.connection().execute(statement.statement, row)
    else:
        deferred.append((statement, row))


@dataclass
class _Piece(Generic[T]):
    work: Callable[[Session], T]
    recover: Callable[[Session, Exception], T] | None
    order: tuple[str, ...]
    context: contextvars.Context  # the request's (its correlation id, its trace): the work runs in it
    future: Future[T] | None = None  # submit's answer
    waiter: asyncio.Future[T] | None = None  # run's answer, set on its event loop (no thread's Future, lock and
    # Condition made per request)

    def dropped(self) -> bool:
        """Cancelled while queued (its client gone): not run. A piece taken can no longer be cancelled (`future`),
        or its cancellation only discards the answer (`waiter`: the work is done and its answer set aside)."""
        if self.waiter is None:
            assert self.future is not None  # one of the two answers a piece
            return not self.future.set_running_or_notify_cancel()
        return self.waiter.cancelled()


Answer = tuple[_Piece[Any], Any, Exception | None]  # a piece, its value, its error


def _settle(answers: list[Answer]) -> None:
    """On the waiters' event loop: every answer of a batch at once."""
    for piece, value, error in answers:
        waiter = piece.waiter
        if waiter is None or waiter.done():  # cancelled meanwhile: nobody waits for it
            continue
        if error is None:
            waiter.set_result(value)
        else:
            waiter.set_exception(error)


class GroupCommit:
    """`lanes` writer threads for `engine` (started on first use; daemons: a process killed mid-batch has answered
    nobody in it), each taking a batch from one queue: one for SQLite (one writer anyway); more let batches run side
    by side on a server database (their lock order keeps them from deadlocking). `on_commit` runs after each commit that
    stored something (e.g. wake the outbox relay)."""

    def __init__(
        self,
        engine: Engine,
        *,
        on_commit: Callable[[], None] | None = None,
        max_batch: int = MAX_BATCH,
        lanes: int = 1,
        name: str = "lapkin-group-commit",
    ) -> None:
        self.engine, self.on_commit, self.max_batch, self.name = engine, on_commit, max_batch, name
        if engine.dialect.name != "sqlite" and not event.contains(engine, "before_cursor_execute", _count_writes):
            event.listen(engine, "before_cursor_execute", _count_writes)
        self._cond = threading.Condition()
        self._queue: list[_Piece[Any]] = []
        self.lanes = lanes
        self._threads: list[threading.Thread] = []
        self.received = 0  # pieces ever submitted
        self.batches = 0  # transactions committed

    def pending(self) -> int:
        """Pieces queued and not yet taken by a batch."""
        with self._cond:
            return len(self._queue)

    def submit(
        self,
        work: Callable[[Session], T],
        *,
        recover: Callable[[Session, Exception], T] | None = None,
        order: tuple[str, ...] = (),
    ) -> Future[T]:
        """Queue `work(session)`; the future holds its result once the transaction that holds its writes committed,
        or its error (`recover(session, error)`, when given, is asked first, after its savepoint was rolled back)."""
        future: Future[T] = Future()
        self._queued(_Piece(work, recover, order, contextvars.copy_context(), future=future))
        return future

    def _queued(self, piece: _Piece[T]) -> _Piece[T]:
        with self._cond:
            self._threads = [t for t in self._threads if t.is_alive()]
            while len(self._threads) < self.lanes:
                self._threads.append(threading.Thread(target=self._run, name=self.name, daemon=True))
                self._threads[-1].start()
            self._queue.append(piece)
            self.received += 1
            self._cond.notify()
        return piece

    async def run(
        self,
        work: Callable[[Session], T],
        *,
        recover: Callable[[Session, Exception], T] | None = None,
        order: tuple[str, ...] = (),
    ) -> T:
        """`submit`, awaited: the event loop's thread waits for nothing and no worker thread is taken. The answers of
        one batch reach the loop in one hand-over: one wake-up of the loop, not a future's callbacks and a wake-up per
        request (bench/collector_cpu.py, 16 in flight: 1.401 → 1.353 Python calls per report)."""
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queued(_Piece(work, recover, order, contextvars.copy_context(), waiter=waiter))
        return await waiter

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._queue:
                    self._cond.wait()
                taken, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            # a request cancelled while queued (its client gone) is dropped; a taken one can no longer be cancelled,
            # so its answer is always set (a cancelled future would refuse it and fail the answers after it)
            batch = [piece for piece in taken if not piece.dropped()]
            if not batch:
                continue
            stored = False
            try:
                answers, stored = self._batch(sorted(batch, key=lambda p: p.order))
            except BaseException as exc:  # never leave a request unanswered, whatever went wrong
                log.exception("group commit: batch failed")
                error = exc if isinstance(exc, Exception) else RuntimeError(str(exc))
                answers = [(piece, None, error) for piece in batch]
            self._answer(answers)
            if stored and self.on_commit is not None:
                self.on_commit()

    @staticmethod
    def _answer(answers: list[Answer]) -> None:
        """Answer every piece of a batch: `submit`'s futures here, `run`'s waiters in one call per event loop."""
        by_loop: dict[asyncio.AbstractEventLoop, list[Answer]] = {}
        for piece, value, error in answers:
            if piece.waiter is not None:
                by_loop.setdefault(piece.waiter.get_loop(), []).append((piece, value, error))
            elif piece.future is None:
                continue
            elif error is None:
                piece.future.set_result(value)
            else:
                piece.future.set_exception(error)
        for loop, settled in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, settled)
            except RuntimeError:  # its loop closed: nobody is left to answer
                log.warning("group commit: %d answers for a closed event loop", len(settled))

    def _batch(self, batch: list[_Piece[Any]]) -> tuple[list[Answer], bool]:
        """Run the batch: each piece's answer, and whether anything was committed."""
        try:
            return self._transaction(batch, safe=False)
        except _Redo:  # a piece failed after it wrote: again, each piece in a savepoint (nothing was answered yet)
            return self._transaction(batch, safe=True)

    def _transaction(self, batch: list[_Piece[Any]], *, safe: bool) -> tuple[list[Answer], bool]:
        done: list[Answer] = []
        with Session(self.engine, expire_on_commit=False) as session:
            session.info[_CACHE], session.info[_DEFERRED] = {}, []
            try:
                for piece in batch:
                    done.append((piece, *(self._one(session, piece) if safe else self._fast(session, piece))))
                stored = any(exc is None for _, _, exc in done)
                if stored:
                    self._insert_deferred(session)
                    session.commit()
                else:
                    session.rollback()
            except _Redo:
                raise
            except Exception as exc:  # the transaction itself failed: nothing of this batch is stored
                return [(piece, None, exc) for piece in batch], False
        self.batches += int(stored)
        return done, stored  # answered only now: the commit has returned

    def _fast(self, session: Session, piece: _Piece[Any]) -> tuple[Any, Exception | None]:
        """Run one piece with no savepoint (two statements and the ORM's nested transaction less per request): kept
        while every piece that fails wrote nothing (a refused report is refused before it writes); else _Redo."""
        value, error = _clean(session, piece.context, piece.work, session)
        if error is not None and piece.recover is not None:
            value, error = _clean(session, piece.context, piece.recover, session, error)
        return value, error

    @staticmethod
    def _insert_deferred(session: Session) -> None:
        deferred: list[tuple[Fast, dict[str, Any]]] = session.info[_DEFERRED]
        by_statement: dict[int, tuple[Fast, list[dict[str, Any]]]] = {}
        for statement, row in deferred:
            by_statement.setdefault(id(statement), (statement, []))[1].append(row)
        for statement, rows in by_statement.values():  # in the order they were added: the relay's order
            statement.run(connection(session), rows)
        deferred.clear()

    def _one(self, session: Session, piece: _Piece[Any]) -> tuple[Any, Exception | None]:
        """Run one piece in its savepoint: (its result, None) or (None, its error). Raises only when the
        transaction is no longer usable (the whole batch then fails)."""
        deferred: list[Any] = session.info[_DEFERRED]
        kept = len(deferred)
        try:
            with _savepoint(session):
                return piece.context.run(piece.work, session), None
        except Exception as exc:
            error = exc
        del deferred[kept:]  # the failed piece's rows go with its savepoint
        self._usable(session, error)
        if piece.recover is None:
            return None, error
        try:
            with _savepoint(session):
                return piece.context.run(piece.recover, session, error), None
        except Exception as exc:
            del deferred[kept:]
            self._usable(session, exc)
            return None, exc

    @staticmethod
    def _usable(session: Session, error: Exception) -> None:
        """After a savepoint's rollback: the transaction must still answer (a dropped connection, or a rollback that
        failed, fails the batch with the piece's error instead)."""
        try:
            session.connection().exec_driver_sql("SELECT 1").close()
        except Exception as exc:
            raise error from exc
