"""The officials' web app (server-rendered pages of the approval service)."""

from services.approval.web.pages import router as _pages_router
from services.approval.web.views import STATIC_DIR, router

router.include_router(_pages_router)  # disposisi, sosialisasi, kepatuhan SOP

__all__ = ["STATIC_DIR", "router"]
