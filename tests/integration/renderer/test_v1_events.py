"""A RekapCompleted v1 the renderer kept before the upgrade (a pending draft holds its envelope) is drawn after it:
read through the upcaster, the draft shows the very recap v1 carried. In-process, no broker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session

from services.renderer.handlers import draw_pending
from services.renderer.models import Document, PendingDraft
from shared.events import catalogue as ev
from shared.events.envelope import Envelope
from tests.integration.renderer.test_coalescing import app, handle, of_draft  # noqa: F401  (app: the fixture)

STORED: list[dict[str, Any]] = json.loads(
    (Path(__file__).resolve().parents[2] / "fixtures" / "events" / "RekapCompleted.v1.json").read_text()
)


def test_a_pending_draft_of_a_v1_recap_is_drawn_from_the_recap_v1_carried(app: Any) -> None:  # noqa: F811
    stored = next(e for e in STORED if e["payload"]["periode"] == "TW3")  # complete, and no other test draws TW3
    v1 = Envelope.model_validate(stored)
    assert v1.version == 1 and v1.payload["status"] == "complete"
    draft_id = f"2024-{v1.payload['periode']}"
    rt = app.state.rt
    with Session(rt.engine) as session:
        session.add(PendingDraft(draft_id=draft_id, revision=v1.payload["revision"], event=v1.model_dump_json()))
        session.commit()
    assert draw_pending(rt) == []  # drawn, nothing dead-lettered
    (doc,) = [d for d in of_draft(app, Document, draft_id) if d.recap_revision == v1.payload["revision"]]
    assert json.loads(doc.rekap) == v1.payload["rekap"]
    assert of_draft(app, PendingDraft, draft_id) == []


def test_a_v1_recap_event_handled_after_the_upgrade_keeps_the_quarter_recap_v1_carried(app: Any) -> None:  # noqa: F811
    stored = next(e for e in STORED if e["payload"]["periode"] == "TW4")
    v1 = Envelope.model_validate(stored)
    handle(app, v1)  # the consumer's path: parse_payload upcasts it
    parsed = ev.parse_payload(v1)
    assert isinstance(parsed, ev.RekapCompleted) and parsed.rekap.document() == v1.payload["rekap"]
    with Session(app.state.rt.engine) as session:
        pending = session.get(PendingDraft, "2024-TW4")
        assert pending is not None and pending.revision == v1.payload["revision"]
