"""Approval service: the composition root. Run with `uvicorn --factory services.approval.main:create_app`.

The SOP workflow file and the evaluation worksheet (LKE) are loaded and validated here: a broken file stops the service
with a message naming the line.
The same app serves the officials' web app (`services/approval/web`, pages from `/masuk`).
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.approval import bukti, officials
from services.approval.api import router
from services.approval.handlers import make_handlers
from services.approval.lke import load_lke
from services.approval.models import TABLES
from services.approval.web import STATIC_DIR
from services.approval.web import router as web_router
from services.approval.web.errors import error_page, install_web_errors
from services.approval.web.operator import router as operator_router  # operators' pages and the event indexer
from services.approval.workflow import load_workflow
from shared.config import Settings, get_settings
from shared.service import build_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    wf = load_workflow(settings.workflow_file)
    lke = load_lke(settings.evaluasi_file)
    app = build_app(
        "approval",
        tables=TABLES,
        keeps_files=True,  # evidence / documents (shared.storage): /healthz asks an S3 store too
        routers=[router, web_router, operator_router],
        handlers=lambda rt: make_handlers(rt, wf),
        # DraftRendered and DocumentPublished (the final files); RekapCompleted for the web app's recap;
        # SubmissionOverdue for the Sub Koordinator; PerjanjianKinerjaPublished for the quality check (kualitas)
        consumes=["renderer", "aggregator", "collector"],
        settings=settings,
        on_start=officials.start,  # copies raised token generations to Redis (shared/revocation.py)
    )
    bukti.files(app.state.rt)  # the file store now: a wrong LAPKIN_FILE_STORE stops the service at start
    app.state.rt.state["workflow"] = wf
    app.state.rt.state["lke"] = lke  # the evaluation worksheet: self-assessment, the drafts' quality check
    app.state.error_page = error_page  # what shared.inputguard answers on the web app's pages
    install_web_errors(app)  # a wrong address on the web app: its 404 page (the JSON API keeps JSON)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")  # the officials' web app
    return app
