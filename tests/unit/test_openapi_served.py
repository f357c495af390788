"""The OpenAPI document is rendered once per process and its bytes served after that: FastAPI serialised the
collector's 127 KB again for every request (4,7 ms), and a flood of such GETs from one address, without a key, made a
report wait 11 s (the fifth outsider)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from services.collector.main import create_app
from shared.config import Settings


def test_the_document_is_rendered_once_and_served_as_fastapi_renders_it(tmp_path) -> None:
    app = create_app(Settings(data_dir=tmp_path, stream_prefix="openapi-served"))
    calls = []
    generate = app.openapi

    def counted() -> dict:
        calls.append(1)
        return generate()

    app.openapi = counted  # type: ignore[method-assign]
    client = TestClient(app)  # no lifespan: nothing reaches Redis or a database
    first, second = client.get("/openapi.json"), client.get("/openapi.json")
    assert first.status_code == second.status_code == 200 and first.headers["content-type"] == "application/json"
    assert first.content == second.content and len(calls) == 1
    assert json.loads(first.content) == generate() and json.loads(first.content)["paths"]["/api/v1/laporan-triwulan"]
