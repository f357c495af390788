"""Passwords, officials' tokens and API keys."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from pydantic import ValidationError

from shared import security
from shared.config import Settings
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


def test_argon2_costs_default_to_64_mib_3_passes_4_lanes_and_never_go_below_owasps_floor(monkeypatch) -> None:
    """The suite runs its services at OWASP's floor (tests/conftest.py); an office's install, built without those
    settings, hashes at argon2-cffi's defaults, and no setting can go below the floor."""
    for name in ("MEMORY_KIB", "TIME_COST", "PARALLELISM"):
        monkeypatch.delenv(f"LAPKIN_PASSWORD_HASH_{name}", raising=False)
    s = Settings()
    assert (s.password_hash_memory_kib, s.password_hash_time_cost, s.password_hash_parallelism) == (65536, 3, 4)
    for name, below in (("memory_kib", 19455), ("time_cost", 1), ("parallelism", 0)):
        with pytest.raises(ValidationError, match=f"password_hash_{name}"):
            Settings(**{f"password_hash_{name}": below})


def test_hashes_take_the_configured_costs_and_older_ones_still_verify(monkeypatch) -> None:
    monkeypatch.setattr(security, "_hasher", security._hasher)  # put back after the test
    security.configure_hashing(65536, 3, 4)
    made_before = hash_password("Kinerja#2024")
    assert "m=65536,t=3,p=4" in made_before
    security.configure_hashing(19456, 2, 1)
    now = hash_password("Kinerja#2024")
    assert "m=19456,t=2,p=1" in now and verify_password("Kinerja#2024", now)
    assert verify_password("Kinerja#2024", made_before)  # an older hash still logs in (its costs are in it)
    assert password_needs_rehash(made_before) and not password_needs_rehash(now)
