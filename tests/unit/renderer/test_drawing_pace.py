"""The garbage collector's pace while the renderer draws (documents/base.py drawing_pace): a young generation of
DRAWING_GC_THRESHOLD instead of Python's 700 for as long as any draw in the process runs, the previous pace given
back after the last one (a quarter of a large draft's CPU was the collector walking the heap: docs/benchmarks.md)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from datetime import date

import pytest

from services.renderer.documents import chart_images, render_all, render_docx, render_pdf, render_xlsx
from services.renderer.documents.base import DRAWING_GC_THRESHOLD, drawing_pace
from services.renderer.viewmodel import build_view_model
from tests.unit.renderer.worked_example import load_pk, quarter_recaps, recaps


@pytest.fixture
def default_pace() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        yield gc.get_threshold()
    finally:
        gc.set_threshold(*before)


def _collections(draw: Callable[[], object]) -> list[int]:
    """The young generation's threshold at each collection that ran during `draw`."""
    paces: list[int] = []

    def note(phase: str, info: dict) -> None:
        if phase == "start":
            paces.append(gc.get_threshold()[0])

    gc.collect()
    gc.callbacks.append(note)
    try:
        draw()
    finally:
        gc.callbacks.remove(note)
    return paces


def test_render_all_collects_at_the_drawing_pace_and_gives_the_default_back(default_pace):
    all_recaps = recaps()
    vm = build_view_model(all_recaps["TW1"], pk=load_pk(), final=False, generated_on=date(2024, 4, 10),
                          quarters=quarter_recaps(all_recaps))  # fmt: skip
    render_all(vm)  # warm: fonts, templates

    def unpaced() -> None:
        charts = chart_images(vm)
        render_docx(vm, charts=charts), render_pdf(vm, charts=charts), render_xlsx(vm)

    default = _collections(unpaced)
    paced = _collections(lambda: render_all(vm))
    assert len(default) > 20 and set(default) == {700}
    # a few collections instead of dozens; the last may be the one the default pace makes at once when it is given
    # back (what the draw left behind)
    assert len(paced) * 10 < len(default) and set(paced[:-1]) <= {DRAWING_GC_THRESHOLD}
    assert gc.get_threshold() == default_pace


def test_overlapping_draws_keep_the_pace_until_the_last_one_ends(default_pace):
    first_in, second_done = threading.Event(), threading.Event()
    during: list[int] = []

    def other_draw() -> None:
        with drawing_pace():
            first_in.set()
            second_done.wait(5)
            during.append(gc.get_threshold()[0])  # the second draw has ended: still at the drawing pace

    thread = threading.Thread(target=other_draw)
    thread.start()
    assert first_in.wait(5)
    with drawing_pace():
        assert gc.get_threshold()[0] == DRAWING_GC_THRESHOLD
    second_done.set()
    thread.join(5)
    assert during == [DRAWING_GC_THRESHOLD]
    assert gc.get_threshold() == default_pace


def test_collection_switched_off_stays_off(default_pace):
    gc.set_threshold(0)
    with drawing_pace():
        assert gc.get_threshold()[0] == 0
    assert gc.get_threshold()[0] == 0
