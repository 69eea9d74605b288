"""A county's monthly report as PDF (``/regions/{code}/report-{YYYY-MM}.pdf``, issue 21 item 5):
public like the county page, in the reader's language (the ``sunlit_lang`` cookie), printed
by WeasyPrint (:mod:`sunlit.disclosure.monthly`)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.work import Work, unit
from sunlit.core.i18n import current_language
from sunlit.disclosure import monthly
from sunlit.disclosure.county import context, county
from sunlit.disclosure.region_pages import RegionCode
from sunlit.web.deps import Kit
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/regions/{code}/report-{month}.pdf")
async def monthly_report(
    code: RegionCode, month: str, work: Work[Kit] = unit("public")
) -> Response:
    """The county's sales in a calendar month: the month under way says "so far"; a month not
    yet begun, before 2000 or malformed, or a code that is not a county's, is a 404."""
    region = county(code)
    zone = work.services.zone
    chosen = monthly.parse_month(month, work.now.astimezone(zone).date())
    summary = await monthly.month_summary(work.db, code, chosen, now=work.now, zone=zone)
    site = str(work.request.base_url).rstrip("/")
    shown = {
        **context(summary),
        "region": region,
        "month": chosen,
        "month_name": monthly.month_name(chosen.first, current_language.get()),
        "generated": work.now,
        "page_url": f"{site}/regions/{code}",
    }
    html = render(work.request, "disclosure/monthly_report.html", shown).body
    pdf = await monthly.to_pdf(bytes(html).decode(), base_url=f"{site}/")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{code}-{chosen.key}.pdf"'},
    )
