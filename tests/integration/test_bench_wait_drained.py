"""bench/harness.wait_drained before a measured window: drained consumer groups are not enough while the renderer
still has drafts pending (drawn after a settle, they would land in the measured window); it waits for those too."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

import pytest
from sqlmodel import Session

from bench.harness import wait_drained
from services.renderer.models import TABLES, PendingDraft
from shared.config import Settings
from shared.db import create_tables, make_engine
from tests.integration.conftest import REDIS_URL


def test_wait_drained_waits_for_the_renderers_pending_drafts(tmp_path: Path, database_url: str | None) -> None:
    settings = Settings(data_dir=tmp_path, redis_url=REDIS_URL, stream_prefix=f"w{secrets.token_hex(4)}",
                        DATABASE_URL=database_url)  # type: ignore[call-arg]  # fmt: skip
    engine = make_engine(settings, "renderer")
    try:
        create_tables(engine, TABLES)
        with Session(engine) as s:
            s.add(PendingDraft(draft_id="2030-TW1", revision=3, event="{}"))
            s.commit()
        wait_drained(settings, timeout=5)  # no consumer group has anything left: the groups alone are drained
        with pytest.raises(TimeoutError, match="pending drafts"):
            wait_drained(settings, timeout=0.5, drafts=True)

        def drawn() -> None:
            with Session(engine) as s:
                draft = s.get(PendingDraft, "2030-TW1")
                s.delete(draft)
                s.commit()

        timer = threading.Timer(0.3, drawn)
        timer.start()
        wait_drained(settings, timeout=10, drafts=True)  # returns once the renderer drew it
        timer.join()
        with Session(engine) as s:
            assert s.get(PendingDraft, "2030-TW1") is None
    finally:
        engine.dispose()


def test_wait_drained_without_a_renderer_looks_at_the_groups_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, redis_url=REDIS_URL, stream_prefix=f"w{secrets.token_hex(4)}",
                        DATABASE_URL=None)  # type: ignore[call-arg]  # fmt: skip
    wait_drained(settings, timeout=5, drafts=True)  # BENCH_SERVICES without the renderer: no database to look at
    assert not (tmp_path / "renderer.db").exists()
