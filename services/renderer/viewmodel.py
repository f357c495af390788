"""One view-model per report: every figure both as its raw Decimal (for .xlsx) and as the string the
.docx and .pdf show, so the three formats cannot disagree. Pure: no I/O."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple

from services.renderer.lkip import annual_parts, capaian_of, kondisi, renstra_end
from services.renderer.viewtypes import (
    AllParts,
    AnalisisPeriode,
    AnggaranRow,
    AnggaranTotal,
    ApprovalRow,
    Figures,
    FiguresSd,
    IndikatorRow,
    KonsistensiRow,
    PerbandinganRow,
    PeringatanRow,
    PkRow,
    Profil,
    ProgramRow,
    Range,
    RecapView,
    RencanaAksiPoint,
    RencanaAksiRow,
    SasaranDetail,
    Signatory,
    TrendInstansi,
    TrendPoint,
    TrendRow,
    ViewModel,
)
from shared import clock
from shared.decimals import optional_decimal as _dec  # the one reader of checked figures
from shared.formatting import MISSING, fmt_date, fmt_number, fmt_rupiah, round_half_up
from shared.i18n import DOCUMENTS, REASONS, by_locale
from shared.sakip import PERIODE_QUARTERS, Periode, Target, checks, decimals_of, periode_label, predikat_label, roman
from shared.sakip.document import IndikatorDoc, PkDoc, RekapDoc, RekapIndikatorDoc, TargetPk


def jenis_of(periode: str) -> str:
    """The report kind a period gets: TW* → triwulan, S* → semester, TAHUNAN → tahunan."""
    return Periode(periode).kind if periode in PERIODE_QUARTERS else "triwulan"


LABELS: dict[str, dict[str, str]] = by_locale(DOCUMENTS)  # the documents' texts: the shared catalogue (shared/i18n)
KETERANGAN: dict[str, dict[str, str]] = by_locale(REASONS)  # why a row has no capaian, by locale


def _target(raw: str | None) -> tuple[Decimal | None, Range | None]:
    """A recap's target text: one number, or a range ("15.00-25.00")."""
    if raw is None:
        return None, None
    target = Target.parse(raw)
    return target.nilai, target.bounds


def own_places(value: Decimal | None, places: int) -> int:
    """The decimals a figure is shown with: the indicator's, or more when the value itself has more (a count sent as
    994.5 shows "994,5", never "995": a figure is never rounded away); at most 4."""
    if value is None or not value.is_finite():
        return places
    exponent = value.normalize().as_tuple().exponent
    return max(places, min(4, -exponent if isinstance(exponent, int) and exponent < 0 else 0))


def fmt_figure(value: Decimal | None, places: int, locale: str) -> str:
    """An indicator's figure (target, realisasi) with its decimals (shared.sakip.decimals_of), or its own when
    it has more (own_places)."""
    return fmt_number(value, own_places(value, places), locale)


def _fmt_target(single: Decimal | None, rng: Range | None, locale: str, places: int = 2) -> str:
    if rng is not None:
        return f"{fmt_figure(rng[0], places, locale)} – {fmt_figure(rng[1], places, locale)}"
    return fmt_figure(single, places, locale)


def _places(raw: Mapping[str, Any] | None, pk_ind: Mapping[str, IndikatorDoc]) -> int:
    """How many decimals a person reads for an indicator's figures (not its capaian, always 2): the recap row's
    `desimal` when it carries one, else shared.sakip.decimals_of of the PK's indicator (a count: 0), else 2."""
    given = raw.get("desimal") if raw else None
    if isinstance(given, int) and not isinstance(given, bool) and 0 <= given <= 4:
        return given
    ind = pk_ind.get(str(raw.get("kode"))) if raw else None
    return decimals_of(ind) if ind is not None else 2


def _predikat(value: str | None, locale: str) -> str:
    return predikat_label(value, locale, MISSING)


def _figures_of(
    target: str | None,
    realisasi: str | None,
    capaian: str | None,
    predikat: str | None,
    reason: str | None,
    locale: str,
    places: int = 2,
) -> Figures:
    """A row's target/realisasi/capaian/predikat, shown (target and realisasi with the indicator's decimals, capaian
    with 2) and as values."""
    single, rng = _target(target)
    realisasi_value, capaian_value = _dec(realisasi), _dec(capaian)
    return {
        "target": _fmt_target(single, rng, locale, places),
        "realisasi": fmt_figure(realisasi_value, places, locale),
        "capaian": fmt_number(capaian_value, locale=locale),
        "predikat": _predikat(predikat, locale),
        "keterangan": KETERANGAN[locale].get(reason, reason) if reason else "",
        "target_value": single,
        "target_range": rng,
        "realisasi_value": realisasi_value,
        "capaian_value": capaian_value,
    }


def _figures(raw: RekapIndikatorDoc, locale: str, places: int = 2) -> Figures:
    """The figures of the period."""
    return _figures_of(
        raw.get("target"), raw.get("realisasi"), raw.get("capaian"), raw.get("predikat"), raw.get("reason"), locale,
        places,
    )  # fmt: skip


def _figures_sd(raw: RekapIndikatorDoc, locale: str, places: int = 2) -> FiguresSd:
    """The figures from TW I up to the period."""
    f = _figures_of(
        raw.get("target_sd"), raw.get("realisasi_sd"), raw.get("capaian_sd"), raw.get("predikat_sd"),
        raw.get("reason_sd"), locale, places,
    )  # fmt: skip
    return {
        "target_sd": f["target"],
        "realisasi_sd": f["realisasi"],
        "capaian_sd": f["capaian"],
        "predikat_sd": f["predikat"],
        "keterangan_sd": f["keterangan"],
        "target_sd_value": f["target_value"],
        "target_sd_range": f["target_range"],
        "realisasi_sd_value": f["realisasi_value"],
        "capaian_sd_value": f["capaian_value"],
    }


def _spans(raw_rows: Sequence[RekapIndikatorDoc]) -> list[int]:
    """Rows of one sasaran share a merged cell: its height on the first row, 0 on the others."""
    spans: list[int] = []
    for _, group in groupby(raw_rows, key=lambda r: r.get("sasaran")):
        size = len(list(group))
        spans += [size] + [0] * (size - 1)
    return spans


def _indikator_rows(
    rekap: RekapDoc, sasaran_names: Mapping[str, str], locale: str, pk_ind: Mapping[str, IndikatorDoc]
) -> list[IndikatorRow]:
    raw_rows = list(rekap.get("indikator", []))
    rows: list[IndikatorRow] = []
    for n, (raw, span) in enumerate(zip(raw_rows, _spans(raw_rows), strict=True), start=1):
        kode_sasaran = raw.get("sasaran", "")
        places = _places(raw, pk_ind)
        row: IndikatorRow = {
            "no": n,
            "kode": raw["kode"],
            "nama": raw.get("nama", raw["kode"]),
            "satuan": raw.get("satuan", ""),
            "sasaran_kode": kode_sasaran,
            "sasaran_nama": sasaran_names.get(kode_sasaran, kode_sasaran),
            "sasaran_first": span > 0,
            "sasaran_span": span,
            "desimal": places,
            **_figures(raw, locale, places),
        }
        if "capaian_sd" in raw:
            row.update(_figures_sd(raw, locale, places))
        rows.append(row)
    return rows


def _has_sd(periode: str) -> bool:
    """A period not starting at TW I has figures s.d. that differ from its own (TW2–TW4, S2)."""
    return periode in PERIODE_QUARTERS and PERIODE_QUARTERS[periode][0] != 1


def _up_to_label(periode: str, tahun: int, locale: str) -> str:
    last = {"S1": 2, "S2": 4}.get(periode) or int(periode[2:])
    return f"{LABELS[locale]['up_to']} {periode_label(f'TW{last}', tahun, locale)}"


def _decided(value: Any, locale: str) -> str:
    """The day of a decision in the office's zone (shared/clock.py): 23:30 UTC on 31 March is 1 April in WIB."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        except ValueError:
            return value
    return fmt_date(clock.office_date(value), locale) if isinstance(value, date) else MISSING


def _approval(n: int, step: Mapping[str, Any], locale: str) -> ApprovalRow:
    """One signature of the chain; the official may come flat or under "actor" (the Actor payload)."""
    who = {**step.get("actor", {}), **{k: v for k, v in step.items() if k != "actor"}}
    return {
        "no": n,
        "nama": who.get("nama", ""),
        "nip": nip_label(str(who.get("nip") or "")) or MISSING,  # spaced as the signature block prints it
        "jabatan": who.get("jabatan") or who.get("role_nama") or MISSING,  # the role's name when none is on file
        "decided_at": _decided(who.get("decided_at"), locale),
        "catatan": str(who.get("note") or "").strip(),  # the decision's note (the chain carries it): "" without
    }


def nip_label(nip: str) -> str:
    """An 18-digit NIP spaced as an office prints it, 8-6-1-3 (birth date, appointment month, sex, number):
    "197205022002121009" → "19720502 200212 1 009"; anything else as given."""
    digits = nip.strip()
    if len(digits) == 18 and digits.isascii() and digits.isdigit():
        return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
    return nip


def default_kota(locale: str = "id") -> str:
    """The city the signature block is dated in, from templates/profil.json (`kota`)."""
    block = default_profil().get(locale) or default_profil()["id"]
    return str(block.get("kota") or "Tangerang")


def signatory_block(
    approvals: Sequence[Mapping[str, Any]], final: bool, locale: str, kota: str | None = None
) -> Signatory:
    """The signature block (`kepala` in the templates): the official who approved the report in the signatory's role
    (the approval service marks them `signatory` in the DraftApproved chain; an older event without the mark: its
    last approver), with the day of that approval in the office's zone, dated at `kota` (the office profile's
    city): "Tangerang, 24 Januari 2025", the pangkat and golongan the chain carries and the NIP spaced. A draft, or a
    chain without an approver, prints an empty block that says it is not approved yet: never a name from the PK or
    a profile."""
    chain = [{**a.get("actor", {}), **{k: v for k, v in a.items() if k != "actor"}} for a in approvals]
    signer = next((a for a in chain if a.get("signatory")), None)
    if signer is None:
        signer = next((a for a in reversed(chain) if a.get("action", "approve") == "approve"), None)
    if not final or signer is None or not signer.get("nama"):
        return {"signed": False, "jabatan": "", "nama": "", "nip": "", "tanggal": "", "pangkat": "", "golongan": "",
                "nip_label": "", "tempat_tanggal": "", "status": LABELS[locale]["belum_disahkan"]}  # fmt: skip
    day = signer.get("tanggal") or signer.get("decided_at")
    tanggal = _decided(day, locale) if day else MISSING
    nip = str(signer.get("nip") or "")
    return {
        "signed": True,
        "jabatan": signer.get("jabatan") or signer.get("role_nama") or "",
        "nama": str(signer.get("nama") or ""),
        "nip": nip,
        "tanggal": tanggal,
        "pangkat": str(signer.get("pangkat") or ""),
        "golongan": str(signer.get("golongan") or ""),
        "nip_label": nip_label(nip),
        "tempat_tanggal": f"{kota or default_kota(locale)}, {tanggal}",
        "status": "",
    }


def build_view_model(
    rekap: RekapDoc,
    *,
    pk: PkDoc | None,
    final: bool,
    generated_on: date,
    version: int = 1,
    approvals: Sequence[Mapping[str, Any]] = (),
    locale: str = "id",
    quarters: Mapping[int, RekapDoc] | None = None,
    profil: Mapping[str, Any] | None = None,
    tindak_lanjut: Sequence[Mapping[str, Any]] = (),
) -> ViewModel:
    """The report of one period (RekapCompleted.rekap), labelled in Indonesian or English.

    `quarters` are the recaps of the single quarters (1..4) the renderer has seen, for the trend by quarter;
    `profil` the office's text block for Bab I and IV of the LKIP (default: templates/profil.json);
    `tindak_lanjut` the year's follow-ups known at the document's moment, for the LKIP (tindaklanjut.known_at)."""
    if locale not in LABELS:
        raise ValueError(f"unsupported locale {locale!r}")
    labels = LABELS[locale]
    tahun, periode = int(rekap["tahun"]), str(rekap["periode"])
    instansi = pk.get("instansi") if pk else None
    units = {u["kode"]: u["nama"] for u in (pk.get("units", []) if pk else [])}
    sasaran = list(rekap.get("sasaran", []))
    sasaran_names = {s["kode"]: s.get("nama", s["kode"]) for s in sasaran}
    label = periode_label(periode, tahun, locale)
    jenis = labels["report_annual"] if periode == "TAHUNAN" else labels["report"]
    rows = _indikator_rows(rekap, sasaran_names, locale, _pk_indicators(pk))
    capaian_instansi = _dec(rekap.get("capaian_instansi"))
    vm: RecapView = {
        "locale": locale,
        "labels": labels,
        "kind": jenis_of(periode),
        "title": f"{jenis} {label}",
        "jenis": jenis,
        "instansi": instansi.get("nama", "") if instansi else "",
        # the signatory: who approved it in the system (never the PK's or a profile's name); empty on a draft
        "kepala": signatory_block(approvals, final, locale, _kota(profil, locale)),
        "tahun": tahun,
        "periode": periode,
        "periode_label": label,
        "periode_roman": roman(int(periode[-1])) if periode != "TAHUNAN" else "",
        "up_to_label": _up_to_label(periode, tahun, locale) if periode != "TAHUNAN" else "",
        # the cumulative table, except where it would repeat the period's: TW1 and S1 start at TW I
        "has_sd": _has_sd(periode) and bool(rows) and all("capaian_sd" in r for r in rows),
        "generated_on": generated_on,
        "generated_on_label": fmt_date(generated_on, locale),
        "version": version,
        # the PK version the recap used (a mid-year PK perubahan makes it > 1): " · Perjanjian Kinerja versi 2"
        "pk_label": f" · {labels['pk_versi']} {rekap['pk_version']}" if rekap.get("pk_version") else "",
        "final": final,
        "draft": not final,
        "watermark": "" if final else labels["draf"],
        "rows": rows,
        "sasaran": [
            {
                "no": n,
                "kode": s["kode"],
                "nama": s.get("nama", s["kode"]),
                "capaian": fmt_number(_dec(s.get("capaian")), locale=locale),
                "capaian_value": _dec(s.get("capaian")),
                "predikat": _predikat(s.get("predikat"), locale),
                "skipped": int(s.get("skipped", 0)),
            }
            for n, s in enumerate(sasaran, start=1)
        ],
        "capaian_instansi": fmt_number(capaian_instansi, locale=locale),
        "capaian_instansi_value": capaian_instansi,
        "predikat_instansi": _predikat(rekap.get("predikat_instansi"), locale),
        "approvals": [_approval(n, a, locale) for n, a in enumerate(approvals, start=1)],
        "catatan": [
            {
                "triwulan": f"{labels['tw']} {roman(int(c['triwulan']))}" if c.get("triwulan") else "",
                "unit_kode": c.get("unit", ""),
                "unit": units.get(c.get("unit", ""), c.get("unit", "")),
                "kendala": c.get("kendala") or MISSING,
                "solusi": c.get("solusi") or MISSING,
            }
            for c in rekap.get("catatan", [])
        ],
    }
    return {**vm, **_report_parts(vm, rekap, pk, quarters or {}, profil, units, tindak_lanjut)}


# --- the parts beyond the recap tables: trend by quarter, budget, PK, comparisons, LKIP text ----------------

PROFIL_FILE = Path(__file__).resolve().parent / "templates" / "profil.json"
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


@lru_cache(maxsize=1)
def default_profil() -> dict[str, Profil]:
    """The office text of Bab I and IV in each locale (templates/profil.json)."""
    return dict(json.loads(PROFIL_FILE.read_text(encoding="utf-8")))


def profil_text(profil: Mapping[str, Any] | None, locale: str, fill: Mapping[str, Any], key: str) -> Any:
    """One entry of the office's text block (one per locale, or flat; the default's where it has none), its
    texts with {instansi}, {tahun}… filled in."""
    source: Mapping[str, Any] = profil if profil is not None else default_profil()
    block = source.get(locale) or source.get("id") or source
    default = default_profil().get(locale, default_profil()["id"])

    def fmt(value: Any) -> Any:
        if isinstance(value, str):
            return value.format_map(_Keep(fill))
        if isinstance(value, list):
            return [fmt(v) for v in value]
        if isinstance(value, dict):
            return {k: fmt(v) for k, v in value.items()}
        return value

    return fmt(block.get(key, default.get(key)))


def _profil(profil: Mapping[str, Any] | None, locale: str, fill: Mapping[str, Any]) -> Profil:
    """The office's text block (one per locale, or flat), with {instansi} and {tahun} filled in."""

    def text(key: str) -> Any:
        return profil_text(profil, locale, fill, key)

    return {
        "pemda": text("pemda"),
        "latar": text("latar"),
        "kedudukan": text("kedudukan"),
        "tugas": text("tugas"),
        "fungsi": text("fungsi"),
        "isu": text("isu"),
        "penutup": text("penutup"),
    }


def _kota(profil: Mapping[str, Any] | None, locale: str) -> str:
    """The office's city (profil `kota`, per locale or flat), else the default profile's."""
    block = (profil.get(locale) or profil.get("id") or profil) if profil is not None else {}
    kota = block.get("kota") if isinstance(block, Mapping) else None
    return kota if isinstance(kota, str) and kota.strip() else default_kota(locale)


class _Keep(dict):  # type: ignore[type-arg]
    """str.format_map that leaves unknown {fields} as they are (office text may contain braces)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _pk_indicators(pk: PkDoc | None) -> dict[str, IndikatorDoc]:
    return {i["kode"]: i for s in (pk["sasaran"] if pk else []) for i in s.get("indikator", [])}


def _signed(value: Decimal | None, locale: str, places: int = 2) -> str:
    if value is None:
        return MISSING
    text = fmt_figure(abs(value), places, locale)
    return text if value == 0 else ("+" if value > 0 else "−") + text


def _perbandingan(
    rows: list[IndikatorRow], pk_ind: Mapping[str, IndikatorDoc], locale: str, akhir_tahun: int
) -> list[PerbandinganRow]:
    """Tabel 3.4: this year against last year and the one Renstra end target lkip.renstra_end gives (a range for a
    rentang indicator, its capaian as the aggregator computes one: lkip.capaian_of)."""
    labels = LABELS[locale]
    out: list[PerbandinganRow] = []
    for row in rows:
        ind: Mapping[str, Any] = pk_ind.get(row["kode"]) or {}
        polaritas = str(ind.get("polaritas") or "positif")
        now, last = row["realisasi_value"], _dec(ind.get("realisasi_tahun_lalu"))
        renstra = renstra_end(ind, akhir_tahun)
        change = None if now is None or last is None else now - last
        kondisi_text = MISSING
        if now is not None and last is not None:
            kondisi_text = kondisi(polaritas, now, last, row["target_range"] or row["target_value"], labels)
        cap_renstra = capaian_of(polaritas, now, renstra)
        places = row["desimal"]
        single = renstra if isinstance(renstra, Decimal) else None
        rng = renstra if isinstance(renstra, tuple) else None
        out.append(
            {
                "no": row["no"],
                "kode": row["kode"],
                "nama": row["nama"],
                "satuan": row["satuan"],
                "desimal": places,
                "realisasi_lalu": fmt_figure(last, places, locale),
                "realisasi_lalu_value": last,
                "realisasi": row["realisasi"],
                "realisasi_value": now,
                "perubahan": _signed(change, locale, places),
                "perubahan_value": change,
                "kondisi": kondisi_text,
                "target_renstra": _fmt_target(single, rng, locale, places),
                "target_renstra_value": single,
                "target_renstra_range": rng,
                "capaian_renstra": fmt_number(cap_renstra, locale=locale),
                "capaian_renstra_value": None if cap_renstra is None else round_half_up(cap_renstra),
            }
        )
    return out


def _spent_before(rekap: RekapDoc, quarters: Mapping[int, RekapDoc]) -> dict[str, Decimal] | None:
    """Per programme, what the single quarters before the period spent (their recaps' `anggaran`): the part of the
    cumulative budget the period's own recap does not carry. None when one of those quarters has no recap with a
    budget yet."""
    periode = str(rekap["periode"])
    before = [q for q in range(1, PERIODE_QUARTERS[periode][0])] if periode in PERIODE_QUARTERS else []
    spent: dict[str, Decimal] = {}
    for q in before:
        recap = quarters.get(q)
        if recap is None or recap.get("anggaran") is None:
            return None
        for a in recap.get("anggaran") or []:
            spent[a.get("kode", "")] = spent.get(a.get("kode", ""), _ZERO) + (_dec(a.get("realisasi")) or _ZERO)
    return spent


def _percent(part: Decimal | None, whole: Decimal) -> Decimal | None:
    return round_half_up(part / whole * _HUNDRED) if part is not None and whole else None


def _money(pagu: Decimal, real: Decimal, pct: Decimal | None, real_sd: Decimal | None, locale: str) -> AnggaranTotal:
    pct_sd = _percent(real_sd, pagu)
    return {
        "pagu": fmt_rupiah(pagu, locale),
        "pagu_value": pagu,
        "realisasi": fmt_rupiah(real, locale),
        "realisasi_value": real,
        "persen": fmt_number(pct, locale=locale),
        "persen_value": pct,
        "realisasi_sd": fmt_rupiah(real_sd, locale) if real_sd is not None else MISSING,
        "realisasi_sd_value": real_sd,
        "persen_sd": fmt_number(pct_sd, locale=locale),
        "persen_sd_value": pct_sd,
    }


def _anggaran(
    rekap: RekapDoc, units: Mapping[str, str], locale: str, quarters: Mapping[int, RekapDoc]
) -> tuple[list[AnggaranRow], AnggaranTotal]:
    """The period's budget per programme and in total, with what was spent from TW I up to the period's end."""
    before = _spent_before(rekap, quarters)
    rows: list[AnggaranRow] = []
    total_pagu, total_real = _ZERO, _ZERO
    for n, a in enumerate(rekap.get("anggaran", []), start=1):
        pagu, real = _dec(a.get("pagu")) or _ZERO, _dec(a.get("realisasi")) or _ZERO
        total_pagu, total_real = total_pagu + pagu, total_real + real
        real_sd = None if before is None else before.get(a.get("kode", ""), _ZERO) + real
        rows.append(
            {
                "no": n,
                "kode": a.get("kode", ""),
                "nama": a.get("nama", ""),
                "unit": units.get(a.get("unit") or "", a.get("unit") or ""),
                **_money(pagu, real, _dec(a.get("persen")), real_sd, locale),
            }
        )
    total_sd = None if before is None else sum((r["realisasi_sd_value"] or _ZERO for r in rows), _ZERO)
    return rows, _money(total_pagu, total_real, _percent(total_real, total_pagu), total_sd, locale)


def _pk_rows(pk: PkDoc | None, units: Mapping[str, str], locale: str) -> list[PkRow]:
    """The PK table (Bab II and Lampiran): sasaran, indicator, satuan, annual and quarterly targets."""
    rows: list[PkRow] = []
    for s in pk.get("sasaran", []) if pk else []:
        inds = list(s.get("indikator", []))
        for k, i in enumerate(inds):
            places = decimals_of(i)
            if i.get("polaritas") == "rentang":
                target = _fmt_target(None, Target.from_pk([i["target_min"], i["target_max"]]).bounds, locale, places)
            else:
                target = fmt_figure(_dec(i.get("target")), places, locale)
            quarterly, values, ranges = [], [], []
            for t in i.get("target_triwulan", []):
                single, rng = (None, Target.from_pk(t).bounds) if isinstance(t, list | tuple) else (_dec(t), None)
                quarterly.append(_fmt_target(single, rng, locale, places))
                values.append(single)
                ranges.append(rng)
            rows.append(
                {
                    "no": len(rows) + 1,
                    "sasaran_kode": s["kode"],
                    "sasaran_nama": s.get("nama", s["kode"]),
                    "sasaran_first": k == 0,
                    "sasaran_span": len(inds) if k == 0 else 0,
                    "kode": i["kode"],
                    "nama": i.get("nama", i["kode"]),
                    "satuan": i.get("satuan", ""),
                    "desimal": places,
                    "target": target,
                    "target_value": _dec(i.get("target")) if i.get("polaritas") != "rentang" else None,
                    "target_range": (
                        Target.from_pk([i["target_min"], i["target_max"]]).bounds
                        if i.get("polaritas") == "rentang"
                        else None
                    ),
                    "tw": (quarterly + [MISSING] * 4)[:4],
                    "tw_values": (values + [None] * 4)[:4],
                    "tw_ranges": (ranges + [None] * 4)[:4],
                    "penanggung_jawab": units.get(i.get("penanggung_jawab", ""), i.get("penanggung_jawab", "")),
                }
            )
    return rows


def _trend(
    rekap: RekapDoc,
    rows: list[IndikatorRow],
    quarters: Mapping[int, RekapDoc],
    pk_ind: Mapping[str, IndikatorDoc],
    locale: str,
) -> list[TrendRow]:
    """Per indicator, target and realisasi of each quarter up to the period's last: from the single quarters'
    recaps (the period's own recap for a quarter); the PK's quarterly target where no recap of it exists yet."""
    periode = str(rekap["periode"])
    last = PERIODE_QUARTERS[periode][-1]
    by_q: dict[int, dict[str, RekapIndikatorDoc]] = {
        q: {r["kode"]: r for r in quarters[q].get("indikator", [])} for q in quarters if q <= last
    }
    if periode.startswith("TW"):
        by_q[last] = {r["kode"]: r for r in rekap.get("indikator", [])}
    out: list[TrendRow] = []
    for row in rows:
        points: list[TrendPoint] = []
        for q in range(1, last + 1):
            raw = by_q.get(q, {}).get(row["kode"])
            if raw is not None:
                single, rng = _target(raw.get("target"))
                realisasi = _dec(raw.get("realisasi"))
            else:
                single, rng = _planned(pk_ind.get(row["kode"]), q)
                realisasi = None
            points.append(
                {
                    "q": q,
                    "label": f"{LABELS[locale]['tw']} {roman(q)}",
                    "target": _fmt_target(single, rng, locale, row["desimal"]),
                    "target_value": single,
                    "target_range": rng,
                    "realisasi": fmt_figure(realisasi, row["desimal"], locale),
                    "realisasi_value": realisasi,
                }
            )
        out.append(
            {
                "kode": row["kode"],
                "nama": row["nama"],
                "satuan": row["satuan"],
                "desimal": row["desimal"],
                "points": points,
            }  # fmt: skip
        )
    return out


def _planned(ind: IndikatorDoc | None, q: int) -> tuple[Decimal | None, Range | None]:
    """The Rencana Aksi's target of quarter q (the PK's `target_triwulan`)."""
    plan: Sequence[TargetPk | None] = (ind.get("target_triwulan") if ind else None) or [None] * 4
    planned = plan[q - 1] if q <= len(plan) else None
    if isinstance(planned, list | tuple):
        return None, Target.from_pk(planned).bounds
    return _dec(planned), None


def _rencana_aksi(
    rows: list[IndikatorRow],
    trend: list[TrendRow],
    pk_rows: list[PkRow],
    pk_ind: Mapping[str, IndikatorDoc],
    locale: str,
) -> list[RencanaAksiRow]:
    """Per indicator, the four quarters of the Rencana Aksi: the target and realisasi of each quarter up to the
    period (as the trend has them: the quarters' recaps), the plan's target of the later ones, and the capaian s.d.
    the period (the recap's own)."""
    annual = {p["kode"]: p for p in pk_rows}
    out: list[RencanaAksiRow] = []
    for row, tr in zip(rows, trend, strict=True):
        pk_row = annual.get(row["kode"])
        ran = {p["q"]: p for p in tr["points"]}
        points: list[RencanaAksiPoint] = []
        for q in (1, 2, 3, 4):
            if q in ran:
                p = ran[q]
                points.append({"q": q, "label": p["label"], "berjalan": True, "target": p["target"],
                               "target_value": p["target_value"], "target_range": p["target_range"],
                               "realisasi": p["realisasi"], "realisasi_value": p["realisasi_value"]})  # fmt: skip
                continue
            single, rng = _planned(pk_ind.get(row["kode"]), q)
            tw = _fmt_target(single, rng, locale, row["desimal"])
            points.append({"q": q, "label": f"{LABELS[locale]['tw']} {roman(q)}", "berjalan": False, "target": tw,
                           "target_value": single, "target_range": rng, "realisasi": MISSING,
                           "realisasi_value": None})  # fmt: skip
        out.append(
            {
                "no": row["no"],
                "kode": row["kode"],
                "nama": row["nama"],
                "satuan": row["satuan"],
                "desimal": row["desimal"],
                "target": pk_row["target"] if pk_row else MISSING,
                "tw": points,
                "realisasi_sd": row.get("realisasi_sd", row["realisasi"]),
                "capaian_sd": row.get("capaian_sd", row["capaian"]),
                "capaian_sd_value": row.get("capaian_sd_value", row["capaian_value"]),
            }
        )
    return out


KUNING_BELOW = Decimal(100)  # the early-warning bands of the monthly progress (docs/collection.md): kuning 85 – < 100
MERAH_BELOW = Decimal(85)  # merah below


def _peringatan(rows: list[IndikatorRow], up_to: str, locale: str) -> list[PeringatanRow]:
    """The period's early warnings: the monthly rule (services/aggregator/tren.py) read at the period's end, where
    the projection to the quarter's end is the realisasi s.d. the period and its capaian is the recap's capaian s.d.
    The renderer does not receive the monthly reports (BulananSubmitted), so a warning raised in a month and
    recovered by the quarter's end is not shown."""
    labels = LABELS[locale]
    out: list[PeringatanRow] = []
    for row in rows:
        capaian = row.get("capaian_sd_value", row["capaian_value"])
        if capaian is None or capaian >= KUNING_BELOW:
            continue
        level = "kuning" if capaian >= MERAH_BELOW else "merah"
        pesan = labels["peringatan_pesan"].format(
            sd=up_to,
            realisasi=row.get("realisasi_sd", row["realisasi"]),
            satuan=row["satuan"],
            target=row.get("target_sd", row["target"]),
            capaian=row.get("capaian_sd", row["capaian"]),
        )
        out.append({"no": len(out) + 1, "kode": row["kode"], "nama": row["nama"], "level": level,
                    "tingkat": labels[level], "pesan": pesan, "capaian_value": capaian})  # fmt: skip
    return out


_ANALISIS_KEYS = ("penyebab", "kendala", "solusi", "tindak_lanjut")


def _sumber(a: Mapping[str, Any], units: Mapping[str, str], locale: str) -> str:
    unit = units.get(str(a.get("unit") or ""), str(a.get("unit") or ""))
    q = a.get("triwulan")
    return f"{unit} ({LABELS[locale]['tw']} {roman(int(q))})" if q else unit


def _analisis_by_indicator(rekap: RekapDoc) -> dict[str, list[Mapping[str, Any]]]:
    out: dict[str, list[Mapping[str, Any]]] = {}
    for a in rekap.get("analisis") or []:
        if isinstance(a, Mapping) and any(str(a.get(k) or "").strip() for k in _ANALISIS_KEYS):
            out.setdefault(str(a.get("indikator")), []).append(a)
    return out


def _analisis_periode(
    rows: list[IndikatorRow],
    rekap: RekapDoc,
    pk_ind: Mapping[str, IndikatorDoc],
    units: Mapping[str, str],
    locale: str,
    has_sd: bool,
) -> list[AnalisisPeriode]:
    """Per indicator of the period with an analysis from its units (the recap's `analisis`: penyebab, kendala,
    solusi, tindak lanjut per unit and quarter), or with a capaian outside 100–120 % (checks.LOW/HIGH): a row per
    unit and quarter, and without a penyebab the note that the analysis has not been sent (as
    checks.analysis_missing flags it)."""
    by_ind = _analisis_by_indicator(rekap)
    out: list[AnalisisPeriode] = []
    n = 0
    for row in rows:
        items = by_ind.get(row["kode"], [])
        capaian = row["capaian_value"]
        outside = capaian is not None and not (checks.LOW <= capaian <= checks.HIGH)
        if not items and not outside:
            continue
        n += 1
        texts = [{k: str(a.get(k) or "").strip() or MISSING for k in _ANALISIS_KEYS} for a in items]
        explained = any(t["penyebab"] != MISSING for t in texts)
        ind = pk_ind.get(row["kode"])
        pj = str(ind.get("penanggung_jawab") or "") if ind else ""
        sources = [_sumber(a, units, locale) for a in items] or [units.get(pj, pj) or MISSING]
        for k, (sumber, t) in enumerate(zip(sources, texts or [dict.fromkeys(_ANALISIS_KEYS, MISSING)], strict=True)):
            out.append(
                {
                    "no": n,
                    "kode": row["kode"],
                    "nama": row["nama"],
                    "satuan": row["satuan"],
                    "capaian": row["capaian"],
                    "capaian_value": capaian,
                    "capaian_sd": str(row.get("capaian_sd", "")) if has_sd else "",
                    "predikat": row["predikat"],
                    "unit": units.get(pj, pj) or MISSING,
                    "first": k == 0,
                    "span": len(sources) if k == 0 else 0,
                    "sumber": sumber,
                    "penyebab": t["penyebab"],
                    "kendala": t["kendala"],
                    "solusi": t["solusi"],
                    "tindak_lanjut": t["tindak_lanjut"],
                    "belum": LABELS[locale]["analisis_belum"] if outside and not explained else "",
                    "kosong": not items,
                }
            )
    return out


def _konsistensi(
    rows: list[IndikatorRow],
    rekap: RekapDoc,
    quarters: Mapping[int, RekapDoc],
    units: Mapping[str, str],
    locale: str,
) -> list[KonsistensiRow]:
    """The recap's consistency findings (shared.sakip.checks.consistency, read against the single quarters'
    recaps, the period's own for a quarter), each worded with its figures as this document's tables print them
    (fmt_figure, the budget's 2 decimals, rupiah) and the units' analysis of the indicator, if any."""
    labels = LABELS[locale]
    periode = str(rekap["periode"])
    read_against = {**quarters, int(periode[2:]): rekap} if periode.startswith("TW") else dict(quarters)
    by_row = {r["kode"]: r for r in rows}
    by_ind = _analisis_by_indicator(rekap)
    out: list[KonsistensiRow] = []
    for f in checks.consistency(rekap, read_against):
        values = {k: _dec(v) for k, v in f["values"].items()}
        row = by_row.get(f["indikator"])
        fill: dict[str, Any] = {"kode": f["indikator"], "nama": row["nama"] if row else "",
                                "satuan": row["satuan"] if row else ""}  # fmt: skip
        places = row["desimal"] if row else 2
        if f["rule"] == "serapan_anggaran":
            fill |= {"realisasi": fmt_figure(values.get("realisasi"), places, locale),
                     "serapan": fmt_number(values.get("serapan_kumulatif"), 2, locale)}  # fmt: skip
        elif f["rule"] == "cacah_desimal":
            value = values.get("realisasi", values.get("realisasi_sd"))
            fill |= {"realisasi": fmt_figure(value, places, locale),
                     "sd": f" {labels['up_to']}" if "realisasi_sd" in values else ""}  # fmt: skip
        elif f["rule"] == "melebihi_pagu":
            real, pagu = values.get("realisasi"), values.get("pagu")
            programmes: list[Mapping[str, Any]] = list(rekap.get("anggaran") or [])
            nama = next((str(a.get("nama", "")) for a in programmes if a.get("kode") == f["indikator"]), "")
            fill |= {"nama": nama, "realisasi": fmt_rupiah(real, locale) if real is not None else MISSING,
                     "pagu": fmt_rupiah(pagu, locale) if pagu is not None else MISSING}  # fmt: skip
        key = f"ks_{f['rule']}"
        pesan = labels[key].format(**fill) if key in labels else f["message_id" if locale == "id" else "message_en"]
        penjelasan = [
            f"{_sumber(a, units, locale)}: "
            + "; ".join(str(a.get(k)).strip().rstrip(".;") for k in _ANALISIS_KEYS if str(a.get(k) or "").strip())
            + "."
            for a in by_ind.get(f["indikator"], [])
        ]
        out.append({"no": len(out) + 1, "rule": f["rule"], "kode": f["indikator"], "pesan": " ".join(pesan.split()),
                    "penjelasan": penjelasan})  # fmt: skip
    return out


def _trend_instansi(rekap: RekapDoc, quarters: Mapping[int, RekapDoc], locale: str) -> list[TrendInstansi]:
    """The office's capaian of each quarter up to the period's last (from the single quarters' recaps; the period's
    own recap for a quarter)."""
    periode = str(rekap["periode"])
    last = PERIODE_QUARTERS[periode][-1]
    out: list[TrendInstansi] = []
    for q in range(1, last + 1):
        source = rekap if periode == f"TW{q}" else quarters.get(q)
        value = _dec(source.get("capaian_instansi") if source else None)
        out.append({"label": f"{LABELS[locale]['tw']} {roman(q)}", "capaian_value": value})
    return out


MAX_INDICATOR_BARS = 40  # above: the capaian chart has one bar per sasaran
MAX_TREND_PANELS = 12  # above: the trend chart is the office's capaian by quarter, one panel


_SD_LABELS = ("realisasi_sd_rp", "persen_sd", "capaian_sd", "peringatan_ket", "peringatan_nihil")  # "{sd}" filled


def _choose_charts(rows: list[IndikatorRow], trend: list[TrendRow], labels: dict[str, str], up_to: str = "") -> Charts:
    """Per indicator while the charts stay readable (and quick to draw: a bar, or a panel, per indicator costs
    tens of milliseconds); beyond, a summary, and the caption says which."""
    grafik_per = "indikator" if len(rows) <= MAX_INDICATOR_BARS else "sasaran"
    grafik_tren_per = "indikator" if len(trend) <= MAX_TREND_PANELS else "instansi"
    summary = grafik_tren_per != "indikator"
    captions = {
        **labels,
        **{k: labels[k].format(sd=up_to) for k in _SD_LABELS},
        "grafik": labels["grafik"] if grafik_per == "indikator" else labels["grafik_sasaran"],
        "grafik_tren": labels["grafik_tren_instansi"] if summary else labels["grafik_tren"],
    }
    return Charts(grafik_per, grafik_tren_per, captions)


class Charts(NamedTuple):
    grafik_per: str
    grafik_tren_per: str
    labels: dict[str, str]


def _sasaran_detail(vm: RecapView, rekap: RekapDoc, pk: PkDoc | None) -> list[SasaranDetail]:
    """Bab III per sasaran: its indicators and the kendala/solusi of the units answering for them."""
    owners: dict[str | None, set[str | None]] = {}  # sasaran -> the units answering for it
    for raw in rekap.get("indikator", []):
        owners.setdefault(raw.get("sasaran", ""), set()).add(raw.get("penanggung_jawab", ""))
    for prog in (pk.get("program", []) if pk else []) or []:
        owners.setdefault(prog.get("sasaran", ""), set()).add(prog.get("unit", ""))
    out: list[SasaranDetail] = []
    for s in vm["sasaran"]:
        rows = [r for r in vm["rows"] if r["sasaran_kode"] == s["kode"]]
        notes = [c for c in vm["catatan"] if c["unit_kode"] in owners.get(s["kode"], set())]
        out.append({**s, "rows": rows, "catatan": notes})
    return out


def _report_parts(
    vm: RecapView,
    rekap: RekapDoc,
    pk: PkDoc | None,
    quarters: Mapping[int, RekapDoc],
    profil: Mapping[str, Any] | None,
    units: Mapping[str, str],
    tindak_lanjut: Sequence[Mapping[str, Any]] = (),
) -> AllParts:
    locale, labels = vm["locale"], vm["labels"]
    pk_ind = _pk_indicators(pk)
    anggaran, anggaran_total = _anggaran(rekap, units, locale, quarters)
    trend = _trend(rekap, vm["rows"], quarters, pk_ind, locale)
    trend_quarters = [p["label"] for p in trend[0]["points"]] if trend else []
    trend_instansi = _trend_instansi(rekap, quarters, locale)
    charts = _choose_charts(vm["rows"], trend, labels, vm["up_to_label"] or vm["periode_label"])
    pk_rows = _pk_rows(pk, units, locale)
    periodic = vm["kind"] != "tahunan"  # the quarterly and semester reports' own parts
    rencana_aksi = _rencana_aksi(vm["rows"], trend, pk_rows, pk_ind, locale) if periodic else []
    peringatan = _peringatan(vm["rows"], vm["up_to_label"], locale) if periodic else []
    analisis_periode = _analisis_periode(vm["rows"], rekap, pk_ind, units, locale, vm["has_sd"]) if periodic else []
    konsistensi = _konsistensi(vm["rows"], rekap, quarters, units, locale) if periodic else []
    programmes = (pk.get("program", []) if pk else []) or []
    program: list[ProgramRow] = [
        {"no": n, "kode": p["kode"], "nama": p["nama"], "pagu": fmt_rupiah(Decimal(str(p["pagu"])), locale)}
        for n, p in enumerate(programmes, start=1)
    ]
    pk_doc: Mapping[str, Any] = pk or {}
    akhir = int((pk_doc.get("renstra") or {}).get("tahun_akhir") or 0)
    perbandingan = _perbandingan(vm["rows"], pk_ind, locale, akhir) if vm["kind"] == "tahunan" else []
    struktur = [u["nama"] for u in (pk.get("units", []) if pk else []) if u.get("jenis") != "instansi_terkait"]
    measured = [(r, r["capaian_value"]) for r in vm["rows"] if r["capaian_value"] is not None]
    fill = {
        "instansi": vm["instansi"],
        "tahun": vm["tahun"],
        "periode": vm["periode_label"],
        "jenis": vm["jenis"],
        "n_sasaran": len(vm["sasaran"]),
        "n_indikator": len(vm["rows"]),
        "n_tercapai": sum(1 for _, value in measured if value >= _HUNDRED),
        "n_belum": sum(1 for _, value in measured if value < _HUNDRED),
        "capaian": vm["capaian_instansi"],
        "predikat": vm["predikat_instansi"],
        "realisasi": anggaran_total["realisasi"],
        "pagu": anggaran_total["pagu"],
        "persen": anggaran_total["persen"],
    }
    ringkasan = [labels["ringkasan_1"].format(**fill), labels["ringkasan_2"].format(**fill)]
    if anggaran:
        ringkasan.append(labels["ringkasan_3"].format(**fill))
    office = _profil(profil, locale, fill)
    penutup = []
    if measured:
        best = max(measured, key=lambda m: m[1])[0]
        worst = min(measured, key=lambda m: m[1])[0]
        penutup.append(
            labels["penutup_1"].format(
                **fill,
                terbaik=best["nama"],
                capaian_terbaik=best["capaian"],
                terendah=worst["nama"],
                capaian_terendah=worst["capaian"],
            )
        )
    parts: AllParts = {
        "labels": charts.labels,
        "anggaran": anggaran,
        "anggaran_total": anggaran_total,
        "anggaran_sd": _has_sd(vm["periode"]) and anggaran_total["realisasi_sd_value"] is not None,
        "rencana_aksi": rencana_aksi,
        "peringatan": peringatan,
        "analisis_periode": analisis_periode,
        "konsistensi": konsistensi,
        "trend": trend,
        "trend_quarters": trend_quarters,
        "trend_instansi": trend_instansi,
        "grafik_per": charts.grafik_per,
        "grafik_tren_per": charts.grafik_tren_per,
        "pk_rows": pk_rows,
        "program": program,
        "perbandingan": perbandingan,
        "sasaran_detail": _sasaran_detail(vm, rekap, pk),
        "struktur": struktur,
        "ringkasan": ringkasan,
        "profil": office,
        "penutup": penutup + list(office["penutup"] or []),
        "bab2_intro": labels["bab2_intro"].format(**fill),
    }
    if vm["kind"] != "tahunan":
        return parts
    own = {key: profil_text(profil, locale, fill, key) for key in ("kata_pengantar", "sdm", "kota")}
    return {**parts, **annual_parts({**vm, **parts}, rekap, pk, units, own, quarters, tindak_lanjut)}
