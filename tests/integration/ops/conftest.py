"""Fixtures for the operators' tooling on a real Redis: settings with a random stream prefix (every key the test
made is deleted afterwards), events written onto the streams as producers write them, and web sessions."""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from itsdangerous import URLSafeTimedSerializer
from redis import Redis

from shared.config import Settings
from shared.events.envelope import Envelope, new_envelope

REDIS_URL = os.environ.get("LAPKIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def ops_settings(tmp_path: Path, **extra: Any) -> Settings:
    return Settings(
        data_dir=tmp_path,
        redis_url=REDIS_URL,
        admin_token=f"adm-{secrets.token_urlsafe(12)}",
        secret_key=secrets.token_urlsafe(16),
        stream_prefix=f"o{secrets.token_hex(4)}",
        database_url=os.environ.get("LAPKIN_KERNEL_DATABASE_URL"),
        relay_interval_s=0.05,
        **extra,
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return ops_settings(tmp_path)


@pytest.fixture
def r(settings: Settings) -> Iterator[Redis]:
    client = Redis.from_url(settings.redis_url)
    try:
        client.ping()
    except Exception:  # pragma: no cover - environment problem
        pytest.fail(f"no Redis at {settings.redis_url}: start one (the README says how)")
    yield client
    keys = list(client.scan_iter(f"{settings.stream_prefix}.*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def put(r: Redis, settings: Settings, env: Envelope, producer: str | None = None) -> str:
    """XADD an envelope as raw JSON in `__data__` (FastStream reads it like its own format)."""
    entry = r.xadd(settings.stream(producer or env.producer), {"__data__": env.model_dump_json()})
    return entry.decode() if isinstance(entry, bytes) else str(entry)


def event(type_: str, payload: dict[str, Any], producer: str, causation: Envelope | None = None, **kw: Any) -> Envelope:
    return new_envelope(type_, payload, producer=producer, causation=causation, **kw)


def eventually(check: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} not reached in {timeout}s"
        time.sleep(0.05)


def session_cookie(settings: Settings, uid: int, csrf: str = "csrf-token") -> str:
    """A logged-in web session for official `uid`, as a login makes it: the server-side row and its signed cookie."""
    from sqlmodel import Session as DbSession

    from services.approval.models import WebSessionRow
    from services.approval.web.sessions import _row_id
    from shared.db import make_engine

    sid = secrets.token_urlsafe(32)
    engine = make_engine(settings, "approval")
    try:
        with DbSession(engine) as db:
            db.add(WebSessionRow(id=_row_id(sid), official_id=uid))
            db.commit()
    finally:
        engine.dispose()
    serializer = URLSafeTimedSerializer(settings.resolved_secret_key(), salt="lapkin-approval-web-session")
    return serializer.dumps({"csrf": csrf, "uid": uid, "sid": sid})


def dumps(value: Any) -> str:
    return json.dumps(value)
