"""A token bucket per API key, kept in Redis so every process of a service draws from the same bucket.

A bucket holds at most `burst` tokens and refills at `per_minute` tokens a minute; each request takes one (or
`cost`, at most the whole bucket: a bulk submission takes one a row). The whole
read-refill-take step is one Lua script (atomic in Redis, and on Redis' own clock, so processes on machines whose
clocks disagree still share one bucket). A request finding the bucket empty learns how long until the next token:
the 429's Retry-After.

Rate limiting protects the service; it is not what keeps data safe. When Redis does not answer in time the request
is not refused for that (and it is logged): this process's own copy of the buckets decides instead (`LocalBuckets`,
which takes every token Redis gives too), so a submission within the limit is never refused because Redis is away,
and a key over it is not let through because Redis — or this process, too busy to read Redis's answer in time — is
slow (each process counts only what it saw: with several, a key may get one bucket's worth from each). This
process running out of its own Redis connections is not Redis away but a flood of requests — which one key can
cause by itself —, so it does not let the request through: the verdict is `busy` (503 with Retry-After, nothing
done), never a free pass past the limit.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import MaxConnectionsError

from shared.redisturn import DEFAULT_TIMEOUT_S as REDIS_TIMEOUT_S
from shared.redisturn import turn_of

log = logging.getLogger("lapkin.ratelimit")

# One step of a bucket: `take(key, capacity, rate, cost)` with the capacity in tokens, the refill rate in tokens per
# millisecond and the tokens to take (≤ capacity); returns {1, 0} when they were taken, else {0, milliseconds until
# they are there}.
BUCKET_STEP = """
local function take(key, capacity, rate, cost)
  local now_parts = redis.call('TIME')
  local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(state[1])
  local ts = tonumber(state[2])
  if tokens == nil or ts == nil then
    tokens, ts = capacity, now
  end
  tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
  local allowed, wait_ms = 0, 0
  if tokens >= cost then
    tokens = tokens - cost
    allowed = 1
  else
    wait_ms = math.ceil((cost - tokens) / rate)
  end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('PEXPIRE', key, math.ceil((capacity - tokens) / rate) + 1000)
  return {allowed, wait_ms}
end
"""

# KEYS[1] the bucket; ARGV[1] capacity (tokens), ARGV[2] refill rate (tokens per millisecond), ARGV[3] the cost.
TOKEN_BUCKET = BUCKET_STEP + "return take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))\n"

# The same step, taken only while a guard key holds the value the caller expects — what a request already checks
# in Redis before it is let near the bucket (e.g. that nothing it relied on was revoked since), read in the same
# round trip. KEYS[1] the guard, KEYS[2] the bucket; ARGV[1] capacity, ARGV[2] rate, ARGV[3] '1' when the guard is
# expected to hold ARGV[4], '0' when it is expected absent. Returns {the guard's value (nil: absent), 1 or 0 as
# TOKEN_BUCKET, its wait} — or {value, -1, 0} when the guard is not as expected: then no token was taken.
TOKEN_BUCKET_IF_GUARD = (
    BUCKET_STEP
    + """
local seen = redis.call('GET', KEYS[1])
local expected = (ARGV[3] == '1' and seen == ARGV[4]) or (ARGV[3] == '0' and not seen)
if not expected then
  return {seen, -1, 0}
end
local verdict = take(KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), 1)
return {seen, verdict[1], verdict[2]}
"""
)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: int = 0  # whole seconds, at least 1 when refused
    busy: bool = False  # refused because this process had no Redis connection free (`pool_exhausted`), not the limit


BUSY = Verdict(False, 1, busy=True)


def pool_exhausted(exc: BaseException) -> bool:
    """The client's pool had no connection to give within its wait (a flood of requests in this process), as
    opposed to Redis not answering: redis-py's MaxConnectionsError, or a blocking pool's "No connection available."."""
    return isinstance(exc, MaxConnectionsError) or (
        isinstance(exc, RedisConnectionError) and str(exc) == "No connection available."
    )


class LocalBuckets:
    """The same token buckets, counted in this process alone on its own clock: they decide when Redis cannot."""

    MAX_IDENTITIES = 10_000  # then forgotten all at once (each starts full again): memory stays bounded

    def __init__(self, capacity: int, per_ms: float) -> None:
        self.capacity, self.per_ms = capacity, per_ms
        self._buckets: dict[str, tuple[float, float]] = {}  # identity -> (tokens, at, in milliseconds)

    def take(self, identity: str, cost: int = 1) -> Verdict:
        now = time.monotonic() * 1000
        tokens, at = self._buckets.get(identity, (float(self.capacity), now))
        tokens = min(float(self.capacity), tokens + max(0.0, now - at) * self.per_ms)
        enough = tokens >= cost
        verdict = _verdict(enough, 0 if enough else math.ceil((cost - tokens) / self.per_ms))  # as the script
        if verdict.allowed:
            tokens -= cost
        if identity not in self._buckets and len(self._buckets) >= self.MAX_IDENTITIES:
            self._buckets.clear()
        self._buckets[identity] = (tokens, now)
        return verdict


class RateLimiter:
    """`per_minute` = 0 turns it off; `burst` = 0 means a minute's worth."""

    def __init__(self, redis: Any, prefix: str, per_minute: int, burst: int) -> None:
        self.redis, self.prefix = redis, prefix
        self.per_minute = per_minute
        self.capacity = burst or per_minute
        self.rate_per_ms = repr(per_minute / 60_000)  # tokens a millisecond, as the scripts take it
        self._script = redis.register_script(TOKEN_BUCKET) if per_minute > 0 else None
        self._guarded = redis.register_script(TOKEN_BUCKET_IF_GUARD) if per_minute > 0 else None
        self._turn = turn_of(redis)  # one round trip for every request of a turn of the event loop
        self._local = LocalBuckets(self.capacity, per_minute / 60_000)

    @property
    def enabled(self) -> bool:
        return self._script is not None

    def cost_of(self, tokens: int) -> int:
        """What a request of `tokens` takes: at least one, at most the whole bucket (so it can always be met)."""
        return max(1, min(tokens, self.capacity))

    async def take(self, identity: str, cost: int = 1) -> Verdict:
        """`cost_of(cost)` tokens from `identity`'s bucket, all or none."""
        if self._script is None:
            return Verdict(True)
        cost = self.cost_of(cost)
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_S):  # not wait_for: no task made per request
                allowed, wait_ms = await self._turn.evalsha(
                    self._script, [self._bucket(identity)], [self.capacity, self.rate_per_ms, cost]
                )
        except Exception as exc:  # Redis away or slow: this process's count decides (see the module docstring)
            return self.unchecked(identity, exc, cost)
        if int(allowed):
            self._local.take(identity, cost)  # what the key used, should Redis not answer next time
        return _verdict(allowed, wait_ms)

    def unchecked(self, identity: str, exc: BaseException, cost: int = 1) -> Verdict:
        """The verdict when Redis did not answer (`exc`): busy when this process had no Redis connection free, else
        this process's own count of the bucket; logged."""
        if pool_exhausted(exc):  # not Redis away: too many requests in this process at once
            log.warning("rate limit not checked (no Redis connection free): request refused as busy")
            return BUSY
        verdict = self._local.take(identity, cost)
        log.warning(
            "rate limit not checked in Redis (%s): this process's own count %s the request",
            exc.__class__.__name__,
            "lets through" if verdict.allowed else "refuses",
        )
        return verdict

    async def take_if(self, identity: str, guard: str, expected: Any) -> tuple[Any, Verdict | None]:
        """`guard`'s value and, when it is `expected` (None: absent), a token from `identity`'s bucket — one round
        trip where reading the guard and `take` are two. The verdict is None when the guard was not as expected (no
        token taken) or the limit is off. Raises when Redis does not answer (the caller decides: `unchecked` is
        what `take` does then). Call it within a timeout."""
        if self._guarded is None:
            return await self._turn.get(guard), None
        args = [self.capacity, self.rate_per_ms, "0" if expected is None else "1", "" if expected is None else expected]
        seen, allowed, wait_ms = await self._turn.evalsha(self._guarded, [guard, self._bucket(identity)], args)
        if int(allowed) < 0:
            return seen, None
        if int(allowed):
            self._local.take(identity)  # what the key used, should Redis not answer next time
        return seen, _verdict(allowed, wait_ms)

    def _bucket(self, identity: str) -> str:
        return f"{self.prefix}.ratelimit.{identity}"


def _verdict(allowed: Any, wait_ms: Any) -> Verdict:
    if int(allowed):
        return Verdict(True)
    return Verdict(False, max(1, math.ceil(int(wait_ms) / 1000)))
