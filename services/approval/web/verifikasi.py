"""The public verification page (no login; issue 15 item 10), Bahasa Indonesia first with the app's English switch:

- `GET /verifikasi`: what the page does, and the upload form.
- `GET /verifikasi/{sha256}`: the final document one of whose files has this SHA-256 — jenis, period, version, its
  files' SHA-256 and the approval chain (names, jabatan, dates in the office's zone) — and the upload form. Not 64 hex
  digits: 400; unknown: 404; both the app's error page, never a 500.
- `GET /verifikasi/dokumen/{document_id}`: the same page by document id: the Lembar Pengesahan's QR code links here
  (it cannot name the signed PDF's own SHA-256, services/approval/verifikasi.py).
- `POST /verifikasi` (multipart: `berkas`, `csrf`): the file's SHA-256 and whether it is a final document of this
  office byte for byte, and whether every signature in it is intact and made with the office's certificate
  (pyHanko's validator, shared/signing.py). The file is read once (at most `max_upload_bytes`) and discarded. The
  form carries the session's CSRF token as every form of the app (the login form too: a visitor's anonymous session).
- JSON: `GET /api/v1/verifikasi/{sha256}` and `/api/v1/verifikasi/dokumen/{document_id}` (public, read-only).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUploadFile

import services.approval.web.deps as deps
import services.approval.web.rendering as rendering
from services.approval import verifikasi
from services.approval.verifikasi import Published, Verdict
from services.approval.web.i18n import ACTIONS, JENIS, fmt_datetime, pick, t
from services.approval.web.sessions import csrf_ok, new_session, read_session
from shared import clock
from shared.formatting import fmt_date, fmt_number
from shared.sakip import periode_label
from shared.service import Runtime, RuntimeDep
from shared.signing import trust_anchors, verify_pdf

router = APIRouter(include_in_schema=False)
HOME = "/verifikasi"
PDF_MAGIC = b"%PDF-"


def _size(n: int, lang: str) -> str:
    return f"{fmt_number(Decimal(n) / (1024 * 1024), 0 if n % (1024 * 1024) == 0 else 1, locale=lang)} MB"


def _day(decided_at: object, lang: str) -> str:
    if not isinstance(decided_at, str) or not decided_at:
        return "–"
    return fmt_date(clock.office_date(datetime.fromisoformat(decided_at)), lang)


def document_view(doc: Published, lang: str, matched: str | None = None) -> dict[str, Any]:
    """A published final as the page shows it (and the JSON variant returns it)."""
    return {
        "document_id": doc.document_id,
        "jenis": doc.jenis,
        "jenis_label": pick(JENIS, doc.jenis, lang),
        "tahun": doc.tahun,
        "periode": doc.periode,
        "periode_label": periode_label(doc.periode, doc.tahun, lang),
        "version": doc.version,
        "published_at": doc.published_at.isoformat(),
        "published_label": fmt_datetime(doc.published_at, lang),
        "files": [
            {"format": fmt, "sha256": sha, "matched": sha == matched, "url": f"{HOME}/{sha}"}
            for fmt, sha in sorted(doc.files.items())
        ],
        "chain": [
            {
                "no": n,
                "nama": e.get("nama") or "",
                "nip": e.get("nip") or "",
                "jabatan": e.get("jabatan") or "",
                "action": e.get("action") or "",
                "action_label": pick(ACTIONS, str(e.get("action") or ""), lang),
                "decided_at": e.get("decided_at") or "",
                "tanggal": _day(e.get("decided_at"), lang),
            }
            for n, e in enumerate(doc.chain, start=1)
        ],
    }


def _lookup(rt: Runtime, request: Request, how: str, key: str) -> tuple[Any, Any, Published | None]:
    with Session(rt.engine) as db:
        ws, official = deps.session_official(request, db)
        found = verifikasi.by_sha256(db, key) if how == "sha" else verifikasi.by_document_id(db, key)
        return ws, official, found


def _page(request: Request, ws: Any, official: Any, ctx: dict[str, Any], status: int = 200) -> Response:
    lang = rendering.lang(request)
    limit = request.app.state.rt.settings.max_upload_bytes
    help_text = t("vf_upload_help", lang).format(limit=_size(limit, lang))
    base: dict[str, Any] = {"doc": None, "verdict": None, "errors": [], "upload_help": help_text}
    return rendering.page(request, "verifikasi.html", ws, {**base, **ctx}, official=official, status=status)


def _not_found(request: Request, ws: Any, official: Any, message: str, status: int = 404) -> Response:
    lang = rendering.lang(request)
    return rendering.refused(request, ws, official, message, HOME, status,
                             title=t("vf_not_found_title", lang), back_label=t("vf_back", lang))  # fmt: skip


def _head_or_get(request: Request, response: Response) -> Response:
    """HEAD answers what GET would (status and headers, its Content-Length too), without the body: link checkers
    and a browser's prefetch ask a page that way."""
    if request.method != "HEAD":
        return response
    head = Response(status_code=response.status_code)
    head.raw_headers = list(response.raw_headers)
    return head


READ = ["GET", "HEAD"]


@router.api_route("/verifikasi", methods=READ)
async def verification_home(request: Request, rt: RuntimeDep) -> Response:
    ws, official, _ = await run_in_threadpool(_lookup, rt, request, "id", "")
    return _head_or_get(request, _page(request, ws, official, {}))


@router.api_route("/verifikasi/dokumen/{document_id}", methods=READ)
async def verification_by_document(document_id: str, request: Request, rt: RuntimeDep) -> Response:
    """The QR code's target."""
    lang = rendering.lang(request)
    ws, official, doc = await run_in_threadpool(_lookup, rt, request, "id", document_id)
    if doc is None:
        message = t("vf_unknown_doc", lang).format(id=document_id[:120])
        return _head_or_get(request, _not_found(request, ws, official, message))
    return _head_or_get(request, _page(request, ws, official, {"doc": document_view(doc, lang)}))


@router.api_route("/verifikasi/{sha256}", methods=READ)
async def verification_by_sha256(sha256: str, request: Request, rt: RuntimeDep) -> Response:
    lang = rendering.lang(request)
    key = sha256.strip().lower()
    ws, official, doc = await run_in_threadpool(_lookup, rt, request, "sha", key)
    if not verifikasi.is_sha256(key):
        return _head_or_get(request, _not_found(request, ws, official, t("vf_bad_sha", lang), 400))
    if doc is None:
        return _head_or_get(request, _not_found(request, ws, official, t("vf_unknown_sha", lang).format(sha=key)))
    return _head_or_get(request, _page(request, ws, official, {"doc": document_view(doc, lang, matched=key)}))


def _judge(rt: Runtime, data: bytes) -> Verdict:
    sha = verifikasi.sha256_of(data)
    with Session(rt.engine) as db:
        published = verifikasi.by_sha256(db, sha)
    return Verdict(sha256=sha, published=published, check=verify_pdf(data, trust_anchors(rt.settings)))


def verdict_view(verdict: Verdict, lang: str) -> dict[str, Any]:
    lines = [t("vf_found" if verdict.published else "vf_not_found", lang)]
    if not verdict.check.readable:
        lines.append(t("vf_unreadable", lang))
    elif not verdict.check.signatures:
        lines.append(t("vf_unsigned", lang))
    for s in verdict.check.signatures:
        when = fmt_datetime(s.signed_at, lang) if s.signed_at else "–"
        key = (
            "vf_sig_broken" if not s.intact
            else "vf_sig_untrusted" if not s.trusted
            else "vf_sig_appended" if not s.covers_all
            else "vf_sig_valid"
        )  # fmt: skip
        lines.append(t(key, lang).format(field=s.field, signer=s.signer or "–", when=when))
    return {
        "valid": verdict.valid,
        "sha256": verdict.sha256,
        "headline": t("vf_valid" if verdict.valid else "vf_invalid", lang),
        "lines": lines,
        "signatures": [
            {
                "field": s.field,
                "signer": s.signer,
                "intact": s.intact,
                "trusted": s.trusted,
                "covers_all": s.covers_all,
                "valid": s.valid,
                "signed_at": s.signed_at.isoformat() if s.signed_at else None,
            }
            for s in verdict.check.signatures
        ],  # fmt: skip
    }


def _form_problem(csrf: list[Any], files: list[Any]) -> str | None:
    """What is wrong with the form's fields themselves (the i18n key), before its file is looked at: `berkas` sent
    as text (a script's form, not the page's), or several `berkas` in one form (which one would be judged?)."""
    if any(not isinstance(f, StarletteUploadFile) for f in files):
        return "vf_file_is_text"
    if len(files) > 1:
        return "vf_many_files"
    if len(csrf) > 1 or any(not isinstance(c, str) for c in csrf):
        return "vf_bad_form"
    return None


@router.post("/verifikasi")
async def verification_upload(request: Request, rt: RuntimeDep) -> Response:
    """The form is read here rather than by FastAPI's parameters: a wrong form (the file as text, two files) is
    the verification page saying what is wrong (400), never the framework's JSON (422, Python type names) nor the
    last of two files judged silently."""
    lang = rendering.lang(request)
    ws = read_session(request)
    _, official, _ = await run_in_threadpool(_lookup, rt, request, "id", "")
    form = await request.form()
    try:
        csrf, files = form.getlist("csrf"), [f for f in form.getlist("berkas") if f != ""]
        token = csrf[0] if len(csrf) == 1 and isinstance(csrf[0], str) else None
        if not csrf_ok(ws, token):  # the form again, with a fresh token
            return _page(request, new_session(), official, {"errors": [t("msg_csrf", lang)]}, status=403)
        if (problem := _form_problem(csrf, files)) is not None:
            return _page(request, ws, official, {"errors": [t(problem, lang)]}, status=400)
        berkas = files[0] if files else None
        if not isinstance(berkas, StarletteUploadFile) or not berkas.filename:
            return _page(request, ws, official, {"errors": [t("vf_no_file", lang)]}, status=400)
        limit = rt.settings.max_upload_bytes
        data = await berkas.read(limit + 1)
    finally:
        await form.close()
    if len(data) > limit:
        too_large = t("vf_too_large", lang).format(limit=_size(limit, lang))
        return _page(request, ws, official, {"errors": [too_large]}, status=413)
    if not data:
        return _page(request, ws, official, {"errors": [t("vf_empty", lang)]}, status=400)
    if PDF_MAGIC not in data[:1024]:  # PDF readers accept the header within the first 1 KiB
        return _page(request, ws, official, {"errors": [t("vf_not_pdf", lang)]}, status=400)
    verdict = await run_in_threadpool(_judge, rt, data)
    ctx: dict[str, Any] = {"verdict": verdict_view(verdict, lang)}
    if verdict.published is not None:
        ctx["doc"] = document_view(verdict.published, lang, matched=verdict.sha256)
    return _page(request, ws, official, ctx)


# ---- JSON ------------------------------------------------------------------------------------------------------------


def _json_lookup(rt: Runtime, how: str, key: str) -> Published | None:
    with Session(rt.engine) as db:
        return verifikasi.by_sha256(db, key) if how == "sha" else verifikasi.by_document_id(db, key)


def _error(status: int, field: str, rule: str, message_id: str, message_en: str) -> JSONResponse:
    body = {"errors": [{"field": field, "rule": rule, "message_id": message_id, "message_en": message_en}]}
    return JSONResponse(body, status_code=status)


@router.get("/api/v1/verifikasi/{sha256}")
async def verification_json(sha256: str, request: Request, rt: RuntimeDep) -> Response:
    key = sha256.strip().lower()
    if not verifikasi.is_sha256(key):
        return _error(400, "sha256", "sha256_format", t("vf_bad_sha", "id"), t("vf_bad_sha", "en"))
    doc = await run_in_threadpool(_json_lookup, rt, "sha", key)
    if doc is None:
        msg = "vf_unknown_sha"
        return _error(404, "sha256", "not_found", t(msg, "id").format(sha=key), t(msg, "en").format(sha=key))
    return JSONResponse(document_view(doc, rendering.lang(request), matched=key))


@router.get("/api/v1/verifikasi/dokumen/{document_id}")
async def verification_document_json(document_id: str, request: Request, rt: RuntimeDep) -> Response:
    doc = await run_in_threadpool(_json_lookup, rt, "id", document_id)
    if doc is None:
        shown = quote(document_id[:120], safe="")
        msg = "vf_unknown_doc"
        return _error(404, "document_id", "not_found", t(msg, "id").format(id=shown), t(msg, "en").format(id=shown))
    return JSONResponse(document_view(doc, rendering.lang(request)))
