"""The renderer's drawer draws a period's draft only once its recap has settled (unchanged for
LAPKIN_DRAFT_SETTLE_MS, or LAPKIN_DRAFT_BURST_SETTLE_MS for a recap the aggregator computed while reports were still
arriving): a burst of recap revisions is drawn once, for the newest, and a single late change is still drawn; a
draft that has waited LAPKIN_DRAFT_SETTLE_MAX_MS is drawn however often its recap changes. Time passing is the
pending row made older, never a sleep."""

from __future__ import annotations

from datetime import timedelta

from services.renderer.handlers import DraftDrawer
from tests.integration.renderer.conftest import drawn, handle, pending_row, rekap_completed, renderer_app, settled

# never settles by itself during the test: aged by hand
app = renderer_app(draft_settle_ms=60_000, draft_burst_settle_ms=120_000, draft_settle_max_ms=600_000)


def aged(app, draft_id: str, *, quiet_ms: int = 0, waiting_ms: int = 0) -> None:
    """As if the recap had been unchanged for quiet_ms more, and the draft had waited waiting_ms more."""
    with pending_row(app, draft_id) as pending:
        assert pending.waiting_since is not None
        pending.marked_at -= timedelta(milliseconds=quiet_ms)
        pending.waiting_since -= timedelta(milliseconds=waiting_ms)


def test_a_burst_of_recap_revisions_is_drawn_once_settled_and_a_single_late_change_still_is(app):
    rt = app.state.rt
    drawer = DraftDrawer(rt)
    settle = timedelta(milliseconds=rt.settings.draft_settle_ms)
    for revision in range(1, 6):  # the recap keeps changing: the drawer waits
        handle(app, rekap_completed("TW2", revision, f"9{revision}.00"))
        assert drawer.draw_pending(settle) == []
        assert drawn(app, "2024-TW2") == []
    assert drawer.settling()

    settled(app, "2024-TW2")
    assert drawer.draw_pending(settle) == []
    assert drawn(app, "2024-TW2") == [(1, 5)]  # once, for the newest revision of the burst
    assert not drawer.settling()

    handle(app, rekap_completed("TW2", 6, "99.00"))  # one late change
    assert drawer.draw_pending(settle) == [] and drawn(app, "2024-TW2") == [(1, 5)]
    settled(app, "2024-TW2")
    assert drawer.draw_pending(settle) == []
    assert drawn(app, "2024-TW2") == [(1, 5), (2, 6)]


def test_a_recap_of_a_burst_that_goes_on_waits_the_burst_settle_time_and_the_bursts_last_word_the_usual_one(app):
    rt = app.state.rt
    drawer = DraftDrawer(rt)
    settle, s = timedelta(milliseconds=rt.settings.draft_settle_ms), rt.settings
    handle(app, rekap_completed("TW3", 1, "91.00", more_expected=True))
    aged(app, "2024-TW3", quiet_ms=s.draft_settle_ms + 1)  # settled for a quiet recap, not for one of a burst
    assert drawer.draw_pending(settle) == [] and drawn(app, "2024-TW3") == []
    aged(app, "2024-TW3", quiet_ms=s.draft_burst_settle_ms - s.draft_settle_ms)
    assert drawer.draw_pending(settle) == []
    assert drawn(app, "2024-TW3") == [(1, 1)]

    handle(app, rekap_completed("TW3", 2, "92.00", more_expected=True))
    handle(app, rekap_completed("TW3", 3, "93.00"))  # the burst's last word: the usual settle time
    settled(app, "2024-TW3")
    assert drawer.draw_pending(settle) == []
    assert drawn(app, "2024-TW3") == [(1, 1), (2, 3)]


def test_a_draft_that_has_waited_the_longest_settle_time_is_drawn_while_its_recap_still_changes(app):
    rt = app.state.rt
    drawer = DraftDrawer(rt)
    settle, s = timedelta(milliseconds=rt.settings.draft_settle_ms), rt.settings
    for revision in range(1, 4):  # a recap every moment: never settled
        handle(app, rekap_completed("TW4", revision, f"8{revision}.00", more_expected=revision % 2 == 0))
        assert drawer.draw_pending(settle) == []
    aged(app, "2024-TW4", waiting_ms=s.draft_settle_max_ms - 60_000)  # its first recap: a minute short of the longest
    handle(app, rekap_completed("TW4", 4, "84.00", more_expected=True))  # a newer one keeps when it began to wait
    assert drawer.draw_pending(settle) == [] and drawn(app, "2024-TW4") == []
    aged(app, "2024-TW4", waiting_ms=60_001)
    assert drawer.draw_pending(settle) == []
    assert drawn(app, "2024-TW4") == [(1, 4)]

    handle(app, rekap_completed("TW4", 5, "85.00", more_expected=True))  # waits anew, from now
    assert drawer.draw_pending(settle) == [] and drawn(app, "2024-TW4") == [(1, 4)]
