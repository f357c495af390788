"""The renderer's drawer draws a period's draft only once its recap has settled (unchanged for
LAPKIN_DRAFT_SETTLE_MS): a burst of recap revisions is drawn once, for the newest, and a single late change is
still drawn. Time passing is the pending row made older, never a sleep."""

from __future__ import annotations

from datetime import timedelta

from services.renderer.handlers import DraftDrawer
from tests.integration.renderer.conftest import drawn, handle, rekap_completed, renderer_app, settled

app = renderer_app(draft_settle_ms=60_000)  # never settles by itself during the test: aged by hand


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
