"""Scale (issue 7 §10): an office grown from 5 to 40 units and from 30 to 600 indicators, four quarters each,
ingested, recapped and rendered by the whole system; per size the time to each stage and each service's CPU time and
peak memory (VmHWM), and how they grow.

For each size a fresh system gets the PK, then every unit's report for each of the four quarters (8 clients at
once). "recapped": every event consumed and each quarter's published recap is the one computed from everything
received; "rendered": each quarter's newest draft shows that recap (its three files on disk).

    .venv/bin/python bench/scale.py [--sizes 5x30,10x75,20x150,40x300,40x600]

DATABASE_URL as for bench/ingest.py (unset: SQLite; a PostgreSQL URL names the server, each size gets a fresh
database on it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import Running, load, running_system, setup_office, wait_drained  # noqa: E402
from bench.synthetic import synthetic_office, synthetic_submission  # noqa: E402
from lapkin.ops import Ops  # noqa: E402

SERVICES = ("collector", "aggregator", "approval", "renderer")


def published_revisions(system: Running, tahun: int) -> dict[str, int]:
    """The newest RekapCompleted revision of each quarter on the aggregator's stream."""
    out: dict[str, int] = {}
    r = Ops(system.settings).r
    cursor = "+"
    while len(out) < 4:
        batch = r.xrevrange(system.settings.stream("aggregator"), max=cursor, count=50)
        if not batch:
            break
        for entry_id, fields in batch:
            from lapkin.ops import decode

            env = decode(fields)
            p = env.get("payload", {})
            if env.get("type") == "RekapCompleted" and p.get("tahun") == tahun and p["periode"].startswith("TW"):
                out.setdefault(p["periode"], p["revision"])
        cursor = f"({batch[-1][0].decode()}"
    return out


def computed_revisions(system: Running, client: httpx.Client, tahun: int) -> dict[str, int]:
    """The revision GET /rekap gives the recap of everything received (the stored one's when they agree)."""
    out = {}
    for q in (1, 2, 3, 4):
        r = client.get(system.url("aggregator", f"/api/v1/rekap/{tahun}/TW{q}"), headers=system.admin)
        assert r.status_code == 200, r.text
        out[f"TW{q}"] = r.json()["revision"]
    return out


def drawn_revisions(system: Running, client: httpx.Client, tahun: int) -> dict[str, int]:
    r = client.get(system.url("renderer", "/api/v1/documents"), params={"tahun": tahun}, headers=system.admin)
    assert r.status_code == 200, r.text
    out: dict[str, int] = {}
    for doc in r.json():  # ordered by version
        if doc["status"] == "draft" and doc["periode"].startswith("TW"):
            out[doc["periode"]] = doc["recap_revision"]
    return out


def until(check: Any, timeout: float = 1800) -> float:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(check.__doc__ or "condition")
        time.sleep(0.2)
    return time.perf_counter()


def measure(units: int, indicators: int, concurrency: int) -> dict[str, Any]:
    pk = synthetic_office(2030, units, indicators)
    rnd = random.Random(5)
    with running_system(os.environ.get("DATABASE_URL")) as system, httpx.Client(timeout=300) as client:
        keys = setup_office(system, client, pk)
        wait_drained(system.settings)
        cpu0 = system.cpu_seconds()
        bodies = []
        for q in (1, 2, 3, 4):
            for u in range(units):
                body = synthetic_submission(pk, u, q, rnd)
                bodies.append((body, {"Authorization": f"Bearer {keys[body['unit']]}"}))
        t0 = time.perf_counter()
        result = asyncio.run(load(system.url("collector", "/api/v1/laporan-triwulan"), bodies, concurrency))
        assert result.statuses == {202: len(bodies)}, result.statuses
        ingested = time.perf_counter()

        def recapped() -> bool:
            """every event consumed and each quarter's published recap the computed one"""
            wait_drained(system.settings)
            return published_revisions(system, 2030) == computed_revisions(system, client, 2030)

        done_recap = until(recapped)
        target = computed_revisions(system, client, 2030)

        def rendered() -> bool:
            """each quarter's newest draft shows its newest recap"""
            return drawn_revisions(system, client, 2030) == target

        done_render = until(rendered)
        cpu = {name: seconds - cpu0[name] for name, seconds in system.cpu_seconds().items()}
        return {
            "size": f"{units}x{indicators}",
            "submissions": len(bodies),
            "ingest_s": ingested - t0,
            "ingest_p50_ms": result.pct(50),
            "recapped_s": done_recap - t0,
            "rendered_s": done_render - t0,
            "recaps": target,
            "cpu_s": cpu,
            "peak_rss_mib": system.peak_rss_mib(),
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="5x30,10x75,20x150,40x300,40x600")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    rows = []
    for size in args.sizes.split(","):
        units, indicators = (int(x) for x in size.split("x"))
        row = measure(units, indicators, args.concurrency)
        rows.append(row)
        print(
            f"{row['size']:>7}: {row['submissions']} reports ingested {row['ingest_s']:.1f} s (p50 "
            f"{row['ingest_p50_ms']:.0f} ms), recapped {row['recapped_s']:.1f} s, rendered {row['rendered_s']:.1f} s; "
            + "; ".join(f"{s} {row['cpu_s'][s]:.1f} s CPU {row['peak_rss_mib'][s]:.0f} MiB" for s in SERVICES),
            flush=True,
        )
    print("\n| size | reports | ingested | recapped | rendered | " + " | ".join(f"{s} CPU / peak RSS" for s in SERVICES))
    print("| --- | --- | --- | --- | --- | " + " | ".join("---" for _ in SERVICES) + " |")
    for row in rows:
        cells = [f"{row['cpu_s'][s]:.1f} s / {row['peak_rss_mib'][s]:.0f} MiB" for s in SERVICES]
        print(f"| {row['size']} | {row['submissions']} | {row['ingest_s']:.1f} s | {row['recapped_s']:.1f} s | "
              f"{row['rendered_s']:.1f} s | " + " | ".join(cells) + " |")  # fmt: skip


if __name__ == "__main__":
    main()
