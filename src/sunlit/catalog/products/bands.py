"""Reference price bands: operators keep them (from market price monitoring, with the source),
and a product's band is the latest for its kind on the region path from its origin up."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.catalog.model import KIND, NATIONAL, Band, Unit, check_band, pick_band
from sunlit.catalog.tables import ReferenceBandRow
from sunlit.core.errors import N_, PermissionDenied, marked_fields
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id
from sunlit.core.regions.services import region_book


def band_of(row: ReferenceBandRow) -> Band:
    return Band(
        row.kind,
        row.region,
        row.low,
        row.high,
        Unit(row.unit),
        row.observed_on,
        row.source,
        row.box_grams,
    )


async def bands_by_kind(db: AsyncSession, kinds: set[str]) -> dict[str, list[Band]]:
    """Every band of each kind, in one statement."""
    found: dict[str, list[Band]] = {kind: [] for kind in kinds}
    query = select(ReferenceBandRow).where(ReferenceBandRow.kind.in_(kinds))
    for row in (await db.scalars(query)).all():
        found[row.kind].append(band_of(row))
    return found


def band_on(bands: dict[str, list[Band]], kind: str, region: str, on: date) -> Band | None:
    """The band of a product of ``kind`` from ``region`` on a day, among ``bands_by_kind``."""
    return pick_band(bands.get(kind, []), kind, region_path(region), on)


async def bands_for(db: AsyncSession, kind: str) -> list[Band]:
    rows = (await db.scalars(select(ReferenceBandRow).where(ReferenceBandRow.kind == kind))).all()
    return [band_of(row) for row in rows]


async def do_add_band(
    db: AsyncSession, actor: Actor, band: Band, *, now: datetime
) -> ReferenceBandRow:
    """Operators keep the reference prices (from market price monitoring, with the source)."""
    if actor.role != Role.OPERATOR:
        raise PermissionDenied(N_("Only an operator can maintain reference prices."))
    errors = check_band(band.low, band.high)
    if not KIND.match(band.kind):
        errors["kind"] = N_("A product kind is 2 to 32 lower-case letters, such as crisp_pear.")
    if band.region != NATIONAL and region_book().get(band.region) is None:
        errors["region"] = N_("Enter a six-digit GB/T 2260 code.")
    if not band.source.strip() or len(band.source) > 200:
        errors["source"] = N_("Say where the band comes from (1 to 200 characters).")
    if band.unit is Unit.BOX and not (band.box_grams and 1 <= band.box_grams <= 100_000):
        errors["box_grams"] = N_("Give the net weight of a box in grams (1 to 100,000).")
    if band.observed_on > now.date():
        errors["observed_on"] = N_("A band cannot be observed in the future.")
    if errors:
        raise marked_fields(errors)
    row = ReferenceBandRow(
        id=new_id("b"),
        kind=band.kind,
        region=band.region,
        low=band.low,
        high=band.high,
        unit=band.unit.value,
        box_grams=band.box_grams if band.unit is Unit.BOX else None,
        observed_on=band.observed_on,
        source=band.source.strip(),
        added_by=actor.id,
        created_at=now,
    )
    db.add(row)
    append(
        db,
        Event(
            type=EventType.REFERENCE_BAND_ADDED,
            ts=now,
            actor=actor.id,
            data={
                "band": row.id,
                "kind": row.kind,
                "region": row.region,
                "low": row.low,
                "high": row.high,
                "unit": row.unit,
                "observed_on": row.observed_on.isoformat(),
                "source": row.source,
            },
        ),
    )
    return row


async def all_bands(db: AsyncSession, limit: int = 500) -> list[Band]:
    query = select(ReferenceBandRow).order_by(
        ReferenceBandRow.kind, ReferenceBandRow.region, ReferenceBandRow.observed_on
    )
    return [band_of(row) for row in (await db.scalars(query.limit(limit))).all()]


def region_path(region: str) -> list[str]:
    """The region's codes from the country down, for :func:`pick_band`."""
    return [r.code for r in region_book().path(region)]


async def band_for(db: AsyncSession, kind: str, region: str, on: date) -> Band | None:
    return pick_band(await bands_for(db, kind), kind, region_path(region), on)
