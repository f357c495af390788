"""services/collector/api.py's `declared_query`: the query parameters a route declares, kept per route after its
first request with a query string; a cached answer must be that route's own and follow a replaced dependant."""

from __future__ import annotations

from fastapi import Depends, FastAPI, Query
from fastapi.dependencies.utils import get_dependant
from fastapi.routing import APIRoute

from services.collector.api import declared_query


def test_each_route_gets_its_own_declared_names_first_and_from_the_cache() -> None:
    app = FastAPI()

    def paging(limit: int = 10) -> int:
        return limit

    @app.get("/a")
    def a(x: int = 0, page: int = Depends(paging)) -> None: ...

    @app.get("/b")
    def b(y: str = Query("", alias="y-alias")) -> None: ...

    ra, rb = (r for r in app.routes if isinstance(r, APIRoute))
    assert declared_query(ra) == {"x", "limit"}  # a dependency's query parameters count
    assert declared_query(rb) == {"y-alias"}  # the name on the wire
    assert declared_query(ra) == {"x", "limit"}  # asked again: the same, not the other route's


def test_a_replaced_dependant_is_read_again() -> None:
    app = FastAPI()

    @app.get("/a")
    def a(x: int = 0) -> None: ...

    (route,) = (r for r in app.routes if isinstance(r, APIRoute))
    assert declared_query(route) == {"x"}

    def other(z: int = 0) -> None: ...

    route.dependant = get_dependant(path="/a", call=other)
    assert declared_query(route) == {"z"}
