"""Working-day arithmetic on the official calendar, overrides, and years without data."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from tickets.calendar import CalendarOverrides, WorkCalendar, days_open
from tickets.clock import local, shanghai
from tickets.policy import Period, PeriodUnit, load_policy


@pytest.fixture
def calendar() -> WorkCalendar:
    return WorkCalendar(load_policy().working_hours)


def fmt(value) -> str:  # type: ignore[no-untyped-def]
    return local(value).strftime("%Y-%m-%d %H:%M")


def test_plain_weekday_plus_one_is_same_time_next_day(calendar: WorkCalendar) -> None:
    assert fmt(calendar.add_working_days(shanghai(2026, 11, 24, 10, 0), 1)) == "2026-11-25 10:00"


def test_friday_plus_one_skips_the_weekend(calendar: WorkCalendar) -> None:
    assert fmt(calendar.add_working_days(shanghai(2026, 11, 27, 15, 30), 1)) == "2026-11-30 15:30"


def test_eve_of_national_day_2026_at_1759(calendar: WorkCalendar) -> None:
    # 2026: 1-7 Oct off; Sat 10 Oct is a 调休 working day.
    received = shanghai(2026, 9, 30, 17, 59)
    assert fmt(calendar.add_working_days(received, 1)) == "2026-10-08 17:59"
    assert fmt(calendar.add_working_days(received, 5)) == "2026-10-13 17:59"


def test_after_hours_on_the_eve_counts_from_the_next_working_day(calendar: WorkCalendar) -> None:
    received = shanghai(2026, 9, 30, 18, 30)
    assert fmt(calendar.add_working_days(received, 1)) == "2026-10-08 18:00"
    assert fmt(calendar.add_working_days(received, 5)) == "2026-10-13 18:00"


def test_tiaoxiu_saturday_is_a_working_day(calendar: WorkCalendar) -> None:
    assert calendar.is_workday(date(2026, 10, 10))  # Saturday, 调休
    assert calendar.is_workday(date(2025, 9, 28))  # Sunday, 调休
    assert not calendar.is_workday(date(2025, 10, 4))
    # Friday 9 Oct 2026 10:00 + 1 working day lands on the Saturday.
    assert fmt(calendar.add_working_days(shanghai(2026, 10, 9, 10, 0), 1)) == "2026-10-10 10:00"


def test_spring_festival_2025_and_2026(calendar: WorkCalendar) -> None:
    # 2025: 28 Jan – 4 Feb off, Sun 26 Jan and Sat 8 Feb worked.
    assert fmt(calendar.add_working_days(shanghai(2025, 1, 27, 9, 30), 1)) == "2025-02-05 09:30"
    assert calendar.is_workday(date(2025, 1, 26)) and calendar.is_workday(date(2025, 2, 8))
    # 2026: 15–23 Feb off, Sat 14 Feb and Sat 28 Feb worked.
    assert fmt(calendar.add_working_days(shanghai(2026, 2, 13, 11, 0), 1)) == "2026-02-14 11:00"
    assert fmt(calendar.add_working_days(shanghai(2026, 2, 14, 11, 0), 1)) == "2026-02-24 11:00"


def test_received_on_a_holiday_counts_from_the_first_working_day(calendar: WorkCalendar) -> None:
    assert fmt(calendar.add_working_days(shanghai(2026, 10, 3, 12, 0), 1)) == "2026-10-08 18:00"
    # Early morning of a working day: that day counts in full.
    assert fmt(calendar.add_working_days(shanghai(2026, 11, 24, 7, 0), 1)) == "2026-11-24 18:00"


def test_year_end_into_2027_without_data_warns_once_and_uses_weekdays(
    calendar: WorkCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="tickets.calendar"):
        # Thu 31 Dec 2026 15:00 + 1 → 1 Jan 2027 is a Friday and, without data, a working day.
        assert fmt(calendar.add_working_days(shanghai(2026, 12, 31, 15, 0), 1)) == "2027-01-01 15:00"
        assert fmt(calendar.add_working_days(shanghai(2027, 1, 8, 15, 0), 1)) == "2027-01-11 15:00"
        assert calendar.is_workday(date(2027, 1, 4))
    warnings = [r for r in caplog.records if "No official holiday data for 2027" in r.getMessage()]
    assert len(warnings) == 1
    assert not calendar.covered(date(2027, 1, 4)) and calendar.covered(date(2026, 1, 4))


def test_override_file_adds_holidays_and_workdays_in_2027(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_text("holidays: [2027-01-01]\nworkdays: [2027-01-09]\n", encoding="utf-8")
    calendar = WorkCalendar(load_policy().working_hours, CalendarOverrides.load(path))
    assert not calendar.is_workday(date(2027, 1, 1))
    assert calendar.is_workday(date(2027, 1, 9))  # a Saturday declared a working day
    assert fmt(calendar.add_working_days(shanghai(2026, 12, 31, 15, 0), 1)) == "2027-01-04 15:00"
    assert fmt(calendar.add_working_days(shanghai(2027, 1, 8, 15, 0), 1)) == "2027-01-09 15:00"


def test_override_file_errors_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("holidays: [2027-01-01]\nworkdays: [2027-01-01]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="both as holiday and workday"):
        CalendarOverrides.load(path)
    path.write_text("holidays: [tomorrow]\n", encoding="utf-8")
    with pytest.raises(ValueError):
        CalendarOverrides.load(path)


def test_calendar_day_and_hour_periods(calendar: WorkCalendar) -> None:
    start = shanghai(2026, 9, 30, 17, 59)
    assert fmt(calendar.add(start, Period(amount=4, unit=PeriodUnit.HOURS))) == "2026-09-30 21:59"
    assert fmt(calendar.add(start, Period(amount=30, unit=PeriodUnit.CALENDAR_DAYS))) == "2026-10-30 17:59"


def test_days_open_counts_shanghai_dates() -> None:
    # 23:30 Shanghai is 15:30 UTC the same day; the next Shanghai day is day 1.
    assert days_open(shanghai(2026, 10, 1, 23, 30), shanghai(2026, 10, 2, 0, 10)) == 1
    assert days_open(shanghai(2026, 10, 1, 0, 10), shanghai(2026, 10, 26, 23, 59)) == 25


def test_working_hours(calendar: WorkCalendar) -> None:
    assert calendar.in_working_hours(shanghai(2026, 11, 23, 9, 0))
    assert not calendar.in_working_hours(shanghai(2026, 11, 23, 18, 0))
    assert not calendar.in_working_hours(shanghai(2026, 11, 22, 10, 0))  # Sunday
    assert calendar.workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
