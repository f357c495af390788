"""`lapkin db copy --to URL` (lapkin/dbcopy.py, docs/storage.md): the embedded install the README's demo leaves behind
(SQLite in the data folder) moved to a real PostgreSQL — every row of every service's tables the same on both sides,
the SQLite files only read, a second copy into the now full database refused with nothing changed — and then the
system runs on it: `lapkin up` with DATABASE_URL set serves the demo's signed final and its officials' logins, and a
new report goes all the way to the recap (new rows after the copied ids)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from shared.config import Settings
from shared.db import make_engine
from shared.migrate import target_metadata
from tests.e2e.test_cli import credentials, embedded_env, lapkin, one_line_error
from tests.e2e.up import lapkin_up
from tests.support.databases import fresh_database_url

SERVICES = ("collector", "aggregator", "approval", "renderer")


def every_row(settings: Settings) -> dict[str, list[tuple[Any, ...]]]:
    """`service.table` → its rows in primary-key order, read through the service's own table definitions."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    for service in SERVICES:
        engine = make_engine(settings, service, read_only=True)
        try:
            with engine.connect() as conn:
                for table in target_metadata(service).sorted_tables:
                    query = select(table).order_by(*table.primary_key.columns)
                    found[f"{service}.{table.name}"] = [tuple(row) for row in conn.execute(query)]
        finally:
            engine.dispose()
    return found


@pytest.fixture
def target() -> Any:
    with fresh_database_url("lapkin_copy") as url:
        if url is None:
            pytest.skip("needs PostgreSQL: set LAPKIN_TEST_DATABASE_URL (.ci/run does)")
        yield url


def test_the_demo_install_moves_to_postgresql_and_runs_there(tmp_path: Path, target: str) -> None:
    data = tmp_path / "data"
    env = embedded_env(data)
    demo = lapkin(env, "demo")  # TW1 to its signed final, two officials, on SQLite
    assert demo.returncode == 0, demo.stdout + demo.stderr
    final_sha = re.search(r"SHA-256 \(pdf\): ([0-9a-f]{64})", demo.stdout)
    assert final_sha, demo.stdout
    sqlite = Settings(data_dir=data)
    before = every_row(sqlite)
    assert sum(map(len, before.values())) > 200  # submissions, recaps, drafts, officials, documents, outboxes

    copied = lapkin(env, "db", "copy", "--to", target)
    assert copied.returncode == 0, copied.stdout + copied.stderr
    assert "Selesai / done" in copied.stdout and "DATABASE_URL=<URL --to" in copied.stdout
    assert (data / "moved-to-postgresql.json").stat().st_mode & 0o077 == 0
    total = sum(map(len, before.values()))
    assert re.search(rf"Selesai / done: {total:,} baris/rows".replace(",", "."), copied.stdout), copied.stdout

    on_pg = Settings(data_dir=data, database_url=target)
    after = every_row(on_pg)
    assert after == before  # every table, every row, every value (times, figures as text, files as bytes)
    assert every_row(sqlite) == before  # the source only read

    # the install remembers the move: a copy again is refused (the services run there now; never drop it) ...
    again = lapkin(env, "db", "copy", "--to", target)
    one_line_error(again, "sudah disalin ke", "already copied to", "do not drop that database")
    assert every_row(on_pg) == before
    # ... and so is any start on the SQLite files, which would split the office's data in two
    for command in (["up"], ["db", "current"]):
        stale = lapkin(env, *command)
        one_line_error(stale, "sudah dipindah ke", "were moved to", "set DATABASE_URL", "moved-to-postgresql.json")
    assert every_row(sqlite) == before

    # the system on PostgreSQL: the demo's final, its officials, and a new report after the copied ids
    env["DATABASE_URL"] = target
    up = lapkin_up(env)
    try:
        up.wait_running()
        approval = f"http://127.0.0.1:{env['LAPKIN_APPROVAL_PORT']}"
        collector = f"http://127.0.0.1:{env['LAPKIN_COLLECTOR_PORT']}"
        aggregator = f"http://127.0.0.1:{env['LAPKIN_AGGREGATOR_PORT']}"
        known = httpx.get(f"{approval}/api/v1/verifikasi/{final_sha.group(1)}", timeout=30)
        assert known.status_code == 200 and known.json()["periode"] == "TW1", known.text
        for username, (password, *_) in credentials(data / "demo-pejabat.txt").items():
            login = httpx.post(f"{approval}/api/v1/login", json={"username": username, "password": password})
            assert login.status_code == 200, (username, login.text)

        # while the services run, a copy is refused (what they write after it would be left behind)
        env_sqlite = {k: v for k, v in env.items() if k != "DATABASE_URL"}
        running = lapkin(env_sqlite, "db", "copy", "--to", target)
        one_line_error(running, "masih berjalan", "still running")

        admin = {"Authorization": f"Bearer {(data / 'admin_token').read_text().strip()}"}
        made = httpx.post(f"{collector}/api/v1/units/BPS/api-keys", headers=admin, timeout=30)
        assert made.status_code == 201, made.text  # a new key row after the copied ones
        key = {"Authorization": f"Bearer {made.json()['api_key']}"}
        report = {"tahun": 2024, "triwulan": 2, "unit": "BPS", "realisasi": [{"indikator": "IKU-1", "nilai": "6.9"}]}
        sent = httpx.post(f"{collector}/api/v1/laporan-triwulan", json=report, headers=key, timeout=30)
        assert sent.status_code == 202, sent.text
        deadline = time.monotonic() + 60
        while True:
            rekap = httpx.get(f"{aggregator}/api/v1/rekap/2024/TW2", headers=admin, timeout=30).json()
            if any("BPS" in name for name in rekap.get("inputs", {})) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert any("BPS" in name for name in rekap["inputs"]), rekap
    finally:
        assert up.stop() == 0, up.out
