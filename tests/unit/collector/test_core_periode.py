"""A period's status for collection and what a (re)submission does, without a database."""

from __future__ import annotations

import pytest

from services.collector.core import periode
from services.collector.core.errors import Conflict
from services.collector.core.periode import PeriodeStatus


def test_an_open_quarter_takes_every_unit() -> None:
    periode.ensure_quarter_open(2024, 1, PeriodeStatus(), "BID-A")


@pytest.mark.parametrize("status", ["closed", "final"])
def test_a_closed_or_final_quarter_refuses_a_report(status: str) -> None:
    with pytest.raises(Conflict) as refused:
        periode.ensure_quarter_open(2024, 2, PeriodeStatus(status), "BID-A")
    (problem,) = refused.value.problems
    assert (problem.field, problem.rule) == ("triwulan", "periode_closed")
    assert f"({status})" in problem.message_en and "Quarter 2 of 2024" in problem.message_en


@pytest.mark.parametrize("status", ["closed", "final"])
def test_a_reopened_unit_reports_into_a_closed_or_final_quarter(status: str) -> None:
    st = PeriodeStatus(status, frozenset({"BID-A"}))
    periode.ensure_quarter_open(2024, 1, st, "BID-A")
    with pytest.raises(Conflict):
        periode.ensure_quarter_open(2024, 1, st, "BID-B")  # only the units named


def test_a_closed_quarter_still_takes_monthly_progress() -> None:
    periode.ensure_month_open(2024, 5, 2, PeriodeStatus("closed"), "BID-A")


def test_a_final_quarter_refuses_its_months_unless_the_unit_is_reopened() -> None:
    with pytest.raises(Conflict) as refused:
        periode.ensure_month_open(2024, 5, 2, PeriodeStatus("final"), "BID-A")
    (problem,) = refused.value.problems
    assert (problem.field, problem.rule) == ("bulan", "periode_closed")
    assert "month 5" in problem.message_en and "quarter 2" in problem.message_en
    periode.ensure_month_open(2024, 5, 2, PeriodeStatus("final", frozenset({"BID-A"})), "BID-A")


def test_closing_an_open_quarter_is_announced() -> None:
    c = periode.close(PeriodeStatus())
    assert c.after == PeriodeStatus("closed") and c.changed and c.announce


def test_closing_again_ends_a_correction_without_announcing() -> None:
    c = periode.close(PeriodeStatus("closed", frozenset({"BID-A"})))
    assert c.after == PeriodeStatus("closed") and c.changed and not c.announce


def test_closing_a_closed_quarter_with_no_correction_changes_nothing() -> None:
    c = periode.close(PeriodeStatus("closed"))
    assert c.after == PeriodeStatus("closed") and not c.changed and not c.announce


def test_closing_a_final_quarter_keeps_it_final() -> None:
    st = PeriodeStatus("final", frozenset({"BID-A"}))
    c = periode.close(st)
    assert c.after == st and not c.changed and not c.announce


def test_a_correction_adds_its_units_and_keeps_the_status() -> None:
    st = periode.reopen(PeriodeStatus("closed", frozenset({"BID-A"})), ["BID-B", "BID-A"])
    assert st == PeriodeStatus("closed", frozenset({"BID-A", "BID-B"}))


def test_final_approval_ends_every_reopening() -> None:
    assert periode.finalise(PeriodeStatus("closed", frozenset({"BID-A"}))) == PeriodeStatus("final")


def test_a_change_makes_the_next_revision_and_is_stored() -> None:
    r = periode.resubmission(0, changed=True, dry_run=False)
    assert (r.revision, r.changed, r.stores) == (1, True, True)
    assert periode.resubmission(4, changed=True, dry_run=False).revision == 5


def test_an_unchanged_resubmission_keeps_the_revision_and_stores_nothing() -> None:
    r = periode.resubmission(3, changed=False, dry_run=False)
    assert (r.revision, r.changed, r.stores) == (3, False, False)


def test_a_dry_run_answers_the_revision_it_would_make_and_stores_nothing() -> None:
    r = periode.resubmission(3, changed=True, dry_run=True)
    assert (r.revision, r.stores) == (4, False)
