"""Collector: POST laporan-bulanan (monthly progress, docs/contract.md) — the quarterly report's rules and answer shape,
its own revisions, BulananSubmitted snapshots, Idempotency-Key, dry_run, bulan 1–12, auth, and that it never touches
the quarterly data; in-process on real Redis + database."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import func, select

from services.collector.bulanan import month_deadline
from services.collector.models import (
    BulananSubmission,
    BulananValue,
    CurrentValue,
    IdempotencyRecord,
    Submission,
    UnitMonth,
    UnitQuarter,
)
from shared.events import catalogue as ev
from shared.events.envelope import new_envelope
from tests.integration.conftest import Service, auth, eventually, put_pk, unit_key

URL = "/api/v1/laporan-bulanan"


def penta(ik31: Any = None, ik32: Any = None, bulan: Any = 2, **extra: Any) -> dict[str, Any]:
    items = []
    if ik31 is not None:
        items.append({"indikator": "IK-3.1", "nilai": ik31})
    if ik32 is not None:
        items.append({"indikator": "IK-3.2", "nilai": ik32})
    return {"tahun": 2024, "bulan": bulan, "unit": "BID-PENTA", "realisasi": items, **extra}


def post(svc: Service, payload: Any, unit: str = "BID-PENTA", **kw: Any) -> Any:
    headers = {**auth(unit_key(svc, unit)), **kw.pop("headers", {})}
    return svc.client.post(URL, json=payload, headers=headers, **kw)


def stored(svc: Service) -> dict[str, int]:
    """Rows of every table a report may write (monthly and quarterly), and the outbox."""
    with svc.session() as s:
        counts = {
            name: s.exec(select(func.count()).select_from(model)).one()
            for name, model in (
                ("bulanan_submission", BulananSubmission),
                ("bulanan_value", BulananValue),
                ("unit_month", UnitMonth),
                ("idempotency", IdempotencyRecord),
                ("submission", Submission),
                ("current", CurrentValue),
                ("unit_quarter", UnitQuarter),
            )
        }
    return {**counts, "outbox": len(svc.outbox())}


def month_values(svc: Service, bulan: int = 2, unit: str = "BID-PENTA") -> dict[str, str]:
    with svc.session() as s:
        rows = s.exec(select(BulananValue).where(BulananValue.unit == unit, BulananValue.bulan == bulan))
        return {r.indikator: r.nilai for r in rows}


def monthly_events(svc: Service) -> list[dict[str, Any]]:
    svc.wait_relayed()
    return svc.events("BulananSubmitted")


# ---- accepted reports ----------------------------------------------------------------------------------------


def test_a_monthly_report_is_202_with_the_quarterly_answer_shape_and_touches_no_quarterly_data(
    loaded: Service,
) -> None:
    r = post(loaded, penta("20", "350", anggaran={"realisasi": "1000000"}, kendala="k"))
    assert r.status_code == 202, r.text
    a = r.json()
    assert set(a) == {"submission_id", "revision", "on_time", "summary"}
    assert a["revision"] == 1 and isinstance(a["on_time"], bool)
    assert a["summary"] == {"imported": 2, "updated": 0, "ignored": 0, "conflicts": []}
    assert month_values(loaded) == {"IK-3.1": "20", "IK-3.2": "350"}
    counts = stored(loaded)
    assert (counts["bulanan_submission"], counts["bulanan_value"], counts["unit_month"]) == (1, 2, 1)
    assert (counts["submission"], counts["current"], counts["unit_quarter"]) == (0, 0, 0)
    assert [m.type for m in loaded.outbox()][-1] == "BulananSubmitted"
    assert loaded.outbox("TriwulanSubmitted") == []


def test_on_time_is_until_the_10th_of_the_next_month_jakarta(loaded: Service) -> None:
    assert month_deadline(2024, 2).isoformat() == "2024-03-10T23:59:59+07:00"
    assert month_deadline(2024, 12).isoformat() == "2025-01-10T23:59:59+07:00"
    # the server's receive time against that deadline (these tests run after March 2024: late)
    late = post(loaded, penta("20", bulan=2))
    assert late.json()["on_time"] is (datetime.now(UTC) <= month_deadline(2024, 2))


def test_a_later_report_updates_named_values_ignores_equal_ones_and_makes_a_revision(loaded: Service) -> None:
    assert post(loaded, penta("20", "350")).json()["revision"] == 1
    r = post(loaded, penta("20.00", "400"))  # 20.00 == 20: ignored
    assert r.status_code == 202
    assert r.json()["revision"] == 2
    assert r.json()["summary"] == {"imported": 0, "updated": 1, "ignored": 1, "conflicts": []}
    r = post(loaded, penta(ik31="21"))  # naming one value leaves the other alone
    assert r.json()["revision"] == 3 and r.json()["summary"]["updated"] == 1
    assert month_values(loaded) == {"IK-3.1": "21", "IK-3.2": "400"}
    # another month has revisions of its own
    other = post(loaded, penta("25", bulan=3))
    assert other.json()["revision"] == 1
    assert month_values(loaded, 3) == {"IK-3.1": "25"}
    assert month_values(loaded, 2) == {"IK-3.1": "21", "IK-3.2": "400"}


def test_an_unchanged_report_keeps_the_revision_and_emits_nothing(loaded: Service) -> None:
    post(loaded, penta("20", "350", kendala=""))
    before = stored(loaded)
    for _ in range(2):
        r = post(loaded, penta("20", "350", kendala=""))
        assert r.status_code == 202
        assert r.json()["revision"] == 1
        assert r.json()["summary"] == {"imported": 0, "updated": 0, "ignored": 2, "conflicts": []}
    assert stored(loaded) == before
    assert len(monthly_events(loaded)) == 1


def test_anggaran_and_kendala_alone_make_a_new_revision(loaded: Service) -> None:
    post(loaded, penta("20"))
    assert post(loaded, penta(anggaran={"realisasi": "100"})).json()["revision"] == 2
    assert post(loaded, penta(solusi="lembur")).json()["revision"] == 3
    assert post(loaded, penta(anggaran={"realisasi": "100.00"}, solusi="lembur")).json()["revision"] == 3


def test_each_changing_report_emits_bulanan_submitted_with_the_complete_snapshot(loaded: Service) -> None:
    assert post(loaded, penta(ik32="350", anggaran={"realisasi": "5000"}, kendala="hujan")).status_code == 202
    r2 = post(loaded, {**penta(), "realisasi": [{"indikator": "IK-3.1", "nilai": "20", "keterangan": "survei"}]})
    events = monthly_events(loaded)
    assert [e["payload"]["revision"] for e in events] == [1, 2]
    last = events[-1]
    assert last["producer"] == "collector" and last["correlation_id"] == r2.json()["submission_id"]
    p = last["payload"]
    assert (p["tahun"], p["bulan"], p["unit"], p["submission_id"]) == (2024, 2, "BID-PENTA", r2.json()["submission_id"])
    assert p["realisasi"] == [
        {"indikator": "IK-3.1", "nilai": "20", "keterangan": "survei"},
        {"indikator": "IK-3.2", "nilai": "350", "keterangan": None},
    ]
    assert p["anggaran"] == {"realisasi": "5000"} and p["kendala"] == "hujan" and p["solusi"] is None
    assert p["on_time"] == r2.json()["on_time"] and p["received_at"]
    assert ev.BulananSubmitted.model_validate(p).revision == 2  # the catalogue reads it


# ---- validation ------------------------------------------------------------------------------------------------


def assert_rejected(svc: Service, r: Any, expected: set[tuple[str, str]], before: dict[str, int]) -> None:
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    for e in errors:
        assert set(e) == {"field", "rule", "message_id", "message_en"}
        assert e["message_id"] and e["message_en"] and e["message_id"] != e["message_en"]
    assert {(e["field"], e["rule"]) for e in errors} == expected
    assert stored(svc) == before


@pytest.mark.parametrize(
    ("bulan", "rule"),
    [(0, "out_of_range"), (13, "out_of_range"), (-1, "out_of_range"), ("3", "not_an_integer"), (1.5, "not_an_integer")]
    + [(True, "not_an_integer"), (None, "required")],
)
def test_a_bulan_outside_1_to_12_is_422_and_stores_nothing(loaded: Service, bulan: Any, rule: str) -> None:
    before = stored(loaded)
    r = post(loaded, penta("20", bulan=bulan))
    assert_rejected(loaded, r, {("bulan", rule)}, before)
    if rule == "out_of_range":
        message = r.json()["errors"][0]
        assert "12" in message["message_id"] and "12" in message["message_en"] and "%" not in message["message_id"]


def test_every_realisasi_problem_is_listed_and_nothing_is_half_stored(loaded: Service) -> None:
    post(loaded, penta("20", "350"))
    before = stored(loaded)
    payload = {
        **penta(),
        "realisasi": [
            {"indikator": "IK-3.2", "nilai": "400"},  # valid on its own: must not be stored either
            {"indikator": "IK-3.1", "nilai": "abc"},
            {"indikator": "IK-2.1", "nilai": "5"},
            {"indikator": "IK-3.1", "nilai": "101"},
            {"indikator": "IK-9.9", "nilai": "-1"},
        ],
        "kendala": 5,
        "anggaran": {"realisasi": "banyak"},
    }
    r = post(loaded, payload)
    assert_rejected(
        loaded,
        r,
        {
            ("realisasi[1].nilai", "not_a_number"),
            ("realisasi[2].indikator", "not_responsible"),
            ("realisasi[3].indikator", "duplicate_indikator"),
            ("realisasi[3].nilai", "out_of_range"),
            ("realisasi[4].indikator", "unknown_indikator"),
            ("realisasi[4].nilai", "negative_value"),
            ("kendala", "not_a_string"),
            ("anggaran.realisasi", "not_a_number"),
        },
        before,
    )
    assert month_values(loaded) == {"IK-3.1": "20", "IK-3.2": "350"}


def test_a_year_without_pk_is_422(loaded: Service) -> None:
    before = stored(loaded)
    r = post(loaded, {**penta("20"), "tahun": 2023})
    assert_rejected(loaded, r, {("tahun", "pk_not_found"), ("realisasi[0].indikator", "unknown_indikator")}, before)


# ---- auth ------------------------------------------------------------------------------------------------------


def test_another_units_key_is_403_and_the_admin_token_cannot_report(loaded: Service) -> None:
    before = stored(loaded)
    r = post(loaded, penta("20"), unit="BID-PPTK")
    assert r.status_code == 403 and r.json()["errors"][0]["rule"] == "wrong_unit"
    assert loaded.client.post(URL, json=penta("20"), headers=loaded.admin).status_code == 403
    assert loaded.client.post(URL, json=penta("20")).status_code == 401
    assert stored(loaded) == before


def test_a_parent_units_key_may_report_for_its_child(collector: Service, pk: dict[str, Any]) -> None:
    pk["units"].append({"kode": "SEKSI-PENTA", "nama": "Seksi Penempatan", "jenis": "seksi", "induk": "BID-PENTA"})
    pk["sasaran"][2]["indikator"][1]["penanggung_jawab"] = "SEKSI-PENTA"  # IK-3.2
    put_pk(collector, pk)
    child = {"tahun": 2024, "bulan": 1, "unit": "SEKSI-PENTA", "realisasi": [{"indikator": "IK-3.2", "nilai": "9"}]}
    assert post(collector, child, unit="BID-PENTA").status_code == 202
    assert month_values(collector, 1, "SEKSI-PENTA") == {"IK-3.2": "9"}
    assert post(collector, penta("20"), unit="SEKSI-PENTA").status_code == 403  # not the other way round


# ---- Idempotency-Key and dry_run -------------------------------------------------------------------------------


def test_same_idempotency_key_replays_the_answer_and_another_body_is_409(loaded: Service) -> None:
    headers = {"Idempotency-Key": "bln-1"}
    first = post(loaded, penta("20", "350"), headers=headers)
    assert first.status_code == 202
    after = stored(loaded)
    again = post(loaded, penta("20", "350"), headers=headers)
    assert again.status_code == 202 and again.json() == first.json()
    assert stored(loaded) == after
    reused = post(loaded, penta("21", "350"), headers=headers)
    assert reused.status_code == 409 and reused.json()["errors"][0]["rule"] == "idempotency_key_reused"
    assert stored(loaded) == after
    assert month_values(loaded)["IK-3.1"] == "20"
    assert len(monthly_events(loaded)) == 1


def test_dry_run_answers_200_and_stores_and_emits_nothing(loaded: Service) -> None:
    post(loaded, penta("20", "350"))
    before = stored(loaded)
    r = post(loaded, penta("21", "350"), params={"dry_run": "true"}, headers={"Idempotency-Key": "bln-dry"})
    assert r.status_code == 200, r.text
    assert r.json()["revision"] == 2
    assert r.json()["summary"] == {"imported": 0, "updated": 1, "ignored": 1, "conflicts": []}
    assert stored(loaded) == before
    assert month_values(loaded)["IK-3.1"] == "20"
    assert len(monthly_events(loaded)) == 1
    bad = post(loaded, penta("-1"), params={"dry_run": "true"})
    assert bad.status_code == 422


# ---- periods -----------------------------------------------------------------------------------------------------


def test_a_closed_quarter_still_takes_progress_but_a_final_one_does_not(loaded: Service) -> None:
    assert loaded.client.post("/api/v1/periode/2024/TW1/close", headers=loaded.admin).status_code == 200
    assert post(loaded, penta("20", bulan=2)).status_code == 202  # closed: progress is informational
    approved = ev.DraftApproved(
        draft_id="d-1",
        tahun=2024,
        periode="TW1",
        jenis="laporan_triwulan",
        version=1,
        step=8,
        actor=ev.Actor(id=1, nama="Sekretaris", role="sekretaris"),
        final=True,
    )
    loaded.publish(loaded.stream("approval"), new_envelope("DraftApproved", approved, producer="approval"))
    status = "/api/v1/periode/2024/TW1/status"
    eventually(lambda: loaded.client.get(status, headers=loaded.admin).json()["status"] == "final")
    before = stored(loaded)
    r = post(loaded, penta("21", bulan=3))
    assert r.status_code == 409 and r.json()["errors"][0]["rule"] == "periode_closed"
    assert r.json()["errors"][0]["field"] == "bulan"
    assert stored(loaded) == before
    assert post(loaded, penta("21", bulan=4)).status_code == 202  # April is in TW2, still open


def test_concurrent_reports_answer_202_or_409_with_unique_revisions(loaded: Service) -> None:
    key = unit_key(loaded, "BID-PENTA")

    def send(n: int) -> Any:
        return loaded.client.post(URL, json=penta(str(n)), headers=auth(key))

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(send, range(1, 13)))
    assert {r.status_code for r in answers} <= {202, 409}
    revisions = [r.json()["revision"] for r in answers if r.status_code == 202]
    assert len(revisions) == len(set(revisions)) >= 1
    with loaded.session() as s:
        stored_revisions = sorted(s.exec(select(BulananSubmission.revision)))
    assert stored_revisions == sorted(revisions)
