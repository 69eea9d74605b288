"""A region's sales in public (``/regions/{code}``, issue 21 item 5): a chart drawn on the server
(plain SVG, no script) with the figures as a table beside it, the days as CSV, and links to the
county's monthly reports (:mod:`sunlit.disclosure.monthly_pages`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.core.i18n import current_language
from sunlit.core.regions.model import region_prefix
from sunlit.core.regions.services import served_regions
from sunlit.disclosure.county import context, county
from sunlit.disclosure.monthly import month_name, report_months
from sunlit.disclosure.overview import counties_overview
from sunlit.disclosure.region import RegionSales, producer_sales, region_sales
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


async def _summary(work: Work[Kit], code: str) -> RegionSales:
    """A county's summary (any other code is a 404 saying so: :func:`county`)."""
    county(code)
    return await region_sales(work.db, code, now=work.now, zone=work.services.zone)


@router.get("/regions/{code}")
async def region_page(code: RegionCode, work: Work[Kit] = unit("public")) -> Response:
    summary = await _summary(work, code)
    today = work.now.astimezone(work.services.zone).date()
    language = current_language.get()
    reports = [(m, month_name(m.first, language)) for m in report_months(today)]
    shown = {**context(summary), "region": county(code), "reports": reports}
    return render(work.request, "disclosure/region.html", shown)


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
