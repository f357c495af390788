"""The OpenAPI lists every `rule` an error item of the collector can carry (services/collector/apidoc.py): each rule
named where a refusal is raised (api_error, DomainError.one, Problems.add/refuse, ErrorItem, Problem) is listed."""

from __future__ import annotations

import ast
from pathlib import Path

from services.collector.apidoc import rules

ROOT = Path(__file__).resolve().parents[3]
RULE_ARGUMENT = {"api_error": 2, "one": 1, "add": 1, "refuse": 1, "ErrorItem": 1, "Problem": 1}
SOURCES = [*sorted((ROOT / "services" / "collector").rglob("*.py"))] + [
    ROOT / "shared" / name for name in ("errors.py", "inputguard.py", "service.py")
]


def raised_rules() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            at = RULE_ARGUMENT.get(name)
            if at is not None and len(node.args) > at:
                arg = node.args[at]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.setdefault(arg.value, str(path.relative_to(ROOT)))
    return found


def test_every_rule_raised_is_documented() -> None:
    raised = raised_rules()
    assert len(raised) > 40  # the scan finds the refusals
    assert {rule: where for rule, where in raised.items() if rule not in rules()} == {}
