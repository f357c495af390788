"""Proof of use (issue 17, the evaluator's export): every use of a year's performance information, read from the
records the system already keeps — nothing is entered for the export.

- decisions on reports (apv_draft_history: submitted, approved, returned — a koreksi return with its units and
  indicators —, correction done), with the note and the official who decided;
- dispositions and follow-ups (apv_disposisi: issued, and done with the result and the evidence files of
  apv_disposisi_bukti); a follow-up is a disposition that names indicators;
- circulations (apv_sosialisasi: to whom) and each read receipt (apv_sosialisasi_penerima: who read it, when);
- the final documents the renderer published (apv_final_document), with their SHA-256.

A record belongs to the year of the report or disposition it concerns (`tahun`), whenever it happened: the LKIP 2024
approved in February 2025 is a use of the 2024 information. The circulation entries the draft history also holds
(`sosialisasi`, `dibaca`) are read from their own tables, never twice. Each record names the period or draft it
concerns and links to its page in the app; the evidence links are the disposition's download route.

Two parts (`bagian`), as PermenPANRB 88/2021 reads them: the uses (`pemanfaatan`: follow-ups, dispositions that name
a period, circulations and read receipts — reading is part of "information is a concern of leaders and staff") and,
apart, the report's review and formalisation trail (`penelaahan`: submissions, approvals, returns, finals), which
is evidence for the Pelaporan component's pemenuhan criteria, not a use. Each part names the worksheet criteria
(evaluasi.yaml) it supports. A disposition that names neither a period nor indicators is not about performance
information and is left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Annotated, Literal, TypedDict

from pydantic import BeforeValidator
from sqlmodel import Session, col, select

from services.approval.answers import (
    BagianPemanfaatan,
    BuktiPemanfaatan,
    KriteriaPemanfaatan,
    LaporanPemanfaatan,
    PejabatPemanfaatan,
    Pemanfaatan,
    RingkasanPemanfaatan,
)
from services.approval.lke import Lke, LkeError
from services.approval.models import (
    DisposisiBukti,
    DisposisiRow,
    DraftHistory,
    DraftRow,
    FinalDocumentRow,
    Official,
    SosialisasiPenerima,
    SosialisasiRow,
)
from services.approval.oversight import oversees
from services.approval.units import unit_names
from services.approval.workflow import Workflow
from shared.formatting import fmt_date
from shared.i18n import JENIS, LANGS, PEMANFAATAN, PERIODE_NAMES, pick
from shared.sakip.tahun import year_text

DECISIONS = ("submit", "approve", "return", "koreksi_selesai")  # the history's decisions (not rendered, siap …)
Jenis = Literal[
    "keputusan", "disposisi", "disposisi_selesai", "tindak_lanjut", "tindak_lanjut_selesai", "sosialisasi", "dibaca",
    "final",
]  # fmt: skip
Bagian = Literal["pemanfaatan", "penelaahan"]
BAGIAN: dict[str, Bagian] = {  # each kind of record's part
    "tindak_lanjut": "pemanfaatan", "tindak_lanjut_selesai": "pemanfaatan", "disposisi": "pemanfaatan",
    "disposisi_selesai": "pemanfaatan", "sosialisasi": "pemanfaatan", "dibaca": "pemanfaatan",
    "keputusan": "penelaahan", "final": "penelaahan",
}  # fmt: skip
PARTS: tuple[Bagian, ...] = ("pemanfaatan", "penelaahan")  # the uses first
KRITERIA: dict[Bagian, tuple[str, ...]] = {  # the worksheet criteria (evaluasi.yaml) each part is evidence for
    # leaders' attention (dispositions), staff's care (circulations read), activities and strategy adjusted
    # (follow-ups done with results), the information used in evaluating what was achieved
    "pemanfaatan": ("2.c.4", "2.c.6", "2.c.9", "3.c.1", "3.c.2", "3.c.3", "3.c.5"),
    # the report prepared, periodically, formalised (final), reviewed (returns with notes), on time
    "penelaahan": ("3.a.1", "3.a.2", "3.a.3", "3.a.4", "3.a.6"),
}
FINAL_FORMATS = ("pdf", "docx", "xlsx")
EVALUATOR_ROLES = ("inspektorat",)


def whole_year(value: object) -> object:
    """A year in an address is digits only (`year_text`, the rule forms use, without the spaces a form may leave):
    "2024.0", "+2024", "２０２４", "2024 " are refused (422), never read as 2024 (pydantic's lax int would); the route
    checks the range."""
    if not isinstance(value, str):
        return value
    year = year_text(value)
    if year is None:
        raise ValueError(
            "tahun harus bilangan bulat, paling banyak 4 angka / the year must be a whole number, 4 digits"
        )
    return year


Tahun = Annotated[int, BeforeValidator(whole_year)]


def may_export(who: Official) -> bool:
    """Who may read the export: the officials who oversee the SOP (they read every disposition and circulation it
    lists) and the evaluator (`inspektorat`)."""
    return who.id is not None and (oversees(who) or who.role in EVALUATOR_ROLES)


def as_utc(value: datetime) -> datetime:
    """A stored time as UTC (a naive one is stored UTC)."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _both(
    key: str, *, names: dict[str, str] | None = None, tanggal: date | None = None, **values: object
) -> tuple[str, str]:
    """A catalogue text in Indonesian and English, filled in; `names` (a report's name per language) and `tanggal`
    (written as each language writes a date) fill `{laporan}` and `{tanggal}`."""

    def one(lang: str) -> str:
        extra: dict[str, object] = {}
        if names is not None:
            extra["laporan"] = names[lang]
        if tanggal is not None:
            extra["tanggal"] = fmt_date(tanggal, lang)
        return pick(PEMANFAATAN, key, lang).format(**values, **extra)

    return one("id"), one("en")


def _bukti(judul: tuple[str, str], tautan: str, nama: str | None = None, sha256: str | None = None) -> BuktiPemanfaatan:
    return {"judul": judul[0], "judul_en": judul[1], "tautan": tautan, "nama": nama, "sha256": sha256}


def _join(*parts: tuple[str, str] | None) -> tuple[str, str]:
    """Description parts joined "; " per language (None parts left out)."""
    kept = [p for p in parts if p is not None]
    return "; ".join(p[0] for p in kept), "; ".join(p[1] for p in kept)


def laporan(jenis: str | None, periode: str | None, tahun: int, lang: str) -> str:
    """A report as an official names it: "Laporan Kinerja Triwulan I 2024", "Laporan Kinerja Tahunan (LKIP) 2024"."""
    if jenis == "tahunan" or periode == "TAHUNAN":
        return f"{pick(JENIS, 'tahunan', lang)} {tahun}"
    base = "Laporan Kinerja" if lang == "id" else "Performance report"
    return f"{base} {pick(PERIODE_NAMES, periode, lang)} {tahun}" if periode else f"{base} {tahun}"


def _laporan_both(jenis: str | None, periode: str | None, tahun: int) -> dict[str, str]:
    return {lang: laporan(jenis, periode, tahun, lang) for lang in LANGS}


class _People:
    """The officials named by the records, looked up once each."""

    def __init__(self, db: Session, wf: Workflow) -> None:
        self.db, self.wf, self.cache = db, wf, dict[int, Official | None]()

    def get(self, official_id: int | None) -> Official | None:
        if official_id is None:
            return None
        if official_id not in self.cache:
            self.cache[official_id] = self.db.get(Official, official_id)
        return self.cache[official_id]

    def pejabat(self, official_id: int | None, nama: str | None = None, role: str | None = None) -> PejabatPemanfaatan:
        """The official: the name and role the record kept when it keeps them (a decision's history entry: who
        decided, in which role, then), else as on file now; the position as on file."""
        o = self.get(official_id)
        role = role or (o.role if o else None)
        return {
            "id": official_id,
            "nama": nama or (o.nama if o else None),
            "jabatan": (o.jabatan or None) if o else None,
            "role": role,
            "role_nama": self.wf.role_name(role) if role else None,
        }

    def name(self, official_id: int | None) -> str:
        o = self.get(official_id)
        return o.nama if o else f"#{official_id}"

    def recipient(self, row: DisposisiRow) -> str:
        """A disposition's recipient: the official's name, or the role's name."""
        if row.kepada_id is not None:
            return self.name(row.kepada_id)
        return self.wf.role_name(row.kepada_role or "")


class _Concerns(TypedDict):
    """What a record concerns and where it is seen in the app."""

    tahun: int
    periode: str | None
    draft_id: str | None
    tautan: str | None


def _record(
    when: datetime,
    jenis: Jenis,
    uraian: tuple[str, str],
    pejabat: PejabatPemanfaatan,
    where: _Concerns,
    *,
    aksi: str | None = None,
    indikator: Iterable[str] = (),
    bukti: Iterable[BuktiPemanfaatan] = (),
) -> Pemanfaatan:
    return {
        "tanggal": as_utc(when).isoformat(),
        "bagian": BAGIAN[jenis],
        "jenis": jenis,
        "aksi": aksi,
        "uraian_id": uraian[0],
        "uraian_en": uraian[1],
        "pejabat": pejabat,
        "tahun": where["tahun"],
        "periode": where["periode"],
        "draft_id": where["draft_id"],
        "indikator": list(indikator),
        "bukti": list(bukti),
        "tautan": where["tautan"],
    }


def _draft(d: DraftRow) -> _Concerns:
    return {"tahun": d.tahun, "periode": d.periode, "draft_id": d.id, "tautan": f"/draf/{d.id}"}


def _drafts(db: Session, tahun: int) -> dict[str, DraftRow]:
    return {d.id: d for d in db.exec(select(DraftRow).where(DraftRow.tahun == tahun))}


def decisions(db: Session, people: _People, drafts: dict[str, DraftRow]) -> list[Pemanfaatan]:
    """Every decision on the year's reports, with its note; a return naming units is a koreksi."""
    if not drafts:
        return []
    rows = db.exec(
        select(DraftHistory)
        .where(col(DraftHistory.draft_id).in_(list(drafts)), col(DraftHistory.action).in_(DECISIONS))
        .order_by(col(DraftHistory.id))
    )
    out: list[Pemanfaatan] = []
    for h in rows:
        d = drafts[h.draft_id]
        detail = json.loads(h.detail) if h.detail else {}
        units, indikator = list(detail.get("units") or []), list(detail.get("indikator") or [])
        aksi = "koreksi" if h.action == "return" and (units or indikator) else h.action
        names = _laporan_both(d.jenis, d.periode, d.tahun)
        uraian = _join(
            _both(f"u_{aksi}", names=names, versi=h.version),
            _both("u_units", units=", ".join(units)) if units else None,
            _both("u_catatan", catatan=h.note) if h.note else None,
        )
        out.append(
            _record(h.at, "keputusan", uraian, people.pejabat(h.actor_id, h.actor_nama, h.actor_role), _draft(d),
                    aksi=aksi, indikator=indikator)
        )  # fmt: skip
    return out


def _indikator(row: DisposisiRow) -> list[str]:
    try:
        value = json.loads(row.indikator or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def _draft_of(row: DisposisiRow) -> str | None:
    """The draft a disposition was issued from (`sumber` "draf:2024-TAHUNAN"), if any."""
    return row.sumber.split(":", 1)[1] if row.sumber and row.sumber.startswith("draf:") else None


def _unit(code: str, names: dict[str, str]) -> str:
    """A unit as officials name it: "Bidang Penempatan Tenaga Kerja (BID-PPTK)"; the code when no name is known."""
    return f"{names[code]} ({code})" if names.get(code) else code


def dispositions(db: Session, people: _People, tahun: int) -> list[Pemanfaatan]:
    """Each follow-up and each disposition naming a period of the year issued, and done (with the result and the
    evidence files) once it is; the responsible unit by its name."""
    rows = [
        r
        for r in db.exec(select(DisposisiRow).where(DisposisiRow.tahun == tahun).order_by(col(DisposisiRow.id)))
        if r.periode or _indikator(r)
    ]
    names = unit_names(db, tahun) if any(r.unit for r in rows) else {}
    files: dict[int, list[DisposisiBukti]] = {}
    if rows:
        found = db.exec(
            select(DisposisiBukti)
            .where(col(DisposisiBukti.disposisi_id).in_([r.id for r in rows]))
            .order_by(col(DisposisiBukti.uploaded_at))
        )
        for b in found:
            files.setdefault(b.disposisi_id, []).append(b)
    out: list[Pemanfaatan] = []
    for row in rows:
        indikator = _indikator(row)
        follow_up = bool(indikator)
        page = f"/disposisi/{row.id}"
        common: _Concerns = {"tahun": row.tahun, "periode": row.periode, "draft_id": _draft_of(row), "tautan": page}
        head = _both("u_tindak_lanjut" if follow_up else "u_disposisi", nomor=row.nomor,
                     kepada=people.recipient(row), instruksi=row.instruksi)  # fmt: skip
        unit = _both("u_unit", unit=_unit(row.unit, names)) if row.unit else None
        expected = _both("u_hasil_diharapkan", hasil=row.hasil_diharapkan) if row.hasil_diharapkan else None
        uraian = _join(head, unit, expected, _both("u_batas", tanggal=row.batas_waktu) if row.batas_waktu else None)
        out.append(
            _record(row.issued_at, "tindak_lanjut" if follow_up else "disposisi", uraian, people.pejabat(row.dari_id),
                    common, indikator=indikator)
        )  # fmt: skip
        if row.selesai_at is None:
            continue
        bukti: list[BuktiPemanfaatan] = [
            _bukti(_both("b_bukti", nama=b.nama), f"{page}/bukti/{b.sha256}", b.nama, b.sha256)
            for b in files.get(row.id or 0, [])
        ]
        done = _join(
            _both("u_tl_selesai" if follow_up else "u_selesai", nomor=row.nomor),
            unit if follow_up else None,
            expected if follow_up else None,
            _both("u_hasil", hasil=row.hasil) if row.hasil else None,
        )
        out.append(
            _record(row.selesai_at, "tindak_lanjut_selesai" if follow_up else "disposisi_selesai", done,
                    people.pejabat(row.selesai_by), common, indikator=indikator, bukti=bukti)
        )  # fmt: skip
    return out


def circulations(db: Session, people: _People, drafts: dict[str, DraftRow], tahun: int) -> list[Pemanfaatan]:
    """Each circulation of the year's reports (to whom; who had not read it when the export was made) and each
    read receipt."""
    out: list[Pemanfaatan] = []
    for sos in db.exec(select(SosialisasiRow).where(SosialisasiRow.tahun == tahun).order_by(col(SosialisasiRow.id))):
        d = drafts.get(sos.draft_id)
        jenis, periode = (d.jenis, d.periode) if d else (None, None)
        names = _laporan_both(jenis, periode, sos.tahun)
        receipts = list(
            db.exec(
                select(SosialisasiPenerima)
                .where(SosialisasiPenerima.sosialisasi_id == sos.id)
                .order_by(col(SosialisasiPenerima.official_id))
            )
        )
        penerima = ", ".join(people.name(p.official_id) for p in receipts)
        unread = [people.name(p.official_id) for p in receipts if p.read_at is None]
        uraian = _join(
            _both("u_sosialisasi", names=names, versi=sos.version, penerima=penerima),
            _both("u_catatan", catatan=sos.catatan) if sos.catatan else None,
            _both("u_belum_dibaca", nama=", ".join(unread)) if unread else None,
        )
        page = f"/sosialisasi/{sos.id}"
        common: _Concerns = {"tahun": sos.tahun, "periode": periode, "draft_id": sos.draft_id, "tautan": page}
        out.append(_record(sos.sent_at, "sosialisasi", uraian, people.pejabat(sos.dari_id), common))
        for p in receipts:
            if p.read_at is None:
                continue
            read = _both("u_dibaca", names=names, versi=sos.version)
            out.append(_record(p.read_at, "dibaca", read, people.pejabat(p.official_id), common))
    return out


def finals(db: Session, people: _People, drafts: dict[str, DraftRow]) -> list[Pemanfaatan]:
    """The final documents published for the year's reports, each with its files' SHA-256; the official is the one
    whose approval made the version final."""
    if not drafts:
        return []
    out: list[Pemanfaatan] = []
    rows = db.exec(select(FinalDocumentRow).where(col(FinalDocumentRow.draft_id).in_(list(drafts))))
    for fin in rows:
        d = drafts[fin.draft_id]
        last = db.exec(
            select(DraftHistory)
            .where(DraftHistory.draft_id == fin.draft_id, DraftHistory.version == fin.version,
                   DraftHistory.action == "approve")
            .order_by(col(DraftHistory.id).desc())
        ).first()  # fmt: skip
        who = people.pejabat(last.actor_id, last.actor_nama, last.actor_role) if last else people.pejabat(None)
        try:
            files = json.loads(fin.files) if fin.files else {}
        except ValueError:
            files = {}
        bukti: list[BuktiPemanfaatan] = [
            _bukti(
                _both("b_final", format=fmt.upper(), sha=str(files[fmt])[:12]),
                f"/draf/{d.id}/final.{fmt}",
                f"final.{fmt}",
                str(files[fmt]),
            )  # fmt: skip
            for fmt in FINAL_FORMATS
            if fmt in files
        ]
        names = _laporan_both(d.jenis, d.periode, d.tahun)
        uraian = _both("u_final", names=names, versi=fin.version)
        out.append(_record(fin.published_at, "final", uraian, who, _draft(d), bukti=bukti))
    return out


ORDER: dict[str, int] = {  # at the same instant: a decision before the circulation it allows, the read after it
    "keputusan": 0, "final": 1, "disposisi": 2, "tindak_lanjut": 2, "sosialisasi": 3, "dibaca": 4,
    "disposisi_selesai": 5, "tindak_lanjut_selesai": 5,
}  # fmt: skip


def records(db: Session, wf: Workflow, tahun: int) -> list[Pemanfaatan]:
    """Every use of the year's performance information, oldest first."""
    people = _People(db, wf)
    drafts = _drafts(db, tahun)
    found = [
        *decisions(db, people, drafts),
        *dispositions(db, people, tahun),
        *circulations(db, people, drafts, tahun),
        *finals(db, people, drafts),
    ]
    keyed = sorted(
        enumerate(found), key=lambda p: (datetime.fromisoformat(p[1]["tanggal"]), ORDER[p[1]["jenis"]], p[0])
    )
    return [r for _, r in keyed]


def ringkasan(found: Iterable[Pemanfaatan]) -> RingkasanPemanfaatan:
    counts: RingkasanPemanfaatan = {
        "keputusan": 0, "disposisi": 0, "disposisi_selesai": 0, "tindak_lanjut": 0, "tindak_lanjut_selesai": 0,
        "sosialisasi": 0, "dibaca": 0, "final": 0,
    }  # fmt: skip
    for r in found:
        counts[r["jenis"]] += 1
    return counts


SUMMARY_PARTS: dict[Bagian, tuple[str, ...]] = {
    "pemanfaatan": ("sum_tindak_lanjut", "sum_disposisi", "sum_sosialisasi", "sum_dibaca"),
    "penelaahan": ("sum_keputusan", "sum_final"),
}


def summary_line(counts: RingkasanPemanfaatan, lang: str, bagian: Bagian | None = None) -> str:
    """ "12 keputusan atas laporan, 5 disposisi (3 selesai), 2 tindak lanjut (1 selesai), 4 sosialisasi, 18 tanda
    baca, 3 dokumen final"; one part's counts only when `bagian` is given."""
    parts = {
        "sum_keputusan": {"n": counts["keputusan"]},
        "sum_disposisi": {"n": counts["disposisi"], "selesai": counts["disposisi_selesai"]},
        "sum_tindak_lanjut": {"n": counts["tindak_lanjut"], "selesai": counts["tindak_lanjut_selesai"]},
        "sum_sosialisasi": {"n": counts["sosialisasi"]},
        "sum_dibaca": {"n": counts["dibaca"]},
        "sum_final": {"n": counts["final"]},
    }
    keys = SUMMARY_PARTS[bagian] if bagian else tuple(parts)
    return ", ".join(pick(PEMANFAATAN, key, lang).format(**parts[key]) for key in keys)


def kriteria(lke: Lke | None, bagian: Bagian) -> list[KriteriaPemanfaatan]:
    """The worksheet criteria a part supports, with their text from the worksheet (the code alone when a worksheet
    without it is loaded)."""
    out: list[KriteriaPemanfaatan] = []
    for kode in KRITERIA[bagian]:
        try:
            kr = lke.kriteria(kode) if lke is not None else None
        except (KeyError, LkeError):
            kr = None
        out.append({"kode": kode, "teks": kr.teks if kr else "", "teks_en": kr.teks_en if kr else ""})
    return out


def bagian(found: list[Pemanfaatan], counts: RingkasanPemanfaatan, lke: Lke | None) -> list[BagianPemanfaatan]:
    """The two parts, uses first: their titles, counts and the criteria they support."""
    out: list[BagianPemanfaatan] = []
    for part in PARTS:
        out.append({
            "kode": part,
            "judul_id": pick(PEMANFAATAN, f"bagian_{part}", "id"),
            "judul_en": pick(PEMANFAATAN, f"bagian_{part}", "en"),
            "jumlah": sum(1 for r in found if r["bagian"] == part),
            "ringkasan_id": summary_line(counts, "id", part),
            "ringkasan_en": summary_line(counts, "en", part),
            "kriteria": kriteria(lke, part),
        })  # fmt: skip
    return out


def report(db: Session, wf: Workflow, tahun: int, lke: Lke | None = None) -> LaporanPemanfaatan:
    """The year's records with their counts and parts: the JSON answer, and what the page, the PDF and the .xlsx
    show."""
    found = records(db, wf, tahun)
    counts = ringkasan(found)
    return {
        "tahun": tahun,
        "instansi": wf.sop.instansi,
        "ringkasan": counts,
        "ringkasan_id": summary_line(counts, "id"),
        "ringkasan_en": summary_line(counts, "en"),
        "pemanfaatan": found,
        "bagian": bagian(found, counts, lke),
    }
