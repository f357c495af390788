"""Which unit an API key belongs to, remembered for a few seconds: every report starts with this lookup, and a key
row never changes once made (keys are only ever added)."""

from __future__ import annotations

import threading
import time

from sqlalchemy import Engine
from sqlmodel import Session, select

from services.collector.models import ApiKey
from shared.security import hash_api_key

TTL_S = 10.0  # how long a found key is trusted without asking the database again
MAX_KEYS = 10_000


class KeyCache:
    """key hash -> unit, per service process. Only keys found are remembered, so a new key works at once; a key
    that stopped existing (a database restored from a backup) is refused at most TTL_S later."""

    def __init__(self, ttl_s: float = TTL_S) -> None:
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._units: dict[str, tuple[str, float]] = {}

    def known(self, token: str) -> str | None:
        """The key's unit if it was found in the last TTL_S seconds (no database access)."""
        with self._lock:
            found = self._units.get(hash_api_key(token))
        return found[0] if found is not None and found[1] > time.monotonic() else None

    def unit_of(self, engine: Engine, token: str) -> str | None:
        known = self.known(token)
        if known is not None:
            return known
        digest, now = hash_api_key(token), time.monotonic()
        # its own short read: a transaction left open here would span the hop to the route (see shared.service)
        with Session(engine) as session:
            unit = session.exec(select(ApiKey.unit).where(ApiKey.key_hash == digest)).first()
        with self._lock:
            if unit is None:
                self._units.pop(digest, None)
            else:
                if len(self._units) >= MAX_KEYS:
                    self._units.clear()
                self._units[digest] = (unit, now + self.ttl_s)
        return unit
