"""Sales county by county, for those who answer for them (issue 21, item 5: officials for their
region, supervisors for all): one row a county over the last 90 days, saying what sold, how
much of it with no official on camera, who hosted the sessions, and whether sales lasted after
the officials' sessions. Each row links to the county's own page for the rest. Three statements
however many counties: the products, the sums by hour, the sessions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.catalog import views as catalog_views
from sunlit.core.regions.model import Region, RegionLevel, region_prefix
from sunlit.disclosure.region import (
    AROUND_DAYS,
    WINDOW_DAYS,
    Hosts,
    Sale,
    Span,
    around,
    by_host,
    sale_of,
    sessions_of,
    share_without_official,
    start_of,
)
from sunlit.filing.services import plans_by_id
from sunlit.orders.views import paid_by_hour


@dataclass(frozen=True, slots=True)
class CountyRow:
    region: Region
    total: int  # fen sold in the period
    share_without_official: float | None
    hosts: Hosts
    before: int  # fen sold with no official on camera in the 30 days before officials' sessions
    after: int  # and in the 30 days after them (only sessions whose 30 days have passed)
    sessions_compared: int  # how many officials' sessions those two sums cover

    @property
    def kept(self) -> float | None:
        """After over before: below 1, sales did not last once the officials left."""
        return round(self.after / self.before, 2) if self.before else None


def county_row(region: Region, sales: Sequence[Sale], spans: Sequence[Span], today: date,
               first: date) -> CountyRow:  # fmt: skip
    """A county's row from its sales (the AROUND_DAYS before ``first`` included) and sessions."""
    shown = [s for s in sales if s.day >= first]
    compared = [
        a
        for a in (around(sales, span, today) for span in spans)
        if a.span.host_kind != "producer" and a.days_after >= AROUND_DAYS
    ]
    return CountyRow(
        region,
        sum(s.amount for s in shown),
        share_without_official(shown),
        by_host(spans, shown),
        sum(a.before for a in compared),
        sum(a.after for a in compared),
        len(compared),
    )


async def counties_overview(
    db: AsyncSession, counties: Sequence[Region], *, now: datetime, zone: ZoneInfo
) -> list[CountyRow]:
    """A row for each county (counties only), in the order given."""
    counties = [c for c in counties if c.level is RegionLevel.COUNTY]
    today = now.astimezone(zone).date()
    first = today - timedelta(days=WINDOW_DAYS - 1)
    since = start_of(first - timedelta(days=AROUND_DAYS), zone)
    prefixes = [(region_prefix(c.code), c.code) for c in counties]
    county_of = {
        product.id: next(
            code for prefix, code in prefixes if product.origin_region.startswith(prefix)
        )
        for product in await catalog_views.sold_in(db, *(c.code for c in counties))
    }
    rows = await paid_by_hour(db, list(county_of), since, now)
    plans = await plans_by_id(db, {row.session for row in rows if row.session})
    ordered, official = sessions_of(plans.values(), first=first, last=today, zone=zone)
    placed: dict[str, str] = {}  # a session's county: that of the first product it sold
    for row in rows:
        if row.session:
            placed.setdefault(row.session, county_of[row.product])
    spans: dict[str, list[Span]] = defaultdict(list)
    for span in ordered:
        spans[placed[span.id]].append(span)
    sales: dict[str, list[Sale]] = defaultdict(list)
    for row in rows:
        sales[county_of[row.product]].append(sale_of(row, official, zone))
    return [county_row(c, sales[c.code], spans[c.code], today, first) for c in counties]
