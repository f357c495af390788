"""A token bucket per API key, kept in Redis so every process of a service draws from the same bucket.

A bucket holds at most `burst` tokens and refills at `per_minute` tokens a minute; each request takes one. The whole
read-refill-take step is one Lua script (atomic in Redis, and on Redis' own clock, so processes on machines whose
clocks disagree still share one bucket). A request finding the bucket empty learns how long until the next token:
the 429's Retry-After.

Rate limiting protects the service; it is not what keeps data safe. When Redis does not answer in time the request
is let through (and logged): a submission the database can store is never refused because Redis is away.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("lapkin.ratelimit")
REDIS_TIMEOUT_S = 1.0

# KEYS[1] the bucket; ARGV[1] capacity (tokens), ARGV[2] refill rate (tokens per millisecond).
# Returns {1, 0} when a token was taken, else {0, milliseconds until one is there}.
TOKEN_BUCKET = """
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) * 1000 + math.floor(tonumber(now_parts[2]) / 1000)
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens, ts = capacity, now
end
tokens = math.min(capacity, tokens + math.max(0, now - ts) * rate)
local allowed, wait_ms = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait_ms = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate) + 1000)
return {allowed, wait_ms}
"""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_s: int = 0  # whole seconds, at least 1 when refused


class RateLimiter:
    """`per_minute` = 0 turns it off; `burst` = 0 means a minute's worth."""

    def __init__(self, redis: Any, prefix: str, per_minute: int, burst: int) -> None:
        self.redis, self.prefix = redis, prefix
        self.per_minute = per_minute
        self.capacity = burst or per_minute
        self._script = redis.register_script(TOKEN_BUCKET) if per_minute > 0 else None

    @property
    def enabled(self) -> bool:
        return self._script is not None

    async def take(self, identity: str) -> Verdict:
        """One token from `identity`'s bucket."""
        if self._script is None:
            return Verdict(True)
        rate_per_ms = self.per_minute / 60_000
        try:
            async with asyncio.timeout(REDIS_TIMEOUT_S):  # not wait_for: no task made per request
                allowed, wait_ms = await self._script(
                    keys=[f"{self.prefix}.ratelimit.{identity}"], args=[self.capacity, repr(rate_per_ms)]
                )
        except Exception as exc:  # Redis away or slow: let the request through (see the module docstring)
            log.warning("rate limit not checked (%s): request let through", exc.__class__.__name__)
            return Verdict(True)
        if int(allowed):
            return Verdict(True)
        return Verdict(False, max(1, math.ceil(int(wait_ms) / 1000)))
