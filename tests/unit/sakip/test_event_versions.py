"""PerjanjianKinerjaPublished and RekapCompleted v2 carry the typed PK and recap; stored v1 events (the worked
example's, recorded from the producers before v2: tests/fixtures/events) are upcast at the edge to the very typed
values a v2 producer emits, and the consumers keep the same documents from either."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from services.aggregator.rekap import parse_pk
from services.renderer.handlers import content_hash
from shared.events import catalogue as ev
from shared.events.envelope import Envelope, new_envelope
from shared.sakip import PerjanjianKinerja, Rekap, Target

EVENTS = Path(__file__).resolve().parents[2] / "fixtures" / "events"
PK_V1: dict[str, Any] = json.loads((EVENTS / "PerjanjianKinerjaPublished.v1.json").read_text())
REKAP_V1: list[dict[str, Any]] = json.loads((EVENTS / "RekapCompleted.v1.json").read_text())


def _through_the_wire(env: Envelope) -> ev.Payload:
    """As a consumer reads it: the envelope's JSON, parsed and upcast."""
    return ev.parse_payload(Envelope.model_validate_json(env.model_dump_json()))


def test_both_events_are_now_version_2_and_producers_emit_it() -> None:
    assert ev.CURRENT_VERSION["PerjanjianKinerjaPublished"] == ev.CURRENT_VERSION["RekapCompleted"] == 2
    pk = PerjanjianKinerja.from_document(PK_V1["payload"]["pk"])
    env = new_envelope("PerjanjianKinerjaPublished", ev.PerjanjianKinerjaPublished(tahun=2024, version=1, pk=pk),
                       producer="collector")  # fmt: skip
    assert env.version == 2
    first = env.payload["pk"]["sasaran"][0]["indikator"][0]
    assert first["target"] == {"nilai": "6.90"} and "target_min" not in first


def test_a_stored_v1_pk_event_is_upcast_to_what_v2_carries() -> None:
    v1 = Envelope.model_validate(PK_V1)
    assert v1.version == 1
    old = ev.parse_payload(v1)
    assert isinstance(old, ev.PerjanjianKinerjaPublished)
    doc = PK_V1["payload"]["pk"]
    v2 = new_envelope("PerjanjianKinerjaPublished",
                      ev.PerjanjianKinerjaPublished(tahun=2024, version=1, pk=PerjanjianKinerja.from_document(doc)),
                      producer="collector")  # fmt: skip
    new = _through_the_wire(v2)
    assert old == new
    assert old.pk.document() == doc  # the renderer and the aggregator store the same document as before
    assert parse_pk(old.pk) == parse_pk(doc)  # the arithmetic reads the same targets
    ranged = next(i for _, i in old.pk.indikator() if i.polaritas == "rentang")
    assert ranged.target == Target(
        min=doc_target(doc, ranged.kode, "target_min"), max=doc_target(doc, ranged.kode, "target_max")
    )


def doc_target(doc: dict[str, Any], kode: str, key: str) -> Any:
    return next(i[key] for s in doc["sasaran"] for i in s["indikator"] if i["kode"] == kode)


@pytest.mark.parametrize("stored", REKAP_V1, ids=[e["payload"]["periode"] for e in REKAP_V1])
def test_a_stored_v1_recap_event_is_upcast_to_what_v2_carries(stored: dict[str, Any]) -> None:
    v1 = Envelope.model_validate(stored)
    old = ev.parse_payload(v1)
    assert isinstance(old, ev.RekapCompleted) and v1.version == 1
    doc = stored["payload"]["rekap"]
    v2 = new_envelope("RekapCompleted",
                      ev.RekapCompleted(**{**stored["payload"], "rekap": Rekap.from_document(doc)}),
                      producer="aggregator")  # fmt: skip
    new = _through_the_wire(v2)
    assert v2.version == 2 and old == new
    assert old.rekap.document() == doc and content_hash(old.rekap.document()) == content_hash(doc)
    ranged = [row for row in old.rekap.indikator if row.polaritas == "rentang"]
    assert ranged and all(row.target.bounds is not None for row in ranged)
    assert all(isinstance(row["target"], dict) for row in v2.payload["rekap"]["indikator"])  # never "15.00-25.00"


def test_a_payload_that_is_no_v1_cannot_be_upcast() -> None:
    bad = Envelope(type="RekapCompleted", version=1, producer="aggregator", correlation_id="c",
                   payload={"tahun": 2024, "periode": "TW1", "revision": 1, "status": "complete", "rekap": [],
                            "inputs": {}})  # fmt: skip
    with pytest.raises(ev.UnknownEvent, match="cannot upcast"):
        ev.parse_payload(bad)
    with pytest.raises(ev.UnknownEvent):
        ev.parse_payload(bad.model_copy(update={"version": 3}))
