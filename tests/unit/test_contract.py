"""shared/contract.py: a route that reads its JSON itself documents the body's model, and its OpenAPI carries that
model's schema (and only the models its own routes name)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from shared.contract import answer, document_bodies, json_body_of
from shared.service import JsonBody


class Baris(BaseModel):
    kode: str = Field(description="kode")


class Badan(BaseModel):
    baris: list[Baris] = Field(description="baris")


class Lain(BaseModel):
    x: int


class Jawab(BaseModel):
    n: int = Field(description="jumlah")


def test_the_body_is_the_model_and_the_answer_is_documented_unfiltered() -> None:
    json_body_of(Lain)  # named by no route of this app: not in its OpenAPI
    app = FastAPI()

    @app.post("/x", openapi_extra=json_body_of(Badan), response_model=None, responses=answer(200, Jawab, "ok"))
    def x(body: JsonBody) -> dict[str, Any]:
        return {"n": len(body["baris"]), "extra": True}

    document_bodies(app)
    client = TestClient(app)
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/x"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Badan"}
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Jawab"}
    schemas = spec["components"]["schemas"]
    assert schemas["Badan"]["properties"]["baris"]["items"] == {"$ref": "#/components/schemas/Baris"}
    assert {"Badan", "Baris", "Jawab"} <= set(schemas) and "Lain" not in schemas
    assert client.post("/x", json={"baris": [{"kode": "a"}]}).json() == {"n": 1, "extra": True}  # as returned
    assert app.openapi() is app.openapi()  # made once


def test_two_request_models_of_one_name_are_refused() -> None:
    twin = type("Badan", (BaseModel,), {"__annotations__": {"y": int}})
    with pytest.raises(ValueError, match="two request models named Badan"):
        json_body_of(twin)
