"""`lapkin db copy` refuses, changing nothing, what it cannot copy whole (lapkin/dbcopy.py): a target that is not
PostgreSQL or not a URL, a source behind the code's migrations, a table the code does not define, and a row
PostgreSQL refuses half way — after other services' rows went in — leaves the target empty, so the copy can be run
again once the row is put right. The whole move, run on the demo's install, is tests/e2e/test_db_copy.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from typer.testing import CliRunner

from lapkin.cli import app
from shared.config import Settings
from shared.db import make_engine
from shared.migrate import target_metadata, upgrade
from tests.e2e.conftest import free_port
from tests.support.databases import fresh_database_url

SERVICES = ("collector", "aggregator", "approval", "renderer")


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Engine]]:
    """Four migrated SQLite files in a data folder, the CLI's settings pointing at them (and at ports nothing
    listens on: no service of this install runs)."""
    monkeypatch.setenv("LAPKIN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for service in SERVICES:
        monkeypatch.setenv(f"LAPKIN_{service.upper()}_PORT", str(free_port()))
    engines = {s: make_engine(Settings(data_dir=tmp_path), s) for s in SERVICES}
    for service, engine in engines.items():
        upgrade(engine, service)
    with engines["collector"].begin() as conn:
        conn.execute(text("INSERT INTO col_unit (kode, nama, jenis) VALUES ('BPS', 'BPS Kota', 'instansi')"))
    yield engines
    for engine in engines.values():
        engine.dispose()


@pytest.fixture
def target() -> Iterator[str]:
    with fresh_database_url("lapkin_copyr") as url:
        if url is None:
            pytest.skip("needs PostgreSQL: set LAPKIN_TEST_DATABASE_URL (.ci/run does)")
        yield url


def copy(to: str) -> tuple[int, str]:
    done = CliRunner().invoke(app, ["db", "copy", "--to", to])
    return done.exit_code, done.output


def schemas_in(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = conn.execute(text("SELECT schema_name FROM information_schema.schemata")).scalars()
            return set(names) & set(SERVICES)
    finally:
        engine.dispose()


def rows_in(url: str, service: str) -> int:
    engine = make_engine(Settings(database_url=url), service)
    try:
        with engine.connect() as conn:
            return sum(
                conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in target_metadata(service).sorted_tables
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("to", "said"),
    [
        ("sqlite:////tmp/elsewhere.db", "must be a PostgreSQL database"),
        ("postgresql://postgres@127.0.0.1:5432", "with its database name"),
        ("not a url", "is not a database URL"),
    ],
)
def test_a_target_that_is_not_a_postgresql_database_is_refused(install: dict[str, Engine], to: str, said: str) -> None:
    code, out = copy(to)
    assert code == 2 and said in out and "Tidak disalin / not copied" in out, out


def test_a_source_behind_the_code_or_with_a_table_the_code_does_not_know_is_refused(
    install: dict[str, Engine], target: str
) -> None:
    with install["aggregator"].begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    code, out = copy(target)
    assert code == 2 and "aggregator" in out and "lapkin db upgrade" in out, out
    with install["aggregator"].begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": _head("aggregator")})
        conn.execute(text("CREATE TABLE agg_notes_by_hand (id INTEGER PRIMARY KEY, note TEXT)"))
    code, out = copy(target)
    assert code == 2 and "agg_notes_by_hand" in out and "does not know" in out, out
    assert schemas_in(target) == set()  # refused before anything was made in the target


def test_a_row_refused_half_way_leaves_the_target_empty_and_the_copy_can_run_again(
    install: dict[str, Engine], target: str
) -> None:
    # SQLite keeps text in an integer column; PostgreSQL refuses it — in the renderer, copied after the other three
    with install["renderer"].begin() as conn:
        conn.execute(text("INSERT INTO ren_pk (tahun, version, body) VALUES (2024, 'tiga', '{}')"))
    code, out = copy(target)
    assert code == 2 and "renderer.ren_pk" in out and "nothing was kept" in out, out
    assert all(rows_in(target, s) == 0 for s in SERVICES)  # the collector's unit went in, and was rolled back

    with install["renderer"].begin() as conn:
        conn.execute(text("UPDATE ren_pk SET version = 3"))
    code, out = copy(target)
    assert code == 0, out
    assert rows_in(target, "collector") == 1 and rows_in(target, "renderer") == 1


def _head(service: str) -> str:
    from shared.migrate import head

    found = head(service)
    assert found is not None
    return found


def test_a_copy_in_parts_says_what_is_left_then_what_is_next(install: dict[str, Engine], target: str) -> None:
    """Outsider check: after the collector and then the other three were copied, the hint still said "copy the
    others too: lapkin db copy collector", which the tool then refused."""
    first = CliRunner().invoke(app, ["db", "copy", "collector", "--to", target])
    assert first.exit_code == 0, first.output
    assert "copy the others too: lapkin db copy aggregator approval renderer --to" in first.output
    rest = CliRunner().invoke(app, ["db", "copy", "aggregator", "approval", "renderer", "--to", target])
    assert rest.exit_code == 0, rest.output
    assert "copy the others too" not in rest.output and "DATABASE_URL=<URL --to" in rest.output
