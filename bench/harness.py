"""Start the whole system for a benchmark (the same supervisor `lapkin up` uses) and drive it over HTTP."""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import socket
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from lapkin.supervisor import Supervisor, parse_workers
from shared.config import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    settings: Settings
    admin: dict[str, str]
    data_dir: Path
    supervisor: Supervisor

    def url(self, service: str, path: str) -> str:
        return f"{self.settings.base_url(service)}{path}"

    def pids(self) -> dict[str, int]:
        """The process id of each running service (uvicorn runs the app in that one process)."""
        return {name: child.proc.pid for name, child in self.supervisor.children.items() if child.proc is not None}

    def cpu_seconds(self) -> dict[str, float]:
        """Per service: the sum over its processes (BENCH_WORKERS)."""
        out: dict[str, float] = {}
        for child in self.supervisor.children.values():
            if child.proc is not None:
                out[child.service] = out.get(child.service, 0.0) + cpu_seconds(child.proc.pid)
        return out

    def peak_rss_mib(self) -> dict[str, float]:
        """Each service's peak resident memory so far (VmHWM, Linux)."""
        return {name: vm_hwm_mib(pid) for name, pid in self.pids().items()}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def fresh_database(url: str | None) -> Iterator[str | None]:
    """A PostgreSQL URL names a server: a new empty database on it for this run, dropped afterwards (so runs
    never see each other's rows). SQLite (None) needs nothing: each run has its own data folder."""
    if not url or not url.startswith("postgres"):
        yield url
        return
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"lapkin_bench_{secrets.token_hex(4)}"
    admin_dsn = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running_system(database_url: str | None = None) -> Iterator[Running]:
    """The four services (or BENCH_SERVICES; BENCH_WORKERS, e.g. `collector=2`, for more processes of one) under the
    supervisor, on a fresh data folder and, given a PostgreSQL URL, a fresh database on that server; all stopped and
    removed at the end (SIGTERM included)."""
    signal.signal(signal.SIGTERM, _exit)
    with fresh_database(database_url) as url, _running(url) as running:
        yield running


def _exit(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds the context managers: the services stop, the database is dropped


@contextmanager
def _running(database_url: str | None) -> Iterator[Running]:
    data_dir = Path(tempfile.mkdtemp(prefix="lapkin-bench-"))
    ports = {s: free_port() for s in ("collector", "aggregator", "approval", "renderer")}
    env = {
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "LAPKIN_DATA_DIR": str(data_dir), "LAPKIN_STREAM_PREFIX": f"b{secrets.token_hex(4)}",
        "LAPKIN_ADMIN_TOKEN": secrets.token_urlsafe(16), "LAPKIN_SECRET_KEY": secrets.token_urlsafe(16),
        **{f"LAPKIN_{s.upper()}_PORT": str(p) for s, p in ports.items()},
        # the benchmark posts many submissions with few keys: measure, not limit (BENCH_RATE_LIMIT=1000000000: the
        # limiter on, as an office runs it, at a rate no run reaches)
        "LAPKIN_RATE_LIMIT_PER_MINUTE": os.environ.get("BENCH_RATE_LIMIT", "0"),
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    # DATABASE_URL: this run's fresh database (the environment names the server's): what the services were given
    settings = Settings(data_dir=data_dir, admin_token=env["LAPKIN_ADMIN_TOKEN"], stream_prefix=env["LAPKIN_STREAM_PREFIX"],
                        DATABASE_URL=database_url, **{f"{s}_port": p for s, p in ports.items()})  # type: ignore[arg-type]
    services = tuple(os.environ.get("BENCH_SERVICES", "collector,aggregator,approval,renderer").split(","))
    workers = parse_workers(os.environ.get("BENCH_WORKERS"))  # e.g. collector=2: processes per service
    sup = Supervisor(settings, env, services=services, log_dir=data_dir / "logs", workers=workers)
    sup.start()
    try:
        sup.wait_healthy(90)
        yield Running(settings, {"Authorization": f"Bearer {env['LAPKIN_ADMIN_TOKEN']}"}, data_dir, sup)
    finally:
        sup.stop()
        _forget(settings)
        shutil.rmtree(data_dir, ignore_errors=True)


def _forget(settings: Settings) -> None:
    """This run's streams and indexes in Redis (its own prefix only)."""
    import redis

    client = redis.Redis.from_url(settings.redis_url)
    try:
        keys = list(client.scan_iter(f"{settings.stream_prefix}.*", count=1000))
        for n in range(0, len(keys), 500):
            client.delete(*keys[n : n + 500])
    finally:
        client.close()


@dataclass
class LoadResult:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    answers: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    def summary(self) -> str:
        return (f"{len(self.latencies)} requests in {self.seconds:.2f} s = {self.rate:,.0f}/s; "
                f"p50 {self.pct(50):.1f} ms, p99 {self.pct(99):.1f} ms; statuses {self.statuses}")


async def load(url: str, bodies: list[tuple[dict[str, Any], dict[str, str]]], concurrency: int) -> LoadResult:
    """POST every body (with its headers) through `concurrency` clients; latency per request."""
    result = LoadResult()
    queue: asyncio.Queue[tuple[dict[str, Any], dict[str, str]]] = asyncio.Queue()
    for item in bodies:
        queue.put_nowait(item)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                body, headers = queue.get_nowait()
                t0 = time.perf_counter()
                r = await client.post(url, json=body, headers=headers)
                result.latencies.append(time.perf_counter() - t0)
                result.statuses[r.status_code] = result.statuses.get(r.status_code, 0) + 1
                if r.status_code == 202 and r.headers.get("content-type", "").startswith("application/json"):
                    result.answers.append((body, r.json()))

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - start
    return result


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def wait_drained(settings: Settings, timeout: float = 900, *, drafts: bool = False) -> None:
    """Until every consumer group on every stream has read and acknowledged everything (nothing pending, no lag);
    with `drafts`, also until the renderer has no draft left pending (ren_pending_draft: a recap whose draft it
    draws after a settle, up to `draft_settle_max_ms` later). Before a measured window: a warm-up's drafts drawn
    inside it would count against it, though the consumer groups were drained."""
    from lapkin.ops import Ops

    ops = Ops(settings)
    pending = PendingDrafts(settings) if drafts else None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            groups = [g for row in ops.status() for g in row["groups"]]
            if all(g["pending"] == 0 and g["lag"] == 0 for g in groups) and (pending is None or pending.count() == 0):
                return
            time.sleep(0.1)
    finally:
        if pending is not None:
            pending.close()
    raise TimeoutError("the consumers did not catch up" + (" (or the renderer's pending drafts)" if drafts else ""))


class PendingDrafts:
    """Counts the renderer's pending drafts in its own database (read-only); always 0 when this run has no
    renderer (BENCH_SERVICES without it: no database of its own)."""

    def __init__(self, settings: Settings) -> None:
        from shared.db import DatabaseMissing, make_engine, require_database

        try:
            require_database(settings, "renderer")
        except DatabaseMissing:
            self.engine = None
        else:
            self.engine = make_engine(settings, "renderer", read_only=True)

    def count(self) -> int:
        from sqlalchemy import func, select

        from services.renderer.models import PendingDraft

        if self.engine is None:
            return 0
        with self.engine.connect() as conn:
            table = PendingDraft.__table__  # type: ignore[attr-defined]
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()


def setup_office(system: Running, client: httpx.Client, pk: dict[str, Any]) -> dict[str, str]:
    """PUT the PK and make one API key per unit; returns unit -> key."""
    tahun = pk["tahun"]
    r = client.put(system.url("collector", f"/api/v1/perjanjian-kinerja/{tahun}"), json=pk, headers=system.admin)
    assert r.status_code == 200, r.text
    keys = {}
    for unit in pk["units"]:
        r = client.post(system.url("collector", f"/api/v1/units/{unit['kode']}/api-keys"), headers=system.admin)
        assert r.status_code == 201, r.text
        keys[unit["kode"]] = r.json()["api_key"]
    return keys


def submit(system: Running, client: httpx.Client, keys: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {keys[body['unit']]}"}
    r = client.post(system.url("collector", "/api/v1/laporan-triwulan"), json=body, headers=headers)
    assert r.status_code == 202, r.text
    return r.json()  # type: ignore[no-any-return]


def draft_files(system: Running, tahun: int, periode: str, version: int) -> list[Path]:
    folder = system.data_dir / "documents" / str(tahun) / periode / f"v{version}"
    return [folder / f"laporan.{fmt}" for fmt in ("docx", "pdf", "xlsx")]
