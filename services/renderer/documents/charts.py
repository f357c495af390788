"""The two charts (capaian per indicator or sasaran, and the trend by quarter) as deterministic PNG bytes, drawn once
for the .docx and the .pdf of one view-model."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from decimal import Decimal
from io import BytesIO
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from shared.formatting import fmt_number


def _png(fig: Figure) -> bytes:
    """Drawn once: the figures lay themselves out (bbox_inches="tight" would draw everything twice to crop)."""
    buf = BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _margins(fig: Figure, *, left_in: float, right_in: float, top_in: float, bottom_in: float) -> None:
    width, height = fig.get_size_inches()
    fig.subplots_adjust(
        left=left_in / width, right=1 - right_in / width, top=1 - top_in / height, bottom=bottom_in / height
    )


def capaian_chart_png(vm: Mapping[str, Any]) -> bytes:
    """Horizontal bars of capaian per indicator (per sasaran for a large office: vm["grafik_per"]) against the
    100% line; deterministic PNG bytes."""
    per_indicator = vm.get("grafik_per", "indikator") == "indikator"
    rows = list(reversed(vm["rows"] if per_indicator else vm["sasaran"]))  # first on top
    labels, locale = vm["labels"], vm["locale"]
    fig = Figure(figsize=(6.4, 0.36 * len(rows) + 1.0), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    names = [f"{r['kode']}  {textwrap.shorten(r['nama'], 38, placeholder='…')}".replace("$", r"\$") for r in rows]
    values = [float(r["capaian_value"]) if r["capaian_value"] is not None else 0.0 for r in rows]
    colors = ["#1f4e79" if v >= 100 else "#5b9bd5" for v in values]
    ax.barh(range(len(rows)), values, color=colors, height=0.6)
    ax.set_yticks(range(len(rows)), names)
    top = max([110.0, *values]) * 1.12
    box = {"fc": "white", "ec": "none", "pad": 0.6}  # keeps the figure readable across the 100% line
    for y, (row, v) in enumerate(zip(rows, values, strict=True)):
        ax.text(v + top * 0.01, y, row["capaian"], va="center", fontsize=7, bbox=box, zorder=4)
    ax.axvline(100, color="#c00000", linestyle="--", linewidth=1, label=labels["garis_target"])
    ax.set_xlim(0, top)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel(labels["capaian"], fontsize=8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: fmt_number(x, 0, locale)))
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    widest = max((len(n) for n in names), default=10)  # DejaVu Sans 7 pt: about 0.055 in per character
    _margins(fig, left_in=0.055 * widest + 0.2, right_in=0.15, top_in=0.35, bottom_in=0.5)
    return _png(fig)


def _tick(value: float, locale: str) -> str:
    return fmt_number(Decimal(str(value)), 0 if float(value).is_integer() else 1, locale)


def trend_chart_png(vm: Mapping[str, Any]) -> bytes:
    """Realisasi (bars) against target (line; a band for a range target) by quarter, one panel per indicator; for
    a large office (vm["grafik_tren_per"]) the office's capaian by quarter instead."""
    if vm.get("grafik_tren_per", "indikator") != "indikator":
        return _trend_instansi_png(vm)
    trend, labels, locale = vm["trend"], vm["labels"], vm["locale"]
    cols = 3
    nrows = max(1, math.ceil(len(trend) / cols))
    fig = Figure(figsize=(7.0, 2.05 * nrows + 0.4), dpi=150)
    FigureCanvasAgg(fig)
    for n, ind in enumerate(trend):
        ax = fig.add_subplot(nrows, cols, n + 1)
        pts = ind["points"]
        xs = list(range(len(pts)))
        real = [float(p["realisasi_value"]) if p["realisasi_value"] is not None else 0.0 for p in pts]
        ax.bar(xs, real, color="#1f4e79", width=0.55, label=labels["realisasi"], zorder=2)
        if any(p["target_range"] for p in pts):
            low = [float(p["target_range"][0]) if p["target_range"] else math.nan for p in pts]
            high = [float(p["target_range"][1]) if p["target_range"] else math.nan for p in pts]
            ax.fill_between(xs, low, high, color="#c00000", alpha=0.18, step="mid", label=labels["target"], zorder=1)
        else:
            tgt = [float(p["target_value"]) if p["target_value"] is not None else math.nan for p in pts]
            ax.plot(xs, tgt, color="#c00000", marker="o", markersize=3, linewidth=1.2, label=labels["target"], zorder=3)
        ax.set_xticks(xs, [p["label"] for p in pts])
        title = textwrap.shorten(ind["nama"], 30, placeholder="…").replace("$", r"\$")
        ax.set_title(f"{ind['kode']} ({ind['satuan']})\n{title}".replace("$", r"\$"), fontsize=6.5)
        ax.yaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: _tick(y, locale)))
        ax.tick_params(labelsize=6)
        ax.spines[["top", "right"]].set_visible(False)
        if n == 0:
            fig.legend(fontsize=7, loc="upper center", ncols=2, frameon=False, bbox_to_anchor=(0.5, 1.0))
    top = 1 - 0.55 / (2.05 * nrows + 0.4)  # fixed spacing: tight_layout costs a second to lay out nine panels
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.05, top=top - 0.05, hspace=0.75, wspace=0.32)
    return _png(fig)


def _trend_instansi_png(vm: Mapping[str, Any]) -> bytes:
    points, labels, locale = vm["trend_instansi"], vm["labels"], vm["locale"]
    fig = Figure(figsize=(7.0, 2.6), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xs = list(range(len(points)))
    values = [float(p["capaian_value"]) if p["capaian_value"] is not None else 0.0 for p in points]
    ax.bar(xs, values, color="#1f4e79", width=0.55, zorder=2)
    for x, p, v in zip(xs, points, values, strict=True):
        if p["capaian_value"] is not None:
            ax.text(x, v, fmt_number(p["capaian_value"], locale=locale), ha="center", va="bottom", fontsize=7)
    ax.axhline(100, color="#c00000", linestyle="--", linewidth=1, label=labels["garis_target"], zorder=3)
    ax.set_xticks(xs, [p["label"] for p in points])
    ax.set_ylim(0, max([110.0, *values]) * 1.15)
    ax.set_ylabel(labels["capaian"], fontsize=8)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: _tick(y, locale)))
    ax.tick_params(labelsize=7)
    ax.legend(fontsize=7, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    _margins(fig, left_in=0.7, right_in=0.2, top_in=0.35, bottom_in=0.4)
    return _png(fig)


def series_chart_png(item: Mapping[str, Any], labels: Mapping[str, str], locale: str) -> bytes:
    """The LKIP's multi-year chart of one indicator (lkip.py `analisis_indikator`): realisasi by year (bars) and
    the Renstra's target path (line; a band for a range target)."""
    pts = item["grafik_seri"]
    fig = Figure(figsize=(6.0, 2.1), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xs = list(range(len(pts)))
    real = [float(p["realisasi_value"]) if p["realisasi_value"] is not None else math.nan for p in pts]
    ax.bar(xs, [0.0 if math.isnan(v) else v for v in real], color="#1f4e79", width=0.55, label=labels["realisasi"],
           zorder=2)  # fmt: skip
    for x, p, v in zip(xs, pts, real, strict=True):
        if p["realisasi_value"] is not None:
            ax.text(x, v, fmt_number(p["realisasi_value"], item.get("desimal", 2), locale), ha="center",
                    va="bottom", fontsize=6.5)  # fmt: skip
    if any(p["target_range"] for p in pts):
        ranged = [(x, p["target_range"]) for x, p in zip(xs, pts, strict=True) if p["target_range"]]
        for n, (x, (low, high)) in enumerate(ranged):  # each year's range across its bar
            ax.fill_between([x - 0.45, x + 0.45], float(low), float(high), color="#c00000", alpha=0.18, zorder=1,
                            label=labels["target_renstra_garis"] if n == 0 else None)  # fmt: skip
    elif any(p["target_value"] is not None for p in pts):
        tgt = [float(p["target_value"]) if p["target_value"] is not None else math.nan for p in pts]
        ax.plot(xs, tgt, color="#c00000", marker="o", markersize=3, linewidth=1.2,
                label=labels["target_renstra_garis"], zorder=3)  # fmt: skip
    ax.set_xticks(xs, [str(p["tahun"]) for p in pts])
    ax.set_ylabel(str(item["satuan"]).replace("$", r"\$"), fontsize=7)
    count = item.get("desimal", 2) == 0  # a count: whole ticks (no "2,5 kasus")
    ax.yaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 2.5, 5, 10], integer=count))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: _tick(y, locale)))
    ax.tick_params(labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=7, loc="lower right", bbox_to_anchor=(1.0, 1.0), frameon=False, ncols=2)
    _margins(fig, left_in=0.7, right_in=0.2, top_in=0.35, bottom_in=0.35)
    return _png(fig)


def chart_images(vm: Mapping[str, Any]) -> dict[str, bytes]:
    """The charts as PNG, drawn once for the .docx and the .pdf of one view-model: the two of every report and,
    in the LKIP, one multi-year chart per indicator (keyed by its `grafik_kunci`)."""
    out = {"grafik": capaian_chart_png(vm), "grafik_tren": trend_chart_png(vm)}
    for item in vm.get("analisis_indikator") or []:
        if item["grafik_seri"]:
            out[item["grafik_kunci"]] = series_chart_png(item, vm["labels"], vm["locale"])
    return out
