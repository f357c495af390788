"""shared/fastsql.py on a real SQLite file: what `Fast` writes and reads back is what SQLAlchemy's own execution writes
and reads (dates, booleans, NULLs), in the connection's transaction; a constraint's refusal is SQLAlchemy's
IntegrityError; a statement whose execution would add values (a column default) is left to SQLAlchemy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from shared.fastsql import Fast
from tests.support.databases import sqlite_file

META = MetaData()
ROWS = Table(
    "row",
    META,
    Column("id", Integer, primary_key=True),
    Column("name", String, unique=True),
    Column("at", DateTime),
    Column("flag", Boolean),
)
DEFAULTED = Table("defaulted", META, Column("id", Integer, primary_key=True), Column("n", Integer, default=7))
BY_NAME = select(ROWS).where(ROWS.c.name == bindparam("name"))
WHEN = datetime(2024, 4, 10, 8, 30, 15, 123456)


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    with sqlite_file(tmp_path / "f.db", META) as engine:
        yield engine


def test_rows_written_and_read_as_sqlalchemy_writes_and_reads_them(engine: Any) -> None:
    with engine.begin() as conn:
        Fast(insert(ROWS)).run(conn, [{"id": 1, "name": "a", "at": WHEN, "flag": True},
                                      {"id": 2, "name": "b", "at": None, "flag": False}])  # fmt: skip
        conn.execute(insert(ROWS), {"id": 3, "name": "c", "at": WHEN, "flag": True})  # SQLAlchemy's own, to compare
    with engine.connect() as conn:
        raw = conn.exec_driver_sql("SELECT name, at, flag FROM row ORDER BY id").all()
        assert raw[0][1:] == raw[2][1:]  # stored alike: the same text for the date, the same 1 for True
        assert [tuple(r) for r in conn.execute(BY_NAME, {"name": "a"})] == Fast(BY_NAME).rows(conn, {"name": "a"})
        assert Fast(BY_NAME).mappings(conn, {"name": "b"}) == [{"id": 2, "name": "b", "at": None, "flag": False}]
        assert Fast(BY_NAME).rows(conn, {"name": "a"}) == [(1, "a", WHEN, True)]
        assert Fast(select(func.max(ROWS.c.id))).rows(conn, {}) == [(3,)]
        assert Fast(BY_NAME).rows(conn, {"name": "none"}) == []


def test_an_update_runs_in_the_connections_transaction(engine: Any) -> None:
    rename = Fast(update(ROWS).where(ROWS.c.id == bindparam("k_id")).values(name=bindparam("v_name")))
    with engine.begin() as conn:
        conn.execute(insert(ROWS), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
    with engine.connect() as conn:
        conn.begin()
        rename.run(conn, [{"k_id": 1, "v_name": "x"}, {"k_id": 2, "v_name": "y"}])
        assert Fast(BY_NAME).rows(conn, {"name": "x"})[0][0] == 1
        conn.rollback()
    with engine.connect() as conn:
        assert sorted(conn.execute(select(ROWS.c.name)).scalars()) == ["a", "b"]  # rolled back with it


def test_a_refused_row_raises_sqlalchemys_integrity_error(engine: Any) -> None:
    with engine.begin() as conn:
        Fast(insert(ROWS)).run(conn, {"id": 1, "name": "a", "at": None, "flag": None})
    with engine.connect() as conn, pytest.raises(IntegrityError, match="UNIQUE"):
        Fast(insert(ROWS)).run(conn, {"id": 2, "name": "a", "at": None, "flag": None})


def test_a_column_default_is_left_to_sqlalchemy(engine: Any) -> None:
    fast = Fast(insert(DEFAULTED))
    with engine.begin() as conn:
        fast.run(conn, {"id": 1})
        assert conn.execute(select(DEFAULTED.c.n)).scalar() == 7
    assert [form.fast for form in fast._forms.values()] == [False]
    plain = Fast(BY_NAME)
    with engine.connect() as conn:
        plain.rows(conn, {"name": "a"})
    assert [form.fast for form in plain._forms.values()] == [True]


def test_an_aware_date_is_stored_as_sqlalchemy_stores_it(engine: Any) -> None:
    aware = WHEN.replace(tzinfo=UTC)
    with engine.begin() as conn:
        Fast(insert(ROWS)).run(conn, {"id": 1, "name": "a", "at": aware, "flag": None})
        conn.execute(insert(ROWS), {"id": 2, "name": "b", "at": aware, "flag": None})
        stored = conn.exec_driver_sql("SELECT at FROM row ORDER BY id").scalars().all()
    assert stored[0] == stored[1]
