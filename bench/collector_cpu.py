"""The collector's cost per accepted quarterly report, measured in one process and without HTTP parsing (issue 16):
the app is driven through ASGI calls made here (no uvicorn, no client library), on SQLite in a fresh folder and the
Redis of REDIS_URL (default redis://127.0.0.1:6379/0), with a PK of `--units` × `--per-unit` and one API key per
unit. Every report is distinct (a new revision), sent one after another, so each group-commit batch holds one.

    .venv/bin/python bench/collector_cpu.py [--reports 1000] [--calls] [--profile out.prof]

Prints, per report: CPU time (time.process_time, every thread: the request, the group commit's writer thread and the
outbox relay), Redis round trips (commands or pipelines sent, the relay's and the health checks' included), with
`--calls` the Python function calls (a profile hook on every thread; it slows the run, so the CPU time of that run
is not the figure) and with `--sql` the SQL statements (a listener on the engine's cursor executes: it adds calls of
its own; `--sql show` prints them). `--only-requests` counts the Redis round
trips made while a request is being answered only (the relay's publish and the background checks excluded).
`--no-relay` stops the outbox relay after start: the request path alone, the figure this pass compares. `--bare`
drives bench/baseline_app.py (validate + XADD) the same way instead: the issue's yardstick, without HTTP parsing
either.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import synthetic_pk, synthetic_submission  # noqa: E402


class Counter:
    """Python calls on every thread, while `on`."""

    def __init__(self) -> None:
        self.calls = 0
        self.on = False

    def hook(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call" and self.on:
            self.calls += 1


async def call(app: Any, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
    """One request through the ASGI app; (status, parsed body)."""
    raw = b"" if body is None else json.dumps(body).encode()
    head = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    head += [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": head,
        "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000), "state": {},
    }  # fmt: skip
    sent = False
    out: dict[str, Any] = {"body": b""}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return out["status"], json.loads(out["body"] or b"null")


async def together(post: Any, bodies: list[dict[str, Any]], concurrency: int) -> None:
    """`post` each body, `concurrency` at a time (1: one after another, each group-commit batch one report)."""
    queue = iter(bodies)

    async def worker() -> None:
        for body in queue:
            await post(body)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def lifespan(app: Any) -> tuple[asyncio.Queue[Any], asyncio.Task[Any]]:
    inbox: asyncio.Queue[Any] = asyncio.Queue()
    outbox: asyncio.Queue[Any] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    started = await outbox.get()
    assert started["type"] == "lifespan.startup.complete", started
    return inbox, task


def redis_round_trips() -> list[int]:
    """Counts every command or pipeline the async Redis client sends (one send is one round trip)."""
    from redis.asyncio.connection import AbstractConnection

    count = [0, 0]  # every send, sends while a request is answered
    original = AbstractConnection.send_packed_command

    async def counted(self: Any, command: Any, check_health: bool = True) -> None:
        count[0] += 1
        if IN_REQUEST.get():
            count[1] += 1
        await original(self, command, check_health)

    AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]
    return count


import contextvars  # noqa: E402

IN_REQUEST: contextvars.ContextVar[bool] = contextvars.ContextVar("in_request", default=False)


async def run(args: argparse.Namespace) -> dict[str, float]:
    from sqlalchemy import event

    from services.collector.main import create_app
    from shared.config import Settings

    counter = Counter()
    data_dir = Path(tempfile.mkdtemp(prefix="bench-collector-"))
    admin = f"adm-{secrets.token_urlsafe(12)}"
    settings = Settings(
        data_dir=data_dir, redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), admin_token=admin,
        secret_key=secrets.token_urlsafe(16), stream_prefix=f"bench{secrets.token_hex(4)}",
        rate_limit_per_minute=10**6, rate_limit_burst=10**6,
    )  # fmt: skip
    app = create_app(settings)
    rt = app.state.rt
    statements = [0]
    shown: list[str] = []

    def executed(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements[0] += 1
        if args.sql == "show" and counter.on:
            shown.append(statement.split("\n")[0][:100])

    for engine in {rt.engine, rt.read_engine} if args.sql else ():  # a listener costs (SQLAlchemy's events)
        event.listen(engine, "before_cursor_execute", executed)
    sends = redis_round_trips()
    if args.calls:  # before any thread starts: the group commit's writer, the worker threads
        sys.setprofile(counter.hook)
        threading.setprofile(counter.hook)
    inbox, task = await lifespan(app)
    if args.no_relay:  # the request path only: the outbox rows stay unpublished (another pass measures the relay)
        await rt.relay.stop()
    try:
        pk = synthetic_pk(2030, args.units, args.per_unit)
        as_admin = {"Authorization": f"Bearer {admin}"}
        status, _ = await call(app, "PUT", "/api/v1/perjanjian-kinerja/2030", pk, as_admin)
        assert status == 200
        keys = {}
        for u in pk["units"]:
            status, made = await call(app, "POST", f"/api/v1/units/{u['kode']}/api-keys", None, as_admin)
            assert status == 201, made
            keys[u["kode"]] = made["api_key"]
        rnd = random.Random(7)
        bodies = [synthetic_submission(pk, k % args.units, (k // args.units) % 4 + 1, rnd)
                  for k in range(args.reports + args.warmup)]  # fmt: skip

        async def post(body: dict[str, Any]) -> None:
            token = IN_REQUEST.set(True)
            try:
                status, answer = await call(app, "POST", "/api/v1/laporan-triwulan", body,
                                            {"Authorization": f"Bearer {keys[body['unit']]}"})  # fmt: skip
            finally:
                IN_REQUEST.reset(token)
            assert status == 202, answer

        for body in bodies[: args.warmup]:
            await post(body)
        await asyncio.sleep(0.5)  # the warm-up's relay work done
        profile = cProfile.Profile() if args.profile else None
        s0, r0, q0 = statements[0], sends[0], sends[1]
        cpu0 = time.process_time()
        counter.on = True
        if profile:
            profile.enable()
        await together(post, bodies[args.warmup :], args.concurrency)
        if profile:
            profile.disable()
            profile.dump_stats(args.profile)
        counter.on = False
        cpu = time.process_time() - cpu0
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
        n = args.reports
        for statement in shown:
            print(statement)
        return {
            "cpu_ms": 1000 * cpu / n,
            "calls": counter.calls / n,
            "sql": (statements[0] - s0) / n,
            "redis": (sends[0] - r0) / n,
            "redis_in_request": (sends[1] - q0) / n,
        }
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await task
        from redis.asyncio import Redis

        client = Redis.from_url(settings.redis_url)
        left = [k async for k in client.scan_iter(f"{settings.stream_prefix}.*")]
        if left:
            await client.delete(*left)
        await client.aclose()
        shutil.rmtree(data_dir, ignore_errors=True)


async def run_bare(args: argparse.Namespace) -> dict[str, float]:
    """The same bodies through bench/baseline_app.py (validate + XADD), driven the same way: the issue's yardstick."""
    stream = f"bench.bare.{secrets.token_hex(4)}"
    os.environ["BASELINE_STREAM"] = stream
    from bench.baseline_app import app, redis

    sends = redis_round_trips()
    counter = Counter()
    if args.calls:
        sys.setprofile(counter.hook)
        threading.setprofile(counter.hook)
    pk = synthetic_pk(2030, args.units, args.per_unit)
    rnd = random.Random(7)
    bodies = [synthetic_submission(pk, k % args.units, (k // args.units) % 4 + 1, rnd)
              for k in range(args.reports + args.warmup)]  # fmt: skip
    try:
        for body in bodies[: args.warmup]:
            assert (await call(app, "POST", "/api/v1/laporan-triwulan", body))[0] == 202
        r0, cpu0 = sends[0], time.process_time()
        counter.on = True

        async def post(body: dict[str, Any]) -> None:
            assert (await call(app, "POST", "/api/v1/laporan-triwulan", body))[0] == 202

        await together(post, bodies[args.warmup :], args.concurrency)
        counter.on = False
        cpu = time.process_time() - cpu0
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
        await redis.delete(stream)
    n = args.reports
    return {"cpu_ms": 1000 * cpu / n, "calls": counter.calls / n, "sql": 0.0, "redis": (sends[0] - r0) / n,
            "redis_in_request": (sends[0] - r0) / n}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--units", type=int, default=20)
    parser.add_argument("--per-unit", type=int, default=10)
    parser.add_argument("--calls", action="store_true", help="count Python calls (slower; CPU time not comparable)")
    parser.add_argument(
        "--sql",
        nargs="?",
        const="count",
        choices=("count", "show"),
        help="count (or show) the SQL statements: a listener, which costs calls of its own",
    )
    parser.add_argument("--no-relay", action="store_true", help="stop the outbox relay: the request path alone")
    parser.add_argument("--profile", help="write a cProfile of the measured reports (the event loop's thread)")
    parser.add_argument("--concurrency", type=int, default=1, help="reports in flight at once (1: one at a time)")
    parser.add_argument("--bare", action="store_true", help="bench/baseline_app.py instead (validate + XADD)")
    args = parser.parse_args()
    r = asyncio.run(run_bare(args) if args.bare else run(args))
    print(f"per report: CPU {r['cpu_ms']:.3f} ms" + (f", Python calls {r['calls']:.0f}" if args.calls else "")
          + (f", SQL statements {r['sql']:.2f}" if args.sql else "") + f", Redis round trips {r['redis']:.2f}"
          f" ({r['redis_in_request']:.2f} while answering)")  # fmt: skip


if __name__ == "__main__":
    main()
