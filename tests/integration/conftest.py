"""Integration fixtures: a service app run in-process (TestClient runs its lifespan: broker, consumer groups, outbox
relay) on a real Redis and a real database — a fresh PostgreSQL database per test module when
LAPKIN_TEST_DATABASE_URL is set, else SQLite files in the test's tmp_path. Each test gets its own stream prefix and,
on PostgreSQL, an emptied service schema, so tests never see each other's data."""

from __future__ import annotations

import copy
import json
import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from faststream.redis.parser.binary import BinaryMessageFormatV1
from redis import Redis
from sqlalchemy import create_engine, text
from sqlmodel import Session, col, select

from shared.config import Settings
from shared.messaging.outbox import OutboxMessage
from tests.support.databases import fresh_database_url

REDIS_URL = os.environ.get("LAPKIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def database_url() -> Iterator[str | None]:
    with fresh_database_url() as url:
        yield url


@pytest.fixture
def redis_client() -> Iterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except Exception:  # pragma: no cover - environment problem
        pytest.fail(f"no Redis at {REDIS_URL}: start one (the README says how)")
    yield client
    client.close()


def make_settings(tmp_path: Path, database_url: str | None) -> Settings:
    return Settings(
        data_dir=tmp_path,
        redis_url=REDIS_URL,
        admin_token=f"adm-{secrets.token_urlsafe(12)}",
        secret_key=secrets.token_urlsafe(16),
        stream_prefix=f"t{secrets.token_hex(4)}",
        database_url=database_url,
        relay_interval_s=0.05,
    )


def _drop_schema(database_url: str | None, schema: str) -> None:
    if not database_url:
        return
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


@dataclass
class Service:
    """A running service app and what a test needs to look inside it."""

    client: TestClient
    settings: Settings
    redis: Redis
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def rt(self) -> Any:
        return self.client.app.state.rt  # type: ignore[attr-defined]

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.admin_token}"}

    def stream(self, service: str | None = None) -> str:
        return self.settings.stream(service or self.rt.service)

    def session(self) -> Session:
        return Session(self.rt.engine, expire_on_commit=False)

    # ---- outbox and stream ----------------------------------------------------------------------------------

    def outbox(self, type_: str | None = None) -> list[OutboxMessage]:
        with self.session() as s:
            query = select(OutboxMessage).order_by(col(OutboxMessage.id))
            if type_:
                query = query.where(OutboxMessage.type == type_)
            return list(s.exec(query))

    def wait_relayed(self, timeout: float = 10.0) -> None:
        """Until the relay has published every outbox row."""
        deadline = time.monotonic() + timeout
        while any(r.published_at is None for r in self.outbox()):
            assert time.monotonic() < deadline, "outbox not relayed in time"
            time.sleep(0.05)

    def events(self, type_: str | None = None, service: str | None = None) -> list[dict[str, Any]]:
        """The envelopes on a stream (this service's by default), oldest first."""
        out = []
        for _, fields in self.redis.xrange(self.stream(service)):
            body, _headers = BinaryMessageFormatV1.parse(fields[b"__data__"])
            env = json.loads(body)
            if type_ is None or env["type"] == type_:
                out.append(env)
        return out

    def stream_length(self, service: str | None = None) -> int:
        return int(self.redis.xlen(self.stream(service)))

    def publish(self, stream: str, envelope: Any) -> None:
        """Publish an envelope the way the producing services do (shared.messaging.streams.publish_envelope)."""
        from shared.messaging.streams import publish_envelope

        self.client.portal.call(  # type: ignore[union-attr]
            publish_envelope, self.rt.broker, stream, envelope.model_dump_json(), envelope.event_id, envelope.type
        )


def eventually(check: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(interval)


@pytest.fixture
def collector(tmp_path: Path, database_url: str | None, redis_client: Redis) -> Iterator[Service]:
    from services.collector.main import create_app

    settings = make_settings(tmp_path, database_url)
    try:
        with TestClient(create_app(settings)) as client:
            yield Service(client, settings, redis_client)
    finally:
        keys = list(redis_client.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis_client.delete(*keys)
        _drop_schema(database_url, "collector")


@pytest.fixture
def aggregator(tmp_path: Path, database_url: str | None, redis_client: Redis) -> Iterator[Service]:
    """The aggregator in-process; a test feeds it events by publishing onto the collector's (or approval's) stream."""
    from services.aggregator.main import create_app

    settings = make_settings(tmp_path, database_url)
    try:
        with TestClient(create_app(settings)) as client:
            yield Service(client, settings, redis_client)
    finally:
        keys = list(redis_client.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis_client.delete(*keys)
        _drop_schema(database_url, "aggregator")


# ---- the worked example ---------------------------------------------------------------------------------------


def put_pk(svc: Service, pk: dict[str, Any], tahun: int = 2024) -> httpx.Response:
    r = svc.client.put(f"/api/v1/perjanjian-kinerja/{tahun}", json=pk, headers=svc.admin)
    assert r.status_code == 200, r.text
    return r


def unit_key(svc: Service, unit: str) -> str:
    """An API key for `unit` (made once per test and remembered)."""
    if unit not in svc.keys:
        r = svc.client.post(f"/api/v1/units/{unit}/api-keys", headers=svc.admin)
        assert r.status_code == 201, r.text
        svc.keys[unit] = r.json()["api_key"]
    return svc.keys[unit]


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def pk(pk_2024: dict[str, Any]) -> dict[str, Any]:
    """A private copy of the worked-example PK, safe to modify."""
    return copy.deepcopy(pk_2024)


@pytest.fixture
def loaded(collector: Service, pk: dict[str, Any]) -> Service:
    """The collector with the worked-example PK 2024 in place."""
    put_pk(collector, pk)
    return collector
