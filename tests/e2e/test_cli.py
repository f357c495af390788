"""The README's main command on the embedded defaults: `lapkin demo` starts a Redis of its own (none is reachable
at REDIS_URL), SQLite under LAPKIN_DATA_DIR and the four services, runs the worked example and stops cleanly;
`lapkin up` runs until Ctrl-C and then stops every child; `lapkin officials create` makes an official who can log in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from lapkin.supervisor import redis_reachable
from tests.e2e.conftest import free_port

LAPKIN = [sys.executable, "-m", "lapkin"]


def embedded_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAPKIN_") and k not in ("DATABASE_URL",)}
    env.update(
        {
            "LAPKIN_DATA_DIR": str(data_dir),
            "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
            "LAPKIN_COLLECTOR_PORT": str(free_port()),
            "LAPKIN_AGGREGATOR_PORT": str(free_port()),
            "LAPKIN_APPROVAL_PORT": str(free_port()),
            "LAPKIN_RENDERER_PORT": str(free_port()),
        }
    )
    return env


def test_demo_runs_the_worked_example_on_embedded_defaults(tmp_path):
    env = embedded_env(tmp_path)
    done = subprocess.run([*LAPKIN, "demo"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "redis-server" in done.stdout  # it started a real Redis of its own
    assert "TAHUNAN" in done.stdout and "99,84" in done.stdout  # Indonesian number format, from the recap
    final_pdf = tmp_path / "documents" / "2024" / "TW1" / "v1" / "final" / "laporan.pdf"
    assert final_pdf.exists() and final_pdf.read_bytes().startswith(b"%PDF")
    assert (tmp_path / "collector.db").exists() and (tmp_path / "redis" / "appendonlydir").exists()
    assert not redis_reachable(env["REDIS_URL"])  # the Redis it started was stopped with it


def test_up_stops_cleanly_on_ctrl_c_and_officials_create_makes_a_login(tmp_path):
    env = embedded_env(tmp_path)
    created = subprocess.run(
        [
            *LAPKIN,
            "officials",
            "create",
            "--username",
            "sekdin",
            "--nama",
            "Sekretaris Dinas",
            "--role",
            "sekretaris",
            "--password",
            "rahasia-sekali",
            "--nip",
            "197001011990031001",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stdout + created.stderr
    proc = subprocess.Popen([*LAPKIN, "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    approval = f"http://127.0.0.1:{env['LAPKIN_APPROVAL_PORT']}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{approval}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "lapkin up did not come up"
            time.sleep(0.3)
        r = httpx.post(f"{approval}/api/v1/login", json={"username": "sekdin", "password": "rahasia-sekali"})
        assert r.status_code == 200 and r.json()["official"]["role"] == "sekretaris"
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    for port in ("LAPKIN_COLLECTOR_PORT", "LAPKIN_AGGREGATOR_PORT", "LAPKIN_APPROVAL_PORT", "LAPKIN_RENDERER_PORT"):
        try:
            httpx.get(f"http://127.0.0.1:{env[port]}/healthz", timeout=1)
            raise AssertionError(f"{port} still answers after Ctrl-C")
        except httpx.HTTPError:
            pass
    assert not redis_reachable(env["REDIS_URL"])
