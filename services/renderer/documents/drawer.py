"""PDFs drawn in a process of their own, beside the renderer: a report's PDF (WeasyPrint, ≈ 75 % of a draw's CPU)
then takes the second core while this process makes the .docx, the .xlsx and the charts, instead of after them —
one 40 × 300 quarterly draft 15,8 → 12,7 s wall on two cores (bench/render_draft.py; docs/reports.md,
"Drawing"). Only the drawing moves: the seal's signature (the office's key) is made here, from the bytes and the
signature box the drawing sends back.

One drawing process per renderer process, started on the first draw (forkserver: a clean interpreter that has
imported WeasyPrint once, so a new drawing process is a fork of it, not a fresh import), renewed after
`RENEW_AFTER` draws (what a large draw left in its heap goes back to the system) and when it died (a draw it was
doing is drawn again here). Settings `draw_pdf_apart` (default on) turns it off: everything drawn in this process."""

from __future__ import annotations

import logging
import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from shared.signing import SignatureBox

log = logging.getLogger("lapkin.renderer.drawer")
RENEW_AFTER = 50  # draws per drawing process
Drawn = tuple[bytes, SignatureBox | None]


def _die_with(renderer: int) -> None:
    """In the drawing process, as it starts: it ends itself once the renderer that started it is gone, however the
    renderer ended (SIGKILL, or an exit that never shut the pool down). Otherwise it would wait for work for ever —
    its queue's pipe is open at both ends in it — and keep its forkserver alive with it: ≈ 275 MB per renderer
    process ever started. Linux: a pidfd, no polling; elsewhere a look every second. Ctrl-C at the terminal of
    `lapkin up` reaches every process of its group: this one leaves it to its renderer, which shuts it down (it
    wrote a KeyboardInterrupt traceback into the renderer's log)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        try:
            fd = os.pidfd_open(renderer)
        except (AttributeError, OSError):  # no pidfd here (not Linux ≥ 5.3): look every second
            while _alive(renderer):
                time.sleep(1.0)
        else:
            select.select([fd], [], [])  # readable once the renderer has exited
        os._exit(0)

    threading.Thread(target=watch, name="lapkin-drawer-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - the pid is another user's now: ours is gone
        return False
    return True


def _draw(vm: Mapping[str, Any], charts: Mapping[str, bytes], sah: Mapping[str, Any] | None) -> Drawn:
    """In the drawing process: the PDF at the drawing pace (base.py), as pdf.draw_pdf draws it."""
    from services.renderer.documents.base import drawing_pace
    from services.renderer.documents.pdf import draw_pdf

    with drawing_pace():
        return draw_pdf(vm, charts, sah)


class PdfDrawer:
    """Hands a PDF's drawing to the drawing process; `drawn` waits for it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["services.renderer.documents.pdf"])
                self._pool = ProcessPoolExecutor(
                    1,
                    mp_context=context,
                    max_tasks_per_child=RENEW_AFTER,
                    initializer=_die_with,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def submit(
        self, vm: Mapping[str, Any], charts: Mapping[str, bytes], sah: Mapping[str, Any] | None
    ) -> Future[Drawn]:
        try:
            return self._executor().submit(_draw, dict(vm), dict(charts), sah)
        except BrokenProcessPool:  # the drawing process died since the last draw: a new one
            self._forget()
            return self._executor().submit(_draw, dict(vm), dict(charts), sah)

    def drawn(
        self, future: Future[Drawn], vm: Mapping[str, Any], charts: Mapping[str, bytes], sah: Mapping[str, Any] | None
    ) -> Drawn:
        """The drawing's result; drawn here instead when the drawing process died doing it (killed, out of memory).
        Any other error is the drawing's own (a template's, WeasyPrint's) and is raised as it would be here."""
        try:
            return future.result()
        except BrokenProcessPool:
            log.warning("the PDF drawing process ended while drawing: drawn in the renderer's own process instead")
            self._forget()
            return _draw(vm, charts, sah)

    def _forget(self, wait: bool = False) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=True)

    def close(self) -> None:
        """At the renderer's shutdown: the drawing process ends before the renderer does (a drawing under way
        finishes), so its queue's semaphores are released, not reported leaked by multiprocessing at exit."""
        self._forget(wait=True)


_drawer: PdfDrawer | None = None
_drawer_lock = threading.Lock()


def pdf_drawer() -> PdfDrawer:
    """The process's drawer (one drawing process per renderer process, whatever the number of apps in it)."""
    global _drawer
    with _drawer_lock:
        if _drawer is None:
            _drawer = PdfDrawer()
        return _drawer
