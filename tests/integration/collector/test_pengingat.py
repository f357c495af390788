"""Collector: reminders (`SubmissionOverdue`), N days before a quarter's deadline and at it, one summary per unit
that still owes data, each sent once; in-process on real Redis + database."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import select

from services.collector import handlers, reminders
from services.collector.main import create_app
from services.collector.models import ReminderSent
from tests.integration.conftest import Service, auth, eventually, make_settings, put_pk, unit_key

KALENDER = "/api/v1/kalender/2024"
DEADLINE_TW1 = datetime.fromisoformat("2024-04-10T23:59:59+07:00")


def submit(svc: Service, unit: str, values: dict[str, str], triwulan: int = 1) -> None:
    body = {
        "tahun": 2024,
        "triwulan": triwulan,
        "unit": unit,
        "realisasi": [{"indikator": k, "nilai": v} for k, v in values.items()],
    }
    r = svc.client.post("/api/v1/laporan-triwulan", json=body, headers=auth(unit_key(svc, unit)))
    assert r.status_code == 202, r.text


def send(svc: Service, now: datetime) -> int:
    return reminders.send_due(svc.rt, svc.rt.engine, now)


def overdue(svc: Service) -> list[dict[str, Any]]:
    return [json.loads(m.body)["payload"] for m in svc.outbox("SubmissionOverdue")]


def test_reminder_before_the_deadline_goes_once_to_each_unit_that_owes_data(loaded: Service, pk: dict) -> None:
    owed = handlers.responsible(pk)
    submit(loaded, "BPS", {"IKU-1": "80"})  # BPS reported everything: no reminder
    submit(loaded, "BID-PPTK", {"IK-2.2": "50"})  # half of its indicators
    r = loaded.client.put(KALENDER, json={"triwulan": []}, headers=loaded.admin)  # the default calendar
    assert r.status_code == 200

    assert send(loaded, DEADLINE_TW1 - timedelta(days=3, minutes=1)) == 0  # not yet
    assert send(loaded, DEADLINE_TW1 - timedelta(days=2)) == len(owed) - 1
    sent = {p["unit"]: p for p in overdue(loaded)}
    assert set(sent) == set(owed) - {"BPS"}
    assert sent["BID-PPTK"]["missing_indikator"] == ["IK-2.3"]
    assert sent["BID-PENTA"]["missing_indikator"] == sorted(owed["BID-PENTA"])
    assert {p["jenis"] for p in sent.values()} == {"pengingat"}
    assert {p["periode"] for p in sent.values()} == {"TW1"}
    assert sent["UPT-BLK"]["deadline"] == DEADLINE_TW1.isoformat()
    assert sent["UPT-BLK"]["nama_unit"] == next(u["nama"] for u in pk["units"] if u["kode"] == "UPT-BLK")

    assert send(loaded, DEADLINE_TW1 - timedelta(days=1)) == 0  # each reminder once
    loaded.wait_relayed()
    assert len(loaded.events("SubmissionOverdue")) == len(owed) - 1


def test_at_the_deadline_the_units_still_missing_get_a_late_notice(loaded: Service, pk: dict) -> None:
    owed = handlers.responsible(pk)
    send(loaded, DEADLINE_TW1 - timedelta(days=1))
    submit(loaded, "BID-HI", {"IK-4.1": "90", "IK-4.2": "3"})  # completes after the reminder
    submit(loaded, "BID-PENTA", {"IK-3.1": "70"})
    assert send(loaded, DEADLINE_TW1 + timedelta(hours=1)) == len(owed) - 1  # all but BID-HI
    late = {p["unit"]: p for p in overdue(loaded) if p["jenis"] == "terlambat"}
    assert "BID-HI" not in late
    assert late["BID-PENTA"]["missing_indikator"] == ["IK-3.2"]
    assert late["BPS"]["missing_indikator"] == ["IKU-1"]


def test_no_stale_reminders_and_none_for_closed_quarters(loaded: Service) -> None:
    # a week past the deadline the notice is no longer sent (the system was down or the year is old)
    assert send(loaded, DEADLINE_TW1 + timedelta(days=7, minutes=1)) == 0
    # a closed quarter gets none
    deadline_tw2 = datetime.fromisoformat("2024-07-10T23:59:59+07:00")
    assert loaded.client.post("/api/v1/periode/2024/TW2/close", headers=loaded.admin).status_code == 200
    assert send(loaded, deadline_tw2 - timedelta(days=1)) == 0
    deadline_tw3 = datetime.fromisoformat("2024-10-10T23:59:59+07:00")
    assert send(loaded, deadline_tw3 - timedelta(days=1)) > 0


def test_a_reminder_never_falls_before_the_window_opens(loaded: Service) -> None:
    body = {"triwulan": [{"triwulan": 1, "buka": "2024-04-09", "deadline": "2024-04-10"}]}
    assert loaded.client.put(KALENDER, json=body, headers=loaded.admin).status_code == 200
    assert send(loaded, datetime.fromisoformat("2024-04-08T12:00:00+07:00")) == 0
    assert send(loaded, datetime.fromisoformat("2024-04-09T00:00:01+07:00")) > 0


def test_two_collector_processes_send_each_reminder_once(loaded: Service, pk: dict) -> None:
    owed = handlers.responsible(pk)
    now = DEADLINE_TW1 - timedelta(days=1)
    counts: list[int] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        barrier.wait()
        counts.append(send(loaded, now))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == len(owed)
    assert len(overdue(loaded)) == len(owed)
    with loaded.session() as s:
        assert len(list(s.exec(select(ReminderSent)))) == len(owed)


def test_the_collector_clock_sends_reminders_by_itself(tmp_path, database_url, redis_client, pk: dict) -> None:
    settings = make_settings(tmp_path, database_url)
    settings.reminder_interval_s = 0.2
    now = datetime.now().astimezone()
    calendar = {
        "triwulan": [
            {
                "triwulan": 1,
                "buka": (now - timedelta(days=5)).isoformat(),
                "deadline": (now + timedelta(days=1)).isoformat(),
            }
        ]
    }
    try:
        with TestClient(create_app(settings)) as client:
            svc = Service(client, settings, redis_client)
            put_pk(svc, pk)
            assert client.put(KALENDER, json=calendar, headers=svc.admin).status_code == 200
            events = eventually(lambda: svc.events("SubmissionOverdue"), timeout=15)
            assert {e["payload"]["jenis"] for e in events} == {"pengingat"}
    finally:
        keys = list(redis_client.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis_client.delete(*keys)
        if database_url:
            from tests.integration.conftest import _drop_schema

            _drop_schema(database_url, "collector")
