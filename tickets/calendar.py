"""Working days on the official Chinese calendar, with the office's own overrides.

chinese-calendar only knows the years the State Council has announced. For a later
year we fall back to "Monday to Friday", still honour the override file, and say so
once per year in the log: the service must never stop on New Year's Day.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import chinese_calendar

from tickets.clock import SHANGHAI, ensure_aware, local
from tickets.config_files import read_mapping, refuse_unknown_keys
from tickets.policy import Period, PeriodUnit, WorkingHours

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CalendarOverrides:
    """Days the office declares itself (a local holiday, an extra duty day)."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()

    @classmethod
    def load(cls, path: Path | None) -> CalendarOverrides:
        if path is None:
            return cls()
        data = read_mapping(path)
        refuse_unknown_keys(data, ("holidays", "workdays"), source=path)
        holidays = frozenset(_as_dates(data.get("holidays", []), path))
        workdays = frozenset(_as_dates(data.get("workdays", []), path))
        both = holidays & workdays
        if both:
            raise ValueError(f"{path}: days listed both as holiday and workday: {sorted(both)}")
        return cls(holidays=holidays, workdays=workdays)


def _as_dates(values: Iterable[object], path: Path) -> Iterable[date]:
    for value in values:
        if isinstance(value, date):
            yield value
        elif isinstance(value, str):
            yield date.fromisoformat(value)
        else:
            raise ValueError(f"{path}: {value!r} is not a date (YYYY-MM-DD)")


@dataclass
class WorkCalendar:
    working_hours: WorkingHours
    overrides: CalendarOverrides = field(default_factory=CalendarOverrides)
    _warned_years: set[int] = field(default_factory=set, repr=False)
    _cache: dict[date, bool] = field(default_factory=dict, repr=False)

    # --- days -------------------------------------------------------------
    def is_workday(self, day: date) -> bool:
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        if day in self.overrides.holidays:
            result = False
        elif day in self.overrides.workdays:
            result = True
        else:
            result = self._official(day)
        self._cache[day] = result
        return result

    def covered(self, day: date) -> bool:
        """Whether the official calendar data knows this day's year."""
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def _official(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in self._warned_years:
                self._warned_years.add(day.year)
                log.warning(
                    "No official holiday data for %s: counting Monday-Friday as working days plus "
                    "the office override file. Upgrade chinesecalendar or add %s's holidays to the "
                    "override file.",
                    day.year,
                    day.year,
                )
            return day.weekday() < 5

    def next_workday(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many working days have passed from start to end."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    # --- instants ---------------------------------------------------------
    def in_working_hours(self, when: datetime) -> bool:
        moment = local(when)
        return (
            self.is_workday(moment.date())
            and self.working_hours.start <= moment.timetz().replace(tzinfo=None) < self.working_hours.end
        )

    def add_working_days(self, when: datetime, days: int) -> datetime:
        """Deadline `days` working days after `when`.

        Received during working hours: the same clock time on the `days`-th next
        working day (Tuesday 10:00 + 1 = Wednesday 10:00). Received outside them
        (night, weekend, holiday): counting starts with the next working day, so the
        deadline is the end of the `days`-th working day from then.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        moment = local(when)
        wall = moment.timetz().replace(tzinfo=None)
        day = moment.date()
        hours = self.working_hours
        if self.is_workday(day) and hours.start <= wall < hours.end:
            for _ in range(days):
                day = self.next_workday(day)
            return _at(day, wall)
        if days == 0:
            return ensure_aware(when)
        if not (self.is_workday(day) and wall < hours.start):
            day = self.next_workday(day)
        for _ in range(days - 1):
            day = self.next_workday(day)
        return _at(day, hours.end)

    def add(self, when: datetime, period: Period) -> datetime:
        """`when` plus a policy period, whichever calendar it counts on."""
        match period.unit:
            case PeriodUnit.WORKING_DAYS:
                return self.add_working_days(when, period.amount)
            case PeriodUnit.CALENDAR_DAYS:
                return ensure_aware(when) + timedelta(days=period.amount)
            case PeriodUnit.HOURS:
                return ensure_aware(when) + timedelta(hours=period.amount)


def days_open(received_at: datetime, now: datetime) -> int:
    """Calendar days a ticket has been open, counted on Shanghai dates (the day of receipt is day 0)."""
    return (local(now).date() - local(received_at).date()).days


def _at(day: date, wall: time) -> datetime:
    return ensure_aware(datetime.combine(day, wall, tzinfo=SHANGHAI))
