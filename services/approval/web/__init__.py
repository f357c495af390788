"""The officials' web app (server-rendered pages of the approval service)."""

from services.approval.web.final import router as _final_router
from services.approval.web.pages import router as _pages_router
from services.approval.web.pemanfaatan import router as _pemanfaatan_router
from services.approval.web.rendering import STATIC_DIR
from services.approval.web.tindaklanjut import router as _tindaklanjut_router
from services.approval.web.verifikasi import router as _verifikasi_router
from services.approval.web.views import router

router.include_router(_pages_router)  # disposisi, sosialisasi, kepatuhan SOP
router.include_router(_final_router)  # final documents and the Lembar Disposisi, from the renderer
router.include_router(_verifikasi_router)  # the public verification page of final documents (no login)
router.include_router(_tindaklanjut_router)  # follow-ups (tindak lanjut) and their evidence files
router.include_router(_pemanfaatan_router)  # the evaluator's export of the use of performance information (issue 17)

__all__ = ["STATIC_DIR", "router"]
