"""What an outside review of the operators' tools found (issue 13, F6–F12), on a real Redis:

- a dead letter after too many deliveries names the handler's last error (class and message), on the page and in
  `lapkin dlq list|show`; the handler's failure log line names the event id and correlation id;
- a consumer group's oldest pending age counts from when the entry was written, not from its last delivery;
- a report's trace (`2024-TW1`) starts at the submissions and the recap the draft was drawn from, through the index
  and by the full scan alike; `lapkin trace` prints times in the office's zone, named;
- a dead letter is dropped only with its confirmation;
- an unknown event, an unknown file format, an unknown disposition's Lembar, a NUL in the address, a broken form and
  a file outside /static/ opened in the browser: the app's own pages, each naming what was not found and where the
  way back goes."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from faststream.redis.parser.binary import BinaryMessageFormatV1
from redis.asyncio import Redis as AsyncRedis
from sqlmodel import Session

from lapkin.ops import Ops
from services.approval.main import create_app
from shared.config import Settings
from shared.db import create_tables, make_engine
from shared.events.envelope import Envelope
from shared.messaging.index import EventIndex, entry_time
from shared.messaging.outbox import KERNEL_TABLES
from shared.messaging.streams import EventConsumer, ensure_groups, make_broker
from tests.integration.ops.conftest import event, put, session_cookie
from tests.integration.ops.test_cli_errors import lapkin
from tests.integration.ops.test_index import run_indexer, submitted
from tests.integration.ops.test_operator_pages import official

# ---- F9: the last error of a dead letter ----------------------------------------------------------------------


@pytest.fixture
def kernel_settings(tmp_path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        redis_url=os.environ.get("LAPKIN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
        stream_prefix=f"f{secrets.token_hex(4)}",
        reclaim_idle_ms=300,
        max_deliveries=2,
        database_url=os.environ.get("LAPKIN_KERNEL_DATABASE_URL"),
    )


@pytest.fixture
async def aredis(kernel_settings) -> AsyncIterator[AsyncRedis]:
    client = AsyncRedis.from_url(kernel_settings.redis_url)
    yield client
    await client.delete(*[k async for k in client.scan_iter(f"{kernel_settings.stream_prefix}.*")] or ["-"])
    await client.aclose()


async def test_a_dead_letter_after_too_many_deliveries_names_the_last_error(kernel_settings, aredis, caplog):
    settings = kernel_settings
    engine = make_engine(settings, "findingstest")
    create_tables(engine, list(KERNEL_TABLES))
    stream = settings.stream("producer")
    await ensure_groups(aredis, [stream], "findingstest")
    broker = make_broker(settings)

    def handle(session: Session, env: Envelope, payload: Any) -> None:
        raise LookupError(f"unit {'X' * 2000} is not known")  # a long message: kept cut short

    consumer = EventConsumer(
        broker=broker,
        settings=settings,
        engine=engine,
        service="findingstest",
        handlers={"PeriodeClosed": handle},
        streams=[stream],
        redis=aredis,
    )
    consumer.register()
    env = event("PeriodeClosed", {"tahun": 2024, "periode": "TW1", "closed_by": "t"}, "test")
    caplog.set_level(logging.ERROR, logger="lapkin.messaging")
    await broker.start()
    try:
        await aredis.xadd(stream, {"__data__": env.model_dump_json()})
        for _ in range(200):
            if await aredis.xlen(f"{stream}.dlq") >= 1:
                break
            await asyncio.sleep(0.05)
    finally:
        await broker.stop()
        engine.dispose()
    [(_, fields)] = await aredis.xrange(f"{stream}.dlq")
    body, _ = BinaryMessageFormatV1.parse(fields[b"__data__"])
    dead = json.loads(body)
    assert dead["dead_reason"] == "too many deliveries"
    assert dead["last_error"].startswith("LookupError: unit XXX")
    assert len(dead["last_error"]) <= 500
    failed = [r.getMessage() for r in caplog.records if "handler for PeriodeClosed failed" in r.getMessage()]
    assert failed and all(env.event_id in m and env.correlation_id in m and "LookupError" in m for m in failed)


def dead_letter(settings, r, **extra: Any) -> tuple[str, str, Envelope]:
    dlq = f"{settings.stream('collector')}.dlq"
    env = event("TriwulanSubmitted", submitted("BPS", 1, f"sub-{secrets.token_hex(3)}"), "collector")
    letter = {
        "envelope": json.loads(env.model_dump_json()),
        "dead_reason": "too many deliveries",
        "delivery_count": 6,
        "original_stream": settings.stream("collector"),
        "consumer": "aggregator",
        "group": "aggregator",
        "failed_at": "2024-04-01",
        **extra,
    }
    return dlq, r.xadd(dlq, {"__data__": json.dumps(letter)}).decode(), env


@pytest.fixture
def app_client(settings, r) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


def as_(settings, uid: int) -> dict[str, str]:
    return {"Cookie": f"lapkin_sesi={session_cookie(settings, uid)}"}


def test_the_last_error_shows_on_the_page_and_in_the_cli(app_client, settings, r):
    op = as_(settings, official(app_client, settings, "opf", "operator"))
    dlq, entry, _ = dead_letter(settings, r, last_error="LookupError: unit XYZ is not known")
    page = app_client.get("/operator/surat-mati", headers=op).text
    assert "LookupError: unit XYZ is not known" in page
    listed = lapkin(settings, "dlq", "list")
    assert "LookupError: unit XYZ is not known" in listed.stdout, listed.output
    shown = lapkin(settings, "dlq", "show", dlq, entry)
    assert json.loads(shown.stdout)["last_error"] == "LookupError: unit XYZ is not known"


def test_the_oldest_pending_age_counts_from_when_the_entry_was_written(settings, r):
    stream = settings.stream("collector")
    written = int(time.time() * 1000) - 600_000  # ten minutes ago
    r.xadd(stream, {"__data__": "{}"}, id=f"{written}-0")
    r.xgroup_create(stream, "aggregator", id="0")
    r.xreadgroup("aggregator", "c1", {stream: ">"}, count=1)  # delivered just now: idle for 0 s
    [row] = [g for s in Ops(settings, r).status() if s["stream"] == stream for g in s["groups"]]
    assert row["pending"] == 1 and row["oldest_pending_s"] >= 599


# ---- F10: a report's whole path ---------------------------------------------------------------------------------


async def test_a_reports_trace_starts_at_its_submissions_and_recap(settings, r):
    first = event("TriwulanSubmitted", submitted("BPS", 1, "sub-a"), "collector")
    second = event("TriwulanSubmitted", submitted("DISNAKER", 1, "sub-b"), "collector")
    other_period = event("TriwulanSubmitted", submitted("BPS", 2, "sub-c"), "collector")
    rekap = event(
        "RekapCompleted",
        {"tahun": 2024, "periode": "TW1", "revision": 2, "status": "complete", "rekap": {}, "inputs": {}},
        "aggregator",
        causation=second,
    )
    draft = {"draft_id": "2024-TW1", "tahun": 2024, "periode": "TW1", "jenis": "triwulan", "version": 1}
    rendered = event(
        "DraftRendered", {**draft, "document_id": "2024-TW1-v1", "recap_revision": 2, "files": {}}, "renderer",
        causation=rekap,
    )  # fmt: skip
    approve = event("DraftApproved", {**draft, "step": 5, "actor": {"id": 1, "nama": "K"}, "final": True}, "approval")
    late = event("TriwulanSubmitted", submitted("BPS", 1, "sub-d"), "collector")  # after the draft: not in it
    path = [first, second, other_period, rekap, rendered, approve, late]
    ids = {}
    for env in path:
        ids[env.event_id] = put(r, settings, env)
        time.sleep(0.002)
    await run_indexer(settings, len(path))
    expected = [first, second, rekap, rendered, approve]
    traced = EventIndex(r, settings.stream_prefix).trace("2024-TW1")
    assert [e["event_id"] for e in traced] == [e.event_id for e in expected]
    scanned = Ops(settings, r).trace_by_scan("2024-TW1")
    assert [e["event_id"] for e in scanned] == [e.event_id for e in expected]
    assert [e["type"] for e in EventIndex(r, settings.stream_prefix).trace("sub-a")] == ["TriwulanSubmitted"]

    printed = lapkin(settings, "trace", "2024-TW1", LAPKIN_TIMEZONE="Asia/Makassar")
    assert printed.exit_code == 0, printed.output
    lines = printed.stdout.strip().splitlines()
    assert len(lines) == len(expected), lines
    for line, env in zip(lines, expected, strict=True):  # the office's time, its zone named (not UTC unnamed)
        at = entry_time(ids[env.event_id]).astimezone(ZoneInfo("Asia/Makassar")).strftime("%Y-%m-%d %H:%M:%S")
        assert line.startswith(f"{at} WITA "), (line, at)


# ---- F8: a drop needs its confirmation ---------------------------------------------------------------------------


def test_a_drop_without_its_confirmation_is_refused(app_client, settings, r):
    op = as_(settings, official(app_client, settings, "opd", "operator"))
    dlq, entry, _ = dead_letter(settings, r)
    page = app_client.get("/operator/surat-mati", headers=op).text
    assert 'name="yakin"' in page and "Ya, buang surat mati ini" in page
    form = {"dlq": dlq, "entry": entry, "csrf": "csrf-token"}
    refused = app_client.post("/operator/surat-mati/buang", data=form, headers=op)
    assert refused.status_code == 400 and "centang" in refused.text.lower() and r.xlen(dlq) == 1
    assert not r.exists(f"{settings.stream_prefix}.ops")
    done = app_client.post("/operator/surat-mati/buang", data={**form, "yakin": "ya"}, headers=op)
    assert done.status_code == 303 and r.xlen(dlq) == 0


# ---- F6, F12: the app's own pages ------------------------------------------------------------------------------


def test_an_unknown_event_is_the_apps_not_found_page(app_client, settings, r):
    op = as_(settings, official(app_client, settings, "ope", "operator"))
    put(r, settings, event("TriwulanSubmitted", submitted("BPS", 1, "sub-x"), "collector"))
    for path in (
        f"/operator/peristiwa/{settings.stream('aggregator')}/1-0",
        f"/operator/peristiwa/{settings.stream('aggregator')}/abc",
        "/operator/peristiwa/foo/1-0",
    ):
        page = app_client.get(path, headers=op)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html"), path
        assert 'id="error-page"' in page.text and "Peristiwa tidak ditemukan" in page.text
        assert 'href="/operator/peristiwa" id="back">Kembali ke log peristiwa' in page.text
    english = app_client.get("/operator/peristiwa/foo/1-0", headers={"Cookie": f"{op['Cookie']}; lapkin_bahasa=en"})
    assert "Event not found" in english.text and "Back to the event log" in english.text


def test_error_pages_say_what_was_not_found_and_where_back_goes(app_client, settings, r):
    kasi = as_(settings, official(app_client, settings, "kasif", "kasi"))
    lembar = app_client.get("/disposisi/999/lembar.pdf", headers=kasi)
    assert lembar.status_code == 404 and "Disposisi tidak ditemukan" in lembar.text
    assert "Draf tidak ditemukan" not in lembar.text and ">Kembali ke daftar disposisi<" in lembar.text
    fmt = app_client.get("/draf/2024-TW1/final.exe", headers=kasi)
    assert fmt.status_code == 404 and "Format berkas tidak dikenal" in fmt.text and "Draf tidak" not in fmt.text
    csrf = app_client.post("/draf/2024-TW1/keputusan", data={"aksi": "setuju", "csrf": "wrong"}, headers=kasi)
    assert csrf.status_code == 403 and ">Kembali ke draf<" in csrf.text and ">Buka<" not in csrf.text
    year = app_client.get("/kepatuhan-sop", params={"tahun": "abc"}, headers=kasi)
    assert year.status_code == 422 and ">Kembali ke Kepatuhan SOP<" in year.text and ">Buka<" not in year.text
    nul = app_client.get("/draf/%00", headers=kasi)
    assert 'id="error-page"' in nul.text and "tidak menuju halaman mana pun" in nul.text and "NUL" not in nul.text
    static = app_client.get("/static/%2e%2e/%2e%2e/etc/passwd", headers={"Accept": "text/html"})
    assert static.status_code == 404 and static.headers["content-type"].startswith("text/html")
    assert 'id="error-page"' in static.text
    assert app_client.get("/static/nothing.css").headers["content-type"].startswith("application/json")
    broken = app_client.post(  # a part's headers that are no headers: the body cannot be read
        "/disposisi",
        content=b"--b\r\nthis is not a header\r\n\r\nx\r\n--b--\r\n",
        headers={**kasi, "Content-Type": "multipart/form-data; boundary=b", "Referer": "http://testserver/disposisi"},
    )
    assert broken.status_code == 400 and broken.headers["content-type"].startswith("text/html"), broken.text
    assert 'id="error-page"' in broken.text and "tidak terbaca" in broken.text
