"""Schemathesis against each service's OpenAPI, in-process on the package's office (real Redis and database): for
every operation, requests generated from the schema (valid ones and deliberately invalid ones) sent by a caller the
authorization matrix lets through; no answer is a 5xx, and every answer's status, content type and body are the
ones the schema documents (the error body `{"errors": [...]}` included). Bounded for CI: a few examples per
operation and mode, well under a minute per service. Runs last in the package: its requests may change the office."""

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
from schemathesis.checks import not_a_server_error
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


def _send(world: World, service: str, case: Any, caller: str) -> Any:
    """The request schemathesis would send (prepared by `requests`, which its transport uses: multipart and all),
    sent through the service's own client, with the caller's credentials."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    prepared = requests.Request(**{k: v for k, v in kwargs.items() if k in REQUEST_ARGS}).prepare()
    headers = {k: v for k, v in prepared.headers.items() if k.lower() != "content-length"}
    headers.update(world.callers[caller])
    return world.clients[service].request(prepared.method, prepared.path_url, headers=headers, content=prepared.body)


def negatable(spec: dict[str, Any], operation: Any) -> bool:
    """Can a request to it be invalid? Not when it takes no body and has only free text in its path: hypothesis
    would search for seconds in vain (Unsatisfiable)."""
    op = spec["paths"][operation.path][operation.method]

    def free_text_in_path(param: dict[str, Any]) -> bool:
        schema = {k: v for k, v in param["schema"].items() if k != "title"}
        return param["in"] == "path" and schema == {"type": "string"}

    return "requestBody" in op or not all(free_text_in_path(p) for p in op.get("parameters", []))


def _fuzz(
    world: World, service: str, caller: str, strategy: Any, examples: int, checks: list[Any], seen: Counter[int]
) -> None:
    """`examples` cases from the strategy, each sent and its answer checked; `seen` counts answers by class."""

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=strategy)
    def run(case: Any) -> None:
        response = _send(world, service, case, caller)
        seen[response.status_code // 100 * 100] += 1
        case.validate_response(response, checks=checks)

    run()


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_answers_as_its_schema_says(world: World, service: str):
    spec = world.clients[service].get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(spec)
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
