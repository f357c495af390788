"""Collector: the reporting calendar per year (PUT/GET /kalender/{tahun}), early submissions refused once a calendar
is set, and timeliness against the configured deadline; in-process on real Redis + database."""

from __future__ import annotations

from typing import Any

from services.collector import handlers
from tests.integration.conftest import Service, auth, unit_key

KALENDER = "/api/v1/kalender/2024"
SUBMIT = "/api/v1/laporan-triwulan"


def submit(svc: Service, unit: str = "BPS", triwulan: int = 1, dry_run: bool = False) -> Any:
    payload = {"tahun": 2024, "triwulan": triwulan, "unit": unit, "realisasi": [{"indikator": "IKU-1", "nilai": "5"}]}
    url = SUBMIT + ("?dry_run=true" if dry_run else "")
    return svc.client.post(url, json=payload, headers=auth(unit_key(svc, unit)))


def test_get_without_calendar_gives_the_defaults(loaded: Service) -> None:
    r = loaded.client.get(KALENDER, headers=loaded.admin)
    assert r.status_code == 200
    body = r.json()
    assert body["configured"] is False
    tw = {row["triwulan"]: row for row in body["triwulan"]}
    assert tw[1]["buka"] == "2024-04-01T00:00:00+07:00"
    assert tw[1]["deadline"] == "2024-04-10T23:59:59+07:00"
    assert tw[4]["buka"] == "2025-01-01T00:00:00+07:00"
    assert tw[4]["deadline"] == "2025-01-10T23:59:59+07:00"


def test_put_sets_windows_and_defaults_the_rest(loaded: Service) -> None:
    body = {"triwulan": [{"triwulan": 2, "buka": "2024-07-02", "deadline": "2024-07-15"}]}
    r = loaded.client.put(KALENDER, json=body, headers=loaded.admin)
    assert r.status_code == 200, r.text
    tw = {row["triwulan"]: row for row in r.json()["triwulan"]}
    assert r.json()["configured"] is True
    assert tw[2]["buka"] == "2024-07-02T00:00:00+07:00"
    assert tw[2]["deadline"] == "2024-07-15T23:59:59+07:00"
    assert tw[1]["deadline"] == "2024-04-10T23:59:59+07:00"
    again = loaded.client.get(KALENDER, headers=loaded.admin).json()
    assert again == r.json()


def test_calendar_needs_admin(loaded: Service) -> None:
    key = auth(unit_key(loaded, "BPS"))
    assert loaded.client.get(KALENDER, headers=key).status_code == 403
    assert loaded.client.put(KALENDER, json={"triwulan": []}, headers=key).status_code == 403
    assert loaded.client.put(KALENDER, json={"triwulan": []}).status_code == 401


def test_bad_calendar_is_422_and_stores_nothing(loaded: Service) -> None:
    bad: list[Any] = [
        {"triwulan": 5},
        {"triwulan": 1, "buka": "kemarin"},
        {"triwulan": 1, "buka": "2024-04-10", "deadline": "2024-04-01"},
        "x",
    ]
    for item in bad:
        r = loaded.client.put(KALENDER, json={"triwulan": [item]}, headers=loaded.admin)
        assert r.status_code == 422, (item, r.text)
        err = r.json()["errors"][0]
        assert err["message_id"] and err["message_en"]
    dup = {"triwulan": [{"triwulan": 1}, {"triwulan": 1}]}
    assert loaded.client.put(KALENDER, json=dup, headers=loaded.admin).status_code == 422
    assert loaded.client.put(KALENDER, json={"x": 1}, headers=loaded.admin).status_code == 422
    assert loaded.client.put(KALENDER, json=[1], headers=loaded.admin).status_code == 422
    assert loaded.client.get(KALENDER, headers=loaded.admin).json()["configured"] is False


def test_without_calendar_early_submission_is_accepted(loaded: Service) -> None:
    assert submit(loaded).status_code == 202


def test_submission_before_window_opens_is_409_with_the_date(loaded: Service) -> None:
    body = {"triwulan": [{"triwulan": 1, "buka": "2099-01-05", "deadline": "2099-01-20"}]}
    assert loaded.client.put(KALENDER, json=body, headers=loaded.admin).status_code == 200
    for dry_run in (True, False):
        r = submit(loaded, dry_run=dry_run)
        assert r.status_code == 409, r.text
        err = r.json()["errors"][0]
        assert err["rule"] == "periode_belum_dibuka"
        assert "2099-01-05" in err["message_id"] and "2099-01-05" in err["message_en"]
    status = loaded.client.get("/api/v1/periode/2024/TW1/status", headers=loaded.admin).json()
    assert status["submitted_units"] == 0
    # the other quarters keep their default windows, which are open by now
    assert submit(loaded, triwulan=2).status_code == 202


def test_timeliness_uses_the_configured_deadline(loaded: Service) -> None:
    body = {"triwulan": [{"triwulan": 1, "deadline": "2099-12-31T23:59:59+07:00"}]}
    assert loaded.client.put(KALENDER, json=body, headers=loaded.admin).status_code == 200
    r = submit(loaded)
    assert r.status_code == 202 and r.json()["on_time"] is True
    assert submit(loaded, triwulan=2).json()["on_time"] is False  # default deadline 2024-07-10 long past
    status = loaded.client.get("/api/v1/periode/2024/TW1/status", headers=loaded.admin).json()
    assert status["deadline"].startswith("2099-12-31T23:59:59")
    bps = next(u for u in status["units"] if u["unit"] == "BPS")
    assert bps["submitted"] is True and bps["on_time"] is True


def test_default_window_and_naive_times_are_jakarta() -> None:
    opens, due = handlers.default_window(2024, 4)
    assert opens.isoformat() == "2025-01-01T00:00:00+07:00"
    assert due.isoformat() == "2025-01-10T23:59:59+07:00"
    moment = handlers._parse_moment("2024-04-10T12:00:00", end_of_day=True)
    assert moment is not None and moment.isoformat() == "2024-04-10T12:00:00+07:00"
