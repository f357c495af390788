"""Passwords, officials' tokens and API keys, shared by every service (docs/contract.md, "Conventions").

- Passwords: argon2id (argon2-cffi), slow on purpose and 64 MiB of memory per hash: at most
  `HASHING.slots` hashes run at once in a process (`settings.password_hash_concurrency`); a caller that finds every
  slot taken for `settings.password_hash_wait_s` gets `shared.slots.Busy` (the API's 503 with Retry-After).
- Officials' tokens: itsdangerous `URLSafeTimedSerializer` with the shared `LAPKIN_SECRET_KEY`, salt
  "lapkin-official"; the payload carries the official's id, username, role, unit and an expiry (`exp`, epoch
  seconds) which `read_token` enforces, and the official's credential generation (`gen`): deactivating an official or
  resetting the password raises it, and every service refuses a token of an older generation
  (`shared/revocation.py`).
- API keys: `lpk_` + 32 random bytes (url-safe); stored as a SHA-256 hex digest, which is right for high-entropy
  keys (a slow hash only matters for guessable secrets).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadData, URLSafeTimedSerializer

from shared.slots import Slots

TOKEN_SALT = "lapkin-official"
API_KEY_PREFIX = "lpk_"

_hasher = PasswordHasher()  # argon2-cffi's defaults: 64 MiB, 3 passes, 4 lanes (the settings' defaults too)


def configure_hashing_from(settings: Any) -> None:
    """The costs and slots of `Settings` (`password_hash_*`): every process that hashes calls it first (a service's
    build_app, the CLI's `with_session`), so a password set from the terminal costs what a login's dummy hash costs
    (a known name must not answer slower or faster than an unknown one)."""
    HASHING.configure(settings.password_hash_concurrency, settings.password_hash_wait_s)
    configure_hashing(
        settings.password_hash_memory_kib, settings.password_hash_time_cost, settings.password_hash_parallelism
    )


def configure_hashing(memory_kib: int, time_cost: int, parallelism: int) -> None:
    """New hashes with these costs; hashes made with others still verify (argon2 keeps a hash's costs in it) and
    `password_needs_rehash` says so (a login renews them)."""
    global _hasher
    if (memory_kib, time_cost, parallelism) != (_hasher.memory_cost, _hasher.time_cost, _hasher.parallelism):
        _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


HASHING = Slots(4, 2.0)  # configured from the settings by build_app


def hash_password(password: str) -> str:
    with HASHING.slot():
        return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    with HASHING.slot():
        try:
            return _hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def password_needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's: rehash after a successful login."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def bearer_token(header: str) -> str | None:
    """The token an Authorization header carries: `Bearer <token>`, the scheme in any case, the token without the
    whitespace around it; None for another scheme or no token. Every reader of the header reads it so (one caller
    per token however it is spelled: shared.service.bearer, shared.inputguard.InFlightLimit)."""
    scheme, _, token = header.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


@dataclass(frozen=True)
class TokenClaims:
    official_id: int | str
    username: str
    role: str
    unit: str | None
    issued_at: int  # epoch seconds
    expires_at: int  # epoch seconds
    generation: int = 0  # the official's credential generation when it was issued


def _serializer(secret: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=TOKEN_SALT)


def _epoch(now: datetime | float | None) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        return now.timestamp()
    return float(now)


def issue_token(
    secret: str | bytes,
    *,
    official_id: int | str,
    username: str,
    role: str,
    unit: str | None,
    ttl_s: int,
    now: datetime | float | None = None,
    generation: int = 0,
) -> str:
    if ttl_s <= 0:
        raise ValueError("ttl_s must be positive")
    iat = int(_epoch(now))
    payload = {"sub": official_id, "usr": username, "role": role, "unit": unit, "iat": iat, "exp": iat + ttl_s}
    if generation:
        payload["gen"] = generation
    token = _serializer(secret).dumps(payload)
    return token if isinstance(token, str) else token.decode()


def read_token(secret: str | bytes, token: str, *, now: datetime | float | None = None) -> TokenClaims | None:
    """The claims of a valid, unexpired token; None for a bad signature, a malformed or an expired token."""
    try:
        data: Any = _serializer(secret).loads(token)
    except (BadData, UnicodeError, ValueError):
        return None
    try:
        claims = TokenClaims(
            official_id=data["sub"],
            username=str(data["usr"]),
            role=str(data["role"]),
            unit=data.get("unit"),
            issued_at=int(data["iat"]),
            expires_at=int(data["exp"]),
            generation=int(data.get("gen", 0)),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if _epoch(now) >= claims.expires_at:
        return None
    return claims


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def constant_time_equals(a: str | bytes, b: str | bytes) -> bool:
    a_b = a.encode("utf-8") if isinstance(a, str) else a
    b_b = b.encode("utf-8") if isinstance(b, str) else b
    return hmac.compare_digest(a_b, b_b)
