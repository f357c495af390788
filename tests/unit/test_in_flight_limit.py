"""At most MAX_REQUESTS_IN_FLIGHT requests of a process in the app at once; beyond them a 503 `busy` in the error body
with Retry-After at once (the outsider's flood got uvicorn's plain-text "Service Unavailable" without Retry-After,
which a client of the contract cannot read)."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from services.collector.main import create_app
from shared.config import Settings
from shared.inputguard import InFlightLimit
from shared.service import MAX_REQUESTS_IN_FLIGHT, WORKER_THREADS


class Held:
    """An app behind InFlightLimit(**limits) whose one route holds every request until `release` is set;
    `entered` lists each request's Authorization header as it reached the route ("-" for none)."""

    def __init__(self, **limits: int) -> None:
        self.release = asyncio.Event()
        self.entered: list[str] = []
        self.app = InFlightLimit(Starlette(routes=[Route("/api/v1/slow", self.slow)]), **limits)

    async def slow(self, request: Request) -> PlainTextResponse:
        self.entered.append(request.headers.get("authorization", "-"))
        await self.release.wait()
        return PlainTextResponse("ok")

    async def until_entered(self, count: int) -> None:
        while len(self.entered) < count:
            await asyncio.sleep(0.01)



def test_beyond_the_limit_a_request_is_refused_at_once_with_the_error_body_and_retry_after() -> None:
    held_app = Held(limit=2)

    async def run() -> tuple[list[httpx.Response], httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=held_app.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            held = [asyncio.create_task(client.get("/api/v1/slow")) for _ in range(2)]
            await held_app.until_entered(2)
            refused = await client.get("/api/v1/slow")  # answered while the two are still in the app
            held_app.release.set()
            done = [await task for task in held]
            again = await client.get("/api/v1/slow")  # room again
            return done, refused, again

    done, refused, again = asyncio.run(run())
    assert [r.status_code for r in done] == [200, 200] and again.status_code == 200
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
    (error,) = refused.json()["errors"]
    assert error["rule"] == "busy" and "coba lagi" in error["message_id"].lower()
    assert "try again" in error["message_en"].lower()
    assert len(held_app.entered) == 3  # the refused request never reached the route


def test_every_service_has_it_below_its_worker_threads(tmp_path) -> None:
    """A request holding a transaction across a thread hop always finds a thread (shared.service)."""
    app = create_app(Settings(data_dir=tmp_path))  # type: ignore[call-arg]
    limits = [m.kwargs["limit"] for m in app.user_middleware if m.cls is InFlightLimit]
    assert limits == [MAX_REQUESTS_IN_FLIGHT] and MAX_REQUESTS_IN_FLIGHT < WORKER_THREADS


def test_one_credential_gets_its_share_and_the_others_still_get_in() -> None:
    """An attacker's finding: one unit's key flooding cheap reads took all 128 places, and other units and the admin's
    revocation got 503. Now one Authorization header holds at most `per_credential` of them (429 beyond, nothing
    done); another credential, and requests without one, still get in; the share comes back as requests end."""
    held_app = Held(limit=4, per_credential=2)
    app, entered = held_app.app, held_app.entered
    attacker = {"Authorization": "Bearer lpk_attacker"}

    async def run() -> dict[str, object]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            held = [asyncio.create_task(client.get("/api/v1/slow", headers=attacker)) for _ in range(2)]
            await held_app.until_entered(2)
            refused = await client.get("/api/v1/slow", headers=attacker)
            other = asyncio.create_task(client.get("/api/v1/slow", headers={"Authorization": "Bearer admin"}))
            anonymous = asyncio.create_task(client.get("/api/v1/slow"))
            await held_app.until_entered(4)
            held_app.release.set()
            done = [await task for task in [*held, other, anonymous]]
            again = [await client.get("/api/v1/slow", headers=attacker) for _ in range(3)]  # one at a time: room
            return {"done": done, "refused": refused, "again": again, "left": dict(app.by_credential)}

    out = asyncio.run(run())
    assert [r.status_code for r in out["done"]] == [200] * 4  # type: ignore[attr-defined]
    assert [r.status_code for r in out["again"]] == [200] * 3  # type: ignore[attr-defined]
    refused = out["refused"]
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"  # type: ignore[attr-defined]
    (error,) = refused.json()["errors"]  # type: ignore[attr-defined]
    assert error["field"] == "Authorization" and error["rule"] == "too_many_at_once"
    assert "paling banyak 2" in error["message_id"] and "at most 2" in error["message_en"]
    assert entered.count("Bearer lpk_attacker") == 5  # the refused one never reached the route
    assert out["left"] == {} and app.in_flight == 0  # nothing kept once every request ended


def test_every_spelling_of_one_token_is_one_caller() -> None:
    """The header's scheme in any case and spaces or tabs around the token (as `shared.service.bearer` reads it) do
    not make another caller: an attacker's spellings of one key share its one share."""
    held_app = Held(limit=10, per_credential=2)
    spellings = ["Bearer lpk_x", "bearer  lpk_x", "BEARER \tlpk_x", "BeArEr lpk_x\xa0"]

    async def run() -> list[int]:
        transport = httpx.ASGITransport(app=held_app.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            held = [
                asyncio.create_task(client.get("/api/v1/slow", headers={"Authorization": spelling.encode("latin-1")}))
                for spelling in spellings[:2]
            ]
            await held_app.until_entered(2)
            refused = [
                (await client.get("/api/v1/slow", headers={"Authorization": spelling.encode("latin-1")})).status_code
                for spelling in spellings
            ]
            held_app.release.set()
            await asyncio.gather(*held)
            return refused

    assert asyncio.run(run()) == [429] * 4 and len(held_app.entered) == 2


def test_one_address_gets_its_share_whatever_credentials_it_sends() -> None:
    """The outsider's other way in: requests without credentials, or with made-up ones, each sending its JSON body
    slowly to any path, are held while InputGuard reads the body, before any route asks who sent them: 128 of them
    shut the service (health, the login page, the admin's revocation) for as long as they stayed. Now one client
    address holds at most `per_address` places, with or without credentials; another address still gets in."""
    held_app = Held(limit=10, per_credential=2, per_address=3)
    app = held_app.app

    async def run() -> dict[str, object]:
        here = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.0.0.1", 1)), base_url="http://t")
        there = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.0.0.2", 1)), base_url="http://t")
        async with here, there:
            held = [asyncio.create_task(here.get("/api/v1/slow")) for _ in range(2)]
            held.append(asyncio.create_task(here.get("/api/v1/slow", headers={"Authorization": "Bearer made-up-1"})))
            await held_app.until_entered(3)
            refused = [
                await here.get("/api/v1/slow"),
                await here.get("/api/v1/slow", headers={"Authorization": "Bearer made-up-2"}),
            ]
            other = asyncio.create_task(there.get("/api/v1/slow"))
            await held_app.until_entered(4)
            held_app.release.set()
            done = [await task for task in [*held, other]]
            return {"refused": refused, "done": done, "left": (dict(app.by_address), dict(app.by_credential))}

    out = asyncio.run(run())
    assert [r.status_code for r in out["done"]] == [200] * 4  # type: ignore[attr-defined]
    for refused in out["refused"]:  # type: ignore[attr-defined]
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
        (error,) = refused.json()["errors"]
        assert error["field"] is None and error["rule"] == "too_many_at_once"
        assert "dari alamat ini" in error["message_id"] and "from this address" in error["message_en"]
    assert len(held_app.entered) == 4 and out["left"] == ({}, {})


def test_every_service_gives_one_credential_and_one_address_a_quarter_of_the_places(tmp_path) -> None:
    app = create_app(Settings(data_dir=tmp_path))  # type: ignore[call-arg]
    (kwargs,) = [m.kwargs for m in app.user_middleware if m.cls is InFlightLimit]
    assert kwargs["per_credential"] == MAX_REQUESTS_IN_FLIGHT // 4 < kwargs["limit"]
    assert kwargs["per_address"] == MAX_REQUESTS_IN_FLIGHT // 4 < kwargs["limit"]
