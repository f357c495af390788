"""The PDF drawn in a process of its own (documents/drawer.py): the same document as drawn in the renderer's process,
a final's signature made here from what the drawing sent back (valid, in its box on the Lembar Pengesahan), a
drawing process that died mid-draw replaced by a draw here, and a drawing's own error raised as it would be here.
Real processes (forkserver), real WeasyPrint, pyHanko and poppler."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from services.renderer.documents import Seal, chart_images, render_all
from services.renderer.documents.drawer import PdfDrawer
from services.renderer.documents.pdf import draw_pdf, pdf_seal
from services.renderer.viewmodel import build_view_model
from shared.signing import verify_pdf
from tests.unit.renderer.test_signatory_and_dates import pdf_text
from tests.unit.renderer.test_signed_finals import APPROVALS, APPROVED_AT, URL, credential  # noqa: F401
from tests.unit.renderer.worked_example import load_pk, quarter_recaps, recaps


@pytest.fixture(scope="module")
def drawer() -> Any:
    made = PdfDrawer()
    yield made
    made.close()


@pytest.fixture(scope="module")
def all_recaps() -> Any:
    return recaps()


def vm_of(all_recaps: Any, final: bool) -> dict[str, Any]:
    return build_view_model(all_recaps["TW1"], pk=load_pk(), final=final, generated_on=date(2024, 4, 12), version=1,
                            approvals=APPROVALS if final else (), quarters=quarter_recaps(all_recaps))  # fmt: skip


def test_a_draft_drawn_apart_is_the_draft_drawn_here(drawer: PdfDrawer, all_recaps: Any) -> None:
    vm = vm_of(all_recaps, final=False)
    here, apart = render_all(vm), render_all(vm, drawer=drawer)
    assert pdf_text(apart["pdf"]) == pdf_text(here["pdf"])
    assert len(PdfReader(io.BytesIO(apart["pdf"])).pages) == len(PdfReader(io.BytesIO(here["pdf"])).pages)
    assert apart["xlsx"] == here["xlsx"]
    assert drawer._pool is not None and drawer._pool._processes  # it was drawn in another process
    assert all(pid != os.getpid() for pid in drawer._pool._processes)


def test_a_final_drawn_apart_is_signed_here_in_its_box(drawer: PdfDrawer, all_recaps: Any, credential: Any) -> None:  # noqa: F811
    vm = vm_of(all_recaps, final=True)
    seal = Seal(URL, credential, APPROVED_AT)
    pdf = render_all(vm, seal=seal, drawer=drawer)["pdf"]
    check = verify_pdf(pdf, [credential.certificate])
    assert check.signed_valid and len(check.signatures) == 1
    # the box the drawing process laid out is where the signature was put: the same as a draw here finds
    _, box_here = draw_pdf(vm, chart_images(vm), pdf_seal(vm, seal))
    _, box_apart = drawer.drawn(drawer.submit(vm, chart_images(vm), pdf_seal(vm, seal)), vm, {}, None)
    assert box_here is not None and box_apart == box_here
    assert "Tanda Tangan Elektronik" in pdf_text(pdf)


def test_a_drawing_process_that_dies_mid_draw_is_replaced_by_a_draw_here(drawer: PdfDrawer, all_recaps: Any) -> None:
    vm = vm_of(all_recaps, final=False)
    charts = chart_images(vm)
    drawing = drawer.submit(vm, charts, None)
    assert drawer._pool is not None
    for pid in list(drawer._pool._processes):
        os.kill(pid, signal.SIGKILL)  # killed, or out of memory
    pdf, box = drawer.drawn(drawing, vm, charts, None)
    assert pdf_text(pdf) == pdf_text(draw_pdf(vm, charts, None)[0])
    # and the next draw has a drawing process again
    again, _ = drawer.drawn(drawer.submit(vm, charts, None), vm, charts, None)
    assert pdf_text(again) == pdf_text(pdf)
    assert drawer._pool is not None and drawer._pool._processes


def test_a_drawings_own_error_is_raised_not_drawn_again(drawer: PdfDrawer, all_recaps: Any) -> None:
    vm = vm_of(all_recaps, final=False)
    broken = {k: v for k, v in vm.items() if k != "labels"}  # the templates read vm.labels
    with pytest.raises(Exception) as raised:
        drawer.drawn(drawer.submit(broken, chart_images(vm), None), broken, {}, None)
    assert "labels" in str(raised.value)


LEFT_BEHIND = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
from services.renderer.documents.drawer import PdfDrawer
drawer = PdfDrawer()
print(drawer._executor().submit(os.getpid).result(), flush=True)  # the drawing process, started
os.kill(os.getpid(), int(sys.argv[2]))  # the renderer ends without shutting its pool down
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_the_drawing_process_ends_with_its_renderer(sig: signal.Signals) -> None:
    """However a renderer process ends, its drawing process (and so its forkserver) does not outlive it: they used
    to stay, ≈ 275 MB a renderer, after every `lapkin up` stopped by a signal to it alone."""
    root = str(Path(__file__).resolve().parents[3])
    done = subprocess.run([sys.executable, "-c", LEFT_BEHIND, root, str(int(sig))], capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    drawing = int(done.stdout.split()[0])
    deadline = time.monotonic() + 10
    while _running(drawing) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(drawing), f"drawing process {drawing} outlived its renderer"


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended (its parent, the forkserver, reaps it as it ends too)


def test_ctrl_c_at_the_terminal_is_left_to_the_renderer(drawer: Any) -> None:
    """Ctrl-C reaches every process of `lapkin up`'s group: the drawing process wrote a KeyboardInterrupt traceback
    into the renderer's log (the newcomer's finding). It ignores SIGINT; its renderer shuts it down (close)."""
    assert drawer._executor().submit(signal.getsignal, signal.SIGINT).result(timeout=60) == signal.SIG_IGN
    pid = drawer._executor().submit(os.getpid).result(timeout=60)
    os.kill(pid, signal.SIGINT)
    time.sleep(0.5)
    assert drawer._executor().submit(os.getpid).result(timeout=60) == pid  # still there, still drawing
