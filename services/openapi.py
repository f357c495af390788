"""Each service's OpenAPI document, as its running app serves it at `/openapi.json`, published in docs/openapi/ for the
teams that build agency systems against it (docs/integration.md) and for client generators (`openapi-python-client
generate --path docs/openapi/collector.json`). A test fails when a checked-in file drifts from the code:

    python -m services.openapi            # all four into docs/openapi/ (sorted keys: a stable diff)
    python -m services.openapi collector  # print one
"""

from __future__ import annotations

import importlib
import json
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from shared.config import Settings

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "docs" / "openapi"
SERVICES = tuple(p.parent.name for p in sorted(Path(__file__).parent.glob("*/main.py")))


@contextmanager
def built(service: str) -> Iterator[FastAPI]:
    """The service's app, from its real composition (`services/<service>/main.py:create_app`) on a scratch SQLite
    folder; nothing is started. Also what tests/unit/deploy reads every route from."""
    with tempfile.TemporaryDirectory(prefix="lapkin-openapi-") as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=None, admin_token="docs", secret_key="docs")
        app = importlib.import_module(f"services.{service}.main").create_app(settings)
        try:
            yield app
        finally:
            app.state.rt.engine.dispose()
            if app.state.rt.read_engine is not None:
                app.state.rt.read_engine.dispose()


def schema(service: str) -> dict[str, Any]:
    """The service's OpenAPI, as its running app serves it."""
    with built(service) as app:
        return app.openapi()  # type: ignore[no-any-return]


def render(service: str) -> str:
    return json.dumps(schema(service), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_all(out_dir: Path = OUT_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for service in SERVICES:
        path = out_dir / f"{service}.json"
        path.write_text(render(service), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) > 1:
        sys.stdout.write(render(sys.argv[1]))
    else:
        for p in write_all():
            print(p)
