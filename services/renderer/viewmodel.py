"""One view-model per report: every figure both as its raw Decimal (for .xlsx) and as the string the
.docx and .pdf show, so the three formats cannot disagree. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby
from typing import Any

from shared.formatting import MISSING, fmt_date, fmt_number, periode_label, roman

LABELS: dict[str, dict[str, str]] = {
    "id": {
        "report": "Laporan Kinerja",
        "report_annual": "Laporan Kinerja Instansi Pemerintah",
        "no": "No",
        "kode": "Kode",
        "sasaran": "Sasaran Strategis",
        "indikator": "Indikator Kinerja",
        "satuan": "Satuan",
        "target": "Target",
        "realisasi": "Realisasi",
        "capaian": "Capaian (%)",
        "predikat": "Predikat",
        "keterangan": "Keterangan",
        "up_to": "s.d.",
        "per_indikator": "Capaian Kinerja per Indikator",
        "kumulatif": "Capaian Kinerja Kumulatif",
        "per_sasaran": "Capaian Kinerja per Sasaran Strategis",
        "instansi": "Capaian Kinerja Instansi",
        "grafik": "Grafik Capaian Kinerja per Indikator",
        "catatan": "Kendala dan Solusi",
        "unit": "Unit Kerja",
        "kendala": "Kendala",
        "solusi": "Solusi",
        "pengesahan": "Lembar Pengesahan",
        "nama": "Nama",
        "nip": "NIP",
        "jabatan": "Jabatan",
        "tanggal": "Tanggal",
        "kepala": "Kepala",
        "dicetak": "Dicetak pada",
        "versi": "Versi",
        "draf": "DRAF",
        "halaman": "Halaman",
        "dari": "dari",
        "garis_target": "Target 100%",
        "sheet_indikator": "Indikator",
        "sheet_sasaran": "Sasaran",
    },
    "en": {
        "report": "Performance Report",
        "report_annual": "Government Agency Performance Report",
        "no": "No",
        "kode": "Code",
        "sasaran": "Strategic Objective",
        "indikator": "Performance Indicator",
        "satuan": "Unit",
        "target": "Target",
        "realisasi": "Actual",
        "capaian": "Achievement (%)",
        "predikat": "Rating",
        "keterangan": "Remarks",
        "up_to": "up to",
        "per_indikator": "Achievement per Indicator",
        "kumulatif": "Cumulative Achievement",
        "per_sasaran": "Achievement per Strategic Objective",
        "instansi": "Agency Achievement",
        "grafik": "Achievement per Indicator",
        "catatan": "Obstacles and Solutions",
        "unit": "Work Unit",
        "kendala": "Obstacle",
        "solusi": "Solution",
        "pengesahan": "Approval Sheet",
        "nama": "Name",
        "nip": "NIP",
        "jabatan": "Position",
        "tanggal": "Date",
        "kepala": "Head of",
        "dicetak": "Printed on",
        "versi": "Version",
        "draf": "DRAFT",
        "halaman": "Page",
        "dari": "of",
        "garis_target": "Target 100%",
        "sheet_indikator": "Indicators",
        "sheet_sasaran": "Objectives",
    },
}
PREDIKAT_EN = {
    "Sangat Baik": "Very Good",
    "Baik": "Good",
    "Cukup": "Fair",
    "Kurang": "Poor",
    "Sangat Kurang": "Very Poor",
}
REASONS = {
    "id": {"belum_ada_data": "Belum ada data", "target_nol": "Target nol"},
    "en": {"belum_ada_data": "No data yet", "target_nol": "Zero target"},
}


def _dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def _target(raw: str | None) -> tuple[Decimal | None, tuple[Decimal, Decimal] | None]:
    """The recap writes a range target as "15.00-25.00"; anything else is one number."""
    if raw is None:
        return None, None
    cut = raw.find("-", 1)
    if cut > 0:
        return None, (Decimal(raw[:cut]), Decimal(raw[cut + 1 :]))
    return Decimal(raw), None


def _fmt_target(single: Decimal | None, rng: tuple[Decimal, Decimal] | None, locale: str) -> str:
    if rng is not None:
        return f"{fmt_number(rng[0], locale=locale)} – {fmt_number(rng[1], locale=locale)}"
    return fmt_number(single, locale=locale)


def _predikat(value: str | None, locale: str) -> str:
    if value is None:
        return MISSING
    return PREDIKAT_EN.get(value, value) if locale == "en" else value


def _figures(raw: Mapping[str, Any], suffix: str, locale: str) -> dict[str, Any]:
    """target/realisasi/capaian/predikat of the period (suffix "") or of the year to date ("_sd")."""
    single, rng = _target(raw.get("target" + suffix))
    realisasi, capaian = _dec(raw.get("realisasi" + suffix)), _dec(raw.get("capaian" + suffix))
    reason = raw.get("reason" + suffix)
    return {
        "target" + suffix: _fmt_target(single, rng, locale),
        "realisasi" + suffix: fmt_number(realisasi, locale=locale),
        "capaian" + suffix: fmt_number(capaian, locale=locale),
        "predikat" + suffix: _predikat(raw.get("predikat" + suffix), locale),
        "keterangan" + suffix: REASONS[locale].get(reason, reason) if reason else "",
        "target" + suffix + "_value": single,
        "target" + suffix + "_range": rng,
        "realisasi" + suffix + "_value": realisasi,
        "capaian" + suffix + "_value": capaian,
    }


def _spans(raw_rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Rows of one sasaran share a merged cell: its height on the first row, 0 on the others."""
    spans: list[int] = []
    for _, group in groupby(raw_rows, key=lambda r: r.get("sasaran")):
        size = len(list(group))
        spans += [size] + [0] * (size - 1)
    return spans


def _indikator_rows(rekap: Mapping[str, Any], sasaran_names: Mapping[str, str], locale: str) -> list[dict]:
    raw_rows = list(rekap.get("indikator", []))
    rows: list[dict[str, Any]] = []
    for n, (raw, span) in enumerate(zip(raw_rows, _spans(raw_rows), strict=True), start=1):
        kode_sasaran = raw.get("sasaran", "")
        row = {
            "no": n,
            "kode": raw["kode"],
            "nama": raw.get("nama", raw["kode"]),
            "satuan": raw.get("satuan", ""),
            "sasaran_kode": kode_sasaran,
            "sasaran_nama": sasaran_names.get(kode_sasaran, kode_sasaran),
            "sasaran_first": span > 0,
            "sasaran_span": span,
            **_figures(raw, "", locale),
        }
        if "capaian_sd" in raw:
            row.update(_figures(raw, "_sd", locale))
        rows.append(row)
    return rows


def _up_to_label(periode: str, tahun: int, locale: str) -> str:
    last = {"S1": 2, "S2": 4}.get(periode) or int(periode[2:])
    return f"{LABELS[locale]['up_to']} {periode_label(f'TW{last}', tahun, locale)}"


def _decided(value: Any, locale: str) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    return fmt_date(value, locale) if isinstance(value, date) else MISSING


def _approval(n: int, step: Mapping[str, Any], locale: str) -> dict[str, Any]:
    """One signature of the chain; the official may come flat or under "actor" (the Actor payload)."""
    who = {**step.get("actor", {}), **{k: v for k, v in step.items() if k != "actor"}}
    return {
        "no": n,
        "nama": who.get("nama", ""),
        "nip": who.get("nip") or MISSING,
        "jabatan": who.get("jabatan") or MISSING,
        "decided_at": _decided(who.get("decided_at"), locale),
    }


def build_view_model(
    rekap: Mapping[str, Any],
    *,
    pk: Mapping[str, Any] | None,
    final: bool,
    generated_on: date,
    version: int = 1,
    approvals: Sequence[Mapping[str, Any]] = (),
    locale: str = "id",
) -> dict[str, Any]:
    """The report of one period (RekapCompleted.rekap), labelled in Indonesian or English."""
    if locale not in LABELS:
        raise ValueError(f"unsupported locale {locale!r}")
    labels = LABELS[locale]
    tahun, periode = int(rekap["tahun"]), str(rekap["periode"])
    instansi = (pk or {}).get("instansi", {})
    kepala = instansi.get("kepala", {})
    units = {u["kode"]: u["nama"] for u in (pk or {}).get("units", [])}
    sasaran = list(rekap.get("sasaran", []))
    sasaran_names = {s["kode"]: s.get("nama", s["kode"]) for s in sasaran}
    label = periode_label(periode, tahun, locale)
    jenis = labels["report_annual"] if periode == "TAHUNAN" else labels["report"]
    rows = _indikator_rows(rekap, sasaran_names, locale)
    capaian_instansi = _dec(rekap.get("capaian_instansi"))
    return {
        "locale": locale,
        "labels": labels,
        "title": f"{jenis} {label}",
        "jenis": jenis,
        "instansi": instansi.get("nama", ""),
        "kepala": {
            "jabatan": f"{labels['kepala']} {instansi.get('nama', '')}".strip(),
            "nama": kepala.get("nama", ""),
            "nip": kepala.get("nip", ""),
        },
        "tahun": tahun,
        "periode": periode,
        "periode_label": label,
        "periode_roman": roman(int(periode[-1])) if periode != "TAHUNAN" else "",
        "up_to_label": _up_to_label(periode, tahun, locale) if periode != "TAHUNAN" else "",
        "has_sd": bool(rows) and all("capaian_sd" in r for r in rows),
        "generated_on": generated_on,
        "generated_on_label": fmt_date(generated_on, locale),
        "version": version,
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
                "unit": units.get(c.get("unit", ""), c.get("unit", "")),
                "kendala": c.get("kendala") or MISSING,
                "solusi": c.get("solusi") or MISSING,
            }
            for c in rekap.get("catatan", [])
        ],
    }
