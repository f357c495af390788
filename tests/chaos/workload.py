"""The chaos tests' agency clients and killer, and the recap computed independently from what the collector
acknowledged.

Clients behave like a real agency system: every submission carries an Idempotency-Key, and a request that failed
(connection refused or reset while the collector is down, a 5xx, 409 concurrent_submission) is sent again with the
same key until it is answered 202. Every 202 is an acknowledgement the office owes: the recaps must end up showing
exactly the newest acknowledged revision of every unit and quarter."""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from bench.synthetic import synthetic_pk
from services.aggregator.domain import PERIODE_QUARTERS
from services.aggregator.rekap import build_rekap, parse_pk
from tests.chaos.processes import Processes

TAHUN = 2024
UNITS = 20
PER_UNIT = 2  # the recap's work per event grows with the indicators; the bookkeeping under test does not
# One more indicator that its unit never reports: the recaps stay provisional, so no draft is rendered (thousands
# of three-format renders would measure the renderer, not the bookkeeping under test).
NEVER_REPORTED = "IK-BELUM"
RETRY_STATUSES = (500, 502, 503, 504)
REQUEST_DEADLINE_S = 120.0  # a submission not acknowledged by then fails the test
GATE_TIMEOUT_S = 120.0  # a client waiting longer for the killer to reach its point fails the test


def office_pk() -> dict[str, Any]:
    pk = synthetic_pk(TAHUN, UNITS, PER_UNIT, seed=7)
    last = pk["sasaran"][-1]["indikator"]
    last.append({**last[0], "kode": NEVER_REPORTED, "nama": "Indikator yang belum pernah dilaporkan"})
    return pk


def unit_codes(pk: dict[str, Any], unit: int) -> list[str]:
    return [i["kode"] for i in pk["sasaran"][unit]["indikator"] if i["kode"] != NEVER_REPORTED]


@dataclass(frozen=True)
class Intent:
    unit: int
    triwulan: int
    kind: str  # fresh | update | repeat
    replay: bool  # after the 202, send the same key and body again (the client lost the answer)


@dataclass(frozen=True)
class Ack:
    unit: str
    triwulan: int
    key: str
    submission_id: str
    revision: int
    values: dict[str, str]
    anggaran: str


def plan(n: int, seed: int) -> list[Intent]:
    """n submissions over every unit and quarter: mostly new values and updates, some unchanged repeats."""
    rnd = random.Random(seed)
    kinds = ("fresh", "update", "repeat")
    return [
        Intent(rnd.randrange(UNITS), rnd.randint(1, 4), rnd.choices(kinds, (2, 5, 3))[0], rnd.random() < 0.05)
        for _ in range(n)
    ]


@dataclass
class Stats:
    sent: int = 0
    acknowledged: int = 0
    replays: int = 0
    retries: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def retry(self, why: str) -> None:
        with self.lock:
            self.retries[why] += 1


class Clients:
    """`concurrency` agency clients sending the plan through the collector, recording every acknowledgement."""

    def __init__(self, procs: Processes, pk: dict[str, Any], keys: dict[str, str], seed: int) -> None:
        self.procs, self.pk, self.keys = procs, pk, keys
        self.rnd = random.Random(seed)
        self.lock = threading.Lock()
        self.latest: dict[tuple[str, int], Ack] = {}  # the newest acknowledgement per unit and quarter
        self.acks: list[Ack] = []
        self.stats = Stats()
        self.failures: list[str] = []

    def body(self, intent: Intent) -> dict[str, Any]:
        unit = f"U{intent.unit:03d}"
        codes = unit_codes(self.pk, intent.unit)
        with self.lock:
            last = self.latest.get((unit, intent.triwulan))
            rnd_value = self.rnd.randint
            if intent.kind == "fresh" or last is None:
                values = {c: str(rnd_value(0, 1000)) for c in codes}
                anggaran = str(rnd_value(1, 10**9))
            elif intent.kind == "update":
                values = dict(last.values)
                values[self.rnd.choice(codes)] = str(rnd_value(0, 1000))
                anggaran = last.anggaran
            else:
                values, anggaran = dict(last.values), last.anggaran
        return {
            "tahun": TAHUN,
            "triwulan": intent.triwulan,
            "unit": unit,
            "realisasi": [{"indikator": c, "nilai": v} for c, v in values.items()],
            "anggaran": {"realisasi": anggaran},
        }

    def post(self, client: httpx.Client, body: dict[str, Any], key: str) -> dict[str, Any]:
        """Send until 202, with the same Idempotency-Key, as a real client does."""
        headers = {"Authorization": f"Bearer {self.keys[body['unit']]}", "Idempotency-Key": key}
        url = self.procs.url("collector", "/api/v1/laporan-triwulan")
        deadline = time.monotonic() + REQUEST_DEADLINE_S
        pause = 0.05
        while True:
            try:
                r = client.post(url, json=body, headers=headers)
            except httpx.TransportError as exc:  # refused while the collector is down, reset when it was killed
                why = type(exc).__name__
            else:
                if r.status_code == 202:
                    return r.json()  # type: ignore[no-any-return]
                rule = _rule(r)
                if r.status_code in RETRY_STATUSES or (r.status_code == 409 and rule == "concurrent_submission"):
                    why = f"{r.status_code}" + (f" {rule}" if rule else "")
                    if r.status_code == 500:
                        self.failures.append(f"500 from the collector: {r.text[:500]}")
                else:
                    raise AssertionError(f"{r.status_code} {r.text[:500]} for {body['unit']} TW{body['triwulan']}")
            self.stats.retry(why)
            if time.monotonic() > deadline:
                raise AssertionError(f"not acknowledged within {REQUEST_DEADLINE_S:.0f} s (last: {why})")
            time.sleep(pause * random.uniform(0.5, 1.5))
            pause = min(1.0, pause * 2)

    def submit(self, client: httpx.Client, intent: Intent) -> None:
        body = self.body(intent)
        key = uuid.uuid4().hex
        answer = self.post(client, body, key)
        ack = Ack(
            unit=body["unit"],
            triwulan=body["triwulan"],
            key=key,
            submission_id=answer["submission_id"],
            revision=answer["revision"],
            values={i["indikator"]: i["nilai"] for i in body["realisasi"]},
            anggaran=body["anggaran"]["realisasi"],
        )
        with self.lock:
            self.acks.append(ack)
            held = self.latest.get((ack.unit, ack.triwulan))
            if held is None or ack.revision >= held.revision:
                self.latest[(ack.unit, ack.triwulan)] = ack
        if intent.replay:  # the client lost the answer and sends the same request again: the same answer
            again = self.post(client, body, key)
            if again != answer:
                self.failures.append(f"replay of {key} answered {again}, first {answer}")
            with self.stats.lock:
                self.stats.replays += 1

    def run(self, intents: list[Intent], concurrency: int, gate: Callable[[int], None] | None = None) -> None:
        """Sends the plan; `gate(i)` is called before the i-th submission is sent (and may hold it back)."""
        queue = list(reversed(intents))
        queue_lock = threading.Lock()
        taken = 0

        def worker() -> None:
            nonlocal taken
            with httpx.Client(timeout=30) as client:
                while True:
                    with queue_lock:
                        if not queue:
                            return
                        intent = queue.pop()
                        index = taken
                        taken += 1
                    if gate is not None:
                        gate(index)
                    with self.stats.lock:
                        self.stats.sent += 1
                    try:
                        self.submit(client, intent)
                    except Exception as exc:  # recorded; the test fails on it after the run
                        self.failures.append(f"{intent}: {exc}")
                        continue
                    with self.stats.lock:
                        self.stats.acknowledged += 1

        threads = [threading.Thread(target=worker, name=f"client-{i}") for i in range(concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def _rule(r: httpx.Response) -> str | None:
    try:
        errors = r.json().get("errors") or []
    except ValueError:
        return None
    return errors[0].get("rule") if errors else None


class Killer(threading.Thread):
    """SIGKILLs a service process `kills` times while the clients work through their plan of `total` submissions,
    and restarts it after a short delay, as a process manager would; also restarts (and records) any process that
    exited without being killed. The kills fall at seeded points of the clients' progress, not of the clock, so a
    faster system does not escape them: a client about to send past a point the killer has not reached yet waits
    for it (`gate`). With `favour`, every other kill picks among the processes whose name starts with it (when one
    is up)."""

    def __init__(self, procs: Processes, seed: int, kills: int, total: int, favour: str | None = None) -> None:
        super().__init__(name="killer", daemon=True)
        self.procs = procs
        self.favour = favour
        self.rnd = random.Random(seed)
        step = total / (kills + 1)
        self.points = (
            []
            if os.environ.get("LAPKIN_CHAOS_NOKILL")
            else [int(step * (i + self.rnd.uniform(-0.25, 0.25))) for i in range(1, kills + 1)]
        )
        self.slack = max(1, int(step / 4))  # how far past a point the clients may run before they wait for it
        self.progress = 0  # submissions the clients have taken from the plan
        self.changed = threading.Condition()
        self.stop = threading.Event()
        self.started_at = time.monotonic()
        self.log: list[tuple[float, str, int]] = []  # (seconds since start, process, pid)
        self.unexpected_exits: list[str] = []
        self.stalls: list[str] = []

    def gate(self, index: int) -> None:
        """Called by a client before it sends submission number `index` of the plan."""
        with self.changed:
            self.progress = max(self.progress, index + 1)
            self.changed.notify_all()
            waited = self.changed.wait_for(
                lambda: (
                    self.stop.is_set()
                    or len(self.log) >= len(self.points)
                    or index < self.points[len(self.log)] + self.slack
                ),
                timeout=GATE_TIMEOUT_S,
            )
            if not waited:
                self.stalls.append(f"submission {index} waited {GATE_TIMEOUT_S:.0f} s for kill {len(self.log) + 1}")

    def run(self) -> None:
        while len(self.log) < len(self.points) and not self.stop.is_set():
            with self.changed:
                self.changed.wait_for(
                    lambda: self.stop.is_set() or self.progress > self.points[len(self.log)], timeout=0.2
                )
                due = self.progress > self.points[len(self.log)]
            self.restart_crashed()
            if self.stop.is_set() or not due:
                continue
            # only a process that finished starting: a start costs seconds of CPU on a small machine, and killing
            # the same process again and again while it imports would only measure imports
            up = [name for name in self.procs.procs if self.procs.health(name) is None]
            if not up:
                continue
            favoured = [name for name in up if self.favour and name.startswith(self.favour)]
            name = self.rnd.choice(favoured if favoured and len(self.log) % 2 == 0 else up)
            pid = self.procs.kill(name)
            if pid is None:
                continue
            with self.changed:
                self.log.append((time.monotonic() - self.started_at, name, pid))
                self.changed.notify_all()
            if self.stop.wait(self.rnd.uniform(0.1, 1.0)):
                break
            self.procs.start(name)

    def restart_crashed(self) -> None:
        for name, proc in self.procs.procs.items():
            if proc.popen is not None and proc.popen.poll() is not None:
                if proc.popen.pid in {pid for _, _, pid in self.log}:
                    self.procs.start(name)  # ours, its restart delay cut short by the end of the run
                    continue
                self.unexpected_exits.append(f"{name} (pid {proc.popen.pid}) exited with {proc.popen.returncode}")
                self.procs.start(name)

    def finish(self) -> None:
        with self.changed:
            self.stop.set()
            self.changed.notify_all()
        self.join()
        self.restart_crashed()
        for name in self.procs.procs:
            self.procs.start(name)  # the one killed last

    def kills(self) -> Counter[str]:
        return Counter(name for _, name, _ in self.log)


# ---- the oracle -------------------------------------------------------------------------------------------------


def newest_acks(acks: list[Ack]) -> dict[tuple[str, int], Ack]:
    out: dict[tuple[str, int], Ack] = {}
    for ack in acks:
        held = out.get((ack.unit, ack.triwulan))
        if held is None or ack.revision > held.revision:
            out[(ack.unit, ack.triwulan)] = ack
    return out


def revision_problems(acks: list[Ack]) -> list[str]:
    """Per unit and quarter the acknowledged revisions are 1..n without a gap, and every acknowledgement of one
    revision carries the same values (an unchanged repeat is answered with the revision it matched)."""
    problems = []
    by_uq: dict[tuple[str, int], dict[int, list[Ack]]] = {}
    for ack in acks:
        by_uq.setdefault((ack.unit, ack.triwulan), {}).setdefault(ack.revision, []).append(ack)
    for (unit, q), revisions in sorted(by_uq.items()):
        if sorted(revisions) != list(range(1, max(revisions) + 1)):
            missing = sorted(set(range(1, max(revisions) + 1)) - set(revisions))
            problems.append(f"{unit} TW{q}: acknowledged revisions have gaps {missing}")
        for revision, same in revisions.items():
            shapes = {_shape(a) for a in same}
            if len(shapes) > 1:
                problems.append(f"{unit} TW{q} revision {revision} acknowledged with {len(shapes)} different bodies")
    return problems


def _shape(ack: Ack) -> tuple[tuple[str, Decimal], ...]:
    return (*sorted((k, Decimal(v)) for k, v in ack.values.items()), ("anggaran", Decimal(ack.anggaran)))


def expected_recaps(pk: dict[str, Any], acks: list[Ack]) -> dict[str, dict[str, Any]]:
    """Every period's recap and inputs as the aggregator must show them: built with the aggregator's own pure
    `build_rekap` from the newest acknowledged snapshot of each unit and quarter — nothing else."""
    newest = newest_acks(acks)
    values: dict[str, dict[int, Decimal]] = {}
    for (_, q), ack in newest.items():
        for kode, nilai in ack.values.items():
            values.setdefault(kode, {})[q] = Decimal(nilai)
    sasaran, indikator = parse_pk(pk)
    out = {}
    for periode, quarters in PERIODE_QUARTERS.items():
        rekap = build_rekap(tahun=TAHUN, periode=periode, sasaran=sasaran, indikator=indikator, values=values)
        inputs = {f"{q}:{unit}": ack.revision for (unit, q), ack in newest.items() if q in quarters}
        out[periode] = {"rekap": rekap, "inputs": inputs}
    return out
