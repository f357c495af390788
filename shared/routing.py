"""The busiest routes of an app tried first, without changing what the app documents.

FastAPI finds a request's route by trying the app's routes in order: its own documentation pages and health routes,
then each included router — which it scans twice (once to know the router matches, once to pick the route). A
route declared tenth in its router is reached after ≈ 26 tries, on every request. `try_first` puts, in front of
every other route, a shortcut that matches only those routes' exact method and path and hands the request to the
route exactly as the router would have (the same route, scope and bookkeeping). Anything else — another method on
that path (405), a path with a trailing slash — falls through to the ordinary routing, untouched. The shortcut is
not an API route: the OpenAPI document (its paths and their order) stays the declared one.

It leans on how FastAPI dispatches to an included router (its routing module's private helpers); should a FastAPI
release change them, `try_first` installs nothing and routing is FastAPI's own (slower, not different).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi import routing as fr
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

log = logging.getLogger("lapkin.routing")

try:  # FastAPI's dispatch to an included router (see the module's doc)
    from fastapi.routing import (
        _FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY,
        _FASTAPI_INCLUDED_ROUTER_KEY,
        _apply_router_form_limits,
        _EffectiveRouteContext,
        _get_fastapi_scope,
        _IncludedRouter,
    )
except ImportError:  # pragma: no cover - a FastAPI without them: routing stays FastAPI's own
    _IncludedRouter = None  # type: ignore[assignment,misc]


# A route's own handling of the requests it can answer without FastAPI's machinery (its dependencies called
# directly): True once it answered; False — decided before it reads anything — hands the request to the route.
Lane = Callable[[Scope, Receive, Send], Awaitable[bool]]


class FirstRoute(BaseRoute):
    """One method and path of an included router's API route, matched before the app's other routes."""

    def __init__(self, included: Any, context: Any, method: str, lane: Lane | None = None) -> None:
        self.included, self.context, self.method = included, context, method
        self.path = self.path_format = context.path_format
        self.route = context.original_route
        self.lane = lane

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        # a cheap look first (the path may carry a root path ahead); the route's own match decides
        if scope["type"] != "http" or scope["method"] != self.method or not scope["path"].endswith(self.path):
            return Match.NONE, {}
        fastapi_scope = _get_fastapi_scope(scope)
        fastapi_scope[_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY] = self.context  # as the included router's match does
        match, child_scope = self.route.matches(scope)
        if match != Match.FULL:  # pragma: no cover - method and path are the route's own
            fastapi_scope.pop(_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY, None)
            return Match.NONE, {}
        return match, child_scope

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """What the included router does once it picked this route (`_IncludedRouter.handle`, `_handle_selected`)."""
        _apply_router_form_limits(scope, self.included.include_context.form_limits)
        fastapi_scope = _get_fastapi_scope(scope)
        fastapi_scope[_FASTAPI_INCLUDED_ROUTER_KEY] = self.included
        fastapi_scope[_FASTAPI_EFFECTIVE_ROUTE_CONTEXT_KEY] = self.context
        scope["route"] = self.route
        if self.lane is not None and await self.lane(scope, receive, send):
            return
        await self.route.handle(scope, receive, send)


def try_first(
    app: FastAPI, wanted: Iterable[tuple[str, str]], lanes: Mapping[tuple[str, str], Lane] | None = None
) -> list[FirstRoute]:
    """A shortcut in front of the app's routes for each (method, path) of `wanted` (its API routes, by their
    declared path), with its `lanes` entry when it has one; call it once the app's routers are included. Returns
    what it installed."""
    if _IncludedRouter is None:  # pragma: no cover
        return []
    lanes = lanes or {}
    wanted = set(wanted)
    found: list[FirstRoute] = []
    for included in app.router.routes:
        if not isinstance(included, _IncludedRouter):
            continue
        for context in included.effective_candidates():
            if not isinstance(context, _EffectiveRouteContext) or not isinstance(context.original_route, fr.APIRoute):
                continue
            for method in sorted(context.methods):
                if (method, context.path_format) in wanted and not context.param_convertors:
                    found.append(FirstRoute(included, context, method, lanes.get((method, context.path_format))))
                    wanted.discard((method, context.path_format))
    if wanted:  # a path not found (or with parameters): the ordinary routing serves it
        log.warning("routes not put first (not found): %s", sorted(wanted))
    app.router.routes[:0] = found
    return found
