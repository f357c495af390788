"""Taking officials' tokens back, on every service at once.

A token carries the official's credential generation (`gen`, `shared/security.py`). Deactivating an official or
resetting the password raises the generation in the database of the service that keeps the officials and writes it
to one Redis hash, `<prefix>.auth.generations` (official id -> generation), which every service reads on every
request with a token: a token of an older generation is refused (401) on the next request, whichever service gets it.

The database is the truth; the hash is its copy. The service that keeps the officials writes the whole copy again
every `SYNC_INTERVAL_S` seconds, so a Redis that lost its data (or a `lapkin officials deactivate` run while Redis was
away) is right again within that time while that service runs. A service that cannot read the hash within
`REDIS_TIMEOUT_S` refuses officials' tokens with 503 and Retry-After (fail closed): no per-process cache outlives a
revocation. The admin token and the units' API keys do not depend on it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from shared.errors import ApiError, api_error

log = logging.getLogger("lapkin.revocation")
REDIS_TIMEOUT_S = 1.0
SYNC_INTERVAL_S = 2.0
RETRY_AFTER_S = 2


def generations_key(prefix: str) -> str:
    return f"{prefix}.auth.generations"


def unavailable() -> ApiError:
    err = api_error(
        503,
        "Authorization",
        "credentials_unavailable",
        "Keabsahan token tidak dapat diperiksa saat ini; coba lagi sebentar lagi.",
        "The token's validity cannot be checked right now; try again shortly.",
    )
    err.headers = {"Retry-After": str(RETRY_AFTER_S)}
    return err


async def current_generation(redis: Any, prefix: str, official_id: int | str) -> int:
    """The official's generation as every service sees it (0: never raised). Raises the 503 when Redis is away."""
    try:
        raw = await asyncio.wait_for(redis.hget(generations_key(prefix), str(official_id)), REDIS_TIMEOUT_S)
    except Exception as exc:
        log.warning("official token not checked (%s): refused", exc.__class__.__name__)
        raise unavailable() from exc
    return int(raw) if raw is not None else 0


def publish(redis: Any, prefix: str, generations: Iterable[tuple[int, int]]) -> None:
    """Write generations (official id, generation) with a synchronous client; never lowers one already there."""
    mapping = {str(oid): gen for oid, gen in generations if gen > 0}
    if not mapping:
        return
    key = generations_key(prefix)
    pipe = redis.pipeline()
    for oid, gen in mapping.items():
        pipe.eval(RAISE_ONLY, 1, key, oid, gen)
    pipe.execute()


async def publish_async(redis: Any, prefix: str, generations: Iterable[tuple[int, int]]) -> None:
    mapping = {str(oid): gen for oid, gen in generations if gen > 0}
    if not mapping:
        return
    key = generations_key(prefix)
    async with redis.pipeline() as pipe:
        for oid, gen in mapping.items():
            pipe.eval(RAISE_ONLY, 1, key, oid, gen)
        await pipe.execute()


# KEYS[1] the hash; ARGV[1] official id, ARGV[2] generation: set it unless a higher one is there already
RAISE_ONLY = """
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
"""
