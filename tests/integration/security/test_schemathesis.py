"""Schemathesis against each service's OpenAPI, in-process on the package's office (real Redis and database: CI runs
it on PostgreSQL): for every operation, requests generated from the schema (valid ones and deliberately invalid
ones) sent by a caller the authorization matrix lets through; no answer is a 5xx, and every answer's status, content
type and body are the ones the schema documents (the error body `{"errors": [...]}` included). Then the hostile
values of issue 12 in every generated request: a NUL in every string (path, query, JSON or multipart field), 2^70 for
every integer, a JSON body nested 1,000 deep — refused with a documented 4xx, never a 5xx. Bounded for CI: a few
examples per operation and mode, well under a minute per service. Runs last in the package: its requests may change
the office."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.security.conftest import World
from tests.integration.security.test_authorization import SERVICES, allowed_caller, path_params

# (mode, with the office's path parameters, examples): generated values find the refusals; the office's existing
# drafts, submissions and files reach the success answers (files in their own content types)
RUNS = ((GenerationMode.POSITIVE, False, 6), (GenerationMode.POSITIVE, True, 4), (GenerationMode.NEGATIVE, False, 3))
BUDGET_S = 60  # per service
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]
REQUEST_ARGS = ("method", "url", "headers", "params", "json", "data", "files", "cookies")
HOSTILE = ("nul", "big_int", "deep")  # issue 12: a NUL in every string, 2^70 for every integer, JSON 1,000 deep
HOSTILE_EXAMPLES = 2
BIG = 2**70
DEEP = b"[" * 100_000 + b"]" * 100_000  # hypothesis raises the recursion limit: 1,000 levels parse under it


def _send(world: World, service: str, case: Any, caller: str, body: bytes | None = None) -> Any:
    """The request schemathesis would send (prepared by `requests`, which its transport uses: multipart and all),
    sent through the service's own client, with the caller's credentials; `body` (JSON) instead of the case's."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    prepared = requests.Request(**{k: v for k, v in kwargs.items() if k in REQUEST_ARGS}).prepare()
    headers = {k: v for k, v in prepared.headers.items() if k.lower() != "content-length"}
    headers.update(world.callers[caller])
    if body is not None:
        headers["Content-Type"] = "application/json"
    content = prepared.body if body is None else body
    return world.clients[service].request(prepared.method, prepared.path_url, headers=headers, content=content)


def negatable(spec: dict[str, Any], operation: Any) -> bool:
    """Can a request to it be invalid? Not when it takes no body and has only free text in its path: hypothesis
    would search for seconds in vain (Unsatisfiable)."""
    op = spec["paths"][operation.path][operation.method]

    def free_text_in_path(param: dict[str, Any]) -> bool:
        schema = {k: v for k, v in param["schema"].items() if k != "title"}
        return param["in"] == "path" and schema == {"type": "string"}

    return "requestBody" in op or not all(free_text_in_path(p) for p in op.get("parameters", []))


def _fuzz(
    world: World,
    service: str,
    caller: str,
    strategy: Any,
    examples: int,
    checks: list[Any],
    seen: Counter[int],
    body: bytes | None = None,
) -> None:
    """`examples` cases from the strategy, each sent (with `body` instead of its own, if given) and its answer
    checked; `seen` counts answers by class."""

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=strategy)
    def run(case: Any) -> None:
        response = _send(world, service, case, caller, body)
        seen[response.status_code // 100 * 100] += 1
        case.validate_response(response, checks=checks)

    run()


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_answers_as_its_schema_says(world: World, service: str):
    spec = world.clients[service].get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    # the credentials are the authorization matrix's (_send), not generated from the spec's security schemes
    schema.config.generation.update(with_security_parameters=False)
    started, failures, seen = time.monotonic(), [], Counter[int]()
    for result in schema.get_all_operations():
        operation = result.ok()
        caller = allowed_caller(service, operation.method.upper(), operation.path)
        known = path_params(world, operation.method.upper(), operation.path)
        for mode, office, examples in RUNS:
            if (office and not known) or (mode is GenerationMode.NEGATIVE and not negatable(spec, operation)):
                continue
            checks = NEGATIVE_CHECKS if mode is GenerationMode.NEGATIVE else CHECKS
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=known if office else None)
            try:
                _fuzz(world, service, caller, strategy, examples, checks, seen)
            except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
                continue
            except (Exception, BaseExceptionGroup) as exc:  # a failed check: keep going, report every operation's
                what = f"{mode.value}{', office ids' if office else ''}"
                failures.append(f"{operation.method.upper()} {operation.path} ({what}): {exc}"[:2000])
    assert not failures, "\n\n".join(failures)
    assert seen[200] and seen[400], f"{service}: a run that reached both answers and refusals, not {dict(seen)}"
    assert time.monotonic() - started < BUDGET_S, f"{service}: over the {BUDGET_S} s budget"


def refused(ctx: CheckContext, response: Any, case: Any) -> bool | None:
    """A NUL or a deep body is never accepted: a 4xx (a 5xx is `not_a_server_error`'s)."""
    assert 400 <= response.status_code < 500, f"{case.method} {case.path}: {response.status_code} {response.text[:200]}"
    return None


def _poison(value: Any, kind: str) -> Any:
    """Every string with a NUL in it, or every integer 2^70 (of its sign), through lists and objects."""
    if isinstance(value, dict):
        return {k: _poison(v, kind) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v, kind) for v in value]
    if kind == "nul" and isinstance(value, str):
        return value + "\x00"
    if kind == "big_int" and isinstance(value, int) and not isinstance(value, bool):
        return -BIG if value < 0 else BIG
    return value


def _parts(case: Any) -> list[Any]:
    body = case.body if case.media_type in ("application/json", "multipart/form-data") else None
    return [case.path_parameters, case.query, body if isinstance(body, (dict, list)) else None]


def carries(case: Any, kind: str) -> bool:
    """Has the case a string (`nul`) or an integer (`big_int`) to poison?"""
    return any(_poison(part, kind) != part for part in _parts(case))


def hostile(case: Any, kind: str) -> Any:
    """The case with the hostile value in each of its parts."""
    case.path_parameters = _poison(case.path_parameters, kind)
    case.query = _poison(case.query, kind)
    if _parts(case)[2] is not None:
        case.body = _poison(case.body, kind)
    return case


def applies(op: dict[str, Any], kind: str) -> bool:
    """A deep body only where the operation takes JSON."""
    return kind != "deep" or "application/json" in op.get("requestBody", {}).get("content", {})


@pytest.mark.parametrize("service", SERVICES)
def test_hostile_values_in_every_operation_are_refused_never_a_5xx(world: World, service: str):
    spec = world.clients[service].get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
    # the credentials are the authorization matrix's (_send), not generated from the spec's security schemes
    schema.config.generation.update(with_security_parameters=False)
    started, failures, seen, poisoned = time.monotonic(), [], Counter[int](), Counter[str]()
    for result in schema.get_all_operations():
        operation = result.ok()
        op = spec["paths"][operation.path][operation.method]
        caller = allowed_caller(service, operation.method.upper(), operation.path)
        known = path_params(world, operation.method.upper(), operation.path)
        for kind in HOSTILE:
            if not applies(op, kind):
                continue
            base = operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=known or None)
            checks = CHECKS + ([refused] if kind != "big_int" else [])
            if kind == "deep":  # the generated request with its body replaced (hypothesis never holds the depth)
                strategy, body = base, DEEP
            else:  # only the cases that hold the value: a route with no string has nothing to refuse
                strategy = base.filter(lambda case, kind=kind: carries(case, kind))
                strategy, body = strategy.map(lambda case, kind=kind: hostile(case, kind)), None
            try:
                _fuzz(world, service, caller, strategy, HOSTILE_EXAMPLES, checks, seen, body)
                poisoned[kind] += 1
            except Unsatisfiable:  # no string (or integer) anywhere in the request
                continue
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{operation.method.upper()} {operation.path} ({kind}): {exc}"[:2000])
    assert not failures, "\n\n".join(failures)
    assert poisoned["nul"] and seen[400] and not seen[500], f"{service}: {dict(poisoned)} {dict(seen)}"
    assert time.monotonic() - started < BUDGET_S, f"{service}: over the {BUDGET_S} s budget"
