"""The event catalogue as AsyncAPI, generated from the code: one `FastStream(broker)` app per service, with a
subscriber per stream it reads (its consumer group, the envelopes of the types its handlers take) and a publisher per
event type it emits on its own stream (the envelope with that type's payload schema).

What a service reads comes from its real composition (`services/<service>/main.py:create_app`, built on a scratch
SQLite folder: `Runtime.consumes` and the keys of `Runtime.handlers`); what it emits from its source: every
`.emit(session, "<Type>", ...)`, and, where the type is computed (`.emit(session, decision.event, ...)`), the
catalogue names the service's modules spell out, less what it consumes.

    faststream docs gen shared.messaging.asyncapi:<service> -o docs/asyncapi/<service>.json
    python -m shared.messaging.asyncapi            # all four into docs/asyncapi/ (what the drift test compares)
"""

from __future__ import annotations

import ast
import json
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any, Literal, Union

from faststream import FastStream
from faststream.redis import RedisBroker, StreamSub
from faststream.specification import AsyncAPI
from pydantic import create_model

from shared.config import Settings, registered_services
from shared.events.catalogue import CATALOGUE, CURRENT_VERSION
from shared.events.envelope import Envelope

ROOT = Path(__file__).resolve().parents[2]
OUT_DIR = ROOT / "docs" / "asyncapi"


def envelope_model(type_: str) -> Any:
    return create_model(
        f"{type_}Event",  # the envelope; the payload keeps the type's own name
        __base__=Envelope,
        __doc__=(CATALOGUE[type_].__doc__ or f"The {type_} event.").strip(),
        type=(Literal[type_], type_),  # type: ignore[valid-type,arg-type]
        payload=(CATALOGUE[type_], ...),
    )


@cache
def _model(type_: str) -> Any:
    return envelope_model(type_)


def emitted_types(service: str, consumed: set[str]) -> list[str]:
    found: set[str] = set()
    dynamic = False
    spelled: set[str] = set()
    for path in sorted((ROOT / "services" / service).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in CATALOGUE:
                spelled.add(node.value)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "emit":
                arg = node.args[1] if len(node.args) > 1 else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
                else:
                    dynamic = True
    if dynamic:
        found |= spelled - consumed
    return sorted(found)


@cache
def reads(service: str) -> tuple[list[str], list[str]]:
    """(producing services whose streams it reads, the event types its handlers take), from its own `create_app`."""
    import importlib

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), database_url=None, admin_token="docs", secret_key="docs")
        app = importlib.import_module(f"services.{service}.main").create_app(settings)
        rt = app.state.rt
        out = list(rt.consumes), sorted(rt.handlers)
        rt.engine.dispose()
    return out


@cache
def emits(service: str) -> list[str]:
    return emitted_types(service, set(reads(service)[1]))


def composition(service: str) -> tuple[dict[str, list[str]], list[str]]:
    """(producing service → the types of its stream this service handles, the types this service emits)."""
    producers, handled = reads(service)
    consumes = {p: [t for t in handled if t in emits(p)] or handled for p in producers}
    return consumes, emits(service)


def docs_app(service: str, prefix: str = "lapkin") -> FastStream:
    settings = Settings(stream_prefix=prefix)
    consumes, emits = composition(service)
    broker = RedisBroker(settings.redis_url)
    for producer, types in consumes.items():
        stream = settings.stream(producer)
        models = tuple(_model(t) for t in types if t in CATALOGUE)
        body_type: Any = Union[models] if len(models) > 1 else models[0]  # noqa: UP007

        async def on_event(body: Any) -> None:  # pragma: no cover - docs only
            return None

        on_event.__annotations__ = {"body": body_type, "return": None}  # a real type, not the postponed string

        broker.subscriber(
            stream=StreamSub(stream, group=service, consumer=f"{service}-<host>-<pid>"),
            title=f"{service}:{stream}",
            description=f"Consumer group `{service}` on `{stream}` (created at id 0; reclaimed after "
            f"LAPKIN_RECLAIM_IDLE_MS; dead letters on `{stream}.dlq`, naming the group; an operator's replay of one "
            f"comes back on `{settings.retry_stream(service)}`, which only this group reads). "
            f"Handles: {', '.join(types)}.",
        )(on_event)
    own = settings.stream(service)
    for type_ in emits:
        broker.publisher(
            stream=own,
            title=f"{own}:{type_}",
            description=f"{type_} v{CURRENT_VERSION[type_]}, published by the {service} outbox relay onto `{own}`.",
            schema=_model(type_),
        )
    return FastStream(
        broker,
        specification=AsyncAPI(
            title=f"Lapkin {service}",
            version="1",
            description=f"Events the {service} service reads and emits on Redis Streams (one envelope, typed "
            "payloads).",
        ),
    )


def schema(service: str) -> dict[str, Any]:
    return docs_app(service).schema.to_specification().to_jsonable()  # type: ignore[no-any-return]


def render(service: str) -> str:
    return json.dumps(schema(service), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def services() -> tuple[str, ...]:
    """The system's services: importing the services registers them (services/system.py)."""
    import importlib

    importlib.import_module("services")
    return registered_services()


def write_all(out_dir: Path = OUT_DIR) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for service in services():
        path = out_dir / f"{service}.json"
        path.write_text(render(service), encoding="utf-8")
        paths.append(path)
    return paths


def __getattr__(name: str) -> FastStream:  # `faststream docs gen shared.messaging.asyncapi:<service>`
    if name in services():
        return docs_app(name)
    raise AttributeError(name)


if __name__ == "__main__":  # pragma: no cover
    for p in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT_DIR):
        print(p)
