"""Approval: the collector's reminders (`SubmissionOverdue`) reach the Sub Koordinator — in the JSON API and at the
top of the inbox — and a reminder is settled once the quarter's recap shows the unit's indicators reported."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.approval.main import create_app
from tests.integration.ops.conftest import event, eventually, put, session_cookie


@pytest.fixture
def app(settings, r) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


def official(client: TestClient, settings, username: str, role: str) -> dict[str, str]:
    body = {"username": username, "password": "rahasia-123", "nama": username.title(), "role": role}
    res = client.post("/api/v1/officials", json=body, headers={"Authorization": f"Bearer {settings.admin_token}"})
    assert res.status_code == 201, res.text
    return {"Cookie": f"lapkin_sesi={session_cookie(settings, int(res.json()['id']))}"}


def overdue(unit: str, missing: list[str], jenis: str = "pengingat", periode: str = "TW1") -> dict:
    return {
        "tahun": 2024,
        "periode": periode,
        "unit": unit,
        "nama_unit": f"Unit <b>{unit}</b>",
        "deadline": "2024-04-10T23:59:59+07:00",
        "missing_indikator": missing,
        "jenis": jenis,
    }


def rekap(revision: int, reported: dict[str, str | None]) -> dict:
    indikator = [{"kode": k, "realisasi": v} for k, v in reported.items()]
    return {"tahun": 2024, "periode": "TW1", "revision": revision, "status": "provisional",
            "rekap": {"indikator": indikator}, "inputs": {}}  # fmt: skip


def listed(app: TestClient, settings, **params) -> list[dict]:
    admin = {"Authorization": f"Bearer {settings.admin_token}"}
    res = app.get("/api/v1/pengingat", params=params, headers=admin)
    assert res.status_code == 200, res.text
    return res.json()["pengingat"]


def test_reminders_reach_the_subkor_and_settle_when_the_recap_shows_the_data(app, settings, r):
    put(r, settings, event("SubmissionOverdue", overdue("BID-PENTA", ["IK-3.1", "IK-3.2"]), "collector"))
    put(r, settings, event("SubmissionOverdue", overdue("BPS", ["IKU-1"]), "collector"))
    rows = eventually(lambda: len(listed(app, settings)) == 2 and listed(app, settings), what="reminders stored")
    assert {x["unit"]: x["missing_indikator"] for x in rows} == {"BID-PENTA": ["IK-3.1", "IK-3.2"], "BPS": ["IKU-1"]}

    subkor = official(app, settings, "bayu", "subkor")
    page = app.get("/kotak-masuk", headers=subkor).text
    assert 'id="pengingat-2024-TW1-BID-PENTA"' in page and "IK-3.1, IK-3.2" in page
    assert "Triwulan I 2024" in page and "menjelang batas waktu" in page
    assert "Unit <b>" not in page and "Unit &lt;b&gt;BPS&lt;/b&gt;" in page  # names are escaped
    staf = official(app, settings, "sri", "staf")
    assert 'id="pengingat' not in app.get("/kotak-masuk", headers=staf).text  # the Sub Koordinator's to chase

    # the deadline passes: the late notice supersedes the reminder
    put(r, settings, event("SubmissionOverdue", overdue("BPS", ["IKU-1"], "terlambat"), "collector"))
    eventually(lambda: {x["unit"]: x["jenis"] for x in listed(app, settings)}["BPS"] == "terlambat", what="late")
    assert "melewati batas waktu" in app.get("/kotak-masuk", headers=subkor).text

    # BPS reports everything and BID-PENTA half: the recap settles BPS and shortens BID-PENTA's list
    put(r, settings, event("RekapCompleted", rekap(3, {"IKU-1": "80.00", "IK-3.1": "70.00", "IK-3.2": None}),
                           "aggregator"))  # fmt: skip
    eventually(lambda: [x["unit"] for x in listed(app, settings)] == ["BID-PENTA"], what="BPS settled")
    assert listed(app, settings)[0]["missing_indikator"] == ["IK-3.2"]
    settled = [x for x in listed(app, settings, semua="true") if x["unit"] == "BPS"]
    assert settled and settled[0]["selesai_at"] is not None
    assert 'id="pengingat-2024-TW1-BPS"' not in app.get("/kotak-masuk", headers=subkor).text


def test_a_reminder_arriving_after_the_recap_is_settled_against_it(app, settings, r):
    put(r, settings, event("RekapCompleted", rekap(1, {"IKU-1": "80.00", "IK-2.1": None}), "aggregator"))
    put(r, settings, event("SubmissionOverdue", overdue("BPS", ["IKU-1"]), "collector"))
    put(r, settings, event("SubmissionOverdue", overdue("UPT-BLK", ["IK-2.1"]), "collector"))
    eventually(lambda: [x["unit"] for x in listed(app, settings)] == ["UPT-BLK"], what="only UPT-BLK open")


def test_reminders_need_an_official_or_admin(app, settings, r):
    assert app.get("/api/v1/pengingat").status_code == 401
