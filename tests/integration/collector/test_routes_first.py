"""The reports' routes are tried first (shared/routing.py): a report reaches its route without FastAPI trying any
other, the answers are the ones the ordinary routing gives (the report, 405 for another method, 404 with a trailing
slash, the unknown query parameter) and the OpenAPI document keeps its paths in the declared order."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from services.collector.api import report_lane
from services.collector.main import FIRST
from shared.routing import FirstRoute
from tests.integration.conftest import Service, auth, put_pk, unit_key

BPS_TW1 = {"tahun": 2024, "triwulan": 1, "unit": "BPS", "realisasi": [{"indikator": "IKU-1", "nilai": "7.25"}]}


def test_the_report_routes_are_tried_before_every_other_route(
    collector: Service, pk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    app: Any = collector.client.app
    first = app.router.routes[: len(FIRST)]
    assert all(isinstance(r, FirstRoute) for r in first)
    assert [(r.method, r.path) for r in first] == FIRST
    put_pk(collector, pk)
    key = unit_key(collector, "BPS")

    tried: list[str] = []
    for cls in (BaseRoute, APIRoute):  # every route's match, the included routers' too
        original = cls.matches

        def counted(self: Any, scope: Any, original: Any = original) -> Any:
            tried.append(type(self).__name__)
            return original(self, scope)

        monkeypatch.setattr(cls, "matches", counted)
    monkeypatch.setattr(FirstRoute, "matches", FirstRoute.__dict__["matches"])  # the shortcut's own, uncounted
    res = collector.client.post("/api/v1/laporan-triwulan", json=BPS_TW1, headers=auth(key))
    assert res.status_code == 202, res.text
    assert tried == ["APIRoute"]  # the report's own route only (FastAPI's routing tried ≈ 26 before)


def test_the_shortcut_answers_as_the_ordinary_routing_does(collector: Service, pk: dict[str, Any]) -> None:
    put_pk(collector, pk)
    key = unit_key(collector, "BPS")
    app: Any = collector.client.app
    requests = [
        ("POST", "/api/v1/laporan-triwulan", {}),
        ("GET", "/api/v1/laporan-triwulan", {}),
        ("POST", "/api/v1/laporan-triwulan/", {}),
        ("POST", "/api/v1/laporan-triwulan?dryrun=true", {}),
        ("POST", "/api/v1/laporan-bulanan?dry_run=true", {"bulan": 1}),
    ]

    def answers(nilai: str) -> list[tuple[int, Any, str | None]]:
        out = []
        for method, url, extra in requests:
            body = {**BPS_TW1, "realisasi": [{"indikator": "IKU-1", "nilai": nilai}], **extra}
            if "bulan" in extra:
                del body["triwulan"]
            res = collector.client.request(method, url, json=body, headers=auth(key))
            payload = res.json() if res.headers.get("content-type") == "application/json" else res.text
            if res.status_code == 202:
                payload = sorted(payload)  # the same answer's fields (its values: a first report, then an update)
            out.append((res.status_code, payload, res.headers.get("allow")))
        return out

    shortcut = answers("7.25")
    assert [status for status, _, _ in shortcut] == [202, 405, 404, 422, 200]
    taken = app.router.routes[: len(FIRST)]
    del app.router.routes[: len(FIRST)]  # the ordinary routing alone
    try:
        assert answers("7.50") == shortcut  # a new value: a new revision again
    finally:
        app.router.routes[:0] = taken


def test_the_openapi_document_keeps_the_declared_order(collector: Service) -> None:
    app: Any = collector.client.app
    served = collector.client.get("/openapi.json").json()
    declared = [r.path_format for r in app.router.routes if isinstance(r, APIRoute) and r.include_in_schema]
    declared += [  # the included routers' routes, in the order api.py and bukti_api.py declare them
        c.path_format for r in app.router.routes if hasattr(r, "effective_candidates") for c in r.effective_candidates()
    ]
    assert list(served["paths"]) == list(dict.fromkeys(declared))
    assert list(served["paths"]).index("/api/v1/laporan-triwulan") > 0


def _solved(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each time FastAPI solves a route's dependencies (its request handler's one call per request)."""
    import fastapi.routing

    calls: list[str] = []
    original = fastapi.routing.solve_dependencies

    async def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append("solved")
        return await original(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", counted)
    return calls


def test_a_plain_report_is_answered_by_its_lane_and_anything_else_by_fastapi(
    collector: Service, pk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    put_pk(collector, pk)
    key = unit_key(collector, "BPS")
    solved = _solved(monkeypatch)
    res = collector.client.post("/api/v1/laporan-triwulan", json=BPS_TW1, headers={**auth(key), "Idempotency-Key": "a"})
    assert res.status_code == 202 and solved == []  # the lane: its dependencies called directly
    for url, headers in [
        ("/api/v1/laporan-triwulan?dry_run=true", auth(key)),  # a query parameter: FastAPI reads it
        ("/api/v1/laporan-triwulan", {**auth(key), "Idempotency-Key": "k" * 201}),  # beyond its bound: 422
        ("/api/v1/laporan-triwulan", {**auth(key), "Idempotency-Key": ""}),
    ]:
        solved.clear()
        collector.client.post(url, json=BPS_TW1, headers=headers)
        assert solved == ["solved"], url


def test_the_lane_answers_as_fastapi_does(collector: Service, pk: dict[str, Any]) -> None:
    """Every kind of answer a report gets — refusals from each dependency in FastAPI's order, the domain's 422 and
    403, idempotent replays and reuse — the same with the lane and without it (the route through FastAPI)."""
    put_pk(collector, pk)
    key, other = unit_key(collector, "BPS"), unit_key(collector, "UPT-BLK")
    app: Any = collector.client.app
    first = app.router.routes[: len(FIRST)]
    tw = "/api/v1/laporan-triwulan"
    raw = {"Content-Type": "application/json"}

    def answers(tag: str, nilai: str) -> list[tuple[int, Any, str | None, str | None]]:
        body = {**BPS_TW1, "realisasi": [{"indikator": "IKU-1", "nilai": nilai}]}
        sent: list[tuple[str, dict[str, str], Any]] = [
            (tw, {}, body),  # no credentials
            (tw, raw, b"{not json"),  # no credentials, and no JSON: the credentials are refused first
            (tw, auth("lpk_not-a-key"), body),
            (tw, collector.admin, body),  # the admin is no unit
            (tw, auth(other), body),  # another unit's key
            (tw, {**auth(key), **raw}, b"{not json"),
            (tw, {**auth(key), **raw}, b""),
            (tw, {**auth(key), **raw}, b'{"tahun": 2024, "tahun": 2025}'),
            (tw, auth(key), [body]),
            (tw, auth(key), {**body, "triwulan": 5}),
            (tw, auth(key), {**body, "realisasi": [{"indikator": "IKU-1", "nilai": "-1"}]}),
            (tw, auth(key), {**body, "bidang_baru": 1}),
            (tw, {**auth(key), "Idempotency-Key": f"{tag}-1"}, body),
            (tw, {**auth(key), "Idempotency-Key": f"{tag}-1"}, body),  # the same answer again
            (tw, {**auth(key), "Idempotency-Key": f"{tag}-1"}, {**body, "realisasi": []}),  # 409 reused
            (tw, {**auth(key), "Idempotency-Key": "k" * 201}, body),
            ("/api/v1/laporan-bulanan", auth(key), {**body, "triwulan": None, "bulan": 13}),
        ]
        out = []
        first_answer: Any = None
        for url, headers, payload in sent:
            if isinstance(payload, bytes):
                res = collector.client.post(url, content=payload, headers=headers)
            else:
                res = collector.client.post(url, json=payload, headers=headers)
            got = res.json()
            if res.status_code == 202:  # its values differ (a first report, then an update): its fields, and a
                first_answer = first_answer or got  # replay gives the first answer again, exactly
                got = ("same as the first" if got == first_answer else "another", sorted(got))
            out.append((res.status_code, got, res.headers.get("content-type"), res.headers.get("retry-after")))
        return out

    with_lane = answers("lane", "7.25")
    assert [status for status, *_ in with_lane] == [
        401, 401, 401, 403, 403, 422, 422, 422, 422, 422, 422, 422, 202, 202, 409, 422, 422
    ]  # fmt: skip
    for route in first:
        route.lane = None
    try:
        assert answers("route", "7.50") == with_lane
    finally:
        for route in first:
            route.lane = report_lane
