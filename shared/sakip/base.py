"""The building blocks of the SAKIP models: a Decimal that travels as its exact text, and the model base."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    WithJsonSchema,
    model_serializer,
)

from shared.decimals import as_decimal
from shared.strictjson import JsonObject as JsonObject  # a JSON object as written: a raw payload, a document form

Dec = Annotated[
    Decimal,
    BeforeValidator(as_decimal),
    PlainSerializer(str, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?(E[+-]?[0-9]+)?$"}),
]
"""A figure: a Decimal in Python, its exact decimal text in JSON ("87.50" stays "87.50"; a sum beyond the input
bounds may be written with an exponent, "1E+60")."""


class Model(BaseModel):
    """A closed model: a field nobody declared is refused, so a misspelt field cannot travel silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class OpenModel(BaseModel):
    """A PK part: the fields an agency adds beyond the contract (docs/contract.md) travel with it unchanged."""

    model_config = ConfigDict(extra="allow", frozen=True)


class SparseModel(OpenModel):
    """An open model that writes only the fields it was given (an optional field not given is left out, one given as
    null stays null), so a document read and written again is the document that was read."""

    @model_serializer(mode="wrap")
    def _leave_out_what_was_not_given(self, handler: SerializerFunctionWrapHandler) -> JsonObject:
        out: JsonObject = handler(self)
        given, declared = self.model_fields_set, type(self).model_fields
        return {k: v for k, v in out.items() if k in given or k not in declared}
