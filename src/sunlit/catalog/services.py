"""Region use cases."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib import resources

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.catalog.regions import Region, RegionBook, parse_regions
from sunlit.catalog.tables import ServedRegionRow
from sunlit.core.errors import N_, InvalidInput, NotFound
from sunlit.core.eventlog import Event, EventType, append


@cache
def region_book() -> RegionBook:
    """The GB/T 2260 regions shipped in ``catalog/data/gbt2260.csv`` (read once)."""
    text = resources.files("sunlit.catalog").joinpath("data/gbt2260.csv").read_text("utf-8")
    return parse_regions(text)


def get_region(code: str) -> Region:
    region = region_book().get(code)
    if region is None:
        raise NotFound(N_("No region has the code %(code)s."), params={"code": code})
    return region


async def served_regions(db: AsyncSession) -> list[Region]:
    codes = (await db.scalars(select(ServedRegionRow.code).order_by(ServedRegionRow.code))).all()
    book = region_book()
    return [region for code in codes if (region := book.get(code)) is not None]


async def do_serve_region(
    db: AsyncSession, code: str, *, now: datetime, actor: str | None
) -> Region:
    region = region_book().get(code)
    if region is None:
        raise InvalidInput(
            N_("No region has the code %(code)s."),
            params={"code": code},
            fields={"code": N_("Enter a six-digit GB/T 2260 code.")},
        )
    if await db.get(ServedRegionRow, code) is None:
        db.add(ServedRegionRow(code=code, since=now, added_by=actor))
        append(db, Event(type=EventType.REGION_SERVED, ts=now, actor=actor, data={"region": code}))
    return region
