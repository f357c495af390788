"""The producers emit PerjanjianKinerjaPublished and RekapCompleted v2, and what they emit for the worked example is
what the stored v1 events (tests/fixtures/events, recorded from the v1 producers with the same inputs) upcast to.
In-process on real Redis + database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared.events import catalogue as ev
from shared.events.envelope import Envelope, new_envelope
from tests.integration.aggregator.test_tren import feed, publish_pk
from tests.integration.conftest import Service, eventually, put_pk

EVENTS = Path(__file__).resolve().parents[2] / "fixtures" / "events"


def _stored(name: str) -> Any:
    return json.loads((EVENTS / name).read_text())


ISSUE_15_PK = ("tanggal", "pihak_kedua", "renstra")  # keys the worked example's PK gained after v1 was recorded
ISSUE_15_KEPALA = ("jabatan", "pangkat", "golongan")
ISSUE_15_INDIKATOR = ("desimal", "kategori", "realisasi_tahun_sebelumnya", "target_renstra", "benchmark")
ISSUE_15_ROW = ("desimal", "kategori")  # and the recap's `analisis`


def as_recorded(pk: dict[str, Any]) -> dict[str, Any]:
    """The worked example's PK as it was when the v1 events were recorded: without the keys of issue 15."""
    out = {k: v for k, v in pk.items() if k not in ISSUE_15_PK}
    kepala = {k: v for k, v in pk["instansi"]["kepala"].items() if k not in ISSUE_15_KEPALA}
    out["instansi"] = {**pk["instansi"], "kepala": kepala}
    out["sasaran"] = [
        {**s, "indikator": [{k: v for k, v in i.items() if k not in ISSUE_15_INDIKATOR} for i in s["indikator"]]}
        for s in pk["sasaran"]
    ]
    out["program"] = [{k: v for k, v in p.items() if k != "kegiatan"} for p in pk["program"]]
    # IK-5.1's single end target "95" was dropped later for its Renstra range (one end target everywhere)
    recorded = {
        i["kode"]: i for s in _stored("PerjanjianKinerjaPublished.v1.json")["payload"]["pk"]["sasaran"]
        for i in s["indikator"]
    }  # fmt: skip
    for s in out["sasaran"]:
        for i in s["indikator"]:
            if "target_akhir_renstra" in recorded[i["kode"]] and "target_akhir_renstra" not in i:
                i["target_akhir_renstra"] = recorded[i["kode"]]["target_akhir_renstra"]
    return out


def without_issue_15(rekap: dict[str, Any]) -> dict[str, Any]:
    """A recap document without what issue 15 added (the analysis, each row's desimal and kategori)."""
    rows = [{k: v for k, v in row.items() if k not in ISSUE_15_ROW} for row in rekap["indikator"]]
    return {**{k: v for k, v in rekap.items() if k != "analisis"}, "indikator": rows}


def test_the_collector_publishes_the_typed_pk_as_v2(collector: Service, pk: dict[str, Any]) -> None:
    put_pk(collector, as_recorded(pk))
    (row,) = collector.outbox("PerjanjianKinerjaPublished")
    emitted = Envelope.model_validate_json(row.body)
    assert emitted.version == 2
    stored_v1 = ev.parse_payload(Envelope.model_validate(_stored("PerjanjianKinerjaPublished.v1.json")))
    assert ev.parse_payload(emitted) == stored_v1


def test_the_aggregator_publishes_the_typed_recap_as_v2(
    aggregator: Service, pk: dict[str, Any], submissions_2024: list[dict]
) -> None:
    publish_pk(aggregator, pk)
    revisions: dict[tuple[int, str], int] = {}
    envs = []
    for n, sub in enumerate(submissions_2024):  # the inputs the v1 events were recorded from
        key = (sub["triwulan"], sub["unit"])
        revisions[key] = revisions.get(key, 0) + 1
        payload = ev.TriwulanSubmitted(
            tahun=2024,
            triwulan=sub["triwulan"],
            unit=sub["unit"],
            submission_id=f"s-{n}",
            revision=revisions[key],
            realisasi=[ev.NilaiItem(**item) for item in sub["realisasi"]],
            on_time=n % 3 != 0,
            received_at="2024-04-01T00:00:00+00:00",
            anggaran={"realisasi": "125000000.50"} if n == 0 else None,
            kendala="Sinyal lemah di kecamatan" if n == 1 else None,
            solusi="Pengiriman ulang" if n == 1 else None,
        )
        envs.append(new_envelope("TriwulanSubmitted", payload, producer="collector"))
    feed(aggregator, *envs)
    aggregator.wait_relayed()
    stored = {e["payload"]["periode"]: e for e in _stored("RekapCompleted.v1.json")}
    eventually(lambda: {e["payload"]["periode"] for e in aggregator.events("RekapCompleted")} == set(stored))
    newest: dict[str, Envelope] = {}
    for body in aggregator.events("RekapCompleted"):
        newest[body["payload"]["periode"]] = Envelope.model_validate(body)
    for periode, env in newest.items():
        assert env.version == 2
        now, then = ev.parse_payload(env), ev.parse_payload(Envelope.model_validate(stored[periode]))
        assert isinstance(now, ev.RekapCompleted) and isinstance(then, ev.RekapCompleted)
        # the revision numbers depend on how the burst was coalesced; the figures do not; issue 15 added the
        # analysis (from the example's reports) and each row's desimal and kategori (from its PK)
        assert now.rekap.revision is not None and then.rekap.revision is not None
        assert without_issue_15(now.rekap.document()) == {**then.rekap.document(), "revision": now.rekap.revision}
        assert now.rekap.analisis and {row.desimal for row in now.rekap.indikator} == {0, 2}
        assert (now.status, now.inputs) == (then.status, then.inputs)
