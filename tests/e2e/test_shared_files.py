"""Files on shared storage (issue 16 item 3, docs/storage.md): two renderer processes, each with a data folder of its
own (as on two machines), on one PostgreSQL database and the real Redis, with each shared store: LAPKIN_FILE_STORE=
database, and s3 on a bucket of moto's S3 server run as a process (tests/support/s3.py). A document one of them drew
is fetched from the other over HTTP, byte for byte, while neither data folder holds it; once the store loses it, a
404, never a 500."""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from lapkin.supervisor import ROOT, redis_reachable
from shared.config import Settings
from shared.db import make_engine
from shared.events import catalogue as ev
from shared.events.envelope import Envelope, new_envelope
from tests.e2e.conftest import REDIS_URL, free_port
from tests.support.databases import fresh_database_url
from tests.support.s3 import S3Server
from tests.unit.renderer.test_reports import DISPOSISI


def renderer_command(port: int) -> list[str]:
    return [sys.executable, "-m", "uvicorn", "--factory", "services.renderer.main:create_app", "--host", "127.0.0.1",
            "--port", str(port), "--no-access-log", "--log-level", "warning"]  # fmt: skip


class Renderer:
    """One renderer process with its own port and data folder."""

    def __init__(self, name: str, data_dir: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.log = data_dir.parent / f"{name}.log"
        env = {**env, "LAPKIN_DATA_DIR": str(data_dir), "LAPKIN_RENDERER_PORT": str(self.port)}
        with open(self.log, "ab") as log:
            self.popen = subprocess.Popen(
                renderer_command(self.port), env={**os.environ, **env}, cwd=ROOT, stdout=log, stderr=log
            )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.popen.poll() is None, self.log.read_text(errors="replace")[-3000:]
            try:
                if httpx.get(self.url("/healthz"), timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"renderer on {self.port} not healthy: {self.log.read_text(errors='replace')[-3000:]}")

    def stop(self) -> None:
        self.popen.terminate()
        try:
            self.popen.wait(20)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()


async def publish(stream: str, envelope: Envelope) -> None:
    """XADD the envelope as the approval service's relay does (shared.messaging.streams.publish_envelope)."""
    from faststream.redis import RedisBroker

    from shared.messaging.streams import publish_envelope

    broker = RedisBroker(REDIS_URL)
    await broker.connect()
    try:
        await publish_envelope(broker, stream, envelope.model_dump_json(), envelope.event_id, envelope.type)
    finally:
        await broker.stop()


@dataclass
class Shared:
    """One shared store as the renderers are told of it, and the test's own look into it."""

    database_url: str  # where both renderers keep their documents' rows (the store may be elsewhere)
    env: dict[str, str]
    kept: Callable[[], set[str]]  # the SHA-256s the store holds
    lose: Callable[[str], None]  # the file gone from the store, behind the services' back


def in_database(database_url: str) -> Shared:
    def kept() -> set[str]:
        engine = make_engine(Settings(DATABASE_URL=database_url), "renderer")  # type: ignore[call-arg]
        try:
            with engine.connect() as conn:
                return set(conn.execute(text("SELECT sha256 FROM ren_file")).scalars())
        finally:
            engine.dispose()

    def lose(sha: str) -> None:
        engine = make_engine(Settings(DATABASE_URL=database_url), "renderer")  # type: ignore[call-arg]
        try:
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM ren_file WHERE sha256 = :s"), {"s": sha})
        finally:
            engine.dispose()

    return Shared(database_url, {"LAPKIN_FILE_STORE": "database"}, kept, lose)


def in_bucket(s3: S3Server, database_url: str) -> Shared:
    bucket = s3.new_bucket()

    def kept() -> set[str]:
        listed = s3.client().list_objects_v2(Bucket=bucket, Prefix="lapkin/ren_file/").get("Contents", [])
        return {o["Key"].rsplit("/", 1)[1] for o in listed}

    return Shared(database_url, s3.env(bucket, "lapkin/"), kept, lambda sha: s3.client().delete_object(
        Bucket=bucket, Key=f"lapkin/ren_file/{sha}"))  # fmt: skip


@pytest.fixture(params=["database", "s3"])
def shared(request: pytest.FixtureRequest) -> Iterator[Shared]:
    with fresh_database_url() as database_url:  # one per store: each run draws its own document
        if not database_url:
            pytest.skip("two renderers share their documents' rows in PostgreSQL: set LAPKIN_TEST_DATABASE_URL")
        if request.param == "database":
            yield in_database(database_url)
        else:
            yield in_bucket(request.getfixturevalue("s3_server"), database_url)


@pytest.fixture
def env(shared: Shared) -> Iterator[dict[str, str]]:
    if not redis_reachable(REDIS_URL):
        pytest.fail(f"no Redis at {REDIS_URL}: start one (the README says how)")
    yield {
        "DATABASE_URL": shared.database_url,
        "REDIS_URL": REDIS_URL,
        **shared.env,
        "LAPKIN_STREAM_PREFIX": f"files{secrets.token_hex(4)}",
        "LAPKIN_ADMIN_TOKEN": secrets.token_urlsafe(16),
        "LAPKIN_SECRET_KEY": secrets.token_urlsafe(16),
        "LAPKIN_REMINDER_INTERVAL_S": "0",
    }


def test_a_document_drawn_by_one_renderer_is_served_by_another(env, shared: Shared, tmp_path):
    admin = {"Authorization": f"Bearer {env['LAPKIN_ADMIN_TOKEN']}"}
    first = Renderer("first", tmp_path / "machine-a", env)
    second: Renderer | None = None
    try:
        first.wait_healthy()
        payload = ev.DisposisiIssued(**{k: v for k, v in DISPOSISI.items() if k not in ("tanggal", "instansi")})
        envelope = new_envelope("DisposisiIssued", payload, producer="approval")
        asyncio.run(publish(f"{env['LAPKIN_STREAM_PREFIX']}.approval", envelope))
        deadline, docs = time.monotonic() + 60, []
        while not docs and time.monotonic() < deadline:
            docs = httpx.get(first.url("/api/v1/documents"), params={"tahun": 2024}, headers=admin).json()
            time.sleep(0.2)
        assert [d["jenis"] for d in docs] == ["disposisi"], docs
        doc = docs[0]
        second = Renderer("second", tmp_path / "machine-b", env)  # started after the drawing: it drew nothing
        second.wait_healthy()

        for fmt in ("pdf", "docx"):
            mine = httpx.get(first.url(f"/api/v1/documents/{doc['id']}/file.{fmt}"), headers=admin)
            theirs = httpx.get(second.url(f"/api/v1/documents/{doc['id']}/file.{fmt}"), headers=admin)
            assert theirs.status_code == 200, theirs.text
            assert theirs.content == mine.content
            assert hashlib.sha256(theirs.content).hexdigest() == doc["files"][fmt]
            assert theirs.headers["content-disposition"] == mine.headers["content-disposition"]
            assert theirs.headers["content-disposition"].startswith('attachment; filename="disposisi-disposisi-2024')
        assert theirs.content.startswith(b"PK")  # the .docx, a zip
        kept = [p for m in (first, second) for p in (m.data_dir / "documents").rglob("*") if p.is_file()]
        assert kept == []  # in the shared store, not in either machine's folder

        assert shared.kept() == set(doc["files"].values())  # in the shared store (its bucket or table)
        shared.lose(doc["files"]["pdf"])
        lost = httpx.get(second.url(f"/api/v1/documents/{doc['id']}/file.pdf"), headers=admin)
        assert lost.status_code == 404 and lost.json()["errors"][0]["field"] == "id"  # a missing file: never a 500
    finally:
        for proc in (first, second):
            if proc is not None:
                proc.stop()
