"""The officials' web app (server-rendered pages of the approval service)."""

from services.approval.web.views import STATIC_DIR, router

__all__ = ["STATIC_DIR", "router"]
