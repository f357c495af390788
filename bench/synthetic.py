"""A synthetic office for load and scale runs: U units × I indicators per unit, with targets for four quarters,
and submissions whose values change on every call (so each one makes a new revision)."""

from __future__ import annotations

import random
from typing import Any

POLARITAS = ("positif", "negatif", "positif", "rentang")
AGREGASI = ("jumlah", "terakhir", "rata_rata")


def synthetic_pk(tahun: int, units: int, per_unit: int, seed: int = 1) -> dict[str, Any]:
    rnd = random.Random(seed)
    unit_rows = [{"kode": f"U{u:03d}", "nama": f"Unit Kerja {u}", "jenis": "bidang"} for u in range(units)]
    sasaran = []
    for u in range(units):
        indikator = []
        for i in range(per_unit):
            polaritas = POLARITAS[(u + i) % len(POLARITAS)]
            ind: dict[str, Any] = {
                "kode": f"IK-{u:03d}-{i:03d}", "nama": f"Indikator {i} unit {u}", "satuan": "orang",
                "polaritas": polaritas, "agregasi": AGREGASI[i % len(AGREGASI)], "penanggung_jawab": f"U{u:03d}",
            }
            if polaritas == "rentang":
                ind.update(target_min="40", target_max="60", target_triwulan=[["10", "20"]] * 4)
            else:
                base = rnd.randint(10, 500)
                ind.update(target=str(base * 4), target_triwulan=[str(base)] * 4)
            indikator.append(ind)
        sasaran.append({"kode": f"SS-{u:03d}", "nama": f"Sasaran {u}", "indikator": indikator})
    # a programme per unit: the units' anggaran is counted into the programmes they hold (a unit without one may not
    # send it, and the synthetic submissions do)
    program = [{"kode": f"P-{u:03d}", "nama": f"Program unit {u}", "sasaran": f"SS-{u:03d}",
                "pagu": str(rnd.randint(10**9, 10**10)), "unit": f"U{u:03d}"} for u in range(units)]  # fmt: skip
    return {"instansi": {"kode": "SINTETIS", "nama": "Dinas Sintetis"}, "tahun": tahun, "units": unit_rows,
            "sasaran": sasaran, "program": program}


def synthetic_office(tahun: int, units: int, indicators: int, seed: int = 1) -> dict[str, Any]:
    """An office of `units` units sharing `indicators` indicators in all (unit u answers for indicators u, u+U, …;
    one sasaran per unit), the shape the scale and end-to-end benches grow."""
    pk = synthetic_pk(tahun, units, -(-indicators // units), seed)
    for u, sasaran in enumerate(pk["sasaran"]):
        keep = len(range(u, indicators, units))
        sasaran["indikator"] = sasaran["indikator"][:keep]
    return pk


def synthetic_submission(pk: dict[str, Any], unit: int, triwulan: int, rnd: random.Random) -> dict[str, Any]:
    s = pk["sasaran"][unit]
    return {
        "tahun": pk["tahun"], "triwulan": triwulan, "unit": f"U{unit:03d}",
        "realisasi": [{"indikator": i["kode"], "nilai": str(rnd.randint(0, 1000))} for i in s["indikator"]],
        "anggaran": {"realisasi": str(rnd.randint(1, 10**9))},
    }
