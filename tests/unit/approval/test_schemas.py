"""The approval service's request models (services/approval/schemas.py) and the rules behind its routes agree: a new
official's optional texts are text (a number was stored as it came), and what the models refuse the rules refuse."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.approval import schemas
from services.approval.officials import validate_new

NEW = {"username": "kabid.penta", "password": "rahasia123", "nama": "Ir. Siti Rahma", "role": "kabid"}


def test_a_valid_new_official_passes_both() -> None:
    body = {**NEW, "nip": "197805112005012003", "jabatan": "Kepala Bidang", "unit": "BID-PENTA",
            "pangkat": "Pembina", "golongan": "IV/a"}  # fmt: skip
    schemas.PejabatBaru.model_validate(body)
    assert validate_new(body) == []


@pytest.mark.parametrize(
    ("change", "field", "rule"),
    [
        ({"nip": 197805112005012003}, "nip", "not_a_string"),
        ({"jabatan": ["Kabid"]}, "jabatan", "not_a_string"),
        ({"unit": {"kode": "BID-PENTA"}}, "unit", "not_a_string"),
        ({"pangkat": ["Pembina"]}, "pangkat", "not_a_string"),
        ({"golongan": 4}, "golongan", "not_a_string"),
        ({"password": "pendek"}, "password", "too_short"),
        ({"role": "raja"}, "role", "not_allowed"),
        ({"nama": ""}, "nama", "required"),
    ],
)
def test_a_new_official_the_model_refuses_the_rules_refuse(change: dict[str, Any], field: str, rule: str) -> None:
    body = {**NEW, **change}
    with pytest.raises(ValidationError):
        schemas.PejabatBaru.model_validate(body)
    assert (field, rule) in {(e.field, e.rule) for e in validate_new(body)}


def test_a_decision_names_approve_or_return() -> None:
    schemas.Keputusan.model_validate({"decision": "return", "note": "Periksa IK-3.2", "units": ["BID-PENTA"]})
    with pytest.raises(ValidationError):
        schemas.Keputusan.model_validate({"decision": "maybe"})
