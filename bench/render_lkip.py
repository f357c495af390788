"""Render the worked example's annual LKIP (view-model + .docx, .pdf, .xlsx) N times; print the median and p90.

    .venv/bin/python bench/render_lkip.py [N]      # default N=10
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.renderer.documents import render_all  # noqa: E402
from services.renderer.viewmodel import build_view_model  # noqa: E402
from tests.unit.renderer.worked_example import load_pk, quarter_recaps, recaps  # noqa: E402


def main(n: int) -> None:
    pk, all_recaps = load_pk(), recaps()
    times, sizes = [], {}
    render_all(build_view_model(all_recaps["TAHUNAN"], pk=pk, final=False, generated_on=date(2025, 1, 20)))  # warm-up
    for _ in range(n):
        start = time.perf_counter()
        vm = build_view_model(
            all_recaps["TAHUNAN"],
            pk=pk,
            final=False,
            generated_on=date(2025, 1, 20),
            quarters=quarter_recaps(all_recaps),
        )
        files = render_all(vm)
        times.append(time.perf_counter() - start)
        sizes = {fmt: len(data) for fmt, data in files.items()}
    times.sort()
    p90 = times[min(len(times) - 1, max(0, round(0.9 * len(times)) - 1))]
    print(f"annual LKIP 2024, three formats, n={n}, {os.cpu_count()} cores")
    print(f"median {statistics.median(times):.2f} s   p90 {p90:.2f} s   min {times[0]:.2f} s   max {times[-1]:.2f} s")
    print("sizes: " + ", ".join(f"{fmt} {size / 1024:.0f} KiB" for fmt, size in sorted(sizes.items())))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
