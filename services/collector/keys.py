"""Units' API keys: high-entropy random secrets, shown once and stored only as a SHA-256 (a fast hash is right
for a 256-bit random key; passwords use argon2)."""

from __future__ import annotations

import hashlib
import secrets


def new_api_key() -> str:
    return "lpk_" + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
