"""Tindak lanjut (issue 17, proof of use): what the office does about an indicator that missed its target.

A follow-up is a disposition (disposisi.py: its recipient, numbering, the DisposisiIssued event) that names the
indicators it answers for (codes of the year's PK), the unit responsible (a unit of the year's PK or recap), the
result expected and a due date (required). It is issued from a recap or a report (`sumber`: "rekap:2024-TW2",
"draf:2024-TAHUNAN"). Its recipient marks it done with the result (`hasil`, required) and evidence files
(bukti.py); past its due date and not done it is `terlambat`.

The year's off-target indicators are those with capaian < 100 % in a quarter's newest recap or in the annual recap;
`without_follow_up` lists those no follow-up of the year names (each with a link to the form, prefilled), and
`cakupan` gives the evaluation's two data checks (`tindak_lanjut`, `tindak_lanjut_selesai`, the Cek shape of
shared/sakip/kualitas.py)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal, TypedDict
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from services.approval import disposisi, limits
from services.approval.answers import Cek, IndikatorTanpaTL, Kurang, TindakLanjut
from services.approval.bukti import bukti_path as bukti_path  # where an evidence file is kept (docs/evaluation.md)
from services.approval.disposisi import NewDisposisi
from services.approval.models import DisposisiRow, Official, PerjanjianKinerjaRow, RekapRow
from services.approval.units import unit_names
from services.approval.workflow import Workflow
from shared import clock
from shared.errors import ApiError, ErrorItem, api_error
from shared.sakip import JsonObject
from shared.sakip.kualitas import below_target
from shared.sakip.tahun import year_value
from shared.service import Runtime

QUARTERS = ("TW1", "TW2", "TW3", "TW4")
OFF_TARGET_PERIODS = ("TAHUNAN", "TW4", "TW3", "TW2", "TW1")  # the one an indicator is shown with: the latest
SUMBER = re.compile(r"(rekap|draf):(20\d\d)-(TW[1-4]|S[12]|TAHUNAN)")
MAX_INDIKATOR = 20
HUNDRED = Decimal(100)


class NewTindakLanjut(NewDisposisi):
    """A follow-up's fields: a disposition's, and what ties it to the indicators."""

    indikator: str  # JSON list of codes
    unit: str
    hasil_diharapkan: str
    sumber: str | None


class Indikator(TypedDict):
    kode: str
    nama: str
    unit: str | None


# ---- the year's PK, units and recaps -------------------------------------------------------------------------------


def _newest_pk(db: Session, tahun: int) -> JsonObject | None:
    query = select(PerjanjianKinerjaRow).where(PerjanjianKinerjaRow.tahun == tahun)
    row = db.exec(query.order_by(col(PerjanjianKinerjaRow.version).desc()).limit(1)).first()
    if row is None:
        return None
    body = json.loads(row.body)
    return body if isinstance(body, dict) else None


def _newest_recaps(db: Session, tahun: int) -> dict[str, JsonObject]:
    """Periode → the newest revision's recap, for the quarters and the year."""
    query = select(RekapRow).where(RekapRow.tahun == tahun, col(RekapRow.periode).in_((*QUARTERS, "TAHUNAN")))
    out: dict[str, JsonObject] = {}
    for row in db.exec(query.order_by(col(RekapRow.revision))):
        rekap = json.loads(row.body).get("rekap")
        if isinstance(rekap, dict):
            out[row.periode] = rekap
    return out


def indicators(db: Session, tahun: int) -> dict[str, Indikator]:
    """The year's indicators (code → name, responsible unit): the newest PK's, else those of the year's recaps."""
    found: dict[str, Indikator] = {}
    pk = _newest_pk(db, tahun)
    if pk is not None:
        for sasaran in pk.get("sasaran") or []:
            for i in (sasaran.get("indikator") or []) if isinstance(sasaran, dict) else []:
                if isinstance(i, dict) and i.get("kode"):
                    found[str(i["kode"])] = {
                        "kode": str(i["kode"]),
                        "nama": str(i.get("nama") or ""),
                        "unit": i.get("penanggung_jawab"),
                    }
        return found
    for rekap in _newest_recaps(db, tahun).values():
        for i in rekap.get("indikator") or []:
            if isinstance(i, dict) and i.get("kode"):
                found.setdefault(
                    str(i["kode"]),
                    {"kode": str(i["kode"]), "nama": str(i.get("nama") or ""), "unit": i.get("penanggung_jawab")},
                )
    return found


def units(db: Session, tahun: int) -> dict[str, str]:
    """The year's units (code → name): the newest PK's, else the recaps' (and the indicators' responsible units)."""
    pk = _newest_pk(db, tahun)
    if pk is not None and pk.get("units"):
        return {str(u["kode"]): str(u.get("nama") or u["kode"]) for u in pk["units"] if isinstance(u, dict)}
    found: dict[str, str] = {}
    for rekap in _newest_recaps(db, tahun).values():
        if isinstance(rekap.get("units"), dict):
            found.update({str(k): str(v or k) for k, v in rekap["units"].items()})
    for i in indicators(db, tahun).values():
        if i["unit"]:
            found.setdefault(str(i["unit"]), str(i["unit"]))
    return found


class OffTarget(TypedDict):
    kode: str
    nama: str
    unit: str | None
    periode: str
    capaian: Decimal


def off_target(db: Session, tahun: int) -> dict[str, OffTarget]:
    """The indicators with capaian < 100 % in a quarter's newest recap or in the annual recap, each with the latest
    period it fell short in (the annual first), in the recap's order (shared.sakip.kualitas.below_target: the LKIP
    lists the same)."""
    return {
        b["kode"]: {
            "kode": b["kode"],
            "nama": b["nama"],
            "unit": b["unit"],
            "periode": b["periode"],
            "capaian": b["capaian"],
        }  # fmt: skip
        for b in below_target(_newest_recaps(db, tahun))
    }


def newest_year(db: Session, today: date) -> int:
    """The year the page opens on: the newest with a recap (the calendar year has often nothing yet), else this."""
    found = db.exec(select(RekapRow.tahun).order_by(col(RekapRow.tahun).desc()).limit(1)).first()
    return found if isinstance(found, int) else today.year


def form_link(tahun: int, indikator: str, periode: str | None = None, asal: str = "rekap") -> str:
    """The follow-up form, prefilled for one indicator (from the recap, or the draft, it fell short in)."""
    query: dict[str, str] = {"tahun": str(tahun), "indikator": indikator}
    if periode:
        query["sumber"] = f"{asal}:{tahun}-{periode}"
    return f"/tindak-lanjut/baru?{urlencode(query)}"


def capaian_below(ind: JsonObject) -> Decimal | None:
    """A recap row's capaian when under 100 % (None: met, or no figure)."""
    try:
        capaian = Decimal(str(ind.get("capaian")))
    except InvalidOperation:
        return None
    return capaian if capaian.is_finite() and capaian < HUNDRED else None


def draft_link(ind: JsonObject, tahun: int, periode: str) -> str | None:
    """On a draft's recap: the form for an indicator under target (None for the others)."""
    if not ind.get("kode") or capaian_below(ind) is None:
        return None
    return form_link(tahun, str(ind["kode"]), periode, "draf")


# ---- issuing -------------------------------------------------------------------------------------------------------


def _err(field: str, rule: str, msg_id: str, msg_en: str) -> ErrorItem:
    return ErrorItem(field, rule, msg_id, msg_en)


def _codes(raw: Any) -> list[str] | None:
    """Indicator codes from a list, or a text with commas (a form's field); None: not that shape."""
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
        return None
    seen: list[str] = []
    for c in raw:
        if c.strip() and c.strip() not in seen:
            seen.append(c.strip())
    return seen


NOT_DIRECTING = ("staf",)  # decides in a chain, but directs nobody's work: issues no follow-up


def may_issue(wf: Workflow, who: Official) -> bool:
    """Who issues a follow-up: the officials who direct work — the roles that decide (not the operator, not the
    inspektorat) other than `staf`. A staf member answering a follow-up of their own would raise the evaluation's
    measured answers with nobody's instruction."""
    role = wf.roles.get(who.role)
    return role is not None and role.decides and who.role not in NOT_DIRECTING


MAY_NOT_ISSUE = api_error(
    403,
    None,
    "wrong_role",
    "Tindak lanjut hanya diterbitkan pejabat yang mengarahkan pekerjaan (bukan staf, operator atau inspektorat).",
    "Only officials who direct work issue follow-ups (not staff, the operator or the inspectorate).",
)


def _year(raw: Any, today: date) -> tuple[int | None, ErrorItem | None]:
    """The year of a follow-up: an integer 2000–2100 (a JSON integer; the page's form sends its digits as an int),
    never `true` or "2024" (the strict rule of the JSON API: no type coercion). None with the error when bad."""
    if raw is None:
        return today.year, None
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None, _err("tahun", "not_an_integer", "tahun: harus bilangan bulat", "tahun: must be an integer")
    year = year_value(raw, text=False)
    if year is None:
        return None, _err("tahun", "out_of_range", "tahun: antara 2000 dan 2100", "tahun: between 2000 and 2100")
    return year, None


def validate(session: Session, wf: Workflow, sender: Official, data: JsonObject, today: date) -> NewDisposisi:
    """A follow-up's cleaned fields, or ApiError 422 naming every bad field (the disposition's and its own). The
    recipient never includes the issuer (their role, or themselves); a follow-up has no SOP step unless given one;
    with an invalid year its indicators and unit are not checked (against which PK?)."""
    errors: list[ErrorItem] = []
    tahun, bad_year = _year(data.get("tahun"), today)
    if bad_year is not None:
        errors.append(bad_year)
    rest = {k: v for k, v in data.items() if k != "tahun"}
    try:
        base: NewDisposisi | None = disposisi.validate(session, wf, sender, rest, today)
    except ApiError as err:
        base, errors = None, [*errors, *err.errors]
    if data.get("kepada_role") == sender.role and not data.get("kepada_id"):
        errors.append(
            _err(
                "kepada_role",
                "self",
                f"Tindak lanjut tidak dapat ditujukan kepada peran Anda sendiri ({wf.role_name(sender.role)}).",
                f"A follow-up cannot be addressed to your own role ({sender.role}).",
            )
        )
    if data.get("batas_waktu") in (None, ""):
        errors.append(
            _err(
                "batas_waktu",
                "required",
                "Batas waktu tindak lanjut wajib diisi.",
                "A follow-up's due date is required.",
            )
        )
    codes = _codes(data.get("indikator"))
    known = indicators(session, tahun) if tahun is not None else None
    if codes is None:
        errors.append(_err("indikator", "invalid", "indikator: daftar kode indikator", "indikator: a list of codes"))
    elif not codes:
        errors.append(
            _err("indikator", "required", "Pilih sedikitnya satu indikator.", "Choose at least one indicator.")
        )
    elif len(codes) > MAX_INDIKATOR:
        errors.append(
            _err(
                "indikator",
                "too_many",
                f"indikator: paling banyak {MAX_INDIKATOR}",
                f"indikator: at most {MAX_INDIKATOR}",
            )
        )
    elif known is not None:
        for c in codes:
            if c not in known:
                shown = c[:40]
                errors.append(
                    _err(
                        "indikator",
                        "unknown_indikator",
                        f"Indikator {shown} tidak ada dalam PK {tahun}.",
                        f"Indicator {shown} is not in the {tahun} PK.",
                    )
                )
    unit = data.get("unit")
    unit = unit.strip() if isinstance(unit, str) else unit
    if unit in (None, ""):
        errors.append(
            _err("unit", "required", "Unit penanggung jawab wajib dipilih.", "The responsible unit is required.")
        )
    elif not isinstance(unit, str) or (tahun is not None and unit not in units(session, tahun)):
        shown = str(unit)[:40]
        errors.append(
            _err(
                "unit",
                "unknown_unit",
                f"Unit {shown} tidak ada dalam PK/rekap {tahun}.",
                f"Unit {shown} is not in the {tahun} PK or recap.",
            )
        )
    expected = data.get("hasil_diharapkan")
    expected = expected.strip() if isinstance(expected, str) else ""
    if not expected:
        errors.append(
            _err(
                "hasil_diharapkan", "required", "Hasil yang diharapkan wajib diisi.", "The expected result is required."
            )
        )
    elif (long := limits.too_long("hasil_diharapkan", expected)) is not None:
        errors.append(long)
    sumber = data.get("sumber") or None
    if sumber is not None and (not isinstance(sumber, str) or not SUMBER.fullmatch(sumber)):
        errors.append(
            _err(
                "sumber",
                "invalid",
                "sumber: rekap:TTTT-PERIODE atau draf:TTTT-PERIODE",
                "sumber: rekap:YYYY-PERIOD or draf:YYYY-PERIOD",
            )
        )
    if errors or base is None or tahun is None or codes is None:
        raise ApiError(422, errors)
    fields: NewTindakLanjut = {
        **base,
        "tahun": tahun,
        "langkah": base["langkah"] if data.get("langkah") not in (None, "") else None,
        "indikator": json.dumps(codes),
        "unit": str(unit),
        "hasil_diharapkan": expected,
        "sumber": sumber,
    }
    return fields


def issue(
    session: Session, rt: Runtime, wf: Workflow, sender: Official, data: Any, *, now: datetime | None = None
) -> DisposisiRow:
    """Issue a follow-up: a disposition checked by `validate` and `_not_a_copy` (DisposisiIssued carries its
    indicators). Only who `may_issue`."""
    if isinstance(data, dict) and not may_issue(wf, sender):
        raise MAY_NOT_ISSUE

    def check(session: Session, wf: Workflow, sender: Official, data: JsonObject, today: date) -> NewDisposisi:
        fields = validate(session, wf, sender, data, today)
        _not_a_copy(session, fields)
        return fields

    return disposisi.issue(session, rt, wf, sender, data, now=now, check=check)


def duplicate_of(session: Session, fields: NewDisposisi) -> DisposisiRow | None:
    """An open follow-up identical to `fields` (year, indicators, recipient, instruction, due date): the same form
    sent twice (the browser's Back button restores it), which would count twice against the 'done' coverage."""
    indikator = sorted(json.loads(str(fields.get("indikator") or "[]")))
    query = select(DisposisiRow).where(
        DisposisiRow.tahun == fields["tahun"],
        col(DisposisiRow.selesai_at).is_(None),
        DisposisiRow.instruksi == fields["instruksi"],
        DisposisiRow.batas_waktu == fields["batas_waktu"],
    )
    for row in session.exec(query.order_by(col(DisposisiRow.urut))):
        same_recipient = (row.kepada_role, row.kepada_id) == (fields["kepada_role"], fields["kepada_id"])
        if same_recipient and sorted(disposisi.indikator_of(row)) == indikator:
            return row
    return None


def _not_a_copy(session: Session, fields: NewDisposisi) -> None:
    row = duplicate_of(session, fields)
    if row is not None:
        raise ApiError(
            409,
            [
                _err(
                    "duplikat",
                    "duplicate",
                    f"Tindak lanjut yang sama sudah diterbitkan dan masih terbuka: {row.nomor} (/disposisi/{row.id}).",
                    f"The same follow-up was already issued and is still open: {row.nomor} (/disposisi/{row.id}).",
                )
            ],
            headers={"Location": f"/disposisi/{row.id}"},
        )


# ---- reading -------------------------------------------------------------------------------------------------------


def status(row: DisposisiRow, now: datetime) -> Literal["terbuka", "terlambat", "selesai"]:
    if row.selesai_at is not None:
        return "selesai"
    if row.batas_waktu and clock.office_date(now) > row.batas_waktu:
        return "terlambat"
    return "terbuka"


def follow_ups(db: Session, tahun: int) -> list[DisposisiRow]:
    query = select(DisposisiRow).where(DisposisiRow.tahun == tahun, col(DisposisiRow.indikator) != "[]")
    return [r for r in db.exec(query.order_by(col(DisposisiRow.urut))) if disposisi.is_follow_up(r)]


def public(
    db: Session, wf: Workflow, row: DisposisiRow, now: datetime | None = None, names: dict[str, str] | None = None
) -> TindakLanjut:
    """One follow-up as the API and the pages show it (`names`: the year's units, when the caller has them)."""
    d = disposisi.public(db, wf, row)
    names = names if names is not None else units(db, row.tahun)
    return {
        "id": row.id or 0,
        "nomor": row.nomor,
        "tahun": row.tahun,
        "periode": row.periode,
        "indikator": disposisi.indikator_of(row),
        "unit": row.unit,
        "unit_nama": names.get(row.unit or "") or unit_names(db, row.tahun).get(row.unit or ""),
        "instruksi": row.instruksi,
        "hasil_diharapkan": row.hasil_diharapkan,
        "batas_waktu": d["batas_waktu"],
        "issued_at": d["issued_at"],
        "dari": d["dari"],
        "kepada": d["kepada"],
        "status": status(row, now or datetime.now(UTC)),
        "selesai_at": d["selesai_at"],
        "hasil": row.hasil,
        "bukti": [
            {**disposisi.public_bukti(b), "tautan": f"/disposisi/{row.id}/bukti/{b.sha256}"}
            for b in disposisi.evidence(db, row)
        ],
        "sumber": row.sumber,
        "tautan": f"/disposisi/{row.id}",
    }


def of_year(
    db: Session, wf: Workflow, tahun: int, now: datetime | None = None, *, viewer: Official | None = None
) -> list[TindakLanjut]:
    """The year's follow-ups, in the order they were issued: those `viewer` may read (`disposisi.may_read`: its
    issuer, its recipients, the oversight roles; None: the admin token, all). The counts (`cakupan`,
    `without_follow_up`) stay everyone's: they name no instruction, result, person or file."""
    names = units(db, tahun)
    rows = follow_ups(db, tahun)
    if viewer is not None:
        rows = [row for row in rows if disposisi.may_read(row, viewer)]
    return [public(db, wf, row, now, names) for row in rows]


def named(db: Session, tahun: int) -> set[str]:
    """The indicators some follow-up of the year names."""
    return {code for row in follow_ups(db, tahun) for code in disposisi.indikator_of(row)}


def without_follow_up(db: Session, tahun: int) -> list[IndikatorTanpaTL]:
    """The year's off-target indicators that no follow-up names, each with the link to the form, prefilled."""
    done = named(db, tahun)
    names = units(db, tahun)
    return [
        {
            "indikator": kode,
            "nama": o["nama"],
            "unit": o["unit"],
            "unit_nama": names.get(o["unit"] or ""),
            "periode": o["periode"],
            "capaian": str(o["capaian"]),
            "tautan_buat": form_link(tahun, kode, o["periode"]),
        }
        for kode, o in off_target(db, tahun).items()
        if kode not in done
    ]


def _percent(ada: int, dari: int) -> str | None:
    if dari == 0:
        return None
    return str((Decimal(ada) * HUNDRED / Decimal(dari)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def is_done(db: Session, row: DisposisiRow) -> bool:
    """Done as the evaluation counts it: marked done, with a result and at least one evidence file."""
    return row.selesai_at is not None and bool(row.hasil) and bool(disposisi.evidence(db, row))


def cakupan(db: Session, tahun: int) -> dict[str, Cek]:
    """The two data checks of follow-ups (docs/evaluation.md): off-target indicators with a follow-up, and follow-ups
    done with a result and evidence."""
    missed = off_target(db, tahun)
    done = named(db, tahun)
    lacking: list[Kurang] = [
        {
            "kode": kode,
            "nama": o["nama"],
            "alasan_id": f"capaian {str(o['capaian']).replace('.', ',')} % ({o['periode']}) tanpa tindak lanjut",
            "alasan_en": f"capaian {o['capaian']} % ({o['periode']}) with no follow-up",
            "tautan": form_link(tahun, kode, o["periode"]),
        }
        for kode, o in missed.items()
        if kode not in done
    ]
    rows = follow_ups(db, tahun)
    open_: list[Kurang] = []
    for row in rows:
        if is_done(db, row):
            continue
        why_id, why_en = (
            ("belum selesai", "not done")
            if row.selesai_at is None
            else ("selesai tanpa hasil atau bukti", "done without a result or evidence")
        )
        open_.append(
            {
                "kode": row.nomor,
                "nama": ", ".join(disposisi.indikator_of(row)),
                "alasan_id": why_id,
                "alasan_en": why_en,
                "tautan": f"/disposisi/{row.id}",
            }
        )
    n_missed, n_rows = len(missed), len(rows)
    return {
        "tindak_lanjut": {
            "kunci": "tindak_lanjut",
            "judul_id": "Indikator di bawah target yang ditindaklanjuti",
            "judul_en": "Off-target indicators with a follow-up",
            "ada": n_missed - len(lacking),
            "dari": n_missed,
            "cakupan": _percent(n_missed - len(lacking), n_missed),
            "kurang": lacking,
        },
        "tindak_lanjut_selesai": {
            "kunci": "tindak_lanjut_selesai",
            "judul_id": "Tindak lanjut selesai dengan hasil dan bukti",
            "judul_en": "Follow-ups done with a result and evidence",
            "ada": n_rows - len(open_),
            "dari": n_rows,
            "cakupan": _percent(n_rows - len(open_), n_rows),
            "kurang": open_,
        },
    }
