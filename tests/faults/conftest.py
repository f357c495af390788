"""The four services as real processes (the supervisor `lapkin up` uses) on a PRIVATE redis-server that the tests
stop, kill and start again — never the machine's shared Redis — and a fresh database (PostgreSQL when
LAPKIN_TEST_DATABASE_URL is set, else SQLite files)."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import Redis

from lapkin.supervisor import Supervisor
from services.system import SERVICES
from shared.config import Settings
from tests.support.databases import fresh_database_url
from tests.support.redis_server import RedisServer, free_port


@dataclass
class Faulty:
    """The running system and the Redis under it."""

    settings: Settings
    supervisor: Supervisor
    redis: RedisServer
    admin: dict[str, str]
    data_dir: Path
    last_health: dict[str, str] = field(default_factory=dict)

    def url(self, service: str, path: str) -> str:
        return f"{self.settings.base_url(service)}{path}"

    def client(self) -> Redis:
        return Redis.from_url(self.redis.url, socket_timeout=5)

    def health(self) -> dict[str, int]:
        """Each service's /healthz status (0: no answer); the problems they named are kept in `last_health`."""
        out = {}
        for service in SERVICES:
            try:
                r = httpx.get(self.url(service, "/healthz"), timeout=15)
            except httpx.HTTPError as exc:
                out[service], self.last_health[service] = 0, repr(exc)
            else:
                out[service], self.last_health[service] = r.status_code, r.text
        return out

    def wait(self, check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
        """Poll until `check()` is truthy; the supervisor's restarts are left to the test to assert."""
        deadline = time.monotonic() + timeout
        while True:
            self.supervisor.poll()
            value = check()
            if value:
                return value
            assert time.monotonic() < deadline, f"{what}: not reached in {timeout:.0f} s"
            time.sleep(0.2)

    def wait_health(self, status: int, timeout: float = 30.0) -> float:
        """Seconds until every service's /healthz answers `status`."""
        start = time.monotonic()
        try:
            self.wait(lambda: set(self.health().values()) == {status}, f"every /healthz {status}", timeout)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; last answers: {self.last_health}") from None
        return time.monotonic() - start

    def outbox_backlog(self, service: str = "collector") -> int:
        text = httpx.get(self.url(service, "/metrics"), timeout=15).text
        found = re.search(r"^lapkin_outbox_backlog(?:\{[^}]*\})? (\S+)$", text, re.MULTILINE)
        assert found, "lapkin_outbox_backlog missing from /metrics"
        return int(float(found.group(1)))

    def restarts(self) -> dict[str, int]:
        return {name: child.restarts for name, child in self.supervisor.children.items()}


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[Faulty]:
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    data_dir = tmp_path / "data"
    ports = {s: free_port() for s in SERVICES}
    admin_token = secrets.token_urlsafe(16)
    env = {
        "REDIS_URL": redis.url,
        "LAPKIN_DATA_DIR": str(data_dir),
        "LAPKIN_STREAM_PREFIX": f"f{secrets.token_hex(4)}",
        "LAPKIN_ADMIN_TOKEN": admin_token,
        "LAPKIN_SECRET_KEY": secrets.token_urlsafe(16),
        "LAPKIN_RECLAIM_IDLE_MS": "2000",
        **{f"LAPKIN_{s.upper()}_PORT": str(p) for s, p in ports.items()},
    }
    settings = Settings(
        data_dir=data_dir,
        redis_url=redis.url,
        admin_token=admin_token,
        stream_prefix=env["LAPKIN_STREAM_PREFIX"],
        **{f"{s}_port": p for s, p in ports.items()},  # type: ignore[arg-type]
    )
    with fresh_database_url("lapkin_f") as database_url:
        if database_url:
            env["DATABASE_URL"] = database_url
        sup = Supervisor(settings, env, services=SERVICES, log_dir=data_dir / "logs")
        sup.start()
        try:
            started = time.monotonic()
            sup.wait_healthy(90)
            print(f"system healthy in {time.monotonic() - started:.1f} s")
            yield Faulty(settings, sup, redis, {"Authorization": f"Bearer {admin_token}"}, data_dir)
        finally:
            sup.stop()
            redis.stop()
            for log in sorted((data_dir / "logs").glob("*.log")):
                tail = log.read_text(errors="replace")[-2000:]
                if "Traceback" in tail:
                    print(f"--- {log.name} ---\n{tail}")
