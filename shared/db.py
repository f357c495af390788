"""Database engines: one SQLite file per service (embedded default) or one PostgreSQL schema per service."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Table, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, create_engine

from shared.config import Settings


def service_url(settings: Settings, service: str) -> str:
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(settings.data_dir / f'{service}.db').resolve()}"
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        db = url.database or ""
        if db in ("", ":memory:"):
            return str(url)
        stem, dot, ext = db.rpartition(".")
        return str(url.set(database=f"{stem}-{service}.{ext}" if dot else f"{db}-{service}"))
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def make_engine(settings: Settings, service: str) -> Engine:
    url = service_url(settings, service)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    schema = f"{service}"
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        connect_args={"options": f"-csearch_path={schema}", "connect_timeout": 5},
    )
    with engine.begin() as conn:
        # two processes of one service starting together would race on CREATE SCHEMA IF NOT EXISTS
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"lapkin.schema.{schema}"})
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _: Any) -> None:
    # pysqlite's own transaction handling would let RELEASE SAVEPOINT commit the outer work (so a failed
    # handler's processed-event mark would survive its rollback): SQLAlchemy's recipe takes it over.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    # IMMEDIATE: take the write lock up front, so two read-then-write transactions never deadlock on upgrade
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_tables(engine: Engine, tables: Sequence[Table]) -> None:
    """For tests with tables of their own only: services get their schema from migrations (`shared.migrate`)."""
    SQLModel.metadata.create_all(engine, tables=list(tables))


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
