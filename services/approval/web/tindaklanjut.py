"""The follow-up pages (issue 17): `/tindak-lanjut?tahun=` the year's follow-ups (status, due date, unit, indicators,
result, evidence), the off-target indicators without one and the form; `/tindak-lanjut/baru?tahun=&indikator=
&sumber=` the same page with the form prefilled for one indicator; `POST /tindak-lanjut` issues one
(tindaklanjut.issue); `/disposisi/{id}/bukti/{sha256}` an evidence file, as an attachment, to whoever may read the
disposition. Marking one done with its result and evidence is the disposition page's form (web/pages.py)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select

import services.approval.web.rendering as rendering
from services.approval import bukti, disposisi, tindaklanjut
from services.approval.models import DisposisiBukti, Official
from services.approval.web.deps import CsrfValid, CurrentOfficial
from services.approval.web.i18n import fmt_datetime, periode_name, t
from services.approval.web.presenters.common import Reader, reader
from services.approval.web.presenters.pages import disposisi_form
from services.approval.web.rendering import message, page, refused
from shared import clock
from shared.errors import ApiError, ErrorItem
from shared.filetype import file_response
from shared.formatting import fmt_date
from shared.s3 import S3Error
from shared.sakip.tahun import year_value
from shared.service import DATABASE_RETRY_AFTER_S, RowId, RuntimeDep, SessionDep
from shared.storage import FileMissing

log = logging.getLogger("lapkin.files")
router = APIRouter(include_in_schema=False)
STATUS_KEYS = {"terbuka": "tl_status_terbuka", "terlambat": "tl_status_terlambat", "selesai": "tl_status_selesai"}


def _year(raw: str, db: Session, now: datetime) -> int:
    """The year asked for (by default the newest with a recap); ValueError for anything else."""
    year = year_value(raw) if raw.strip() else tindaklanjut.newest_year(db, clock.office_date(now))
    if year is None:
        raise ValueError(raw)
    return year


LABELS = {
    "tahun": "tl_year", "indikator": "tl_indikator", "unit": "tl_unit", "kepada_role": "kepada_role",
    "kepada_id": "kepada_person", "instruksi": "instruksi", "hasil_diharapkan": "tl_hasil_diharapkan",
    "batas_waktu": "batas_waktu", "periode": "periode", "sumber": "tl_sumber", "catatan": "catatan",
    "hasil": "tl_hasil", "bukti": "tl_bukti",
}  # fmt: skip


def labelled(errors: Sequence[ErrorItem], lang: str) -> list[str]:
    """The messages of a refused form with the form's labels where the API names a field path ("hasil_diharapkan:
    …" → "Hasil yang diharapkan: …"): a reader sees the field they typed in, not its wire name."""
    out = []
    for e in errors:
        text = e.message_id if lang == "id" else e.message_en
        if e.field in LABELS and text.startswith(f"{e.field}: "):
            text = f"{t(LABELS[e.field], lang)}: {text[len(e.field) + 2 :]}"
        out.append(text)
    return out


def _date(value: str | None, lang: str) -> str | None:
    return fmt_date(datetime.fromisoformat(value), lang) if value else None


def _context(r: Reader, db: Session, official: Official, year: int, form: Mapping[str, Any]) -> dict[str, Any]:
    """The page: the year's follow-ups, the off-target indicators without one, the form (`form`: what was typed)."""
    lang = r.lang
    rows = []
    for x in tindaklanjut.of_year(db, r.wf, year, r.now, viewer=official):
        rows.append(
            {
                **x,
                "status_label": t(STATUS_KEYS[x["status"]], lang),
                "batas_label": _date(x["batas_waktu"], lang),
                "issued_label": fmt_datetime(datetime.fromisoformat(x["issued_at"]), lang),
                "done_label": fmt_datetime(datetime.fromisoformat(x["selesai_at"]), lang) if x["selesai_at"] else None,
                "kepada_label": x["kepada"].get("nama") or r.role(x["kepada"].get("role")),
            }
        )
    base = disposisi_form(r, db, official, {})
    indicators = tindaklanjut.indicators(db, year)
    units = tindaklanjut.units(db, year)
    chosen = form.get("indikator") or []
    if isinstance(chosen, str):
        chosen = [chosen]
    first = indicators.get(chosen[0]) if chosen else None
    filled = {
        "kepada_role": "",
        "kepada_id": "",
        "instruksi": "",
        "batas_waktu": "",
        "catatan": "",
        "hasil_diharapkan": "",
        "sumber": "",
        "periode": "",
        "unit": (first["unit"] if first else None) or "",
        **{k: v for k, v in form.items() if k != "indikator"},
    }
    if first and not filled["instruksi"]:  # the example's shape: "IK-2.2 di bawah target: …"
        filled["instruksi"] = f"{first['kode']} {t('tl_below_target', lang)}: "
    sumber = str(filled.get("sumber") or "")
    if not filled["periode"] and sumber.count("-") and sumber.rsplit("-", 1)[-1] in dict(base["periodes"]):
        filled["periode"] = sumber.rsplit("-", 1)[-1]
    return {
        "tahun": year,
        "rows": rows,
        "tanpa": [
            {**i, "periode_label": periode_name(i["periode"], lang)} for i in tindaklanjut.without_follow_up(db, year)
        ],
        "cakupan": tindaklanjut.cakupan(db, year),
        "indicators": list(indicators.values()),
        "units": sorted(units.items()),
        "chosen": chosen,
        "roles": base["roles"],
        "people": base["people"],
        "periodes": base["periodes"],
        "may_issue": tindaklanjut.may_issue(r.wf, official),
        "form": filled,
        "errors": [],
        "open_form": bool(chosen) or bool(form),
    }


@router.get("/tindak-lanjut")
def follow_up_page(request: Request, db: SessionDep, viewer: CurrentOfficial, tahun: str = "") -> Response:
    r = reader(rendering.workflow(request), viewer.lang)
    try:
        year = _year(tahun, db, r.now)
    except ValueError:
        return refused(request, viewer.ws, viewer.official, t("tahun_invalid", r.lang), "/tindak-lanjut", 422)
    return page(
        request, "tindaklanjut.html", viewer.ws, _context(r, db, viewer.official, year, {}), official=viewer.official
    )


@router.get("/tindak-lanjut/baru")
def follow_up_form(
    request: Request, db: SessionDep, viewer: CurrentOfficial, tahun: str = "", indikator: str = "", sumber: str = ""
) -> Response:
    """The page with the form prefilled for an indicator (the links of the off-target indicators and the draft)."""
    r = reader(rendering.workflow(request), viewer.lang)
    try:
        year = _year(tahun, db, r.now)
    except ValueError:
        return refused(request, viewer.ws, viewer.official, t("tahun_invalid", r.lang), "/tindak-lanjut", 422)
    form: dict[str, Any] = {"indikator": [c for c in indikator.split(",") if c.strip()][:20]}
    if tindaklanjut.SUMBER.fullmatch(sumber):
        form["sumber"] = sumber
    ctx = _context(r, db, viewer.official, year, form)
    ctx["open_form"] = True
    return page(request, "tindaklanjut.html", viewer.ws, ctx, official=viewer.official)


@router.post("/tindak-lanjut")
def follow_up_issue(
    request: Request,
    db: SessionDep,
    rt: RuntimeDep,
    viewer: CurrentOfficial,
    csrf_valid: CsrfValid,
    tahun: str = Form(""),
    indikator: list[str] = Form([]),
    unit: str = Form(""),
    kepada_role: str = Form(""),
    kepada_id: str = Form(""),
    instruksi: str = Form(""),
    hasil_diharapkan: str = Form(""),
    batas_waktu: str = Form(""),
    periode: str = Form(""),
    sumber: str = Form(""),
    catatan: str = Form(""),
) -> Response:
    language, official, ws = viewer.lang, viewer.official, viewer.ws
    r = reader(rendering.workflow(request), language)
    form: dict[str, Any] = {
        "tahun": tahun,
        "indikator": indikator,
        "unit": unit,
        "kepada_role": kepada_role,
        "kepada_id": kepada_id,
        "instruksi": instruksi,
        "hasil_diharapkan": hasil_diharapkan,
        "batas_waktu": batas_waktu,
        "periode": periode,
        "sumber": sumber,
        "catatan": catatan,
    }
    try:
        year = _year(tahun, db, r.now)
    except ValueError:
        year = clock.office_date(r.now).year
    if not csrf_valid:  # refused with the form kept
        ctx = {**_context(r, db, official, year, form), "errors": [t("msg_csrf", language)], "open_form": True}
        return page(request, "tindaklanjut.html", ws, ctx, official=official, status=403)
    try:  # the form's year is its digits: the API's strict rule (a JSON integer) is checked on the int
        asked = _year(tahun, db, r.now)
    except ValueError:
        ctx = {**_context(r, db, official, year, form), "errors": [t("tahun_invalid", language)], "open_form": True}
        return page(request, "tindaklanjut.html", ws, ctx, official=official, status=422)
    try:
        row = tindaklanjut.issue(db, rt, r.wf, official, {**form, "tahun": asked})
    except ApiError as err:
        db.rollback()
        messages = labelled(err.errors, language) or [message(err, language)]
        ctx = {**_context(r, db, official, year, form), "errors": messages, "open_form": True}
        if err.status == 409 and err.headers and "Location" in err.headers:  # the same one, open: link to it
            ctx["duplikat"] = err.headers["Location"]
        return page(request, "tindaklanjut.html", ws, ctx, official=official, status=err.status)
    return RedirectResponse(f"/disposisi/{row.id}?pesan=tindak_lanjut", status_code=303)


@router.get("/disposisi/{disposisi_id}/bukti/{sha256}")
def evidence_file(
    disposisi_id: RowId, sha256: str, request: Request, db: SessionDep, rt: RuntimeDep, viewer: CurrentOfficial
) -> Response:
    """An evidence file, as an attachment typed by its content, to whoever may read the disposition (who may not
    is refused before anything is said of the file)."""
    language, official, ws = viewer.lang, viewer.official, viewer.ws
    row = db.get(disposisi.DisposisiRow, disposisi_id)
    if row is not None and not disposisi.may_read(row, official):
        return refused(request, ws, official, t("disposisi_not_allowed", language), "/disposisi", 403,
                       back_label=t("back_disposisi", language))  # fmt: skip
    found = None
    if row is not None and bukti.SHA256.fullmatch(sha256):
        query = select(DisposisiBukti).where(DisposisiBukti.disposisi_id == disposisi_id,
                                             DisposisiBukti.sha256 == sha256)  # fmt: skip
        found = db.exec(query).first()
    if found is None:
        return refused(request, ws, official, t("tl_bukti_not_found", language), "/tindak-lanjut", 404,
                       title=t("not_found_title", language))  # fmt: skip
    store = bukti.files(rt)
    try:
        body = store.path(sha256) or store.get(sha256)
    except FileMissing as exc:
        log.error("GET %s: %s", request.url.path, exc)  # where exactly, for the operator the page sends them to
        return refused(request, ws, official, t("tl_bukti_missing", language), f"/disposisi/{disposisi_id}", 404)
    except S3Error as exc:  # the store is down or refuses us: the app's page, not the API's JSON 503
        log.error("GET %s: file store unavailable: %s", request.url.path, exc)
        down = refused(request, ws, official, t("file_store_down", language), f"/disposisi/{disposisi_id}", 503)
        down.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
        return down
    return file_response(found.nama, found.media_type, found.sha256, body)
