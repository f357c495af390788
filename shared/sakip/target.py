"""A target: one number, or a range (`min`/`max`, both Decimals) for an indicator of polaritas *rentang*."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer, model_validator

from shared.sakip.base import Dec, JsonObject, Model

RANGE_SEPARATOR = "-"  # the recap's text of a range (v1 RekapCompleted, GET /rekap): "15.00-25.00"


class Target(Model):
    """Either `nilai`, or `min` and `max` (min ≤ max): never both, never a range written as one string."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={"oneOf": [{"required": ["nilai"]}, {"required": ["min", "max"]}]},
    )

    nilai: Dec | None = Field(default=None, description="Target satu angka", examples=["90"])
    min: Dec | None = Field(default=None, description="Batas bawah target rentang", examples=["15.00"])
    max: Dec | None = Field(default=None, description="Batas atas target rentang", examples=["25.00"])

    @model_serializer(mode="wrap")
    def _one_form_written(self, handler: SerializerFunctionWrapHandler) -> JsonObject:
        """{"nilai": "90"} or {"min": "15.00", "max": "25.00"}: the form's fields only."""
        return {k: v for k, v in handler(self).items() if v is not None}

    @model_validator(mode="after")
    def _one_form(self) -> Target:
        single = self.nilai is not None
        ranged = self.min is not None and self.max is not None
        if single == ranged or (not ranged and (self.min is not None or self.max is not None)):
            raise ValueError("a target is either `nilai` or both `min` and `max`")
        if ranged and self.min > self.max:  # type: ignore[operator]
            raise ValueError("min > max")
        return self

    @classmethod
    def single(cls, nilai: Decimal) -> Target:
        return cls.model_validate({"nilai": nilai})

    @classmethod
    def between(cls, low: Decimal, high: Decimal) -> Target:
        return cls.model_validate({"min": low, "max": high})

    @classmethod
    def of(cls, value: Decimal | tuple[Decimal, Decimal]) -> Target:
        """From the arithmetic's form: a Decimal or a (low, high) pair."""
        return cls.between(*value) if isinstance(value, tuple) else cls.single(value)

    @classmethod
    def from_pk(cls, raw: Any) -> Target:
        """A PK document's target (v1): a number (JSON number or text) or a [min, max] pair."""
        if isinstance(raw, list | tuple):
            return cls.model_validate({"min": raw[0], "max": raw[1]})
        return cls.model_validate({"nilai": raw})

    @classmethod
    def parse(cls, text: str) -> Target:
        """The recap's text (v1): "87.50" or "15.00-25.00" (a leading minus belongs to the number)."""
        return cls.model_validate(cls.fields_of(text))

    @staticmethod
    def fields_of(text: str) -> dict[str, str]:
        """`parse`'s fields, for a model that validates its targets itself (a recap of hundreds of rows)."""
        cut = text.find(RANGE_SEPARATOR, 1)
        return {"min": text[:cut], "max": text[cut + 1 :]} if cut > 0 else {"nilai": text}

    @property
    def is_range(self) -> bool:
        return self.nilai is None

    @property
    def bounds(self) -> tuple[Decimal, Decimal] | None:
        return None if self.min is None or self.max is None else (self.min, self.max)

    @property
    def value(self) -> Decimal | tuple[Decimal, Decimal]:
        """The arithmetic's form: a Decimal, or a (low, high) pair."""
        bounds = self.bounds
        if bounds is not None:
            return bounds
        assert self.nilai is not None
        return self.nilai

    def text(self) -> str:
        """The recap's text (v1): the inverse of `parse`."""
        bounds = self.bounds
        return f"{bounds[0]}{RANGE_SEPARATOR}{bounds[1]}" if bounds is not None else str(self.nilai)

    def pk_value(self) -> str | list[str]:
        """A PK document's form (v1): the number's text, or [min, max]."""
        bounds = self.bounds
        return [str(bounds[0]), str(bounds[1])] if bounds is not None else str(self.nilai)
