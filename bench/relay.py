"""The outbox relay in-process: N outbox rows (SQLite, one file) relayed to a real Redis, the way a service's
runtime wires the relay (shared/service.py), counting Python calls (cProfile) and CPU (process time) per event.

    LAPKIN_BENCH_REDIS_URL=redis://127.0.0.1:6379/7 .venv/bin/python bench/relay.py [N] [--trace]

The rows are written before the clock starts; what is measured is only the relay's rounds (`relay_once` until the
outbox is empty), the guard's check included. Deterministic first: calls per event; CPU per event is the median
of a few runs (the machine is shared). `--trace`: a tracer with an in-memory exporter, as with tracing on."""

from __future__ import annotations

import asyncio
import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine
from sqlmodel import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.config import Settings  # noqa: E402
from shared.events.envelope import new_envelope  # noqa: E402
from shared.messaging.outbox import KERNEL_TABLES, OUTBOX, add_to_outbox  # noqa: E402
from shared.service import Runtime  # noqa: E402

REDIS_URL = os.environ.get("LAPKIN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")


def fill(engine: object, stream: str, n: int) -> None:
    with Session(engine) as s:  # type: ignore[call-overload]
        for i in range(n):
            env = new_envelope("BenchEvent", {"n": i, "unit": "Dinas Pendidikan", "nilai": 12.5}, producer="bench")
            add_to_outbox(s, stream, env)
        s.commit()


async def relay_all(rt: Runtime, engine: object, n: int, profile: cProfile.Profile | None) -> float:
    """Relay the N rows; the process time it took."""
    assert rt.relay is not None
    await rt.redis.delete(rt.stream)
    if rt.guard is not None:
        rt.guard.last_entry = None  # the stream was emptied on purpose, not lost
    started = time.process_time()
    if profile:
        profile.enable()
    while await rt.relay.relay_once():
        pass
    if profile:
        profile.disable()
    spent = time.process_time() - started
    assert await rt.redis.xlen(rt.stream) == n, "every row on the stream"
    return spent


async def main(n: int, trace: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), redis_url=REDIS_URL, stream_prefix="bench-relay")
        engine = create_engine(f"sqlite:///{tmp}/relay.db")
        for table in KERNEL_TABLES:
            table.create(engine)
        rt = Runtime(service="bench", settings=settings, engine=engine)
        if trace:
            from opentelemetry.sdk.trace import TracerProvider
            from opentelemetry.sdk.trace.export import SimpleSpanProcessor
            from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

            provider = TracerProvider()
            provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
            rt.tracer = provider.get_tracer("bench")
        await rt.start()  # the broker, the guard, the relay as a service wires them
        assert rt.relay is not None
        await rt.relay.stop()  # its loop: the rounds below are driven by hand
        rt.relay.stopping = False
        try:
            times, calls = [], 0
            for run in range(6):
                with engine.begin() as conn:
                    conn.execute(OUTBOX.delete())
                fill(engine, rt.stream, n)
                profile = cProfile.Profile() if run == 0 else None
                spent = await relay_all(rt, engine, n, profile)
                if profile is not None:
                    calls = pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
                else:
                    times.append(spent)
            print(
                f"{n} events, batch {rt.relay.batch}{', tracing on' if trace else ''}: "
                f"{calls / n:.0f} Python calls per event (cProfile), "
                f"CPU {statistics.median(times) / n * 1e6:.0f} µs per event (median of {len(times)}, "
                f"min {min(times) / n * 1e6:.0f} µs); load average {os.getloadavg()[0]:.2f}"
            )
        finally:
            await rt.redis.delete(*[k async for k in rt.redis.scan_iter(f"{settings.stream_prefix}.*")], rt.stream)
            await rt.stop()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    asyncio.run(main(int(args[0]) if args else 2000, "--trace" in sys.argv))
