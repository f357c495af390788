"""Logging in (the JSON API and the web app alike), bounded so that no caller can exhaust memory or lock an official
out, and answering unknown and known usernames alike.

In order, before any password is hashed:
1. A token bucket per client address (`shared/ratelimit.py`, settings `login_rate_per_minute`/`login_rate_burst`).
2. Growing delays after failures (`Throttle`), counted per client address and username pair (the name known or
   not) and per client address: after `USER_FREE` failures that client waits 1 s, then 2, 4 … at most `USER_CAP_S`
   before trying that name again; after `CLIENT_FREE` failures a client waits 1 s, 2, 4 … at most `CLIENT_CAP_S`
   before trying any name. An attempt inside the delay is 429 with Retry-After, whatever the password. Counters are
   forgotten `USER_WINDOW_S`/`CLIENT_WINDOW_S` after their last failure; a success clears the pair's. A stranger's
   failures delay only the stranger: the official, from another address, is never held back by them (a delay per
   username alone let one address keep a named official out, one wrong password every 30 s). Guessing one name from
   many addresses is bounded per address (`CLIENT_FREE` quick tries, then the client's growing delay).
3. One argon2 verification, for an unknown or inactive name against a dummy hash, within the process's hashing
   slots (`shared.security.HASHING`; all taken for the whole wait: 503 with Retry-After).
Wrong password and unknown username: the same 401 and body. When Redis does not answer, 1 and 2 let the attempt
through (logged), as the submissions' rate limit does; 3 still bounds memory and pace.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select, update
from starlette.concurrency import run_in_threadpool

from services.approval.models import Official
from shared.errors import ApiError, api_error
from shared.ratelimit import RateLimiter
from shared.security import hash_password, password_needs_rehash, verify_password
from shared.service import Runtime
from shared.slots import Busy

log = logging.getLogger("lapkin.login")
REDIS_TIMEOUT_S = 1.0
USER_FREE, USER_CAP_S, USER_WINDOW_S = 3, 30, 15 * 60
CLIENT_FREE, CLIENT_CAP_S, CLIENT_WINDOW_S = 10, 15 * 60, 60 * 60

BAD_LOGIN = api_error(
    401, "password", "bad_credentials", "Nama pengguna atau kata sandi salah.", "Wrong username or password."
)

# KEYS: counters. Returns the milliseconds until every one of them allows an attempt (0: now).
WAIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for _, key in ipairs(KEYS) do
  local untl = tonumber(redis.call('HGET', key, 'until') or '0')
  if untl - now > wait then wait = untl - now end
end
return wait
"""
# KEYS: counters; ARGV: per key, free failures, cap (ms) and window (ms). Counts a failure on each; returns the
# longest delay it set (ms).
FAIL = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local longest = 0
for i, key in ipairs(KEYS) do
  local free, cap, window = tonumber(ARGV[3*i-2]), tonumber(ARGV[3*i-1]), tonumber(ARGV[3*i])
  local n = redis.call('HINCRBY', key, 'n', 1)
  if n >= free then
    local delay = math.floor(math.min(cap, 1000 * 2 ^ math.min(n - free, 40)))
    redis.call('HSET', key, 'until', string.format('%d', now + delay))
    if delay > longest then longest = delay end
  end
  redis.call('PEXPIRE', key, window)
end
return longest
"""


def user_keys(prefix: str, username: str) -> str:
    """The pattern of every client's counter for this username (`lapkin officials unlock` clears them all)."""
    return f"{prefix}.login.user.{_digest(username.strip().casefold())}.*"


def pair_key(prefix: str, client: str, username: str) -> str:
    return f"{prefix}.login.user.{_digest(username.strip().casefold())}.{_digest(client)}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]


def client_key(prefix: str, client: str) -> str:
    return f"{prefix}.login.client.{client}"


def wait_words(seconds: int) -> tuple[str, str]:
    """How long to wait, as a person reads it: "45 detik", "5 menit", "1 jam 5 menit" (id) and the English."""
    if seconds < 60:
        return f"{seconds} detik", f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    words_id = " ".join(p for p in (f"{hours} jam" if hours else "", f"{minutes} menit" if minutes else "") if p)
    words_en = " ".join(
        p
        for p in (
            f"{hours} hour{'s' if hours != 1 else ''}" if hours else "",
            f"{minutes} minute{'s' if minutes != 1 else ''}" if minutes else "",
        )
        if p
    )
    return words_id, words_en


def too_many(retry_after_s: int) -> ApiError:
    wait_id, wait_en = wait_words(retry_after_s)
    err = api_error(
        429,
        "username",
        "too_many_attempts",
        f"Terlalu banyak percobaan masuk; coba lagi dalam {wait_id}.",
        f"Too many login attempts; try again in {wait_en}.",
    )
    err.headers = {"Retry-After": str(retry_after_s)}
    return err


class Throttle:
    def __init__(self, redis: Any, prefix: str) -> None:
        self.redis, self.prefix = redis, prefix
        self._wait = redis.register_script(WAIT)
        self._fail = redis.register_script(FAIL)

    def _keys(self, client: str, username: str) -> list[str]:
        return [pair_key(self.prefix, client, username), client_key(self.prefix, client)]

    async def wait_s(self, client: str, username: str) -> int:
        """Whole seconds until this client may try this username (0: now)."""
        try:
            ms = await asyncio.wait_for(self._wait(keys=self._keys(client, username)), REDIS_TIMEOUT_S)
        except Exception as exc:
            log.warning("login throttle not checked (%s): attempt let through", exc.__class__.__name__)
            return 0
        return math.ceil(int(ms) / 1000)

    async def failed(self, client: str, username: str) -> None:
        args = [USER_FREE, USER_CAP_S * 1000, USER_WINDOW_S * 1000, CLIENT_FREE, CLIENT_CAP_S * 1000,
                CLIENT_WINDOW_S * 1000]  # fmt: skip
        try:
            await asyncio.wait_for(self._fail(keys=self._keys(client, username), args=args), REDIS_TIMEOUT_S)
        except Exception as exc:
            log.warning("login failure not counted (%s)", exc.__class__.__name__)

    async def succeeded(self, client: str, username: str) -> None:
        try:
            await asyncio.wait_for(self.redis.delete(pair_key(self.prefix, client, username)), REDIS_TIMEOUT_S)
        except Exception as exc:
            log.warning("login success not recorded (%s)", exc.__class__.__name__)


def _parts(rt: Runtime) -> tuple[RateLimiter, Throttle]:
    found = rt.state.get("login")
    if found is None:
        s = rt.settings
        limiter = RateLimiter(rt.redis, f"{s.stream_prefix}.login", s.login_rate_per_minute, s.login_rate_burst)
        found = rt.state["login"] = (limiter, Throttle(rt.redis, s.stream_prefix))
    return found  # type: ignore[no-any-return]


def check_password(engine: Engine, username: str, password: str) -> Official | None:
    """The active official with this username and password; None otherwise, at the same cost."""
    with Session(engine, expire_on_commit=False) as session:
        official = session.exec(select(Official).where(Official.username == username)).first()
    if official is None or not official.active:
        verify_password(password, dummy_hash())  # same cost whether or not the user exists
        return None
    return official if verify_password(password, official.password_hash) else None


async def authenticate(rt: Runtime, client: str, username: str, password: str) -> Official:
    """The official, or an ApiError: 429 (rate or throttle, with Retry-After), 401 (wrong or unknown), 503 (busy)."""
    limiter, throttle = _parts(rt)
    verdict = await limiter.take(f"login.{client}")
    if not verdict.allowed:
        raise too_many(verdict.retry_after_s)
    wait = await throttle.wait_s(client, username)
    if wait > 0:
        raise too_many(wait)
    official = await run_in_threadpool(check_password, rt.read_engine or rt.engine, username, password)
    if official is None:
        await throttle.failed(client, username)
        raise BAD_LOGIN
    await throttle.succeeded(client, username)
    if password_needs_rehash(official.password_hash):
        await run_in_threadpool(renew_hash, rt.engine, official, password)
    return official


def renew_hash(engine: Engine, official: Official, password: str) -> None:
    """The password hashed again with today's costs (settings `password_hash_*`), after a login proved it: a hash
    made with other costs would answer its name's logins slower or faster than the dummy hash answers an unknown
    name's. Written only while the row still holds the hash that was checked (a reset in between wins); tokens and
    sessions stay valid (the password is the same)."""
    try:
        renewed = hash_password(password)
        with Session(engine) as session:
            session.execute(
                update(Official)
                .where(Official.id == official.id, Official.password_hash == official.password_hash)  # type: ignore[arg-type]
                .values(password_hash=renewed)
            )
            session.commit()
    except Busy:  # every slot taken: renewed at a later login
        return
    except SQLAlchemyError as e:  # best effort: the login has succeeded whatever the renewal does
        log.warning("the password hash of %s was not renewed: %s", official.username, type(e).__name__)


def client_of(request: Any) -> str:
    """The client's address as the server sees it (behind a reverse proxy: run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"


_dummy: list[str] = []


def dummy_hash() -> str:
    """An argon2 hash of nothing anyone knows, made on first use with today's parameters."""
    if not _dummy:
        _dummy.append(hash_password("lapkin-dummy-password"))
    return _dummy[0]
