"""Ingest benchmark (issue 7 §8): submissions accepted per second at p50/p99 with 50 concurrent connections (wrk,
Debian package `wrk`) while the whole system runs and consumes as usual, against a bare FastAPI endpoint on the same
machine that only validates the same body and XADDs it. Also reports how long after the load the aggregator had
consumed everything the collector accepted.

    .venv/bin/python bench/ingest.py [--seconds 15] [--concurrency 50] [--units 20] [--per-unit 10]
                                     [--profile collector]

Uses REDIS_URL (default redis://127.0.0.1:6379/0) and DATABASE_URL (unset: SQLite; a PostgreSQL URL names the
server, the run gets a fresh database on it) from the environment. `--profile SERVICE` records that service's
process with py-spy (`pip install py-spy`, not a project dependency) during the measured run into
bench-profile-SERVICE.svg (a flame graph; `--profile-format raw` for collapsed stacks).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import cpu_seconds, free_port, running_system, wait_drained  # noqa: E402
from bench.synthetic import synthetic_pk, synthetic_submission  # noqa: E402

RESULT = re.compile(r"RESULT requests=(\d+) seconds=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+) non2xx=(\d+) errors=(\d+)")


def bodies_file(pk: dict, keys: dict[str, str], n: int = 4000, seed: int = 7) -> str:
    rnd = random.Random(seed)
    units = len(pk["units"])
    fd, path = tempfile.mkstemp(suffix=".tsv")
    with os.fdopen(fd, "w") as out:
        for k in range(n):
            body = synthetic_submission(pk, k % units, (k // units) % 4 + 1, rnd)
            out.write(f"{keys[body['unit']]}\t{json.dumps(body)}\n")
    return path


def profiler(pid: int, seconds: int, service: str, fmt: str) -> subprocess.Popen[bytes]:
    out = f"bench-profile-{service}.{'svg' if fmt == 'flamegraph' else 'txt'}"
    cmd = [str(Path(sys.executable).parent / "py-spy"), "record", "-p", str(pid), "-d", str(seconds), "-r", "100",
           "-f", fmt, "-o", out, "--nonblocking", "--gil"]  # fmt: skip
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wrk(url: str, bodies: str, seconds: int, concurrency: int) -> dict[str, float]:
    done = subprocess.run(
        ["wrk", "-t2", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "60s", "--latency", "-s", str(ROOT / "bench" / "post.lua"), url],
        env={**os.environ, "BODIES": bodies}, capture_output=True, text=True, check=True,
    )
    m = RESULT.search(done.stdout)
    assert m, done.stdout
    requests, secs, p50, p99, non2xx, errors = (float(x) for x in m.groups())
    return {"rate": requests / secs, "requests": requests, "p50_ms": p50, "p99_ms": p99, "non2xx": non2xx,
            "errors": errors}


def run_system(args: argparse.Namespace) -> tuple[dict[str, float], float]:
    with running_system(os.environ.get("DATABASE_URL")) as system, httpx.Client(timeout=60) as client:
        pk = synthetic_pk(2030, args.units, args.per_unit)
        assert client.put(system.url("collector", "/api/v1/perjanjian-kinerja/2030"), json=pk,
                          headers=system.admin).status_code == 200
        keys = {u["kode"]: client.post(system.url("collector", f"/api/v1/units/{u['kode']}/api-keys"),
                                       headers=system.admin).json()["api_key"] for u in pk["units"]}
        url = system.url("collector", "/api/v1/laporan-triwulan")
        bodies = bodies_file(pk, keys)
        wrk(url, bodies, 3, args.concurrency)  # warm-up
        wait_drained(system.settings, drafts=True)  # the warm-up's drafts too: none drawn in the measured window
        spy = profiler(system.pids()[args.profile], args.seconds - 1, args.profile, args.profile_format) \
            if args.profile else None  # fmt: skip
        cpu = system.cpu_seconds()
        result = wrk(url, bodies, args.seconds, args.concurrency)
        during = system.cpu_seconds()
        if spy is not None:
            spy.wait()
        t0 = time.perf_counter()
        wait_drained(system.settings)  # the groups only, as before: the drafts a burst leaves are drawn seconds later
        drain = time.perf_counter() - t0
        after = system.cpu_seconds()
        # the collector's CPU while it answered; the consumers' until they had consumed everything it accepted
        used = {name: (during if name == "collector" else after)[name] - cpu[name] for name in cpu}
        result["cpu_ms"] = {name: 1000 * seconds / result["requests"] for name, seconds in used.items()}  # type: ignore[assignment]
        return result, drain


def run_baseline(args: argparse.Namespace) -> dict[str, float]:
    port = free_port()
    env = {**os.environ, "BASELINE_STREAM": f"bench.baseline.{port}"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "bench.baseline_app:app", "--port", str(port),
                             "--no-access-log", "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        pk = synthetic_pk(2030, args.units, args.per_unit)
        bodies = bodies_file(pk, {u["kode"]: "x" for u in pk["units"]})
        url = f"http://127.0.0.1:{port}/api/v1/laporan-triwulan"
        wrk(url, bodies, 3, args.concurrency)
        cpu = cpu_seconds(proc.pid)
        result = wrk(url, bodies, args.seconds, args.concurrency)
        result["cpu_ms"] = {"baseline": 1000 * (cpu_seconds(proc.pid) - cpu) / result["requests"]}  # type: ignore[assignment]
        return result
    finally:
        proc.terminate()
        proc.wait()


def line(name: str, r: dict[str, Any]) -> str:
    cpu = ", ".join(f"{service} {ms:.2f}" for service, ms in r["cpu_ms"].items())
    return (f"{name:<44} {r['rate']:>8,.0f} req/s  p50 {r['p50_ms']:>7.1f} ms  p99 {r['p99_ms']:>7.1f} ms  "
            f"non-2xx {r['non2xx']:.0f}  errors {r['errors']:.0f}\n  CPU ms per request during the run: {cpu}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--per-unit", type=int, default=10)
    parser.add_argument("--profile", choices=("collector", "aggregator", "approval", "renderer"))
    parser.add_argument("--profile-format", choices=("flamegraph", "raw"), default="flamegraph")
    parser.add_argument("--no-baseline", action="store_true", help="measure the system only")
    args = parser.parse_args()
    system, drain = run_system(args)
    running = os.environ.get("BENCH_SERVICES", "collector,aggregator,approval,renderer").split(",")
    said = "whole system running" if len(running) == 4 else f"running: {', '.join(running)}"  # consumers paused
    print(line(f"lapkin collector ({said})", system))
    print(f"  every consumer had consumed everything {drain:.1f} s after the load ended")
    if args.no_baseline:
        return
    baseline = run_baseline(args)
    print(line("bare FastAPI: validate + XADD", baseline))
    print(f"ratio (lapkin / baseline): {system['rate'] / baseline['rate']:.2f}")


if __name__ == "__main__":
    main()
