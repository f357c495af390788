"""A bounded number of costly jobs at once in a process (argon2 hashes, spreadsheet parses): memory stays bounded
however many requests arrive. A job that finds every slot taken for the whole wait raises `Busy`; `build_app`
answers it 503 `busy` with Retry-After, nothing checked or changed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Busy(Exception):
    """Every slot stayed taken for the whole wait."""


class Slots:
    def __init__(self, slots: int, wait_s: float) -> None:
        self.configure(slots, wait_s)

    def configure(self, slots: int, wait_s: float) -> None:
        self.slots, self.wait_s = max(1, slots), wait_s
        self._sem = threading.BoundedSemaphore(self.slots)

    @contextmanager
    def slot(self) -> Iterator[None]:
        sem = self._sem  # released on the semaphore taken, even if configure() ran in between
        if not sem.acquire(timeout=self.wait_s):
            raise Busy
        try:
            yield
        finally:
            sem.release()
