"""The one mapping from the core's refusals to HTTP (api.http_error): each kind keeps the status the collector has
always answered, and the body keeps every problem as the error item it was."""

from __future__ import annotations

import pytest

from services.collector.api import http_error
from services.collector.core.errors import (
    Conflict,
    DomainError,
    Invalid,
    NotFound,
    NotPermitted,
    Problem,
    TooLarge,
    pk_not_found,
)
from shared.errors import ErrorItem


@pytest.mark.parametrize(
    ("kind", "status"), [(Invalid, 422), (NotPermitted, 403), (NotFound, 404), (Conflict, 409), (TooLarge, 413)]
)
def test_each_kind_of_refusal_has_its_status(kind: type[DomainError], status: int) -> None:
    assert http_error(kind.one("f", "r", "id", "en")).status == status


def test_every_problem_becomes_an_error_item_in_order() -> None:
    err = http_error(Invalid([Problem("a", "required", "a: wajib", "a: required"), Problem(None, "x", "i", "e")]))
    assert err.errors == [ErrorItem("a", "required", "a: wajib", "a: required"), ErrorItem(None, "x", "i", "e")]


def test_a_year_without_pk_is_a_404_on_tahun() -> None:
    err = http_error(pk_not_found())
    assert (err.status, err.errors[0].field, err.errors[0].rule) == (404, "tahun", "pk_not_found")


def test_a_domain_error_reads_as_its_first_problem() -> None:
    assert str(Conflict.one("triwulan", "periode_closed", "ditutup", "closed")) == "closed"


def test_a_subclass_of_a_kind_maps_as_that_kind() -> None:
    class PeriodeClosed(Conflict):
        pass

    assert http_error(PeriodeClosed.one(None, "r", "i", "e")).status == 409
