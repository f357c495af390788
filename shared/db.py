"""Database engines: one SQLite file per service (embedded default) or one PostgreSQL schema per service."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, create_engine

from shared.config import Settings
from shared.private import create_private, private_dir


def per_dialect(build: Callable[[Any], Any]) -> dict[str, Any]:
    """A statement whose SQL depends on the database (INSERT … ON CONFLICT), built once for each dialect from its own
    `insert` (building a statement costs more than running it); run the one for `conn.dialect.name`. Each is set to
    report its rowcount (psycopg gives -1 for an INSERT otherwise), which says whether a row was written."""
    return {name: build(dialect.insert).execution_options(preserve_rowcount=True)
            for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))}  # fmt: skip


class DatabaseMissing(Exception):
    """A command that reads or changes existing data found no database file (it never creates one)."""

    def __init__(self, service: str, path: Path, data_dir: Path) -> None:
        super().__init__(f"{service}: {path} (LAPKIN_DATA_DIR={data_dir})")


def sqlite_path(settings: Settings, service: str) -> Path | None:
    """The service's SQLite file (None: PostgreSQL, or SQLite in memory)."""
    if settings.database_url is None:
        return (settings.data_dir / f"{service}.db").resolve()
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or (url.database or "") in ("", ":memory:"):
        return None
    return Path(make_url(service_url(settings, service)).database or "")


MOVED = "moved-to-postgresql.json"  # in the data folder: `lapkin db copy` moved these services' rows (lapkin/dbcopy.py)


class MovedToPostgres(Exception):
    """The service's SQLite file was copied into PostgreSQL (`lapkin db copy`): writing to it again would split the
    office's data in two — what it accepted would never reach PostgreSQL, while sharing its Redis consumer groups."""

    def __init__(self, service: str, moved: dict[str, Any], marker: Path) -> None:
        to, at = moved.get("to", "PostgreSQL"), moved.get("at_local", moved.get("at", ""))
        super().__init__(
            f"{service}: data SQLite ini sudah dipindah ke {to} ({at}); setel DATABASE_URL ke sana. Untuk sengaja "
            f"kembali ke SQLite (pekerjaan di PostgreSQL sejak itu tidak ikut), hapus {marker} / {service}: this "
            f"install's SQLite rows were moved to {to} ({at}); set DATABASE_URL to it. To go back to SQLite on "
            f"purpose (losing what was done on PostgreSQL since), delete {marker}"
        )


def moved_services(settings: Settings) -> tuple[dict[str, Any], Path]:
    """What `lapkin db copy` recorded in the data folder ({} when it never ran): `services`, `to`, `at`."""
    marker = settings.data_dir.resolve() / MOVED
    try:
        found = json.loads(marker.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, marker
    except (OSError, ValueError):  # unreadable or not ours: still a mark that the rows were moved
        return {"services": ["*"]}, marker
    return (found if isinstance(found, dict) else {"services": ["*"]}), marker


def moved_among(settings: Settings, services: Sequence[str]) -> tuple[list[str], dict[str, Any], Path]:
    """Which of `services` the data folder says were moved to PostgreSQL (all of them for "*", an unreadable
    marker), with the marker's record and path."""
    moved, marker = moved_services(settings)
    named = moved.get("services") or []
    return [s for s in services if s in named or "*" in named], moved, marker


def refuse_moved(settings: Settings, service: str) -> None:
    """MovedToPostgres when the service's SQLite file would be written although its rows were moved."""
    among, moved, marker = moved_among(settings, [service])
    if among:
        raise MovedToPostgres(service, moved, marker)


def database_said(exc: BaseException) -> str:
    """The first line of what the database (its driver, when SQLAlchemy wraps it) said: one line for an operator."""
    said = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return said[0] if said else type(exc).__name__


def probe_database(settings: Settings, service: str, timeout_s: int) -> None:
    """Open the service's database and run `SELECT 1`, waiting at most `timeout_s` for PostgreSQL to answer;
    SQLAlchemy's error when it cannot (ArgumentError / NoSuchModuleError: the URL itself is not usable)."""
    url = service_url(settings, service)
    engine = create_engine(url, connect_args={"connect_timeout": timeout_s} if url.startswith("postgresql") else {})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()


def require_database(settings: Settings, service: str) -> None:
    """Refuse (DatabaseMissing) when the service's SQLite file does not exist, instead of creating an empty one:
    for the operators' commands that only look at, or change, what is already there."""
    path = sqlite_path(settings, service)
    if path is not None and not path.is_file():
        raise DatabaseMissing(service, path, settings.data_dir.resolve())


def make_existing_engine(settings: Settings, service: str) -> Engine:
    require_database(settings, service)
    return make_engine(settings, service)


def on_postgresql(settings: Settings) -> bool:
    """DATABASE_URL names PostgreSQL: postgresql://, postgresql+<driver>:// or the older postgres:// (which
    `service_url` turns into the driver the services use)."""
    if not settings.database_url:
        return False
    try:
        return make_url(settings.database_url).get_backend_name() in ("postgresql", "postgres")
    except sa_exc.ArgumentError:
        return False


def describe_database(settings: Settings) -> str:
    """Where the services' rows are, for a person (the password hidden): `lapkin up`'s and `lapkin db current`'s
    first words, so nobody runs on the wrong one unawares."""
    if settings.database_url is None:
        return f"SQLite {settings.data_dir.resolve()}/<layanan/service>.db"
    try:
        return make_url(settings.database_url).render_as_string(hide_password=True)
    except sa_exc.ArgumentError:
        return "DATABASE_URL (tidak terbaca / unreadable)"


def service_url(settings: Settings, service: str) -> str:
    if settings.database_url is None:
        private_dir(settings.data_dir)
        return f"sqlite:///{(settings.data_dir / f'{service}.db').resolve()}"
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        db = url.database or ""
        if db in ("", ":memory:"):
            return str(url)
        stem, dot, ext = db.rpartition(".")
        return str(url.set(database=f"{stem}-{service}.{ext}" if dot else f"{db}-{service}"))
    if url.get_backend_name() in ("postgresql", "postgres"):  # the driver the services ship, whatever was named
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def make_engine(settings: Settings, service: str, *, read_only: bool = False) -> Engine:
    """`read_only`: on SQLite a second engine whose transactions only read (deferred BEGIN, no writer turn), for
    GET requests and lookups, so they never queue behind writers; on PostgreSQL use the one engine for both."""
    url = service_url(settings, service)
    if not read_only and (path := sqlite_path(settings, service)) is not None:
        refuse_moved(settings, service)
        create_private(private_dir(path.parent) / path.name)  # 0600 before SQLite opens it (its WAL takes the mode)
    if url.startswith("sqlite") and read_only:
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 60},
            pool_size=200,
            max_overflow=0,
            pool_timeout=60,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        return engine
    if url.startswith("sqlite"):
        # a connection per worker thread: a request waits for SQLite's write lock, never for the pool
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 60},
            pool_size=200,
            max_overflow=0,
            pool_timeout=60,
        )
        writers = WriterQueue()
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", lambda conn: _sqlite_begin(conn, writers))
        event.listen(engine, "commit", lambda conn: _sqlite_end(conn, writers))
        event.listen(engine, "rollback", lambda conn: _sqlite_end(conn, writers))
        # a connection returned without commit or rollback (garbage-collected) must not keep the turn
        event.listen(engine.pool, "reset", _sqlite_reset_hook(writers))
        return engine
    schema = f"{service}"
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=20,
        max_overflow=30,
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


WRITER_TURN_TIMEOUT_S = 60.0  # like the SQLite connections' own timeout


class WriterQueue:
    """First come, first served for SQLite's single write lock within one process. SQLite's own busy handler
    sleeps and polls, so under a burst of writers an unlucky one can starve past any timeout; here waiters are
    handed the lock in arrival order. Reentrant per thread, like the transactions that may nest in one thread."""

    def __init__(self, timeout_s: float = WRITER_TURN_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Event] = deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return
            if self._owner is None and not self._waiters:
                self._owner, self._depth = me, 1
                return
            turn = threading.Event()
            self._waiters.append(turn)
        if not turn.wait(self.timeout_s):
            with self._mutex:
                if not turn.is_set():  # (else the turn was handed over just now: take it)
                    self._waiters.remove(turn)
                    # bounded like every other wait: a turn never given back (a bug) costs a 503, not a thread
                    # blocked for ever and, with it, a shutdown that never ends
                    raise sa_exc.TimeoutError(f"SQLite write turn not given within {self.timeout_s:.0f} s")
        with self._mutex:
            self._owner, self._depth = me, 1

    def release(self) -> None:
        with self._mutex:
            self._depth -= 1
            if self._depth > 0:
                return
            if self._waiters:
                self._owner = -1  # handed over: a newcomer must queue behind the woken waiter
                self._waiters.popleft().set()
            else:
                self._owner = None


def _sqlite_begin(conn: Any, writers: WriterQueue) -> None:
    # IMMEDIATE: take the write lock up front, so two read-then-write transactions never deadlock on upgrade
    writers.acquire()
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        writers.release()
        raise
    conn.info["lapkin_writer"] = True


def _sqlite_reset_hook(writers: WriterQueue) -> Any:
    def reset(dbapi_connection: Any, connection_record: Any, reset_state: Any) -> None:
        _sqlite_end(connection_record, writers)

    return reset


def _sqlite_end(conn: Any, writers: WriterQueue) -> None:
    if conn.info.pop("lapkin_writer", False):
        writers.release()


# SQLite's primary result codes that mean "busy or unreachable right now" (not a bug, not bad data)
_SQLITE_UNAVAILABLE = {5, 6, 8, 10, 13, 14, 15}  # BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL


def database_unavailable(exc: BaseException) -> bool:
    """Whether an error says the database cannot be used right now — refused or dropped connections, a server
    shutting down, a pool with no connection to give, a deadlock or cancelled statement, a busy or unopenable SQLite
    file — so the same request or event may well succeed later. A bug or bad data (no such table, a constraint) is
    not: those stay 500s and counted deliveries."""
    if isinstance(exc, sa_exc.TimeoutError):  # the pool had no connection to give in time
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        if not isinstance(exc, sa_exc.OperationalError):
            return False
        code = getattr(exc.orig, "sqlite_errorcode", None)
        return code is None or (code & 0xFF) in _SQLITE_UNAVAILABLE
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(exc, psycopg.OperationalError)  # raised outside SQLAlchemy (e.g. a raw connect)


def create_tables(engine: Engine, tables: Sequence[Table]) -> None:
    """For tests with tables of their own only: services get their schema from migrations (`shared.migrate`)."""
    SQLModel.metadata.create_all(engine, tables=list(tables))


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
