"""The officials' web app, server-rendered with Jinja2 (Bahasa Indonesia first, English on request).

`/masuk` login (`login.authenticate`: its refusals, throttling included, shown as a message), `/kotak-masuk` the
inbox, `/draf/{id}` a draft with its recap, PDF, changes since the previous version, history and the decision
forms, `/keluar` logout (ending the session on the server), `/bahasa/{id|en}` the language switch.
Decisions go through the same `handlers.decide` as the JSON API.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from services.approval import disposisi, domain, handlers, limits, login, sosialisasi
from services.approval.models import DraftRow, DraftVersionRow, Official, RekapRow
from services.approval.web import i18n, present
from services.approval.web.documents import documents_view, stream_document
from services.approval.web.i18n import ACTIONS, JENIS, STATES, fmt_datetime, fmt_duration, lang_of, pick, t
from services.approval.web.paths import local_referer, safe_local
from services.approval.web.sessions import (
    LANG_COOKIE,
    WebSession,
    clear_session,
    csrf_ok,
    end_session,
    new_session,
    read_session,
    session_live,
    start_session,
    write_session,
)
from services.approval.workflow import Workflow
from shared.clock import office_date
from shared.errors import ApiError
from shared.formatting import MISSING, fmt_date, fmt_rupiah, periode_label, roman
from shared.service import BUSY, BUSY_RETRY_AFTER_S, Caller, Runtime, RuntimeDep, SessionDep
from shared.slots import Busy

HERE = Path(__file__).resolve().parent.parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
STATIC_DIR = HERE / "static"
MESSAGES = (
    "logged_out", "expired", "login_required", "approve", "submit", "final", "return", "koreksi_selesai",
    "disposisi", "disposisi_selesai", "sosialisasi", "dibaca",
)  # fmt: skip

DONE_MESSAGES = (
    "approve", "submit", "final", "return", "koreksi_selesai", "disposisi", "disposisi_selesai", "sosialisasi",
)  # fmt: skip

router = APIRouter(include_in_schema=False)


# ---- plumbing ---------------------------------------------------------------------------------------------------


def _lang(request: Request) -> str:
    return lang_of(request.cookies.get(LANG_COOKIE))


def _workflow(request: Request) -> Workflow:
    return request.app.state.rt.state["workflow"]  # type: ignore[no-any-return]


def _page(
    request: Request,
    name: str,
    ws: WebSession,
    ctx: dict[str, Any],
    *,
    official: Official | None = None,
    status: int = 200,
) -> Response:
    lang = _lang(request)
    pesan = request.query_params.get("pesan")
    context = {
        "lang": lang,
        "other_lang": "en" if lang == "id" else "id",
        "t": lambda key: t(key, lang),
        "csrf": ws.csrf,
        # this page with its whole query, as one parameter (the language switch comes back to it, `ke` included)
        "here": quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="/"),
        "official": official,
        "role_name": (lambda code: _role_name(request, code, lang)),
        "notice": t(f"msg_{pesan}", lang) if pesan in MESSAGES else None,
        "done": pesan in DONE_MESSAGES,  # a form was saved: the page's script forgets its kept drafts
        "max_text": limits.MAX_TEXT,
        "sos_errors": {},
        "sos_penerima": [],
        "sos_catatan": "",
        **ctx,
    }
    response = TEMPLATES.TemplateResponse(request, name, context, status_code=status)
    if ws.fresh:
        write_session(request, response, ws)
    response.headers["Cache-Control"] = "no-store"
    return response


def _role_name(request: Request, code: str | None, lang: str) -> str:
    if not code:
        return MISSING
    role = _workflow(request).roles.get(code)
    if role is None:
        return code
    return role.nama if lang == "id" else role.name_en


def _current(request: Request, db: Session) -> tuple[WebSession, Official | None]:
    ws, official = _session_official(request, db)
    if official is None:
        ws.back = _return_to(request)
    return ws, official


def _session_official(request: Request, db: Session) -> tuple[WebSession, Official | None]:
    ws = read_session(request)
    if ws.uid is None:
        return ws, None
    if not session_live(db, ws):  # logged out (a copied cookie), or the official's sessions were ended
        return new_session(), None
    row = db.get(Official, ws.uid)
    if row is None or not row.active:
        return new_session(), None
    return ws, row


LANDING = "/kotak-masuk"


def _return_to(request: Request) -> str | None:
    """Where a login sends the official back: the page asked for (a GET), or the page a form was posted from (a
    POST: its textareas' drafts are kept in the browser, static/app.js, and come back there)."""
    if request.method == "GET":
        target = safe_local(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    else:
        target = local_referer(request)
    if target is None or target in ("/", LANDING) or target.startswith(("/masuk", "/keluar")):
        return None
    return target


def _to_login(ws: WebSession) -> Response:
    url = f"/masuk?pesan={'expired' if ws.expired else 'login_required'}"
    if ws.back:
        url += f"&ke={quote(ws.back, safe='')}"
    response = RedirectResponse(url, status_code=303)
    if ws.expired:
        clear_session(response)
    return response


def _who(official: Official) -> domain.Official:
    assert official.id is not None
    return domain.Official(
        id=official.id,
        role=official.role,
        unit=official.unit,
        nama=official.nama,
        nip=official.nip,
        jabatan=official.jabatan,
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _message(err: ApiError, lang: str) -> str:
    if not err.errors:
        return t("error_title", lang)
    first = err.errors[0]
    if first.rule == "reason_required":
        return t("msg_reason_required", lang)
    return first.message_id if lang == "id" else first.message_en


# ---- login, logout, language -------------------------------------------------------------------------------------


def landing(official: Official) -> str:
    """Where an official starts: operators on the event log, everyone else on the inbox."""
    return "/operator/peristiwa" if official.role == "operator" else "/kotak-masuk"


@router.get("/")
def home(request: Request, db: SessionDep) -> Response:
    ws, official = _current(request, db)
    return RedirectResponse(landing(official) if official else "/masuk", status_code=303)


@router.get("/masuk")
def login_form(request: Request, db: SessionDep, ke: str = "") -> Response:
    ws, official = _current(request, db)
    target = safe_local(ke)
    if official is not None:
        return RedirectResponse(target or landing(official), status_code=303)
    ctx: dict[str, Any] = {"error": None, "username": "", "ke": target or ""}
    if ws.expired:
        ctx["notice"] = t("msg_expired", _lang(request))
    return _page(request, "login.html", ws, ctx)


@router.post("/masuk")
async def login_submit(
    request: Request,
    rt: RuntimeDep,
    username: str = Form(""),
    password: str = Form(""),
    csrf: str | None = Form(None),
    ke: str = Form(""),
) -> Response:
    lang = _lang(request)
    ws = read_session(request)
    target = safe_local(ke)
    if not csrf_ok(ws, csrf):
        fresh = new_session()
        ctx = {"error": t("msg_csrf", lang), "username": username, "ke": target or ""}
        return _page(request, "login.html", fresh, ctx, status=403)
    try:
        try:
            official = await login.authenticate(rt, login.client_of(request), username.strip(), password)
        except Busy as exc:  # every hashing slot taken: the page says so, as the API's 503 does
            raise ApiError(503, BUSY.errors, {"Retry-After": str(BUSY_RETRY_AFTER_S)}) from exc
    except ApiError as err:
        ctx = {"error": _message(err, lang), "username": username, "ke": target or ""}
        page = _page(request, "login.html", ws, ctx, status=err.status)
        page.headers.update(err.headers or {})
        return page
    assert official.id is not None
    uid = official.id
    session = await run_in_threadpool(_start, rt, uid)
    response = RedirectResponse(target or landing(official), status_code=303)  # the page asked for, if local
    write_session(request, response, session)
    return response


def _start(rt: Runtime, official_id: int) -> WebSession:
    with Session(rt.engine, expire_on_commit=False) as db:
        return start_session(db, official_id, rt.settings.token_ttl_s)


@router.post("/keluar")
def logout(request: Request, db: SessionDep, csrf: str | None = Form(None)) -> Response:
    ws, official = _current(request, db)
    if official is None:
        return _to_login(ws)
    if not csrf_ok(ws, csrf):
        return _refused(request, ws, official, t("msg_csrf", _lang(request)), "/kotak-masuk", 403)
    end_session(db, ws)  # on the server: a copy of the cookie opens nothing any more
    response = RedirectResponse("/masuk?pesan=logged_out", status_code=303)
    clear_session(response)
    return response


@router.get("/bahasa/{kode}")
def switch_language(kode: str, ke: str = "/") -> Response:
    target = ke if ke.startswith("/") and not ke.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(LANG_COOKIE, lang_of(kode), max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response


def _refused(
    request: Request,
    ws: WebSession,
    official: Official | None,
    message: str,
    back: str,
    status: int,
    *,
    title: str | None = None,
    back_label: str | None = None,
) -> Response:
    ctx = {"message": message, "back": back, "title": title, "back_label": back_label}
    return _page(request, "error.html", ws, ctx, official=official, status=status)


DRAFT_ID = re.compile(r"(?P<tahun>20\d\d)-(?P<periode>TW[1-4]|S[12]|TAHUNAN)")


def _draft_not_found(request: Request, ws: WebSession, official: Official | None, draft_id: str = "") -> Response:
    """An unknown draft: "Tidak ditemukan", as an unknown disposition or circulation; the address of a period whose
    draft is not made yet says when it will be (a semester's or the year's once its quarters are final)."""
    lang = _lang(request)
    message = t("draft_not_found", lang)
    if (m := DRAFT_ID.fullmatch(draft_id)) is not None:
        key = "draft_not_yet_quarter" if m["periode"].startswith("TW") else "draft_not_yet_merged"
        message = t(key, lang).format(report=periode_label(m["periode"], int(m["tahun"]), lang))
    return _refused(request, ws, official, message, "/kotak-masuk", 404,
                    title=t("not_found_title", lang), back_label=t("back_inbox", lang))  # fmt: skip


# ---- inbox ---------------------------------------------------------------------------------------------------------


def _row_view(
    request: Request,
    wf: Workflow,
    d: dict[str, Any],
    lang: str,
    now: datetime,
    draft: domain.Draft | None = None,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    step = wf.step(d["step"]) if d.get("step") else None
    waited = now - _aware(datetime.fromisoformat(d["stage_started_at"]))
    waits = [(m["periode"], m["tahun"]) for m in d.get("menunggu") or []]
    clock = None if waits else step  # held back by the workflow's `requires`: its step's clock has not started
    late = bool(clock and waited > clock.waktu)
    view = {
        **d,
        "label": periode_label(d["periode"], d["tahun"], lang),
        "jenis_label": pick(JENIS, d["jenis"], lang),
        "state_label": _state_label(wf, d, draft, lang, request),
        "step_label": _step_label(step, lang),
        "acting": _role_name(request, d.get("acting_role"), lang),
        "waited": fmt_duration(waited, lang) if clock else None,
        "standard": fmt_duration(clock.waktu, lang) if clock else None,
        "late": late,
        "actionable": d["may_approve"] or d["may_return"],
        # "Menunggu: Laporan Semester II 2024 disetujui"
        "menunggu_label": t("waiting_for", lang).format(reports=domain.reports_text(waits, lang)) if waits else None,
        "expected": None,
        "final_label": None,
    }
    if draft is not None:
        view.update(_expected(request, wf, view, draft, names or {}, lang))
    return view


def _state_label(wf: Workflow, d: dict[str, Any], draft: domain.Draft | None, lang: str, request: Request) -> str:
    """The state as a reader tells the steps apart: a waiting draft is "Menunggu diajukan" while at its compiler's
    submit stage, "Diperiksa {role}" once submitted (the gate's role); the others by their state."""
    if d["state"] != domain.MENUNGGU or draft is None:
        return pick(STATES, d["state"], lang)
    stage = domain.current_stage(wf, draft)
    if stage is None:
        return pick(STATES, d["state"], lang)
    if stage.action == "submit":
        return t("state_to_submit", lang)
    return t("state_in_review", lang).format(role=_role_name(request, stage.role, lang))


def _step_label(step: Any, lang: str) -> str:
    return f"{step.nomor}. {step.kegiatan if lang == 'id' else step.activity_en}" if step else MISSING


def _expected(
    request: Request, wf: Workflow, d: dict[str, Any], draft: domain.Draft, names: dict[str, str], lang: str
) -> dict[str, Any]:
    """What the card asks of the reader: their own action, or whose turn it is; a final draft's SOP step and the
    date it was made final (in the office's time zone)."""
    if d["state"] == "final":
        last = next((h for h in reversed(draft.history) if h.action in ("approve", "submit")), None)
        if last is None:
            return {"expected": t("act_none", lang)}
        try:
            step_label = _step_label(wf.step(last.step), lang)
        except KeyError:
            step_label = str(last.step)
        final_on = fmt_date(_aware(last.decided_at).astimezone(i18n.WIB), lang)
        return {"expected": t("act_none", lang), "step_label": step_label, "final_label": final_on}
    if d["state"] == "superseded":
        return {"expected": t("act_none", lang)}
    stage = domain.current_stage(wf, draft)
    role = d["acting"]
    waits = [(m["periode"], m["tahun"]) for m in d.get("menunggu") or []]
    if waits:  # held back by the workflow's `requires`: nobody's turn yet, it waits for those reports
        return {"expected": t("act_wait_reports", lang).format(reports=domain.reports_text(waits, lang))}
    if draft.koreksi_role:
        units = ", ".join(present.unit_label(u, names) for u in draft.koreksi_units) or t("act_units_named", lang)
        key = "act_koreksi" if d["actionable"] else "act_wait_koreksi"
        return {"expected": t(key, lang).format(units=units, role=role)}
    if stage is not None and stage.action == "submit":
        if d["actionable"]:
            return {"expected": t("act_resubmit" if d["state"] == "dikembalikan" else "act_submit", lang)}
        return {"expected": t("act_wait_submit", lang).format(role=role)}
    if d["actionable"]:
        return {"expected": t("act_approve", lang)}
    return {"expected": t("act_wait_approve", lang).format(role=role)}


@router.get("/kotak-masuk")
def inbox(request: Request, db: SessionDep) -> Response:
    ws, official = _current(request, db)
    if official is None:
        return _to_login(ws)
    lang, wf, now = _lang(request), _workflow(request), datetime.now(UTC)
    names = present.unit_names(db)
    drafts = []
    for d in handlers.list_drafts(db, wf, _who(official), None, None):
        row = db.get(DraftRow, d["id"])
        view = _row_view(request, wf, d, lang, now, handlers.to_domain(row) if row else None, names)
        if row is not None and _to_circulate(wf, row, official, db):
            view["expected"] = t("act_circulate", lang).format(step=sosialisasi.step_for(row))
        drafts.append(view)
    drafts.sort(key=lambda d: (d["tahun"], d["periode"]), reverse=True)
    ctx = {
        "to_act": [d for d in drafts if d["actionable"]],
        "for_info": [d for d in drafts if not d["actionable"]],
        "today": fmt_date(office_date(now), lang),
        "disposisi": [
            disposisi_view(request, db, row, lang, now, official)
            for row in disposisi.for_official(db, official, open_only=True)
        ],
        "to_read": [
            sosialisasi_view(request, db, row, lang, now, official) for row in sosialisasi.unread_for(db, official)
        ],
        "pengingat": [pengingat_view(p, lang, names) for p in handlers.pengingat(db)]
        if official.role in PENGINGAT_ROLES
        else [],
    }
    return _page(request, "inbox.html", ws, ctx, official=official)


def _to_circulate(wf: Workflow, row: DraftRow, official: Official, db: Session) -> bool:
    """The circulation is this official's next step (SOP step 5: a final quarterly report; step 8: a semester or
    annual draft at step 8) and this version has not been circulated yet."""
    if not sosialisasi.may_circulate(wf, row, official):
        return False
    if row.jenis != "triwulan" and domain.current_step(wf, handlers.to_domain(row)) != sosialisasi.step_for(row):
        return False
    return not any(s.version == row.version for s in sosialisasi.for_draft(db, row.id))


PENGINGAT_ROLES = ("subkor", "sekretaris")  # who chases the units (SOP steps 1–2)


def pengingat_view(p: dict[str, Any], lang: str, names: dict[str, str] | None = None) -> dict[str, Any]:
    nama = p["nama_unit"] or present.unit_label(p["unit"], names or {})
    return {
        **p,
        "label": f"{nama} · {periode_label(p['periode'], p['tahun'], lang)}",
        "jenis_label": t(f"pengingat_jenis_{p['jenis']}", lang),
        "deadline_label": fmt_datetime(datetime.fromisoformat(p["deadline"]), lang),
        "late": p["jenis"] == "terlambat",
    }


def _clock(wf: Workflow, step_no: int | None, started: datetime, now: datetime, lang: str) -> dict[str, Any]:
    """How long a step has run against its SOP time standard."""
    try:
        step = wf.step(step_no) if step_no else None
    except KeyError:
        step = None
    waited = now - _aware(started)
    return {
        "step_label": f"{step.nomor}. {step.kegiatan if lang == 'id' else step.activity_en}" if step else MISSING,
        "waited": fmt_duration(waited, lang),
        "standard": fmt_duration(step.waktu, lang) if step else None,
        "late": bool(step and waited > step.waktu),
    }


def _disposisi_late(wf: Workflow, row: Any, now: datetime) -> bool:
    """Is (or was, when done) the disposisi late? `disposisi.is_late`: against the due date its issuer set (a day in
    the office's calendar), else against its SOP step's time standard — the rule the SOP compliance page uses too."""
    return disposisi.is_late(wf, row, now)


def _disposisi_expected(row: Any, viewer: Official | None, kepada_label: str, lang: str) -> str | None:
    """What the disposition's card asks of its reader: the recipient acts on it and marks it done; its issuer (and
    anyone else who may read it) waits for the recipient; nothing once done."""
    if viewer is None:
        return None
    if row.selesai_at is not None:
        return t("act_none", lang)
    if disposisi.is_recipient(row, viewer):
        return t("act_disposisi", lang)
    return t("act_wait_disposisi", lang).format(kepada=kepada_label)


def disposisi_view(
    request: Request, db: Session, row: Any, lang: str, now: datetime, viewer: Official | None = None
) -> dict[str, Any]:
    wf = _workflow(request)
    d = disposisi.public(db, wf, row)
    clock = _clock(wf, row.langkah, row.issued_at, now, lang)
    overdue = bool(row.batas_waktu and office_date(now) > row.batas_waktu)
    kepada = d["kepada"]
    late = _disposisi_late(wf, row, now)
    if row.batas_waktu:  # measured against its due date, not the step's standard
        clock = {**clock, "standard": None, "due": fmt_date(row.batas_waktu, lang)}
    kepada_label = (
        f"{kepada.get('nama')} ({_role_name(request, kepada.get('role'), lang)})"
        if kepada.get("nama")
        else _role_name(request, kepada.get("role"), lang)
    )
    return {
        **d,
        **clock,
        "late": late and not row.selesai_at,
        "done_late": late and bool(row.selesai_at),
        "overdue": overdue and not row.selesai_at,
        "dari_label": f"{d['dari'].get('nama', '')} ({_role_name(request, d['dari'].get('role'), lang)})",
        "kepada_label": kepada_label,
        "expected": _disposisi_expected(row, viewer, kepada_label, lang),
        "expected_you": bool(viewer and row.selesai_at is None and disposisi.is_recipient(row, viewer)),
        "batas_label": fmt_date(row.batas_waktu, lang) if row.batas_waktu else None,
        "issued_label": fmt_datetime(_aware(row.issued_at), lang),
        "done_label": fmt_datetime(_aware(row.selesai_at), lang) if row.selesai_at else None,
        "periode_label": periode_label(row.periode, row.tahun, lang) if row.periode else str(row.tahun),
    }


def _sosialisasi_expected(status: dict[str, Any], viewer: Official | None, lang: str) -> str | None:
    """What a circulation asks of its reader: a recipient reads the report (then it is read); its sender waits for
    the readers."""
    if viewer is None:
        return None
    mine = next((p for p in status["penerima"] if p["id"] == viewer.id), None)
    if mine is not None:
        return t("act_read", lang) if mine["read_at"] is None else t("act_was_read", lang)
    if status["belum_dibaca"]:
        return t("act_wait_read", lang).format(n=len(status["belum_dibaca"]))
    return t("act_none", lang)


def sosialisasi_view(
    request: Request, db: Session, row: Any, lang: str, now: datetime, viewer: Official | None = None
) -> dict[str, Any]:
    wf = _workflow(request)
    status = sosialisasi.status(db, row)
    draft = db.get(DraftRow, row.draft_id)
    return {
        **status,
        "expected": _sosialisasi_expected(status, viewer, lang),
        "expected_you": bool(viewer and viewer.id in [p["id"] for p in status["penerima"] if p["read_at"] is None]),
        "final": bool(draft and draft.state == domain.FINAL),  # "Buka laporan", not "Buka draf"
        **_clock(wf, row.langkah, row.sent_at, now, lang),
        "label": periode_label(draft.periode, draft.tahun, lang) if draft else row.draft_id,
        "jenis_label": pick(JENIS, draft.jenis, lang) if draft else "",
        "sent_label": fmt_datetime(_aware(row.sent_at), lang),
        "penerima": [
            {**p, "read_label": fmt_datetime(datetime.fromisoformat(p["read_at"]), lang) if p["read_at"] else None}
            for p in status["penerima"]
        ],
    }


# ---- draft ---------------------------------------------------------------------------------------------------------


def _recap(db: Session, tahun: int, periode: str, revision: int | None) -> dict[str, Any] | None:
    if revision is None:
        return None
    row = db.get(RekapRow, (tahun, periode, revision))
    return json.loads(row.body) if row else None


def _previous_recap(db: Session, row: DraftRow) -> tuple[int | None, dict[str, Any] | None]:
    """The recap of the draft's previous version: its recorded recap revision, or for drafts made before versions
    were recorded the newest complete revision older than this version's."""
    if row.version <= 1:
        return None, None
    prev = db.exec(
        select(DraftVersionRow)
        .where(DraftVersionRow.draft_id == row.id, DraftVersionRow.version < row.version)
        .order_by(col(DraftVersionRow.version).desc())
    ).first()
    if prev is not None:
        return prev.version, _recap(db, row.tahun, row.periode, prev.recap_revision)
    older = db.exec(
        select(RekapRow)
        .where(
            RekapRow.tahun == row.tahun,
            RekapRow.periode == row.periode,
            RekapRow.revision < row.recap_revision,
            RekapRow.status == "complete",
        )
        .order_by(col(RekapRow.revision).desc())
    ).first()
    return row.version - 1, (json.loads(older.body) if older else None)


INDICATOR_FIGURES = ("target", "realisasi", "capaian", "predikat")
CUMULATIVE_FIGURES = ("target_sd", "realisasi_sd", "capaian_sd", "predikat_sd")  # the "s.d." table
QUARTER_FIGURES = ("target", "realisasi", "capaian")  # the semester / annual report's rows per quarter
BUDGET_FIGURES = ("pagu", "realisasi", "persen")


def _same(old: Any, new: Any) -> bool:
    """Equal figures: as numbers when both are numbers ("7.2" is "7.20"), else as given."""
    a, b = present.decimal(old), present.decimal(new)
    if a is not None and b is not None:
        return a == b
    return (old if old != "" else None) == (new if new != "" else None)


def _show(field: str, value: Any, lang: str, ind: dict[str, Any] | None = None) -> str:
    """A figure as the page shows it: predikat by its label, money in rupiah, capaian and serapan with 2 decimals,
    target and realisasi with the indicator's decimals (`present.places_of`)."""
    if field.startswith("predikat"):
        return i18n.predikat(value, lang)
    if field in ("pagu", "realisasi_rp"):
        amount = present.decimal(value)
        return fmt_rupiah(amount, lang) if amount is not None else MISSING
    if ind is None or field.startswith("capaian") or field == "persen":
        return present.figure(value, lang)
    return present.figure(value, lang, present.places_of(ind))


def _diff(
    old: dict[str, Any],
    new: dict[str, Any],
    fields: tuple[str, ...],
    lang: str,
    label: Any,
    show_as: Any = None,
    ind: dict[str, Any] | None = None,
) -> list[dict[str, str]]:
    out = []
    for f in fields:
        if not _same(old.get(f), new.get(f)):
            shown = show_as(f) if show_as else f
            out.append(
                {
                    "label": label(f),
                    "old": _show(shown, old.get(f), lang, ind),
                    "new": _show(shown, new.get(f), lang, ind),
                }
            )
    return out


def _by_kode(items: Any) -> dict[Any, dict[str, Any]]:
    return {i.get("kode"): i for i in items or [] if isinstance(i, dict)}


def _changes(
    prev: dict[str, Any],
    cur: dict[str, Any],
    lang: str,
    prev_quarters: dict[int, dict[str, Any]] | None = None,
    cur_quarters: dict[int, dict[str, Any]] | None = None,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Every figure the document shows that differs between two recaps: per indicator its target, realisasi,
    capaian and predikat, the cumulative (s.d.) ones (not for TW1, whose document has no cumulative table) and, for a
    semester or the year, each quarter's row (`*_quarters`: the single quarters' recaps each version was drawn
    with); per sasaran and for the office capaian and predikat; per programme the budget (pagu, realisasi,
    serapan). Plus the units whose data came in a new revision."""
    old_rekap, new_rekap = prev.get("rekap", {}) or {}, cur.get("rekap", {}) or {}
    periode = str(new_rekap.get("periode") or old_rekap.get("periode") or "")
    before = _by_kode(old_rekap.get("indikator"))
    fields = INDICATOR_FIGURES + (CUMULATIVE_FIGURES if periode != "TW1" else ())
    prev_q, cur_q = prev_quarters or {}, cur_quarters or {}
    quarters = sorted(set(prev_q) & set(cur_q))
    indicators = []
    for ind in new_rekap.get("indikator", []):
        kode = ind.get("kode")
        old = before.get(kode, {})
        diffs = _diff(old, ind, fields, lang, lambda f: t(f"fig_{f}", lang), ind=ind)
        for q in quarters:
            qo, qn = (
                _by_kode(prev_q[q].get("indikator")).get(kode, {}),
                _by_kode(cur_q[q].get("indikator")).get(kode, {}),
            )
            diffs += _diff(
                qo,
                qn,
                QUARTER_FIGURES,
                lang,
                lambda f, q=q: f"{t(f'fig_{f}', lang)} {t('tw', lang)} {roman(q)}",
                ind=ind,
            )
        if diffs:
            indicators.append({"kode": kode, "nama": ind.get("nama") or "", "fields": diffs})
    totals = []
    old_sasaran = _by_kode(old_rekap.get("sasaran"))
    for s in new_rekap.get("sasaran", []):
        diffs = _diff(
            old_sasaran.get(s.get("kode"), {}), s, ("capaian", "predikat"), lang, lambda f: t(f"fig_{f}", lang)
        )
        if diffs:
            totals.append(
                {"group": t("sasaran", lang), "kode": s.get("kode"), "nama": s.get("nama") or "", "fields": diffs}
            )
    diffs = _diff(
        old_rekap, new_rekap, ("capaian_instansi", "predikat_instansi"), lang,
        lambda f: t(f"fig_{f.removesuffix('_instansi')}", lang), show_as=lambda f: f.removesuffix("_instansi"),
    )  # fmt: skip
    if diffs:
        totals.append({"group": t("office_total", lang), "kode": "", "nama": "", "fields": diffs})
    old_budget = _by_kode(old_rekap.get("anggaran"))
    for prog in new_rekap.get("anggaran", []) or []:
        diffs = _diff(
            old_budget.get(prog.get("kode"), {}), prog, BUDGET_FIGURES, lang, lambda f: t(f"fig_budget_{f}", lang),
            show_as=lambda f: {"realisasi": "realisasi_rp"}.get(f, f),
        )  # fmt: skip
        if diffs:
            totals.append(
                {"group": t("program", lang), "kode": prog.get("kode"), "nama": prog.get("nama") or "", "fields": diffs}
            )
    old_inputs = prev.get("inputs", {})
    units = []
    for key, revision in sorted(cur.get("inputs", {}).items()):
        if old_inputs.get(key) != revision:
            triwulan, _, unit = key.partition(":")
            units.append({"unit": present.unit_label(unit, names or {}), "triwulan": triwulan, "revision": revision})
    return {"indicators": indicators, "totals": totals, "units": units}


def _quarter_recaps(db: Session, tahun: int, recap: dict[str, Any] | None) -> dict[int, dict[str, Any]]:
    """For a semester or annual recap, the recap of each of its quarters drawn from the same data: the newest
    revision of TWq whose inputs are the period recap's inputs of quarter q (the document's rows per quarter)."""
    if not recap:
        return {}
    periode = str(recap.get("rekap", {}).get("periode") or "")
    quarters = domain.QUARTERS.get(periode, ())
    if len(quarters) < 2:
        return {}
    inputs = recap.get("inputs") or {}
    out: dict[int, dict[str, Any]] = {}
    for q in quarters:
        want = {k: v for k, v in inputs.items() if k.startswith(f"{q}:")}
        rows = db.exec(
            select(RekapRow)
            .where(RekapRow.tahun == tahun, RekapRow.periode == f"TW{q}")
            .order_by(col(RekapRow.revision).desc())
        )
        for rec in rows:
            body = json.loads(rec.body)
            if (body.get("inputs") or {}) == want:
                out[q] = body.get("rekap", {})
                break
    return out


def _return_view(
    request: Request, ret: dict[str, Any], indicators: list[dict[str, Any]], lang: str, units: dict[str, str]
) -> dict[str, Any]:
    """The latest return, for the banner at the top of the draft page: reason, who, the units by name (with whether
    each has sent new data) and the indicators to correct; `active` until the draft is submitted or approved again."""
    names = {i.get("kode"): i.get("nama") or "" for i in indicators}
    return {
        "active": not ret["resolved"],
        "version": ret["version"],
        "reason": ret["note"],
        "by": f"{ret['actor'] or MISSING} ({_role_name(request, ret['role'], lang)})",
        "when": fmt_datetime(datetime.fromisoformat(ret["at"]), lang),
        "units": [
            {"kode": u, "nama": present.unit_label(u, units), "delivered": ret["delivered"].get(u, False)}
            for u in ret["units"]
        ],
        "indikator": [{"kode": k, "nama": names.get(k, "")} for k in ret["indikator"]],
        "closed_without_data": [  # the Kepala Seksi's notes
            {**k, "tanpa_data": [present.unit_label(u, units) for u in k["tanpa_data"]]}
            for k in ret["koreksi_selesai"]
            if k["tanpa_data"]
        ],
        "resolved_by": ret["resolved_by"],
        "resolved_when": fmt_datetime(datetime.fromisoformat(ret["resolved_at"]), lang) if ret["resolved_at"] else None,
    }


def _draft_context(
    request: Request, db: Session, row: DraftRow, official: Official, lang: str, *, all_rows: bool = False
) -> dict[str, Any]:
    wf, now = _workflow(request), datetime.now(UTC)
    draft = handlers.to_domain(row)
    names = present.unit_names(db, row.tahun)
    info = _row_view(request, wf, handlers.public(wf, row, _who(official), db), lang, now, draft, names)
    stage = domain.current_stage(wf, draft)
    recap = _recap(db, row.tahun, row.periode, row.recap_revision)
    rows = []
    indicators = (recap or {}).get("rekap", {}).get("indikator", [])
    unit_part = bool(official.unit) and any(i.get("penanggung_jawab") == official.unit for i in indicators)
    ret = handlers.latest_return(db, row) if row.state != domain.FINAL else None
    koreksi = _return_view(request, ret, indicators, lang, names) if ret else None
    to_correct = {i["kode"] for i in koreksi["indikator"]} if koreksi and koreksi["active"] else set()
    owing = (
        [present.unit_label(u, names) for u in draft.koreksi_units if not (ret and ret["delivered"].get(u))]
        if draft.koreksi_role
        else []
    )
    for ind in indicators:
        if unit_part and not all_rows and ind.get("penanggung_jawab") != official.unit:
            continue  # a unit-bound official sees that unit's part (the whole on request)
        rows.append(
            {
                "koreksi": ind.get("kode") in to_correct,
                "kode": ind.get("kode"),
                "unit": present.unit_label(ind.get("penanggung_jawab"), names) if ind.get("penanggung_jawab") else "",
                "nama": ind.get("nama") or "",
                "satuan": ind.get("satuan") or "",
                "target": present.indicator_figure(ind, "target", lang),
                "realisasi": present.indicator_figure(ind, "realisasi", lang),
                "capaian": present.indicator_figure(ind, "capaian", lang),
                "predikat": i18n.predikat(ind.get("predikat"), lang),
            }
        )
    prev_version, prev = _previous_recap(db, row)
    changes = (
        _changes(prev, recap, lang, _quarter_recaps(db, row.tahun, prev), _quarter_recaps(db, row.tahun, recap), names)
        if prev is not None and recap is not None
        else None
    )
    history = [
        {
            **h,
            "when": fmt_datetime(datetime.fromisoformat(h["at"]), lang),
            "action_label": pick(ACTIONS, h["action"], lang),
            "role_label": _role_name(request, h["role"], lang) if h["role"] else "",
            "units": [present.unit_label(u, names) for u in h.get("units") or []],
            "tanpa_data": [present.unit_label(u, names) for u in h.get("tanpa_data") or []],
        }
        for h in handlers.history(db, row.id, official)
    ]
    koreksi_units: list[str] = []
    koreksi_indikator: list[dict[str, str]] = []
    if stage is not None and stage.on_return and stage.on_return.koreksi and info["may_return"]:
        by_unit = handlers.units_of((recap or {}).get("rekap", {}))
        koreksi_units = sorted(u for u in by_unit if not official.unit or u == official.unit)
        koreksi_indikator = [
            {
                "kode": i.get("kode"),
                "unit": present.unit_label(i.get("penanggung_jawab"), names),
                "nama": i.get("nama") or "",
            }
            for i in indicators
            if i.get("penanggung_jawab") in koreksi_units
        ]
    circulate = sosialisasi.may_circulate(wf, row, official)
    recipients = []
    if circulate:
        recipients = [
            {"id": o.id, "nama": o.nama, "role": _role_name(request, o.role, lang)}
            for o in db.exec(select(Official).where(Official.active == True).order_by(col(Official.nama)))  # noqa: E712
            if o.id != official.id and wf.roles.get(o.role) is not None and wf.roles[o.role].decides
        ]
    circulations = [
        sosialisasi_view(request, db, s, lang, now, official)
        for s in sosialisasi.for_draft(db, row.id)
        if sosialisasi.may_see(db, s, official)  # who has read it: for the sender, recipients and oversight only
    ]
    approve_label = "approve"
    if draft.koreksi_role:
        approve_label = "msg_koreksi_selesai"
    elif stage is not None and stage.action == "submit":
        approve_label = "submit"
    return {
        "d": info,
        "koreksi": koreksi,  # the latest return: the banner at the top, its indicators marked in `rows`
        "owing": owing,  # closing the correction without new data from these units needs a note
        "koreksi_note_min": domain.KOREKSI_NOTE_MIN,
        "rows": rows,
        "recap": (recap or {}).get("rekap"),
        "capaian_instansi": present.figure((recap or {}).get("rekap", {}).get("capaian_instansi"), lang),
        "predikat_instansi": i18n.predikat((recap or {}).get("rekap", {}).get("predikat_instansi"), lang),
        "prev_version": prev_version,
        "changes": changes,
        "history": history,
        "seq": len(draft.history),
        "approve_label": t(approve_label, lang)
        if approve_label != "msg_koreksi_selesai"
        else pick(ACTIONS, "koreksi_selesai", lang),
        "error": None,
        "note": "",
        "reason": "",
        "unit_part": unit_part and not all_rows,
        "unit_toggle": unit_part,
        "koreksi_units": [{"kode": u, "nama": present.unit_label(u, names)} for u in koreksi_units],
        "unit_name": present.unit_label(official.unit, names) if official.unit else "",
        "koreksi_indikator": koreksi_indikator,
        "circulate": circulate,
        "recipients": recipients,
        "circulations": circulations,
        "documents": documents_view(db, row, lang),  # the draft's PDF, or the final files (templates/_documents.html)
    }


@router.get("/draf/{draft_id}")
def draft_page(draft_id: str, request: Request, db: SessionDep) -> Response:
    ws, official = _current(request, db)
    if official is None:
        return _to_login(ws)
    row = db.get(DraftRow, draft_id)
    if row is None:
        return _draft_not_found(request, ws, official, draft_id)
    all_rows = request.query_params.get("semua") == "1"
    ctx = _draft_context(request, db, row, official, _lang(request), all_rows=all_rows)
    return _page(request, "draft.html", ws, ctx, official=official)


@router.post("/draf/{draft_id}/keputusan")
def draft_decision(
    draft_id: str,
    request: Request,
    db: SessionDep,
    rt: RuntimeDep,
    csrf: str | None = Form(None),
    decision: str = Form(""),
    note: str = Form(""),
    version: str = Form(""),
    seq: str = Form(""),
    units: list[str] = Form([]),
    indikator: list[str] = Form([]),
) -> Response:
    lang = _lang(request)
    ws, official = _current(request, db)
    if official is None:
        return _to_login(ws)
    back = f"/draf/{quote(draft_id)}"
    if not csrf_ok(ws, csrf):
        return _refused(request, ws, official, t("msg_csrf", lang), back, 403)
    row = db.get(DraftRow, draft_id)
    if row is None:
        return _draft_not_found(request, ws, official)
    draft = handlers.to_domain(row)
    form_kept = {"note": note if decision != "return" else "", "reason": note if decision == "return" else ""}
    label = (t("reason_field", "id"), t("reason_field", "en")) if decision == "return" else None
    if (long := limits.too_long("note", note, label)) is not None:
        message = long.message_id if lang == "id" else long.message_en
        return _decision_refused(request, db, ws, official, row, message, 422, form_kept)
    if version != str(row.version) or seq != str(len(draft.history)):
        return _decision_refused(request, db, ws, official, row, t("msg_moved_on", lang), 409, form_kept)
    stage = domain.current_stage(_workflow(request), draft)
    caller = Caller("official", str(official.id), official.role, official.unit, official.username)
    body = {"decision": decision, "note": note, "version": row.version, "units": units, "indikator": indikator}
    try:
        result = handlers.decide(db, rt, _workflow(request), caller, draft_id, body)
    except ApiError as err:
        db.rollback()
        row = db.get(DraftRow, draft_id) or row
        return _decision_refused(request, db, ws, official, row, _message(err, lang), err.status, form_kept)
    if decision == "return":
        done = "return"
    elif result["state"] == "final":
        done = "final"
    elif draft.koreksi_role:
        done = "koreksi_selesai"
    else:
        done = "submit" if stage is not None and stage.action == "submit" else "approve"
    return RedirectResponse(f"{back}?pesan={done}", status_code=303)


def _decision_refused(
    request: Request,
    db: Session,
    ws: WebSession,
    official: Official,
    row: DraftRow,
    message: str,
    status: int,
    form_kept: dict[str, str],
) -> Response:
    db.refresh(row)
    ctx = {**_draft_context(request, db, row, official, _lang(request)), "error": message, **form_kept}
    return _page(request, "draft.html", ws, ctx, official=official, status=status)


@router.get("/draf/{draft_id}/dokumen.pdf")
async def draft_pdf(draft_id: str, request: Request, rt: RuntimeDep) -> Response:
    """The draft's PDF, fetched from the renderer with the admin token and streamed through; a final draft's final
    PDF (web/final.py)."""

    def lookup() -> tuple[WebSession, Official | None, str | None, bool]:
        with Session(rt.engine) as db:
            ws, official = _current(request, db)
            row = db.get(DraftRow, draft_id)
            return ws, official, row.document_id if row else None, bool(row and row.state == "final")

    ws, official, document_id, final = await run_in_threadpool(lookup)
    if official is None:
        return _to_login(ws)
    if final:  # a final draft's PDF is the final one, never the draft (web/final.py)
        from services.approval.web.final import serve_final

        return await serve_final(request, rt, draft_id, "pdf")
    if document_id is None:
        return Response(t("not_found", _lang(request)), status_code=404, media_type="text/plain; charset=utf-8")
    answer = await stream_document(rt, document_id, "pdf", f"{document_id}.pdf", inline=True)
    if answer is None:  # the draft names a document the renderer does not have: as any other refusal of it
        return Response("renderer answered 404", status_code=502, media_type="text/plain")
    return answer
