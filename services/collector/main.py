"""Collector service: the composition root. Run with `uvicorn --factory services.collector.main:create_app`."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from services.collector import apidoc, bukti, bukti_api, excel, handlers, reminders
from services.collector.api import domain_error_handler, report_lane, router, validation_error_handler
from services.collector.core.errors import DomainError
from services.collector.models import TABLES
from shared.config import Settings, get_settings
from shared.routing import try_first
from shared.service import build_app

# The reports' routes, tried before every other route (shared/routing.py): the busiest by far (docs/benchmarks.md).
FIRST = [("POST", "/api/v1/laporan-triwulan"), ("POST", "/api/v1/laporan-bulanan")]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    excel.PARSING.configure(settings.xlsx_parse_concurrency, settings.xlsx_parse_wait_s)
    app = build_app(
        "collector",
        tables=TABLES,
        keeps_files=True,  # evidence / documents (shared.storage): /healthz asks an S3 store too
        routers=[router, bukti_api.router],
        handlers={
            "KoreksiRequested": handlers.on_koreksi_requested,
            "DraftApproved": handlers.on_draft_approved,
        },
        consumes=["approval"],
        on_start=reminders.start,
        settings=settings,
    )
    bukti.files(app.state.rt)  # the file store now: a wrong LAPKIN_FILE_STORE stops the service at start
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    apidoc.install(app)  # security schemes, limits, descriptions (services/collector/apidoc.py)
    app.router.redirect_slashes = False  # an API path with a trailing slash is a 404 in the error shape, not a 307
    try_first(app, FIRST, lanes=dict.fromkeys(FIRST, report_lane))
    return app
