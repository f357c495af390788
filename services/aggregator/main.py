"""Aggregator service: the composition root. Run with `uvicorn --factory services.aggregator.main:create_app`."""

from __future__ import annotations

from fastapi import FastAPI

from services.aggregator.api import router
from services.aggregator.handlers import make_handlers, start
from services.aggregator.models import TABLES
from shared.config import Settings
from shared.service import build_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_app(
        "aggregator",
        tables=TABLES,
        routers=[router],
        handlers=make_handlers,
        consumes=["collector", "approval"],
        on_start=start,
        settings=settings,
    )
