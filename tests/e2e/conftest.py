"""All four services as real processes, on a real Redis and a real database (PostgreSQL when
LAPKIN_TEST_DATABASE_URL is set, else SQLite files), isolated by a random stream prefix and a fresh database."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from lapkin.supervisor import Supervisor, redis_reachable
from shared.config import Settings
from tests.support.databases import fresh_database_url

REDIS_URL = os.environ.get("LAPKIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def database_url() -> Iterator[str | None]:
    with fresh_database_url() as url:
        yield url


@dataclass
class System:
    settings: Settings
    supervisor: Supervisor
    admin: dict[str, str]

    def url(self, service: str, path: str) -> str:
        return f"{self.settings.base_url(service)}{path}"


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory, database_url: str | None) -> Iterator[System]:
    if not redis_reachable(REDIS_URL):
        pytest.fail(f"no Redis at {REDIS_URL}: start one (the README says how)")
    data_dir: Path = tmp_path_factory.mktemp("lapkin-data")
    env = {
        "REDIS_URL": REDIS_URL,
        "LAPKIN_DATA_DIR": str(data_dir),
        "LAPKIN_STREAM_PREFIX": f"t{secrets.token_hex(4)}",
        "LAPKIN_ADMIN_TOKEN": secrets.token_urlsafe(16),
        "LAPKIN_SECRET_KEY": secrets.token_urlsafe(16),
        "LAPKIN_RECLAIM_IDLE_MS": "3000",
        "LAPKIN_COLLECTOR_PORT": str(free_port()),
        "LAPKIN_AGGREGATOR_PORT": str(free_port()),
        "LAPKIN_APPROVAL_PORT": str(free_port()),
        "LAPKIN_RENDERER_PORT": str(free_port()),
    }
    if database_url:
        env["DATABASE_URL"] = database_url
        # each module gets its own schemas: a fresh database per module keeps runs independent
    settings = Settings(
        **{  # type: ignore[arg-type]
            "data_dir": data_dir,
            "admin_token": env["LAPKIN_ADMIN_TOKEN"],
            "collector_port": int(env["LAPKIN_COLLECTOR_PORT"]),
            "aggregator_port": int(env["LAPKIN_AGGREGATOR_PORT"]),
            "approval_port": int(env["LAPKIN_APPROVAL_PORT"]),
            "renderer_port": int(env["LAPKIN_RENDERER_PORT"]),
            "stream_prefix": env["LAPKIN_STREAM_PREFIX"],
            # the Redis and database the services use, never the defaults: an operator's tool built from these
            # settings (Ops in test_operators.py) must read the test's Redis, not whatever answers at 6379
            "REDIS_URL": REDIS_URL,
            **({"DATABASE_URL": database_url} if database_url else {}),
        }
    )
    services = tuple(
        s
        for s in ("collector", "aggregator", "approval", "renderer")
        if (Path(__file__).resolve().parents[2] / "services" / s / "main.py").exists()
    )
    sup = Supervisor(settings, env, services=services, log_dir=data_dir / "logs")
    sup.start()
    try:
        sup.wait_healthy(60)
        yield System(settings, sup, {"Authorization": f"Bearer {env['LAPKIN_ADMIN_TOKEN']}"})
    finally:
        sup.stop()
        for log in sorted((data_dir / "logs").glob("*.log")):
            tail = log.read_text(errors="replace")[-3000:]
            if "Traceback" in tail or "ERROR" in tail:
                print(f"--- {log.name} ---\n{tail}")


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as c:
        yield c


def load_example(system, client: httpx.Client, pk: dict, submissions: list[dict]) -> dict[str, int]:
    r = client.put(system.url("collector", "/api/v1/perjanjian-kinerja/2024"), json=pk, headers=system.admin)
    assert r.status_code == 200, r.text
    assert r.json()["indikator"] == 9
    keys = {}
    for unit in pk["units"]:
        r = client.post(system.url("collector", f"/api/v1/units/{unit['kode']}/api-keys"), headers=system.admin)
        assert r.status_code == 201, r.text
        keys[unit["kode"]] = r.json()["api_key"]
    acknowledged: dict[str, int] = {}
    for sub in submissions:
        r = client.post(
            system.url("collector", "/api/v1/laporan-triwulan"),
            json=sub,
            headers={"Authorization": f"Bearer {keys[sub['unit']]}"},
        )
        assert r.status_code == 202, r.text
        acknowledged[f"{sub['triwulan']}:{sub['unit']}"] = r.json()["revision"]
    return acknowledged


@pytest.fixture(scope="module")
def acknowledged(system, pk_2024, submissions_2024) -> dict[str, int]:
    """The worked example sent in order over HTTP; what the collector acknowledged, per quarter and unit."""
    with httpx.Client(timeout=30) as client:
        return load_example(system, client, pk_2024, submissions_2024)
