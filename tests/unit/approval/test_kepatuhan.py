"""SOP compliance: step durations from recorded transitions with known timestamps, and the per-step figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.approval.kepatuhan import Transition, draft_samples, measure, span_samples
from services.approval.workflow import Workflow, load_workflow

T0 = datetime(2024, 4, 1, 8, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture(scope="module")
def wf() -> Workflow:
    return load_workflow()


def test_each_transition_ends_the_step_it_was_taken_at():
    history = [
        Transition("rendered", 4, at(0)),
        Transition("submit", 4, at(20)),  # staf composed for 20 min
        Transition("return", 4, at(70)),  # subkor took 50 min to return
        Transition("submit", 4, at(80)),  # staf fixed it in 10 min
        Transition("approve", 4, at(95)),  # subkor approved in 15 min
        Transition("sosialisasi", 5, at(96)),  # not a transition: ignored
    ]
    assert draft_samples(history) == [
        (4, timedelta(minutes=20)),
        (4, timedelta(minutes=50)),
        (4, timedelta(minutes=10)),
        (4, timedelta(minutes=15)),
    ]


def test_a_correction_ends_when_the_new_version_supersedes_the_draft():
    history = [
        Transition("rendered", 7, at(0)),
        Transition("submit", 7, at(60)),
        Transition("return", 7, at(120)),  # kabid → kasi, koreksi
        Transition("superseded", 7, at(300)),  # the corrected data made version 2: kasi's step 7 took 180 min
        Transition("rendered", 7, at(300)),
        Transition("submit", 7, at(330)),
        Transition("approve", 7, at(400)),
        Transition("return", 8, at(460)),  # sekretaris → kabid
        Transition("approve", 7, at(480)),
        Transition("approve", 8, at(500)),
    ]
    assert draft_samples(history) == [
        (7, timedelta(minutes=60)), (7, timedelta(minutes=60)), (7, timedelta(minutes=180)),
        (7, timedelta(minutes=30)), (7, timedelta(minutes=70)), (8, timedelta(minutes=60)),
        (7, timedelta(minutes=20)), (8, timedelta(minutes=20)),
    ]  # fmt: skip


def test_superseded_while_waiting_at_a_gate_is_not_a_finished_step():
    history = [Transition("rendered", 4, at(0)), Transition("submit", 4, at(5)), Transition("superseded", 4, at(9))]
    assert draft_samples(history) == [(4, timedelta(minutes=5))]


def test_naive_times_are_utc():
    history = [Transition("rendered", 4, datetime(2024, 4, 1, 8, 0)), Transition("submit", 4, at(3))]
    assert draft_samples(history) == [(4, timedelta(minutes=3))]


def test_spans_count_only_finished_ones():
    assert span_samples([(1, at(0), at(12)), (2, at(0), None), (None, at(0), at(5))]) == [(1, timedelta(minutes=12))]


def test_median_worst_and_share_within_standard(wf: Workflow):
    samples = [
        (1, timedelta(minutes=10)), (1, timedelta(minutes=15)), (1, timedelta(minutes=40)),  # standard 15 min
        (4, timedelta(minutes=20)), (4, timedelta(minutes=50)), (4, timedelta(minutes=10)), (4, timedelta(minutes=15)),
        (8, timedelta(minutes=61)),  # standard 60 min
    ]  # fmt: skip
    rows = {r["nomor"]: r for r in measure(wf, samples)}
    assert [r["nomor"] for r in measure(wf, samples)] == list(range(1, 10))
    s1 = rows[1]
    assert (s1["waktu"], s1["n"], s1["median"], s1["worst"], s1["within"]) == (
        timedelta(minutes=15), 3, timedelta(minutes=15), timedelta(minutes=40), 2,
    )  # fmt: skip
    assert s1["share"] == pytest.approx(2 / 3)
    s4 = rows[4]  # even count: the mean of the middle two (15, 20)
    assert (s4["n"], s4["median"], s4["worst"], s4["share"]) == (
        4, timedelta(minutes=17, seconds=30), timedelta(minutes=50), 0.75,
    )  # fmt: skip
    assert (rows[8]["share"], rows[8]["worst"]) == (0.0, timedelta(minutes=61))
    assert (rows[2]["n"], rows[2]["median"], rows[2]["worst"], rows[2]["share"]) == (0, None, None, None)
