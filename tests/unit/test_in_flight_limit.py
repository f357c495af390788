"""At most MAX_REQUESTS_IN_FLIGHT requests of a process in the app at once; beyond them a 503 `busy` in the error body
with Retry-After at once (the outsider's flood got uvicorn's plain-text "Service Unavailable" without Retry-After,
which a client of the contract cannot read). uvicorn's own --limit-concurrency stays behind it as a backstop."""

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
from shared.service import MAX_REQUESTS_IN_FLIGHT, SERVER_CONCURRENCY_LIMIT


def test_beyond_the_limit_a_request_is_refused_at_once_with_the_error_body_and_retry_after() -> None:
    release = asyncio.Event()
    entered = 0

    async def slow(_: Request) -> PlainTextResponse:
        nonlocal entered
        entered += 1
        await release.wait()
        return PlainTextResponse("ok")

    app = InFlightLimit(Starlette(routes=[Route("/api/v1/slow", slow)]), limit=2)

    async def run() -> tuple[list[httpx.Response], httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            held = [asyncio.create_task(client.get("/api/v1/slow")) for _ in range(2)]
            while entered < 2:
                await asyncio.sleep(0.01)
            refused = await client.get("/api/v1/slow")  # answered while the two are still in the app
            release.set()
            done = [await task for task in held]
            again = await client.get("/api/v1/slow")  # room again
            return done, refused, again

    done, refused, again = asyncio.run(run())
    assert [r.status_code for r in done] == [200, 200] and again.status_code == 200
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
    (error,) = refused.json()["errors"]
    assert error["rule"] == "busy" and "coba lagi" in error["message_id"].lower()
    assert "try again" in error["message_en"].lower()
    assert entered == 3  # the refused request never reached the route


def test_every_service_has_it_below_uvicorn_s_backstop(tmp_path) -> None:
    app = create_app(Settings(data_dir=tmp_path))  # type: ignore[call-arg]
    limits = [m.kwargs["limit"] for m in app.user_middleware if m.cls is InFlightLimit]
    assert limits == [MAX_REQUESTS_IN_FLIGHT] and MAX_REQUESTS_IN_FLIGHT < SERVER_CONCURRENCY_LIMIT


def test_one_credential_gets_its_share_and_the_others_still_get_in() -> None:
    """An attacker's finding: one unit's key flooding cheap reads took all 128 places, and other units and the admin's
    revocation got 503. Now one Authorization header holds at most `per_credential` of them (429 beyond, nothing
    done); another credential, and requests without one, still get in; the share comes back as requests end."""
    release = asyncio.Event()
    entered: list[str] = []

    async def slow(request: Request) -> PlainTextResponse:
        entered.append(request.headers.get("authorization", "-"))
        await release.wait()
        return PlainTextResponse("ok")

    app = InFlightLimit(Starlette(routes=[Route("/api/v1/slow", slow)]), limit=4, per_credential=2)
    attacker = {"Authorization": "Bearer lpk_attacker"}

    async def run() -> dict[str, object]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            held = [asyncio.create_task(client.get("/api/v1/slow", headers=attacker)) for _ in range(2)]
            while len(entered) < 2:
                await asyncio.sleep(0.01)
            refused = await client.get("/api/v1/slow", headers=attacker)
            other = asyncio.create_task(client.get("/api/v1/slow", headers={"Authorization": "Bearer admin"}))
            anonymous = asyncio.create_task(client.get("/api/v1/slow"))
            while len(entered) < 4:
                await asyncio.sleep(0.01)
            release.set()
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


def test_every_service_gives_one_credential_a_quarter_of_the_places(tmp_path) -> None:
    app = create_app(Settings(data_dir=tmp_path))  # type: ignore[call-arg]
    (kwargs,) = [m.kwargs for m in app.user_middleware if m.cls is InFlightLimit]
    assert kwargs["per_credential"] == MAX_REQUESTS_IN_FLIGHT // 4 < kwargs["limit"]
