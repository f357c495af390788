"""Perjanjian Kinerja versions (issue 3.8, *PK perubahan*): every PUT that changes the PK is a new version; the old
ones stay readable, and each version lists what it changed against the one before, so an inspector can follow a
mid-year revision. Recaps carry the version they used (`pk_version`)."""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from services.collector import answers as a
from services.collector.core.errors import NotFound, pk_not_found
from services.collector.core.pkdoc import PkDoc
from services.collector.models import PkVersion
from services.collector.validation import indikator_index
from shared.clock import as_utc

COMPARED = ("nama", "satuan", "polaritas", "agregasi", "target", "target_min", "target_max", "target_triwulan",
            "penanggung_jawab",
            "desimal", "kategori", "realisasi_tahun_sebelumnya", "target_renstra", "benchmark")  # fmt: skip


def changes(old: PkDoc, new: PkDoc) -> list[a.Perubahan]:
    """What `new` changed against `old`: units and indicators added or removed, and each changed field of an
    indicator with its old and new value (in PK order)."""
    out: list[a.Perubahan] = []
    old_units = {u["kode"]: u for u in old.get("units", [])}
    new_units = {u["kode"]: u for u in new.get("units", [])}
    out += [{"jenis": "unit_ditambah", "kode": k} for k in new_units if k not in old_units]
    out += [{"jenis": "unit_dihapus", "kode": k} for k in old_units if k not in new_units]
    old_ind, new_ind = indikator_index(old), indikator_index(new)
    out += [{"jenis": "indikator_dihapus", "kode": k} for k in old_ind if k not in new_ind]
    for kode, ind in new_ind.items():
        before = old_ind.get(kode)
        if before is None:
            out.append({"jenis": "indikator_ditambah", "kode": kode})
            continue
        for field in COMPARED:
            if _norm(before.get(field)) != _norm(ind.get(field)):
                out.append(
                    {
                        "jenis": "indikator_diubah",
                        "kode": kode,
                        "field": field,
                        "lama": before.get(field),
                        "baru": ind.get(field),
                    }  # fmt: skip
                )
    return out


def _norm(value: object) -> object:
    """Compare targets as numbers written as text or JSON numbers alike ("180" == 180)."""
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):  # a benchmark, a past year, a Renstra year
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def versions(session: Session, tahun: int) -> list[PkVersion]:
    return list(session.exec(select(PkVersion).where(PkVersion.tahun == tahun).order_by(col(PkVersion.version))))


def summary(tahun: int, rows: list[PkVersion]) -> a.DaftarVersiPk:
    out: list[a.VersiPk] = []
    previous: PkDoc | None = None
    for row in rows:
        doc: PkDoc = json.loads(row.body)
        out.append(
            {
                "version": row.version,
                "created_at": _iso(row),
                "keterangan": doc.get("keterangan"),
                "indikator": len(indikator_index(doc)),
                "units": len(doc.get("units", [])),
                "perubahan": changes(previous, doc) if previous is not None else [],
            }
        )
        previous = doc
    return {"tahun": tahun, "versi": out}


def one(session: Session, tahun: int, version: int | None) -> a.PkDokumen:
    rows = versions(session, tahun)
    if not rows:
        raise pk_not_found()
    row = rows[-1] if version is None else next((r for r in rows if r.version == version), None)
    if row is None:
        raise NotFound.one(
            "version", "unknown_version", f"Versi {version} tidak ada.", f"There is no version {version}."
        )
    return {"tahun": tahun, "version": row.version, "created_at": _iso(row), "pk": json.loads(row.body)}


def _iso(row: PkVersion) -> str:
    return as_utc(row.created_at).isoformat()
