"""Issue 7.1, crash while busy: thousands of quarterly submissions from concurrent agency clients while a killer
SIGKILLs a random service process ten times, at points of the clients' progress, and restarts it. At the end every
period's recap equals the one computed from what the collector acknowledged: nothing lost, nothing counted twice.
Run with one aggregator process, with two in one consumer group, and with two collector processes sharing one port
(`lapkin up --workers collector=2`), where killing one leaves the other taking submissions. See
docs/reliability.md."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from redis.exceptions import ResponseError
from sqlmodel import select

from bench.harness import setup_office
from lapkin.supervisor import redis_reachable
from services.aggregator.handlers import latest_revision
from services.aggregator.models import RekapRevision
from shared.db import make_engine, session_scope
from tests.chaos.processes import Processes
from tests.chaos.workload import (
    TAHUN,
    Clients,
    Killer,
    expected_recaps,
    newest_acks,
    office_pk,
    plan,
    revision_problems,
)
from tests.support.databases import fresh_database_url

REDIS_URL = os.environ.get("LAPKIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# the 5,000 (both scenarios in about 3½ minutes on 2 cores, PostgreSQL)
SUBMISSIONS = int(os.environ.get("LAPKIN_CHAOS_SUBMISSIONS", "5000"))
CONCURRENCY = int(os.environ.get("LAPKIN_CHAOS_CLIENTS", "12"))
SEED = int(os.environ.get("LAPKIN_CHAOS_SEED", "7"))
# SIGKILLs during the load, at points of the clients' progress (one every ≈ 5 s on 2 cores at 2026's speed)
KILLS = int(os.environ.get("LAPKIN_CHAOS_KILLS", "10"))
SETTLE_S = 300.0  # after the last acknowledgement: outboxes drained, every group caught up, nothing pending
PRODUCERS = ("collector", "aggregator", "approval", "renderer")


@pytest.fixture
def system(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Processes]:
    if not redis_reachable(REDIS_URL):
        pytest.fail(f"no Redis at {REDIS_URL}: start one (the README says how)")
    with fresh_database_url("lapkin_chaos") as database_url:
        aggregators, collectors = request.param
        procs = Processes(tmp_path / "data", REDIS_URL, database_url, aggregators=aggregators, collectors=collectors)
        procs.start_all()
        try:
            procs.wait_healthy()
            yield procs
        finally:
            procs.stop_all()
            problems = procs.log_problems()
            if problems:
                print(problems[-20_000:])
            _forget_streams(procs.prefix)


@pytest.mark.parametrize(
    "system", [(1, 1), (2, 1), (1, 2)], ids=["one-aggregator", "two-aggregators", "two-collectors"], indirect=True
)
def test_crash_while_busy(system: Processes) -> None:
    procs = system
    # two collectors: what the scenario adds is the shared port, so half the submissions and kills, every other one
    # a collector process (CI's whole run must stay near 20 min; every kill costs a restart's CPU)
    shared = procs.collectors > 1
    submissions = SUBMISSIONS // 2 if shared else SUBMISSIONS
    kills = KILLS // 2 if shared else KILLS
    pk = office_pk()
    with httpx.Client(timeout=30) as client:
        keys = setup_office(procs, client, pk)  # type: ignore[arg-type]  # Processes has the same url/admin
    clients = Clients(procs, pk, keys, seed=SEED)
    killer = Killer(procs, seed=SEED, kills=kills, total=submissions, favour="collector-" if shared else None)

    started, cpu_before = time.monotonic(), _cpu(procs)
    killer.start()
    try:
        clients.run(plan(submissions, SEED), CONCURRENCY, gate=killer.gate)
    finally:
        killer.finish()
    load_s = time.monotonic() - started
    procs.wait_healthy(timeout=90)
    # first what the recaps need: the collector's outbox published and the aggregators' group through it
    problems: list[str] = []
    recap_s = settle_s = float("nan")
    try:
        recap_s = _wait_settled(procs, streams={"collector": ("aggregator",)})
        problems += _recap_problems(procs, pk, clients)
        # then nothing anywhere may stay behind: every outbox, every group on every stream, no dead letter
        settle_s = _wait_settled(procs)
    except AssertionError as exc:
        problems.append(str(exc))
    total_s, cpu_after = time.monotonic() - started, _cpu(procs)
    cpu = {name: round(cpu_after[name] - cpu_before.get(name, 0.0)) for name in cpu_after}

    newest = newest_acks(clients.acks)
    print(
        f"\nchaos [{procs.aggregators} aggregator, {procs.collectors} collector process(es), "
        f"{'postgresql' if procs.database_url else 'sqlite'}, "
        f"{CONCURRENCY} clients]: {clients.stats.sent} submissions sent, {clients.stats.acknowledged} acknowledged "
        f"(+{clients.stats.replays} replays of a lost answer), {sum(a.revision for a in newest.values())} revisions "
        f"over {len(newest)} unit-quarters; kills {dict(sorted(killer.kills().items()))} ({len(killer.log)} in all); "
        f"retries {dict(clients.stats.retries.most_common())}; load {load_s:.1f} s, recaps settled "
        f"+{recap_s:.1f} s, all settled +{settle_s:.1f} s, total {total_s:.1f} s; CPU seconds {cpu}, "
        f"{sum(cpu.values())} in all, on {os.cpu_count()} cores at load average {os.getloadavg()[0]:.1f}"
    )
    for at, name, pid in killer.log:
        print(f"  {at:7.2f} s  SIGKILL {name} (pid {pid})")

    assert not clients.failures, "\n".join(clients.failures[:20])
    assert clients.stats.acknowledged == submissions
    assert not killer.unexpected_exits, killer.unexpected_exits
    assert not killer.stalls, killer.stalls
    assert len(killer.log) == len(killer.points), f"the killer killed {len(killer.log)} times of {len(killer.points)}"
    if shared:
        assert sum(name.startswith("collector-") for _, name, _ in killer.log) >= 2, killer.kills()
        # the port's socket outlives every process: a connection waits in its queue, it is never refused
        assert not clients.stats.retries["ConnectError"], clients.stats.retries
    assert not problems, "\n".join(problems[:30])


def _cpu(procs: Processes) -> dict[str, float]:
    """CPU seconds used so far per service process name, and by the clients (this test process)."""
    t = os.times()
    return {**procs.cpu_seconds(), "clients": t.user + t.system}


def _recap_problems(procs: Processes, pk: dict[str, Any], clients: Clients) -> list[str]:
    """Everything the acknowledgements promise, as a list of what is wrong (empty: nothing lost, nothing twice)."""
    problems = revision_problems(clients.acks)
    problems += _collector_history_problems(procs, clients)
    expected = expected_recaps(pk, clients.acks)
    for name in procs.procs:
        if name.startswith("aggregator"):
            problems += _recap_api_problems(procs, name, expected)
    problems += _stored_recap_problems(procs, expected)
    return problems


# ---- settling -----------------------------------------------------------------------------------------------


def _unsettled(procs: Processes, streams: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """What still moves: outbox rows not yet published, groups with pending entries or lag, dead letters.
    `streams` narrows it to some producers (their outboxes and streams) and the groups named for each."""
    problems = []
    for name, proc in procs.procs.items():
        if streams is not None and proc.service not in streams:
            continue
        try:
            text = httpx.get(procs.url(name, "/metrics"), timeout=10).text
        except httpx.HTTPError as exc:
            problems.append(f"{name}: /metrics {exc.__class__.__name__}")
            continue
        for line in text.splitlines():
            if line.startswith("lapkin_outbox_backlog ") and float(line.split()[-1]) > 0:
                problems.append(f"{name}: outbox backlog {line.split()[-1]}")
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        for producer in PRODUCERS if streams is None else tuple(streams):
            stream = f"{procs.prefix}.{producer}"
            try:
                groups = client.xinfo_groups(stream)
            except ResponseError:
                continue  # nothing published yet
            for g in groups:
                if streams is not None and g["name"] not in streams[producer]:
                    continue
                if g["pending"] or g.get("lag") != 0:
                    problems.append(f"{stream} group {g['name']}: pending {g['pending']}, lag {g.get('lag')}")
            if client.exists(f"{stream}.dlq"):
                problems.append(f"{stream}.dlq holds {client.xlen(f'{stream}.dlq')} dead letters")
    finally:
        client.close()
    return problems


def _wait_settled(procs: Processes, streams: dict[str, tuple[str, ...]] | None = None) -> float:
    started = time.monotonic()
    calm = 0
    problems: list[str] = []
    while time.monotonic() - started < SETTLE_S:
        problems = _unsettled(procs, streams)
        calm = 0 if problems else calm + 1
        if os.environ.get("LAPKIN_CHAOS_DEBUG"):
            print(f"settle {time.monotonic() - started:.1f}: {problems}")
        if calm >= 2:
            return time.monotonic() - started
        time.sleep(1.0)
    raise AssertionError(f"not settled after {SETTLE_S:.0f} s: {problems}")


# ---- the checks ---------------------------------------------------------------------------------------------


def _collector_history_problems(procs: Processes, clients: Clients) -> list[str]:
    """The collector stored exactly the acknowledged revisions, 1..n per unit and quarter, nothing else."""
    newest = newest_acks(clients.acks)
    problems = []
    with httpx.Client(timeout=30) as client:
        for q in (1, 2, 3, 4):
            r = client.get(procs.url("collector", f"/api/v1/periode/{TAHUN}/TW{q}/status"), headers=procs.admin)
            assert r.status_code == 200, r.text
            for row in r.json()["units"]:
                ack = newest.get((row["unit"], q))
                n = ack.revision if ack else 0
                history = [h["revision"] for h in row["history"]]
                if row["revision"] != n or history != list(range(1, n + 1)):
                    problems.append(f"collector {row['unit']} TW{q}: revision {row['revision']}, history {history}; "
                                    f"acknowledged up to {n}")  # fmt: skip
    return problems


def _differences(where: str, got: dict[str, Any], want: dict[str, Any]) -> list[str]:
    """The recap's keys whose value differs from the expected recap (compared as JSON); for a map, the entries."""
    out = []
    for key, value in json.loads(json.dumps(want)).items():
        have = got.get(key)
        if have == value:
            continue
        if isinstance(have, dict) and isinstance(value, dict):
            diff = {
                k: (have.get(k), value.get(k)) for k in sorted(set(have) | set(value)) if have.get(k) != value.get(k)
            }
            out.append(f"{where}: {key} differ as (got, expected): {diff}")
        elif isinstance(have, list) and isinstance(value, list) and len(have) == len(value):
            rows = [(a, b) for a, b in zip(have, value, strict=True) if a != b]
            out.append(f"{where}: {key} differ in {len(rows)} rows, first (got, expected): {str(rows[0])[:600]}")
        else:
            out.append(f"{where}: {key} is {str(have)[:300]}, expected {str(value)[:300]}")
    return out


def _recap_api_problems(procs: Processes, name: str, expected: dict[str, dict[str, Any]]) -> list[str]:
    """GET /rekap of every period from this aggregator process equals the recap computed from the acks, and its
    inputs are the newest acknowledged revision of every unit and quarter."""
    problems = []
    with httpx.Client(timeout=30) as client:
        for periode, want in expected.items():
            r = client.get(procs.url(name, f"/api/v1/rekap/{TAHUN}/{periode}"), headers=procs.admin)
            assert r.status_code == 200, r.text
            got = r.json()
            problems += _differences(f"GET {name} {periode}", got, {"inputs": want["inputs"], **want["rekap"]})
    return problems


def _stored_recap_problems(procs: Processes, expected: dict[str, dict[str, Any]]) -> list[str]:
    """The newest recap revision the aggregator stored (and published as RekapCompleted) is that same recap: no
    acknowledged submission's event was lost on the way through the outbox, the stream and the consumer."""
    problems = []
    engine = make_engine(procs.settings, "aggregator", read_only=True)
    try:
        with session_scope(engine) as session:
            for periode, want in expected.items():
                last = latest_revision(session, TAHUN, periode)
                if last is None:
                    problems.append(f"stored {periode}: no revision")
                    continue
                got = {"inputs": json.loads(last.inputs), **json.loads(last.body)}
                where = f"stored {periode} revision {last.revision}"
                found = _differences(where, got, {"inputs": want["inputs"], **want["rekap"]})
                if found:
                    found.append(f"stored {periode}: {_trail(session, periode, got['inputs'], want['inputs'])}")
                problems += found
    finally:
        engine.dispose()
    return problems


def _trail(session: Any, periode: str, got: dict[str, int], want: dict[str, int]) -> str:
    """For a failure's message: the period's stored revisions at which a wrongly stored input changed."""
    keys = [k for k in sorted(set(got) | set(want)) if got.get(k) != want.get(k)][:3]
    rows = session.exec(
        select(RekapRevision).where(RekapRevision.tahun == TAHUN, RekapRevision.periode == periode)
    ).all()
    trail: dict[str, list[tuple[int, int | None]]] = {k: [] for k in keys}
    for row in sorted(rows, key=lambda r: r.revision):
        inputs = json.loads(row.inputs)
        for k in keys:
            if not trail[k] or trail[k][-1][1] != inputs.get(k):
                trail[k].append((row.revision, inputs.get(k)))
    return f"(revision, input revision) where these inputs changed: {trail}"


def _forget_streams(prefix: str) -> None:
    """The shared Redis keeps nothing of this run (streams, groups, the operators' index)."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        batch = list(client.scan_iter(match=f"{prefix}.*", count=1000))
        for i in range(0, len(batch), 500):
            client.delete(*batch[i : i + 500])
    finally:
        client.close()
