"""The collector's core knows no database, web framework or broker: importing it loads none of them."""

from __future__ import annotations

import subprocess
import sys

CORE = ("calendar", "errors", "periode", "report", "validation")
INFRASTRUCTURE = ("sqlalchemy", "sqlmodel", "fastapi", "starlette", "redis", "faststream")


def test_the_core_imports_no_infrastructure() -> None:
    imports = "; ".join(f"import services.collector.core.{m}" for m in CORE)
    probe = f"import sys; {imports}; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({INFRASTRUCTURE!r})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
