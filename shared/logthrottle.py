"""Warnings a client can cause as often as it likes — a refused connection, a head too large, a client gone before
its body ended — written at most once a minute per kind and client address, and at most `LINES_PER_KIND` a minute
per kind from all addresses together, each with the count of those held back. A client gone mid-body costs the
attacker a connect and a few bytes: one address wrote 3.223 such lines in 5 s, four addresses 3,8 MB in 10 s, and one
malformed request from each of 30.000 addresses 29.882 lines (the fourth outsider, docs/security.md)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EVERY_S = 60.0  # one line per kind and address in this window, and the per-kind count below
LINES_PER_KIND = 20  # lines per kind in a window, from all addresses together
MAX_ADDRESSES = 10_000  # addresses remembered; past this the memory is cleared (a line each again, within the cap)


@dataclass
class _Window:
    """One kind's minute: when it started, lines written in it, lines held back over the per-kind cap."""

    start: float
    written: int = 0
    held: int = 0


class Throttle:
    def __init__(
        self,
        every_s: float = EVERY_S,
        lines_per_kind: int = LINES_PER_KIND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.every_s, self.lines_per_kind, self.clock = every_s, lines_per_kind, clock
        self.by_address: dict[tuple[str, str], tuple[float, int]] = {}  # (kind, address) -> (written at, held back)
        self.by_kind: dict[str, _Window] = {}

    def warning(self, logger: logging.Logger, kind: str, address: str, message: str, *args: Any) -> None:
        now = self.clock()
        window = self.by_kind.get(kind)
        if window is None or now - window.start >= self.every_s:
            if window is not None and window.held:
                logger.warning(
                    "%d more %s warnings in the last minute, over the %d a minute written one by one",
                    window.held, kind, self.lines_per_kind,
                )  # fmt: skip
            window = self.by_kind[kind] = _Window(now)
        last, quiet = self.by_address.get((kind, address), (float("-inf"), 0))
        if now - last < self.every_s:
            self.by_address[(kind, address)] = (last, quiet + 1)
            return
        if window.written >= self.lines_per_kind:
            window.held += 1
            return
        if len(self.by_address) >= MAX_ADDRESSES:
            self.by_address.clear()
        self.by_address[(kind, address)] = (now, 0)
        window.written += 1
        logger.warning(message + (f" ({quiet} more like it in the last minute)" if quiet else ""), *args)


THROTTLE = Throttle()  # one per process


def warn(logger: logging.Logger, kind: str, address: str, message: str, *args: Any) -> None:
    """`logger.warning(message, *args)`, throttled per kind and client address (Throttle)."""
    THROTTLE.warning(logger, kind, address, message, *args)
