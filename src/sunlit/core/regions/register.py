"""The regions table: read it, and bring it up to date with an official list.

Loading is idempotent: rows are matched by code; a new code is inserted, a renamed one updated,
and a code that left the list is marked retired (never deleted: orders and producers refer to
it). A retired code that comes back is current again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.regions.model import Region, RegionBook, level_of
from sunlit.core.regions.tables import RegionRow

#: Rows per statement: SQLite allows 32,766 bound parameters, five columns a row.
CHUNK = 1000


@dataclass(frozen=True, slots=True)
class RegionChanges:
    added: int
    changed: int
    retired: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.added + self.changed + self.unchanged


class TooManyRetired(ValueError):
    """The list would retire more codes than allowed: most likely it is not a whole list."""

    def __init__(self, retired: int, allowed: int) -> None:
        super().__init__(f"it would retire {retired} codes (at most {allowed} allowed)")
        self.retired = retired


async def read_regions(db: AsyncSession) -> RegionBook:
    """Every region in the table, retired ones too."""
    rows = (await db.scalars(select(RegionRow))).all()
    return RegionBook(
        [
            Region(
                r.code,
                r.name_zh,
                r.name_en,
                level_of(r.code),
                r.parent,
                retired=r.retired_on is not None,
            )
            for r in rows
        ]
    )


def _values(region: Region) -> dict[str, object]:
    return {
        "code": region.code,
        "name_zh": region.name_zh,
        "name_en": region.name_en,
        "parent": region.parent,
        "retired_on": None,
    }


async def do_update_regions(
    db: AsyncSession,
    official: RegionBook,
    *,
    today: date,
    max_retired: int | None = None,
    advance: Callable[[int], None] | None = None,
) -> RegionChanges:
    """Make the table match ``official`` (every region in it current). Refuses (writing
    nothing) when more than ``max_retired`` codes would retire. ``advance`` is called with the
    number of regions each step handled, for a progress bar."""
    have = {r.code: r for r in (await db.scalars(select(RegionRow))).all()}
    fresh: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    unchanged = 0
    for region in official.regions():
        values = _values(region)
        row = have.get(region.code)
        if row is None:
            fresh.append(values)
        elif (row.name_zh, row.name_en, row.parent, row.retired_on) != (
            region.name_zh,
            region.name_en,
            region.parent,
            None,
        ):
            changed.append(values)
        else:
            unchanged += 1
    gone = [
        {"code": code, "retired_on": today}
        for code, row in have.items()
        if official.get(code) is None and row.retired_on is None
    ]
    if max_retired is not None and len(gone) > max_retired:
        raise TooManyRetired(len(gone), max_retired)
    if advance:
        advance(unchanged)
    for batch, statement in ((fresh, insert(RegionRow)), (changed, update(RegionRow))):
        for start in range(0, len(batch), CHUNK):
            chunk = batch[start : start + CHUNK]
            await db.execute(statement, chunk)
            if advance:
                advance(len(chunk))
    if gone:
        await db.execute(update(RegionRow), gone)
    return RegionChanges(len(fresh), len(changed), len(gone), unchanged)
