"""The supervisor's own rules, without the services: `--workers` parsing, one listening socket per service bound
before anything starts (a taken port is one clear error), and a child that keeps exiting right after it starts is
given up on instead of being restarted for ever."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import pytest

from lapkin.supervisor import (
    GIVE_UP_AFTER,
    LOG_KEEP,
    MAX_WORKERS,
    GaveUp,
    NotHealthy,
    PortInUse,
    Supervisor,
    WorkersInvalid,
    parse_workers,
    rotate_logs,
)
from shared.config import Settings


def test_workers_names_services_and_counts() -> None:
    assert parse_workers("collector=2,renderer=2") == {"collector": 2, "renderer": 2}
    assert parse_workers(" collector = 3 ") == {"collector": 3}
    assert parse_workers(f"approval={MAX_WORKERS}") == {"approval": MAX_WORKERS}
    assert parse_workers(None) == {} and parse_workers("") == {}


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("colector=2", "unknown service 'colector'"),
        ("collector=0", "must be 1–16, not 0"),
        (f"collector={MAX_WORKERS + 1}", f"must be 1–16, not {MAX_WORKERS + 1}"),
        ("collector=-1", "must be a whole number"),
        ("collector=two", "must be a whole number"),
        ("collector", "is not <service>=<count>"),
        ("collector=2,,renderer=2", "'' is not <service>=<count>"),
        ("collector=2,collector=3", "collector named twice"),
    ],
)
def test_a_bad_workers_value_is_refused_naming_the_option_and_the_rule(value: str, says: str) -> None:
    with pytest.raises(WorkersInvalid) as caught:
        parse_workers(value)
    message = str(caught.value)
    assert message.startswith(f"--workers {value!r}: ") and says in message, message
    assert " / " in message  # Indonesian, then English


def _settings(tmp_path: Path, port: int) -> Settings:
    return Settings(data_dir=tmp_path, collector_port=port)  # type: ignore[call-arg]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_taken_port_is_one_clear_error_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        sup = Supervisor(_settings(tmp_path, port), {}, services=("collector",))
        with pytest.raises(PortInUse) as caught:
            sup.start()
    assert str(caught.value).startswith(
        f"Port {port} (collector) sudah dipakai — apakah Lapkin sudah berjalan? / "
        f"Port {port} (collector) is already in use — is Lapkin already running?"
    )
    assert sup.children == {} and sup.sockets == {}


class Failing(Supervisor):
    """Children that exit with `code` at once, instead of uvicorn."""

    code: int = 3

    def command(self, service: str, fd: int | None = None) -> list[str]:
        why = "RuntimeError: LAPKIN_FILE_STORE=database memerlukan PostgreSQL / needs PostgreSQL"  # its log's last line
        return [
            sys.executable,
            "-c",
            f"import sys; print('starting'); print({why!r}, file=sys.stderr); sys.exit({self.code})",
        ]


def _poll_until_gave_up(sup: Supervisor, timeout: float = 60.0) -> tuple[list[str], GaveUp]:
    said: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            said += sup.poll()
        except GaveUp as exc:
            return said, exc
        for child in sup.children.values():  # no need to wait out the back-off here
            if child.next_start:
                child.next_start = min(child.next_start, time.monotonic())
        time.sleep(0.05)
    raise AssertionError(f"never gave up; said {said}")


def test_a_child_exiting_at_once_with_the_same_code_is_given_up_on(tmp_path: Path) -> None:
    sup = Failing(_settings(tmp_path, _free_port()), {}, services=("collector",), log_dir=tmp_path / "logs")
    sup.start()
    try:
        said, gave_up = _poll_until_gave_up(sup)
    finally:
        sup.stop()
    why = " — RuntimeError: LAPKIN_FILE_STORE=database memerlukan PostgreSQL / needs PostgreSQL"  # each time: why
    assert said == [f"collector exited with 3; restarting in {0.5 * 2**i:g} s{why}" for i in range(GIVE_UP_AFTER - 1)]
    assert sup.children["collector"].restarts == GIVE_UP_AFTER - 1
    message = str(gave_up)
    assert f"exited with 3 {GIVE_UP_AFTER} times in a row" in message and "not restarted again" in message
    assert str(tmp_path / "logs" / "collector.log") in message
    assert message.endswith("— RuntimeError: LAPKIN_FILE_STORE=database memerlukan PostgreSQL / needs PostgreSQL")


def test_services_not_healthy_in_time_are_named_with_their_exits_and_logs(tmp_path: Path) -> None:
    sup = Failing(_settings(tmp_path, _free_port()), {}, services=("collector",), log_dir=tmp_path / "logs")
    sup.start()
    try:
        said: list[str] = []
        with pytest.raises(NotHealthy) as caught:
            sup.wait_healthy(3, echo=said.append)
    finally:
        sup.stop()
    assert said and said[0].startswith("[supervisor] collector exited with 3; restarting in 0.5 s — RuntimeError: ")
    message = str(caught.value)
    assert "— RuntimeError: LAPKIN_FILE_STORE=database memerlukan PostgreSQL" in message
    assert message.startswith("Layanan belum sehat setelah 3 detik / not healthy after 3 s: collector (collector: ")
    assert "keluar / exit 3)" in message and str(tmp_path / "logs" / "collector.log") in message


class Unhealthy(Supervisor):
    """A child that runs and answers every request 503 with the `problems` a service's /healthz names."""

    def command(self, service: str, fd: int | None = None) -> list[str]:
        where = (
            f"socket.socket(fileno={fd})"
            if fd is not None
            else f"socket.create_server(('127.0.0.1', {self.port_of(service)}))"
        )
        child = f"""
import json, socket
from http.server import BaseHTTPRequestHandler, HTTPServer
class Sick(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({{"status": "error", "problems": ["file store: HEAD s3://lapkin: ConnectError"]}}).encode()
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = HTTPServer(("127.0.0.1", 0), Sick, bind_and_activate=False)
server.socket.close()
server.socket = {where}
server.socket.listen()
server.serve_forever()
"""
        return [sys.executable, "-c", child]


def test_a_service_running_but_unhealthy_is_named_with_what_its_healthz_says(tmp_path: Path) -> None:
    sup = Unhealthy(_settings(tmp_path, _free_port()), {}, services=("collector",), log_dir=tmp_path / "logs")
    sup.start()
    try:
        with pytest.raises(NotHealthy) as caught:
            sup.wait_healthy(3)
    finally:
        sup.stop()
    message = str(caught.value)
    assert "collector [file store: HEAD s3://lapkin: ConnectError]" in message, message
    assert "exit" not in message  # it did not exit: only unhealthy


def test_a_different_code_or_a_long_run_starts_the_count_again(tmp_path: Path) -> None:
    sup = Failing(_settings(tmp_path, _free_port()), {}, services=("collector",))
    sup.start()
    child = sup.children["collector"]
    try:
        deadline = time.monotonic() + 30
        while child.quick_exits < GIVE_UP_AFTER - 1:  # one short of giving up
            sup.poll()
            child.next_start = min(child.next_start, time.monotonic()) if child.next_start else 0.0
            assert time.monotonic() < deadline
            time.sleep(0.05)
        while child.next_start == 0.0 or child.proc is None or child.proc.poll() is None:
            sup.poll()  # it is waiting to start again
            time.sleep(0.05)
        child.cmd = [sys.executable, "-c", "import sys; sys.exit(4)"]  # another way to fail: not the same fault
        child.next_start = time.monotonic()
        sup.poll()  # started again
        child.proc.wait()  # type: ignore[union-attr]
        sup.poll()  # exited with 4: counted from 1
        assert (child.quick_exits, child.last_code) == (1, 4)
        child.next_start = time.monotonic()
        sup.poll()
        child.started_at -= 3600  # as if it had run for an hour before exiting
        child.proc.wait()  # type: ignore[union-attr]
        sup.poll()
        assert (child.quick_exits, child.restarts) == (0, 0)  # a crash in normal running: back-off from 0.5 s
        assert child.next_start - time.monotonic() <= 0.5
    finally:
        sup.stop()


def test_several_processes_of_a_service_get_their_own_names_logs_and_consumer_names(tmp_path: Path) -> None:
    sup = Failing(
        _settings(tmp_path, _free_port()),
        {"LAPKIN_CONSUMER_NAME": "node-a"},
        services=("collector",),
        log_dir=tmp_path / "logs",
        workers={"collector": 2},
    )
    sup.start()
    try:
        assert list(sup.children) == ["collector-1", "collector-2"] == sup.names("collector")
        assert [c.env["LAPKIN_CONSUMER_NAME"] for c in sup.children.values()] == ["node-a-1", "node-a-2"]
        assert {c.fd for c in sup.children.values()} == {sup.sockets["collector"].fileno()}
    finally:
        sup.stop()
    assert sorted(p.name for p in (tmp_path / "logs").iterdir()) == ["collector-1.log", "collector-2.log"]
    assert (tmp_path / "logs").stat().st_mode & 0o777 == 0o700  # the logs name officials and units: the owner's
    assert {p.stat().st_mode & 0o777 for p in (tmp_path / "logs").iterdir()} == {0o600}
    assert sup.sockets == {}  # closed with the children


def test_a_long_wait_says_what_it_waits_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`lapkin up` waits up to 90 s for the services: meanwhile a line now and then names the ones not healthy yet
    and what their /healthz says (an outsider saw 90 silent seconds before the verdict)."""
    monkeypatch.setattr("lapkin.supervisor.WAIT_SAID_EVERY_S", 0.5)
    sup = Unhealthy(_settings(tmp_path, _free_port()), {}, services=("collector",), log_dir=tmp_path / "logs")
    sup.start()
    said: list[str] = []
    try:
        with pytest.raises(NotHealthy):
            sup.wait_healthy(3, echo=said.append)
    finally:
        sup.stop()
    waiting = [line for line in said if "menunggu / waiting for collector" in line]
    assert len(waiting) >= 2, said
    assert "s dari/of 3 s); collector: file store: HEAD s3://lapkin: ConnectError" in waiting[-1], waiting


def test_the_reason_a_child_exited_is_its_errors_line_not_a_note_after_it(tmp_path: Path) -> None:
    """Outsider check: a database away was said as "(Background on this error at: https://sqlalche.me/…)", the line
    SQLAlchemy writes after its error, and a killed renderer as a warning's source line."""
    sup = Supervisor(_settings(tmp_path, _free_port()), {}, services=("collector",), log_dir=tmp_path / "logs")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "collector.log").write_text(
        "Traceback (most recent call last):\n"
        'sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed: port 5439 refused\n'
        "(Background on this error at: https://sqlalche.me/e/21/e3q8)\n"
        "  warnings.warn('resource_tracker: There appear to be %d '\n"
    )
    assert sup.last_words("collector") == (
        " — sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed: port 5439 refused"
    )


def test_a_log_past_its_size_is_copied_aside_and_emptied_keeping_five_older_parts(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "collector.log").write_bytes(b"x" * 50)
    (logs / "renderer.log").write_bytes(b"small\n")
    assert rotate_logs(logs, 0) == [] and rotate_logs(logs, -1) == []  # 0: never
    for part in range(1, LOG_KEEP + 3):
        (logs / "collector.log").write_bytes(f"part {part}\n".encode() * 20)
        assert rotate_logs(logs, 100) == [logs / "collector.log"]
        assert (logs / "collector.log").read_bytes() == b""
        assert (logs / "collector.log.1").read_bytes() == f"part {part}\n".encode() * 20
    kept = sorted(p.name for p in logs.iterdir() if p.name.startswith("collector"))
    assert kept == ["collector.log", *[f"collector.log.{i}" for i in range(1, LOG_KEEP + 1)]]
    assert [(logs / f"collector.log.{i}").read_text().split()[1] for i in range(1, LOG_KEEP + 1)] == [
        str(LOG_KEEP + 3 - i) for i in range(1, LOG_KEEP + 1)]  # fmt: skip  (the newest first; parts 1 and 2 gone)
    assert (logs / "renderer.log").read_bytes() == b"small\n" and not (logs / "renderer.log.1").exists()


class Chatty(Supervisor):
    """A child that writes numbered lines to its log for as long as it runs, instead of uvicorn."""

    def command(self, service: str, fd: int | None = None) -> list[str]:
        return [sys.executable, "-u", "-c", "import itertools, time\nfor i in itertools.count():\n"
                "    print(f'line {i:06d} ' + 'x' * 80)\n    time.sleep(0.0005)"]  # fmt: skip


def test_a_running_service_keeps_writing_to_its_rotated_log_from_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The child keeps the file it was given; after the supervisor empties it, its next line starts the file (it
    writes in append mode: no hole of zero bytes up to its old offset), and the lines go on in the part kept."""
    monkeypatch.setattr("lapkin.supervisor.LOG_CHECK_EVERY_S", 0.0)
    logs = tmp_path / "logs"
    sup = Chatty(_settings(tmp_path, _free_port()), {}, services=("collector",), log_dir=logs, log_max_bytes=20_000)
    sup.start()
    try:
        deadline = time.monotonic() + 30
        while not (logs / "collector.log.2").exists() and time.monotonic() < deadline:
            sup.poll()
            time.sleep(0.05)
        time.sleep(0.1)  # lines written after the last rotation
    finally:
        sup.stop()
    current, newest = (logs / "collector.log").read_bytes(), (logs / "collector.log.1").read_bytes()
    assert (logs / "collector.log.2").exists(), "never rotated twice in 30 s"
    assert {(logs / name).stat().st_mode & 0o777 for name in ("collector.log", "collector.log.1")} == {0o600}
    for part in (current, newest):
        assert b"\0" not in part and part.startswith(b"line ")  # emptied, then written from its start
    # each part holds lines in order; the next part goes on where the older one stopped (at most a line or two
    # written between the copy and the emptying are lost)
    older = [int(line.split()[1]) for line in (logs / "collector.log.2").read_text().splitlines()]
    newer = [int(line.split()[1]) for line in newest.decode().splitlines()]
    assert older == sorted(older) and newer == sorted(newer) and 1 <= newer[0] - older[-1] <= 3
