"""Which database errors mean "away right now, try again" (503, delivery not counted) and which are bugs (500,
counted): real errors from real drivers, no server needed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from shared.db import database_unavailable


def error_of(url: str, sql: str = "SELECT 1", **kw: object) -> BaseException:
    engine = create_engine(url, **kw)  # type: ignore[arg-type]
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    except Exception as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("no error")


def test_a_refused_postgresql_connection_is_unavailable():
    exc = error_of("postgresql+psycopg://postgres@127.0.0.1:1/x", connect_args={"connect_timeout": 2})
    assert isinstance(exc, OperationalError) and database_unavailable(exc)


def test_a_sqlite_file_that_cannot_be_opened_is_unavailable():
    assert database_unavailable(error_of("sqlite:////nonexistent-folder/x.db"))


def test_a_locked_sqlite_file_is_unavailable(tmp_path: Path):
    path = tmp_path / "x.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        exc = error_of(f"sqlite:///{path}", "SELECT * FROM t", connect_args={"timeout": 0.1})
    finally:
        holder.close()
    assert database_unavailable(exc)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM no_such_table",
        "CREATE TABLE t (x PRIMARY KEY); INSERT INTO t VALUES (1); INSERT INTO t VALUES (1)",
    ],
)
def test_a_bug_or_bad_data_is_not_unavailable(sql: str):
    engine = create_engine("sqlite://")
    with pytest.raises(Exception) as caught, engine.connect() as conn:  # noqa: PT011
        for statement in sql.split("; "):
            conn.execute(text(statement))
    assert isinstance(caught.value, OperationalError | IntegrityError)
    assert not database_unavailable(caught.value)


def test_a_pool_with_no_connection_to_give_is_unavailable():
    assert database_unavailable(PoolTimeout("QueuePool limit reached"))
    assert not database_unavailable(ValueError("not a database error"))


def test_a_writer_waits_for_the_sqlite_write_turn_in_bounded_time() -> None:
    """A turn never given back (a bug) costs the next writer a retryable error after the timeout, not a thread
    blocked for ever (which once kept a service's shutdown waiting); a turn handed over in time is taken."""
    import threading

    from sqlalchemy import exc as sa_exc

    from shared.db import WriterQueue, database_unavailable

    writers = WriterQueue(timeout_s=0.2)
    writers.acquire()  # held by this thread, never released here
    errors: list[BaseException] = []

    def other() -> None:
        try:
            writers.acquire()
        except BaseException as exc:  # noqa: BLE001 - the test looks at it
            errors.append(exc)

    t = threading.Thread(target=other)
    t.start()
    t.join(5)
    assert not t.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], sa_exc.TimeoutError) and database_unavailable(errors[0])
    assert not writers._waiters  # the one that gave up left the queue

    got: list[bool] = []
    t = threading.Thread(target=lambda: (writers.acquire(), got.append(True), writers.release()))
    t.start()
    writers.release()  # handed over while it waits
    t.join(5)
    assert got == [True]
