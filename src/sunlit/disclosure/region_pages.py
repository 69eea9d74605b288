"""A region's sales in public (``/regions/{code}``, issue 21 item 5): a chart drawn on the server
(plain SVG, no script) with the figures as a table beside it, and the days as CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from sunlit.accounts.work import Work, unit
from sunlit.core.errors import N_, NotFound
from sunlit.core.regions.model import RegionLevel
from sunlit.core.regions.services import get_region
from sunlit.disclosure.region import RegionSales, region_sales
from sunlit.web.deps import Kit
from sunlit.web.downloads import csv_bytes, csv_download
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

#: A region's code (GB/T 2260): six digits.
RegionCode = Annotated[str, Path(pattern=r"^\d{6}$")]
CSV_COLUMNS = ("region", "day", "in_session_fen", "without_official_fen", "total_fen")


def chart_bars(summary: RegionSales, height: int = 120) -> list[tuple[int, int, int, int]]:
    """Each day's bar as (x, height in a session, height without, day index), scaled to the
    busiest day (the SVG is 4 units a day wide and ``height`` tall)."""
    top = max((d.total for d in summary.days), default=0) or 1
    return [
        (4 * n, round(height * d.in_session / top), round(height * d.other / top), n)
        for n, d in enumerate(summary.days)
    ]


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
        {"r": summary, "region": get_region(code), "bars": chart_bars(summary)},
    )


@router.get("/regions/{code}/sales.csv")
async def region_csv(code: RegionCode, work: Work[Kit] = unit("public")) -> Response:
    """The days of the summary (UTF-8 with a BOM, for spreadsheet programs)."""
    summary = await _summary(work, code)
    rows = ((code, d.day.isoformat(), d.in_session, d.other, d.total) for d in summary.days)
    return csv_download(csv_bytes(CSV_COLUMNS, rows), f"{code}-sales.csv")
