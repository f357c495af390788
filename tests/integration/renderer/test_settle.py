"""The renderer's drawer draws a period's draft only once its recap has settled (unchanged for
LAPKIN_DRAFT_SETTLE_MS): a burst of recap revisions is drawn once, for the newest, and a single late change is
still drawn. Time passing is the pending row made older, never a sleep."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from services.renderer.handlers import DraftDrawer
from services.renderer.main import create_app
from services.renderer.models import Document, PendingDraft
from shared.config import Settings
from shared.events import catalogue as ev
from shared.events.envelope import new_envelope
from tests.integration.renderer.test_coalescing import handle, of_draft, rekap_completed
from tests.support.databases import fresh_database_url
from tests.unit.renderer.worked_example import load_pk


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with fresh_database_url() as url:
        settings = Settings(
            data_dir=tmp_path_factory.mktemp("renderer"),
            admin_token=f"adm-{secrets.token_urlsafe(12)}",
            secret_key=secrets.token_urlsafe(16),
            database_url=url,
            draft_settle_ms=60_000,  # never settles by itself during the test: aged by hand
        )
        app = create_app(settings)
        published = ev.PerjanjianKinerjaPublished(tahun=2024, version=1, pk=load_pk())
        handle(app, new_envelope("PerjanjianKinerjaPublished", published, producer="collector"))
        yield app


def settled(app: Any, draft_id: str) -> None:
    """As if the period's recap had been unchanged for the settle time."""
    rt = app.state.rt
    with Session(rt.engine) as session:
        pending = session.get(PendingDraft, draft_id)
        assert pending is not None
        pending.marked_at -= timedelta(milliseconds=rt.settings.draft_settle_ms + 1)
        session.add(pending)
        session.commit()


def drafts(app: Any, draft_id: str) -> list[tuple[int, int]]:
    return [(d.version, d.recap_revision) for d in of_draft(app, Document, draft_id)]


def test_a_burst_of_recap_revisions_is_drawn_once_settled_and_a_single_late_change_still_is(app):
    rt = app.state.rt
    drawer = DraftDrawer(rt)
    settle = timedelta(milliseconds=rt.settings.draft_settle_ms)
    for revision in range(1, 6):  # the recap keeps changing: the drawer waits
        handle(app, rekap_completed("TW2", revision, f"9{revision}.00"))
        assert drawer.draw_pending(settle) == []
        assert drafts(app, "2024-TW2") == []
    assert drawer.settling()

    settled(app, "2024-TW2")
    assert drawer.draw_pending(settle) == []
    assert drafts(app, "2024-TW2") == [(1, 5)]  # once, for the newest revision of the burst
    assert not drawer.settling()

    handle(app, rekap_completed("TW2", 6, "99.00"))  # one late change
    assert drawer.draw_pending(settle) == [] and drafts(app, "2024-TW2") == [(1, 5)]
    settled(app, "2024-TW2")
    assert drawer.draw_pending(settle) == []
    assert drafts(app, "2024-TW2") == [(1, 5), (2, 6)]
