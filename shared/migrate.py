"""Alembic migrations, one history per service: `services/<svc>/migrations/` holds that service's tables and its
own copy of the kernel tables (`outbox_message`, `processed_event`).

No alembic.ini: the configuration is built here. Each `env.py` calls `run_env(service)`.

- SQLite: one file per service, the version table in that file.
- PostgreSQL: one schema per service; the engine's `search_path` is that schema (see `shared.db.make_engine`), so
  the tables *and* `alembic_version` live there and two services in one database keep separate histories.

`upgrade` is safe when several processes of one service start together: on PostgreSQL it holds a transaction-level
advisory lock for the whole upgrade (DDL is transactional there), on SQLite an exclusive lock on a file next to the
database, and it retries once on an "already exists" race.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import SQLModel, create_engine
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from shared.messaging.outbox import KERNEL_TABLES

log = logging.getLogger("lapkin.migrate")

SERVICES_DIR = Path(__file__).resolve().parent.parent / "services"
BASELINE = "0001"  # the schema `create_all` used to make before migrations existed
LEGACY_MARKER = "outbox_message"  # a kernel table every service has had since the beginning


def migrations_dir(service: str) -> Path:
    """A service registers its migrations by keeping them in its package: `services/<service>/migrations/env.py`."""
    found = SERVICES_DIR / service / "migrations"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", service) or not (found / "env.py").is_file():
        known = sorted(p.parent.parent.name for p in SERVICES_DIR.glob("*/migrations/env.py"))
        raise ValueError(f"unknown service {service!r}; one of {', '.join(known)}")
    return found


def target_metadata(service: str) -> MetaData:
    """The service's own tables plus the kernel tables, in a MetaData of their own (the models of all services share
    `SQLModel.metadata`, so autogenerate must not see it)."""
    models = importlib.import_module(f"services.{migrations_dir(service).parent.name}.models")
    metadata = MetaData(naming_convention=dict(SQLModel.metadata.naming_convention))  # type: ignore[arg-type]
    for table in [*KERNEL_TABLES, *models.TABLES]:
        table.to_metadata(metadata)
    return metadata


def make_config(service: str, connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir(service)))
    cfg.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    cfg.attributes["service"] = service
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


# ---- env.py ---------------------------------------------------------------------------------------------------


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render SQLModel's own types as what they store, so migration files need nothing but SQLAlchemy."""
    if type_ == "type" and isinstance(obj, AutoString):
        length = getattr(obj.impl, "length", None)
        return f"sa.String(length={length})" if length else "sa.String()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection, metadata: MetaData) -> None:
    from alembic import context

    # batch operations let SQLite alter a table (by copying it); on PostgreSQL they are plain ALTERs
    batch = context.config.attributes.get("render_as_batch", connection.dialect.name == "sqlite")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        render_item=_render_item,  # type: ignore[arg-type]
        render_as_batch=batch,
    )


def run_env(service: str) -> None:
    """The body of every service's env.py."""
    from alembic import context

    metadata = target_metadata(service)
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection, metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    if context.is_offline_mode():
        url = context.config.get_main_option("sqlalchemy.url")
        context.configure(url=url, target_metadata=metadata, literal_binds=True, render_item=_render_item)  # type: ignore[arg-type]
        with context.begin_transaction():
            context.run_migrations()
        return
    from shared.config import Settings
    from shared.db import make_engine

    engine = make_engine(Settings(), service)
    try:
        with engine.connect() as conn:
            _configure(conn, metadata)
            with context.begin_transaction():
                context.run_migrations()
            conn.commit()
    finally:
        engine.dispose()


# ---- the API the services use -------------------------------------------------------------------------------


def _lock_key(service: str) -> int:
    return int.from_bytes(hashlib.sha256(f"lapkin.migrate.{service}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def _file_lock(engine: Engine) -> Iterator[None]:
    db = engine.url.database
    if engine.dialect.name != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
        yield
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: the retry on "already exists" is what is left
        yield
        return
    with open(f"{db}.migrate.lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _upgrade_locked(engine: Engine, service: str, revision: str) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # held until this transaction ends; the second process then finds the schema at head
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(service)})
        cfg = make_config(service, conn)
        insp = inspect(conn)
        if not insp.has_table("alembic_version") and insp.has_table(LEGACY_MARKER):
            log.warning("%s: tables made before migrations existed; stamping them as revision %s", service, BASELINE)
            command.stamp(cfg, BASELINE)
        command.upgrade(cfg, revision)


def upgrade(engine: Engine, service: str, revision: str = "head") -> None:
    """`alembic upgrade head` for this service, on the engine's database (or schema, on PostgreSQL)."""
    lock = _file_lock(engine) if engine.dialect.name == "sqlite" else nullcontext()
    with lock:
        try:
            _upgrade_locked(engine, service, revision)
        except (OperationalError, ProgrammingError) as exc:
            if "already exists" not in str(exc):
                raise
            log.info("%s: another process migrated at the same time (%s); retrying", service, exc.orig)
            _upgrade_locked(engine, service, revision)


def current(engine: Engine, service: str) -> str | None:
    """The revision the database is at (None: never migrated)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head(service: str) -> str | None:
    return ScriptDirectory.from_config(make_config(service)).get_current_head()


def check(engine: Engine, service: str) -> list[Any]:
    """The differences between the service's models and its database (empty: they agree)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, target_metadata(service)))


def next_rev_id(service: str) -> str:
    numbers = [
        int(m.group(1))
        for p in (migrations_dir(service) / "versions").glob("*.py")
        if (m := re.match(r"(\d+)_", p.name))
    ]
    return f"{max(numbers, default=0) + 1:04d}"


def revision(service: str, message: str, *, autogenerate: bool = True, batch: bool = True) -> Path:
    """Write `versions/<NNNN>_<message>.py`: autogenerated against an empty SQLite database brought to head, so the
    file holds exactly what the models add to the current history. Review it before committing."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/autogen.db")
        try:
            with engine.begin() as conn:
                cfg = make_config(service, conn)
                cfg.attributes["render_as_batch"] = batch
                command.upgrade(cfg, "head")
                script = command.revision(cfg, message=message, autogenerate=autogenerate, rev_id=next_rev_id(service))
        finally:
            engine.dispose()
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
