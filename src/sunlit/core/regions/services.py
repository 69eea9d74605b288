"""Region use cases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.errors import N_, InvalidInput, NotFound
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.regions.model import Region, RegionBook
from sunlit.core.regions.register import read_regions
from sunlit.core.regions.sources import official_regions
from sunlit.core.regions.tables import ServedRegionRow

_installed: list[RegionBook] = []


def region_book() -> RegionBook:
    """The regions this process knows: the regions table as read at start (with its retired
    codes), or, before that, the official list the migration loads (docs/adr/0008)."""
    return _installed[-1] if _installed else official_regions()


def install_region_book(book: RegionBook) -> None:
    """Use ``book`` (the regions table, read by the app at start or by ``sunlit regions``)."""
    if len(book):  # a database migrated before 0012 has no table rows: keep the official list
        _installed[:] = [book]


async def load_region_book(db: AsyncSession) -> RegionBook:
    install_region_book(await read_regions(db))
    return region_book()


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
