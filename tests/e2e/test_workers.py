"""`lapkin up --workers collector=2`: two collector processes on one machine answer on the collector's one port
(each connection is taken by one of them, and both take some), each with a log of its own (their consumer names
differ by construction, `<service>-<host>-<pid>`; tests/unit/test_supervisor.py checks a configured one); a second
`lapkin up` on ports already taken says so at once instead of restarting children for ever; a bad --workers value
is refused naming the option."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import redis

from lapkin.supervisor import redis_reachable
from tests.e2e.test_cli import LAPKIN, embedded_env
from tests.e2e.up import lapkin_up

REDIS_URL = os.environ.get("LAPKIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        out |= {int(p) for p in (task / "children").read_text().split()}
    return out


def _serving_pid(port: int, candidates: set[int]) -> int | None:
    """Which of `candidates` took a new connection to /healthz on 127.0.0.1:`port` (from /proc: the server side of
    the connection is a socket one of them holds)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: lapkin\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = s.recv(4096)
            assert chunk, answer
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer
        client_port = s.getsockname()[1]
        inode = None
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = fields[1], fields[2]
            if local.endswith(f":{port:04X}") and remote.endswith(f":{client_port:04X}"):
                inode = fields[9]
        assert inode is not None, "no server side for the connection in /proc/net/tcp"
        for pid in candidates:
            try:
                links = {os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
            except OSError:
                continue
            if f"socket:[{inode}]" in links:
                return pid
    return None


def test_two_collector_processes_answer_on_one_port(tmp_path: Path) -> None:
    if not redis_reachable(REDIS_URL):
        raise AssertionError(f"no Redis at {REDIS_URL}")
    env = {**embedded_env(tmp_path), "REDIS_URL": REDIS_URL, "LAPKIN_STREAM_PREFIX": f"wk{secrets.token_hex(4)}"}
    port = int(env["LAPKIN_COLLECTOR_PORT"])
    up = lapkin_up(env, "--workers", "collector=2")
    try:
        out = up.wait_running()  # `lapkin up` prints its table once every process takes connections
        assert f"collector  http://127.0.0.1:{port}  (2 proses/processes)" in out, out
        assert "renderer" in out and "(1 proses/process)" in out, out
        children = _children(up.proc.pid)
        assert len(children) == 5, children  # two collectors, one of each other service
        served = [_serving_pid(port, children) for _ in range(40)]
        collectors = set(served)
        assert None not in collectors and len(collectors) == 2, served  # both took connections on the one port
        logs = sorted(p.name for p in (tmp_path / "logs").iterdir())
        assert logs == ["aggregator.log", "approval.log", "collector-1.log", "collector-2.log", "renderer.log"]
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
    finally:
        up.stop()
        _forget(env["LAPKIN_STREAM_PREFIX"])
    assert up.proc.returncode == 0, up.out


def test_a_second_lapkin_up_says_the_port_is_taken_at_once(tmp_path: Path) -> None:
    env = embedded_env(tmp_path)  # a Redis nobody runs: it would start one, if it got that far
    with socket.socket() as other:  # what a running `lapkin up` holds
        other.bind(("127.0.0.1", int(env["LAPKIN_APPROVAL_PORT"])))
        other.listen()
        started = time.monotonic()
        done = subprocess.run([*LAPKIN, "up"], env=env, capture_output=True, text=True, timeout=60)
        took = time.monotonic() - started
    port = env["LAPKIN_APPROVAL_PORT"]
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(
        f"Port {port} (approval) sudah dipakai — apakah Lapkin sudah berjalan? / "
        f"Port {port} (approval) is already in use — is Lapkin already running?"
    ), done.stderr
    assert "restarting" not in done.stdout + done.stderr and "redis-server" not in done.stdout, done.stdout
    assert not redis_reachable(env["REDIS_URL"])
    assert not (tmp_path / "logs").exists()  # no service process was started
    print(f"refused in {took:.1f} s")


def test_a_bad_workers_value_stops_lapkin_up_naming_the_option(tmp_path: Path) -> None:
    env = embedded_env(tmp_path)
    done = subprocess.run(
        [*LAPKIN, "up", "--workers", "colector=2"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("--workers 'colector=2': layanan tidak dikenal 'colector' / unknown service"), (
        done.stderr
    )
    assert not (tmp_path / "logs").exists()


def test_ctrl_c_while_starting_stops_everything_at_once_never_saying_running(tmp_path: Path) -> None:
    """Outsider (operator): Ctrl-C during the start was ignored until the start ended (a minute, longer with a
    failing service), then "running" was announced. Here the approval service fails at every start (a broken
    workflow file), and the failure is said as it happens; Ctrl-C stops the start and every process at once."""
    env = embedded_env(tmp_path)
    broken = tmp_path / "workflow.yaml"
    broken.write_text("sop: [unclosed\n")
    env["LAPKIN_WORKFLOW_FILE"] = str(broken)
    up = subprocess.Popen([*LAPKIN, "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (tmp_path / "logs" / "approval.log").exists():
            time.sleep(0.2)
        time.sleep(2)
        up.send_signal(signal.SIGINT)
        out, _ = up.communicate(timeout=40)
    finally:
        if up.poll() is None:
            up.kill()
    assert up.returncode == 130, out
    assert "Dihentikan sebelum siap / stopped before it was ready." in out and "Lapkin berjalan" not in out, out
    for name in ("LAPKIN_COLLECTOR_PORT", "LAPKIN_AGGREGATOR_PORT", "LAPKIN_APPROVAL_PORT", "LAPKIN_RENDERER_PORT"):
        with socket.socket() as s:  # nothing left serving
            assert s.connect_ex(("127.0.0.1", int(env[name]))) != 0, name
    assert not redis_reachable(env["REDIS_URL"])  # the Redis it started is stopped too


def _forget(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}.*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _alive(pid: int) -> bool:
    """Whether `pid` still runs: any of its threads is not a zombie. The main thread of a process whose other
    threads still run (its worker threads, finishing) shows as a zombie while those threads hold its sockets open."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
        return any((task / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z" for task in tasks)
    except (FileNotFoundError, ProcessLookupError):
        return False


def test_lapkin_up_killed_with_sigkill_takes_its_processes_with_it(tmp_path: Path) -> None:
    """Outsider (operator): `kill -9` of `lapkin up` left the four services (and the Redis it started) serving, with
    no supervisor: the next `lapkin up` found the ports taken. On Linux each child is sent SIGTERM by the kernel when
    the supervisor dies (PR_SET_PDEATHSIG), so they stop as after a Ctrl-C."""
    env = embedded_env(tmp_path)  # a Redis nobody runs: `lapkin up` starts its own, a child like the services
    up = lapkin_up(env)
    children: set[int] = set()
    try:
        up.wait_running()
        children = _children(up.proc.pid)
        assert len(children) == 5, children  # four services and the Redis
        up.proc.kill()  # SIGKILL: the supervisor cleans nothing up
        up.proc.wait(10)
        deadline = time.monotonic() + 40  # each service's graceful shutdown takes at most 15 s
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [pid for pid in children if _alive(pid)] == [], up.out
    finally:
        for pid in children:  # whatever outlived it, so no test after this one finds the ports taken
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    for name in ("LAPKIN_COLLECTOR_PORT", "LAPKIN_AGGREGATOR_PORT", "LAPKIN_APPROVAL_PORT", "LAPKIN_RENDERER_PORT"):
        with socket.socket() as s:  # nothing left serving
            assert s.connect_ex(("127.0.0.1", int(env[name]))) != 0, name
    assert not redis_reachable(env["REDIS_URL"])
