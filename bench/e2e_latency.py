"""End-to-end latency (issue 7 §9): from the last unit's submission of a quarter to the quarterly draft's three files
(.docx, .pdf, .xlsx) on disk, the whole system running; p50 over N runs, for the worked example (examples/, goal
under 2 s) and for a synthetic office (default 40 units sharing 300 indicators, goal under 10 s).

Run 1 is the quarter's completion by its last unit; each later run is that unit sending a corrected figure, which
makes a new recap revision and a new draft version: the same path. Before each run the system is quiet (every
event consumed, the previous draft drawn). Each run also shows when the collector answered and when the aggregator
published the recap (the Redis entry's time), so the time can be told apart.

    .venv/bin/python bench/e2e_latency.py [--runs 10] [--office example] [--office 40x300]

DATABASE_URL as for bench/ingest.py (unset: SQLite; a PostgreSQL URL names the server, each office gets a fresh
database on it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import Running, draft_files, running_system, setup_office, submit, wait_drained  # noqa: E402
from bench.synthetic import synthetic_office, synthetic_submission  # noqa: E402
from lapkin.ops import Ops  # noqa: E402

TRIWULAN = 1


def office(name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The PK and the quarter's submissions, one per unit, the last unit's last."""
    if name == "example":
        pk = json.loads((ROOT / "examples" / "pk-2024.json").read_text())
        subs = json.loads((ROOT / "examples" / "submissions-2024.json").read_text())
        return pk, [s for s in subs if s["triwulan"] == TRIWULAN]
    units, indicators = (int(x) for x in name.split("x"))
    import random

    pk = synthetic_office(2030, units, indicators)
    rnd = random.Random(3)
    return pk, [synthetic_submission(pk, u, TRIWULAN, rnd) for u in range(units)]


def corrected(body: dict[str, Any], run: int) -> dict[str, Any]:
    """The same report with its first figure lowered a little (never below 0, never above a % limit)."""
    first = body["realisasi"][0]
    nilai = max(Decimal(0), Decimal(str(first["nilai"])) - Decimal("0.01") * run)
    return {**body, "realisasi": [{**first, "nilai": str(nilai)}, *body["realisasi"][1:]]}


def wait_for(paths: list[Path], timeout: float = 600) -> float:
    deadline = time.monotonic() + timeout
    while not all(p.exists() for p in paths):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no draft at {paths[0].parent}")
        time.sleep(0.005)
    return time.perf_counter()


def recap_published(system: Running, tahun: int, revision_after: int) -> float | None:
    """Wall-clock time (Redis entry id) of the newest TW recap published after `revision_after`, if any."""
    for row in Ops(system.settings).events(count=20, type_="RekapCompleted", service="aggregator"):
        p = row.get("payload", {})
        if p.get("tahun") == tahun and p.get("periode") == f"TW{TRIWULAN}" and p.get("revision", 0) > revision_after:
            return int(row["id"].split("-")[0]) / 1000
    return None


def last_recap_revision(system: Running, tahun: int) -> int:
    rows = Ops(system.settings).events(count=20, type_="RekapCompleted", service="aggregator")
    revisions = [r["payload"]["revision"] for r in rows if r["payload"].get("periode") == f"TW{TRIWULAN}"]
    return max(revisions, default=0)


def measure(name: str, runs: int) -> dict[str, Any]:
    pk, bodies = office(name)
    tahun = pk["tahun"]
    *first, last = bodies
    n_ind = sum(len(s["indikator"]) for s in pk["sasaran"])
    out: dict[str, Any] = {"office": name, "units": len(pk["units"]), "indicators": n_ind, "runs": []}
    with running_system(os.environ.get("DATABASE_URL")) as system, httpx.Client(timeout=120) as client:
        keys = setup_office(system, client, pk)
        for body in first:
            submit(system, client, keys, body)
        for run in range(1, runs + 1):
            wait_drained(system.settings)
            if run > 1:
                wait_for(draft_files(system, tahun, f"TW{TRIWULAN}", run - 1))
                wait_drained(system.settings)
            time.sleep(0.3)
            before = last_recap_revision(system, tahun)
            wall, t0 = time.time(), time.perf_counter()
            submit(system, client, keys, last if run == 1 else corrected(last, run))
            answered = time.perf_counter() - t0
            done = wait_for(draft_files(system, tahun, f"TW{TRIWULAN}", run)) - t0
            recap = recap_published(system, tahun, before)
            out["runs"].append({"total": done, "answered": answered, "recap": None if recap is None else recap - wall})
            print(f"  {name} run {run}: files on disk {done:.2f} s (answered {answered * 1000:.0f} ms, recap "
                  f"published {'?' if recap is None else f'{recap - wall:.2f} s'})", flush=True)  # fmt: skip
        wait_drained(system.settings)
        out["peak_rss_mib"] = system.peak_rss_mib()
    totals = sorted(r["total"] for r in out["runs"])
    out["p50"], out["max"] = statistics.median(totals), totals[-1]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--office", action="append", help="example, or UNITSxINDICATORS (default: both below)")
    args = parser.parse_args()
    goals = {"example": 2.0, "40x300": 10.0}
    results = [measure(name, args.runs) for name in args.office or ["example", "40x300"]]
    for r in results:
        goal = goals.get(r["office"])
        recaps = [x["recap"] for x in r["runs"] if x["recap"] is not None]
        print(f"{r['office']:>8} ({r['units']} units, {r['indicators']} indicators): p50 {r['p50']:.2f} s, "
              f"max {r['max']:.2f} s over {len(r['runs'])} runs; recap published p50 "
              f"{statistics.median(recaps):.2f} s" + (f"; goal < {goal:.0f} s" if goal else ""))  # fmt: skip


if __name__ == "__main__":
    main()
