"""Issue 15: a range indicator's Renstra end target is one thing — the range its `target_renstra` gives for the
Renstra's last year. A single `target_akhir_renstra` beside it (the worked example's IK-5.1 once said "95" against
90–100, and the LKIP printed 95,00 in one table and 90,00 – 100,00 in the others) is refused, named by field and
rule, in Indonesian and English."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from services.collector.core.validation import validate_pk

EXAMPLE: dict[str, Any] = json.loads((Path(__file__).resolve().parents[3] / "examples" / "pk-2024.json").read_text())
IK51 = "sasaran[4].indikator[0]"  # IK-5.1: %, rentang


def _ik51(doc: dict[str, Any]) -> dict[str, Any]:
    return next(i for s in doc["sasaran"] for i in s["indikator"] if i["kode"] == "IK-5.1")


def test_a_single_end_target_beside_the_last_years_range_is_refused() -> None:
    doc = copy.deepcopy(EXAMPLE)
    _ik51(doc)["target_akhir_renstra"] = "95"
    found = [p for p in validate_pk(doc, 2024) if p.rule == "akhir_renstra_rentang"]
    assert [p.field for p in found] == [f"{IK51}.target_akhir_renstra"]
    assert "rentang" in found[0].message_id and "range" in found[0].message_en and "(95)" in found[0].message_id


def test_without_the_last_years_range_a_single_end_target_is_still_accepted() -> None:
    doc = copy.deepcopy(EXAMPLE)
    ik51 = _ik51(doc)
    ik51["target_akhir_renstra"] = "95"
    ik51["target_renstra"] = [t for t in ik51["target_renstra"] if t["tahun"] != 2024]
    assert validate_pk(doc, 2024) == []


def test_the_worked_example_is_consistent() -> None:
    assert validate_pk(copy.deepcopy(EXAMPLE), 2024) == []
