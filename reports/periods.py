"""Report periods: months, ISO weeks, quarters and date ranges, bounded in Shanghai time.

A period is half-open [start, end) in UTC instants whose wall-clock edges are Shanghai
midnights, so "October" means what the office means by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from reports import texts
from tickets.clock import local_midnight


@dataclass(frozen=True)
class Period:
    key: str  # "2026-10", "2026-W47", "2026-Q3", "2026-10-01..2026-10-15"
    label: str  # 2026年10月 …, for people
    first_day: date
    last_day: date  # inclusive
    # The label inside a title's brackets, where the label's own brackets would nest.
    title: str = ""

    @property
    def title_label(self) -> str:
        return self.title or self.label

    @property
    def start(self) -> datetime:
        return local_midnight(self.first_day)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last_day + timedelta(days=1))

    @property
    def days(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range((self.last_day - self.first_day).days + 1)]

    def previous(self) -> Period:
        """The period of the same kind just before (for 环比)."""
        if re.fullmatch(r"\d{4}-\d{2}", self.key):
            return month(self.first_day - timedelta(days=1))
        if "W" in self.key:
            return week(self.first_day - timedelta(days=7))
        length = (self.last_day - self.first_day).days + 1
        return date_range(self.first_day - timedelta(days=length), self.first_day - timedelta(days=1))


def month(day: date) -> Period:
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return Period(
        f"{first:%Y-%m}",
        texts.MONTH_LABEL.format(y=first.year, m=first.month),
        first,
        nxt - timedelta(days=1),
    )


def week(day: date) -> Period:
    iso = day.isocalendar()
    first = day - timedelta(days=iso.weekday - 1)
    last = first + timedelta(days=6)
    label = texts.WEEK_LABEL.format(y=iso.year, w=iso.week, a=first, b=last)
    title = texts.WEEK_TITLE_LABEL.format(y=iso.year, w=iso.week, a=first, b=last)
    return Period(f"{iso.year}-W{iso.week:02d}", label, first, last, title)


def date_range(first: date, last: date) -> Period:
    if last < first:
        raise ValueError(texts.ERR_PERIOD.format(text=f"{first}..{last}"))
    return Period(f"{first}..{last}", texts.RANGE_LABEL.format(a=first, b=last), first, last)


def parse_period(text: str) -> Period:
    """'2026-10', '2026-W47', '2026-Q3' or '2026-10-01..2026-10-15'."""
    raw = text.strip()
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", raw):
            return month(date(int(m[1]), int(m[2]), 1))
        if m := re.fullmatch(r"(\d{4})-W(\d{1,2})", raw, flags=re.IGNORECASE):
            return week(date.fromisocalendar(int(m[1]), int(m[2]), 1))
        if m := re.fullmatch(r"(\d{4})-Q([1-4])", raw, flags=re.IGNORECASE):
            first = date(int(m[1]), 3 * int(m[2]) - 2, 1)
            last = month(date(int(m[1]), 3 * int(m[2]), 1)).last_day
            return Period(f"{m[1]}-Q{m[2]}", texts.QUARTER_LABEL.format(y=m[1], q=m[2]), first, last)
        if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", raw):
            return date_range(date.fromisoformat(m[1]), date.fromisoformat(m[2]))
    except ValueError:
        pass
    raise ValueError(texts.ERR_PERIOD.format(text=raw[:40]))
