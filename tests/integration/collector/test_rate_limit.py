"""The submission routes' rate limit: a token bucket per API key in Redis, shared by every collector process, 429 with
Retry-After and the standard error body when empty, nothing stored for a refused request; 0 turns it off."""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from redis import Redis
from redis.asyncio import BlockingConnectionPool, ConnectionPool
from redis.asyncio import Redis as AsyncRedis
from redis.asyncio.connection import AbstractConnection

from services.collector import keys
from services.collector.main import create_app
from shared import ratelimit, redisturn
from shared.config import Settings
from shared.messaging.streams import REDIS_POOL_WAIT_S
from shared.ratelimit import RateLimiter
from shared.security import hash_api_key
from tests.integration.conftest import Service, _drop_schema, auth, make_settings, put_pk, unit_key

BPS_TW1 = {"tahun": 2024, "triwulan": 1, "unit": "BPS", "realisasi": [{"indikator": "IKU-1", "nilai": "7.25"}]}


def _service(settings: Settings, redis_client: Redis) -> Iterator[Service]:
    try:
        with TestClient(create_app(settings)) as client:
            yield Service(client, settings, redis_client)
    finally:
        keys = list(redis_client.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis_client.delete(*keys)


@pytest.fixture
def per_minute() -> int:
    """One token a minute by default: no refill can blur a test's count on a slow machine."""
    return 1


@pytest.fixture
def limited_settings(tmp_path: Path, database_url: str | None, per_minute: int) -> Iterator[Settings]:
    """At most three tokens at once."""
    update = {"rate_limit_per_minute": per_minute, "rate_limit_burst": 3}
    yield make_settings(tmp_path, database_url).model_copy(update=update)
    _drop_schema(database_url, "collector")


@pytest.fixture
def limited(limited_settings: Settings, redis_client: Redis, pk: dict[str, Any]) -> Iterator[Service]:
    for svc in _service(limited_settings, redis_client):
        put_pk(svc, pk)
        yield svc


def _post(svc: Service, key: str, nilai: str = "7.25") -> Any:
    body = {**BPS_TW1, "realisasi": [{"indikator": "IKU-1", "nilai": nilai}]}
    return svc.client.post("/api/v1/laporan-triwulan", json=body, headers=auth(key))


def _assert_rate_limited(res: Any, max_wait: int = 60) -> None:
    assert res.status_code == 429, res.text
    assert 1 <= int(res.headers["Retry-After"]) <= max_wait
    (err,) = res.json()["errors"]
    assert (err["field"], err["rule"]) == ("Authorization", "rate_limited")
    assert "coba lagi" in err["message_id"] and "retry" in err["message_en"]


@pytest.mark.parametrize("per_minute", [20])  # a token every 3 s
def test_a_key_gets_its_burst_then_429_with_retry_after_and_nothing_is_stored(limited: Service):
    key = unit_key(limited, "BPS")
    answers = [_post(limited, key, f"7.{i}0") for i in range(3)]
    assert [r.status_code for r in answers] == [202, 202, 202]
    refused = _post(limited, key, "6.00")
    _assert_rate_limited(refused, max_wait=3)
    assert [r["revision"] for r in (a.json() for a in answers)] == [1, 2, 3]
    status = limited.client.get("/api/v1/periode/2024/TW1/status", headers=auth(key)).json()
    assert status["units"][0]["revision"] == 3  # the refused report made no revision

    # another unit's key has a bucket of its own
    other = unit_key(limited, "UPT-BLK")
    body = {"tahun": 2024, "triwulan": 1, "unit": "UPT-BLK", "realisasi": [{"indikator": "IK-2.1", "nilai": "210"}]}
    assert limited.client.post("/api/v1/laporan-triwulan", json=body, headers=auth(other)).status_code == 202

    # the bucket refills: one token a second
    time.sleep(int(refused.headers["Retry-After"]))
    assert _post(limited, key, "6.00").status_code == 202


def test_every_submission_route_draws_from_the_same_bucket(limited: Service):
    key = unit_key(limited, "BPS")
    first = _post(limited, key)
    assert first.status_code == 202
    assert _post(limited, key, "7.30").status_code == 202
    assert _post(limited, key, "7.35").status_code == 202  # the bucket is empty now
    sid = first.json()["submission_id"]
    monthly = {"tahun": 2024, "bulan": 1, "unit": "BPS", "realisasi": [{"indikator": "IKU-1", "nilai": "7.3"}]}
    refused = [
        limited.client.post("/api/v1/laporan-bulanan", json=monthly, headers=auth(key)),
        limited.client.post("/api/v1/laporan-triwulan/bulk", json={"submissions": [BPS_TW1]}, headers=auth(key)),
        limited.client.post(
            "/api/v1/laporan-triwulan/upload", files={"file": ("x.xlsx", b"PK", "application/zip")}, headers=auth(key)
        ),
        limited.client.post(
            f"/api/v1/laporan-triwulan/{sid}/bukti",
            files={"file": ("a.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "application/pdf")},
            headers=auth(key),
        ),
    ]
    for res in refused:
        _assert_rate_limited(res)
    assert limited.client.get(f"/api/v1/laporan-triwulan/{sid}/bukti", headers=auth(key)).json()["bukti"] == []
    # reading is not limited
    assert limited.client.get("/api/v1/perjanjian-kinerja/2024", headers=auth(key)).status_code == 200
    # the limit counts per key, after authentication: a bad key is 401, not 429
    assert _post(limited, "lpk_wrong").status_code == 401


def _bulk(svc: Service, key: str | None, rows: list[dict[str, Any]]) -> Any:
    """A dry run (nothing stored, the same tokens taken); `key` None: the admin's."""
    return svc.client.post(
        "/api/v1/laporan-triwulan/bulk",
        params={"dry_run": "true"},
        json={"submissions": rows},
        headers=svc.admin if key is None else auth(key),
    )


def test_a_bulk_takes_a_token_a_row_up_to_the_whole_bucket(limited: Service):
    """An attacker's finding: a bulk took one token however many rows it carried, so a unit's key sent 500 rows a
    request past a limit of 3. Now a unit key's bulk takes one a row (all or none; a dry run too), at most the whole
    bucket, so a bulk bigger than the burst still goes when the bucket is full. The admin's bulk takes one."""
    rows = [{**BPS_TW1, "triwulan": t} for t in (1, 2)]
    key = unit_key(limited, "BPS")
    assert _bulk(limited, key, rows).status_code != 429  # 2 of the 3 tokens
    assert _post(limited, key).status_code == 202  # the third
    _assert_rate_limited(_post(limited, key))

    other = unit_key(limited, "UPT-BLK")
    body = {"tahun": 2024, "triwulan": 1, "unit": "UPT-BLK", "realisasi": [{"indikator": "IK-2.1", "nilai": "210"}]}
    big = [{**body, "triwulan": t} for t in (1, 2, 3, 4, 1)]
    assert _bulk(limited, other, big).status_code != 429  # 5 rows, a bucket of 3: the whole bucket
    refused = limited.client.post("/api/v1/laporan-triwulan", json=body, headers=auth(other))
    _assert_rate_limited(refused)

    for _ in range(3):  # the admin's bucket, 3 tokens: three bulks of two rows
        assert _bulk(limited, None, rows).status_code != 429
    _assert_rate_limited(_bulk(limited, None, rows))


@pytest.mark.parametrize("per_minute", [20])  # a token every 3 s
def test_a_bulk_the_bucket_cannot_pay_for_is_refused_saying_so(limited: Service):
    key = unit_key(limited, "BPS")
    assert _post(limited, key).status_code == 202
    assert _post(limited, key, "7.30").status_code == 202  # one token left
    refused = _bulk(limited, key, [{**BPS_TW1, "triwulan": t} for t in (1, 2, 3)])
    _assert_rate_limited(refused, max_wait=9)  # two more tokens: about 6 s
    (err,) = refused.json()["errors"]
    assert "3 baris" in err["message_id"] and "3 rows" in err["message_en"]


def test_two_collector_processes_share_one_bucket(limited: Service, limited_settings: Settings, redis_client: Redis):
    key = unit_key(limited, "BPS")
    for twin in _service(limited_settings, redis_client):  # a second collector on the same database and Redis
        statuses = [_post(svc, key, f"7.{i}0").status_code for i, svc in enumerate([limited, twin] * 3)]
        assert statuses.count(202) == 3 and statuses.count(429) == 3, statuses


def test_zero_turns_the_limit_off(tmp_path: Path, database_url: str | None, redis_client: Redis, pk: dict[str, Any]):
    settings = make_settings(tmp_path, database_url).model_copy(
        update={"rate_limit_per_minute": 0, "rate_limit_burst": 1}
    )
    try:
        for svc in _service(settings, redis_client):
            put_pk(svc, pk)
            key = unit_key(svc, "BPS")
            assert [_post(svc, key, f"7.{i}0").status_code for i in range(5)] == [202] * 5
            assert not list(redis_client.scan_iter(f"{settings.stream_prefix}.ratelimit.*"))
    finally:
        _drop_schema(database_url, "collector")


def test_redis_away_lets_the_request_through():
    """Rate limiting protects the service; it never refuses a submission because Redis does not answer."""

    async def take() -> bool:
        client = AsyncRedis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
        try:
            return (await RateLimiter(client, "t", per_minute=1, burst=1).take("k")).allowed
        finally:
            await client.aclose()

    assert asyncio.run(take()) is True


def _bucket_tokens(svc: Service, key: str) -> float:
    raw = svc.redis.hget(f"{svc.settings.stream_prefix}.ratelimit.key.{hash_api_key(key)[:32]}", "tokens")
    return float(raw)


def test_a_report_checks_its_key_and_takes_its_token_in_one_redis_round_trip(
    limited: Service, monkeypatch: pytest.MonkeyPatch
):
    """The key's revocation check and the rate limit were two round trips per report; one script does both now (a
    key remembered and not revoked since: every report but a key's first in a while)."""
    key = unit_key(limited, "BPS")
    assert _post(limited, key, "7.10").status_code == 202  # the key remembered, the scripts loaded
    prefix = limited.settings.stream_prefix.encode()
    sent: list[bytes] = []
    original = AbstractConnection.send_packed_command

    async def counted(self: Any, command: Any, check_health: bool = True) -> None:
        packed = command if isinstance(command, bytes | bytearray | memoryview) else b"".join(command)
        if prefix + b".auth." in packed or prefix + b".ratelimit." in packed:
            sent.append(bytes(packed))
        await original(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    for nilai in ("7.20", "7.30"):
        assert _post(limited, key, nilai).status_code == 202
    assert len(sent) == 2, sent  # one round trip per report (two before)
    assert _bucket_tokens(limited, key) < 1  # both took their token: three of three


def test_a_revoked_key_takes_no_token_on_its_way_to_401(limited: Service):
    """The token is taken in the key's round trip only while nothing was revoked since the key was remembered: a key
    revoked elsewhere is refused (401) without drawing from its bucket."""
    key = unit_key(limited, "BPS")
    assert _post(limited, key, "7.10").status_code == 202
    assert _post(limited, key, "7.20").status_code == 202  # the one-round-trip path: one token left
    key_id = limited.client.get("/api/v1/api-keys", headers=limited.admin).json()["api_keys"][0]["id"]
    with limited.session() as s:
        keys.revoke(s, key_id)
    assert keys.new_epoch_sync(limited.settings)
    assert _post(limited, key, "7.30").status_code == 401
    assert 0.9 < _bucket_tokens(limited, key) < 1.5  # still the one token (plus a second's refill at most)


def test_redis_away_a_report_is_checked_in_the_database_and_let_through(
    limited: Service, caplog: pytest.LogCaptureFixture
):
    """As before the one round trip: without Redis the key is asked of the database (a revoked key is 401) and the
    rate limit lets the report through, each saying so in the log."""
    key = unit_key(limited, "BPS")
    assert _post(limited, key, "7.10").status_code == 202  # remembered: the one-round-trip path is the one tried
    rt = limited.client.app.state.rt  # type: ignore[attr-defined]
    live, limiter = rt.redis, rt.state.pop("rate_limiter")
    rt.redis = AsyncRedis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    caplog.set_level(logging.WARNING, logger="lapkin")
    try:
        assert _post(limited, key, "7.20").status_code == 202
        logged = [r.getMessage() for r in caplog.records]
        assert any("key revocations not checked in Redis" in m for m in logged), logged
        assert any("rate limit not checked" in m for m in logged), logged
        with limited.session() as s:
            keys.revoke(s, limited.client.get("/api/v1/api-keys", headers=limited.admin).json()["api_keys"][0]["id"])
        assert _post(limited, key, "7.30").status_code == 401  # the database said so
    finally:
        rt.redis, rt.state["rate_limiter"] = live, limiter


def _small_pool_client(url: str, connections: int) -> AsyncRedis:
    """A client like shared.messaging.streams.make_redis's, with a pool of `connections`."""
    return AsyncRedis.from_pool(
        BlockingConnectionPool.from_url(url, max_connections=connections, timeout=REDIS_POOL_WAIT_S)
    )


def test_no_redis_connection_free_is_busy_not_a_free_pass(limited: Service, caplog: pytest.LogCaptureFixture):
    """The outsider's flood (200 requests at once with one key): every connection of the collector's Redis pool in
    use, each request that found none was let past the limit as if Redis were away — 882 reports over the limit. A
    pool with no connection free is this process overloaded, not Redis away: 503 `busy` with Retry-After, nothing
    stored; the next request once a connection is free is answered as usual."""
    key = unit_key(limited, "BPS")
    assert _post(limited, key, "7.10").status_code == 202  # remembered: the one-round-trip path is tried first
    rt = limited.client.app.state.rt  # type: ignore[attr-defined]
    pool = rt.redis.connection_pool
    assert isinstance(pool, BlockingConnectionPool) and pool.timeout == REDIS_POOL_WAIT_S < ratelimit.REDIS_TIMEOUT_S
    portal = limited.client.portal  # the app's event loop: the pool's connections belong to it
    live, limiter = rt.redis, rt.state.pop("rate_limiter")
    rt.redis = small = _small_pool_client(limited.settings.redis_url, 2)
    held = [portal.call(small.connection_pool.get_connection) for _ in range(2)]
    caplog.set_level(logging.WARNING, logger="lapkin")
    try:
        refused = _post(limited, key, "7.20")
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"] == "1" and refused.json()["errors"][0]["rule"] == "busy"
        logged = [r.getMessage() for r in caplog.records]
        assert not any("request let through" in m for m in logged), logged
        assert any("request refused as busy" in m for m in logged), logged
    finally:
        for connection in held:
            portal.call(small.connection_pool.release, connection)
    try:
        status = limited.client.get("/api/v1/periode/2024/TW1/status", headers=auth(key)).json()
        assert status["units"][0]["revision"] == 1  # the refused report made no revision
        assert _post(limited, key, "7.30").status_code == 202  # a connection free again: as usual
    finally:
        rt.redis, rt.state["rate_limiter"] = live, limiter
        portal.call(small.aclose)


def test_a_pool_with_no_connection_free_is_told_from_redis_away():
    async def verdicts() -> tuple[Any, Any]:
        plain = AsyncRedis(connection_pool=ConnectionPool.from_url("redis://127.0.0.1:6379/0", max_connections=1))
        blocking = _small_pool_client("redis://127.0.0.1:6379/0", 1)
        out = []
        for client in (plain, blocking):
            held = await client.connection_pool.get_connection()
            try:
                out.append(await RateLimiter(client, "t", per_minute=1, burst=1).take("k"))
            finally:
                await client.connection_pool.release(held)
                await client.aclose()
        return out[0], out[1]

    for verdict in asyncio.run(verdicts()):
        assert (verdict.allowed, verdict.busy, verdict.retry_after_s) == (False, True, 1)


class _Silent:
    """A port that accepts connections and never answers (a Redis that hangs), counting the connections made."""

    def __init__(self) -> None:
        import socket
        import threading

        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted: list[Any] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


def _break_redis(svc: Service, client: AsyncRedis, *, everywhere: bool = True) -> tuple[Any, Any]:
    """The Redis of the collector's key checks and rate limiter swapped for `client` (what the limiter counted kept),
    and of the rest of the service too when `everywhere` (the relay, the revocation's epoch): (live, limiter's)."""
    rt = svc.client.app.state.rt  # type: ignore[attr-defined]
    limiter = rt.state["rate_limiter"]
    live, live_turn = rt.redis, limiter._turn
    limiter._turn = redisturn.RedisTurn(client)
    if everywhere:
        rt.redis = client
    return live, live_turn


def _mend_redis(svc: Service, live: tuple[Any, Any]) -> None:
    rt = svc.client.app.state.rt  # type: ignore[attr-defined]
    rt.redis, rt.state["rate_limiter"]._turn = live


def test_a_key_over_its_limit_is_not_let_through_when_redis_does_not_answer(
    limited: Service, caplog: pytest.LogCaptureFixture
):
    """An outsider made the collector too busy to read Redis's answers within the second (unlimited reads beside
    the reports): every request whose check ran out of time was let past the limit — 81 reports against a bound of
    21. This process's own count of the bucket decides then; it took every token Redis gave, so a key that used its
    burst is refused (429) whether Redis answers or not."""
    key = unit_key(limited, "BPS")
    assert [_post(limited, key, f"7.{i}0").status_code for i in range(3)] == [202] * 3
    _assert_rate_limited(_post(limited, key, "7.40"))
    away = AsyncRedis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    live = _break_redis(limited, away)
    caplog.set_level(logging.WARNING, logger="lapkin")
    try:
        _assert_rate_limited(_post(limited, key, "7.50"))
        assert any("this process's own count refuses" in r.getMessage() for r in caplog.records)
        other = unit_key(limited, "BID-PENTA")  # a key within its limit still gets through (Redis away)
        body = {**BPS_TW1, "unit": "BID-PENTA", "realisasi": [{"indikator": "IK-3.1", "nilai": "1"}]}
        assert limited.client.post("/api/v1/laporan-triwulan", json=body, headers=auth(other)).status_code != 429
    finally:
        _mend_redis(limited, live)
        limited.client.portal.call(away.aclose)


def test_a_key_revoked_while_redis_is_away_stays_revoked_when_redis_is_back(limited: Service):
    """An outsider revoked a key through the API while Redis was down (200), got 401 during the outage — and the
    key's reports accepted again for seconds once Redis was back: the collector trusted the key it remembered from
    before, under an epoch Redis was never told to change. A failed check now forgets every remembered key, and
    the revoking process tells Redis once it answers."""
    key = unit_key(limited, "BPS")
    assert _post(limited, key, "7.10").status_code == 202  # remembered
    epoch = limited.redis.get(keys.epoch_key(limited.settings.stream_prefix))
    away = AsyncRedis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    live = _break_redis(limited, away)
    try:
        key_id = limited.client.get("/api/v1/api-keys", headers=limited.admin).json()["api_keys"][0]["id"]
        assert limited.client.delete(f"/api/v1/api-keys/{key_id}", headers=limited.admin).status_code == 200
        assert _post(limited, key, "7.20").status_code == 401  # the database says so
    finally:
        _mend_redis(limited, live)
        limited.client.portal.call(away.aclose)
    assert _post(limited, key, "7.30").status_code == 401  # Redis back: still revoked (was 202)
    deadline = time.monotonic() + 5
    while limited.redis.get(keys.epoch_key(limited.settings.stream_prefix)) == epoch and time.monotonic() < deadline:
        time.sleep(0.1)
    assert limited.redis.get(keys.epoch_key(limited.settings.stream_prefix)) != epoch  # told once it answered


def test_a_hung_redis_is_waited_for_once_per_report(limited: Service, monkeypatch: pytest.MonkeyPatch):
    """An outsider hung Redis: each report waited two full seconds, one for its key's check and one more for its
    rate limit, on a Redis already known not to answer. The rate limit is now decided with the key's check."""
    key = unit_key(limited, "BPS")
    assert _post(limited, key, "7.10").status_code == 202  # remembered: the one-round-trip path is tried first
    monkeypatch.setattr(keys, "REDIS_TIMEOUT_S", 0.3)
    monkeypatch.setattr(ratelimit, "REDIS_TIMEOUT_S", 0.3)
    monkeypatch.setattr(redisturn, "DEFAULT_TIMEOUT_S", 0.3)
    silent = _Silent()
    hung = AsyncRedis.from_url(f"redis://127.0.0.1:{silent.port}/0")
    live = _break_redis(limited, hung, everywhere=False)  # the relay keeps its Redis: only the checks' are counted
    try:
        assert _post(limited, key, "7.20").status_code == 202  # let through: within the key's own count
        assert len(silent.accepted) == 1  # one connection to the hung Redis, one wait (two before)
    finally:
        _mend_redis(limited, live)
        limited.client.portal.call(hung.aclose)
        silent.close()
