"""`lapkin files migrate` (lapkin/files.py, docs/storage.md): an install that kept its files in the data folder copies
them into the shared store LAPKIN_FILE_STORE names, checked against their SHA-256, never twice, never deleting: the
database store on a real PostgreSQL, the S3 store on a real S3-compatible server process (moto's, over HTTP; the
install's own tables then on SQLite, which the S3 store does not mind)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session
from typer.testing import CliRunner

from lapkin.cli import app
from services.approval.models import FILES as APPROVAL_FILES
from services.collector.models import FILES as COLLECTOR_FILES
from services.collector.models import Bukti
from services.renderer.models import FILES as RENDERER_FILES
from services.renderer.models import Document
from shared.config import Settings
from shared.db import make_engine
from shared.migrate import upgrade
from shared.storage import LocalStore, open_store
from tests.support.databases import fresh_database_url
from tests.support.s3 import S3Server


@dataclass
class Install:
    data_dir: Path
    env: dict[str, str]  # the settings `lapkin files migrate` runs with
    engines: dict[str, Engine]
    kept: Callable[[str], list[str]]  # the SHA-256s the shared store holds for a service's table
    damage: Callable[[str, str], None]  # (table, sha): the store's copy changed behind the services' back
    lose: Callable[[str, str], None]  # (table, sha): the store's copy gone


def migrated_engines(settings: Settings) -> dict[str, Engine]:
    engines = {s: make_engine(settings, s) for s in ("collector", "approval", "renderer")}
    for service, engine in engines.items():
        upgrade(engine, service)
    return engines


@pytest.fixture(params=["database", "s3"])
def install(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Install]:
    if request.param == "s3":
        s3: S3Server = request.getfixturevalue("s3_server")
        bucket = s3.new_bucket()

        def in_bucket(table: str) -> list[str]:
            listed = s3.client().list_objects_v2(Bucket=bucket, Prefix=f"lapkin/{table}/").get("Contents", [])
            return sorted(o["Key"].rsplit("/", 1)[1] for o in listed)

        def damage_object(table: str, sha: str) -> None:
            s3.client().put_object(Bucket=bucket, Key=f"lapkin/{table}/{sha}", Body=b"a flipped byte")

        def lose_object(table: str, sha: str) -> None:
            s3.client().delete_object(Bucket=bucket, Key=f"lapkin/{table}/{sha}")

        engines = migrated_engines(Settings(data_dir=tmp_path))  # SQLite files in the data folder
        env = {**s3.env(bucket, "lapkin/"), "LAPKIN_DATA_DIR": str(tmp_path)}
        try:
            yield Install(tmp_path, env, engines, in_bucket, damage_object, lose_object)
        finally:
            for engine in engines.values():
                engine.dispose()
        return
    with fresh_database_url("lapkin_files") as url:
        if url is None:
            pytest.skip("the database store needs PostgreSQL: set LAPKIN_TEST_DATABASE_URL")
        engines = migrated_engines(Settings(DATABASE_URL=url, data_dir=tmp_path))  # type: ignore[call-arg]

        def in_table(table: str) -> list[str]:
            service = {"col_file": "collector", "apv_file": "approval", "ren_file": "renderer"}[table]
            with engines[service].connect() as conn:
                return sorted(conn.execute(text(f"SELECT sha256 FROM {table}")).scalars())  # noqa: S608 - ours

        def change_row(table: str, sha: str, gone: bool = False) -> None:
            service = {"col_file": "collector", "apv_file": "approval", "ren_file": "renderer"}[table]
            with engines[service].begin() as conn:
                if gone:
                    conn.execute(text(f"DELETE FROM {table} WHERE sha256 = :s"), {"s": sha})  # noqa: S608 - ours
                else:
                    conn.execute(text(f"UPDATE {table} SET data = 'a flipped byte' WHERE sha256 = :s"), {"s": sha})  # noqa: S608

        env = {"DATABASE_URL": url, "LAPKIN_DATA_DIR": str(tmp_path), "LAPKIN_FILE_STORE": "database"}
        try:
            yield Install(tmp_path, env, engines, in_table, change_row, lambda t, s: change_row(t, s, gone=True))
        finally:
            for engine in engines.values():
                engine.dispose()


def drawn_draft(install: Install, **other_files: str) -> tuple[Path, str]:
    """A draft the renderer drew on this machine: its PDF in the documents folder and its Document row (with
    `other_files`' sha256s, drawn elsewhere); returns the folder and the PDF's sha256."""
    folder = install.data_dir / "documents" / "2024" / "TW1" / "v1"
    folder.mkdir(parents=True)
    (folder / "laporan.pdf").write_bytes(b"%PDF the draft")
    pdf = hashlib.sha256(b"%PDF the draft").hexdigest()
    with Session(install.engines["renderer"]) as session:
        session.add(Document(id="2024-TW1-v1", draft_id="2024-TW1", jenis="triwulan", tahun=2024, periode="TW1",
                             version=1, recap_revision=1, content_hash="x", status="draft", folder=str(folder),
                             sha256=json.dumps({"pdf": pdf, **other_files}), rekap="{}"))  # fmt: skip
        session.commit()
    return folder, pdf


def test_the_local_files_are_copied_in_once_and_checked(install: Install):
    data_dir, env = install.data_dir, install.env
    evidence = LocalStore(data_dir / "bukti").put(b"%PDF evidence of a unit")
    result = LocalStore(data_dir / "approval" / "bukti").put(b"%PDF a follow-up's result")
    damaged = hashlib.sha256(b"what it was").hexdigest()
    (data_dir / "bukti" / damaged[:2]).mkdir(parents=True, exist_ok=True)
    (data_dir / "bukti" / damaged[:2] / damaged).write_bytes(b"what it became")
    folder, pdf = drawn_draft(install, docx="d" * 64)  # a .docx another machine drew

    first = CliRunner().invoke(app, ["files", "migrate"], env=env)
    assert first.exit_code == 1, first.output  # the damaged file is said, not copied
    assert f"does not hold {damaged} (not copied)" in first.output
    assert install.kept("col_file") == [evidence]
    assert install.kept("apv_file") == [result]
    assert install.kept("ren_file") == [pdf]
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
    env = {"DATABASE_URL": "", "LAPKIN_DATA_DIR": str(tmp_path), "LAPKIN_FILE_STORE": "database"}
    done = CliRunner().invoke(app, ["files", "migrate"], env=env)
    assert done.exit_code == 2 and "needs DATABASE_URL to be PostgreSQL" in done.output


def test_the_local_store_is_nowhere_to_copy_to(tmp_path: Path):
    done = CliRunner().invoke(app, ["files", "migrate"], env={"LAPKIN_DATA_DIR": str(tmp_path)})
    assert done.exit_code == 2 and "LAPKIN_FILE_STORE=local: " in done.output and "database or s3" in done.output


def migrate_refused(env: dict[str, str], data_dir: Path) -> str:
    """`lapkin files migrate collector` of one local evidence file into a store that cannot be used: its one line."""
    LocalStore(data_dir / "bukti").put(b"%PDF evidence")
    for engine in migrated_engines(Settings(data_dir=data_dir)).values():
        engine.dispose()
    done = CliRunner().invoke(app, ["files", "migrate", "collector"], env={**env, "LAPKIN_DATA_DIR": str(data_dir)})
    assert done.exit_code == 2, done.output
    (line,) = done.output.strip().splitlines()
    return line


def test_an_unreachable_s3_store_is_said_in_one_line(s3_server: S3Server, tmp_path: Path):
    env = {**s3_server.env("lapkin-files"), "LAPKIN_S3_ENDPOINT_URL": "http://127.0.0.1:9"}
    line = migrate_refused(env, tmp_path)
    assert line.startswith("Penyimpanan S3 tidak dapat dipakai / the S3 store cannot be used: GET s3://lapkin-files/")
    assert s3_server.secret_key not in line


def add_bukti(engine: Engine, sha: str, submission: str) -> None:
    with Session(engine) as session:
        session.add(Bukti(id=f"b-{submission}", submission_id=submission, tahun=2024, triwulan=1, unit="U1",
                          filename="bukti.pdf", content_type="application/pdf", size=1, sha256=sha,
                          uploaded_by="unit:U1"))  # fmt: skip
        session.commit()


def test_a_damaged_copy_in_the_store_is_found_and_replaced_from_a_good_local_one(install: Install):
    env, engines = install.env, install.engines
    good = LocalStore(install.data_dir / "bukti").put(b"%PDF evidence kept whole on disk")
    gone = LocalStore(install.data_dir / "bukti").put(b"%PDF evidence that will be lost")
    add_bukti(engines["collector"], good, "s1")
    add_bukti(engines["collector"], gone, "s2")
    assert CliRunner().invoke(app, ["files", "migrate", "collector"], env=env).exit_code == 0
    clean = CliRunner().invoke(app, ["files", "check", "collector"], env=env)
    assert clean.exit_code == 0, clean.output
    assert clean.output.splitlines() == ["collector  diperiksa/checked 2, rusak/damaged 0, hilang/missing 0"]

    install.damage("col_file", good)
    install.lose("col_file", gone)
    found = CliRunner().invoke(app, ["files", "check", "collector"], env=env)
    assert found.exit_code == 1, found.output
    lines = found.output.splitlines()
    assert lines[0] == "collector  diperiksa/checked 2, rusak/damaged 1, hilang/missing 1"
    assert good in lines[1] and "(bukti of submission s1): rusak / damaged" in lines[1]
    assert gone in lines[2] and "(bukti of submission s2): hilang / missing" in lines[2]

    mended = CliRunner().invoke(app, ["files", "migrate", "collector"], env=env)
    assert mended.exit_code == 0, mended.output
    lines = mended.output.splitlines()
    assert lines[0].startswith("collector  disalin/copied 1 (") and lines[0].endswith(
        "sudah ada/already there 0, diperbaiki/repaired 1 (0.0 MiB)"  # 32 bytes
    )
    assert good in lines[1] and "rusak, diganti dari" in lines[1] and "damaged, replaced from" in lines[1]
    assert CliRunner().invoke(app, ["files", "check", "collector"], env=env).exit_code == 0


def test_a_damaged_document_with_no_copy_here_is_named_not_already_there(install: Install):
    env = install.env
    folder, pdf = drawn_draft(install)
    assert CliRunner().invoke(app, ["files", "migrate", "renderer"], env=env).exit_code == 0
    (folder / "laporan.pdf").unlink()  # the machine that drew it is gone
    install.damage("ren_file", pdf)
    done = CliRunner().invoke(app, ["files", "migrate", "renderer"], env=env)
    assert done.exit_code == 1, done.output
    assert f"{pdf}" in done.output and "damaged, no copy on this machine" in done.output
    assert "already there 0" in done.output


def test_refused_credentials_are_said_to_be_the_credentials(s3_server: S3Server, tmp_path: Path):
    bucket = s3_server.new_bucket()
    line = migrate_refused({**s3_server.env(bucket), "LAPKIN_S3_SECRET_KEY": "not-the-secret"}, tmp_path)
    assert "HTTP 403" in line and "check LAPKIN_S3_ACCESS_KEY / LAPKIN_S3_SECRET_KEY (and the bucket policy)" in line
    assert "not-the-secret" not in line


def test_a_long_copy_and_check_say_how_far_they_are_on_stderr(install: Install, monkeypatch: pytest.MonkeyPatch):
    """Thousands of objects take minutes: each service's copy and check says how far it is (here after every file;
    at most every PROGRESS_EVERY_S seconds in use), on stderr, the summary alone on stdout."""
    monkeypatch.setattr("lapkin.files.PROGRESS_EVERY_S", 0.0)
    evidence = LocalStore(install.data_dir / "bukti")
    for n in range(3):
        evidence.put(f"%PDF evidence {n}".encode())

    copied = CliRunner().invoke(app, ["files", "migrate", "collector"], env=install.env)
    assert copied.exit_code == 0, copied.output
    assert copied.stdout.splitlines() == ["collector  disalin/copied 3 (0.0 MiB), sudah ada/already there 0"]
    assert copied.stderr.splitlines() == [
        "  collector: 1 dari/of 3 berkas/files (33 %)",
        "  collector: 2 dari/of 3 berkas/files (66 %)",
    ]
    assert len(install.kept("col_file")) == 3

    drawn_draft(install, docx="d" * 64, xlsx="e" * 64)  # its .pdf here, its .docx and .xlsx drawn elsewhere
    assert CliRunner().invoke(app, ["files", "migrate", "renderer"], env=install.env).exit_code == 0
    checked = CliRunner().invoke(app, ["files", "check", "renderer"], env=install.env)
    assert checked.exit_code == 1, checked.output  # the two drawn elsewhere are not in the store
    assert checked.stdout.splitlines()[0] == "renderer   diperiksa/checked 3, rusak/damaged 0, hilang/missing 2"
    assert checked.stderr.splitlines() == [
        "  renderer: 1 dari/of 3 berkas/files (33 %)",
        "  renderer: 2 dari/of 3 berkas/files (66 %)",
    ]


def test_a_service_that_keeps_no_files_is_said_so(install: Install):
    done = CliRunner().invoke(app, ["files", "check", "aggregator"], env=install.env)
    assert done.exit_code == 0, done.output
    assert done.stderr.strip() == "aggregator: tidak menyimpan berkas / keeps no files"


def test_the_local_store_is_nothing_to_check(tmp_path: Path):
    done = CliRunner().invoke(app, ["files", "check"], env={"LAPKIN_DATA_DIR": str(tmp_path)})
    assert done.exit_code == 2
    assert "the shared store this command works on" in done.output and "copied" not in done.output


def test_files_kept_in_the_database_move_into_a_bucket(s3_server: S3Server, tmp_path: Path):
    """An install on PostgreSQL that kept its files in its tables (LAPKIN_FILE_STORE=database, the compose default)
    switches to S3: `lapkin files migrate` copies the tables' files into the bucket — the bucket's store does not
    fall back to the tables, so without it they would be unreachable — checked, once; a row whose bytes are not its
    SHA-256 is said, not copied; the tables are left as they were."""
    from shared.storage import DatabaseStore

    with fresh_database_url("lapkin_files") as url:
        if url is None:
            pytest.skip("the database store needs PostgreSQL: set LAPKIN_TEST_DATABASE_URL")
        engines = migrated_engines(Settings(DATABASE_URL=url, data_dir=tmp_path))  # type: ignore[call-arg]
        try:
            evidence = DatabaseStore(engines["collector"], COLLECTOR_FILES).put(b"%PDF evidence kept in the table")
            report = DatabaseStore(engines["renderer"], RENDERER_FILES).put(b"%PDF a final kept in the table")
            bad = DatabaseStore(engines["approval"], APPROVAL_FILES).put(b"%PDF what the row held")
            with engines["approval"].begin() as conn:
                conn.execute(text("UPDATE apv_file SET data = 'a flipped byte' WHERE sha256 = :s"), {"s": bad})
            bucket = s3_server.new_bucket()
            env = {**s3_server.env(bucket, "lapkin/"), "DATABASE_URL": url, "LAPKIN_DATA_DIR": str(tmp_path)}
            # switched, not yet migrated: the service's store reads what the bucket lacks from its table
            on_s3 = Settings(DATABASE_URL=url, data_dir=tmp_path, **s3_server.settings(bucket, "lapkin/"))  # type: ignore[call-arg]
            serving = open_store(on_s3, engines["renderer"], RENDERER_FILES, tmp_path / "documents")
            assert serving.get(report) == b"%PDF a final kept in the table"

            moved = CliRunner().invoke(app, ["files", "migrate"], env=env)
            assert moved.exit_code == 1, moved.output  # the damaged row is said
            assert f"table apv_file, {bad}: isinya bukan {bad} / does not hold {bad} (not copied)" in moved.output
            listed = s3_server.client().list_objects_v2(Bucket=bucket, Prefix="lapkin/").get("Contents", [])
            keys = sorted(o["Key"] for o in listed)
            assert keys == sorted([f"lapkin/col_file/{evidence}", f"lapkin/ren_file/{report}"])
            kept = s3_server.client().get_object(Bucket=bucket, Key=f"lapkin/ren_file/{report}")["Body"].read()
            assert kept == b"%PDF a final kept in the table"
            with engines["collector"].connect() as conn:  # nothing deleted from the tables
                assert list(conn.execute(text("SELECT sha256 FROM col_file")).scalars()) == [evidence]

            again = CliRunner().invoke(app, ["files", "migrate", "collector", "renderer"], env=env)
            assert again.exit_code == 0, again.output
            assert again.output.splitlines() == [
                "collector  disalin/copied 0 (0.0 MiB), sudah ada/already there 1",
                "renderer   disalin/copied 0 (0.0 MiB), sudah ada/already there 1",
            ]
        finally:
            for engine in engines.values():
                engine.dispose()
