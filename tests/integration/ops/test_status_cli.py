"""`lapkin status` on a real Redis (the test's own stream prefix): dead letters, a missing epoch and the newest
reconciliation's gaps each get a line an operator cannot miss."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from lapkin.cli import app
from shared.messaging.guard import epoch_key
from shared.observability import reconcile_key


def run_status(settings, monkeypatch) -> str:
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("LAPKIN_STREAM_PREFIX", settings.stream_prefix)
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    return result.output


def test_status_flags_dead_letters_a_missing_epoch_and_reconciliation_gaps(settings, r, monkeypatch):
    out = run_status(settings, monkeypatch)
    assert "surat mati / dead letters" not in out
    assert "epoch missing" in out  # no service ever ran on this prefix: nothing restored it
    assert "never run" in out

    r.set(epoch_key(settings.stream_prefix), "e1")
    r.xadd(f"{settings.stream('collector')}.dlq", {"__data__": json.dumps({"dead_reason": "x"})})
    found = {"at": "2026-12-01T00:00:00+00:00", "at_unix": 0, "gaps": {"collector-aggregator": 2}, "items": []}
    r.set(reconcile_key(settings.stream_prefix), json.dumps(found))
    out = run_status(settings, monkeypatch)
    assert "PERHATIAN/ATTENTION: 1 surat mati / dead letters" in out
    assert "epoch missing" not in out
    assert "2 celah / gaps" in out and "PERHATIAN/ATTENTION: celah rekonsiliasi" in out
