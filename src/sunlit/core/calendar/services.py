"""The calendar as stored: read the days a deadline needs; load the years of a file."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, extract, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.calendar.model import DayKind, WorkCalendar, calendar_of
from sunlit.core.calendar.tables import CalendarDayRow
from sunlit.core.eventlog import Event, EventType, append

#: How far ahead a deadline may need the calendar: the longest holiday, with the weekends
#: around it, is well inside this.
HORIZON = timedelta(days=60)


async def work_calendar(db: AsyncSession, start: date, end: date | None = None) -> WorkCalendar:
    """The published days from ``start`` to ``end`` (``start`` + 60 days by default)."""
    last = end or start + HORIZON
    rows = await db.scalars(
        select(CalendarDayRow).where(CalendarDayRow.day >= start, CalendarDayRow.day <= last)
    )
    return calendar_of({row.day: row.kind for row in rows})


async def loaded_years(db: AsyncSession) -> list[int]:
    years = await db.scalars(select(extract("year", CalendarDayRow.day)).distinct())
    return sorted(int(year) for year in years)


async def do_load_calendar(
    db: AsyncSession, days: dict[date, DayKind], *, actor: str | None, now: datetime
) -> list[int]:
    """Replace the stored days of every year the file covers with the file's; returns the
    years. Records ``calendar.loaded``."""
    years = sorted({day.year for day in days})
    for year in years:
        await db.execute(
            delete(CalendarDayRow).where(
                CalendarDayRow.day >= date(year, 1, 1), CalendarDayRow.day <= date(year, 12, 31)
            )
        )
    db.add_all(CalendarDayRow(day=day, kind=kind) for day, kind in sorted(days.items()))
    for year in years:
        append(
            db,
            Event(
                type=EventType.CALENDAR_LOADED,
                ts=now,
                actor=actor,
                data={
                    "year": year,
                    "holidays": sorted(
                        d.isoformat()
                        for d, k in days.items()
                        if d.year == year and k is DayKind.HOLIDAY
                    ),
                    "workdays": sorted(
                        d.isoformat()
                        for d, k in days.items()
                        if d.year == year and k is DayKind.WORKDAY
                    ),
                },
            ),
        )
    return years
