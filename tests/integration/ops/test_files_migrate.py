"""`lapkin files migrate` (lapkin/files.py, docs/storage.md): an install that kept its files in the data folder copies
them into the database store, checked against their SHA-256, never twice, never deleting; on a real PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session
from typer.testing import CliRunner

from lapkin.cli import app
from services.renderer.models import Document
from shared.config import Settings
from shared.db import make_engine
from shared.migrate import upgrade
from shared.storage import LocalStore
from tests.support.databases import fresh_database_url


@pytest.fixture
def install(tmp_path: Path) -> Iterator[tuple[Path, str, dict[str, Engine]]]:
    with fresh_database_url("lapkin_files") as url:
        if url is None:
            pytest.skip("the database store needs PostgreSQL: set LAPKIN_TEST_DATABASE_URL")
        settings = Settings(DATABASE_URL=url, data_dir=tmp_path)  # type: ignore[call-arg]
        engines = {s: make_engine(settings, s) for s in ("collector", "approval", "renderer")}
        try:
            for service, engine in engines.items():
                upgrade(engine, service)
            yield tmp_path, url, engines
        finally:
            for engine in engines.values():
                engine.dispose()


def shas(engine: Engine, table: str) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(text(f"SELECT sha256 FROM {table}")).scalars())  # noqa: S608 - the test's names


def test_the_local_files_are_copied_in_once_and_checked(install):
    data_dir, url, engines = install
    evidence = LocalStore(data_dir / "bukti").put(b"%PDF evidence of a unit")
    result = LocalStore(data_dir / "approval" / "bukti").put(b"%PDF a follow-up's result")
    damaged = hashlib.sha256(b"what it was").hexdigest()
    (data_dir / "bukti" / damaged[:2]).mkdir(parents=True, exist_ok=True)
    (data_dir / "bukti" / damaged[:2] / damaged).write_bytes(b"what it became")
    folder = data_dir / "documents" / "2024" / "TW1" / "v1"
    folder.mkdir(parents=True)
    (folder / "laporan.pdf").write_bytes(b"%PDF the draft")
    pdf = hashlib.sha256(b"%PDF the draft").hexdigest()
    with Session(engines["renderer"]) as session:
        session.add(Document(id="2024-TW1-v1", draft_id="2024-TW1", jenis="triwulan", tahun=2024, periode="TW1",
                             version=1, recap_revision=1, content_hash="x", status="draft", folder=str(folder),
                             sha256=json.dumps({"pdf": pdf, "docx": "d" * 64}), rekap="{}"))  # fmt: skip
        session.commit()
    env = {"DATABASE_URL": url, "LAPKIN_DATA_DIR": str(data_dir)}

    first = CliRunner().invoke(app, ["files", "migrate"], env=env)
    assert first.exit_code == 1, first.output  # the damaged file is said, not copied
    assert f"does not hold {damaged} (not copied)" in first.output
    assert shas(engines["collector"], "col_file") == [evidence]
    assert shas(engines["approval"], "apv_file") == [result]
    assert shas(engines["renderer"], "ren_file") == [pdf]
    assert "not on this machine 1" in first.output  # the .docx another machine drew
    assert (folder / "laporan.pdf").exists() and LocalStore(data_dir / "bukti").exists(evidence)  # nothing deleted

    (data_dir / "bukti" / damaged[:2] / damaged).unlink()
    again = CliRunner().invoke(app, ["files", "migrate", "collector", "approval"], env=env)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines() == [
        "collector  disalin/copied 0 (0.0 MiB), sudah ada/already there 1",
        "approval   disalin/copied 0 (0.0 MiB), sudah ada/already there 1",
    ]


def test_the_database_store_needs_postgresql(tmp_path: Path):
    done = CliRunner().invoke(app, ["files", "migrate"], env={"DATABASE_URL": "", "LAPKIN_DATA_DIR": str(tmp_path)})
    assert done.exit_code == 2 and "needs DATABASE_URL to be PostgreSQL" in done.output
