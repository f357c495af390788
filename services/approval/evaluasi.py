"""The self-assessment of the SAKIP evaluation (penilaian mandiri, issue 17 item 4): a year's answers to the
evaluation worksheet (evaluasi.yaml, services/approval/lke.py).

Who does what: the office (`OFFICE_ROLES`) answers each criterion with a letter of its scale, a note and links to
its evidence; the `inspektorat` comments per criterion, sets the final answer and closes the year. A criterion the
data measures (`terukur`) is pre-filled with the answer its coverage earns (`prefill`, from
`kualitas.checks_for_year`), marked "dari data"; the office may answer otherwise, and both are shown. A criterion's
value is the inspektorat's final answer, else the office's, else the data's (`effective`); closing scores those
(`lke.skor`) and keeps the score, the grade and the score per component on the year's row — the trend across years.
After closing nothing changes (409). Every change emits EvaluasiAnswered or EvaluasiClosed through the outbox in
the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from services.approval import kualitas, limits
from services.approval.answers import (
    Cek,
    EvaluasiBukti,
    EvaluasiData,
    EvaluasiKomponen,
    EvaluasiKriteria,
    EvaluasiLembar,
    EvaluasiSub,
    EvaluasiTahun,
)
from services.approval.lke import Lke, Skor, skor
from services.approval.models import EvaluasiJawaban, EvaluasiRow, Official
from shared.clock import as_utc
from shared.errors import ApiError, ErrorItem, api_error
from shared.events import catalogue as ev
from shared.sakip.tahun import year_value
from shared.service import Runtime

OFFICE_ROLES = ("kepala_dinas", "sekretaris", "subkor", "staf")  # they answer for the office
EVALUATOR = "inspektorat"  # comments, sets the final answers, closes
MAX_BUKTI = 10  # evidence links per criterion
MAX_JUDUL = 200
MAX_TAUTAN = 500
MAX_KOMENTAR = limits.MAX_TEXT["catatan"]
OFFICE_FIELDS = ("jawaban", "catatan", "bukti")
EVALUATOR_FIELDS = ("komentar", "jawaban_akhir")

Checks = Mapping[str, Cek]  # kunci -> the data check (shared/sakip/kualitas.py): ada, dari, cakupan, kurang


def _err(field: str, rule: str, msg_id: str, msg_en: str) -> ErrorItem:
    return ErrorItem(field, rule, msg_id, msg_en)


def _actor(o: Official) -> ev.Actor:
    return ev.Actor(id=o.id or 0, nama=o.nama, nip=o.nip or None, jabatan=o.jabatan or None, role=o.role)


def check_year(tahun: Any) -> int:
    """The year of a path or body (`shared.inputguard.year_value`), or ApiError 422."""
    year = year_value(tahun)
    if year is None:
        raise ApiError(422, [_err("tahun", "invalid", "Tahun harus 2000–2100.", "The year must be 2000–2100.")])
    return year


# ---- the data's answers ------------------------------------------------------------------------------------------


def prefill(lke: Lke, checks: Checks) -> dict[str, EvaluasiData]:
    """The answer the data earns for each measured criterion (`terukur` names a check): the best letter of its
    scale whose minimum coverage the check's coverage reaches, with the coverage and what is missing. A check with
    nothing to check (`cakupan` None) earns no answer; a criterion whose check is absent is left out."""
    out: dict[str, EvaluasiData] = {}
    for _, _, k in lke.semua_kriteria():
        if not k.terukur or k.terukur not in checks:
            continue
        cek = checks[k.terukur]
        letter: str | None = None
        if cek["cakupan"] is not None:
            try:
                letter = lke.skala[k.skala].dari_cakupan(Decimal(cek["cakupan"]))
            except (InvalidOperation, KeyError):
                letter = None
        out[k.kode] = {**cek, "kurang": list(cek["kurang"]), "jawaban": letter}
    return out


def effective(answers: Mapping[str, EvaluasiJawaban], data: Mapping[str, EvaluasiData]) -> dict[str, str]:
    """Each criterion's value: the inspektorat's final answer, else the office's answer, else the data's."""
    out: dict[str, str] = {kode: d["jawaban"] for kode, d in data.items() if d["jawaban"]}
    for kode, row in answers.items():
        letter = row.jawaban_akhir or row.jawaban
        if letter:
            out[kode] = letter
    return out


def source_of(kode: str, answers: Mapping[str, EvaluasiJawaban], data: Mapping[str, EvaluasiData]) -> str | None:
    row = answers.get(kode)
    if row is not None and row.jawaban_akhir:
        return "akhir"
    if row is not None and row.jawaban:
        return "kantor"
    if kode in data and data[kode]["jawaban"]:
        return "data"
    return None


# ---- reads -------------------------------------------------------------------------------------------------------


def answers_of(session: Session, tahun: int) -> dict[str, EvaluasiJawaban]:
    rows = session.exec(select(EvaluasiJawaban).where(EvaluasiJawaban.tahun == tahun))
    return {r.kriteria: r for r in rows}


def bukti_of(row: EvaluasiJawaban | None) -> list[EvaluasiBukti]:
    if row is None:
        return []
    try:
        items = json.loads(row.bukti or "[]")
    except ValueError:
        return []
    return [
        {"judul": str(b.get("judul", "")), "tautan": str(b.get("tautan", ""))} for b in items if isinstance(b, dict)
    ]


def years(session: Session) -> list[EvaluasiTahun]:
    """Every year with an evaluation, oldest first: its state, and the score, grade and per-component scores kept
    at closing (the trend)."""
    rows = session.exec(select(EvaluasiRow).order_by(col(EvaluasiRow.tahun)))
    out: list[EvaluasiTahun] = []
    for r in rows:
        try:
            rincian = json.loads(r.rincian) if r.rincian else {}
        except ValueError:
            rincian = {}
        out.append({
            "tahun": r.tahun, "state": r.state, "lembar": r.lembar, "nilai": r.nilai, "predikat": r.predikat,
            "komponen": rincian if isinstance(rincian, dict) else {},
            "closed_at": as_utc(r.closed_at).isoformat() if r.closed_at else None,
        })  # fmt: skip
    return out


def worksheet(session: Session, lke: Lke, tahun: int, checks: Checks) -> EvaluasiLembar:
    """The year's worksheet as the page and GET /api/v1/evaluasi/{tahun} show it: components → sub-components →
    criteria, each with the data's answer (measured ones), the office's and the inspektorat's, and its value; the
    running score (what closing now would give: unanswered criteria count 0). A closed year shows its kept score."""
    row = session.get(EvaluasiRow, tahun)
    answers = answers_of(session, tahun)
    data = prefill(lke, checks)
    values = effective(answers, data)
    running: Skor = skor(lke, values)
    per_komponen = {k["kode"]: k for k in running["komponen"]}
    komponen: list[EvaluasiKomponen] = []
    for komp in lke.komponen:
        subs: list[EvaluasiSub] = []
        sub_scores = per_komponen[komp.kode]["sub"] if komp.kode in per_komponen else {}
        for sub in komp.sub:
            kriteria: list[EvaluasiKriteria] = []
            for k in sub.kriteria:
                a = answers.get(k.kode)
                kriteria.append({
                    "kode": k.kode, "teks": k.teks, "teks_en": k.teks_en, "skala": k.skala, "terukur": k.terukur,
                    "pilihan": [j.kode for j in lke.skala[k.skala].jawaban], "bukti_sumber": k.bukti,
                    "data": data.get(k.kode), "jawaban": a.jawaban if a else None, "catatan": a.catatan if a else None,
                    "bukti": bukti_of(a), "komentar": a.komentar if a else None,
                    "jawaban_akhir": a.jawaban_akhir if a else None, "nilai": values.get(k.kode),
                    "sumber": source_of(k.kode, answers, data),
                    "updated_at": as_utc(a.updated_at).isoformat() if a else None,
                })  # fmt: skip
            subs.append({
                "kode": sub.kode, "nama": sub.nama, "nama_en": sub.nama_en, "bobot": str(sub.bobot),
                "nilai": sub_scores.get(sub.kode, "0.00"), "kriteria": kriteria,
            })  # fmt: skip
        komponen.append({
            "kode": komp.kode, "nama": komp.nama, "nama_en": komp.nama_en, "bobot": str(komp.bobot),
            "nilai": per_komponen[komp.kode]["nilai"] if komp.kode in per_komponen else "0.00", "sub": subs,
        })  # fmt: skip
    closed = row is not None and row.state == "ditutup"
    return {
        "tahun": tahun,
        "lembar": row.lembar if row and row.lembar else lke.kode,
        "judul": lke.judul,
        "sumber": lke.sumber,
        "state": row.state if row else "belum_dibuka",
        "nilai": row.nilai if closed and row and row.nilai else running["nilai"],
        "predikat": row.predikat if closed and row and row.predikat else running["predikat"],
        "dijawab": running["dijawab"],
        "jumlah": running["jumlah"],
        "closed_at": as_utc(row.closed_at).isoformat() if row and row.closed_at else None,
        "komponen": komponen,
    }


# ---- changes -----------------------------------------------------------------------------------------------------


def _open(session: Session, lke: Lke, tahun: int) -> EvaluasiRow:
    """The year's evaluation, locked for this transaction; opened (against the loaded worksheet) at its first
    change. A closed year refuses every change."""
    row = session.exec(select(EvaluasiRow).where(EvaluasiRow.tahun == tahun).with_for_update()).first()
    if row is None:
        row = EvaluasiRow(tahun=tahun, lembar=lke.kode)
        session.add(row)
        session.flush()
    if row.state == "ditutup":
        raise api_error(
            409,
            "tahun",
            "closed",
            f"Evaluasi AKIP tahun {tahun} sudah ditutup oleh Inspektorat; jawaban tidak dapat diubah lagi.",
            f"The {tahun} AKIP evaluation was closed by the Inspectorate; its answers can no longer change.",
        )
    return row


SHOWN_KODE = 20  # at most this many characters of an unknown criterion's code are echoed back


def _shown(kode: str) -> str:
    """An unknown code as an error repeats it: cut to SHOWN_KODE characters ("…" marks the cut)."""
    return kode if len(kode) <= SHOWN_KODE else kode[:SHOWN_KODE] + "…"


def _letter(lke: Lke, scale: str, field: str, value: Any) -> str | None:
    """An answer letter valid for the criterion's scale (blank: no answer), or 422 naming the field and the rule."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    letters = [j.kode for j in lke.skala[scale].jawaban]
    text = value.strip().upper() if isinstance(value, str) else None
    if text not in letters:
        shown = ", ".join(letters)
        raise ApiError(
            422,
            [_err(field, "not_on_scale", f"{field}: jawaban harus salah satu dari {shown} (skala {scale}).",
                  f"{field}: the answer must be one of {shown} (scale {scale}).")],
        )  # fmt: skip
    return text


def _link_ok(tautan: str) -> bool:
    """An evidence link: an http(s) address with a host, or one of the app's own pages (a path from "/", never
    "//host" nor a backslash trick)."""
    if tautan.startswith("/"):
        return not tautan.startswith("//") and "\\" not in tautan and not any(ord(c) < 32 for c in tautan)
    try:
        parts = urlsplit(tautan)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(ord(c) < 33 for c in tautan)


def clean_bukti(value: Any) -> list[EvaluasiBukti]:
    """Evidence links {judul, tautan}: at most MAX_BUKTI, each titled, each an http(s) address or an app path."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ApiError(422, [_err("bukti", "not_a_list", "bukti: harus daftar {judul, tautan}",
                                  "bukti: must be a list of {judul, tautan}")])  # fmt: skip
    errors: list[ErrorItem] = []
    out: list[EvaluasiBukti] = []
    if len(value) > MAX_BUKTI:
        errors.append(_err("bukti", "too_many", f"bukti: paling banyak {MAX_BUKTI} tautan.",
                           f"bukti: at most {MAX_BUKTI} links."))  # fmt: skip
    for i, item in enumerate(value[:MAX_BUKTI]):
        field = f"bukti[{i}]"
        if not isinstance(item, dict):
            errors.append(
                _err(field, "not_an_object", f"{field}: harus {{judul, tautan}}", f"{field}: {{judul, tautan}}")
            )
            continue
        judul = item.get("judul")
        tautan = item.get("tautan")
        judul = judul.strip() if isinstance(judul, str) else ""
        tautan = tautan.strip() if isinstance(tautan, str) else ""
        if not judul and not tautan:
            continue  # an empty row of the form
        if not judul:
            errors.append(_err(f"{field}.judul", "required", f"{field}.judul: judul bukti wajib diisi.",
                               f"{field}.judul: the evidence's title is required."))  # fmt: skip
        elif len(judul) > MAX_JUDUL:
            errors.append(_err(f"{field}.judul", "too_long", f"{field}.judul: paling banyak {MAX_JUDUL} karakter.",
                               f"{field}.judul: at most {MAX_JUDUL} characters."))  # fmt: skip
        if len(tautan) > MAX_TAUTAN:
            errors.append(_err(f"{field}.tautan", "too_long", f"{field}.tautan: paling banyak {MAX_TAUTAN} karakter.",
                               f"{field}.tautan: at most {MAX_TAUTAN} characters."))  # fmt: skip
        elif not _link_ok(tautan):
            errors.append(
                _err(
                    f"{field}.tautan",
                    "invalid_link",
                    f"{field}.tautan: harus alamat http(s):// atau halaman aplikasi (diawali /).",
                    f"{field}.tautan: must be an http(s):// address or a page of the app (from /).",
                )
            )
        out.append({"judul": judul, "tautan": tautan})
    if errors:
        raise ApiError(422, errors)
    return out


def _text(body: Mapping[str, Any], field: str, label: tuple[str, str]) -> str | None:
    value = body.get(field)
    if value is not None and not isinstance(value, str):
        raise ApiError(422, [_err(field, "not_text", f"{field}: harus teks", f"{field}: must be text")])
    text = value.strip() if value else ""
    if limits.length(text) > MAX_KOMENTAR:
        limit = f"{MAX_KOMENTAR:,}"
        raise ApiError(
            422,
            [
                _err(
                    field,
                    "too_long",
                    f"{label[0]}: paling banyak {limit.replace(',', '.')} karakter.",
                    f"{label[1]}: at most {limit} characters.",
                )
            ],
        )
    return text or None


def may_answer(who: Official) -> bool:
    return who.role in OFFICE_ROLES


def may_review(who: Official) -> bool:
    return who.role == EVALUATOR


def answer(
    session: Session, rt: Runtime, lke: Lke, who: Official, tahun: Any, kriteria: str, body: Any,
    *, now: datetime | None = None,
) -> EvaluasiJawaban:  # fmt: skip
    """One criterion's answers. The office's roles send `jawaban` (a letter of the criterion's scale, blank to
    clear), `catatan` and `bukti`; the inspektorat sends `komentar` and `jawaban_akhir`. Each part that changes
    emits EvaluasiAnswered (bagian jawaban | komentar | jawaban_akhir) in the same transaction."""
    if not isinstance(body, dict):
        raise ApiError(422, [_err("body", "not_an_object", "body: harus objek", "body: must be an object")])
    year = check_year(tahun)
    try:
        k = lke.kriteria(kriteria)
    except KeyError:
        shown = _shown(kriteria)
        raise api_error(404, "kriteria", "not_found", f"Kriteria {shown} tidak ada di lembar kerja.",
                        f"Criterion {shown} is not on the worksheet.") from None  # fmt: skip
    office = [f for f in OFFICE_FIELDS if f in body]
    evaluator = [f for f in EVALUATOR_FIELDS if f in body]
    if may_answer(who):
        if evaluator:
            raise api_error(
                403,
                evaluator[0],
                "inspektorat_only",
                "Komentar dan jawaban akhir hanya diisi Inspektorat.",
                "Only the Inspectorate writes comments and final answers.",
            )
    elif may_review(who):
        if office:
            raise api_error(
                403,
                office[0],
                "office_only",
                "Jawaban, catatan dan bukti diisi oleh perangkat daerah, bukan Inspektorat.",
                "The office, not the Inspectorate, gives answers, notes and evidence.",
            )
    else:
        raise api_error(403, None, "wrong_role", "Peran Anda hanya dapat membaca evaluasi AKIP.",
                        "Your role may only read the AKIP evaluation.")  # fmt: skip
    if not office and not evaluator:
        raise ApiError(422, [_err("body", "empty", "Tidak ada yang diisi.", "Nothing to change.")])
    changes: dict[str, Any] = {}
    if "jawaban" in body:
        changes["jawaban"] = _letter(lke, k.skala, "jawaban", body["jawaban"])
    if "catatan" in body:
        changes["catatan"] = _text(body, "catatan", ("Catatan", "Note"))
    if "bukti" in body:
        changes["bukti"] = clean_bukti(body["bukti"])
    if "jawaban_akhir" in body:
        changes["jawaban_akhir"] = _letter(lke, k.skala, "jawaban_akhir", body["jawaban_akhir"])
    if "komentar" in body:
        changes["komentar"] = _text(body, "komentar", ("Komentar", "Comment"))
    evaluation = _open(session, lke, year)  # validated first: a refusal opens nothing
    row = session.get(EvaluasiJawaban, (year, k.kode)) or EvaluasiJawaban(tahun=year, kriteria=k.kode)
    before = {"jawaban": row.jawaban, "catatan": row.catatan, "bukti": bukti_of(row), "komentar": row.komentar,
              "jawaban_akhir": row.jawaban_akhir}  # fmt: skip
    for field, value in changes.items():
        setattr(row, field, json.dumps(value, ensure_ascii=False) if field == "bukti" else value)
    row.updated_at, row.updated_by = now or datetime.now(UTC), who.id
    session.add(row)
    after = {**before, **changes}
    parts: list[str] = []
    if any(after[f] != before[f] for f in OFFICE_FIELDS if f in changes):
        parts.append("jawaban")
    parts += [f for f in ("komentar", "jawaban_akhir") if f in changes and after[f] != before[f]]
    for bagian in parts:
        payload = ev.EvaluasiAnswered(
            tahun=year, lembar=evaluation.lembar or lke.kode, kriteria=k.kode, bagian=bagian,
            nilai=after[bagian], catatan=after["catatan"] if bagian == "jawaban" else None,
            bukti=list(after["bukti"]) if bagian == "jawaban" else [], oleh=_actor(who),
        )  # fmt: skip
        rt.emit(session, "EvaluasiAnswered", payload.model_dump(mode="json"), correlation_id=f"evaluasi:{year}")
    session.commit()
    if parts:
        rt.committed()
    session.refresh(row)
    return row


def close(
    session: Session, rt: Runtime, lke: Lke, who: Official, tahun: Any, checks: Checks, *, now: datetime | None = None
) -> EvaluasiRow:
    """The inspektorat closes the year: the score of each criterion's value (final answer, else the office's, else
    the data's; unanswered: 0), the grade and the score per component are kept; EvaluasiClosed is emitted."""
    if not may_review(who):
        raise api_error(403, None, "inspektorat_only", "Hanya Inspektorat yang dapat menutup evaluasi AKIP.",
                        "Only the Inspectorate can close the AKIP evaluation.")  # fmt: skip
    year = check_year(tahun)
    row = _open(session, lke, year)
    values = effective(answers_of(session, year), prefill(lke, checks))
    result = skor(lke, values)
    komponen = {k["kode"]: k["nilai"] for k in result["komponen"]}
    row.state, row.nilai, row.predikat = "ditutup", result["nilai"], result["predikat"]
    row.rincian = json.dumps(komponen)
    row.closed_at, row.closed_by = now or datetime.now(UTC), who.id
    row.lembar = row.lembar or lke.kode
    session.add(row)
    payload = ev.EvaluasiClosed(tahun=year, lembar=row.lembar, nilai=result["nilai"], predikat=result["predikat"],
                                komponen=komponen, oleh=_actor(who))  # fmt: skip
    rt.emit(session, "EvaluasiClosed", payload.model_dump(mode="json"), correlation_id=f"evaluasi:{year}")
    session.commit()
    rt.committed()
    session.refresh(row)
    return row


def data_checks(session: Session, tahun: int, lke: Lke) -> Checks:
    """The year's data checks (services/approval/kualitas.py: the LKjIP's quality checks and the follow-ups')."""
    return kualitas.checks_for_year(session, tahun, lke)


lke_of = kualitas.lke_of  # the worksheet the service loaded at start, else the bundled one


def year_of(session: Session, tahun: int) -> EvaluasiTahun | None:
    return next((y for y in years(session) if y["tahun"] == tahun), None)
