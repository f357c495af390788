"""The small Redis commands every request makes (its rate limit's script, its API key's revocation check), sent per
turn of the event loop as one pipeline.

Each request used to make its own round trip: a connection from the pool, a write, a read, and the Redis client's
machinery around them — a third of a report's event-loop time under load (docs/benchmarks.md). The
requests that reach such a command in one turn of the loop now share one round trip: the first queues a send for
the next turn, the others join it, and each gets its own answer or its own error. Nothing waits for a batch to fill:
a command made while a pipeline is on its way goes in the next one. Each script still runs atomically in Redis; the
pipeline is no transaction, and one command's error is that command's alone.

A pipeline waits for Redis as long as its callers do (`timeout_s`) and then gives its connection back, as a single
command cancelled by its caller's timeout did: a Redis that hangs makes each request wait no longer than before and
does not take the pool's connections one after another.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError

DEFAULT_TIMEOUT_S = 1.0  # how long a request waits for these commands (shared.ratelimit, the API-key check)

# (the script, or None for a plain command; the command's arguments; its caller's answer)
_Call = tuple[Any, tuple[Any, ...], "asyncio.Future[Any]"]


class RedisTurn:
    def __init__(self, redis: Any, timeout_s: float | None = None) -> None:
        self.redis = redis
        self.timeout_s = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
        self._calls: list[_Call] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sending: set[asyncio.Task[None]] = set()  # a task the loop holds only weakly

    def evalsha(self, script: Any, keys: list[Any], args: list[Any]) -> asyncio.Future[Any]:
        """What `script` (`redis.register_script`'s) answers for `keys` and `args`, or its error."""
        return self._queue(script, ("EVALSHA", script.sha, len(keys), *keys, *args))

    def get(self, key: str) -> asyncio.Future[Any]:
        return self._queue(None, ("GET", key))

    def _queue(self, script: Any, command: tuple[Any, ...]) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # another event loop (a test's, a service restarted in-process): not ours to send
            self._loop, self._calls = loop, []
        answer = loop.create_future()
        if not self._calls:
            loop.call_soon(self._send)  # after every request already running in this turn has made its command
        self._calls.append((script, command, answer))
        return answer

    def _send(self) -> None:
        calls, self._calls = self._calls, []
        task = asyncio.get_running_loop().create_task(self._pipeline(calls))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _pipeline(self, calls: list[_Call]) -> None:
        try:
            async with asyncio.timeout(self.timeout_s):  # as long as its callers wait: a connection held no longer
                answers = await self._answers(calls)
        except BaseException as exc:  # the pipeline failed (Redis away or slow, no connection free): every command
            for *_, answer in calls:
                if not answer.done():
                    answer.set_exception(exc if isinstance(exc, Exception) else RedisConnectionError(str(exc)))
            if not isinstance(exc, Exception):
                raise
            return
        for (*_, answer), got in zip(calls, answers, strict=True):
            if not answer.done():  # its request gave up waiting (its own timeout)
                if isinstance(got, Exception):
                    answer.set_exception(got)
                else:
                    answer.set_result(got)

    async def _answers(self, calls: list[_Call]) -> list[Any]:
        answers = await self._run([command for _, command, _ in calls])
        again = [i for i, got in enumerate(answers) if isinstance(got, NoScriptError)]
        if again:  # Redis restarted without its scripts: load them, send those commands again
            scripts = {id(calls[i][0]): calls[i][0] for i in again}.values()
            for script in scripts:
                script.sha = await self.redis.script_load(script.script)
            resent = [("EVALSHA", calls[i][0].sha, *calls[i][1][2:]) for i in again]
            for i, got in zip(again, await self._run(resent), strict=True):
                answers[i] = got
        return answers

    async def _run(self, commands: list[tuple[Any, ...]]) -> list[Any]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for command in commands:
                pipe.execute_command(*command)
            return list(await pipe.execute(raise_on_error=False))


_TURNS: weakref.WeakKeyDictionary[Any, RedisTurn] = weakref.WeakKeyDictionary()


def turn_of(redis: Any) -> RedisTurn:
    """The one RedisTurn of a Redis client: every caller sharing the client shares its pipelines."""
    found = _TURNS.get(redis)
    if found is None:
        found = _TURNS[redis] = RedisTurn(redis)
    return found
