"""The database away for a moment, on PostgreSQL behind a TCP proxy the test cuts (every connection reset, new ones
refused) and restores: the collector answers 503 with the standard error body and Retry-After instead of 500, stores
nothing it could not commit, and serves again by itself once the database is back (the pool replaces its dead
connections); a consumer whose handler fails because the database is away keeps the event pending without counting
those deliveries, so a short outage never dead-letters it, and applies it once the database is back.

SQLite is a file inside the service's own process: it cannot be away while the service runs, so these tests run
on PostgreSQL only (LAPKIN_TEST_DATABASE_URL); `shared.db.database_unavailable` also covers SQLite's busy and
unopenable results."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis.asyncio import Redis
from sqlalchemy import create_engine, func, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from shared.config import Settings
from shared.db import create_tables, make_engine
from shared.messaging.outbox import KERNEL_TABLES
from shared.messaging.streams import ensure_groups
from tests.integration.conftest import Service, auth, make_settings, put_pk, unit_key
from tests.integration.kernel.test_messaging import REDIS_URL, Harness, KernelEffect, effects, envelope
from tests.support.databases import fresh_database_url
from tests.support.tcp_proxy import TcpProxy, tcp_proxy

pytestmark = pytest.mark.skipif(
    not os.environ.get("LAPKIN_TEST_DATABASE_URL"),
    reason="PostgreSQL only: a SQLite file cannot be away while its service runs",
)
URL = "/api/v1/laporan-triwulan"


@pytest.fixture
def database() -> Iterator[tuple[str, str, TcpProxy]]:
    """(direct URL, URL through the proxy, the proxy) of a fresh PostgreSQL database."""
    with fresh_database_url("lapkin_down") as url:
        assert url is not None
        direct = make_url(url)
        with tcp_proxy(direct.host or "127.0.0.1", direct.port or 5432) as proxy:
            yield url, direct.set(port=proxy.port).render_as_string(hide_password=False), proxy


@pytest.fixture
def collector(tmp_path: Path, database: tuple[str, str, TcpProxy], redis_client: Any) -> Iterator[Service]:
    from services.collector.main import create_app

    settings = make_settings(tmp_path, database[1])
    try:
        with TestClient(create_app(settings)) as client:
            yield Service(client, settings, redis_client)
    finally:
        keys = list(redis_client.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis_client.delete(*keys)


def submissions_in_the_database(direct_url: str) -> list[tuple[int, str]]:
    """(revision, IK-3.1's value) of every stored submission, read past the proxy."""
    engine = create_engine(direct_url, connect_args={"options": "-csearch_path=collector"})
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT revision, body FROM col_submission ORDER BY revision")).all()
    finally:
        engine.dispose()
    return [(r.revision, json.loads(r.body)["realisasi"][0]["nilai"]) for r in rows]


def report(nilai: str) -> dict[str, Any]:
    return {"tahun": 2024, "triwulan": 1, "unit": "BID-PENTA", "realisasi": [{"indikator": "IK-3.1", "nilai": nilai}]}


def test_the_collector_answers_503_while_the_database_is_away_stores_nothing_and_recovers_by_itself(
    collector: Service, database: tuple[str, str, TcpProxy], pk_2024: dict[str, Any]
) -> None:
    direct, _, proxy = database
    put_pk(collector, pk_2024)
    key = auth(unit_key(collector, "BID-PENTA"))
    r = collector.client.post(URL, json=report("9.10"), headers=key)
    assert r.status_code == 202, r.text
    assert proxy.connections > 0  # the pool holds connections through the proxy: the cut kills them

    proxy.cut()
    for method, path, body in (
        ("POST", URL, report("9.50")),
        ("GET", "/api/v1/periode/2024/TW1/status", None),
        ("PUT", "/api/v1/perjanjian-kinerja/2024", {**pk_2024, "nama": "baru"}),
    ):
        headers = key if method == "POST" else collector.admin
        r = collector.client.request(method, path, json=body, headers=headers)
        assert r.status_code == 503, (method, path, r.status_code, r.text)
        assert r.headers["retry-after"] == "5"
        [error] = r.json()["errors"]
        assert set(error) == {"field", "rule", "message_id", "message_en"}
        assert error["rule"] == "database_unavailable"
        assert error["message_id"] and error["message_en"]
    health = collector.client.get("/healthz")
    assert health.status_code == 503 and any(p.startswith("database") for p in health.json()["problems"])
    assert submissions_in_the_database(direct) == [(1, "9.10")]  # the 503 stored nothing

    proxy.restore()
    # the very first request after the database is back works: the pool replaced its dead connections itself
    r = collector.client.post(URL, json=report("9.50"), headers=key)
    assert r.status_code == 202, r.text
    assert r.json()["revision"] == 2
    assert collector.client.get("/healthz").status_code == 200
    assert submissions_in_the_database(direct) == [(1, "9.10"), (2, "9.50")]
    collector.wait_relayed()
    # one event per stored revision: none for the refused request, none lost. The relay may publish one twice (the
    # database went away between its XADD and marking the row): at least once, under the same event_id
    events = {e["event_id"]: e["payload"]["revision"] for e in collector.events("TriwulanSubmitted")}
    assert sorted(events.values()) == [1, 2]


# ---- consumers ------------------------------------------------------------------------------------------------


@pytest.fixture
def kernel(tmp_path: Path, database: tuple[str, str, TcpProxy]) -> Iterator[tuple[Settings, Any]]:
    settings = Settings(
        data_dir=tmp_path,
        redis_url=REDIS_URL,
        stream_prefix=f"k{secrets.token_hex(4)}",
        reclaim_idle_ms=300,
        max_deliveries=2,
        database_url=database[1],
    )
    engine = make_engine(settings, "kerneltest")
    create_tables(engine, [*KERNEL_TABLES, KernelEffect.__table__])  # type: ignore[attr-defined]
    yield settings, engine
    engine.dispose()


async def test_an_event_whose_handler_meets_a_database_outage_stays_pending_uncounted_and_is_applied_after(
    kernel: tuple[Settings, Any], database: tuple[str, str, TcpProxy]
) -> None:
    settings, engine = kernel
    proxy = database[2]
    stream = settings.stream("producer")
    redis = Redis.from_url(settings.redis_url)
    await ensure_groups(redis, [stream], "kerneltest")
    h = Harness(settings, engine)
    await h.broker.start()
    first, during = envelope(1), envelope(2)
    try:
        await h.publish(first)
        await _eventually(lambda: effects(engine) == [first.event_id])
        proxy.cut()
        await h.publish(during)
        # far longer than max_deliveries × reclaim_idle_ms: counted, these deliveries would have dead-lettered it
        await asyncio.sleep(8 * settings.reclaim_idle_ms / 1000 + 2)
        assert await redis.xlen(f"{stream}.dlq") == 0
        [entry] = await redis.xpending_range(stream, "kerneltest", "-", "+", 10)
        assert entry["times_delivered"] <= settings.max_deliveries
        proxy.restore()
        await _eventually(lambda: sorted(effects(engine)) == sorted([first.event_id, during.event_id]), 20)
        await _eventually_async(lambda: _pending(redis, stream), 0)
        assert await redis.xlen(f"{stream}.dlq") == 0
    finally:
        await h.broker.stop()
        await redis.delete(stream, f"{stream}.dlq")
        await redis.aclose()
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(KernelEffect)).one() == 2


async def _pending(redis: Redis, stream: str) -> int:
    return int((await redis.xpending(stream, "kerneltest"))["pending"])


async def _eventually(check: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.1)


async def _eventually_async(get: Any, want: Any, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while (got := await get()) != want:
        assert asyncio.get_running_loop().time() < deadline, f"{got!r} never became {want!r}"
        await asyncio.sleep(0.1)
