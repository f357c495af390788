"""The file stores (shared/storage.py): content-addressed, idempotent, private, checked on read; a missing file is a
FileMissing naming it (the routes answer 404 with it), never anything else. The database store on a real PostgreSQL
(LAPKIN_TEST_DATABASE_URL; its table made by the renderer's own migration)."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from services.renderer.models import FILES
from shared.config import Settings
from shared.db import make_engine
from shared.migrate import upgrade
from shared.storage import DatabaseStore, FileMissing, LocalStore, open_store, verify
from tests.support.databases import fresh_database_url

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40
SHA = hashlib.sha256(PDF).hexdigest()


def test_the_local_store_keeps_files_where_evidence_always_was_owner_only(tmp_path: Path):
    store = LocalStore(tmp_path / "bukti")
    assert store.put(PDF) == SHA
    path = tmp_path / "bukti" / SHA[:2] / SHA
    assert path.read_bytes() == PDF and store.path(SHA) == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.put(PDF) == SHA  # the same bytes again: nothing new
    assert [p for p in (tmp_path / "bukti").rglob("*") if p.is_file()] == [path]
    assert store.get(SHA) == PDF and store.exists(SHA)


def test_the_local_store_takes_a_staged_file_over(tmp_path: Path):
    store = LocalStore(tmp_path / "bukti")
    staged = tmp_path / "upload-1"
    staged.write_bytes(PDF)
    store.put_file(staged, SHA)
    assert not staged.exists() and store.get(SHA) == PDF
    assert stat.S_IMODE(store.blob(SHA).stat().st_mode) == 0o600


def test_a_missing_file_is_file_missing_naming_it(tmp_path: Path):
    store = LocalStore(tmp_path / "bukti")
    other = "0" * 64
    assert not store.exists(other) and store.path(other) is None
    with pytest.raises(FileMissing, match=f"file {other} is missing in {tmp_path / 'bukti'}"):
        store.get(other)


def test_one_check_of_a_file_against_its_sha256_for_the_local_store_and_the_renderers_folders(tmp_path: Path):
    """`verify` is the check both the local store's reads and the renderer's document folders use (the renderer had
    a copy of its own): the bytes when they match, FileMissing saying damaged (corrupt) or missing otherwise."""
    path = tmp_path / "laporan.pdf"
    path.write_bytes(PDF)
    assert verify(path, SHA) == PDF
    path.write_bytes(PDF[:-1] + b"!")
    with pytest.raises(FileMissing, match="does not match its SHA-256") as caught:
        verify(path, SHA)
    assert caught.value.corrupt
    with pytest.raises(FileMissing, match="is missing") as caught:
        verify(tmp_path / "gone.pdf", SHA)
    assert not caught.value.corrupt
    store = LocalStore(tmp_path / "bukti")  # a damaged blob of the local store is not served either
    store.put(PDF)
    store.blob(SHA).write_bytes(PDF[:-1] + b"!")
    with pytest.raises(FileMissing) as caught:
        store.get(SHA)
    assert caught.value.corrupt


@pytest.mark.parametrize("bad", ["../../etc/passwd", "A" * 64, "ab" * 31, ""])
def test_only_a_sha256_names_a_file(tmp_path: Path, bad: str):
    store = LocalStore(tmp_path / "bukti")
    with pytest.raises(ValueError, match="not a lowercase hex SHA-256"):
        store.get(bad)


def test_the_database_store_refuses_sqlite(tmp_path: Path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ValueError, match="needs DATABASE_URL to be PostgreSQL"):
        open_store(Settings(file_store="database"), engine, FILES, tmp_path)
    assert isinstance(open_store(Settings(), engine, FILES, tmp_path), LocalStore)


def test_the_setting_names_a_known_store():
    assert Settings().file_store == "local"
    with pytest.raises(ValueError, match="file_store"):
        Settings(file_store="minio")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pg_engine() -> Iterator[Engine]:
    with fresh_database_url("lapkin_files") as url:
        if url is None:
            pytest.skip("the database store needs PostgreSQL: set LAPKIN_TEST_DATABASE_URL")
        engine = make_engine(Settings(DATABASE_URL=url), "renderer")  # type: ignore[call-arg]
        upgrade(engine, "renderer")  # ren_file comes from the renderer's own migration
        try:
            yield engine
        finally:
            engine.dispose()


def test_the_database_store_keeps_a_file_once_by_its_sha256(pg_engine: Engine, tmp_path: Path):
    store = DatabaseStore(pg_engine, FILES)
    assert store.put(PDF) == SHA and store.put(PDF) == SHA
    with pg_engine.connect() as conn:
        assert conn.execute(text("SELECT size FROM ren_file WHERE sha256 = :s"), {"s": SHA}).scalars().all() == [
            len(PDF)
        ]
    assert store.get(SHA) == PDF and store.exists(SHA) and store.path(SHA) is None
    staged = tmp_path / "upload"
    staged.write_bytes(b"other bytes")
    other = hashlib.sha256(b"other bytes").hexdigest()
    store.put_file(staged, other)
    assert not staged.exists() and store.get(other) == b"other bytes" and {SHA, other} <= store.shas()


def test_the_database_store_checks_the_bytes_it_reads(pg_engine: Engine):
    store = DatabaseStore(pg_engine, FILES)
    data = b"a file that will be damaged"
    sha = store.put(data)
    with pg_engine.begin() as conn:
        conn.execute(text("UPDATE ren_file SET data = :d WHERE sha256 = :s"), {"d": b"damaged", "s": sha})
    with pytest.raises(FileMissing, match=f"file {sha} does not match its SHA-256 in table ren_file") as caught:
        store.get(sha)
    assert caught.value.corrupt


def test_the_database_store_reads_what_the_local_folder_kept_before_the_switch(pg_engine: Engine, tmp_path: Path):
    local = LocalStore(tmp_path / "bukti")
    before = b"kept before the switch"
    sha = local.put(before)
    store = DatabaseStore(pg_engine, FILES, fallback=local)
    assert store.exists(sha) and store.get(sha) == before
    assert sha not in store.shas()
    missing = hashlib.sha256(b"nowhere").hexdigest()
    assert not store.exists(missing)
    with pytest.raises(FileMissing, match=f"file {missing} is missing in table ren_file"):
        store.get(missing)


def test_a_staged_file_that_is_not_what_it_claims_is_refused(pg_engine: Engine, tmp_path: Path):
    store = DatabaseStore(pg_engine, FILES)
    staged = tmp_path / "upload"
    staged.write_bytes(b"these bytes")
    with pytest.raises(ValueError, match="does not hold the file"):
        store.put_file(staged, SHA)
    assert staged.exists()
