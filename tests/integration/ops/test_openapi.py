"""The OpenAPI documents in docs/openapi/ are what the services serve (`services.openapi`): change a route or a model
and this fails until `python -m services.openapi` is run again and the files are committed. And they document every
JSON body: a request body is a named model (never `{"type": "object"}`), and each field says what it is."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.openapi import OUT_DIR, SERVICES, render, schema


@pytest.mark.parametrize("service", SERVICES)
def test_checked_in_openapi_matches_the_code(service: str) -> None:
    path = OUT_DIR / f"{service}.json"
    assert path.exists(), f"{path} missing: run python -m services.openapi"
    assert path.read_text(encoding="utf-8") == render(service), (
        f"{path} drifted from the code: run python -m services.openapi and commit docs/openapi/"
    )


def _json_bodies(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": op["requestBody"]["content"]["application/json"]["schema"]
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if "application/json" in op.get("requestBody", {}).get("content", {})
    }


def _undocumented(doc: dict[str, Any], name: str, seen: set[str]) -> list[str]:
    """The properties of a component (and the components it names) without a description."""
    if name in seen:
        return []
    seen.add(name)
    found = []
    component = doc["components"]["schemas"][name]
    for prop, sub in component.get("properties", {}).items():
        if not sub.get("description"):
            found.append(f"{name}.{prop}")
        for ref in _refs(sub):
            found += _undocumented(doc, ref, seen)
    return found


def _refs(schema: Any) -> list[str]:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        return ([ref.rsplit("/", 1)[1]] if ref else []) + [r for v in schema.values() for r in _refs(v)]
    if isinstance(schema, list):
        return [r for v in schema for r in _refs(v)]
    return []


ANSWERS_TYPED = ("collector", "approval", "aggregator", "renderer")  # every service's answers are models


@pytest.mark.parametrize("service", SERVICES)
def test_every_json_body_and_answer_is_a_model_whose_fields_are_described(service: str) -> None:
    doc = schema(service)
    bodies = _json_bodies(doc)
    assert all(set(body) == {"$ref"} for body in bodies.values()), bodies
    models = {r for body in bodies.values() for r in _refs(body)}
    for path, ops in doc["paths"].items() if service in ANSWERS_TYPED else ():
        for method, op in ops.items():
            for code, answer in op["responses"].items():
                json_schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if path.startswith("/api/") and code.startswith("2") and json_schema is not None:
                    named = json_schema.get("items", {}) if json_schema.get("type") == "array" else json_schema
                    assert set(named) == {"$ref"}, f"{method.upper()} {path} {code}: {json_schema}"
                    models |= set(_refs(json_schema))
    seen: set[str] = set()
    assert [p for m in sorted(models) for p in _undocumented(doc, m, seen)] == []


def test_the_collector_documents_its_reports_with_indonesian_examples() -> None:
    doc = json.loads((OUT_DIR / "collector.json").read_text(encoding="utf-8"))
    bodies = _json_bodies(doc)
    assert bodies["POST /api/v1/laporan-triwulan"] == {"$ref": "#/components/schemas/LaporanTriwulan"}
    report = doc["components"]["schemas"]["LaporanTriwulan"]
    assert report["additionalProperties"] is False  # an unknown field is a 422, as the rules say
    assert set(report["required"]) == {"tahun", "triwulan", "unit", "realisasi"}
    assert report["properties"]["triwulan"]["maximum"] == 4
    assert "Triwulan" in report["properties"]["triwulan"]["description"]
    assert report["examples"][0]["unit"] == "BID-PENTA"
    refusals = doc["paths"]["/api/v1/laporan-triwulan"]["post"]["responses"]
    assert {"401", "403", "409", "413", "422", "429"} <= set(refusals)
    assert refusals["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
