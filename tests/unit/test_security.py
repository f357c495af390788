"""Passwords, officials' tokens and API keys."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from itsdangerous import URLSafeTimedSerializer

from shared.security import (
    TOKEN_SALT,
    constant_time_equals,
    hash_api_key,
    hash_password,
    issue_token,
    new_api_key,
    password_needs_rehash,
    read_token,
    verify_password,
)

SECRET = "rahasia-bersama-untuk-tes"


def token(**kw: object) -> str:
    args: dict = {"official_id": 7, "username": "sari", "role": "subkor", "unit": None, "ttl_s": 3600, **kw}
    return issue_token(SECRET, **args)


def test_password_hash_and_verify() -> None:
    h = hash_password("Kinerja#2024")
    assert h.startswith("$argon2") and "Kinerja" not in h
    assert verify_password("Kinerja#2024", h)
    assert not verify_password("kinerja#2024", h)
    assert not verify_password("Kinerja#2024", "not-a-hash")
    assert hash_password("Kinerja#2024") != h  # salted
    assert not password_needs_rehash(h) and password_needs_rehash("not-a-hash")


def test_token_round_trip() -> None:
    now = datetime(2024, 4, 15, 9, 0, tzinfo=UTC)
    t = token(unit="PPK", now=now)
    claims = read_token(SECRET, t, now=now + timedelta(minutes=59))
    assert claims is not None
    assert (claims.official_id, claims.username, claims.role, claims.unit) == (7, "sari", "subkor", "PPK")
    assert claims.expires_at - claims.issued_at == 3600
    live = read_token(SECRET, token())
    assert live is not None and live.unit is None


def test_expired_token_is_refused() -> None:
    now = datetime(2024, 4, 15, 9, 0, tzinfo=UTC)
    t = token(now=now)
    assert read_token(SECRET, t, now=now + timedelta(seconds=3600)) is None
    assert read_token(SECRET, token(now=time.time() - 7200)) is None  # issued 2 h ago with a 1 h ttl


def test_tampered_or_foreign_token_is_refused() -> None:
    t = token()
    i = len(t) // 3  # inside the (possibly compressed) payload
    flipped = t[:i] + ("A" if t[i] != "A" else "B") + t[i + 1 :]
    forged = URLSafeTimedSerializer(SECRET, salt="other").dumps({"sub": 1, "usr": "x", "role": "sekretaris"})
    for bad in (
        t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        flipped,  # payload changed
        "",
        "garbage",
        forged,  # right secret, wrong salt
    ):
        assert read_token(SECRET, bad) is None
    assert read_token("another-secret", t) is None
    # Right secret and salt but not our payload shape.
    odd = URLSafeTimedSerializer(SECRET, salt=TOKEN_SALT).dumps(["not", "claims"])
    assert read_token(SECRET, odd) is None


def test_api_keys() -> None:
    a, b = new_api_key(), new_api_key()
    assert a.startswith("lpk_") and len(a) >= 4 + 43 and a != b
    assert hash_api_key(a) == hash_api_key(a) and len(hash_api_key(a)) == 64 and hash_api_key(a) != hash_api_key(b)


def test_constant_time_equals() -> None:
    assert constant_time_equals("abc", "abc") and constant_time_equals(b"abc", "abc")
    assert not constant_time_equals("abc", "abd") and not constant_time_equals("abc", "abcd")
