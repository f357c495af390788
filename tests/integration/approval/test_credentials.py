"""Approval: every credential can be taken back, and logging in can neither exhaust memory nor lock an official out
(issue 12, items 6, 9 and 10). On a real Redis; the collector runs beside the approval service, sharing the secret
and the stream prefix as an install does, to show a revoked token refused on another service at once."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from services.approval import login, officials
from services.approval.main import create_app
from shared import revocation, security
from tests.integration.ops.conftest import eventually

PASSWORD = "rahasia-2024"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """argon2 at its cheapest: these tests log in dozens of times, the hash's cost is not what they test."""
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    monkeypatch.setattr(login, "_dummy", [])
    yield
    security.HASHING.configure(4, 2.0)  # the defaults, whatever a test set


@pytest.fixture
def app(settings, r) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client


@pytest.fixture
def collector(settings, r) -> Iterator[TestClient]:
    from services.collector.main import create_app as collector_app

    with TestClient(collector_app(settings.model_copy(update={"reminder_interval_s": 0}))) as client:
        yield client


def admin(settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {settings.admin_token}"}


def make_official(app: TestClient, settings, name: str, role: str = "staf") -> str:
    """An official named `name` plus this test's prefix (the approval database may be shared between tests); the
    username."""
    username = f"{name}-{settings.stream_prefix}"
    body = {"username": username, "password": PASSWORD, "nama": name.title(), "role": role}
    res = app.post("/api/v1/officials", json=body, headers=admin(settings))
    assert res.status_code == 201, res.text
    return username


def token(app: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    res = app.post("/api/v1/login", json={"username": username, "password": password})
    assert res.status_code == 200, res.text
    return {"Authorization": f"Bearer {res.json()['token']}"}


def web_login(app: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form; the session cookie's value."""
    app.cookies.clear()
    page = app.get("/masuk")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    res = app.post("/masuk", data={"username": username, "password": password, "csrf": csrf})
    assert res.status_code == 303 and res.headers["location"] == "/kotak-masuk", res.text
    cookie = res.cookies["lapkin_sesi"]
    app.cookies.clear()
    return cookie


def inbox_status(app: TestClient, cookie: str) -> tuple[int, str]:
    res = app.get("/kotak-masuk", headers={"Cookie": f"lapkin_sesi={cookie}"})
    return res.status_code, res.headers.get("location", "")


def _csrf_of(app: TestClient, cookie: str) -> str:
    page = app.get("/kotak-masuk", headers={"Cookie": f"lapkin_sesi={cookie}"})
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


# ---- item 9: logout, deactivation, password reset -------------------------------------------------------------


def test_logout_ends_the_session_on_the_server_a_replayed_cookie_opens_nothing(app, settings):
    rina = make_official(app, settings, "rina")
    cookie = web_login(app, rina)
    assert inbox_status(app, cookie) == (200, "")
    res = app.post("/keluar", data={"csrf": _csrf_of(app, cookie)}, headers={"Cookie": f"lapkin_sesi={cookie}"})
    assert res.status_code == 303 and res.headers["location"] == "/masuk?pesan=logged_out"

    assert inbox_status(app, cookie) == (303, "/masuk?pesan=login_required")  # the same cookie, replayed
    other = web_login(app, rina)  # logging in again works, with a new session
    assert other != cookie and inbox_status(app, other) == (200, "")


def test_a_deactivated_officials_token_and_session_stop_working_on_every_service_at_once(app, collector, settings):
    budi = make_official(app, settings, "budi", role="subkor")
    bearer = token(app, budi)
    cookie = web_login(app, budi)
    assert app.get("/api/v1/drafts", headers=bearer).status_code == 200
    assert collector.get("/api/v1/kelengkapan/2024", headers=bearer).status_code in (200, 404)

    deactivated = officials.with_session(settings, lambda s: officials.deactivate(s, budi))
    assert officials.publish_generations(settings, [deactivated])  # what `lapkin officials deactivate` does

    assert app.get("/api/v1/drafts", headers=bearer).status_code == 401
    assert app.get("/api/v1/pengingat", headers=bearer).status_code == 401  # not only /drafts
    assert collector.get("/api/v1/kelengkapan/2024", headers=bearer).status_code == 401
    assert inbox_status(app, cookie) == (303, "/masuk?pesan=login_required")
    res = app.post("/api/v1/login", json={"username": budi, "password": PASSWORD})
    assert res.status_code == 401


def test_a_password_reset_ends_every_token_and_session_and_the_new_password_works(app, collector, settings):
    tono = make_official(app, settings, "tono")
    bearer, cookie = token(app, tono), web_login(app, tono)
    reset = officials.with_session(settings, lambda s: officials.reset_password(s, tono, "sandi-baru-99"))
    assert officials.publish_generations(settings, [reset])
    assert app.get("/api/v1/drafts", headers=bearer).status_code == 401
    assert collector.get("/api/v1/kelengkapan/2024", headers=bearer).status_code == 401
    assert inbox_status(app, cookie)[0] == 303
    assert app.post("/api/v1/login", json={"username": tono, "password": PASSWORD}).status_code == 401
    fresh = token(app, tono, "sandi-baru-99")
    assert app.get("/api/v1/drafts", headers=fresh).status_code == 200
    assert collector.get("/api/v1/kelengkapan/2024", headers=fresh).status_code in (200, 404)


def test_revocations_reach_redis_within_seconds_without_the_cli_and_after_redis_lost_them(app, collector, settings, r):
    sari = make_official(app, settings, "sari")
    bearer = token(app, sari)
    officials.with_session(settings, lambda s: officials.deactivate(s, sari))  # Redis not told (it was away)
    started = time.monotonic()
    eventually(lambda: collector.get("/api/v1/kelengkapan/2024", headers=bearer).status_code == 401, 10, "refused")
    assert time.monotonic() - started <= revocation.SYNC_INTERVAL_S + 1.5

    r.delete(revocation.generations_key(settings.stream_prefix))  # Redis restarted without its data
    official_id = officials.with_session(settings, lambda s: officials.by_username(s, sari).id)
    key = revocation.generations_key(settings.stream_prefix)
    eventually(lambda: r.hget(key, str(official_id)) is not None, 10, "re-copied")
    assert collector.get("/api/v1/kelengkapan/2024", headers=bearer).status_code == 401


def test_without_redis_an_officials_token_is_refused_with_503_the_admin_token_still_works(app, settings):
    dewi = make_official(app, settings, "dewi")
    bearer = token(app, dewi)
    rt = app.app.state.rt  # type: ignore[attr-defined]
    from redis.asyncio import Redis

    real, rt.redis = rt.redis, Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        res = app.get("/api/v1/drafts", headers=bearer)
        assert res.status_code == 503 and res.headers["Retry-After"] == str(revocation.RETRY_AFTER_S)
        assert res.json()["errors"][0]["rule"] == "credentials_unavailable"
        assert app.get("/api/v1/drafts", headers=admin(settings)).status_code == 200
    finally:
        app.portal.call(rt.redis.aclose)  # type: ignore[union-attr]
        rt.redis = real
    assert app.get("/api/v1/drafts", headers=bearer).status_code == 200


# ---- item 10: throttling instead of a lock, unknown and known names alike --------------------------------------


def client_at(app: TestClient, host: str) -> TestClient:
    """Another client address on the same running app (its event loop, so its Redis client works)."""
    other = TestClient(app.app, client=(host, 4000), follow_redirects=False)
    other.portal = app.portal
    return other


def attempt(client: TestClient, username: str, password: str = "salah-sandi") -> Any:
    return client.post("/api/v1/login", json={"username": username, "password": password})


def test_unknown_and_known_usernames_get_the_same_answers(app, settings):
    rina = make_official(app, settings, "rina")
    for name in (rina, "tidak-ada"):  # each: three failures, then a growing delay
        answers = [attempt(app, name) for _ in range(login.USER_FREE)]
        assert [(a.status_code, a.json()) for a in answers] == [(401, officials_bad())] * login.USER_FREE
        throttled = attempt(app, name)
        assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "1"
        assert throttled.json()["errors"][0]["rule"] == "too_many_attempts"
    wati = make_official(app, settings, "wati")
    assert _form_login(app, wati) == _form_login(app, "tidak-ada-juga") == (401, "Nama pengguna atau kata sandi "
                                                                              "salah.")  # fmt: skip


def officials_bad() -> dict[str, Any]:
    return {"errors": [{"field": "password", "rule": "bad_credentials", "message_id": "Nama pengguna atau kata sandi "
            "salah.", "message_en": "Wrong username or password."}]}  # fmt: skip


def _form_login(app: TestClient, username: str) -> tuple[int, str]:
    app.cookies.clear()
    page = app.get("/masuk")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    res = app.post("/masuk", data={"username": username, "password": "salah", "csrf": csrf})
    app.cookies.clear()
    error = re.search(r'class="error"[^>]*>([^<]+)<', res.text)
    return res.status_code, error.group(1) if error else ""


def test_failures_grow_the_delay_and_no_stranger_locks_an_official_out(app, settings, monkeypatch):
    monkeypatch.setattr(login, "USER_CAP_S", 2)
    rina = make_official(app, settings, "rina")
    stranger = client_at(app, "203.0.113.9")
    official = client_at(app, "198.51.100.7")
    waits = []
    for _ in range(6):
        res = attempt(stranger, rina)
        if res.status_code == 429:
            waits.append(int(res.headers["Retry-After"]))
            # while the stranger is held back, the official from another address gets in at once: a stranger's
            # failures delay only the stranger (outsider check: one wrong password every 30 s kept a name out)
            assert attempt(official, rina, PASSWORD).status_code == 200
            time.sleep(int(res.headers["Retry-After"]))
    assert waits and waits == sorted(waits) and max(waits) <= 2  # growing, capped
    assert attempt(official, rina).status_code == 401  # the official's own failures are counted apart


def test_unlock_forgets_a_usernames_failures(app, settings):
    rina = make_official(app, settings, "rina")
    clients = [app, client_at(app, "198.51.100.8")]
    for client in clients:
        for _ in range(login.USER_FREE):
            attempt(client, rina)
        assert attempt(client, rina, PASSWORD).status_code == 429
    officials.unlock(settings, rina)  # from every client at once
    assert [attempt(client, rina, PASSWORD).status_code for client in clients] == [200, 200]


# ---- item 6: hashing bounded, logins rate-limited per client ----------------------------------------------------


def test_password_hashing_runs_at_most_the_configured_slots_at_once_and_excess_gets_503(settings, r):
    slots = 2
    app_settings = settings.model_copy(update={"password_hash_concurrency": slots, "password_hash_wait_s": 30})
    running, peak, lock = [0], [0], threading.Lock()
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

    class Counting(PasswordHasher):
        def verify(self, *args: Any, **kw: Any) -> bool:
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.05)
            try:
                return cheap.verify(*args, **kw)
            finally:
                with lock:
                    running[0] -= 1

    with TestClient(create_app(app_settings), follow_redirects=False) as client:
        security._hasher = Counting()
        results: list[int] = []
        clients = [client_at(client, f"192.0.2.{i}") for i in range(24)]
        threads = [
            threading.Thread(target=lambda c=c, i=i: results.append(attempt(c, f"acak-{i}").status_code))
            for i, c in enumerate(clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == [401] * 24 and peak[0] == slots

        security.HASHING.configure(1, 0.05)  # one slot, held: the next login waits 50 ms, then 503
        with security.HASHING.slot():
            res = attempt(client, "lain")
        assert res.status_code == 503 and res.headers["Retry-After"] == "1"
        assert res.json()["errors"][0]["rule"] == "busy"
        with security.HASHING.slot():  # the login page says so too
            page = _form_login(client, "lain")
        assert page == (503, "Terlalu banyak permintaan serupa sekaligus; coba lagi sebentar lagi.")


def test_logins_are_rate_limited_per_client(settings, r):
    limited = settings.model_copy(update={"login_rate_per_minute": 2, "login_rate_burst": 2})
    with TestClient(create_app(limited), follow_redirects=False) as client:
        assert [attempt(client, f"acak-{i}").status_code for i in range(2)] == [401, 401]
        res = attempt(client, "acak-3")
        assert res.status_code == 429 and int(res.headers["Retry-After"]) >= 1
        other = client_at(client, "192.0.2.77")
        assert attempt(other, "acak-4").status_code == 401  # another client has its own bucket


def hashed_at_the_defaults(settings, username: str) -> str:
    """The official's password hashed again at argon2's defaults, as an install before the costs were lowered left
    it (the suite's services hash at OWASP's floor); the hash."""
    from sqlmodel import Session, update

    from services.approval.models import Official
    from shared.db import make_engine

    old = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(PASSWORD)
    engine = make_engine(settings, "approval")
    try:
        with Session(engine) as s:
            s.execute(update(Official).where(Official.username == username).values(password_hash=old))  # type: ignore[arg-type]
            s.commit()
    finally:
        engine.dispose()
    return old


def test_a_password_hashed_with_other_costs_logs_in_and_is_renewed_with_todays(app, settings) -> None:
    """An official whose hash was made with other argon2 costs (an install before LAPKIN_PASSWORD_HASH_* changed)
    logs in, and the login renews the hash with today's costs: a hash of other costs answers its name's logins
    slower or faster than the dummy hash answers an unknown name's (the outsider's finding). The token stays valid."""
    from sqlmodel import Session, select

    from services.approval.models import Official
    from shared.db import make_engine

    username = make_official(app, settings, "lama")
    old = hashed_at_the_defaults(settings, username)
    engine = make_engine(settings, "approval")
    try:
        bearer = token(app, username)
        with Session(engine) as s:
            renewed = s.exec(select(Official).where(Official.username == username)).one().password_hash
        costs = f"m={settings.password_hash_memory_kib},t={settings.password_hash_time_cost}"
        assert renewed != old and costs in renewed and f"p={settings.password_hash_parallelism}$" in renewed
        assert app.get("/api/v1/drafts", headers=bearer).status_code == 200  # the token before the renewal
        token(app, username)  # the renewed hash logs in
    finally:
        engine.dispose()


def test_a_password_set_from_the_terminal_costs_what_a_login_costs(settings, monkeypatch) -> None:
    """`lapkin officials create`/`reset-password` hash through `with_session`, which takes the settings' costs: with
    the defaults there and other costs in the service, a known name's login would be slower than an unknown one's."""
    monkeypatch.setattr(security, "_hasher", PasswordHasher())  # the defaults, as a fresh CLI process has them
    other = settings.model_copy(update={"password_hash_memory_kib": 20480, "password_hash_time_cost": 2})
    officials.with_session(other, lambda session: None, create=True)
    assert "m=20480,t=2" in security.hash_password(PASSWORD)


def test_a_renewal_the_database_refuses_leaves_the_login_successful(app, settings, monkeypatch) -> None:
    """The renewal is best effort (the second outsider): a database error while writing the renewed hash is logged,
    and the login whose password was right still answers 200."""
    from sqlalchemy.exc import OperationalError

    username = make_official(app, settings, "terkunci")
    hashed_at_the_defaults(settings, username)

    def refused(*_a: object, **_k: object) -> None:
        raise OperationalError("UPDATE official", {}, Exception("database is locked"))

    monkeypatch.setattr(login, "update", refused)
    token(app, username)  # 200, not a 500 or 503
