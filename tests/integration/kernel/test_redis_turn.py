"""The rate limit's scripts, sent per turn of the event loop as one pipeline (shared.redisturn), on a
real Redis: every request that reached its limit in one turn shares one round trip, and each still gets its own
answer — the bucket's tokens counted as if taken one by one, one call's error its own, a Redis that lost its
scripts loaded again, a Redis that does not answer let through in the same time as before, its connection given
back."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis
from redis.asyncio import BlockingConnectionPool
from redis.asyncio import Redis as AsyncRedis
from redis.asyncio.connection import AbstractConnection

from shared import ratelimit, redisturn
from shared.ratelimit import RateLimiter
from tests.integration.conftest import REDIS_URL


@pytest.fixture
def prefix(redis_client: Redis) -> Iterator[str]:
    name = f"t-{secrets.token_hex(4)}"
    yield name
    keys = list(redis_client.scan_iter(f"{name}.*"))
    if keys:
        redis_client.delete(*keys)


def sends(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every write this process makes to Redis, from now on."""
    sent: list[bytes] = []
    original = AbstractConnection.send_packed_command

    async def counted(self: Any, command: Any, check_health: bool = True) -> None:
        sent.append(command if isinstance(command, bytes | bytearray) else b"".join(command))
        await original(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    return sent


def test_requests_of_one_turn_share_one_round_trip_and_each_gets_its_own_verdict(
    prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def run() -> tuple[list[ratelimit.Verdict], list[ratelimit.Verdict], int]:
        client = AsyncRedis.from_url(REDIS_URL)
        try:
            limiter = RateLimiter(client, prefix, per_minute=6, burst=3)
            await limiter.take("warm")  # the scripts loaded, a connection made
            sent = sends(monkeypatch)
            together = await asyncio.gather(*(limiter.take("unit-a") for _ in range(5)))
            others = await asyncio.gather(*(limiter.take(f"unit-{i}") for i in range(4)))
            return together, others, len(sent)
        finally:
            await client.aclose()

    together, others, round_trips = asyncio.run(run())
    assert round_trips == 2  # nine requests, two turns: two writes to Redis (nine before)
    assert [v.allowed for v in together] == [True, True, True, False, False]  # a burst of 3, in the order asked
    assert all(v.retry_after_s >= 1 and not v.busy for v in together[3:])
    assert all(v.allowed for v in others)  # other buckets are other buckets


def test_revocation_checks_and_scripts_of_one_turn_share_one_round_trip(
    prefix: str, redis_client: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API-key check's GET (every report, the rate limit off) joins the same pipeline as the scripts."""
    redis_client.set(f"{prefix}.epoch", "7")

    async def run() -> tuple[list[Any], int]:
        client = AsyncRedis.from_url(REDIS_URL)
        try:
            limiter = RateLimiter(client, prefix, per_minute=60, burst=5)
            await limiter.take("warm")
            sent = sends(monkeypatch)
            turn = redisturn.turn_of(client)

            async def check(key: str) -> Any:  # as a request does: in its own task
                return await turn.get(key)

            got = await asyncio.gather(check(f"{prefix}.epoch"), check(f"{prefix}.none"), limiter.take("a"),
                                       check(f"{prefix}.epoch"))  # fmt: skip
            return got, len(sent)
        finally:
            await client.aclose()

    got, round_trips = asyncio.run(run())
    assert got == [b"7", None, ratelimit.Verdict(True), b"7"] and round_trips == 1


def test_one_calls_error_is_its_own(prefix: str, redis_client: Redis) -> None:
    """A guard that is not what the caller expects, a bucket key holding something else (a Redis error for that
    script alone): the calls beside it in the pipeline are answered as usual."""
    redis_client.set(f"{prefix}.ratelimit.broken", "not a hash")
    redis_client.set(f"{prefix}.guard", "epoch-2")

    async def run() -> list[Any]:
        client = AsyncRedis.from_url(REDIS_URL)
        try:
            limiter = RateLimiter(client, prefix, per_minute=60, burst=5)
            calls = [
                limiter.take_if("fine", f"{prefix}.guard", "epoch-2"),
                limiter.take_if("broken", f"{prefix}.guard", "epoch-2"),
                limiter.take_if("stale", f"{prefix}.guard", "epoch-1"),
                limiter.take("plain"),
            ]
            return await asyncio.gather(*calls, return_exceptions=True)
        finally:
            await client.aclose()

    fine, broken, stale, plain = asyncio.run(run())
    assert fine == (b"epoch-2", ratelimit.Verdict(True))
    assert isinstance(broken, Exception) and "WRONGTYPE" in str(broken)
    assert stale == (b"epoch-2", None)  # not as expected: no token taken
    assert plain == ratelimit.Verdict(True)
    assert redis_client.hget(f"{prefix}.ratelimit.stale", "tokens") is None


def test_scripts_redis_forgot_are_loaded_again(prefix: str, redis_client: Redis) -> None:
    """A Redis restarted without its script cache (SCRIPT FLUSH) answers NOSCRIPT to every call of the turn: the
    scripts are loaded and those calls sent again, and every request still gets its token counted."""

    async def run() -> list[ratelimit.Verdict]:
        client = AsyncRedis.from_url(REDIS_URL)
        try:
            limiter = RateLimiter(client, prefix, per_minute=60, burst=2)
            await limiter.take("warm")
            await client.script_flush()
            return await asyncio.gather(*(limiter.take("unit") for _ in range(3)))
        finally:
            await client.aclose()

    verdicts = asyncio.run(run())
    assert [v.allowed for v in verdicts] == [True, True, False]
    assert float(redis_client.hget(f"{prefix}.ratelimit.unit", "tokens") or 9) < 1


async def _silent_server() -> tuple[asyncio.Server, int, list[asyncio.StreamWriter]]:
    """A port that accepts connections and never answers: a Redis that hangs."""
    held: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], held


def test_a_redis_that_does_not_answer_lets_requests_through_and_gives_its_connections_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each request waits at most REDIS_TIMEOUT_S, then this process's own count decides (within it: let through),
    and the pipeline gives its connection back when its callers stop waiting: a pool of two serves turn after turn
    without running out (a pipeline that kept its connection until the socket's own timeout left the third turn
    `busy`, a 503)."""
    monkeypatch.setattr(ratelimit, "REDIS_TIMEOUT_S", 0.3)  # the request's wait
    monkeypatch.setattr(redisturn, "DEFAULT_TIMEOUT_S", 0.3)  # the pipeline's: the same

    async def run() -> tuple[list[ratelimit.Verdict], float]:
        server, port, _ = await _silent_server()
        pool = BlockingConnectionPool.from_url(f"redis://127.0.0.1:{port}/0", max_connections=2, timeout=0.1)
        client = AsyncRedis.from_pool(pool)
        try:
            limiter = RateLimiter(client, "hung", per_minute=600, burst=100)
            started = time.monotonic()
            verdicts = []
            for _ in range(4):  # one turn each
                verdicts += await asyncio.gather(limiter.take("a"), limiter.take("b"))
            return verdicts, time.monotonic() - started
        finally:
            await client.aclose()
            server.close()

    verdicts, took = asyncio.run(run())
    assert [(v.allowed, v.busy) for v in verdicts] == [(True, False)] * 8
    assert took < 4 * 0.3 + 2  # each turn waited its timeout once, not once per request


def test_a_limiter_serves_one_event_loop_after_another(prefix: str, redis_client: Redis) -> None:
    """A call left unsent when its loop stopped (a test's event loop, a service restarted in-process) does not keep
    the next loop's calls from being sent."""
    client = AsyncRedis.from_url(REDIS_URL)
    limiter = RateLimiter(client, prefix, per_minute=60, burst=10)
    loop = asyncio.new_event_loop()
    loop.call_soon(loop.stop)  # the loop stops before the turn that would send the call below
    loop.call_soon(lambda: limiter._turn.evalsha(limiter._script, [f"{prefix}.ratelimit.x"], [10, "0.001"]))
    loop.run_forever()
    loop.close()

    async def then() -> ratelimit.Verdict:
        try:
            return await asyncio.wait_for(limiter.take("y"), 2)
        finally:
            await client.aclose()

    assert asyncio.run(then()) == ratelimit.Verdict(True)
    assert float(redis_client.hget(f"{prefix}.ratelimit.y", "tokens") or 0) == pytest.approx(9, abs=0.1)  # sent
