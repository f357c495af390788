"""Draw one quarterly draft of a synthetic office (bench/synthetic.py; default 40 units sharing 300 indicators, the
end-to-end bench's big office) without the running system: its TW I recap as the aggregator computes it, the view
model as the renderer builds it, then each format on its own, N times; print the median and min CPU time per format
(process time, as the machine may be shared) and the median wall time. `apart` is `all` with the PDF drawn in the
renderer's drawing process (documents/drawer.py): its CPU time leaves out that process's, its wall time is the figure.

    .venv/bin/python bench/render_draft.py [--runs 3] [--office 40x300] [--only pdf] [--profile out.prof]
    .venv/bin/python bench/render_draft.py --write /tmp/draft    # also keep the files, to look at them
    .venv/bin/python bench/render_draft.py --default-gc           # without render_all's drawing_pace

The end-to-end bench (e2e_latency.py) measures the same drawing plus the messaging around it; this one isolates the
renderer's part, so a change to the templates can be measured in seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import synthetic_office, synthetic_submission  # noqa: E402
from services.renderer.documents import chart_images, render_all, render_docx, render_pdf, render_xlsx  # noqa: E402
from services.renderer.documents.base import drawing_pace  # noqa: E402
from services.renderer.documents.drawer import pdf_drawer  # noqa: E402
from services.renderer.viewmodel import build_view_model  # noqa: E402
from tests.unit.renderer.worked_example import recaps  # noqa: E402

TAHUN, TRIWULAN = 2024, 1  # worked_example.recaps computes 2024's periods


def draft_view_model(units: int, indicators: int) -> dict[str, Any]:
    """The TW I draft of the office as the renderer builds it after the last unit's report (e2e_latency.office)."""
    pk = synthetic_office(TAHUN, units, indicators)
    rnd = random.Random(3)
    subs = [synthetic_submission(pk, u, TRIWULAN, rnd) for u in range(units)]
    tw1 = recaps(pk, subs)[f"TW{TRIWULAN}"]
    return dict(build_view_model(tw1, pk=pk, final=False, generated_on=date(TAHUN, 4, 10), quarters={1: tw1}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--office", default="40x300", help="UNITSxINDICATORS")
    parser.add_argument("--only", choices=("vm", "charts", "pdf", "docx", "xlsx", "all", "apart"), action="append")
    parser.add_argument("--default-gc", action="store_true", help="draw at Python's default collector pace")
    parser.add_argument("--profile", help="write a cProfile of the PDF's runs here (.prof)")
    parser.add_argument("--write", help="a folder to keep the last run's files in")
    args = parser.parse_args()
    units, indicators = (int(x) for x in args.office.split("x"))

    vm = draft_view_model(units, indicators)
    charts = chart_images(vm)
    pace = contextlib.nullcontext if args.default_gc else drawing_pace  # render_all draws at drawing_pace

    def paced(draw: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with pace():
                return draw()

        return run

    steps: dict[str, Callable[[], Any] | None] = {
        "vm": lambda: draft_view_model(units, indicators),
        "charts": paced(lambda: chart_images(vm)),
        "pdf": paced(lambda: render_pdf(vm, charts=charts)),
        "docx": paced(lambda: render_docx(vm, charts=charts)),
        "xlsx": paced(lambda: render_xlsx(vm)),
        "all": (lambda: render_all(vm)) if not args.default_gc else None,  # what the renderer ran: all of it here
        "apart": (lambda: render_all(vm, drawer=pdf_drawer())) if not args.default_gc else None,  # what it runs now
    }
    print(f"{args.office} TW{TRIWULAN} draft: {len(vm['rows'])} rows, {len(vm['analisis_periode'])} analysis rows, "
          f"{len(vm['peringatan'])} warnings, {len(vm['konsistensi'])} findings; "
          f"n={args.runs}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")  # fmt: skip
    for name in args.only or list(steps):
        step = steps[name]
        if step is None:
            continue
        out = step()  # warm-up (fonts, templates, imports)
        times, walls = [], []
        profiler = cProfile.Profile() if args.profile and name == "pdf" else None
        for _ in range(args.runs):
            start, wall = time.process_time(), time.perf_counter()
            if profiler is not None:
                out = profiler.runcall(step)
            else:
                out = step()
            times.append(time.process_time() - start)
            walls.append(time.perf_counter() - wall)
        size = f"  {len(out) / 1024:.0f} KiB" if isinstance(out, bytes) else ""
        print(f"{name:6} median {statistics.median(times):6.2f} s   min {min(times):6.2f} s   "
              f"wall median {statistics.median(walls):6.2f} s{size}")  # fmt: skip
        if profiler is not None:
            profiler.dump_stats(args.profile)
        if args.write and isinstance(out, bytes):
            Path(args.write).mkdir(parents=True, exist_ok=True)
            (Path(args.write) / f"draft.{name}").write_bytes(out)


if __name__ == "__main__":
    main()
