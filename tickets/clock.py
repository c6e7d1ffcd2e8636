"""Injected time. Every rule asks a Clock instead of calling datetime.now()."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The days a query may name. Far outside any ticket's life, and far enough inside
# date.min/date.max that a day's start in Shanghai (and the next day) never overflows.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def day_in_range(day: date) -> bool:
    return EARLIEST_DAY <= day <= LATEST_DAY


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that tests and `jobs run --at` move by hand."""

    def __init__(self, start: datetime) -> None:
        self._now = ensure_aware(start)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = ensure_aware(when)

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def ensure_aware(value: datetime) -> datetime:
    """Naive datetimes are refused: a silent guess of the zone is how deadlines go wrong."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: give a timezone (store UTC, decide in Asia/Shanghai)")
    return value.astimezone(UTC)


def local(value: datetime) -> datetime:
    """The same instant in China Standard Time."""
    return ensure_aware(value).astimezone(SHANGHAI)


def week_key(day: date) -> str:
    """The ISO week of a (Shanghai) day as "2026-W48": how weeks are named in jobs and reports."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def local_midnight(day: date) -> datetime:
    """Start of a Shanghai calendar day, as an aware UTC datetime (periods and day counts)."""
    return datetime.combine(day, time(0), tzinfo=SHANGHAI).astimezone(UTC)


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Shanghai wall-clock time as an aware UTC datetime (handy in tests and the CLI)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)
