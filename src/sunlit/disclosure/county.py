"""A county's sales as the public page and the monthly report show them: which codes are
counties (sales are shown county by county), and the bars of the sales chart."""

from __future__ import annotations

from sunlit.core.errors import N_, NotFound
from sunlit.core.regions.model import Region, RegionLevel
from sunlit.core.regions.services import get_region
from sunlit.disclosure.region import RegionSales


def county(code: str) -> Region:
    """The county with ``code``; an unknown code, or a city's or province's, is a 404 with a
    plain message (a province's orders of 120 days would be read for every visitor)."""
    region = get_region(code)
    if region.level is not RegionLevel.COUNTY:
        raise NotFound(N_("Sales are shown county by county: %(code)s is not a county."),
                       params={"code": code})  # fmt: skip
    return region


def chart_bars(summary: RegionSales, height: int = 120) -> list[tuple[int, int, int, int, int]]:
    """Each day's bar as (x, height with an official on camera, height outside sessions,
    height in producers' own sessions, day index), scaled to the busiest day (the SVG is 4
    units a day wide and ``height`` tall)."""
    top = max((d.total for d in summary.days), default=0) or 1

    def scaled(fen: int) -> int:
        return round(height * fen / top)

    return [
        (4 * n, scaled(d.in_session), scaled(d.other), scaled(d.producer_hosted), n)
        for n, d in enumerate(summary.days)
    ]
