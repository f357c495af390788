"""Alembic migrations, one history per service (shared/migrate.py, services/<svc>/migrations/).

Always on SQLite files; also on PostgreSQL when LAPKIN_TEST_DATABASE_URL is set (a fresh database per test,
`lapkin_mig_<random>`, dropped afterwards; one schema per service in it)."""

from __future__ import annotations

import os
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, MetaData, String, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

import shared.migrate as migrate
from services.collector.models import TABLES as COLLECTOR_TABLES
from services.collector.models import Unit
from services.system import SERVICES
from shared.config import Settings
from shared.db import create_tables, make_engine
from shared.messaging.outbox import KERNEL_TABLES, OutboxMessage

PG_URL = os.environ.get("LAPKIN_TEST_DATABASE_URL")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="no PostgreSQL"))]


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    if request.param == "sqlite":
        yield Settings(DATABASE_URL=None, data_dir=tmp_path)  # type: ignore[call-arg]
        return
    assert PG_URL
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    name = f"lapkin_mig_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield Settings(DATABASE_URL=url.set(database=name).render_as_string(hide_password=False), data_dir=tmp_path)  # type: ignore[call-arg]
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def engines(settings: Settings) -> Iterator[Callable[[str], Engine]]:
    made: list[Engine] = []

    def engine(service: str) -> Engine:
        made.append(make_engine(settings, service))
        return made[-1]

    yield engine
    for e in made:
        e.dispose()


def snapshot(engine: Engine) -> dict[str, object]:
    insp = inspect(engine)
    return {
        t: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(t)],
            sorted((i["name"], tuple(i["column_names"]), i["unique"]) for i in insp.get_indexes(t)),
        )
        for t in sorted(insp.get_table_names())
    }


def test_every_service_has_one_linear_history() -> None:
    for service in SERVICES:
        assert migrate.head(service) is not None  # a single head (get_current_head raises on branches)


@pytest.mark.parametrize("service", SERVICES)
def test_upgrading_an_empty_database_gives_the_models_schema(engines, service: str) -> None:
    engine = engines(service)
    assert migrate.current(engine, service) is None
    migrate.upgrade(engine, service)
    assert migrate.current(engine, service) == migrate.head(service)
    assert migrate.check(engine, service) == []
    tables = set(inspect(engine).get_table_names())
    expected = {t.name for t in migrate.target_metadata(service).sorted_tables}
    assert tables == expected | {"alembic_version"}
    assert {"outbox_message", "processed_event"} <= tables


def test_check_reports_a_difference(engines) -> None:
    engine = engines("collector")
    migrate.upgrade(engine, "collector")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))
    assert any(diff[0] == "remove_table" for diff in migrate.check(engine, "collector"))


def test_upgrading_twice_is_a_no_op_and_keeps_data(engines) -> None:
    engine = engines("collector")
    migrate.upgrade(engine, "collector")
    before = snapshot(engine)
    with Session(engine) as session:
        session.add(Unit(kode="U1", nama="Bidang Satu", jenis="bidang"))
        session.add(OutboxMessage(event_id="e-1", stream="s", type="t", body="{}"))
        session.commit()
    engine.dispose()

    again = engines("collector")  # a restart: a new engine, upgrade again
    migrate.upgrade(again, "collector")
    migrate.upgrade(again, "collector")
    assert snapshot(again) == before
    assert migrate.current(again, "collector") == migrate.head("collector")
    with Session(again) as session:
        assert session.get(Unit, "U1") is not None
        assert [m.event_id for m in session.exec(select(OutboxMessage))] == ["e-1"]
    with again.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1


def test_a_database_made_before_migrations_is_stamped_not_recreated(engines) -> None:
    engine = engines("collector")
    create_tables(engine, [*KERNEL_TABLES, *COLLECTOR_TABLES])  # what build_app did before migrations
    with Session(engine) as session:
        session.add(Unit(kode="U1", nama="Bidang Satu", jenis="bidang"))
        session.commit()
    migrate.upgrade(engine, "collector")
    assert migrate.current(engine, "collector") == migrate.head("collector")
    assert migrate.check(engine, "collector") == []
    with Session(engine) as session:
        assert session.get(Unit, "U1") is not None


def test_two_processes_starting_together(engines) -> None:
    """Several starts of one service at the same moment: one migrates, the others find it done."""
    service = "approval"
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []
    made = [engines(service) for _ in range(3)]

    def start(engine: Engine) -> None:
        try:
            barrier.wait(10)
            migrate.upgrade(engine, service)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(e,)) for e in made]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert migrate.current(made[0], service) == migrate.head(service)
    assert migrate.check(made[0], service) == []


def test_services_in_one_database_keep_separate_histories(engines, settings: Settings) -> None:
    collector, renderer = engines("collector"), engines("renderer")
    migrate.upgrade(collector, "collector")
    migrate.upgrade(renderer, "renderer")
    if settings.database_url:  # one PostgreSQL database: a version table in each service's schema
        with collector.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT table_schema FROM information_schema.tables "
                    "WHERE table_name = 'alembic_version' ORDER BY table_schema"
                )
            ).all()
        assert [r[0] for r in rows] == ["collector", "renderer"]
    # taking one service back to nothing leaves the other alone
    from alembic import command

    with collector.begin() as conn:
        command.downgrade(migrate.make_config("collector", conn), "base")
    assert migrate.current(collector, "collector") is None
    assert "col_unit" not in inspect(collector).get_table_names()
    assert migrate.current(renderer, "renderer") == migrate.head("renderer")
    assert migrate.check(renderer, "renderer") == []
    assert {"ren_document", "outbox_message"} <= set(inspect(renderer).get_table_names())


def test_a_model_change_becomes_a_migration_that_keeps_the_data(
    engines, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`lapkin db revision`: a new column in the models -> versions/0002_*.py -> upgrade adds it, rows stay."""
    services_dir = tmp_path / "services"
    shutil.copytree(migrate.SERVICES_DIR / "collector" / "migrations", services_dir / "collector" / "migrations")
    monkeypatch.setattr(migrate, "SERVICES_DIR", services_dir)

    engine = engines("collector")
    migrate.upgrade(engine, "collector")
    with Session(engine) as session:
        session.add(Unit(kode="U1", nama="Bidang Satu", jenis="bidang"))
        session.commit()

    original = migrate.target_metadata

    def with_email(service: str) -> MetaData:
        metadata = original(service)
        metadata.tables["col_unit"].append_column(Column("email", String(), nullable=True))
        return metadata

    monkeypatch.setattr(migrate, "target_metadata", with_email)
    assert [d[0] for d in migrate.check(engine, "collector")] == ["add_column"]
    before = migrate.head("collector")
    after = migrate.next_rev_id("collector")  # the file numbers + 1 (revision ids may carry a name: 0005_bukti)
    path = migrate.revision("collector", "add unit email")
    assert path.name == f"{after}_add_unit_email.py"
    assert "add_column" in path.read_text()
    assert f"down_revision: str | Sequence[str] | None = '{before}'" in path.read_text()

    migrate.upgrade(engine, "collector")
    assert migrate.current(engine, "collector") == after
    assert migrate.check(engine, "collector") == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT kode, email FROM col_unit")).all() == [("U1", None)]
