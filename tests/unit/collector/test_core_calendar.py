"""The reporting calendar, without a database: windows, deadlines at 23:59:59 / 00:00 office time (Asia/Jakarta),
early reports, reminder points and the calendar an admin sets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.collector.core import calendar
from services.collector.core.errors import Conflict, Invalid

WIB = ZoneInfo("Asia/Jakarta")


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("triwulan", "opens", "due"),
    [
        (1, wib(2024, 4, 1), wib(2024, 4, 10, 23, 59, 59)),
        (2, wib(2024, 7, 1), wib(2024, 7, 10, 23, 59, 59)),
        (3, wib(2024, 10, 1), wib(2024, 10, 10, 23, 59, 59)),
        (4, wib(2025, 1, 1), wib(2025, 1, 10, 23, 59, 59)),  # the fourth quarter is due the next year
    ],
)
def test_default_window_opens_after_the_quarter_and_is_due_the_10th(
    triwulan: int, opens: datetime, due: datetime
) -> None:
    assert calendar.default_window(2024, triwulan, WIB) == (opens, due)


def test_the_deadline_is_office_time_not_utc() -> None:
    _, due = calendar.default_window(2024, 1, WIB)
    assert due.astimezone(UTC) == datetime(2024, 4, 10, 16, 59, 59, tzinfo=UTC)


def test_a_report_at_23_59_59_on_the_10th_is_on_time() -> None:
    _, due = calendar.default_window(2024, 1, WIB)
    assert calendar.on_time(wib(2024, 4, 10, 23, 59, 59), due)


def test_a_report_at_00_00_on_the_11th_is_late() -> None:
    _, due = calendar.default_window(2024, 1, WIB)
    assert not calendar.on_time(wib(2024, 4, 11, 0, 0, 0), due)


def test_on_time_compares_moments_across_zones() -> None:
    _, due = calendar.default_window(2024, 1, WIB)
    assert calendar.on_time(datetime(2024, 4, 10, 16, 59, 59, tzinfo=UTC), due)  # 23:59:59 WIB
    assert not calendar.on_time(datetime(2024, 4, 10, 17, 0, 0, tzinfo=UTC), due)  # 00:00 WIB on the 11th


@pytest.mark.parametrize(
    ("bulan", "due"),
    [
        (1, wib(2024, 2, 10, 23, 59, 59)),
        (2, wib(2024, 3, 10, 23, 59, 59)),
        (11, wib(2024, 12, 10, 23, 59, 59)),
        (12, wib(2025, 1, 10, 23, 59, 59)),  # December is due in January of the next year
    ],
)
def test_a_month_is_due_the_10th_of_the_next_month(bulan: int, due: datetime) -> None:
    assert calendar.month_deadline(2024, bulan, WIB) == due


@pytest.mark.parametrize(("bulan", "triwulan"), [(1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (9, 3), (10, 4), (12, 4)])
def test_each_month_belongs_to_its_quarter(bulan: int, triwulan: int) -> None:
    assert calendar.quarter_of(bulan) == triwulan


def test_the_default_window_is_not_configured_and_takes_early_reports() -> None:
    w = calendar.window(2024, 1, None, WIB)
    assert not w.configured
    calendar.ensure_opened(2024, 1, w, wib(2024, 1, 5), WIB)  # before it opens: still taken


def test_a_stored_window_is_read_as_utc_when_naive_and_shown_in_office_time() -> None:
    w = calendar.window(2024, 2, (datetime(2024, 6, 30, 17, 0), datetime(2024, 7, 20, 16, 59, 59)), WIB)
    assert w.configured
    assert w.opens == wib(2024, 7, 1) and w.opens.tzinfo == WIB
    assert w.due == wib(2024, 7, 20, 23, 59, 59)


def test_a_configured_window_refuses_a_report_one_second_before_it_opens() -> None:
    w = calendar.Window(wib(2024, 7, 1), wib(2024, 7, 10, 23, 59, 59), configured=True)
    with pytest.raises(Conflict) as refused:
        calendar.ensure_opened(2024, 2, w, wib(2024, 6, 30, 23, 59, 59), WIB)
    (problem,) = refused.value.problems
    assert (problem.field, problem.rule) == ("triwulan", "periode_belum_dibuka")
    assert "2024-07-01" in problem.message_id and "2024-07-01" in problem.message_en


def test_a_configured_window_takes_a_report_at_00_00_when_it_opens() -> None:
    w = calendar.Window(wib(2024, 7, 1), wib(2024, 7, 10, 23, 59, 59), configured=True)
    calendar.ensure_opened(2024, 2, w, wib(2024, 7, 1, 0, 0, 0), WIB)


def test_the_opening_day_named_is_the_office_day() -> None:
    # 2024-06-30 17:00 UTC is already 1 July in Jakarta
    w = calendar.Window(datetime(2024, 6, 30, 17, 0, tzinfo=UTC), wib(2024, 7, 10), configured=True)
    with pytest.raises(Conflict) as refused:
        calendar.ensure_opened(2024, 2, w, datetime(2024, 6, 30, 16, 0, tzinfo=UTC), WIB)
    assert "2024-07-01" in refused.value.problems[0].message_en


def test_reminders_fall_n_days_before_the_deadline_and_at_it() -> None:
    opens, due = calendar.default_window(2024, 1, WIB)
    assert calendar.reminder_points(opens, due, 3) == [("pengingat", due - timedelta(days=3)), ("terlambat", due)]


def test_the_early_reminder_is_never_before_the_window_opens() -> None:
    opens, due = calendar.default_window(2024, 1, WIB)
    assert calendar.reminder_points(opens, due, 30)[0] == ("pengingat", opens)


def test_a_reminder_point_is_due_from_its_moment_until_the_catch_up_ends() -> None:
    opens, due = calendar.default_window(2024, 1, WIB)
    catch_up = timedelta(days=7)
    assert calendar.points_due(opens, due, 3, due - timedelta(seconds=1), catch_up) == [
        ("pengingat", due - timedelta(days=3))
    ]
    assert [j for j, _ in calendar.points_due(opens, due, 3, due, catch_up)] == ["pengingat", "terlambat"]
    assert calendar.points_due(opens, due, 3, due + catch_up + timedelta(seconds=1), catch_up) == []


def test_a_stale_early_reminder_is_skipped_while_the_late_one_is_due() -> None:
    opens, due = calendar.default_window(2024, 1, WIB)
    assert [j for j, _ in calendar.points_due(opens, due, 3, due, timedelta(days=2))] == ["terlambat"]


def test_no_reminder_is_due_before_the_first_point() -> None:
    opens, due = calendar.default_window(2024, 1, WIB)
    assert calendar.points_due(opens, due, 3, opens - timedelta(days=1), timedelta(days=7)) == []


def test_a_date_is_the_start_or_the_end_of_that_office_day() -> None:
    assert calendar.parse_moment("2024-04-10", end_of_day=False, tz=WIB) == wib(2024, 4, 10)
    assert calendar.parse_moment("2024-04-10", end_of_day=True, tz=WIB) == wib(2024, 4, 10, 23, 59, 59)


def test_a_datetime_without_zone_is_office_time_and_one_with_a_zone_keeps_it() -> None:
    assert calendar.parse_moment("2024-04-10T12:00:00", end_of_day=True, tz=WIB) == wib(2024, 4, 10, 12)
    moment = calendar.parse_moment("2024-04-10T12:00:00+00:00", end_of_day=True, tz=WIB)
    assert moment == datetime(2024, 4, 10, 12, tzinfo=UTC)


@pytest.mark.parametrize("value", [None, "", "  ", "10/04/2024", "2024-13-01", 20240410, "yesterday"])
def test_what_is_no_date_is_none(value: object) -> None:
    assert calendar.parse_moment(value, end_of_day=False, tz=WIB) is None


def test_an_empty_calendar_is_the_default_calendar() -> None:
    chosen = calendar.read_kalender(2024, {"triwulan": []}, WIB)
    assert chosen == {tw: calendar.default_window(2024, tw, WIB) for tw in (1, 2, 3, 4)}


def test_a_quarter_set_keeps_the_default_for_what_it_leaves_out() -> None:
    chosen = calendar.read_kalender(2024, {"triwulan": [{"triwulan": 2, "deadline": "2024-07-20"}]}, WIB)
    assert chosen[2] == (wib(2024, 7, 1), wib(2024, 7, 20, 23, 59, 59))
    assert chosen[1] == calendar.default_window(2024, 1, WIB)


def rules(body: object) -> list[tuple[str | None, str]]:
    with pytest.raises(Invalid) as refused:
        calendar.read_kalender(2024, body, WIB)
    return [(p.field, p.rule) for p in refused.value.problems]


def test_a_calendar_lists_every_problem() -> None:
    body = {
        "triwulan": [
            {"triwulan": 5},
            {"triwulan": 1, "buka": "nope"},
            {"triwulan": 2, "buka": "2024-07-10", "deadline": "2024-07-10T00:00:00"},
            {"triwulan": 3, "deadline": "9999-12-31"},
            {"triwulan": True},
            "x",
        ]
    }
    assert rules(body) == [
        ("triwulan[0].triwulan", "not_allowed"),
        ("triwulan[1].buka", "not_a_date"),
        ("triwulan[2].deadline", "before_opening"),
        ("triwulan[3].deadline", "out_of_range"),
        ("triwulan[4].triwulan", "not_allowed"),
        ("triwulan[5]", "not_an_object"),
    ]


def test_a_quarter_named_twice_is_refused() -> None:
    assert rules({"triwulan": [{"triwulan": 1}, {"triwulan": 1}]}) == [("triwulan[1].triwulan", "duplicate")]


@pytest.mark.parametrize(
    ("body", "problem"),
    [([], ("body", "not_an_object")), ({}, ("triwulan", "required")), ({"triwulan": {}}, ("triwulan", "not_a_list"))],
)
def test_a_calendar_that_is_no_list_of_quarters_is_refused(body: object, problem: tuple[str, str]) -> None:
    assert rules(body) == [problem]


def test_a_deadline_equal_to_the_opening_is_refused() -> None:
    body = {"triwulan": [{"triwulan": 1, "buka": "2024-04-01T08:00:00", "deadline": "2024-04-01T08:00:00"}]}
    assert rules(body) == [("triwulan[0].deadline", "before_opening")]
