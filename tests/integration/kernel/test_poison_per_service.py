"""Poison, duplicates and replays at each consuming service (collector, aggregator, approval, renderer), in-process on
a real Redis and a real database, fed the way a misbehaving producer or operator would feed them (raw XADDs).

At every service: an entry that is not JSON, one that is not UTF-8, JSON without the envelope's fields, version 99 of
a type it reads and a payload failing that type's validation each go to `<stream>.dlq` at once, naming the service;
an unknown event type is acknowledged and ignored; the same event published twice reaches the handler once; and a good
event published after all of that is applied (the consumer kept going). Then each service's own replay case: an old
event re-published (or first delivered) after newer ones changes nothing.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from faststream.redis.parser.binary import BinaryMessageFormatV1
from redis import Redis
from sqlmodel import func, select

from shared.events import catalogue as ev
from shared.events.envelope import Envelope, new_envelope
from shared.messaging.outbox import ProcessedEvent
from tests.integration.conftest import Service, _drop_schema, eventually, make_settings

PK_2024 = json.loads((Path(__file__).resolve().parents[3] / "examples" / "pk-2024.json").read_text())


@pytest.fixture
def running(
    request: pytest.FixtureRequest, tmp_path: Path, database_url: str | None, redis_client: Redis
) -> Iterator[Service]:
    """The service named by the test's parameter, with its consumers running (TestClient runs the lifespan)."""
    name = request.param
    settings = make_settings(tmp_path, database_url)
    try:
        app = importlib.import_module(f"services.{name}.main").create_app(settings)
        with TestClient(app) as client:
            yield Service(client, settings, redis_client)
    finally:
        keys = list(redis_client.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis_client.delete(*keys)
        _drop_schema(database_url, name)


# ---- feeding and looking --------------------------------------------------------------------------------------


def xadd(svc: Service, producer: str, fields: dict[str, Any]) -> None:
    svc.redis.xadd(svc.stream(producer), fields)


def put(svc: Service, env: Envelope | dict[str, Any]) -> None:
    """An envelope as raw JSON in `__data__` (FastStream reads it like its own format), on its producer's stream."""
    body = env.model_dump(mode="json") if isinstance(env, Envelope) else env
    xadd(svc, body["producer"], {"__data__": json.dumps(body)})


def dead_letters(svc: Service, producer: str) -> list[dict[str, Any]]:
    out = []
    for _, fields in svc.redis.xrange(f"{svc.stream(producer)}.dlq"):
        body, _ = BinaryMessageFormatV1.parse(fields[b"__data__"])
        out.append(json.loads(body))
    return out


def pending(svc: Service, producer: str) -> int:
    return int(svc.redis.xpending(svc.stream(producer), svc.rt.service)["pending"])


def processed(svc: Service) -> set[str]:
    with svc.session() as s:
        query = select(ProcessedEvent.event_id).where(ProcessedEvent.consumer == svc.rt.service)
        return set(s.exec(query))


def count_calls(svc: Service, type_: str) -> list[str]:
    """Wrap the service's own handler (it still runs) to record the event ids that reach it."""
    calls: list[str] = []
    handler = svc.rt.handlers[type_]

    def counted(session: Any, env: Envelope, payload: Any) -> None:
        calls.append(env.event_id)
        handler(session, env, payload)

    svc.rt.handlers[type_] = counted  # the consumer looks handlers up in this dict per event
    return calls


def poison_then_good(svc: Service, producer: str, good: Envelope, bad_payload: dict[str, Any]) -> list[str]:
    """Every kind of poison, an unknown type, then the good event twice. Returns the ids that reached its handler
    once the consumer has taken all of it; checks the dead letters and that nothing is left pending."""
    calls = count_calls(svc, good.type)
    consumed = svc.rt.consumer.consumed
    unknown = new_envelope("SomethingNobodyReads", {"x": 1}, producer=producer)
    known = good.model_dump(mode="json")
    xadd(svc, producer, {"__data__": b"{not json"})
    xadd(svc, producer, {"__data__": b"\xff\xfe\x00 not UTF-8"})
    put(svc, {"hello": "world", "producer": producer})  # JSON, but no envelope
    put(svc, {**new_envelope(good.type, known["payload"], producer=producer).model_dump(mode="json"), "version": 99})
    put(svc, new_envelope(good.type, bad_payload, producer=producer))
    put(svc, unknown)
    put(svc, good)
    put(svc, good)  # a relay that crashed before marking the row, or an operator's replay
    eventually(lambda: len(dead_letters(svc, producer)) == 5 and svc.rt.consumer.consumed == consumed + 2, timeout=20)
    eventually(lambda: pending(svc, producer) == 0)
    dead = dead_letters(svc, producer)
    assert {d["consumer"] for d in dead} == {svc.rt.service}
    reasons = [d["dead_reason"].split(":")[0] for d in dead]
    assert reasons == ["malformed envelope"] * 3 + ["unreadable payload"] * 2, reasons
    assert "v99" in dead[3]["dead_reason"]
    assert all(d["delivery_count"] == 1 for d in dead)  # at once: retrying cannot help
    assert good.event_id in processed(svc)
    assert unknown.event_id not in processed(svc)  # acknowledged and ignored: not ours
    assert svc.rt.consumer.dead_lettered == 5
    return calls


def envelope(type_: str, payload: ev.Payload, producer: str) -> Envelope:
    return new_envelope(type_, payload, producer=producer)


def decision(type_: str, periode: str, *, final: bool = False, units: list[str] | None = None) -> Envelope:
    payload = ev.DraftDecision(
        draft_id=f"2024-{periode}", tahun=2024, periode=periode, jenis="triwulan", version=1, step=9,
        actor=ev.Actor(id=1, nama="Kadis"), final=final, units=units or [],
    )  # fmt: skip
    return new_envelope(type_, payload, producer="approval")


# ---- collector ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("running", ["collector"], indirect=True)
def test_collector_dead_letters_poison_applies_a_duplicate_once_and_ignores_a_replayed_return(running: Service):
    from services.collector.models import PeriodeState

    svc = running
    koreksi = decision("KoreksiRequested", "TW2", units=["BPS"])
    calls = poison_then_good(svc, "approval", koreksi, {"draft_id": "x", "tahun": "dua ribu"})
    assert calls == [koreksi.event_id]

    def state() -> tuple[str, list[str]]:
        with svc.session() as s:
            row = s.get(PeriodeState, (2024, 2))
            return (row.status, json.loads(row.reopened)) if row else ("open", [])

    assert state() == ("open", ["BPS"])
    final = decision("DraftApproved", "TW2", final=True)
    put(svc, final)
    eventually(lambda: final.event_id in processed(svc))
    assert state() == ("final", [])
    put(svc, koreksi)  # the old return re-published after the final approval: already applied, so nothing
    eventually(lambda: svc.rt.consumer.consumed == 4)
    assert state() == ("final", [])
    assert calls == [koreksi.event_id]


# ---- aggregator -----------------------------------------------------------------------------------------------


def triwulan(revision: int, nilai: str) -> Envelope:
    payload = ev.TriwulanSubmitted(
        tahun=2024, triwulan=1, unit="BPS", submission_id=f"s{revision}", revision=revision,
        realisasi=[ev.NilaiItem(indikator="IKU-1", nilai=nilai)], on_time=True,
        received_at="2024-04-05T10:00:00+07:00",
    )  # fmt: skip
    return new_envelope("TriwulanSubmitted", payload, producer="collector")


@pytest.mark.parametrize("running", ["aggregator"], indirect=True)
def test_aggregator_dead_letters_poison_and_an_old_revision_after_a_newer_changes_nothing(running: Service):
    from services.aggregator.models import AggInput, RekapRevision

    svc = running
    pk = envelope(
        "PerjanjianKinerjaPublished", ev.PerjanjianKinerjaPublished(tahun=2024, version=1, pk=PK_2024), "collector"
    )
    put(svc, pk)
    eventually(lambda: pk.event_id in processed(svc))
    first, second = triwulan(1, "7.10"), triwulan(2, "7.25")
    calls = poison_then_good(svc, "collector", first, {"tahun": 2024, "triwulan": "satu"})
    assert calls == [first.event_id]

    def revisions() -> int:
        with svc.session() as s:
            return int(s.exec(select(func.count()).select_from(RekapRevision)).one())

    def tw1() -> dict[str, Any]:
        r = svc.client.get("/api/v1/rekap/2024/TW1", headers=svc.admin)
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    put(svc, second)
    eventually(lambda: second.event_id in processed(svc))
    made = revisions()
    late = triwulan(1, "6.00")  # revision 1 again under a new event id: a late first delivery of an old snapshot
    for env in (first, late, first):
        put(svc, env)
    eventually(lambda: late.event_id in processed(svc) and svc.rt.consumer.consumed == 7)
    with svc.session() as s:
        row = s.get(AggInput, (2024, 1, "BPS"))
        assert row is not None and (row.revision, json.loads(row.values)) == (2, {"IKU-1": "7.25"})
    assert revisions() == made  # no new recap revision from what is older
    body = tw1()
    assert body["inputs"] == {"1:BPS": 2}
    assert next(i for i in body["indikator"] if i["kode"] == "IKU-1")["realisasi"] == "7.25"
    assert calls == [first.event_id, second.event_id, late.event_id]


# ---- approval -------------------------------------------------------------------------------------------------


def rendered(version: int) -> Envelope:
    payload = ev.DraftRendered(
        draft_id="2024-TW1", document_id=f"doc-v{version}", jenis="triwulan", tahun=2024, periode="TW1",
        version=version, recap_revision=version, files={"pdf": "0" * 64},
    )  # fmt: skip
    return new_envelope("DraftRendered", payload, producer="renderer")


@pytest.mark.parametrize("running", ["approval"], indirect=True)
def test_approval_dead_letters_poison_and_an_old_draft_version_after_a_newer_changes_nothing(running: Service):
    from services.approval.models import DraftRow, RekapRow

    svc = running
    rekap = envelope(
        "RekapCompleted",
        ev.RekapCompleted(
            tahun=2024, periode="TW1", revision=1, status="provisional", rekap={"indikator": []}, inputs={}
        ),
        "aggregator",
    )
    calls = poison_then_good(
        svc, "aggregator", rekap, {"tahun": 2024, "periode": "TW1", "revision": "satu", "units": 5}
    )
    assert calls == [rekap.event_id]
    with svc.session() as s:
        assert len(list(s.exec(select(RekapRow)))) == 1

    v1, v2 = rendered(1), rendered(2)
    for env in (v1, v2, v1):  # v1 replayed after v2
        put(svc, env)
    late_v1 = rendered(1)  # and v1 under a new event id (a late first delivery)
    put(svc, late_v1)
    eventually(lambda: {v1.event_id, v2.event_id, late_v1.event_id} <= processed(svc) and svc.rt.consumer.consumed == 6)
    with svc.session() as s:
        row = s.get(DraftRow, "2024-TW1")
        assert row is not None and (row.version, row.document_id) == (2, "doc-v2")
    # the indexer (its own group on every stream) kept going too: the good events after the poison are indexed
    index_pending = svc.redis.xpending(svc.stream("aggregator"), "indexer")["pending"]
    assert index_pending == 0
    assert eventually(lambda: svc.redis.hget(f"{svc.settings.stream_prefix}.idx:eid", late_v1.event_id))


# ---- renderer -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("running", ["renderer"], indirect=True)
def test_renderer_dead_letters_poison_and_an_old_pk_version_after_a_newer_changes_nothing(running: Service):
    from services.renderer.models import RenPk

    svc = running

    def pk(version: int) -> Envelope:
        doc = {**PK_2024, "nama_versi": f"v{version}"}
        return envelope(
            "PerjanjianKinerjaPublished",
            ev.PerjanjianKinerjaPublished(tahun=2024, version=version, pk=doc),
            "collector",
        )

    v1, v2 = pk(1), pk(2)
    calls = poison_then_good(svc, "collector", v1, {"tahun": 2024, "version": "satu", "pk": []})
    assert calls == [v1.event_id]
    put(svc, v2)
    put(svc, v1)  # the old version re-published after the newer one
    eventually(lambda: v2.event_id in processed(svc) and svc.rt.consumer.consumed == 4)
    with svc.session() as s:
        row = s.get(RenPk, 2024)
        assert row is not None and (row.version, json.loads(row.body)["nama_versi"]) == (2, "v2")
    assert calls == [v1.event_id, v2.event_id]


@pytest.mark.parametrize("running", ["renderer"], indirect=True)
def test_an_operator_can_list_replay_and_drop_a_dead_letter_that_was_never_json(running: Service):
    from lapkin.ops import Ops

    svc = running
    xadd(svc, "collector", {"__data__": b"{not json"})
    eventually(lambda: len(dead_letters(svc, "collector")) == 1)
    ops = Ops(svc.settings, svc.redis)
    [dead] = ops.dlq(svc.stream("collector"))
    assert dead["envelope"] == "{not json"
    assert ops.replay(dead["dlq"], dead["id"], by="test")["event_id"] is None  # back as the text it was
    eventually(lambda: len(dead_letters(svc, "collector")) == 1 and ops.dlq()[0]["id"] != dead["id"])
    [again] = ops.dlq(svc.stream("collector"))
    assert again["envelope"] == "{not json"
    ops.drop(again["dlq"], again["id"], by="test")
    assert ops.dlq() == []
    assert pending(svc, "collector") == 0
