"""Working-day arithmetic, pure: a day is a working day unless it falls on a weekend or a
published holiday, and an adjusted workday (调休, a Saturday or Sunday worked to make a longer
holiday) is one even on a weekend. Explicit times; no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class DayKind(StrEnum):
    HOLIDAY = "holiday"  # a day off on a weekday (or a weekend inside a holiday)
    WORKDAY = "workday"  # 调休: a weekend day that is worked


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """The published days; without any, weekends alone are days off."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself is not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        day, seen = start, 0
        while seen < count:
            day += timedelta(days=1)
            if self.is_working_day(day):
                seen += 1
        return day

    def deadline(self, raised: datetime, working_days: int, zone: ZoneInfo) -> datetime:
        """The end (local midnight, in UTC) of the ``working_days``-th working day after the
        local day of ``raised``: raised on a Friday with 5 days, due at the end of the next
        Friday, unless a holiday comes between."""
        local = raised.astimezone(zone).date()
        last = self.add_working_days(local, working_days)
        return datetime.combine(last + timedelta(days=1), time(0), zone).astimezone(UTC)


def parse_days(text: str) -> dict[date, DayKind]:
    """A calendar file: one ``YYYY-MM-DD holiday|workday`` a line; ``#`` starts a comment.
    ``ValueError`` naming the line for anything else, or a day given twice."""
    days: dict[date, DayKind] = {}
    for number, line in enumerate(text.splitlines(), 1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        parts = content.split()
        if len(parts) != 2:
            raise ValueError(f"line {number}: expected 'YYYY-MM-DD holiday|workday'")
        try:
            day, kind = date.fromisoformat(parts[0]), DayKind(parts[1])
        except ValueError:
            raise ValueError(f"line {number}: expected 'YYYY-MM-DD holiday|workday'") from None
        if day in days:
            raise ValueError(f"line {number}: {day.isoformat()} is given twice")
        if kind is DayKind.WORKDAY and day.weekday() < 5:
            raise ValueError(
                f"line {number}: {day.isoformat()} is a weekday; only a weekend "
                "day can be an adjusted workday"
            )
        days[day] = kind
    return days


def calendar_of(days: dict[date, DayKind]) -> WorkCalendar:
    return WorkCalendar(
        holidays=frozenset(d for d, k in days.items() if k is DayKind.HOLIDAY),
        workdays=frozenset(d for d, k in days.items() if k is DayKind.WORKDAY),
    )
