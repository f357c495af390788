"""Where files live (documents, evidence): one small interface, `FileStore`, so replicas of a service on two machines
can serve each other's files (issue 16 item 3, docs/storage.md).

Files are content-addressed: `put(data)` answers the SHA-256 (hex) of the bytes, the same bytes again change nothing.
`LAPKIN_FILE_STORE` picks the store:

- `local` (the default, and the embedded install's): a folder of the data folder, `<root>/<sha[:2]>/<sha>`, the
  layout evidence files have always had; files readable by their owner only (0600, shared/private.py). Only the
  processes of one machine see them.
- `database`: rows of the service's own table (`col_file`, `apv_file`, `ren_file`; each made by that service's
  migration, so in its own schema), keyed by the SHA-256, the bytes in a `bytea`. Needs `DATABASE_URL` to be
  PostgreSQL (on SQLite a second connection writing while the request's transaction holds the one write lock would
  wait on it). Every read checks the bytes against their SHA-256. A file not in the table is looked for in the
  local folder, so an install switched from `local` keeps serving the files it made before (`lapkin files migrate`
  copies them in, for the other machines).
- `s3`: objects of an S3-compatible bucket (`LAPKIN_S3_*`, shared/s3.py), `<prefix><table>/<sha>`: one folder per
  service, named like its table. Every read checks the bytes against their SHA-256; a file not in the bucket is
  looked for in the local folder, as with `database`."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import SQLAlchemyError

from shared.config import Settings
from shared.db import database_said, database_unavailable, on_postgresql, probe_database
from shared.private import PRIVATE_FILE, private_dir
from shared.s3 import PROBE_TIMEOUT_S, S3Bucket, S3Config, S3Error

log = logging.getLogger("lapkin.storage")

SHA256 = re.compile(r"[0-9a-f]{64}")


class FileMissing(LookupError):
    """The store has no file with this SHA-256 (or only one whose bytes do not match it): a 404 naming the file to
    restore from a backup, never a 500."""

    def __init__(self, sha256: str, where: str, corrupt: bool = False) -> None:
        self.sha256, self.where, self.corrupt = sha256, where, corrupt
        what = "does not match its SHA-256" if corrupt else "is missing"
        super().__init__(f"file {sha256} {what} in {where}")


class FileStore(Protocol):
    """Content-addressed files. `shared` says whether other machines see what this one puts (a service may keep its
    browsable folders when they would not)."""

    name: str
    shared: bool

    def put(self, data: bytes) -> str:
        """Keep the bytes; their SHA-256. Idempotent."""
        ...

    def replace(self, data: bytes) -> str:
        """Keep the bytes even where the store already holds something under their SHA-256 (a damaged copy:
        `lapkin files migrate` repairs it from a good local one); their SHA-256."""
        ...

    def put_file(self, path: Path, sha256: str) -> None:
        """Keep a staged file already hashed by the caller (renamed into place, or copied in and removed)."""
        ...

    def get(self, sha256: str) -> bytes:
        """The bytes (checked against the SHA-256 where the store can say), or FileMissing."""
        ...

    def exists(self, sha256: str) -> bool: ...

    def path(self, sha256: str) -> Path | None:
        """A local file holding the bytes, to be streamed from (None: read them with `get`)."""
        ...


# An S3 store's answers that say its settings are wrong, not the request: refused credentials (401, 403), no such
# bucket, a region the bucket is not in. Fixing the setting makes the same write succeed.
MISCONFIGURED_S3 = frozenset({"NoSuchBucket", "AuthorizationHeaderMalformed"})


def store_unavailable(exc: BaseException) -> bool:
    """Whether an error says the file store cannot be used right now, so the same write may well succeed later: an
    S3 store that could not be reached or answered 5xx (S3Error, `status` None or >= 500), or refused the install's
    own settings (credentials 401/403, no such bucket, the wrong region: the operator mends the setting, and what
    waited is written then), a connection refused or timed out, a database store's database away
    (shared.db.database_unavailable). A full disk or a bug are not: those stay failures that count."""
    if isinstance(exc, S3Error):
        return exc.status is None or exc.status >= 500 or exc.status in (401, 403) or exc.code in MISCONFIGURED_S3
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    return database_unavailable(exc)


def check_sha(sha256: str) -> str:
    """The SHA-256 as a store may use it in a path or a key; ValueError for anything else (no path tricks)."""
    if not SHA256.fullmatch(sha256):
        raise ValueError(f"not a lowercase hex SHA-256: {sha256[:80]!r}")
    return sha256


def verify(path: Path, sha256: str) -> bytes:
    """The bytes of the file at `path` when they are the ones `sha256` names; FileMissing when it is not there, or
    (corrupt) holds other bytes: a damaged copy is never served as the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FileMissing(sha256, str(path.parent)) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise FileMissing(sha256, str(path), corrupt=True)
    return data


class LocalStore:
    """A folder: `<root>/<sha[:2]>/<sha>`, each file 0600, written to a temp file then renamed (never half there)."""

    name = "local"
    shared = False

    def __init__(self, root: Path) -> None:
        self.root = root

    def blob(self, sha256: str) -> Path:
        return self.root / check_sha(sha256)[:2] / sha256

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if self.blob(sha).is_file():
            return sha
        return self.replace(data)

    def replace(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        tmp_dir = private_dir(self.root / "tmp")
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="put-")  # 0600 whatever the umask
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            self.put_file(Path(name), sha)
        finally:
            Path(name).unlink(missing_ok=True)
        return sha

    def put_file(self, path: Path, sha256: str) -> None:
        target = self.blob(sha256)
        private_dir(target.parent)
        os.chmod(path, PRIVATE_FILE)
        os.replace(path, target)  # the same bytes may be there already: same name, same file

    def get(self, sha256: str) -> bytes:
        return verify(self.blob(sha256), sha256)

    def exists(self, sha256: str) -> bool:
        return self.blob(sha256).is_file()

    def path(self, sha256: str) -> Path | None:
        found = self.blob(sha256)
        return found if found.is_file() else None


def put_staged(store: FileStore, path: Path, sha256: str) -> None:
    """A staged file into a store that keeps bytes rather than files: checked against the SHA-256 it is said to have,
    put, then removed (left in place when it is not what it claims)."""
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != check_sha(sha256):
        raise ValueError(f"{path} does not hold the file {sha256}")
    store.put(data)
    path.unlink(missing_ok=True)


def file_table(name: str, metadata: MetaData) -> Table:
    """A service's table of files (its migration makes it): the SHA-256 is the key, the bytes are checked against it
    on every read."""
    return Table(
        name,
        metadata,
        Column("sha256", String(64), primary_key=True),
        Column("size", Integer, nullable=False),
        Column("data", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
    )


class DatabaseStore:
    """Rows of the service's own file table (PostgreSQL), each put in a transaction of its own: a file without the
    row that names it (the request failed afterwards) is harmless and taken over by the next put of the same bytes.
    Reads fall back to `fallback` (the local folder the files were in before the switch)."""

    name = "database"
    shared = True

    def __init__(self, engine: Engine, table: Table, fallback: FileStore | None = None) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError(
                "LAPKIN_FILE_STORE=database memerlukan DATABASE_URL PostgreSQL / needs DATABASE_URL to be PostgreSQL "
                f"(this one is {engine.dialect.name})"
            )
        self.engine, self.table, self.fallback = engine, table, fallback

    def put(self, data: bytes) -> str:
        return self._upsert(data, overwrite=False)

    def replace(self, data: bytes) -> str:
        return self._upsert(data, overwrite=True)

    def _upsert(self, data: bytes, overwrite: bool) -> str:
        sha = hashlib.sha256(data).hexdigest()
        row = {"sha256": sha, "size": len(data), "data": data, "created_at": datetime.now(UTC)}
        insert = postgresql.insert(self.table).values(**row)
        if overwrite:
            upsert = insert.on_conflict_do_update(index_elements=["sha256"], set_={"size": len(data), "data": data})
        else:
            upsert = insert.on_conflict_do_nothing(index_elements=["sha256"])
        with self.engine.begin() as conn:
            conn.execute(upsert)
        return sha

    def put_file(self, path: Path, sha256: str) -> None:
        put_staged(self, path, sha256)

    def _row(self, sha256: str) -> bytes | None:
        with self.engine.connect() as conn:
            data = conn.execute(select(self.table.c.data).where(self.table.c.sha256 == sha256)).scalar()
        return bytes(data) if data is not None else None

    def get(self, sha256: str) -> bytes:
        data = self._row(check_sha(sha256))
        if data is None:
            if self.fallback is not None and self.fallback.exists(sha256):
                return self.fallback.get(sha256)
            raise FileMissing(sha256, f"table {self.table.name}")
        if hashlib.sha256(data).hexdigest() != sha256:
            raise FileMissing(sha256, f"table {self.table.name}", corrupt=True)
        return data

    def exists(self, sha256: str) -> bool:
        query = select(self.table.c.sha256).where(self.table.c.sha256 == check_sha(sha256))
        with self.engine.connect() as conn:
            if conn.execute(query).first() is not None:
                return True
        return self.fallback is not None and self.fallback.exists(sha256)

    def path(self, sha256: str) -> Path | None:
        return None  # the bytes are in the table: `get` them (checked) rather than a local file of some other state

    def shas(self) -> set[str]:
        """Every SHA-256 in the table (`lapkin files migrate` copies in only what is missing)."""
        with self.engine.connect() as conn:
            return set(conn.execute(select(self.table.c.sha256)).scalars())


class S3Store:
    """Objects of an S3-compatible bucket, `<prefix><folder>/<sha>`, each put whole (the signed payload hash is the
    file's SHA-256: a server that checks it, as AWS and MinIO do, refuses a body damaged on the way). Reads check the
    bytes against the key's SHA-256 (a damaged or missing object is FileMissing, like a damaged row) and fall back to
    `fallback` like the database store's. An outage or a refusal is S3Error (a 503, shared/service.py)."""

    name = "s3"
    shared = True

    def __init__(self, bucket: S3Bucket, folder: str, fallback: FileStore | None = None) -> None:
        self.bucket, self.folder, self.fallback = bucket, folder, fallback

    def key(self, sha256: str) -> str:
        return f"{self.folder}/{check_sha(sha256)}"

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        self.bucket.put(self.key(sha), data, sha)  # the same bytes again: the same object, written again
        return sha

    def replace(self, data: bytes) -> str:
        return self.put(data)  # a PUT always overwrites the object

    def put_file(self, path: Path, sha256: str) -> None:
        put_staged(self, path, sha256)

    def get(self, sha256: str) -> bytes:
        key = self.key(sha256)
        try:
            data = self.bucket.get(key)
        except S3Error as away:  # an outage or a refusal: a copy this machine still has is served meanwhile
            if self.fallback is not None and self.fallback.exists(sha256):
                try:
                    data = self.fallback.get(sha256)
                except FileMissing:  # damaged here: the bucket's copy may be whole, so it is still the outage
                    raise away from None
                log.warning("%s: S3 unavailable (%s); served from %s", key, away.code or "outage", self.fallback.name)
                return data
            raise
        if data is None:
            if self.fallback is not None and self.fallback.exists(sha256):
                return self.fallback.get(sha256)
            raise FileMissing(sha256, self.bucket.where(key))
        if hashlib.sha256(data).hexdigest() != sha256:
            raise FileMissing(sha256, self.bucket.where(key), corrupt=True)
        return data

    def exists(self, sha256: str) -> bool:
        if self.bucket.exists(self.key(sha256)):
            return True
        return self.fallback is not None and self.fallback.exists(sha256)

    def path(self, sha256: str) -> Path | None:
        return None  # the bytes are in the bucket: `get` them (checked)


def s3_config(settings: Settings) -> S3Config:
    """The bucket the `LAPKIN_S3_*` settings name (Settings refuses LAPKIN_FILE_STORE=s3 without them)."""
    if not (settings.s3_endpoint_url and settings.s3_bucket and settings.s3_access_key and settings.s3_secret_key):
        raise ValueError("LAPKIN_FILE_STORE=s3 needs LAPKIN_S3_ENDPOINT_URL, _BUCKET, _ACCESS_KEY and _SECRET_KEY")
    return S3Config(
        endpoint_url=settings.s3_endpoint_url,
        bucket=settings.s3_bucket,
        region=settings.s3_region,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        prefix=settings.s3_prefix,
        connect_timeout_s=settings.s3_connect_timeout_s,
        read_timeout_s=settings.s3_read_timeout_s,
    )


def describe_store(settings: Settings) -> str:
    """Which file store is in use, for the `lapkin up` banner and `lapkin status`: never a secret (the endpoint is
    refused with user info in it, shared/config.py)."""
    if settings.file_store == "s3":
        prefix = f", prefix {settings.s3_prefix}" if settings.s3_prefix else ""
        return f"s3 {settings.s3_endpoint_url} bucket {settings.s3_bucket}{prefix}"
    if settings.file_store == "database":
        return "database (PostgreSQL DATABASE_URL, tabel/tables col_file apv_file ren_file)"
    return f"local {settings.data_dir.resolve()}"


def probe_store(settings: Settings) -> str | None:
    """Why the shared file store does not answer (one line, no secret), or None when it does (or is `local`, which
    is this machine's folder): a cheap look with a short timeout, for `lapkin status`."""
    if settings.file_store == "s3":
        bucket = S3Bucket(s3_config(settings))
        try:
            bucket.probe()
        except S3Error as exc:
            return str(exc)
        finally:
            bucket.close()
        return None
    if settings.file_store == "database":
        if not on_postgresql(settings):
            return "LAPKIN_FILE_STORE=database needs DATABASE_URL to be PostgreSQL"
        try:
            probe_database(settings, "probe", timeout_s=int(PROBE_TIMEOUT_S))  # the URL every service's schema uses
        except SQLAlchemyError as exc:
            return f"{type(exc).__name__}: {database_said(exc)}"
    return None


def shared_store(settings: Settings, engine: Engine, table: Table, fallback: FileStore | None = None) -> FileStore:
    """The store other machines see (`database` or `s3`), for one service's files; ValueError for `local`."""
    if settings.file_store == "database":
        return DatabaseStore(engine, table, fallback=fallback)
    if settings.file_store == "s3":
        return S3Store(S3Bucket(s3_config(settings)), table.name, fallback=fallback)
    raise ValueError(f"LAPKIN_FILE_STORE={settings.file_store} is no shared store (one of database, s3)")


def open_store(settings: Settings, engine: Engine, table: Table, local_root: Path) -> FileStore:
    """The store `LAPKIN_FILE_STORE` names, for one service's files (its table, its local folder)."""
    local = LocalStore(local_root)
    if settings.file_store == "local":
        return local
    if settings.file_store == "s3" and engine.dialect.name == "postgresql":
        # files kept in the table before a switch from `database` are served until `lapkin files migrate` copies them
        return shared_store(settings, engine, table, fallback=DatabaseStore(engine, table, fallback=local))
    return shared_store(settings, engine, table, fallback=local)
