"""A county's sales as the public page and the monthly report show them: which codes are
counties (sales are shown county by county), and the charts drawn from the summary."""

from __future__ import annotations

from dataclasses import dataclass

from sunlit.core.errors import N_, NotFound
from sunlit.core.regions.model import Region, RegionLevel
from sunlit.core.regions.services import get_region
from sunlit.disclosure.region import RegionSales
from sunlit.disclosure.region_record import KindPrices


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


@dataclass(frozen=True, slots=True)
class PriceChart:
    """A kind's weeks drawn in a 100-high SVG, 10 units a week: the band as a shaded bar, the
    average price paid as a dot joined by a line (y grows downwards)."""

    prices: KindPrices
    width: int
    bands: list[tuple[int, int, int]]  # x, y of the high end, height
    dots: list[tuple[int, int]]  # x, y of the price
    line: str  # the dots as an SVG polyline's points


def price_chart(prices: KindPrices, height: int = 100) -> PriceChart:
    values = [w.per_jin for w in prices.weeks]
    values += [v for w in prices.weeks for v in (w.low, w.high) if v is not None]
    top, bottom = max(values, default=1) * 1.1, min(values, default=0) * 0.9
    span = (top - bottom) or 1

    def y(fen: int) -> int:
        return round(height * (top - fen) / span)

    bands = [
        (10 * n + 1, y(w.high), max(1, y(w.low) - y(w.high)))
        for n, w in enumerate(prices.weeks)
        if w.low is not None and w.high is not None
    ]
    dots = [(10 * n + 5, y(w.per_jin)) for n, w in enumerate(prices.weeks)]
    line = " ".join(f"{x},{dy}" for x, dy in dots)
    return PriceChart(prices, 10 * len(prices.weeks), bands, dots, line)


def context(summary: RegionSales) -> dict[str, object]:
    """What the sales summary's template needs besides the summary: its charts."""
    return {
        "r": summary,
        "bars": chart_bars(summary),
        "price_charts": [price_chart(kind) for kind in summary.prices],
    }
