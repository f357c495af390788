"""The AsyncAPI event catalogue in docs/asyncapi/ is what the code generates (`shared.messaging.asyncapi`, the same
apps `faststream docs gen shared.messaging.asyncapi:<service>` reads): change an event, a handler or an emit, and this
fails until `python -m shared.messaging.asyncapi` is run again and the files are committed."""

from __future__ import annotations

import json

import pytest

from services.system import SERVICES
from shared.messaging.asyncapi import OUT_DIR, composition, render


@pytest.mark.parametrize("service", SERVICES)
def test_checked_in_asyncapi_matches_the_code(service):
    path = OUT_DIR / f"{service}.json"
    assert path.exists(), f"{path} missing: run python -m shared.messaging.asyncapi"
    assert path.read_text(encoding="utf-8") == render(service), (
        f"{path} drifted from the code: run python -m shared.messaging.asyncapi and commit docs/asyncapi/"
    )


def test_catalogue_names_each_stream_and_every_event_with_its_payload():
    doc = json.loads((OUT_DIR / "aggregator.json").read_text())
    assert doc["asyncapi"].startswith("3.")
    assert "aggregator:lapkin.collector" in doc["channels"]  # its consumer group on the collector's stream
    assert "lapkin.aggregator:RekapCompleted" in doc["channels"]
    consumes, emits = composition("aggregator")
    assert emits == ["RekapCompleted"]
    assert "TriwulanSubmitted" in consumes["collector"]
    schemas = doc["components"]["schemas"]
    assert {"RekapCompletedEvent", "RekapCompleted"} <= set(schemas)
    assert "payload" in schemas["RekapCompletedEvent"]["properties"]
