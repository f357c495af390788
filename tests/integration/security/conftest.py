"""One office for the security tests: all four services in this process on a real Redis and database (PostgreSQL when
LAPKIN_TEST_DATABASE_URL is set), sharing one secret, admin token and stream prefix as an install does, and the
events flowing between them. The renderer is served by uvicorn on a port (the approval app fetches a draft's PDF
from it over HTTP); the other three through TestClient.

The world: the worked-example PK with UPT-BLK under BID-PPTK (a parent unit) and hostile names (a unit named
`<script>…`, an indicator `{{7*7}}`, a kendala starting with `=`); TW1 and TW2 reported by every unit; the TW1
draft approved to final and circulated; the TW2 draft waiting at the staf; one official per role; two
dispositions; an evidence file; a reminder. Built once for the package (it renders documents: a few seconds)."""

from __future__ import annotations

import asyncio
import copy
import io
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from redis import Redis

from shared import security
from shared.config import Settings
from shared.events.envelope import new_envelope
from tests.integration.conftest import REDIS_URL, _drop_schema
from tests.integration.ops.conftest import put, session_cookie
from tests.support.databases import fresh_database_url

SCRIPT = "<script>alert(1)</script>"
JINJA = "{{7*7}}"
NASTY = f"{SCRIPT} {JINJA}"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ROLES = ("sekretaris", "kabid", "subkor", "kasi", "staf", "operator")
CALLERS = ("anon", "other", "own", "parent", *ROLES, "admin")
# roles with a login but no column in the authorization matrix: the inspektorat acts on its own routes only (closing a
# year's evaluation: tests/integration/approval/test_evaluasi*.py hold its permissions); the hostile-input tests use
# it where no matrix caller may act (test_authorization.allowed_caller)
EXTRA_ROLES = ("inspektorat",)
UNITS = {"other": "BPS", "own": "UPT-BLK", "parent": "BID-PPTK"}
PASSWORD = "rahasia-2024"
CSRF = "csrf-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServedApp:
    """An app served by uvicorn in a thread of this process (lifespan and all), until `stop`."""

    def __init__(self, app: Any, port: int) -> None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.app = app

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert self.thread.is_alive() and time.monotonic() < deadline, "the renderer did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(60)


@dataclass
class World:
    settings: Settings
    clients: dict[str, Any]  # service -> TestClient (renderer: httpx.Client on its port)
    apps: dict[str, Any]
    redis: Redis
    callers: dict[str, dict[str, str]] = field(default_factory=dict)  # caller -> request headers
    officials: dict[str, dict[str, Any]] = field(default_factory=dict)  # role -> {"id", "username", "token"}
    ids: dict[str, Any] = field(default_factory=dict)  # what the requests name (drafts, submissions, files…)

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.settings.admin_token}"}

    def official(self, role: str) -> dict[str, str]:
        return self.callers[role]


def wait_for(probe: Callable[[], Any], what: str, timeout: float = 120) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def hostile_pk(pk: dict[str, Any]) -> dict[str, Any]:
    pk = copy.deepcopy(pk)
    pk["instansi"]["nama"] = f"Dinas {SCRIPT}"
    for unit in pk["units"]:
        if unit["kode"] == "BPS":
            unit["nama"] = f"Badan {NASTY}"
        if unit["kode"] == "UPT-BLK":
            unit["induk"] = "BID-PPTK"
    for sasaran in pk["sasaran"]:
        for ind in sasaran["indikator"]:
            if ind["kode"] == "IK-2.1":
                ind["nama"] = f"Jumlah peserta {NASTY}"
    return pk


def _ok(res: Any, *codes: int) -> Any:
    assert res.status_code in (codes or (200,)), f"{res.request.method} {res.request.url}: {res.status_code} {res.text}"
    return res.json() if "json" in res.headers.get("content-type", "") else res


def _build(world: World, pk: dict[str, Any], submissions: list[dict[str, Any]]) -> None:
    col, appr = world.clients["collector"], world.clients["approval"]
    world.ids["pk"] = hostile_pk(pk)
    _ok(col.put("/api/v1/perjanjian-kinerja/2024", json=world.ids["pk"], headers=world.admin))
    keys = {}
    for unit in {u["kode"] for u in pk["units"]}:
        keys[unit] = _ok(col.post(f"/api/v1/units/{unit}/api-keys", headers=world.admin), 201)["api_key"]
    world.callers = {"anon": {}, "admin": world.admin}
    for caller, unit in UNITS.items():
        world.callers[caller] = {"Authorization": f"Bearer {keys[unit]}"}
    for sub in submissions:
        if sub["triwulan"] in (1, 2):
            body = {**sub, "kendala": f'=HYPERLINK("http://contoh.invalid") {NASTY}'} if sub["unit"] == "BPS" else sub
            key = {"Authorization": f"Bearer {keys[sub['unit']]}"}
            _ok(col.post("/api/v1/laporan-triwulan", json=body, headers=key), 202)
    tw2 = _ok(col.get("/api/v1/periode/2024/TW2/status", headers=world.callers["own"]))
    world.ids["submission"] = tw2["units"][0]["history"][-1]["submission_id"]
    pdf = b"%PDF-1.4\n% bukti UPT-BLK\n%%EOF\n"
    files = {"file": ("daftar hadir.pdf", pdf, "application/pdf")}
    bukti = col.post(f"/api/v1/laporan-triwulan/{world.ids['submission']}/bukti", files=files,
                     headers=world.callers["own"])  # fmt: skip
    world.ids["bukti"] = _ok(bukti, 201)["id"]

    # officials, one per role (the sekretaris with a hostile name), their tokens and web sessions
    for role in (*ROLES, *EXTRA_ROLES):
        nama = f"Sekretaris {SCRIPT}" if role == "sekretaris" else f"{role.title()} Pejabat"
        body = {"username": f"u-{role}", "password": PASSWORD, "nama": nama, "role": role, "jabatan": role}
        official = _ok(appr.post("/api/v1/officials", json=body, headers=world.admin), 201)
        token = _ok(appr.post("/api/v1/login", json={"username": f"u-{role}", "password": PASSWORD}))["token"]
        world.officials[role] = {"id": official["id"], "username": f"u-{role}", "token": token}
        cookie = session_cookie(world.settings, int(official["id"]), CSRF)
        world.callers[role] = {"Authorization": f"Bearer {token}", "Cookie": f"lapkin_sesi={cookie}"}

    def drafts() -> dict[str, dict[str, Any]] | None:
        rows = _ok(appr.get("/api/v1/drafts", params={"tahun": 2024}, headers=world.admin))
        found = {d["periode"]: d for d in rows if d["jenis"] == "triwulan"}
        return found if {"TW1", "TW2"} <= set(found) else None

    found = wait_for(drafts, "the TW1 and TW2 drafts")
    tw1, tw2 = found["TW1"], found["TW2"]
    world.ids["draft_waiting"], world.ids["draft_final"] = tw2["id"], tw1["id"]
    for role in ("staf", "subkor"):
        decision = {"decision": "approve", "version": tw1["version"]}
        _ok(appr.post(f"/api/v1/drafts/{tw1['id']}/decision", json=decision, headers=world.official(role)))
    penerima = [world.officials["kabid"]["id"], world.officials["kasi"]["id"]]
    sos = appr.post(f"/api/v1/drafts/{tw1['id']}/sosialisasi", json={"penerima": penerima, "catatan": NASTY},
                    headers=world.official("subkor"))  # fmt: skip
    world.ids["sosialisasi"] = _ok(sos, 201)["id"]
    for name, kepada in (("disposisi_api", "subkor"), ("disposisi_web", "kasi")):
        body = {"kepada_role": kepada, "instruksi": f"Kumpulkan data {NASTY}", "catatan": SCRIPT,
                "tahun": 2024, "periode": "TW2"}  # fmt: skip
        world.ids[name] = _ok(appr.post("/api/v1/disposisi", json=body, headers=world.official("sekretaris")), 201)[
            "id"
        ]

    def draft_page() -> str | None:  # once the approval service holds the recap the draft was drawn from
        html = _ok(appr.get(f"/draf/{tw2['id']}", headers=world.official("staf"))).text
        return html if 'id="ind-IK-2.1"' in html else None

    page = wait_for(draft_page, "the TW2 draft's recap in the approval service")

    def published() -> bool:  # the TW1 final's documents (DocumentPublished) and a Lembar Disposisi, for their routes
        final = appr.get(f"/draf/{tw1['id']}", headers=world.official("staf")).text
        lembar = appr.get(f"/disposisi/{world.ids['disposisi_api']}/lembar.pdf", headers=world.official("subkor"))
        return 'id="sha256-pdf"' in final and lembar.status_code == 200

    wait_for(published, "the TW1 final documents and the Lembar Disposisi")
    world.ids["draft_waiting_seq"] = re.search(r'name="seq" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    world.ids["draft_waiting_version"] = tw2["version"]

    # a reminder about a unit with a hostile name, as the collector sends it
    overdue = {"tahun": 2024, "periode": "TW3", "unit": "BPS", "nama_unit": f"Badan {NASTY}", "jenis": "pengingat",
               "deadline": "2024-10-10T23:59:59+07:00", "missing_indikator": ["IKU-1"]}  # fmt: skip
    put(world.redis, world.settings, new_envelope("SubmissionOverdue", overdue, producer="collector"))
    wait_for(lambda: _ok(appr.get("/api/v1/pengingat", headers=world.admin))["pengingat"], "the reminder")

    # what the other requests name: a rendered document, an event on a stream, the unit's sheet filled in
    docs = _ok(world.clients["renderer"].get("/api/v1/documents", headers=world.admin))
    world.ids["document"] = next(d["id"] for d in docs if d["jenis"] == "triwulan")
    entry_id, _ = world.redis.xrange(world.settings.stream("collector"), count=1)[0]
    world.ids["event"] = (world.settings.stream("collector"), entry_id.decode())
    sheet = _ok(col.get("/api/v1/template/2024/UPT-BLK.xlsx", headers=world.admin)).content
    wb = load_workbook(io.BytesIO(sheet))
    wb["Laporan"]["B7"], wb["Laporan"]["I13"] = 2, "450"
    out = io.BytesIO()
    wb.save(out)
    world.ids["sheet"] = out.getvalue()


@pytest.fixture(scope="package")
def world(
    tmp_path_factory: pytest.TempPathFactory, pk_2024: dict[str, Any], submissions_2024: list[dict[str, Any]]
) -> Iterator[World]:
    with fresh_database_url() as database_url, pytest.MonkeyPatch.context() as mp:
        # argon2 at its cheapest: the matrix logs in dozens of times, and the hash's cost is not what it tests
        mp.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield from _world(tmp_path_factory, database_url, pk_2024, submissions_2024)


def _world(
    tmp_path_factory: pytest.TempPathFactory,
    database_url: str | None,
    pk_2024: dict[str, Any],
    submissions_2024: list[dict[str, Any]],
) -> Iterator[World]:
    from services.aggregator.main import create_app as aggregator_app
    from services.approval.main import create_app as approval_app
    from services.collector.main import create_app as collector_app
    from services.renderer.main import create_app as renderer_app

    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("office")),
        redis_url=REDIS_URL,
        admin_token=f"adm-{secrets.token_urlsafe(12)}",
        secret_key=secrets.token_urlsafe(16),
        stream_prefix=f"s{secrets.token_hex(4)}",
        database_url=database_url,
        relay_interval_s=0.05,
        renderer_port=free_port(),
        rate_limit_per_minute=0,  # the matrix sends many submissions with one key (the limit has its own tests)
        login_rate_per_minute=0,  # and logs in many times from one client (the limit: approval/test_credentials.py)
        reminder_interval_s=0,
    )
    redis = Redis.from_url(REDIS_URL)
    renderer = ServedApp(renderer_app(settings), settings.renderer_port)
    renderer.start()
    apps = {
        "collector": collector_app(settings),
        "aggregator": aggregator_app(settings),
        "approval": approval_app(settings),
    }
    try:
        with (
            TestClient(apps["collector"]) as col,
            TestClient(apps["aggregator"]) as agg,
            TestClient(apps["approval"], follow_redirects=False) as appr,
            httpx.Client(base_url=settings.base_url("renderer"), timeout=60) as ren,
        ):
            clients = {"collector": col, "aggregator": agg, "approval": appr, "renderer": ren}
            world = World(settings, clients, {**apps, "renderer": renderer.app}, redis)
            _build(world, pk_2024, submissions_2024)
            yield world
    finally:
        renderer.stop()
        keys = list(redis.scan_iter(f"{settings.stream_prefix}.*"))
        if keys:
            redis.delete(*keys)
        redis.close()
        for schema in ("collector", "aggregator", "approval", "renderer"):
            _drop_schema(database_url, schema)


def asgi_status(client: TestClient, path: str, headers: dict[str, str]) -> int:
    """The status an ASGI app answers a GET with, the client disconnecting right after the response starts: for a
    server-sent-events route that never ends (TestClient would wait for its end forever)."""
    statuses: list[int] = []
    sent = [False]

    async def receive() -> dict[str, Any]:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": b"", "more_body": False}
        while not statuses:
            await asyncio.sleep(0.01)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    scope = {
        "type": "http", "http_version": "1.1", "method": "GET", "scheme": "http", "path": path,
        "raw_path": path.encode(), "query_string": b"", "root_path": "", "server": ("testserver", 80),
        "client": ("127.0.0.1", 1),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }  # fmt: skip
    client.portal.call(client.app, scope, receive, send)  # type: ignore[union-attr]
    return statuses[0]
