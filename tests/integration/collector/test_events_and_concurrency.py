"""Collector: every accepted changing submission emits exactly one TriwulanSubmitted carrying the unit's complete
snapshot for the quarter, and concurrent submissions never answer 500 nor duplicate a revision."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlmodel import select

from services.collector.models import Submission
from tests.integration.conftest import Service, auth, unit_key

SUBMIT = "/api/v1/laporan-triwulan"


def send(svc: Service, unit: str, realisasi: list[dict[str, Any]], triwulan: int = 1, **extra: Any) -> Any:
    payload = {"tahun": 2024, "triwulan": triwulan, "unit": unit, "realisasi": realisasi, **extra}
    return svc.client.post(SUBMIT, json=payload, headers=auth(unit_key(svc, unit)))


def submitted(svc: Service) -> list[dict[str, Any]]:
    svc.wait_relayed()
    return svc.events("TriwulanSubmitted")


def test_each_accepted_changing_submission_emits_one_event_with_the_complete_snapshot(loaded: Service) -> None:
    r1 = send(
        loaded,
        "BID-PENTA",
        [{"indikator": "IK-3.2", "nilai": "1180", "keterangan": "job fair"}],
        anggaran={"realisasi": "312500000"},
        kendala="k1",
    )
    r2 = send(loaded, "BID-PENTA", [{"indikator": "IK-3.1", "nilai": "62.5"}], solusi="s1")
    r3 = send(loaded, "BID-PENTA", [{"indikator": "IK-3.1", "nilai": "62.50"}])  # unchanged: no event
    r4 = send(loaded, "BID-PENTA", [{"indikator": "IK-3.2", "nilai": "1200"}])
    assert [r.status_code for r in (r1, r2, r3, r4)] == [202] * 4
    events = submitted(loaded)
    assert len(events) == 3
    assert [e["payload"]["revision"] for e in events] == [1, 2, 3]
    assert [e["payload"]["submission_id"] for e in events] == [r.json()["submission_id"] for r in (r1, r2, r4)]
    assert len({e["event_id"] for e in events}) == 3
    last = events[-1]
    assert last["type"] == "TriwulanSubmitted" and last["producer"] == "collector"
    assert last["correlation_id"] == r4.json()["submission_id"]
    p = last["payload"]
    assert (p["tahun"], p["triwulan"], p["unit"]) == (2024, 1, "BID-PENTA")
    assert p["realisasi"] == [
        {"indikator": "IK-3.1", "nilai": "62.5", "keterangan": None},
        {"indikator": "IK-3.2", "nilai": "1200", "keterangan": "job fair"},
    ]
    assert p["anggaran"] == {"realisasi": "312500000"}
    assert p["kendala"] == "k1" and p["solusi"] == "s1"
    assert p["on_time"] == r4.json()["on_time"]
    first = events[0]["payload"]
    assert first["realisasi"] == [{"indikator": "IK-3.2", "nilai": "1180", "keterangan": "job fair"}]
    # the outbox holds the same events, all published
    rows = loaded.outbox("TriwulanSubmitted")
    assert [r.event_id for r in rows] == [e["event_id"] for e in events]
    assert all(r.published_at is not None for r in rows)


def test_the_agencys_correlation_id_is_the_events_and_the_submission_id_still_traces_it(loaded: Service) -> None:
    """An operator searching the id the agency sent (X-Correlation-Id) finds the event its request caused; one
    searching the submission id finds it too (the payload names it). A header the middleware refuses (not a plain
    token, too long) leaves the submission id as the correlation id."""
    from services.operations import Ops

    key = unit_key(loaded, "BID-PENTA")
    sent = []
    for nilai, cid in enumerate(("agency-7f3a:batch/12", "bad id with spaces", "x" * 129), start=1):
        payload = {
            "tahun": 2024,
            "triwulan": 1,
            "unit": "BID-PENTA",
            "realisasi": [{"indikator": "IK-3.1", "nilai": str(nilai)}],
        }
        res = loaded.client.post(SUBMIT, json=payload, headers={**auth(key), "X-Correlation-Id": cid})
        assert res.status_code == 202, res.text
        sent.append(res.json()["submission_id"])
    events = submitted(loaded)
    assert [e["payload"]["submission_id"] for e in events] == sent
    assert [e["correlation_id"] for e in events] == ["agency-7f3a:batch/12", sent[1], sent[2]]
    ops = Ops(loaded.settings, loaded.redis)
    assert [e["event_id"] for e in ops.trace("agency-7f3a:batch/12")] == [events[0]["event_id"]]
    assert [e["event_id"] for e in ops.trace(sent[0])] == [events[0]["event_id"]]


def test_events_of_units_and_quarters_are_separate_snapshots(loaded: Service) -> None:
    send(loaded, "BID-PENTA", [{"indikator": "IK-3.1", "nilai": "1"}], triwulan=1)
    send(loaded, "BID-PENTA", [{"indikator": "IK-3.1", "nilai": "2"}], triwulan=2)
    send(loaded, "BPS", [{"indikator": "IKU-1", "nilai": "7.25"}], triwulan=1)
    events = submitted(loaded)
    snap = {(e["payload"]["unit"], e["payload"]["triwulan"]): e["payload"] for e in events}
    assert len(events) == 3
    assert snap[("BID-PENTA", 2)]["realisasi"] == [{"indikator": "IK-3.1", "nilai": "2", "keterangan": None}]
    assert snap[("BID-PENTA", 2)]["revision"] == 1
    assert snap[("BPS", 1)]["realisasi"] == [{"indikator": "IKU-1", "nilai": "7.25", "keterangan": None}]


def test_concurrent_submissions_answer_202_or_409_with_strictly_increasing_unique_revisions(loaded: Service) -> None:
    # the quarter's row exists before the race (a first-ever race may also end in 409: covered below)
    assert send(loaded, "BID-PENTA", [{"indikator": "IK-3.1", "nilai": "0"}]).status_code == 202
    key = unit_key(loaded, "BID-PENTA")
    barrier = threading.Barrier(20)

    def one(n: int) -> Any:
        payload = {
            "tahun": 2024,
            "triwulan": 1,
            "unit": "BID-PENTA",
            "realisasi": [{"indikator": "IK-3.1", "nilai": str(n + 1)}, {"indikator": "IK-3.2", "nilai": str(100 + n)}],
        }
        barrier.wait()
        return n, loaded.client.post(SUBMIT, json=payload, headers=auth(key))

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(20)))
    codes = [r.status_code for _, r in results]
    assert set(codes) <= {202, 409}, [r.text for _, r in results if r.status_code not in (202, 409)]
    for _, r in results:
        if r.status_code == 409:
            assert r.json()["errors"][0]["rule"] == "concurrent_submission"
    accepted = [(n, r.json()) for n, r in results if r.status_code == 202]
    assert accepted
    revisions = sorted(a["revision"] for _, a in accepted)
    assert len(set(revisions)) == len(revisions), revisions  # no duplicates
    assert revisions == list(range(2, 2 + len(revisions)))  # strictly increasing from the first one, no gaps
    events = submitted(loaded)
    assert len(events) == 1 + len(accepted)
    assert [e["payload"]["revision"] for e in events] == list(range(1, 2 + len(accepted)))
    by_id = {e["payload"]["submission_id"]: e["payload"] for e in events}
    for n, a in accepted:
        snap = by_id[a["submission_id"]]
        assert snap["revision"] == a["revision"]
        assert {v["indikator"]: v["nilai"] for v in snap["realisasi"]} == {"IK-3.1": str(n + 1), "IK-3.2": str(100 + n)}
    with loaded.session() as s:
        rows = list(s.exec(select(Submission).where(Submission.unit == "BID-PENTA")))
    assert sorted(r.revision for r in rows) == list(range(1, 2 + len(accepted)))


def test_a_first_ever_concurrent_race_never_answers_500(loaded: Service) -> None:
    key = unit_key(loaded, "BID-HI")
    barrier = threading.Barrier(10)

    def one(n: int) -> Any:
        payload = {
            "tahun": 2024,
            "triwulan": 3,
            "unit": "BID-HI",
            "realisasi": [{"indikator": "IK-4.2", "nilai": str(n)}],
        }
        barrier.wait()
        return loaded.client.post(SUBMIT, json=payload, headers=auth(key))

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(one, range(10)))
    assert {r.status_code for r in results} <= {202, 409}
    accepted = sorted(r.json()["revision"] for r in results if r.status_code == 202)
    assert accepted == list(range(1, 1 + len(accepted)))
    assert len(submitted(loaded)) == len(accepted)


def test_concurrent_requests_with_one_idempotency_key_store_one_submission(loaded: Service) -> None:
    key = unit_key(loaded, "BPS")
    send(loaded, "BPS", [{"indikator": "IKU-1", "nilai": "7"}])
    payload = {"tahun": 2024, "triwulan": 1, "unit": "BPS", "realisasi": [{"indikator": "IKU-1", "nilai": "7.5"}]}
    barrier = threading.Barrier(8)

    def one(_: int) -> Any:
        barrier.wait()
        return loaded.client.post(SUBMIT, json=payload, headers={**auth(key), "Idempotency-Key": "same"})

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(8)))
    assert {r.status_code for r in results} <= {202, 409}
    ok = [r.json() for r in results if r.status_code == 202]
    assert ok and all(a == ok[0] for a in ok)
    assert len(submitted(loaded)) == 2
