"""One clock rule for every service (shared/clock.py, issue 13 item 2): dates a person reads are the office's
calendar day (LAPKIN_TIMEZONE, WIB by default), never the UTC date."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from shared import clock
from shared.config import Settings

LATE_EVENING_UTC = datetime(2024, 3, 31, 23, 30, tzinfo=UTC)  # 06:30 WIB / 07:30 WITA / 08:30 WIT on 1 April


@pytest.fixture(autouse=True)
def _restore_zone():
    yield
    clock.configure(clock.DEFAULT_ZONE)


def test_the_default_is_wib_and_23_30_utc_is_the_next_day():
    assert Settings().timezone == "Asia/Jakarta"
    clock.configure(Settings())
    assert clock.office_date(LATE_EVENING_UTC) == date(2024, 4, 1)
    assert clock.office_date(LATE_EVENING_UTC.replace(tzinfo=None)) == date(2024, 4, 1)  # naive rows are UTC
    assert clock.zone_label() == "WIB"
    assert LATE_EVENING_UTC.astimezone(clock.OFFICE).hour == 6


@pytest.mark.parametrize(("zone", "label", "hour"), [("Asia/Makassar", "WITA", 7), ("Asia/Jayapura", "WIT", 8)])
def test_wita_and_wit_offices(zone, label, hour):
    settings = Settings(timezone=zone)
    clock.configure(settings)
    assert clock.office_zone().key == zone and clock.office_zone(settings).key == zone
    assert clock.zone_label() == label
    local = LATE_EVENING_UTC.astimezone(clock.OFFICE)
    assert (local.date(), local.hour, local.tzname()) == (date(2024, 4, 1), hour, label)
    # a deadline built on the office's zone is that zone's 23:59:59
    due = datetime(2024, 4, 10, 23, 59, 59, tzinfo=clock.OFFICE)
    assert due.astimezone(UTC) == datetime(2024, 4, 10, 23 - (hour + 1), 59, 59, tzinfo=UTC)


def test_an_unknown_zone_is_refused_at_start_naming_the_setting():
    with pytest.raises(ValidationError) as err:
        Settings(timezone="Asia/Tangerang")
    assert "LAPKIN_TIMEZONE" in str(err.value) and "Asia/Tangerang" in str(err.value)
    with pytest.raises(ValueError, match="LAPKIN_TIMEZONE"):
        clock.zone_of("")


@pytest.mark.parametrize(("zone", "shown"), [("Asia/Jakarta", "06.30 WIB"), ("Asia/Jayapura", "08.30 WIT")])
def test_pages_show_the_office_day_and_zone(zone, shown):
    from services.approval.web.i18n import fmt_datetime

    clock.configure(zone)
    assert fmt_datetime(LATE_EVENING_UTC, "id") == f"1 April 2024 {shown}"
    assert fmt_datetime(LATE_EVENING_UTC, "en").startswith("1 April 2024 ")


def test_a_due_date_is_judged_by_the_office_calendar():
    """At 23:30 UTC on 31 March it is already 1 April in the office: a disposition due on 31 March is past due."""
    from services.approval.disposisi import validate
    from services.approval.workflow import load_workflow
    from shared.errors import ApiError

    wf = load_workflow()
    today = clock.office_date(LATE_EVENING_UTC)
    assert today == date(2024, 4, 1)
    sender = type("O", (), {"id": 1, "role": "sekretaris"})()
    body = {"kepada_role": "subkor", "instruksi": "Rekap", "batas_waktu": "2024-03-31"}
    with pytest.raises(ApiError) as err:
        validate(None, wf, sender, body, today)  # type: ignore[arg-type]
    assert [(e.field, e.rule) for e in err.value.errors] == [("batas_waktu", "in_the_past")]
