"""`lapkin up` as the end-to-end tests run it: started with a test's settings, its output read as it prints it (a
thread, so a test never blocks on a line that does not come), waited for until it says it runs."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

LAPKIN = [sys.executable, "-m", "lapkin"]
RUNNING = "Tekan Ctrl-C"  # the line `lapkin up` prints once every process takes connections


@dataclass
class Up:
    proc: subprocess.Popen[str]
    said: list[str]
    reader: threading.Thread

    @property
    def out(self) -> str:
        return "".join(self.said)

    def wait_running(self, timeout: float = 120) -> str:
        """Until `lapkin up` says it runs (AssertionError with its output if it exits or takes `timeout`)."""
        deadline = time.monotonic() + timeout
        while not any(line.startswith(RUNNING) for line in self.said):
            assert self.proc.poll() is None and time.monotonic() < deadline, "lapkin up did not come up: " + self.out
            time.sleep(0.3)
        return self.out

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60) -> int:
        """Send `sig` (Ctrl-C by default) and wait for it to exit; its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.proc.wait(timeout)
        self.reader.join(10)
        return self.proc.returncode


def lapkin_up(env: dict[str, str], *args: str) -> Up:
    proc = subprocess.Popen(
        [*LAPKIN, "up", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    said: list[str] = []
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: said.extend(iter(proc.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    return Up(proc, said, reader)
