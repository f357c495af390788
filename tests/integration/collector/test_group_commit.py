"""Group commit (shared/groupcommit.py) through the real collector served by uvicorn, over HTTP: concurrent reports
are stored in fewer transactions than requests, each exactly once with its one outbox row, and a report whose write
fails fails alone while the others of its transaction are stored.

How a group is made without timing: a test holds the write lock the collector's writer needs (SQLite: a BEGIN
IMMEDIATE on the database file; PostgreSQL: an EXCLUSIVE lock on the quarter table), so the first report's batch
waits on it while the others queue; once every request is queued the lock is let go."""

from __future__ import annotations

import copy
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis import Redis
from sqlalchemy import create_engine, event, text
from sqlmodel import Session, select

from services.collector.models import Submission
from shared.db import sqlite_path
from shared.messaging.outbox import OutboxMessage
from tests.integration.conftest import _drop_schema, eventually, make_settings
from tests.integration.security.conftest import ServedApp, free_port

SUBMIT = "/api/v1/laporan-triwulan"
COMMITTER = "lapkin-group-commit"


class Served:
    """The collector on a port, an HTTP client for it, and a count of the commits its writer thread made."""

    def __init__(self, app: Any, port: int) -> None:
        self.served = ServedApp(app, port)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        self.rt = app.state.rt
        self.commits = 0
        self.keys: dict[str, str] = {}

    def count_commit(self, _: Any) -> None:
        if threading.current_thread().name == COMMITTER:
            self.commits += 1

    def key(self, unit: str) -> str:
        if unit not in self.keys:
            r = self.http.post(f"/api/v1/units/{unit}/api-keys", headers=self.admin)
            assert r.status_code == 201, r.text
            self.keys[unit] = r.json()["api_key"]
        return self.keys[unit]

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.rt.settings.admin_token}"}

    def send(self, unit: str, nilai: str, triwulan: int = 1) -> httpx.Response:
        body = {
            "tahun": 2024,
            "triwulan": triwulan,
            "unit": unit,
            "realisasi": [{"indikator": INDIKATOR[unit], "nilai": nilai}],
        }
        return self.http.post(SUBMIT, json=body, headers={"Authorization": f"Bearer {self.key(unit)}"})

    def received(self) -> int:
        return int(self.gc.received)

    @property
    def gc(self) -> Any:
        from services.collector.api import group_commit

        return group_commit(self.rt)


INDIKATOR = {"BID-PENTA": "IK-3.1", "BPS": "IKU-1", "BID-HI": "IK-4.2"}


@pytest.fixture
def served(tmp_path: Path, database_url: str | None, redis_client: Redis, pk_2024: dict[str, Any]) -> Iterator[Served]:
    from services.collector.main import create_app

    if database_url:
        pytest.skip("the collector stores reports through the group commit on SQLite only (api._submit)")
    settings = make_settings(tmp_path, database_url).model_copy(update={"rate_limit_per_minute": 0})
    app = create_app(settings)
    s = Served(app, free_port())
    event.listen(s.rt.engine, "commit", s.count_commit)
    s.served.start()
    try:
        r = s.http.put("/api/v1/perjanjian-kinerja/2024", json=copy.deepcopy(pk_2024), headers=s.admin)
        assert r.status_code == 200, r.text
        for unit in INDIKATOR:
            s.key(unit)  # made before a test holds the write lock
        yield s
    finally:
        s.http.close()
        s.served.stop()
        keys = list(redis_client.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis_client.delete(*keys)
        _drop_schema(database_url, "collector")


@contextmanager
def write_lock_held(s: Served) -> Iterator[None]:
    """Hold the lock the collector's writer needs until the block ends."""
    path = sqlite_path(s.rt.settings, "collector")
    if path is not None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    engine = create_engine(s.rt.settings.database_url or "")
    try:
        with engine.connect() as conn, conn.begin():
            conn.execute(text("LOCK TABLE collector.col_unit_quarter IN EXCLUSIVE MODE"))
            yield
    finally:
        engine.dispose()


def in_one_group(
    s: Served, first: list[Callable[[], httpx.Response]], rest: list[Callable[[], httpx.Response]]
) -> tuple[list[httpx.Response], list[httpx.Response]]:
    """`first` sent, one for each writer thread, and taken (they then wait on the held lock); `rest` sent and all
    queued; then the lock let go: `rest` are stored in one batch, by the first writer free."""
    before = s.received()
    with ThreadPoolExecutor(len(first) + len(rest)) as pool:
        with write_lock_held(s):
            heads = [pool.submit(send) for send in first]
            eventually(lambda: s.received() == before + len(first) and s.gc.pending() == 0, timeout=60)
            tail = [pool.submit(send) for send in rest]
            eventually(lambda: s.received() == before + len(first) + len(rest), timeout=60)
        return [f.result() for f in heads], [f.result() for f in tail]


def blockers(s: Served) -> list[Callable[[], httpx.Response]]:
    """A report for each writer thread (BID-HI's quarters: the tests' reports are of other units and quarters)."""
    assert s.gc.lanes <= 4
    return [lambda t=t: s.send("BID-HI", "1", triwulan=t) for t in range(1, s.gc.lanes + 1)]  # type: ignore[misc]


def outbox_by_submission(s: Served) -> dict[str, list[dict[str, Any]]]:
    with Session(s.rt.engine) as session:
        rows = list(session.exec(select(OutboxMessage).where(OutboxMessage.type == "TriwulanSubmitted")))
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        payload = json.loads(row.body)["payload"]
        out.setdefault(payload["submission_id"], []).append(payload)
    return out


def test_concurrent_reports_are_each_stored_once_with_one_outbox_row_in_fewer_commits_than_requests(
    served: Served,
) -> None:
    n = 12
    commits_before = served.commits
    heads, answers = in_one_group(
        served,
        blockers(served),
        [lambda k=k: served.send("BID-PENTA", str(k)) for k in range(n)],  # type: ignore[misc]
    )
    assert [r.status_code for r in heads + answers] == [202] * (len(heads) + n), [r.text for r in heads + answers]
    assert served.commits - commits_before == len(heads) + 1 < len(heads) + n  # the queued reports: one transaction
    revisions = sorted(r.json()["revision"] for r in answers)
    assert revisions == list(range(1, n + 1))  # each stored once, one revision each, none lost
    with Session(served.rt.engine) as session:
        stored = list(session.exec(select(Submission).where(Submission.unit == "BID-PENTA")))
    assert sorted(row.id for row in stored) == sorted(r.json()["submission_id"] for r in answers)
    outbox = outbox_by_submission(served)
    for r in answers:  # one outbox row each, carrying that submission's revision
        rows = outbox[r.json()["submission_id"]]
        assert [row["revision"] for row in rows] == [r.json()["revision"]]
    assert len([p for rows in outbox.values() for p in rows if p["unit"] == "BID-PENTA"]) == n


def poison(s: Served, unit: str) -> None:
    """A database error for `unit`'s submissions only: a trigger refusing their insert."""
    settings = s.rt.settings
    path = sqlite_path(settings, "collector")
    if path is not None:
        with sqlite3.connect(path, isolation_level=None) as conn:
            conn.execute(
                f"CREATE TRIGGER poison BEFORE INSERT ON col_submission WHEN NEW.unit = '{unit}' "
                "BEGIN SELECT RAISE(ABORT, 'injected'); END"
            )
        return
    engine = create_engine(settings.database_url or "")
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE FUNCTION collector.poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"IF NEW.unit = '{unit}' THEN RAISE EXCEPTION 'injected' USING ERRCODE = 'check_violation'; "
                    "END IF; RETURN NEW; END $$"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER poison BEFORE INSERT ON collector.col_submission "
                    "FOR EACH ROW EXECUTE FUNCTION collector.poison()"
                )
            )
    finally:
        engine.dispose()


def test_a_report_whose_write_fails_fails_alone_and_the_others_of_its_transaction_are_stored(served: Served) -> None:
    poison(served, "BPS")
    commits_before = served.commits
    heads, rest = in_one_group(
        served,
        blockers(served),
        [
            lambda: served.send("BID-PENTA", "5"),
            lambda: served.send("BPS", "7.25"),
            lambda: served.send("BID-PENTA", "6", triwulan=2),
            lambda: served.send("BID-PENTA", "7", triwulan=3),
        ],
    )
    penta, bps, penta2, penta3 = rest
    assert bps.status_code == 409, bps.text
    assert bps.json()["errors"][0]["rule"] == "concurrent_submission"  # bilingual error body, the one shape
    assert {"message_id", "message_en"} <= set(bps.json()["errors"][0])
    stored = [*heads, penta, penta2, penta3]
    for r in stored:
        assert r.status_code == 202, r.text
    assert served.commits - commits_before == len(heads) + 1  # the first reports' transactions, then the group's
    with Session(served.rt.engine) as session:
        units = sorted(row.unit for row in session.exec(select(Submission)))
    assert units == sorted(["BID-HI"] * len(heads) + ["BID-PENTA"] * 3)
    outbox = outbox_by_submission(served)
    assert sorted(outbox) == sorted(r.json()["submission_id"] for r in stored)
    assert all(len(rows) == 1 for rows in outbox.values())


def test_a_report_failing_after_its_writes_leaves_no_trace_and_its_unit_can_report_again(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reports that fail after writing (a database error on their last statement: the unit's quarter row) in a
    batch with others: their rows go with them, the others are stored, and the unit's next report is its first
    revision. The second such report of a batch once left its submission row behind, and every later report of
    that unit's quarter was a 409 "concurrent submission" for ever."""
    from services.collector import store

    save_quarter = store.save_quarter

    def failing(session: Any, held: Any) -> None:
        if held.unit == "BID-PENTA":
            raise sqlite3.OperationalError("disk I/O error (injected)")
        save_quarter(session, held)

    monkeypatch.setattr(store, "save_quarter", failing)
    _, (bad, bps, bad_again) = in_one_group(
        served,
        blockers(served),
        [
            lambda: served.send("BID-PENTA", "5"),
            lambda: served.send("BPS", "7.25"),
            lambda: served.send("BID-PENTA", "6"),
        ],
    )
    assert bps.status_code == 202, bps.text
    assert bad.status_code == 500 and bad_again.status_code == 500, bad.text
    with Session(served.rt.engine) as session:
        penta = list(session.exec(select(Submission).where(Submission.unit == "BID-PENTA")))
    assert penta == []
    monkeypatch.setattr(store, "save_quarter", save_quarter)
    good = served.send("BID-PENTA", "7")
    assert good.status_code == 202 and good.json()["revision"] == 1, good.text
