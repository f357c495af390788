"""Renderer service: the composition root. Run with `uvicorn --factory services.renderer.main:create_app`."""

from __future__ import annotations

from fastapi import FastAPI

from services.renderer.api import router
from services.renderer.handlers import files, make_handlers, start
from services.renderer.models import TABLES
from shared.config import Settings
from shared.service import build_app


def create_app(settings: Settings | None = None) -> FastAPI:
    app = build_app(
        "renderer",
        tables=TABLES,
        keeps_files=True,  # evidence / documents (shared.storage): /healthz asks an S3 store too
        routers=[router],
        handlers=make_handlers,
        consumes=["collector", "aggregator", "approval"],
        on_start=start,
        settings=settings,
    )
    files(app.state.rt)  # the file store now: a wrong LAPKIN_FILE_STORE stops the service at start
    return app
