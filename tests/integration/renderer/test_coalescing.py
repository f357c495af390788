"""The renderer (in-process, no broker) keeps one pending draft per period — the newest complete recap — and its
drawer draws it once, so a burst of recaps costs one draft; a pending draft that keeps failing is given up after
max_deliveries, as if never handled (so a replay of its dead letter applies again)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import Session, select

from services.renderer.handlers import CLAIM_S, draw_pending
from services.renderer.models import Document, PendingDraft
from shared.events.envelope import utcnow
from shared.messaging.outbox import OutboxMessage, ProcessedEvent
from tests.integration.renderer.conftest import drawn, handle, of_draft, pending_row, rekap_completed, renderer_app

app = renderer_app()


def test_a_burst_of_recaps_of_one_period_is_drawn_once_for_the_newest(app):
    first, second = rekap_completed("TW2", 1, "91.00"), rekap_completed("TW2", 2, "93.00")
    handle(app, first)
    handle(app, second)
    handle(app, rekap_completed("TW2", 1, "91.00"))  # an older recap arriving late changes nothing
    assert of_draft(app, Document, "2024-TW2") == []
    assert [p.revision for p in of_draft(app, PendingDraft, "2024-TW2")] == [2]

    assert draw_pending(app.state.rt) == []
    docs = of_draft(app, Document, "2024-TW2")
    assert [(d.version, d.recap_revision) for d in docs] == [(1, 2)]
    assert json.loads(docs[0].rekap)["capaian_instansi"] == "93.00"
    assert of_draft(app, PendingDraft, "2024-TW2") == []
    with Session(app.state.rt.engine) as session:
        rendered = [json.loads(o.body) for o in session.exec(select(OutboxMessage)) if o.type == "DraftRendered"]
    tw2 = [e for e in rendered if e["payload"]["draft_id"] == "2024-TW2"]
    assert [(e["causation_id"], e["correlation_id"]) for e in tw2] == [(second.event_id, second.correlation_id)]

    handle(app, rekap_completed("TW2", 3, "93.00"))  # a newer revision with the same content: no new version
    assert draw_pending(app.state.rt) == [] and len(of_draft(app, Document, "2024-TW2")) == 1
    handle(app, rekap_completed("TW2", 4, "95.00"))
    assert draw_pending(app.state.rt) == []
    assert drawn(app, "2024-TW2") == [(1, 2), (2, 4)]


def test_a_pending_draft_that_keeps_failing_is_given_up_and_forgotten(app):
    env = rekap_completed("TW4", 1, "70.00")
    handle(app, env)
    rt = app.state.rt
    with pending_row(app, "2024-TW4") as pending:  # a recap the renderer cannot draw
        broken = json.loads(pending.event)
        broken["payload"]["rekap"] = {"tahun": 2024}
        pending.event = json.dumps(broken)
    for _ in range(rt.settings.max_deliveries - 1):
        assert draw_pending(rt) == []
        assert [p.failures for p in of_draft(app, PendingDraft, "2024-TW4")] == [_ + 1]
    given_up = draw_pending(rt)
    assert [e.event_id for e in given_up] == [env.event_id]
    assert of_draft(app, PendingDraft, "2024-TW4") == [] and of_draft(app, Document, "2024-TW4") == []
    with Session(rt.engine) as session:
        assert session.get(ProcessedEvent, (rt.service, env.event_id)) is None


def test_a_draft_another_drawer_holds_is_left_alone_until_its_claim_runs_out(app):
    handle(app, rekap_completed("TW3", 1, "88.00"))
    rt = app.state.rt
    with pending_row(app, "2024-TW3") as pending:  # a replica's drawer took it a moment ago
        pending.claimed_by, pending.claimed_at = "renderer-elsewhere-1", utcnow()
    assert draw_pending(rt) == []
    assert of_draft(app, Document, "2024-TW3") == [] and len(of_draft(app, PendingDraft, "2024-TW3")) == 1
    with pending_row(app, "2024-TW3") as pending:  # that replica died mid-draw: its claim runs out
        pending.claimed_at = utcnow() - CLAIM_S - timedelta(seconds=1)
    assert draw_pending(rt) == []
    assert [d.recap_revision for d in of_draft(app, Document, "2024-TW3")] == [1]
    assert of_draft(app, PendingDraft, "2024-TW3") == []


def test_an_older_recap_arriving_after_a_newer_one_was_drawn_draws_nothing(app):
    """Re-published or reconciled events can bring an older recap revision (under an event id not yet handled) after
    the period's draft of a newer one was drawn: it must not become a new version showing older figures."""
    handle(app, rekap_completed("S1", 5, "90.00"))
    assert draw_pending(app.state.rt) == []
    handle(app, rekap_completed("S1", 4, "80.00"))  # older, a different event id
    assert of_draft(app, PendingDraft, "2024-S1") == []
    assert draw_pending(app.state.rt) == []
    assert drawn(app, "2024-S1") == [(1, 5)]


def test_claims_of_a_stopped_or_crashed_drawer_on_this_machine_are_given_back_at_once(app):
    """A renderer stopped (or killed) mid-draw left its claim for CLAIM_S, so after a restart the period's draft stayed
    out of date for five minutes (outsider check, issue 16). Its own claims go back at stop, a dead local process's at
    start; a replica elsewhere keeps its claim until CLAIM_S."""
    import subprocess
    import sys

    from services.renderer.handlers import DraftDrawer

    rt = app.state.rt
    drawer = DraftDrawer(rt)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process of this machine that is gone
    here = drawer.name.rpartition("-")[0]
    for periode, holder in (("TW1", f"{here}-{dead.pid}"), ("S2", drawer.name), ("TAHUNAN", "renderer-elsewhere-7")):
        handle(app, rekap_completed(periode, 1, "91.00"))
        with pending_row(app, f"2024-{periode}") as pending:
            pending.claimed_by, pending.claimed_at = holder, utcnow()
    assert drawer.release_claims() == 2
    with Session(rt.engine) as session:
        held = {p.draft_id: p.claimed_by for p in session.exec(select(PendingDraft))}
    assert held["2024-TW1"] is None and held["2024-S2"] is None and held["2024-TAHUNAN"] == "renderer-elsewhere-7"
    assert draw_pending(rt) == []
    assert [d.recap_revision for d in of_draft(app, Document, "2024-TW1")] == [1]
    assert of_draft(app, PendingDraft, "2024-TAHUNAN") != []  # still the other replica's
