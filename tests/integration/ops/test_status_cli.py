"""`lapkin status` on a real Redis (the test's own stream prefix): dead letters, a missing epoch and the newest
reconciliation's gaps each get a line an operator cannot miss."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from lapkin.cli import app
from lapkin.ops import expected_groups
from services.system import PRODUCERS
from shared.messaging.guard import epoch_key
from shared.observability import reconcile_key
from tests.support.s3 import S3Server


def run_status(settings, monkeypatch, code: int = 1) -> str:
    """`lapkin status`; exit status 1 when it printed any PERHATIAN/ATTENTION line, else 0."""
    monkeypatch.setenv("REDIS_URL", settings.redis_url)
    monkeypatch.setenv("LAPKIN_STREAM_PREFIX", settings.stream_prefix)
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == code, result.output
    assert ("PERHATIAN/ATTENTION" in result.output) == (code == 1), result.output
    return result.output


def test_a_missing_consumer_group_is_named_and_status_exits_1(settings, r, monkeypatch):
    r.set(epoch_key(settings.stream_prefix), "e1")
    for producer in PRODUCERS:
        for group in expected_groups(producer):
            r.xgroup_create(settings.stream(producer), group, id="0", mkstream=True)
    out = run_status(settings, monkeypatch, code=0)
    assert "grup aggregator" in out and "MISSING" not in out
    r.xgroup_destroy(settings.stream("collector"), "aggregator")
    out = run_status(settings, monkeypatch)
    stream = settings.stream("collector")
    line = f"PERHATIAN/ATTENTION: grup konsumen hilang / consumer group missing: stream {stream} group aggregator"
    assert line in out
    assert out.count("consumer group missing") == 1


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
    assert "epoch missing" not in out and "group missing" in out  # no service made its groups on this prefix
    assert "2 celah / gaps" in out and "PERHATIAN/ATTENTION: celah rekonsiliasi" in out


def test_status_names_the_file_store_and_whether_it_answers(settings, r, monkeypatch, s3_server: S3Server):
    bucket = s3_server.new_bucket()
    for name, value in s3_server.env(bucket, "lapkin/").items():
        monkeypatch.setenv(name, value)
    out = run_status(settings, monkeypatch)  # exit 1: no service ever ran on this prefix (epoch, groups)
    endpoint = s3_server.env(bucket)["LAPKIN_S3_ENDPOINT_URL"]
    line = f"penyimpanan berkas / file store: s3 {endpoint} bucket {bucket}, prefix lapkin/: terjangkau / reachable"
    assert line in out and "file store cannot be used" not in out
    assert s3_server.secret_key not in out

    monkeypatch.setenv("LAPKIN_S3_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: the store is down
    out = run_status(settings, monkeypatch)
    assert "s3 http://127.0.0.1:9 bucket" in out and "TIDAK TERJANGKAU / UNREACHABLE" in out
    assert "PERHATIAN/ATTENTION: penyimpanan berkas tidak dapat dipakai / the file store cannot be used: HEAD" in out
