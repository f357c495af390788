"""The Lembar Disposisi (a disposition sheet) as .docx and .pdf."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from weasyprint import HTML

from services.renderer.documents import wordform
from services.renderer.documents.base import TEMPLATES, docx_template_for, fixed_moment, html_env, normalize_zip
from services.renderer.documents.pdf import font_config
from services.renderer.templating import docx_env
from services.renderer.viewmodel import LABELS, default_profil
from services.renderer.viewtypes import DisposisiView
from shared.formatting import MISSING, fmt_date
from shared.sakip import periode_label


def _person(value: Any) -> dict[str, str]:
    """An official as {nama, jabatan, nip}: a dict (the event's Actor) or just a name. A disposition sent to a role
    (jabatan) rather than a named official carries only the role: its name (`role_nama`) is the jabatan."""
    if isinstance(value, Mapping):
        person = {k: str(value.get(k) or "") for k in ("nama", "jabatan", "nip")}
        role = value.get("role_nama") or ("" if person["nama"] else value.get("role"))
        person["jabatan"] = person["jabatan"] or str(role or "")
        return person
    return {"nama": str(value or ""), "jabatan": "", "nip": ""}


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value).date()
        except ValueError:
            return None
    return None


def disposisi_view_model(d: Mapping[str, Any], locale: str = "id") -> DisposisiView:
    """nomor, tanggal (date), dari, kepada (officials), instruksi, batas_waktu, catatan, and optionally instansi,
    profil.pemda and the report it is about (tahun, periode)."""
    labels = LABELS[locale]
    tanggal = _day(d.get("tanggal")) or date(2000, 1, 1)
    dari, kepada = _person(d.get("dari")), _person(d.get("kepada"))
    due = _day(d.get("batas_waktu"))
    profil = d.get("profil") or default_profil().get(locale, default_profil()["id"])
    terkait = ""
    if d.get("tahun") and d.get("periode"):
        terkait = periode_label(str(d["periode"]), int(d["tahun"]), locale)

    def who(p: dict[str, str]) -> str:
        return ", ".join(x for x in (p["nama"], p["jabatan"]) if x) or MISSING

    return {
        "locale": locale,
        "labels": labels,
        "kind": "disposisi",
        "title": f"{labels['disposisi']} {d.get('nomor', '')}",
        "instansi": d.get("instansi", ""),
        "profil": profil,
        "nomor": str(d.get("nomor", "")),
        "tanggal": fmt_date(tanggal, locale),
        "dari": who(dari),
        "dari_nama": dari["nama"],
        "dari_jabatan": dari["jabatan"],
        "dari_nip": f"{labels['nip']} {dari['nip']}" if dari["nip"] else "",
        "kepada": who(kepada),
        "instruksi": str(d.get("instruksi") or MISSING),
        "batas_waktu": fmt_date(due, locale) if due else (str(d.get("batas_waktu") or "") or MISSING),
        "catatan": (str(d.get("catatan") or "") or MISSING) + (f" ({labels['terkait']}: {terkait})" if terkait else ""),
        "generated_on": tanggal,
        "draft": False,
        "watermark": "",
    }


def render_disposisi(d: Mapping[str, Any], locale: str = "id", template_dir: Path | None = None) -> dict[str, bytes]:
    """The Lembar Disposisi as {"pdf": …, "docx": …}; the same input gives the same bytes (.docx) and text (.pdf)."""
    vm = disposisi_view_model(d, locale)
    tpl = DocxTemplate(str(docx_template_for("disposisi", template_dir)))
    tpl.render(vm, jinja_env=docx_env())
    out = BytesIO()
    tpl.save(out)
    html = html_env.get_template("disposisi.html").render(vm=vm, L=vm["labels"], created=fixed_moment(vm))
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf(font_config=font_config())
    assert pdf is not None
    return {"pdf": pdf, "docx": normalize_zip(wordform.finish(out.getvalue(), vm), fixed_moment(vm))}
