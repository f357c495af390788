"""Redis goes away under a running system, and comes back: the four services run as processes on a private
redis-server (AOF, fsync always) while a client keeps sending quarterly submissions. Redis is stopped cleanly
(SIGTERM), later killed (SIGKILL), each time started again on the same port and folder, and finally every client
connection is dropped (CLIENT KILL TYPE normal). Throughout, the collector acknowledges every submission (it needs
only its database to accept one), /healthz of every service turns 503 while Redis is away and 200 after, with no
manual step and no process restart; the outbox holds what could not be published and drains once Redis is back; and
in the end every acknowledged submission is on the stream and in the recaps exactly as acknowledged."""

from __future__ import annotations

import json
import signal
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from faststream.redis.parser.binary import BinaryMessageFormatV1

from tests.faults.conftest import Faulty

SENDING = ("BPS", "BID-PPTK", "BID-PENTA", "BID-HI", "SEKRETARIAT")  # UPT-BLK waits: recaps stay provisional


@dataclass(frozen=True)
class Ack:
    triwulan: int
    unit: str
    revision: int
    submission_id: str
    values: dict[str, str]


@dataclass(eq=False)  # a thread must stay hashable
class Sender(threading.Thread):
    """One client sending submissions one after another (every one changes the unit's values) until stopped."""

    faulty: Faulty
    keys: dict[str, str]
    responsible: dict[str, list[str]]
    acked: list[Ack] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    halt: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        super().__init__(name="sender", daemon=True)

    def run(self) -> None:
        url = self.faulty.url("collector", "/api/v1/laporan-triwulan")
        with httpx.Client(timeout=15) as client:
            n = 0
            while not self.halt.is_set():
                unit, triwulan = SENDING[n % len(SENDING)], n // len(SENDING) % 4 + 1
                values = {kode: f"{n % 10_000 / 100:.2f}" for kode in self.responsible[unit]}
                body = {
                    "tahun": 2024,
                    "triwulan": triwulan,
                    "unit": unit,
                    "realisasi": [{"indikator": k, "nilai": v} for k, v in values.items()],
                }
                try:
                    r = client.post(url, json=body, headers={"Authorization": f"Bearer {self.keys[unit]}"})
                except httpx.HTTPError as exc:
                    self.failures.append(f"{unit} TW{triwulan}: {exc!r}")
                else:
                    if r.status_code == 202:
                        answer = r.json()
                        self.acked.append(Ack(triwulan, unit, answer["revision"], answer["submission_id"], values))
                    else:
                        self.failures.append(f"{unit} TW{triwulan}: {r.status_code} {r.text[:200]}")
                n += 1
                self.halt.wait(0.1)

    def wait_for(self, more: int, faulty: Faulty, what: str) -> None:
        target = len(self.acked) + more
        faulty.wait(lambda: len(self.acked) >= target, what, timeout=60)

    def stop(self) -> None:
        self.halt.set()
        self.join(30)


def setup(f: Faulty, pk: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    with httpx.Client(timeout=30) as c:
        r = c.put(f.url("collector", "/api/v1/perjanjian-kinerja/2024"), json=pk, headers=f.admin)
        assert r.status_code == 200, r.text
        keys = {}
        for unit in pk["units"]:
            r = c.post(f.url("collector", f"/api/v1/units/{unit['kode']}/api-keys"), headers=f.admin)
            assert r.status_code == 201, r.text
            keys[unit["kode"]] = r.json()["api_key"]
    responsible: dict[str, list[str]] = {}
    for sasaran in pk["sasaran"]:
        for ind in sasaran["indikator"]:
            responsible.setdefault(ind["penanggung_jawab"], []).append(ind["kode"])
    return keys, responsible


def outage(f: Faulty, sender: Sender, sig: int) -> dict[str, float]:
    """Redis away (stopped with `sig`) while submissions go on, then started again on the same port and folder."""
    sender.wait_for(10, f, "submissions before the outage")
    f.redis.stop(sig)
    went_down = f.wait_health(503)
    sender.wait_for(10, f, "submissions acknowledged while Redis is away")
    assert f.outbox_backlog() > 0  # what could not be published waits in the outbox
    f.redis.start()
    came_back = f.wait_health(200, timeout=60)
    return {"503 after (s)": round(went_down, 1), "200 after (s)": round(came_back, 1)}


def stream_submissions(f: Faulty) -> dict[str, int]:
    """submission_id -> how many TriwulanSubmitted entries carry it on the collector's stream."""
    out: dict[str, int] = {}
    for _, fields in f.client().xrange(f.settings.stream("collector")):
        env = json.loads(BinaryMessageFormatV1.parse(fields[b"__data__"])[0])
        if env["type"] == "TriwulanSubmitted":
            sid = env["payload"]["submission_id"]
            out[sid] = out.get(sid, 0) + 1
    return out


def assert_recaps_equal_what_was_acknowledged(f: Faulty, acked: list[Ack]) -> None:
    latest: dict[tuple[int, str], Ack] = {}
    for ack in acked:
        key = (ack.triwulan, ack.unit)
        if key not in latest or ack.revision > latest[key].revision:
            latest[key] = ack
    with httpx.Client(timeout=30) as c:
        for triwulan in (1, 2, 3, 4):
            want = {f"{t}:{u}": a.revision for (t, u), a in latest.items() if t == triwulan}

            def rekap(triwulan: int = triwulan, want: dict[str, int] = want) -> dict[str, Any] | None:
                r = c.get(f.url("aggregator", f"/api/v1/rekap/2024/TW{triwulan}"), headers=f.admin)
                assert r.status_code == 200, r.text
                return r.json() if r.json()["inputs"] == want else None  # type: ignore[no-any-return]

            body = f.wait(rekap, f"TW{triwulan} recap of every acknowledged revision", timeout=90)
            realisasi = {i["kode"]: i["realisasi"] for i in body["indikator"]}
            for (t, _), ack in latest.items():
                if t == triwulan:
                    for kode, nilai in ack.values.items():
                        assert Decimal(realisasi[kode]) == Decimal(nilai), (triwulan, kode, realisasi[kode], nilai)


def test_redis_stopped_killed_and_connections_dropped_lose_no_acknowledged_submission(
    faulty: Faulty, pk_2024: dict[str, Any]
) -> None:
    f = faulty
    t0 = time.monotonic()
    keys, responsible = setup(f, pk_2024)
    sender = Sender(f, keys, responsible)
    sender.start()
    timings = {}
    try:
        timings["SIGTERM"] = outage(f, sender, signal.SIGTERM)
        timings["SIGKILL"] = outage(f, sender, signal.SIGKILL)
        sender.wait_for(10, f, "submissions after the restarts")
        killed = f.client().client_kill_filter(_type="normal", skipme=True)
        assert killed >= 4  # at least each service's broker connection
        sender.wait_for(15, f, "submissions after the dropped connections")
    finally:
        sender.stop()
    print(f"timings: {timings}; {len(sender.acked)} acknowledged")
    assert sender.failures == []  # Redis away never refused nor failed a submission
    assert f.redis.starts == 3

    print(f"faults done at {time.monotonic() - t0:.1f} s")
    f.wait(lambda: f.outbox_backlog() == 0, "the collector's outbox drained", timeout=60)
    print(f"drained at {time.monotonic() - t0:.1f} s")
    on_stream = stream_submissions(f)
    acked_ids = {a.submission_id for a in sender.acked}
    assert set(on_stream) == acked_ids  # every acknowledged submission arrived; nothing else did
    assert_recaps_equal_what_was_acknowledged(f, sender.acked)
    print(f"recaps at {time.monotonic() - t0:.1f} s")
    f.wait_health(200)
    assert f.restarts() == dict.fromkeys(f.supervisor.children, 0)  # recovered by themselves, no process restart

    # the whole chain still works: the last unit completes TW1, the renderer drafts it, approval lists the draft
    with httpx.Client(timeout=30) as c:
        body = {"tahun": 2024, "triwulan": 1, "unit": "UPT-BLK", "realisasi": [{"indikator": "IK-2.1", "nilai": "180"}]}
        r = c.post(
            f.url("collector", "/api/v1/laporan-triwulan"),
            json=body,
            headers={"Authorization": f"Bearer {keys['UPT-BLK']}"},
        )
        assert r.status_code == 202, r.text
        params = {"tahun": 2024, "periode": "TW1"}
        started = time.monotonic()
        f.wait(lambda: c.get(f.url("approval", "/api/v1/drafts"), params=params, headers=f.admin).json(),
               "the TW1 draft to reach approval", timeout=90)  # fmt: skip
        print(f"TW1 drafted and listed in {time.monotonic() - started:.1f} s")
