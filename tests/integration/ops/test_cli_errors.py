"""The operators' commands when something is wrong around them: no Redis at REDIS_URL, a database unreachable or
corrupt, a LAPKIN_DATA_DIR that holds no database, an unknown dead letter. Each is one line on stderr (Indonesian /
English) and exit status 2 ("could not check or act"; `reconcile` keeps 1 for "gaps found"), never a traceback,
and nothing that only reads creates a folder or a database."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest
from sqlmodel import Session
from typer.testing import CliRunner, Result

from lapkin.cli import app
from shared.config import Settings
from shared.db import make_engine
from shared.migrate import upgrade


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def lapkin(settings: Settings, *args: str, **env: str | None) -> Result:
    base: dict[str, str | None] = {
        "LAPKIN_DATA_DIR": str(settings.data_dir),
        "REDIS_URL": settings.redis_url,
        "LAPKIN_STREAM_PREFIX": settings.stream_prefix,
        "DATABASE_URL": settings.database_url,
        "LAPKIN_ADMIN_TOKEN": "adm",
        "LAPKIN_SECRET_KEY": "secret",
    }
    return CliRunner().invoke(app, list(args), env={**base, **env})


def one_line_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert all(w in result.stderr for w in words), result.stderr


@pytest.mark.parametrize(
    "args",
    [["status"], ["dlq", "list"], ["events", "tail"], ["trace", "abc"], ["dlq", "show", "x.dlq", "1-1"],
     ["dlq", "drop", "x.dlq", "1-1"], ["officials", "unlock", "nobody"]],
)  # fmt: skip
def test_no_redis_is_one_line_and_exit_2(settings, args):
    result = lapkin(settings, *args, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    if args[0] == "officials":
        # the database is looked at first: none in this folder (SQLite), or no such official in it (PostgreSQL)
        one_line_error(result, "LAPKIN_DATA_DIR" if settings.database_url is None else "unknown official")
    else:
        one_line_error(result, "Redis unreachable", "127.0.0.1")


def test_an_unknown_dead_letter_is_one_line_and_exit_2(settings, r):
    dlq = f"{settings.stream('collector')}.dlq"
    one_line_error(lapkin(settings, "dlq", "drop", dlq, "0-0"), "no such dead letter", dlq)
    one_line_error(lapkin(settings, "dlq", "replay", "nope.dlq", "1-1"), "no such dead letter", "nope.dlq")
    one_line_error(lapkin(settings, "dlq", "show", dlq, "1-1"), "no such dead letter")


def test_reconcile_on_an_unreachable_postgresql_is_one_line_and_exit_2(settings):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/lapkin"
    one_line_error(lapkin(settings, "reconcile", DATABASE_URL=url), "database unavailable")


def test_reconcile_on_a_corrupt_sqlite_file_is_one_line_and_exit_2(tmp_path, settings):
    data = tmp_path / "data"
    data.mkdir()
    for service in ("collector", "aggregator", "renderer", "approval"):
        (data / f"{service}.db").write_bytes(b"this is not a database" * 100)
    result = lapkin(settings, "reconcile", LAPKIN_DATA_DIR=str(data), DATABASE_URL=None)
    one_line_error(result, "database unavailable")


@pytest.mark.parametrize(
    "args",
    [["reconcile"], ["reconcile", "--repair"], ["officials", "list"], ["officials", "deactivate", "rina"],
     ["officials", "unlock", "rina"], ["keys", "list"], ["keys", "revoke", "1"], ["db", "current"]],
)  # fmt: skip
def test_a_data_dir_without_databases_is_named_and_nothing_is_created(tmp_path, settings, args):
    missing = tmp_path / "no-such-folder"
    result = lapkin(settings, *args, LAPKIN_DATA_DIR=str(missing), DATABASE_URL=None)
    one_line_error(result, "LAPKIN_DATA_DIR", str(missing))
    assert not missing.exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    one_line_error(lapkin(settings, *args, LAPKIN_DATA_DIR=str(empty), DATABASE_URL=None), str(empty))
    assert list(empty.iterdir()) == []


def migrated(settings: Settings) -> None:
    for service in ("collector", "aggregator", "renderer", "approval"):
        engine = make_engine(settings, service)
        try:
            upgrade(engine, service)
        finally:
            engine.dispose()


def test_reconcile_says_what_it_did_not_judge_yet_within_the_grace_period(settings, r):
    import json

    from services.collector.models import UnitQuarter

    migrated(settings)
    engine = make_engine(settings, "collector")
    try:
        with Session(engine) as s:
            s.add(UnitQuarter(tahun=2024, triwulan=1, unit="BPS", revision=1, last_received_at=datetime.now(UTC)))
            s.commit()
    finally:
        engine.dispose()
    human = lapkin(settings, "reconcile", "--grace", "600")
    assert human.exit_code == 0, human.output
    assert "no gaps" in human.stdout and "1 perubahan terbaru belum dinilai" in human.stdout
    assert "not judged yet" in human.stdout
    as_json = lapkin(settings, "reconcile", "--grace", "600", "--json")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["recent"] == 1
    judged = lapkin(settings, "reconcile", "--grace", "0", "--json")
    assert judged.exit_code == 1, judged.output
    found = json.loads(judged.stdout)
    assert found["recent"] == 0 and found["gaps"]["collector-aggregator"] == 1


def test_reconcile_help_documents_the_exit_statuses(settings):
    out = lapkin(settings, "reconcile", "--help").stdout
    assert "0 no gaps" in out and "1 gaps found" in out and "2 could not check" in out


def test_officials_create_still_makes_its_database(tmp_path, settings):
    data = tmp_path / "fresh"
    made = lapkin(settings, "officials", "create", "--username", "sekdin", "--nama", "Sekdin", "--role", "sekretaris",
                  "--password", "rahasia-sekali", LAPKIN_DATA_DIR=str(data), DATABASE_URL=None)  # fmt: skip
    assert made.exit_code == 0, made.output
    assert (data / "approval.db").is_file()
    listed = lapkin(settings, "officials", "list", LAPKIN_DATA_DIR=str(data), DATABASE_URL=None)
    assert listed.exit_code == 0 and "sekdin" in listed.stdout
