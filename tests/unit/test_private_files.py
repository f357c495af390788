"""The installation's secrets and databases are its user's only (shared/private.py): `secret_key` (which signs the
officials' tokens), `admin_token` and the SQLite files are created 0600 in a data folder created 0700, whatever the
umask (022 is the usual one: world-readable otherwise), and an installation made before with looser modes is
tightened when a service starts, each change one log line."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from shared.config import Settings
from shared.db import make_engine
from shared.private import tighten


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_generated_secrets_are_the_owners_only_in_a_private_data_folder(tmp_path):
    data = tmp_path / "baru" / "data"  # nothing there yet: the code makes the folder
    settings = Settings(data_dir=data, admin_token=None, secret_key=None, database_url=None)
    key, token = settings.resolved_secret_key(), settings.resolved_admin_token()
    assert key and token and key != token
    assert mode(data) == 0o700
    assert mode(data / "secret_key") == 0o600 and mode(data / "admin_token") == 0o600
    assert settings.resolved_secret_key() == key  # read back, not made again
    assert {p.name for p in data.iterdir()} == {"secret_key", "admin_token"}  # no temporary file left behind


def test_the_sqlite_database_and_its_wal_are_the_owners_only(tmp_path):
    data = tmp_path / "data"
    engine = make_engine(Settings(data_dir=data, database_url=None), "approval")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert mode(data / "approval.db") == 0o600
        wal = data / "approval.db-wal"
        assert wal.exists() and mode(wal) == 0o600  # SQLite gives its WAL the database file's mode
    engine.dispose()
    assert mode(data) == 0o700


def test_an_older_installation_is_tightened_at_start_and_says_so(tmp_path, caplog):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    (data / "logs").mkdir(mode=0o755)
    os.chmod(data / "logs", 0o755)
    for name in ("secret_key", "admin_token", "collector.db", "collector.db-wal", "laporan.pdf", "logs/approval.log"):
        (data / name).write_text("x")
        os.chmod(data / name, 0o644)
    changes = tighten(data)
    assert mode(data) == 0o700 and mode(data / "logs") == 0o700
    for name in ("secret_key", "admin_token", "collector.db", "collector.db-wal", "logs/approval.log"):
        assert mode(data / name) == 0o600, name
    assert mode(data / "laporan.pdf") == 0o644  # not a secret nor a database: left as it is (the folder guards it)
    assert len(changes) == 7 and all("tightened" in c for c in changes)
    assert any("secret_key: mode 0644 tightened to 0600" in c for c in changes)
    assert tighten(data) == []  # nothing left to do: no line

    # a service's start does it and logs each change (shared.service.build_app)
    os.chmod(data / "secret_key", 0o640)
    from shared.service import build_app

    with caplog.at_level(logging.WARNING, logger="lapkin.service"):
        build_app("approval", tables=[], routers=[], settings=Settings(data_dir=data, database_url=None))
    assert mode(data / "secret_key") == 0o600
    assert any("secret_key: mode 0640 tightened to 0600" in r.getMessage() for r in caplog.records)
    assert mode(data / "approval.db") == 0o600
