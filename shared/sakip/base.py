"""The building blocks of the SAKIP models: a Decimal that travels as its exact text, and the model base."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

from shared.decimals import as_decimal

Dec = Annotated[
    Decimal,
    BeforeValidator(as_decimal),
    PlainSerializer(str, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "examples": ["87.50"]}),
]
"""A figure: a Decimal in Python, its exact decimal text in JSON ("87.50" stays "87.50")."""


class Model(BaseModel):
    """A closed model: a field nobody declared is refused, so a misspelt field cannot travel silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class OpenModel(BaseModel):
    """A PK part: the fields an agency adds beyond the contract (CONTRACT.md) travel with it unchanged."""

    model_config = ConfigDict(extra="allow", frozen=True)
