"""The file store away is not the draft's fault: a pending draft whose render fails because the store cannot be
reached stays pending, uncounted, through more failures than max_deliveries, is tried again after a back-off, and is
drawn once the store is back; so does one whose render fails because the store refuses the install's own settings
(credentials, bucket, region), until the operator mends them. A refusal of the request itself (a 400 BadDigest)
still counts as before.

The outage is injected through the store the renderer writes to (a wrapper around its real one whose `put` raises
S3Error while "away"); the drawer, its claims, the pending rows and the documents are the real ones on a real
database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session

from services.renderer.handlers import DraftDrawer, files
from services.renderer.models import Document, PendingDraft
from shared.s3 import S3Error
from shared.storage import FileStore
from tests.integration.renderer.conftest import drawn, handle, of_draft, rekap_completed, renderer_app


class FlakyStore:
    """The renderer's real store, except that while `fault` is set every put raises it (the bucket away)."""

    name = "flaky"
    shared = True  # the renderer puts its files into it

    def __init__(self, real: FileStore) -> None:
        self.real, self.puts = real, 0
        self.fault: S3Error | None = None

    def put(self, data: bytes) -> str:
        self.puts += 1
        if self.fault is not None:
            raise self.fault
        return self.real.put(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


app = renderer_app()


@pytest.fixture
def store(app: Any) -> Iterator[FlakyStore]:
    rt = app.state.rt
    real = files(rt)
    flaky = rt.state["files"] = FlakyStore(real)
    yield flaky
    rt.state["files"] = real


def pending(app: Any, draft_id: str) -> PendingDraft | None:
    with Session(app.state.rt.engine) as session:
        return session.get(PendingDraft, draft_id)


def test_a_store_outage_longer_than_max_deliveries_keeps_the_draft_pending_until_the_store_is_back(app, store):
    rt = app.state.rt
    clock = Clock()
    drawer = DraftDrawer(rt, clock=clock)
    handle(app, rekap_completed("TW3", 1, "91.00"))
    store.fault = S3Error("PUT s3://bucket/ren_file/x: ConnectError: [Errno 111] Connection refused")
    rounds = rt.settings.max_deliveries + 1  # more than it would give up after
    for _ in range(rounds):
        assert drawer.draw_pending() == []  # nothing given up, so nothing dead-lettered
        row = pending(app, "2024-TW3")
        assert row is not None and row.failures == 0 and row.claimed_by is None
        tried = store.puts
        assert drawer.draw_pending() == [] and store.puts == tried  # backing off: not tried again at once
        clock.now += 60  # past the longest back-off
    assert store.puts >= rounds and of_draft(app, Document, "2024-TW3") == []

    store.fault = S3Error("PUT s3://bucket/ren_file/x: HTTP 503 SlowDown")
    store.fault.status = 503  # a server error is an outage too
    assert drawer.draw_pending() == []
    assert pending(app, "2024-TW3").failures == 0  # type: ignore[union-attr]

    store.fault = None  # the store is back
    clock.now += 60
    assert drawer.draw_pending() == []
    assert drawn(app, "2024-TW3") == [(1, 1)]
    assert pending(app, "2024-TW3") is None


def test_a_store_refusing_the_installs_settings_keeps_the_draft_pending_until_they_are_mended(app, store):
    """A wrong secret, a bucket that does not exist, the wrong region: the operator mends the setting (/healthz and
    `lapkin status` name it) and the draft is drawn then — not given up after max_deliveries, which left the period
    on its old version until `lapkin reconcile --repair` (an outsider's finding)."""
    rt = app.state.rt
    clock = Clock()
    drawer = DraftDrawer(rt, clock=clock)
    handle(app, rekap_completed("TW2", 1, "93.00"))
    refusals = [(403, "SignatureDoesNotMatch"), (403, ""), (404, "NoSuchBucket"), (400, "AuthorizationHeaderMalformed")]
    for round_ in range(max(rt.settings.max_deliveries + 1, len(refusals))):  # more rounds than it would give up after
        status, code = refusals[round_ % len(refusals)]
        store.fault = S3Error(f"PUT s3://bucket/ren_file/x: HTTP {status} {code}")
        store.fault.status, store.fault.code = status, code
        assert drawer.draw_pending() == []  # nothing given up, so nothing dead-lettered
        assert pending(app, "2024-TW2").failures == 0  # type: ignore[union-attr]
        clock.now += 60
    store.fault = None  # the secret mended
    assert drawer.draw_pending() == []
    assert drawn(app, "2024-TW2") == [(1, 1)]


def test_a_refusal_that_is_no_outage_still_counts_and_is_given_up_at_max_deliveries(app, store):
    rt = app.state.rt
    handle(app, rekap_completed("TW4", 1, "92.00"))
    store.fault = S3Error("PUT s3://bucket/ren_file/x: HTTP 400 BadDigest")  # the body itself refused
    store.fault.status, store.fault.code = 400, "BadDigest"
    drawer = DraftDrawer(rt)
    for failures in range(1, rt.settings.max_deliveries):
        assert drawer.draw_pending() == []
        assert pending(app, "2024-TW4").failures == failures  # type: ignore[union-attr]
    given_up = drawer.draw_pending()
    assert [e.type for e in given_up] == ["RekapCompleted"] and pending(app, "2024-TW4") is None
