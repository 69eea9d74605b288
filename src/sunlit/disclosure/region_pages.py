"""A region's sales in public (``/regions/{code}``, issue 21 item 5): a chart drawn on the server
(plain SVG, no script) with the figures as a table beside it, and the days as CSV."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.core.errors import N_, NotFound
from sunlit.core.regions.model import RegionLevel, region_prefix
from sunlit.core.regions.services import get_region, served_regions
from sunlit.disclosure.overview import counties_overview
from sunlit.disclosure.region import RegionSales, producer_sales, region_sales
from sunlit.disclosure.region_record import KindPrices
from sunlit.web.deps import Kit
from sunlit.web.downloads import csv_bytes, csv_download
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

#: A region's code (GB/T 2260): six digits.
RegionCode = Annotated[str, Path(pattern=r"^\d{6}$")]
CSV_COLUMNS = (
    "region",
    "day",
    "in_session_fen",
    "producer_hosted_fen",
    "without_official_fen",
    "total_fen",
)


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


async def _summary(work: Work[Kit], code: str) -> RegionSales:
    """A county's summary; an unknown code, or a city's or province's, is a 404 with a plain
    message (a province's orders of 120 days would be read for every visitor)."""
    if get_region(code).level is not RegionLevel.COUNTY:
        raise NotFound(N_("Sales are shown county by county: %(code)s is not a county."),
                       params={"code": code})  # fmt: skip
    return await region_sales(work.db, code, now=work.now, zone=work.services.zone)


@router.get("/regions/{code}")
async def region_page(code: RegionCode, work: Work[Kit] = unit("public")) -> Response:
    summary = await _summary(work, code)
    return render(
        work.request,
        "disclosure/region.html",
        {**context(summary), "region": get_region(code)},
    )


@router.get("/regions/{code}/sales.csv")
async def region_csv(code: RegionCode, work: Work[Kit] = unit("public")) -> Response:
    """The days of the summary (UTF-8 with a BOM, for spreadsheet programs)."""
    summary = await _summary(work, code)
    return csv_download(_days_csv(summary, code), f"{code}-sales.csv")


def _days_csv(summary: RegionSales, label: str) -> bytes:
    rows = (
        (label, d.day.isoformat(), d.in_session, d.producer_hosted, d.other, d.total)
        for d in summary.days
    )
    return csv_bytes(CSV_COLUMNS, rows)


@router.get("/producer/sales")
async def producer_page(work: Work[Kit] = unit(Role.FARMER)) -> Response:
    """A farmer's own sales around each session (issue 21, item 5: producers for their own
    produce): the county page's chart and tables, for the produce the account runs."""
    summary = await producer_sales(work.db, work.actor.id, now=work.now, zone=work.services.zone)
    return render(work.request, "disclosure/producer_sales.html", context(summary))


@router.get("/producer/sales.csv")
async def producer_csv(work: Work[Kit] = unit(Role.FARMER)) -> Response:
    summary = await producer_sales(work.db, work.actor.id, now=work.now, zone=work.services.zone)
    return csv_download(_days_csv(summary, ""), "my-sales.csv")


@router.get("/sales")
async def counties_page(
    work: Work[Kit] = unit(Role.OFFICIAL, Role.SUPERVISOR, Role.OPERATOR),
) -> Response:
    """Sales county by county (issue 21, item 5): an official sees the served counties of
    their own region, supervisors and operators every served county."""
    served = await served_regions(work.db)
    if work.actor.role is Role.OFFICIAL:
        within = region_prefix(work.actor.region or "")
        served = [r for r in served if work.actor.region and r.code.startswith(within)]
    rows = await counties_overview(work.db, served, now=work.now, zone=work.services.zone)
    return render(work.request, "disclosure/counties.html", {"rows": rows})
