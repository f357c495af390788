"""A fresh PostgreSQL database per test module when LAPKIN_TEST_DATABASE_URL is set (CI); else None (SQLite)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, event, text
from sqlalchemy.engine import make_url


@contextmanager
def fresh_database_url(prefix: str = "lapkin_t") -> Iterator[str | None]:
    base = os.environ.get("LAPKIN_TEST_DATABASE_URL")
    if not base:
        yield None
        return
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def sqlite_file(path: Path, meta: MetaData) -> Iterator[Engine]:
    """An engine on a new SQLite file holding `meta`'s tables, its transactions begun by SQLAlchemy's recipe (what
    shared/db.py does, without the writer turn): for tests of the kernel's SQL helpers."""
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", lambda c, _: setattr(c, "isolation_level", None))
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
    meta.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()
