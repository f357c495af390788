"""The collector's domain errors: what a rule refused, named by field and rule, in Indonesian and English.

The same data an HTTP error item carries; the status code is api.py's business (one mapping, `http_error`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Self


@dataclass(frozen=True)
class Problem:
    field: str | None
    rule: str
    message_id: str
    message_en: str


class DomainError(Exception):
    """A refusal: one or more problems."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems[0].message_en if self.problems else self.__class__.__name__)

    @classmethod
    def one(cls, field: str | None, rule: str, message_id: str, message_en: str) -> Self:
        return cls([Problem(field, rule, message_id, message_en)])


class Invalid(DomainError):
    """The request breaks a rule of its own content (every problem listed)."""


class NotPermitted(DomainError):
    """The caller may not act on what it names (another unit's report)."""


class NotFound(DomainError):
    """What the request names does not exist (a year without a PK, an unknown unit)."""


class Conflict(DomainError):
    """The request clashes with the current state (a closed or not yet open period, a concurrent change)."""


class TooLarge(DomainError):
    """The request is over a size limit."""


def pk_not_found() -> NotFound:
    return NotFound.one("tahun", "pk_not_found", "Perjanjian Kinerja tahun ini belum ada.", "No PK for this year.")
