"""The worked example (examples/*.json) as the recaps the aggregator publishes, for the renderer's tests and
bench/render_lkip.py: every period's recap with its catatan, analisis and anggaran, as services/aggregator/handlers.py
computes them."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from services.aggregator.domain import PERIODE_QUARTERS
from services.aggregator.rekap import build_rekap, parse_pk
from services.renderer.documents import render_all

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PERIODES = ("TW1", "TW2", "TW3", "TW4", "S1", "S2", "TAHUNAN")


def load_pk() -> dict[str, Any]:
    return dict(json.loads((EXAMPLES / "pk-2024.json").read_text()))


def load_submissions() -> list[dict[str, Any]]:
    return list(json.loads((EXAMPLES / "submissions-2024.json").read_text()))


def recaps(pk: dict[str, Any] | None = None, submissions: list[dict[str, Any]] | None = None) -> dict[str, dict]:
    """{periode: recap} for 2024; a later submission of a unit and quarter replaces the earlier one."""
    pk = pk or load_pk()
    submissions = submissions if submissions is not None else load_submissions()
    latest: dict[tuple[int, str], dict[str, Any]] = {}
    for sub in submissions:  # a correction keeps what it does not name (the collector's revision snapshot)
        before = latest.get((sub["triwulan"], sub["unit"]), {})
        merged = {**before, **{k: v for k, v in sub.items() if v is not None}}
        named = {item["indikator"]: item for item in [*before.get("realisasi", []), *sub["realisasi"]]}
        merged["realisasi"] = list(named.values())
        latest[(sub["triwulan"], sub["unit"])] = merged
    values: dict[str, dict[int, Decimal]] = {}
    for (q, _unit), sub in sorted(latest.items()):
        for item in sub["realisasi"]:
            values.setdefault(item["indikator"], {})[q] = Decimal(item["nilai"])
    sasaran, indikator = parse_pk(pk)
    out = {}
    for periode in PERIODES:
        quarters = PERIODE_QUARTERS[periode]
        rekap = build_rekap(tahun=2024, periode=periode, sasaran=sasaran, indikator=indikator, values=values)
        subs = [s for (q, _u), s in sorted(latest.items()) if q in quarters]
        rekap["status"] = "complete"
        rekap["catatan"] = [
            {"triwulan": s["triwulan"], "unit": s["unit"], "kendala": s.get("kendala"), "solusi": s.get("solusi")}
            for s in subs
            if s.get("kendala") or s.get("solusi")
        ]
        order = [i["kode"] for s in pk["sasaran"] for i in s["indikator"]]
        rekap["analisis"] = sorted(
            (
                {"indikator": item["indikator"], "triwulan": s["triwulan"], "unit": s["unit"],
                 **{k: item.get(k) for k in ("penyebab", "kendala", "solusi", "tindak_lanjut")}}
                for s in subs
                for item in s["realisasi"]
                if any(item.get(k) for k in ("penyebab", "kendala", "solusi", "tindak_lanjut"))
            ),
            key=lambda a: (order.index(a["indikator"]), a["triwulan"]),
        )  # fmt: skip
        anggaran = []
        for prog in pk.get("program", []):
            spent = sum(
                (Decimal(s["anggaran"]["realisasi"]) for s in subs if s["unit"] == prog["unit"] and s.get("anggaran")),
                Decimal(0),
            )
            pagu = Decimal(str(prog["pagu"]))
            pct = (spent / pagu * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            anggaran.append({**prog, "pagu": str(pagu), "realisasi": str(spent), "persen": str(pct)})
        rekap["anggaran"] = anggaran
        if len(quarters) > 1:
            rekap["quarters_final"] = True
        out[periode] = rekap
    return out


def quarter_recaps(all_recaps: dict[str, dict]) -> dict[int, dict]:
    return {q: all_recaps[f"TW{q}"] for q in (1, 2, 3, 4)}


_RENDERED: dict[str, dict[str, bytes]] = {}


def _vm_key(vm: Any) -> str:
    """The view-model as text, each value with its type (Decimal("1") and "1" are different view-models)."""
    return json.dumps(vm, sort_keys=True, default=lambda o: f"{type(o).__qualname__}:{o!r}")


def rendered(vm: dict[str, Any]) -> dict[str, bytes]:
    """render_all(vm) once per test session for equal view-models: many tests of several modules assert on the
    same document (the worked example's TW1, S1, LKIP…) and a render costs seconds of matplotlib and WeasyPrint.
    Rendering is deterministic (test_reports.py::test_rerendering_gives_identical_bytes_and_text renders twice
    and compares, and must keep calling render_all itself), so sharing the bytes changes no assertion. A copy of
    the dict, so a test that replaces an entry changes nobody else's."""
    key = _vm_key(vm)
    if key not in _RENDERED:
        _RENDERED[key] = render_all(vm)
    return dict(_RENDERED[key])
