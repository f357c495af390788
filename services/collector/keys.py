"""The units' API keys: which unit a key belongs to, listing and revoking them.

Every report starts with the key lookup, so a process remembers the keys it found for a few seconds — but only
while the revocation epoch in Redis (`<prefix>.auth.keys.epoch`, a random value written after every revocation) is
the one it saw when it looked them up. A revocation commits to the database, then writes a new epoch: every
collector process drops what it remembered on its next request, so a revoked key is refused (401) from the next
request on. When Redis does not answer, every request asks the database (the truth), remembering nothing.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from services.collector import answers as a
from services.collector.core.errors import NotFound
from services.collector.models import ApiKey
from shared.config import Settings
from shared.events.envelope import utcnow
from shared.ratelimit import RateLimiter, Verdict
from shared.redisturn import DEFAULT_TIMEOUT_S as REDIS_TIMEOUT_S
from shared.redisturn import turn_of
from shared.security import hash_api_key

log = logging.getLogger("lapkin.keys")
TTL_S = 10.0  # how long a found key is trusted without asking the database again (while the epoch stays)
MAX_KEYS = 10_000
HINT_CHARS = 8  # "lpk_" and the first random characters: enough to tell keys apart, far too few to guess one


def epoch_key(prefix: str) -> str:
    return f"{prefix}.auth.keys.epoch"


class KeyCache:
    """key hash -> unit, per service process, valid under one revocation epoch."""

    def __init__(self, ttl_s: float = TTL_S) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._units: dict[str, tuple[str, float, Any]] = {}  # digest -> (unit, trusted until, epoch)

    async def unit_of(self, engine: Engine, redis: Any, prefix: str, token: str) -> str | None:
        """The unit of a key not revoked; None for an unknown or revoked key."""
        return (await self.unit_and_token(engine, redis, prefix, token))[0]

    async def unit_and_token(
        self, engine: Engine, redis: Any, prefix: str, token: str, bucket: tuple[RateLimiter, str] | None = None
    ) -> tuple[str | None, Verdict | None]:
        """`unit_of`, and with `bucket` (a rate limiter and the key's identity in it) a token taken from the key's
        bucket in the same Redis round trip as the revocation check — only for a key remembered and not revoked
        since (a token is never taken for a key that turns out unknown or revoked). The verdict is None when no
        token was taken: the caller takes it as before."""
        digest = hash_api_key(token)
        with self._lock:
            found = self._units.get(digest)
        verdict = None
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_S):  # not wait_for: no task made per request
                if bucket is not None and found is not None and found[1] > time.monotonic():
                    epoch, verdict = await bucket[0].take_if(bucket[1], epoch_key(prefix), found[2])
                else:
                    epoch = await turn_of(redis).get(epoch_key(prefix))  # shares its round trip (shared.redisturn)
        except Exception as exc:  # Redis away: the database answers every request
            log.warning("key revocations not checked in Redis (%s): asking the database", exc.__class__.__name__)
            with self._lock:  # a revocation Redis was not told of meanwhile: no key remembered from before is trusted
                self._units.clear()  # once Redis answers again (its epoch may not have changed)
            unit = await run_in_threadpool(_lookup, engine, digest)
            # the bucket is not asked of Redis a second time (a second wait on a Redis that just did not answer)
            verdict = None
            if bucket is not None and unit is not None:
                verdict = bucket[0].unchecked(bucket[1], exc)
            return unit, verdict
        if found is not None and found[2] == epoch and found[1] > time.monotonic():
            return found[0], verdict
        unit = await run_in_threadpool(_lookup, engine, digest)
        with self._lock:
            if unit is None:
                self._units.pop(digest, None)
            else:
                if len(self._units) >= MAX_KEYS:
                    self._units.clear()
                self._units[digest] = (unit, time.monotonic() + self.ttl_s, epoch)
        return unit, verdict


def _lookup(engine: Engine, digest: str) -> str | None:
    # its own short read: a transaction left open here would span the hop to the route (see shared.service)
    with Session(engine) as session:
        query = select(ApiKey.unit).where(ApiKey.key_hash == digest, col(ApiKey.revoked_at).is_(None))
        return session.exec(query).first()


def new_row(unit: str, key: str) -> ApiKey:
    return ApiKey(unit=unit, key_hash=hash_api_key(key), hint=key[:HINT_CHARS])


def public(row: ApiKey) -> a.KunciApi:
    return {
        "id": row.id,
        "unit": row.unit,
        "hint": f"{row.hint}…" if row.hint else None,
        "created_at": row.created_at.isoformat(),
        "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
    }


def listing(session: Session, unit: str | None = None, *, revoked: bool = True) -> list[ApiKey]:
    query = select(ApiKey).order_by(col(ApiKey.unit), col(ApiKey.id))
    if unit is not None:
        query = query.where(ApiKey.unit == unit)
    if not revoked:
        query = query.where(col(ApiKey.revoked_at).is_(None))
    return list(session.exec(query))


def revoke(session: Session, key_id: int) -> ApiKey:
    """Mark the key revoked (a key revoked already keeps its first time). Then call `new_epoch`."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound.one("id", "not_found", f"Kunci API {key_id} tidak ada.", f"No API key {key_id}.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.commit()
        session.refresh(row)
    return row


RETELL_EVERY_S = 0.5


async def new_epoch(redis: Any, prefix: str) -> None:
    """After a revocation has committed: every process forgets the keys it remembered."""
    await asyncio.wait_for(redis.set(epoch_key(prefix), secrets.token_hex(8)), REDIS_TIMEOUT_S)


async def new_epoch_soon(current_redis: Any, prefix: str, key_id: int) -> None:
    """`new_epoch` once Redis answers again, tried for TTL_S (by then no process trusts a key it remembered from
    before the revocation): a process that saw no request while Redis was away did not drop what it remembered."""
    deadline = time.monotonic() + TTL_S
    while time.monotonic() < deadline:
        await asyncio.sleep(RETELL_EVERY_S)
        try:
            await new_epoch(current_redis(), prefix)
        except Exception:  # still away
            continue
        log.warning("key %s revoked: Redis told now", key_id)
        return


def new_epoch_sync(settings: Settings) -> bool:
    """`new_epoch` for the CLI; False when Redis did not answer (then a remembered key lives at most TTL_S)."""
    client = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.set(epoch_key(settings.stream_prefix), secrets.token_hex(8))
        return True
    except RedisError:
        return False
    finally:
        client.close()
