"""Collector: GET periode status, POST close, and KoreksiRequested reopening named units (docs/contract.md, Collector);
in-process on real Redis + database."""

from __future__ import annotations

from typing import Any

from services.collector import handlers
from services.collector.models import PeriodeState
from shared.events import catalogue as ev
from shared.events.envelope import new_envelope
from tests.integration.conftest import Service, auth, eventually, unit_key

STATUS = "/api/v1/periode/2024/{}/status"
CLOSE = "/api/v1/periode/2024/{}/close"
SUBMIT = "/api/v1/laporan-triwulan"

UNIT_INDICATORS = {
    "BPS": ["IKU-1"],
    "UPT-BLK": ["IK-2.1"],
    "BID-PPTK": ["IK-2.2", "IK-2.3"],
    "BID-PENTA": ["IK-3.1", "IK-3.2"],
    "BID-HI": ["IK-4.1", "IK-4.2"],
    "SEKRETARIAT": ["IK-5.1"],
}


def submit(svc: Service, unit: str, codes: list[str] | None = None, triwulan: int = 1, nilai: str = "10") -> Any:
    items = [{"indikator": c, "nilai": nilai} for c in (codes if codes is not None else UNIT_INDICATORS[unit])]
    payload = {"tahun": 2024, "triwulan": triwulan, "unit": unit, "realisasi": items}
    return svc.client.post(SUBMIT, json=payload, headers=auth(unit_key(svc, unit)))


def status(svc: Service, periode: str = "TW1", headers: dict[str, str] | None = None) -> Any:
    return svc.client.get(STATUS.format(periode), headers=headers or svc.admin)


def koreksi(units: list[str], periode: str = "TW1") -> ev.KoreksiRequested:
    return ev.KoreksiRequested(
        draft_id="d-1",
        tahun=2024,
        periode=periode,
        jenis="laporan_triwulan",
        version=1,
        step=2,
        actor=ev.Actor(id=1, nama="Kabid", role="kabid"),
        note="data IK-3.1 salah",
        units=units,
    )


def test_status_for_admin_lists_every_expected_unit(loaded: Service) -> None:
    r = status(loaded)
    assert r.status_code == 200
    s = r.json()
    assert set(s) >= {
        "tahun",
        "periode",
        "status",
        "deadline",
        "expected_units",
        "submitted_units",
        "on_time_units",
        "units",
    }
    assert s["tahun"] == 2024 and s["periode"] == "TW1" and s["status"] == "open"
    assert s["deadline"].startswith("2024-04-10T23:59:59")
    assert s["expected_units"] == 6 and s["submitted_units"] == 0 and s["on_time_units"] == 0
    assert {u["unit"] for u in s["units"]} == set(UNIT_INDICATORS)
    for u in s["units"]:
        assert u == {
            "unit": u["unit"],
            "submitted": False,
            "on_time": None,
            "revision": 0,
            "missing_indikator": UNIT_INDICATORS[u["unit"]],
            "history": [],
            "bukti": {"count": 0, "files": []},
        }


def test_status_counts_submitted_units_and_lists_missing_indikator(loaded: Service) -> None:
    assert submit(loaded, "BPS").status_code == 202
    assert submit(loaded, "BID-PENTA", ["IK-3.2"]).status_code == 202  # partial
    s = status(loaded).json()
    assert s["expected_units"] == 6 and s["submitted_units"] == 1
    rows = {u["unit"]: u for u in s["units"]}
    assert rows["BPS"]["submitted"] is True and rows["BPS"]["missing_indikator"] == [] and rows["BPS"]["revision"] == 1
    assert isinstance(rows["BPS"]["on_time"], bool)
    assert s["on_time_units"] == int(rows["BPS"]["on_time"])
    assert len(rows["BID-PENTA"].pop("history")) == 1
    assert rows["BID-PENTA"] == {
        "unit": "BID-PENTA",
        "submitted": False,
        "on_time": None,
        "revision": 1,
        "missing_indikator": ["IK-3.1"],
        "bukti": {"count": 0, "files": []},
    }
    assert submit(loaded, "BID-PENTA", ["IK-3.1"]).status_code == 202
    s = status(loaded).json()
    assert s["submitted_units"] == 2
    assert {u["unit"]: u for u in s["units"]}["BID-PENTA"]["revision"] == 2
    # other quarters are separate
    assert status(loaded, "TW2").json()["submitted_units"] == 0


def test_a_unit_key_sees_only_its_own_row(loaded: Service) -> None:
    submit(loaded, "BPS")
    r = status(loaded, headers=auth(unit_key(loaded, "BID-HI")))
    assert r.status_code == 200
    s = r.json()
    assert [u["unit"] for u in s["units"]] == ["BID-HI"]
    assert s["units"][0]["missing_indikator"] == ["IK-4.1", "IK-4.2"]
    assert s["expected_units"] == 6 and s["submitted_units"] == 1


def test_status_needs_credentials_and_a_known_periode(loaded: Service) -> None:
    assert loaded.client.get(STATUS.format("TW1")).status_code == 401
    assert loaded.client.get(STATUS.format("TW1"), headers=auth("lpk_nope")).status_code == 401
    r = status(loaded, "TW5")
    assert r.status_code == 422 and set(r.json()["errors"][0]) == {"field", "rule", "message_id", "message_en"}
    r = loaded.client.get("/api/v1/periode/2023/TW1/status", headers=loaded.admin)
    assert r.status_code == 404 and r.json()["errors"][0]["rule"] == "pk_not_found"


def test_close_answers_200_closed_and_emits_periode_closed(loaded: Service) -> None:
    r = loaded.client.post(CLOSE.format("TW1"), headers=loaded.admin)
    assert r.status_code == 200
    assert r.json()["status"] == "closed"
    assert status(loaded).json()["status"] == "closed"
    assert status(loaded, "TW2").json()["status"] == "open"
    loaded.wait_relayed()
    closed = loaded.events("PeriodeClosed")
    assert len(closed) == 1
    assert closed[0]["payload"]["tahun"] == 2024 and closed[0]["payload"]["periode"] == "TW1"
    assert closed[0]["producer"] == "collector"
    # closing again changes nothing and emits nothing
    assert loaded.client.post(CLOSE.format("TW1"), headers=loaded.admin).json()["status"] == "closed"
    loaded.wait_relayed()
    assert len(loaded.events("PeriodeClosed")) == 1


def test_close_needs_the_admin_token(loaded: Service) -> None:
    assert loaded.client.post(CLOSE.format("TW1")).status_code == 401
    r = loaded.client.post(CLOSE.format("TW1"), headers=auth(unit_key(loaded, "BPS")))
    assert r.status_code == 403
    assert status(loaded).json()["status"] == "open"
    assert loaded.outbox("PeriodeClosed") == []


def test_a_submission_after_close_is_409_periode_closed(loaded: Service) -> None:
    assert submit(loaded, "BPS").status_code == 202
    loaded.client.post(CLOSE.format("TW1"), headers=loaded.admin)
    n = len(loaded.outbox())
    r = submit(loaded, "BPS", nilai="11")
    assert r.status_code == 409
    assert r.json()["errors"][0]["rule"] == "periode_closed"
    assert len(loaded.outbox()) == n
    assert submit(loaded, "BPS", triwulan=2).status_code == 202  # another quarter is still open


def test_koreksi_requested_on_the_stream_reopens_only_the_named_units(loaded: Service) -> None:
    submit(loaded, "BPS")
    submit(loaded, "BID-PENTA")
    loaded.client.post(CLOSE.format("TW1"), headers=loaded.admin)
    env = new_envelope("KoreksiRequested", koreksi(["BID-PENTA"]), producer="approval")
    loaded.publish(loaded.stream("approval"), env)

    def reopened() -> bool:
        with loaded.session() as s:
            state = s.get(PeriodeState, (2024, 1))
            return state is not None and "BID-PENTA" in state.reopened

    eventually(reopened)
    r = submit(loaded, "BID-PENTA", ["IK-3.1"], nilai="12")
    assert r.status_code == 202, r.text
    assert r.json()["revision"] == 2
    assert submit(loaded, "BPS", nilai="12").status_code == 409
    assert submit(loaded, "BID-HI").status_code == 409
    assert submit(loaded, "BID-PENTA", triwulan=1, nilai="13").status_code == 202  # stays open for it


def test_koreksi_handler_reopens_named_units_of_each_quarter_of_a_semester(loaded: Service) -> None:
    for tw in ("TW1", "TW2"):
        loaded.client.post(CLOSE.format(tw), headers=loaded.admin)
    env = new_envelope("KoreksiRequested", koreksi(["BID-HI", "BPS"], periode="S1"), producer="approval")
    with loaded.session() as s:
        handlers.on_koreksi_requested(s, env, koreksi(["BID-HI", "BPS"], periode="S1"))
        s.commit()
    for tw in (1, 2):
        assert submit(loaded, "BID-HI", triwulan=tw).status_code == 202
        assert submit(loaded, "BPS", triwulan=tw).status_code == 202
        assert submit(loaded, "BID-PENTA", triwulan=tw).status_code == 409
    # closing TW1 again ends the correction there; TW2 stays reopened for the two units
    assert loaded.client.post(CLOSE.format("TW1"), headers=loaded.admin).json()["status"] == "closed"
    assert submit(loaded, "BPS", triwulan=1).status_code == 409
    assert submit(loaded, "BPS", triwulan=2, nilai="11").status_code == 202


def test_a_final_approval_closes_collection_for_everyone(loaded: Service) -> None:
    approved = ev.DraftApproved(**{**koreksi([]).model_dump(), "final": True})
    env = new_envelope("DraftApproved", approved, producer="approval")
    loaded.publish(loaded.stream("approval"), env)
    eventually(lambda: status(loaded).json()["status"] == "final")
    r = submit(loaded, "BPS")
    assert r.status_code == 409 and r.json()["errors"][0]["rule"] == "periode_closed"
    assert loaded.client.post(CLOSE.format("TW1"), headers=loaded.admin).json()["status"] == "final"


def test_status_history_lists_each_revision_with_time_and_lateness(loaded: Service) -> None:
    kalender = {"triwulan": [{"triwulan": 1, "deadline": "2099-12-31"}]}
    assert loaded.client.put("/api/v1/kalender/2024", json=kalender, headers=loaded.admin).status_code == 200
    assert submit(loaded, "BID-HI", ["IK-4.1"]).status_code == 202
    assert submit(loaded, "BID-HI", ["IK-4.1"]).status_code == 202  # unchanged: no new revision
    assert submit(loaded, "BID-HI", ["IK-4.1", "IK-4.2"], nilai="11").status_code == 202
    assert submit(loaded, "BPS", triwulan=2).status_code == 202  # another quarter: not in TW1's history
    units = {u["unit"]: u for u in status(loaded).json()["units"]}
    hist = units["BID-HI"]["history"]
    assert [h["revision"] for h in hist] == [1, 2]
    assert all(h["late"] is False and h["received_at"] and h["submission_id"] for h in hist)
    assert units["BPS"]["history"] == []
    late = status(loaded, "TW2").json()["units"]
    assert next(u for u in late if u["unit"] == "BPS")["history"][0]["late"] is True  # default deadline 2024-07-10


def test_kelengkapan_gives_reporting_and_on_time_rates_per_quarter(loaded: Service) -> None:
    kalender = {"triwulan": [{"triwulan": 1, "deadline": "2099-12-31"}]}
    assert loaded.client.put("/api/v1/kalender/2024", json=kalender, headers=loaded.admin).status_code == 200
    for unit in ("BPS", "UPT-BLK", "BID-PPTK"):
        assert submit(loaded, unit).status_code == 202
    assert submit(loaded, "BID-HI", ["IK-4.1"]).status_code == 202  # partial: not counted
    assert submit(loaded, "BPS", triwulan=2).status_code == 202  # after the default deadline: late
    r = loaded.client.get("/api/v1/kelengkapan/2024", headers=loaded.admin)
    assert r.status_code == 200, r.text
    q = {row["periode"]: row for row in r.json()["triwulan"]}
    assert set(q) == {"TW1", "TW2", "TW3", "TW4"}
    assert q["TW1"] | {"deadline": None} == {
        "periode": "TW1",
        "status": "open",
        "deadline": None,
        "expected": 6,
        "actual": 3,
        "on_time": 3,
        "reporting_rate": 50.0,
        "on_time_rate": 50.0,
    }
    assert (q["TW2"]["actual"], q["TW2"]["on_time"], q["TW2"]["reporting_rate"]) == (1, 0, 16.7)
    assert q["TW2"]["on_time_rate"] == 0.0
    assert q["TW3"]["actual"] == 0 and q["TW3"]["reporting_rate"] == 0.0


def test_kelengkapan_is_for_officials_not_units(loaded: Service) -> None:
    assert loaded.client.get("/api/v1/kelengkapan/2024", headers=auth(unit_key(loaded, "BPS"))).status_code == 403
    assert loaded.client.get("/api/v1/kelengkapan/2024").status_code == 401
    assert loaded.client.get("/api/v1/kelengkapan/2023", headers=loaded.admin).status_code == 404
