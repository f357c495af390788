"""The services as separate OS processes the chaos tests can SIGKILL and restart one by one: the same uvicorn
commands `lapkin up` runs (lapkin.supervisor), with any number of aggregator processes in one consumer group, each
on its own port, and any number of collector processes sharing one port as `lapkin up --workers collector=N` runs
them (one listening socket, bound here, passed to each: `uvicorn --fd`)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from lapkin.supervisor import ROOT, Supervisor, accepting, listen_socket
from shared.config import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Process:
    name: str  # collector (or collector-1, collector-2), aggregator-1, aggregator-2, approval, renderer
    service: str
    port: int
    cmd: list[str]
    sock: socket.socket | None = None  # the listening socket it shares with the service's other processes
    popen: subprocess.Popen[bytes] | None = None
    starts: int = 0
    kills: int = 0
    cpu_spent: float = 0.0  # CPU seconds of the killed predecessors

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Processes:
    """Start, SIGKILL and restart single service processes. Each process gets its own port; replicas of a service
    share its consumer group and take distinct consumer names (the default `<service>-<host>-<pid>`, so a restarted
    process is a new consumer and what its predecessor held is reclaimed after LAPKIN_RECLAIM_IDLE_MS)."""

    data_dir: Path
    redis_url: str
    database_url: str | None
    aggregators: int = 1
    collectors: int = 1  # more than one: they share the collector's port
    env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, Process] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    logs: dict[str, IO[bytes]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ports = {s: free_port() for s in ("collector", "approval", "renderer")}
        agg_ports = [free_port() for _ in range(self.aggregators)]
        self.env = {
            "REDIS_URL": self.redis_url,
            "LAPKIN_DATA_DIR": str(self.data_dir),
            "LAPKIN_STREAM_PREFIX": f"chaos{secrets.token_hex(4)}",
            "LAPKIN_ADMIN_TOKEN": secrets.token_urlsafe(16),
            "LAPKIN_SECRET_KEY": secrets.token_urlsafe(16),
            "LAPKIN_RECLAIM_IDLE_MS": "3000",  # a killed consumer's entries come back after 3 s, not the default 60
            "LAPKIN_REMINDER_INTERVAL_S": "0",
            "LAPKIN_RATE_LIMIT_PER_MINUTE": "0",  # 12 clients send thousands with 20 keys: the test is about crashes
            "LAPKIN_COLLECTOR_PORT": str(ports["collector"]),
            "LAPKIN_AGGREGATOR_PORT": str(agg_ports[0]),
            "LAPKIN_APPROVAL_PORT": str(ports["approval"]),
            "LAPKIN_RENDERER_PORT": str(ports["renderer"]),
        }
        if self.database_url:
            self.env["DATABASE_URL"] = self.database_url
        self.settings = Settings(
            DATABASE_URL=self.database_url,  # type: ignore[call-arg]
            redis_url=self.redis_url,
            data_dir=self.data_dir,
            admin_token=self.env["LAPKIN_ADMIN_TOKEN"],
            stream_prefix=self.env["LAPKIN_STREAM_PREFIX"],
            reclaim_idle_ms=3000,
            collector_port=ports["collector"],
            aggregator_port=agg_ports[0],
            approval_port=ports["approval"],
            renderer_port=ports["renderer"],
        )
        supervisor = Supervisor(self.settings, self.env)
        layout = [("collector", "collector", ports["collector"])] if self.collectors == 1 else []
        layout += [(f"aggregator-{i + 1}", "aggregator", p) for i, p in enumerate(agg_ports)]
        layout += [("approval", "approval", ports["approval"]), ("renderer", "renderer", ports["renderer"])]
        for name, service, port in layout:
            cmd = supervisor.command(service)
            cmd[cmd.index("--port") + 1] = str(port)
            self.procs[name] = Process(name, service, port, cmd)
        if self.collectors > 1:
            shared = listen_socket("collector", "127.0.0.1", ports["collector"])
            for i in range(self.collectors):
                cmd = supervisor.command("collector", shared.fileno())
                self.procs[f"collector-{i + 1}"] = Process(
                    f"collector-{i + 1}", "collector", ports["collector"], cmd, sock=shared
                )

    @property
    def prefix(self) -> str:
        return self.env["LAPKIN_STREAM_PREFIX"]

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.env['LAPKIN_ADMIN_TOKEN']}"}

    def url(self, name: str, path: str) -> str:
        """A process's address; a service's name gives its (first) process's, which its others share."""
        proc = self.procs.get(name) or next(p for p in self.procs.values() if p.service == name)
        return f"{proc.base_url}{path}"

    def start(self, name: str) -> None:
        proc = self.procs[name]
        log_dir = self.data_dir / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        with self.lock:
            if proc.popen is not None and proc.popen.poll() is None:
                return
            log = self.logs.get(name) or open(log_dir / f"{name}.log", "ab")  # noqa: SIM115
            self.logs[name] = log
            proc.popen = subprocess.Popen(
                proc.cmd,
                env={**os.environ, **self.env},
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                pass_fds=() if proc.sock is None else (proc.sock.fileno(),),
            )
            proc.starts += 1

    def start_all(self) -> None:
        for name in self.procs:
            self.start(name)

    def kill(self, name: str) -> int | None:
        """SIGKILL the process (no shutdown hook runs) and reap it; its pid, or None when it was not running."""
        proc = self.procs[name]
        with self.lock:
            if proc.popen is None or proc.popen.poll() is not None:
                return None
            pid = proc.popen.pid
            proc.cpu_spent += _cpu_of(proc.popen)
            os.kill(pid, signal.SIGKILL)
            proc.popen.wait()
            proc.kills += 1
            return pid

    def running(self, name: str) -> bool:
        popen = self.procs[name].popen
        return popen is not None and popen.poll() is None

    def health(self, name: str) -> str | None:
        """None when healthy, else what /healthz (or the connection) says. A process sharing its port must also
        be taking connections itself (another one may be answering for it)."""
        proc = self.procs[name]
        if proc.sock is not None and proc.popen is not None:
            if not self.running(name):
                return "not running"
            if accepting(proc.popen.pid, proc.sock) is False:
                return "starting"
        try:
            r = httpx.get(self.url(name, "/healthz"), timeout=2)
        except httpx.HTTPError as exc:
            return exc.__class__.__name__
        return None if r.status_code == 200 else r.text

    def wait_healthy(self, names: list[str] | None = None, timeout: float = 90.0) -> None:
        pending = set(names or self.procs)
        said: dict[str, str | None] = {}
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            for name in list(pending):
                if not self.running(name):
                    code = self.procs[name].popen.returncode  # type: ignore[union-attr]
                    raise RuntimeError(f"{name} exited with {code}; see {self.data_dir / 'logs' / (name + '.log')}")
                said[name] = self.health(name)
                if said[name] is None:
                    pending.discard(name)
            if pending:
                time.sleep(0.2)
        if pending:
            raise RuntimeError(f"not healthy after {timeout:.0f} s: { ({n: said.get(n) for n in sorted(pending)}) }")

    def stop_all(self, timeout: float = 20.0) -> None:
        with self.lock:
            for proc in self.procs.values():
                if proc.popen is not None and proc.popen.poll() is None:
                    proc.popen.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + timeout
            for proc in self.procs.values():
                if proc.popen is None:
                    continue
                try:
                    proc.popen.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.popen.kill()
                    proc.popen.wait()
            for log in self.logs.values():
                log.close()
            for sock in {id(p.sock): p.sock for p in self.procs.values() if p.sock is not None}.values():
                sock.close()

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) per process name: its killed predecessors' and the running one's."""
        return {name: proc.cpu_spent + _cpu_of(proc.popen) for name, proc in self.procs.items()}

    def log_problems(self, limit: int = 3000) -> str:
        """The tail of each log that shows a traceback or an error, for the test's output."""
        out = []
        for log in sorted((self.data_dir / "logs").glob("*.log")):
            text = log.read_text(errors="replace")
            if "Traceback" in text or "ERROR" in text:
                out.append(f"--- {log.name} ---\n{text[-limit:]}")
        return "\n".join(out)


def _cpu_of(popen: subprocess.Popen[bytes] | None) -> float:
    """CPU seconds (user + system) a running process has used so far, from /proc; 0 when it is not running."""
    if popen is None or popen.poll() is not None:
        return 0.0
    try:
        fields = Path(f"/proc/{popen.pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
