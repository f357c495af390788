"""A shutdown ends in bounded time even when a library swallows a cancellation (shared/tasks.py).

The case that hung CI: redis-py, cancelled in the middle of a read, answered the event indexer with a connection error
that its loop took for an ordinary failure, so `indexer.stop()` (cancel, then await the task) waited for ever and the
approval service's TestClient never left its lifespan."""

from __future__ import annotations

import asyncio
import time

from shared.messaging.index import Indexer
from shared.tasks import bounded, stop_task


async def _swallows_once(log: list[str]) -> None:
    swallowed = False
    while True:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            if swallowed:
                raise
            swallowed = True
            log.append("swallowed")


async def _never_stops(released: asyncio.Event) -> None:
    """Swallows every cancellation until the test releases it (so the test's loop can close)."""
    while not released.is_set():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            continue


async def test_a_task_that_swallows_its_cancellation_is_cancelled_again() -> None:
    log: list[str] = []
    task = asyncio.create_task(_swallows_once(log))
    await asyncio.sleep(0)
    assert await stop_task(task, "test task", timeout=5) is True
    assert task.cancelled() and log == ["swallowed"]


async def test_a_task_that_never_stops_is_left_after_the_timeout_not_waited_for() -> None:
    released = asyncio.Event()
    task = asyncio.create_task(_never_stops(released))
    await asyncio.sleep(0)
    started = time.monotonic()
    assert await stop_task(task, "stubborn task", timeout=1.0) is False
    assert time.monotonic() - started < 3
    assert not task.done()
    released.set()
    assert await stop_task(task, "released task", timeout=5) is True


async def test_bounded_returns_when_the_step_hangs() -> None:
    released = asyncio.Event()
    started = time.monotonic()
    assert await bounded(_never_stops(released), "hanging step", timeout=0.5) is False
    assert time.monotonic() - started < 8
    released.set()
    assert await bounded(asyncio.sleep(0.01), "quick step", timeout=5) is True


class _SwallowingRedis:
    """XREADGROUP as redis-py behaved: a cancellation during the blocking read comes back as a connection error."""

    def __init__(self) -> None:
        self.reads = 0

    async def xreadgroup(self, *args: object, **kwargs: object) -> list[object]:
        self.reads += 1
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            raise ConnectionError("Error while reading from 127.0.0.1:6379") from None
        return []

    async def xgroup_create(self, *args: object, **kwargs: object) -> None:
        return None

    async def xautoclaim(self, *args: object, **kwargs: object) -> list[object]:
        return [b"0-0", [], []]


async def test_the_indexer_stops_when_redis_py_turns_the_cancellation_into_an_error() -> None:
    client = _SwallowingRedis()
    indexer = Indexer(client, "t", streams=["t.collector"], block_ms=1000)
    indexer.start()
    while client.reads == 0:  # in its blocking read
        await asyncio.sleep(0.01)
    started = time.monotonic()
    await asyncio.wait_for(indexer.stop(), 10)
    assert indexer._task is not None and indexer._task.done()
    assert time.monotonic() - started < 5
