"""Redis is not the source of truth: the four services run as processes on a private redis-server, the aggregator is
paused (SIGSTOP) so that accepted submissions sit published but unconsumed on the collector's stream, and then Redis
loses them — restarted without its data, or its streams (and with them every consumer group) deleted while the
system runs. Without a restart or an operator, every accepted submission is counted in the recaps afterwards, the
renderer draws the quarter that became complete from the lost events, and approval lists that newest draft."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from services.system import SERVICES
from tests.faults.conftest import Faulty
from tests.faults.test_redis_restart import Ack, Sender, assert_recaps_equal_what_was_acknowledged, setup

UNITS = ("BPS", "UPT-BLK", "BID-PPTK", "BID-PENTA", "BID-HI", "SEKRETARIAT")


def submit(f: Faulty, keys: dict[str, str], responsible: dict[str, list[str]], n: int, first: int = 0) -> list[Ack]:
    """`n` submissions, one after another, TW1 of every unit first (so TW1 becomes complete), each with values no
    earlier call sent (`first`: how many were sent before)."""
    acked = []
    with httpx.Client(timeout=30) as c:
        for i in range(n):
            unit, triwulan = UNITS[i % len(UNITS)], 1 + (i // len(UNITS)) % 2
            k = first + i + 1  # values between 0 and 100 (some indicators are percentages)
            values = {kode: f"{k % 100}.{k // 100 % 100:02d}" for kode in responsible[unit]}
            body = {
                "tahun": 2024,
                "triwulan": triwulan,
                "unit": unit,
                "realisasi": [{"indikator": k, "nilai": v} for k, v in values.items()],
            }
            for _ in range(5):  # a concurrent submission of the same quarter (the sender) wins a race: retry
                r = c.post(f.url("collector", "/api/v1/laporan-triwulan"), json=body,
                           headers={"Authorization": f"Bearer {keys[unit]}"})  # fmt: skip
                if r.status_code != 409:
                    break
            assert r.status_code == 202, r.text
            acked.append(Ack(triwulan, unit, r.json()["revision"], r.json()["submission_id"], values))
    return acked


def paused(f: Faulty, service: str, during: Callable[[], Any]) -> Any:
    """Run `during` with the service's process stopped (SIGSTOP): it reads nothing meanwhile."""
    proc = f.supervisor.children[service].proc
    assert proc is not None
    os.kill(proc.pid, signal.SIGSTOP)
    try:
        return during()
    finally:
        os.kill(proc.pid, signal.SIGCONT)


def aggregator_lag(f: Faulty) -> int:
    groups = {g["name"].decode(): g for g in f.client().xinfo_groups(f.settings.stream("collector"))}
    return int(groups["aggregator"]["lag"])


def aggregator_unread(f: Faulty) -> int:
    """Entries the aggregator has not applied: not read yet, or (pending) handed to it just as it was stopped — a
    blocked XREADGROUP of a stopped process still receives one entry."""
    groups = {g["name"].decode(): g for g in f.client().xinfo_groups(f.settings.stream("collector"))}
    return int(groups["aggregator"]["lag"]) + int(groups["aggregator"]["pending"])


def aggregator_caught_up(f: Faulty) -> bool:
    """The aggregator read and acknowledged the collector's newest entry (its lag is unknown after an XDEL)."""
    stream = f.settings.stream("collector")
    groups = {g["name"].decode(): g for g in f.client().xinfo_groups(stream)}
    newest = f.client().xinfo_stream(stream)["last-generated-id"]
    return groups["aggregator"]["last-delivered-id"] == newest and groups["aggregator"]["pending"] == 0


def published_unconsumed(f: Faulty, n: int) -> None:
    """Until the collector's relay published everything: the entries wait on the stream, unread by the aggregator."""
    f.wait(lambda: f.outbox_backlog() == 0, "the collector's outbox published", timeout=60)
    assert aggregator_unread(f) >= n  # published, not consumed: what a loss of Redis's data takes away


def assert_draft_follows(f: Faulty) -> None:
    """The renderer's newest TW1 draft shows the aggregator's newest TW1 recap, and approval lists that version."""
    with httpx.Client(timeout=30) as c:

        def drafted() -> dict[str, Any] | None:
            rekap = c.get(f.url("aggregator", "/api/v1/rekap/2024/TW1"), headers=f.admin).json()
            docs = c.get(f.url("renderer", "/api/v1/documents"), params={"tahun": 2024, "periode": "TW1"},
                         headers=f.admin).json()  # fmt: skip
            drafts = c.get(f.url("approval", "/api/v1/drafts"), params={"tahun": 2024, "periode": "TW1"},
                           headers=f.admin).json()  # fmt: skip
            if rekap["status"] != "complete" or not docs or not drafts:
                return None
            newest = max(docs, key=lambda d: d["version"])
            if newest["recap_revision"] != rekap["revision"] or drafts[0]["version"] != newest["version"]:
                return None
            return newest  # type: ignore[no-any-return]

        f.wait(drafted, "the TW1 draft of the newest recap, listed by approval", timeout=120)


def recoveries(f: Faulty, service: str) -> float:
    text = httpx.get(f.url(service, "/metrics"), timeout=15).text
    return sum(float(v) for v in re.findall(r"^lapkin_redis_recoveries_total\{[^}]*\} (\S+)$", text, re.MULTILINE))


def test_redis_restarted_without_its_data_loses_no_accepted_submission(faulty: Faulty, pk_2024: dict[str, Any]) -> None:
    f = faulty
    keys, responsible = setup(f, pk_2024)
    before = submit(f, keys, responsible, 3)  # consumed before the loss: counted already
    f.wait(lambda: aggregator_lag(f) == 0, "the first submissions consumed", timeout=60)

    def lose_data() -> list[Ack]:
        acked = submit(f, keys, responsible, 25, first=3)
        published_unconsumed(f, 25)
        f.redis.restart_empty()  # SIGKILL, AOF deleted, started again: Redis came back with nothing
        return acked

    started = time.monotonic()
    acked = before + paused(f, "aggregator", lose_data)
    assert_recaps_equal_what_was_acknowledged(f, acked)
    print(f"every accepted submission counted {time.monotonic() - started:.1f} s after the loss")
    assert_draft_follows(f)
    f.wait_health(200)
    assert f.restarts() == dict.fromkeys(f.supervisor.children, 0)  # no process restart: the services repaired it
    assert all(recoveries(f, s) >= 1 for s in SERVICES)  # each noticed and restored its part


def test_streams_and_groups_deleted_mid_run_lose_no_accepted_submission(
    faulty: Faulty, pk_2024: dict[str, Any]
) -> None:
    f = faulty
    keys, responsible = setup(f, pk_2024)
    sender = Sender(f, keys, responsible)
    sender.start()
    try:
        sender.wait_for(5, f, "submissions before the loss")

        def delete_streams() -> None:
            acked = submit(
                f, keys, responsible, 12, first=10_000
            )  # TW1 of every unit, twice: a complete quarter among the lost
            sender.acked.extend(acked)
            published_unconsumed(f, 1)
            client = f.client()
            streams = [f.settings.stream(s) for s in SERVICES]
            existed = sum(1 for s in streams if client.exists(s))
            # the streams go, and every consumer group with them; the epoch stays. (Not "none exists" after: the
            # sender keeps submitting, and a relay's next XADD makes its stream again at once, without its groups.)
            assert existed and client.delete(*streams) >= existed

        paused(f, "aggregator", delete_streams)
        sender.wait_for(10, f, "submissions after the loss")
    finally:
        sender.stop()
    # this test's own batch races the sender for the same unit's quarter: the loser is refused (409, retry), which
    # is no loss; anything else would be
    assert [x for x in sender.failures if "concurrent_submission" not in x] == []
    assert_recaps_equal_what_was_acknowledged(f, sender.acked)
    assert_draft_follows(f)
    f.wait_health(200)
    assert f.restarts() == dict.fromkeys(f.supervisor.children, 0)


def lapkin(f: Faulty, *args: str) -> subprocess.CompletedProcess[str]:
    """The `lapkin` command as an operator runs it, on this system's Redis and databases."""
    env = {**os.environ, **f.supervisor.env}
    return subprocess.run([sys.executable, "-m", "lapkin", *args], env=env, capture_output=True, text=True, timeout=180)


def metric(f: Faulty, service: str, name: str, **labels: str) -> float | None:
    text = httpx.get(f.url(service, "/metrics"), timeout=15).text
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    found = re.search(rf"^{name}(?:\{{{want}\}})? (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else None


def test_reconcile_finds_and_repairs_an_event_redis_lost_unnoticed(faulty: Faulty, pk_2024: dict[str, Any]) -> None:
    """An entry gone from the middle of a stream (not its newest, which the services watch) before the aggregator
    read it: only the reconciliation of the databases can see that gap; it reports it (human and --json, exit 1,
    /metrics, `lapkin status`) and `--repair` re-emits the event from the collector's data."""
    f = faulty
    keys, responsible = setup(f, pk_2024)
    acked = submit(f, keys, responsible, 6)  # TW1 of every unit: complete, drafted
    assert_draft_follows(f)
    assert lapkin(f, "reconcile", "--grace", "0").returncode == 0

    def lose_one() -> None:
        acked.extend(submit(f, keys, responsible, 3, first=6))  # new TW1 revisions of BPS, UPT-BLK, BID-PPTK
        published_unconsumed(f, 3)
        stream = f.settings.stream("collector")
        # the middle one: not the newest (which the services watch), nor the first (a stopped process's blocked
        # XREADGROUP may already hold it)
        middle = f.client().xrevrange(stream, count=2)[-1][0]
        assert f.client().xdel(stream, middle) == 1

    paused(f, "aggregator", lose_one)
    f.wait(lambda: aggregator_caught_up(f), "the aggregator read what is left", timeout=60)
    assert_draft_follows(f)

    found = lapkin(f, "reconcile", "--json", "--grace", "0")
    assert found.returncode == 1, found.stderr
    gaps = json.loads(found.stdout)["items"]
    assert [(g["check"], g["key"], g["want"], g["have"]) for g in gaps] == [
        ("collector-aggregator", "2024 TW1 UPT-BLK", "revisi 2", "revisi 1")
    ]
    human = lapkin(f, "reconcile", "--grace", "0")
    assert human.returncode == 1 and "2024 TW1 UPT-BLK" in human.stdout and "1 celah / gaps" in human.stdout
    assert metric(f, "aggregator", "lapkin_reconcile_gaps", check="collector-aggregator") == 1
    assert "celah rekonsiliasi / reconciliation gaps" in lapkin(f, "status").stdout

    repaired = lapkin(f, "reconcile", "--repair", "--grace", "0", "--wait", "90")
    assert repaired.returncode == 0, repaired.stdout + repaired.stderr
    assert "tidak ada celah / no gaps" in repaired.stdout
    assert_recaps_equal_what_was_acknowledged(f, acked)
    assert_draft_follows(f)
    assert metric(f, "collector", "lapkin_reconcile_gaps", check="collector-aggregator") == 0
    assert lapkin(f, "reconcile", "--grace", "0").returncode == 0
