"""The renderer in-process (no broker, no lifespan) on a fresh database: one module fixture factory for the tests that
call its handlers and its drawer directly, and the steps they share (an event handled as the consumer would, a
quarter's recap as the aggregator publishes it, a draft's rows, a pending draft aged past the settle time)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from services.renderer.main import create_app
from services.renderer.models import Document, PendingDraft
from shared.config import Settings
from shared.events import catalogue as ev
from shared.events.envelope import Envelope, new_envelope
from shared.messaging.outbox import claim_event
from tests.support.databases import fresh_database_url
from tests.unit.renderer.worked_example import load_pk, recaps


def renderer_app(*, publish_pk: bool = True, **extra: Any) -> Any:
    """A module fixture `app`: the renderer's app on a fresh database (PostgreSQL when LAPKIN_TEST_DATABASE_URL is
    set), with `extra` settings (e.g. draft_settle_ms) and, unless publish_pk is false, the worked example's 2024 PK
    already handled. Use as `app = renderer_app(...)` in the test module."""

    @pytest.fixture(scope="module", name="app")
    def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
        with fresh_database_url() as url:
            settings = Settings(
                data_dir=tmp_path_factory.mktemp("renderer"),
                admin_token=f"adm-{secrets.token_urlsafe(12)}",
                secret_key=secrets.token_urlsafe(16),
                database_url=url,
                **extra,
            )
            app = create_app(settings)
            if publish_pk:
                published = ev.PerjanjianKinerjaPublished(tahun=2024, version=1, pk=load_pk())
                handle(app, new_envelope("PerjanjianKinerjaPublished", published, producer="collector"))
            yield app

    return app


def handle(app: Any, env: Envelope) -> None:
    """As the consumer does: claim the event and run its handler in one transaction (the drawer does not run)."""
    rt = app.state.rt
    with Session(rt.engine) as session:
        assert claim_event(session, rt.service, env.event_id)
        rt.handlers[env.type](session, env, ev.parse_payload(env))
        session.commit()


def rekap_completed(periode: str, revision: int, capaian: str, *, more_expected: bool = False) -> Envelope:
    rekap = {**recaps(load_pk())[periode], "revision": revision, "capaian_instansi": capaian}
    payload = ev.RekapCompleted(
        tahun=2024, periode=periode, revision=revision, status="complete", rekap=rekap, inputs={},
        more_expected=more_expected,
    )  # fmt: skip
    return new_envelope("RekapCompleted", payload, producer="aggregator")


def of_draft(app: Any, model: Any, draft_id: str) -> list[Any]:
    with Session(app.state.rt.engine) as session:
        return [row for row in session.exec(select(model)) if row.draft_id == draft_id]


def drawn(app: Any, draft_id: str) -> list[tuple[int, int]]:
    """The draft's documents as (version, recap revision), oldest first."""
    return [(d.version, d.recap_revision) for d in of_draft(app, Document, draft_id)]


@contextmanager
def pending_row(app: Any, draft_id: str) -> Iterator[PendingDraft]:
    """The draft's pending row, saved as the block leaves it (time passing, another drawer's claim)."""
    with Session(app.state.rt.engine) as session:
        pending = session.get(PendingDraft, draft_id)
        assert pending is not None
        yield pending
        session.add(pending)
        session.commit()


def settled(app: Any, draft_id: str) -> None:
    """As if the period's recap had been unchanged for the settle time."""
    with pending_row(app, draft_id) as pending:
        pending.marked_at -= timedelta(milliseconds=app.state.rt.settings.draft_settle_ms + 1)
