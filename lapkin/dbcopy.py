"""`lapkin db copy --to URL`: an embedded install's rows — each service's SQLite file in the data folder — copied into
PostgreSQL, so the office can move to a second machine (docs/storage.md) without starting over.

What it promises:
- **the source is only read**: each service's file is read in one read transaction (a consistent snapshot); nothing
  in the data folder changes, so going back is setting DATABASE_URL back;
- **all or nothing**: the target's schemas are brought to the newest migration first (as `lapkin db upgrade` does),
  then every service's rows go in through one connection in **one transaction** — a failure half way (the server
  gone, a row refused) leaves the target's tables empty, and the command can simply be run again;
- **never over data**: a target table that already holds rows refuses the whole copy before anything is written;
- **checked**: each table's row count in the target is compared with the source's before the commit, and each
  table's id sequence is moved past the copied ids, so the services add rows after them;
- **not under running services**: a service of this install still answering on its port refuses the copy (what it
  wrote after the snapshot would stay behind in SQLite).

The rows travel through each service's own table definitions (`shared.migrate.target_metadata`), the types the
services themselves read and write on both databases with: text stays text (the figures are stored as text, so no
number passes through a float), times stay UTC.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Integer, Table, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from shared.config import Settings
from shared.db import database_said, make_engine, moved_among, moved_services, require_database, sqlite_path
from shared.formatting import fmt_date, fmt_number
from shared.migrate import current, head, target_metadata, upgrade
from shared.private import write_private

Say = Callable[[str], None]
CHUNK = 1000  # rows read and inserted at a time
PROGRESS_EVERY_S = 5.0


class CopyRefused(Exception):
    """The copy was not made (nothing changed anywhere): why, in Indonesian and English."""

    def __init__(self, message_id: str, message_en: str) -> None:
        super().__init__(f"{message_id} / {message_en}")


@dataclass
class TableCopied:
    service: str
    table: str
    rows: int


def target_url(given: str) -> str:
    """The PostgreSQL URL the rows go to, as the services will be given it (DATABASE_URL); CopyRefused otherwise."""
    try:
        url = make_url(given)
    except ArgumentError:
        raise CopyRefused(
            f"--to bukan URL basis data: {given!r} (contoh postgresql://postgres@127.0.0.1:5432/lapkin)",
            f"--to is not a database URL: {given!r} (e.g. postgresql://postgres@127.0.0.1:5432/lapkin)",
        ) from None
    if url.get_backend_name() not in ("postgresql", "postgres") or not url.database:
        raise CopyRefused(
            f"--to harus basis data PostgreSQL (dengan nama basis datanya), bukan {url.render_as_string()}",
            f"--to must be a PostgreSQL database (with its database name), not {url.render_as_string()}",
        )
    return url.render_as_string(hide_password=False)


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def copy_databases(settings: Settings, to: str, services: Iterable[str], say: Say) -> list[TableCopied]:
    """Copy the services' SQLite rows (the settings' data folder or DATABASE_URL) into the PostgreSQL `to`.
    Refuses (CopyRefused) before writing anything when it cannot be done whole; see the module's doc."""
    services = list(services)
    to = target_url(to)
    target = settings.model_copy(update={"database_url": to})
    for service in services:
        if sqlite_path(settings, service) is None:
            raise CopyRefused(
                f"{service}: sumber bukan berkas SQLite (DATABASE_URL sudah {shown(settings.database_url or '')})",
                f"{service}: the source is not an SQLite file (DATABASE_URL is {shown(settings.database_url or '')})",
            )
        require_database(settings, service)
    _refuse_while_running(settings, services)
    _refuse_copied_before(settings, services)

    sources = {s: make_engine(settings, s, read_only=True) for s in services}
    targets: dict[str, Engine] = {}
    try:
        for service, engine in sources.items():
            _refuse_source_not_at_head(engine, service)
            _refuse_unknown_tables(engine, service)
        for service in services:
            targets[service] = engine = make_engine(target, service)  # makes the service's schema
            upgrade(engine, service)
        _refuse_rows_in_target(targets)
        copied = _copy(sources, targets[services[0]], say)
        _mark_moved(settings, services, to)
        return copied
    finally:
        for engine in [*sources.values(), *targets.values()]:
            engine.dispose()


def _refuse_while_running(settings: Settings, services: list[str]) -> None:
    busy = [(s, settings.port(s)) for s in services if _answers(settings.port(s))]
    if busy:
        where = ", ".join(f"{s} :{p}" for s, p in busy)
        raise CopyRefused(
            f"layanan masih berjalan ({where}): hentikan dulu (lapkin up: Ctrl-C) agar tak ada baris tertinggal",
            f"services still running ({where}): stop them first (lapkin up: Ctrl-C), so no row is left behind",
        )


def _refuse_copied_before(settings: Settings, services: list[str]) -> None:
    """Copied before: the services may have worked on PostgreSQL since, and a new copy (into another, empty
    database, after dropping that one) would leave that work behind."""
    again, moved, marker = moved_among(settings, services)
    if again:
        to, at = moved.get("to", "PostgreSQL"), moved.get("at_local", "")
        raise CopyRefused(
            f"{', '.join(again)} sudah disalin ke {to} ({at}); layanan berjalan di sana sejak itu — jangan hapus basis "
            f"data itu. Menyalin lagi (hanya bila tidak ada pekerjaan di sana): hapus dulu {marker}",
            f"{', '.join(again)} already copied to {to} ({at}); the services run there since — do not drop that "
            f"database. To copy again (only when nothing was done there): delete {marker} first",
        )


def _mark_moved(settings: Settings, services: list[str], to: str) -> None:
    """The data folder remembers the move: the services refuse to write to these SQLite files again
    (shared.db.refuse_moved), and the copy is not made twice."""
    moved, marker = moved_services(settings)
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo(settings.timezone))
    record = {
        "services": sorted({*(moved.get("services") or []), *services}),
        "to": shown(to),
        "at": now.isoformat(timespec="seconds"),
        "at_local": f"{fmt_date(local)} {local:%H.%M} {local.tzname()}",
    }
    write_private(marker, json.dumps(record, indent=2).encode())


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _refuse_source_not_at_head(engine: Engine, service: str) -> None:
    at, newest = current(engine, service), head(service)
    if at != newest:
        raise CopyRefused(
            f"{service}: basis data SQLite pada migrasi {at or '(kosong)'}, kode pada {newest}: "
            "jalankan dulu `lapkin db upgrade`",
            f"{service}: the SQLite database is at migration {at or '(empty)'}, the code at {newest}: "
            "run `lapkin db upgrade` first",
        )


def _refuse_unknown_tables(engine: Engine, service: str) -> None:
    """A table in the file that the service does not define would not be copied: said, not dropped silently."""
    known = set(target_metadata(service).tables) | {"alembic_version"}
    unknown = sorted(set(inspect(engine).get_table_names()) - known)
    if unknown:
        raise CopyRefused(
            f"{service}: tabel yang tidak dikenal kode ini: {', '.join(unknown)} (basis data dari versi lain?)",
            f"{service}: tables this code does not know: {', '.join(unknown)} (a database from another version?)",
        )


def _refuse_rows_in_target(targets: dict[str, Engine]) -> None:
    full: list[str] = []
    for service, engine in targets.items():
        with engine.connect() as conn:
            for table in target_metadata(service).sorted_tables:
                if conn.execute(select(table).limit(1)).first() is not None:
                    full.append(f"{service}.{table.name}")
    if full:
        raise CopyRefused(
            f"basis data tujuan sudah berisi data ({', '.join(full[:5])}{' …' if len(full) > 5 else ''}): "
            "tidak ada yang disalin; pakai basis data kosong",
            f"the target database already holds data ({', '.join(full[:5])}{' …' if len(full) > 5 else ''}): "
            "nothing copied; use an empty database",
        )


def _copy(sources: dict[str, Engine], target: Engine, say: Say) -> list[TableCopied]:
    """Every service's tables in one transaction of one connection (each service's schema in turn on its
    search_path); counts compared and id sequences moved before the one commit."""
    copied: list[TableCopied] = []
    told = time.monotonic()
    with target.connect() as out, out.begin():
        for service, source in sources.items():
            say(f"  {service}: menyalin / copying …")
            out.exec_driver_sql(f'SET LOCAL search_path TO "{service}"')
            with source.connect() as src, src.begin():  # one read transaction: a consistent snapshot of the file
                for table in target_metadata(service).sorted_tables:
                    total = src.execute(select(func.count()).select_from(table)).scalar_one()
                    done = 0
                    rows = src.execution_options(yield_per=CHUNK).execute(select(table))
                    for chunk in rows.mappings().partitions(CHUNK):
                        try:
                            out.execute(table.insert(), [dict(row) for row in chunk])
                        except DBAPIError as exc:  # a value SQLite kept that PostgreSQL's column refuses
                            reason = database_said(exc)
                            raise CopyRefused(
                                f"{service}.{table.name}: baris ditolak PostgreSQL ({reason}); tidak ada yang disimpan",
                                f"{service}.{table.name}: a row PostgreSQL refused ({reason}); nothing was kept",
                            ) from None
                        done += len(chunk)
                        if time.monotonic() - told >= PROGRESS_EVERY_S:
                            told = time.monotonic()
                            say(
                                f"  {service}.{table.name}: {fmt_number(done, 0)} dari/of {fmt_number(total, 0)} "
                                f"baris/rows ({done * 100 // max(total, 1)} %)"
                            )
                    landed = out.execute(select(func.count()).select_from(table)).scalar_one()
                    if landed != total:  # pragma: no cover - an insert that drops rows without an error
                        raise CopyRefused(
                            f"{service}.{table.name}: {landed} baris masuk dari {total}; tidak ada yang disimpan",
                            f"{service}.{table.name}: {landed} rows landed of {total}; nothing was kept",
                        )
                    _move_sequences(out, service, table)
                    copied.append(TableCopied(service, table.name, total))
    return copied


def _move_sequences(out: Connection, service: str, table: Table) -> None:
    """An integer primary key's sequence past the largest copied id (the next row the service adds gets a new id)."""
    for column in table.primary_key.columns:
        if not isinstance(column.type, Integer):
            continue
        sequence = out.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": f'"{service}"."{table.name}"', "c": column.name}
        ).scalar_one()
        if sequence is None:
            continue
        out.execute(
            text(f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'),
            {"s": sequence},
        )
