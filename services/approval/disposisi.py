"""Disposisi (SOP steps 1, 2, 6): the written instruction that moves work from one official to another.

An official issues it to a role (anyone holding it) or to one official, with an instruction, an optional due date
(`batas_waktu`) and notes; it gets the year's next number (`001/DISNAKER/PSM/2024`, the middle from the workflow
file's `sop.kode_disposisi`), shows in the recipient's inbox, and emits `DisposisiIssued` in the same transaction,
so the renderer makes the Lembar Disposisi. The SOP step it starts (`langkah`) runs its clock from issue until the
recipient marks it done (the SOP compliance page measures that).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypedDict

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.approval import bukti, limits
from services.approval.answers import Disposisi, Orang
from services.approval.models import DisposisiBukti, DisposisiRow, Official
from services.approval.oversight import oversees
from services.approval.workflow import Workflow
from shared import clock
from shared.errors import ApiError, ErrorItem, api_error
from shared.events import catalogue as ev
from shared.inputguard import check_text, row_id
from shared.sakip import PERIODES, JsonObject
from shared.sakip.tahun import year_value
from shared.service import Runtime

MAX_INSTRUKSI = limits.MAX_TEXT["instruksi"]


def actor(o: Official) -> Orang:
    return {"id": o.id, "nama": o.nama, "nip": o.nip or None, "jabatan": o.jabatan or None, "role": o.role}


def _err(field: str, rule: str, msg_id: str, msg_en: str) -> ErrorItem:
    return ErrorItem(field, rule, msg_id, msg_en)


class NewDisposisi(TypedDict):
    """A new disposition's fields, checked and cleaned (`validate`): the row's columns."""

    kepada_role: str | None
    kepada_id: int | None
    instruksi: str
    batas_waktu: date | None
    tahun: int
    periode: str | None
    langkah: int | None
    catatan: str | None


def validate(session: Session, wf: Workflow, sender: Official, data: JsonObject, today: date) -> NewDisposisi:
    """The cleaned fields of a new disposisi, or ApiError 422 naming every bad field."""
    errors: list[ErrorItem] = []
    role = data.get("kepada_role") or None
    raw_id = data.get("kepada_id")
    kepada_id: int | None = None
    if raw_id not in (None, ""):
        try:
            kepada_id = row_id(raw_id)
        except ValueError:
            errors.append(_err("kepada_id", "invalid", "kepada_id: harus nomor pejabat", "kepada_id: an official's id"))
    if role is not None and kepada_id is not None:  # both: say so, never pick one silently
        errors.append(
            _err(
                "kepada",
                "both",
                'Pilih penerima di satu kolom saja: "Kepada jabatan" atau "Kepada pejabat", tidak keduanya.',
                'Choose the recipient in one field only: "To a role" or "To an official", not both.',
            )
        )
    elif (role is None) == (kepada_id is None) and not errors:
        errors.append(
            _err(
                "kepada",
                "required",
                "Pilih penerima: satu jabatan (peran) atau satu pejabat.",
                "Choose the recipient: one role or one official.",
            )
        )
    if role is not None and (not isinstance(role, str) or role not in wf.roles):
        errors.append(_err("kepada_role", "unknown_role", f"peran tidak dikenal: {role}", f"unknown role: {role}"))
    elif role is not None and not wf.roles[role].decides:  # the operator acts in no SOP step
        errors.append(
            _err("kepada_role", "not_an_official", f"Peran {wf.role_name(role)} tidak menerima disposisi.",
                 f"Role {role!r} does not receive dispositions.")
        )  # fmt: skip
    if kepada_id is not None:
        target = session.get(Official, kepada_id)
        if target is None or not target.active:
            errors.append(_err("kepada_id", "not_found", "Pejabat penerima tidak ditemukan.", "No such official."))
        elif target.id == sender.id:
            errors.append(
                _err("kepada_id", "self", "Disposisi tidak dapat ditujukan kepada diri sendiri.", "Not to yourself.")
            )
        elif not (target.role in wf.roles and wf.roles[target.role].decides):  # the operator acts in no SOP step
            errors.append(
                _err("kepada_id", "not_an_official", f"{target.nama} tidak menerima disposisi (peran {target.role}).",
                     f"{target.nama} does not receive dispositions (role {target.role}).")
            )  # fmt: skip
    instruksi = data.get("instruksi")
    instruksi = instruksi.strip() if isinstance(instruksi, str) else ""
    if not instruksi:
        errors.append(_err("instruksi", "required", "Instruksi wajib diisi.", "The instruction is required."))
    elif (long := limits.too_long("instruksi", instruksi)) is not None:
        errors.append(long)
    batas: date | None = None
    raw_batas = data.get("batas_waktu")
    if raw_batas not in (None, ""):
        try:
            batas = date.fromisoformat(str(raw_batas))
        except ValueError:
            errors.append(
                _err("batas_waktu", "invalid_date", "Batas waktu harus tanggal (TTTT-BB-HH).", "Due date: YYYY-MM-DD.")
            )
        else:
            if batas < today:
                errors.append(
                    _err("batas_waktu", "in_the_past", "Batas waktu sudah lewat.", "The due date is in the past.")
                )
    tahun: int = today.year
    if data.get("tahun") not in (None, ""):
        year = year_value(data["tahun"])  # the form's digits or a JSON integer; never true, 2024.0 or "２０２４"
        if year is None:
            errors.append(_err("tahun", "invalid", "Tahun tidak sah (2000–2100).", "Invalid year (2000–2100)."))
        else:
            tahun = year
    periode = data.get("periode") or None
    if periode is not None and periode not in PERIODES:
        errors.append(_err("periode", "invalid", f"periode: {', '.join(PERIODES)}", f"periode: {', '.join(PERIODES)}"))
    langkah: int | None = None
    if data.get("langkah") not in (None, ""):
        try:
            langkah = int(data["langkah"])
            step_role = wf.step(langkah).role
        except (TypeError, ValueError, KeyError):
            errors.append(_err("langkah", "unknown_step", "Langkah SOP tidak dikenal.", "Unknown SOP step."))
        else:
            if step_role != sender.role and not oversees(sender):  # oversight may name any step; others their own
                errors.append(
                    _err(
                        "langkah",
                        "wrong_role",
                        f"Langkah SOP {langkah} dijalankan oleh {wf.role_name(step_role)}, bukan peran Anda.",
                        f"SOP step {langkah} is done by {step_role!r}, not by your role.",
                    )  # fmt: skip
                )
    else:
        steps = wf.disposisi_steps(sender.role)
        langkah = steps[0].nomor if steps else None
    catatan = data.get("catatan")
    catatan = catatan.strip() if isinstance(catatan, str) and catatan.strip() else None
    if (long := limits.too_long("catatan", catatan)) is not None:
        errors.append(long)
    if errors:
        raise ApiError(422, errors)
    return {
        "kepada_role": role if kepada_id is None else None,
        "kepada_id": kepada_id,
        "instruksi": instruksi,
        "batas_waktu": batas,
        "tahun": tahun,
        "periode": periode,
        "langkah": langkah,
        "catatan": catatan,
    }


Check = Callable[[Session, Workflow, Official, JsonObject, date], NewDisposisi]


def issue(
    session: Session,
    rt: Runtime,
    wf: Workflow,
    sender: Official,
    data: Any,
    *,
    now: datetime | None = None,
    check: Check = validate,
) -> DisposisiRow:
    """Issue a disposition from `data`, checked by `check` (a follow-up's: tindaklanjut.validate, which adds its
    indicators, unit and expected result to these fields). Only the roles that decide issue one."""
    if not isinstance(data, dict):
        raise ApiError(422, [_err("body", "not_an_object", "body: harus objek", "body: must be an object")])
    if not wf.roles.get(sender.role) or not wf.roles[sender.role].decides:
        raise api_error(
            403, None, "wrong_role", "Peran Anda tidak menerbitkan disposisi.", "Your role does not issue dispositions."
        )
    now = now or datetime.now(UTC)
    fields = check(session, wf, sender, data, clock.office_date(now))
    for _ in range(5):  # two officials numbering at once: the unique nomor makes one retry
        urut = (
            session.exec(select(func.max(DisposisiRow.urut)).where(DisposisiRow.tahun == fields["tahun"])).one() or 0
        ) + 1
        row = DisposisiRow(
            nomor=f"{urut:03d}/{wf.sop.kode_disposisi}/{fields['tahun']}",
            urut=urut,
            dari_id=sender.id or 0,
            issued_at=now,
            **fields,
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            continue
        kepada = recipient(session, wf, row)
        payload = ev.DisposisiIssued(
            nomor=row.nomor,
            dari={**actor(sender), "role_nama": wf.role_name(sender.role)},
            kepada=dict(kepada),
            instruksi=row.instruksi,
            batas_waktu=row.batas_waktu.isoformat() if row.batas_waktu else None,
            catatan=row.catatan,
            tahun=row.tahun,
            periode=row.periode,
            indikator=indikator_of(row),
            unit=row.unit,
            hasil_diharapkan=row.hasil_diharapkan,
            sumber=row.sumber,
        )
        rt.emit(session, "DisposisiIssued", payload.model_dump(mode="json"), correlation_id=f"disposisi:{row.nomor}")
        session.commit()
        rt.committed()
        session.refresh(row)
        return row
    raise api_error(409, "nomor", "conflict", "Penomoran bentrok; coba lagi.", "Numbering conflict; try again.")


def indikator_of(row: DisposisiRow) -> list[str]:
    """A follow-up's indicator codes (empty: an ordinary disposition)."""
    try:
        codes = json.loads(row.indikator or "[]")
    except ValueError:
        return []
    return [str(c) for c in codes] if isinstance(codes, list) else []


def is_follow_up(row: DisposisiRow) -> bool:
    return bool(indikator_of(row))


def recipient(session: Session, wf: Workflow, row: DisposisiRow) -> Orang:
    if row.kepada_id is not None:
        o = session.get(Official, row.kepada_id)
        return {**actor(o), "role_nama": wf.role_name(o.role)} if o else {"id": row.kepada_id}
    role = row.kepada_role or ""
    return {"role": role, "role_nama": wf.role_name(role)}


def is_recipient(row: DisposisiRow, who: Official) -> bool:
    return row.kepada_id == who.id if row.kepada_id is not None else row.kepada_role == who.role


def may_read(row: DisposisiRow, who: Official) -> bool:
    """Who may open a disposition (its page, the API, its Lembar Disposisi): its issuer, its recipients (the named
    official, or whoever holds the addressed role) and the roles that oversee the SOP (`oversight.oversees`, the
    same rule as a circulation's read receipts)."""
    if who.id is None:
        return False
    return who.id == row.dari_id or is_recipient(row, who) or oversees(who)


ALLOWED_CONTROLS = frozenset("\t\n\r")


def visible(text: str) -> bool:
    """Does the text hold something to read — not only whitespace and format characters (Unicode category Cf: the
    zero-width space U+200B, U+FEFF, U+2060), which pass `str.strip()` and made a result of nothing count as done?"""
    return any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in text)


def has_control(text: str) -> bool:
    """A control character (Cc) other than tab and line breaks: nothing a person types into a result."""
    return any(unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS for ch in text)


NOT_ALLOWED = api_error(
    403,
    None,
    "not_allowed",
    "Disposisi ini hanya dapat dibuka penerbitnya, penerimanya, Sekretaris Dinas, Kepala Dinas dan Inspektorat.",
    "Only the issuer, the recipients, the Secretary, the Head of the office and the Inspectorate may open this "
    "disposition.",
)


def late(row: DisposisiRow, standard: timedelta | None, now: datetime) -> bool:
    """Is (or was, once done) the disposition late? With a due date (`batas_waktu`, a day in the office's calendar,
    shared/clock.py): finished — or still open — after that day. Without one: longer than its SOP step's time
    standard. The one rule for its page, the inbox and the SOP compliance figures (kepatuhan.py)."""
    ended = clock.as_utc(row.selesai_at) if row.selesai_at else now
    if row.batas_waktu:
        return clock.office_date(ended) > row.batas_waktu
    return standard is not None and ended - clock.as_utc(row.issued_at) > standard


def is_late(wf: Workflow, row: DisposisiRow, now: datetime) -> bool:
    """`late` against the disposition's own SOP step's standard (none when the step is unknown)."""
    try:
        step = wf.step(row.langkah) if row.langkah else None
    except KeyError:
        step = None
    return late(row, step.waktu if step else None, now)


def public(session: Session, wf: Workflow, row: DisposisiRow) -> Disposisi:
    sender = session.get(Official, row.dari_id)
    step = wf.step(row.langkah) if row.langkah else None
    return {
        "id": row.id,
        "nomor": row.nomor,
        "tahun": row.tahun,
        "periode": row.periode,
        "langkah": row.langkah,
        "waktu_standar_menit": int(step.waktu.total_seconds() // 60) if step else None,
        "dari": actor(sender) if sender else {"id": row.dari_id},
        "kepada": recipient(session, wf, row),
        "instruksi": row.instruksi,
        "catatan": row.catatan,
        "batas_waktu": row.batas_waktu.isoformat() if row.batas_waktu else None,
        "issued_at": clock.as_utc(row.issued_at).isoformat(),
        "selesai_at": clock.as_utc(row.selesai_at).isoformat() if row.selesai_at else None,
        "status": "selesai" if row.selesai_at else "terbuka",
    }


def for_official(session: Session, who: Official, *, open_only: bool = False) -> list[DisposisiRow]:
    """The dispositions addressed to this official (as a person or through their role)."""
    query = select(DisposisiRow).where(
        or_(
            col(DisposisiRow.kepada_id) == who.id,
            (col(DisposisiRow.kepada_id).is_(None)) & (col(DisposisiRow.kepada_role) == who.role),
        )
    )
    if open_only:
        query = query.where(col(DisposisiRow.selesai_at).is_(None))
    return list(session.exec(query.order_by(col(DisposisiRow.issued_at).desc())))


def of_year(session: Session, tahun: int) -> list[DisposisiRow]:
    """Every disposition of the year, newest first: what the oversight roles (`oversight.oversees`) may read."""
    query = select(DisposisiRow).where(DisposisiRow.tahun == tahun)
    return list(session.exec(query.order_by(col(DisposisiRow.issued_at).desc())))


def newest_year(session: Session, default: int) -> int:
    found = session.exec(select(func.max(DisposisiRow.tahun))).one()
    return found if isinstance(found, int) else default


def sent_by(session: Session, who: Official) -> list[DisposisiRow]:
    query = select(DisposisiRow).where(DisposisiRow.dari_id == who.id)
    return list(session.exec(query.order_by(col(DisposisiRow.issued_at).desc())))


def get(session: Session, disposisi_id: int) -> DisposisiRow:
    row = session.get(DisposisiRow, disposisi_id)
    if row is None:
        raise api_error(404, "id", "not_found", "Disposisi tidak ditemukan.", "Disposition not found.")
    return row


def mark_done(
    session: Session,
    rt: Runtime,
    disposisi_id: int,
    who: Official,
    *,
    hasil: Any = None,
    uploads: Sequence[bukti.Upload] = (),
    now: datetime | None = None,
) -> DisposisiRow:
    """The recipient marks it done, with what came of it (`hasil`, required for a follow-up) and evidence files;
    emits DisposisiCompleted in the same transaction. A refusal changes nothing and stores no file."""
    row = session.exec(select(DisposisiRow).where(DisposisiRow.id == disposisi_id).with_for_update()).first()
    if row is None:
        raise api_error(404, "id", "not_found", "Disposisi tidak ditemukan.", "Disposition not found.")
    if not is_recipient(row, who):
        raise api_error(
            403,
            None,
            "not_recipient",
            "Hanya penerima disposisi yang dapat menandainya selesai.",
            "Only the recipient can mark a disposition done.",
        )
    if row.selesai_at is not None:
        raise api_error(409, None, "already_done", "Disposisi ini sudah selesai.", "This disposition is already done.")
    if hasil is not None and not isinstance(hasil, str):
        raise ApiError(422, [_err("hasil", "invalid", "Hasil harus teks.", "The result must be text.")])
    if isinstance(hasil, str):
        check_text("hasil", hasil)  # NUL, lone surrogates, a multipart part not UTF-8 (shared/strictform.py)
    if isinstance(hasil, str) and has_control(hasil):
        raise ApiError(
            422,
            [_err("hasil", "invalid_character", "hasil: memuat karakter kendali yang tidak terlihat",
                  "hasil: holds an invisible control character")],
        )  # fmt: skip
    text = hasil.strip() if isinstance(hasil, str) and visible(hasil) else None
    if text is None and is_follow_up(row):
        raise ApiError(
            422,
            [_err("hasil", "required", "Hasil tindak lanjut wajib diisi.", "The follow-up's result is required.")],
        )
    if (long := limits.too_long("hasil", text)) is not None:
        raise ApiError(422, [long])
    settings = rt.settings
    staged = bukti.stage(settings, uploads) if uploads else []
    store = bukti.files(rt)
    try:
        files: dict[str, bukti.Staged] = {}
        for s in staged:  # the same bytes twice: one row
            files.setdefault(s.sha256, s)
        for s in files.values():
            bukti.place(store, s)
            session.add(DisposisiBukti(disposisi_id=row.id or 0, sha256=s.sha256, nama=s.nama, media_type=s.media_type,
                                       size=s.size, uploaded_by=who.id or 0))  # fmt: skip
        row.selesai_at, row.selesai_by, row.hasil = now or datetime.now(UTC), who.id, text
        session.add(row)
        session.flush()
        payload = ev.DisposisiCompleted(
            nomor=row.nomor,
            tahun=row.tahun,
            selesai_at=clock.as_utc(row.selesai_at).isoformat(),
            oleh=ev.Actor(
                id=who.id or 0, nama=who.nama, nip=who.nip or None, jabatan=who.jabatan or None, role=who.role
            ),
            hasil=text,
            bukti=[ev.BuktiFile(**public_bukti(b)) for b in evidence(session, row)],
            indikator=indikator_of(row),
            unit=row.unit,
        )
        rt.emit(session, "DisposisiCompleted", payload.model_dump(mode="json"), correlation_id=f"disposisi:{row.nomor}")
        session.commit()
        rt.committed()
    finally:
        bukti.discard(staged)  # those placed are gone already; the rest were duplicates
    session.refresh(row)
    return row


def evidence(session: Session, row: DisposisiRow) -> list[DisposisiBukti]:
    query = select(DisposisiBukti).where(DisposisiBukti.disposisi_id == row.id)
    return list(session.exec(query.order_by(col(DisposisiBukti.uploaded_at), col(DisposisiBukti.nama))))


class BuktiPublic(TypedDict):
    sha256: str
    nama: str
    media_type: str
    size: int


def public_bukti(b: DisposisiBukti) -> BuktiPublic:
    return {"sha256": b.sha256, "nama": b.nama, "media_type": b.media_type, "size": b.size}
