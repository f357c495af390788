"""Stopping background tasks in bounded time.

`asyncio.wait_for` and `task.cancel(); await task` both wait for as long as the task takes to honour its cancellation,
and a library can swallow one: redis-py's asyncio client, cancelled while its own read timeout fires, has answered with
a connection error that a retrying loop (the event indexer's, the outbox relay's) took for an ordinary failure and
read on, so a service's shutdown waited forever (seen in the test suite: a TestClient's exit hanging in the indexer's
`stop`). Here the cancellation is repeated until the task ends, and nothing waits longer than it is told to; a task
still running then is logged and left behind."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

log = logging.getLogger("lapkin.tasks")

STOP_TIMEOUT_S = 20.0
RECANCEL_EVERY_S = 0.5


async def stop_task(task: asyncio.Task[Any] | None, what: str, timeout: float = STOP_TIMEOUT_S) -> bool:
    """Cancel `task` (again and again, should a cancellation be swallowed) and wait at most `timeout` seconds for it
    to end. True when it ended. Its own exception, if it had one, is logged, never raised here."""
    if task is None:
        return True
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not task.done():
        remaining = deadline - loop.time()
        if remaining <= 0:
            log.error("%s did not stop within %s s; left running", what, timeout)
            return False
        task.cancel()
        await asyncio.wait({task}, timeout=min(RECANCEL_EVERY_S, remaining))
    if not task.cancelled() and task.exception() is not None:
        log.warning("%s ended with %r", what, task.exception())
    return True


async def bounded(step: Awaitable[Any], what: str, timeout: float = STOP_TIMEOUT_S) -> bool:
    """Await `step` for at most `timeout` seconds (then cancel it, bounded too). True when it finished in time."""
    task = asyncio.ensure_future(step)
    await asyncio.wait({task}, timeout=timeout)
    if task.done():
        if not task.cancelled() and task.exception() is not None:
            log.warning("%s failed: %r", what, task.exception())
        return True
    log.error("%s did not finish within %s s; cancelling it", what, timeout)
    await stop_task(task, what, timeout=min(timeout, 5.0))
    return False
