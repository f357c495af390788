"""The one rule of "a newer recap that would draw a new version" (shared.sakip.document.draws_new_version), which
the approval service (no approval of an out-of-date version) and `lapkin reconcile` (outdated finals) both apply:
newer than the revision drawn, complete, its quarters final, and showing something else."""

from __future__ import annotations

from typing import Any

import pytest

from shared.sakip.document import content_hash, draws_new_version

DRAWN = {"tahun": 2024, "periode": "TW1", "revision": 8, "status": "complete", "capaian_instansi": "97.25"}
CORRECTED = {**DRAWN, "revision": 10, "capaian_instansi": "97.10"}


def draws(rekap: dict[str, Any], revision: int = 10, status: str = "complete", drawn: str | None = None) -> bool:
    return draws_new_version(
        rekap, revision=revision, status=status, drawn_revision=8, drawn_hash=drawn or content_hash(DRAWN)
    )


def test_a_newer_complete_recap_showing_other_figures_draws_a_new_version() -> None:
    assert draws(CORRECTED)
    assert draws(CORRECTED, status="final")  # the approval's flag on a complete recap


@pytest.mark.parametrize("revision", [8, 7])
def test_the_revision_drawn_or_an_older_one_draws_nothing(revision: int) -> None:
    assert not draws({**CORRECTED, "revision": revision}, revision=revision)


def test_an_incomplete_recap_draws_nothing() -> None:
    assert not draws(CORRECTED, status="provisional")
    assert not draws({**CORRECTED, "periode": "S1", "quarters_final": False})  # a semester before its quarters
    assert draws({**CORRECTED, "periode": "S1", "quarters_final": True})


def test_a_newer_revision_showing_the_same_figures_draws_nothing() -> None:
    renumbered = {**DRAWN, "revision": 9, "status": "final", "inputs": {"1:BID-PPTK": 2}}  # only what VOLATILE names
    assert not draws(renumbered, revision=9, status="final")


def test_a_newer_recap_against_a_drawn_recap_not_known_counts() -> None:
    assert draws_new_version(DRAWN | {"revision": 9}, revision=9, status="complete", drawn_revision=8, drawn_hash=None)
