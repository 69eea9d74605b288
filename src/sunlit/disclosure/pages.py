"""The public session page (``/sessions/{id}``), phone first, zh and en; its live figures
alone (for the page to refresh while on air); the post-live report as PDF and its per-product
table as CSV."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.work import Work, unit
from sunlit.disclosure import report, views
from sunlit.disclosure.claims import views as claims
from sunlit.disclosure.concerns import views as concerns
from sunlit.integrity.cases import RULE_LABELS, SEVERITY_LABELS
from sunlit.web.deps import Kit, PathId
from sunlit.web.downloads import csv_download
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

LABELS = {"rule_labels": RULE_LABELS, "severity_labels": SEVERITY_LABELS}


async def _values(work: Work[Kit], session_id: str, *, ended: bool = False) -> dict[str, Any]:
    """What the page and the printed report show: the disclosure, its concerns and claims."""
    found = await views.session_disclosure(work.db, session_id, today=work.now.date())
    if ended:
        report.ended(found)
    return {
        "s": found,
        "now": work.now,
        "concerns": await concerns.session_concerns(work.db, session_id, now=work.now),
        "claims": await claims.session_claims(work.db, session_id),
        "claims_tolerance": claims.TOLERANCE,
        **LABELS,
    }


@router.get("/sessions/{session_id}")
async def session_page(session_id: PathId, work: Work[Kit] = unit("public")) -> Response:
    return render(work.request, "disclosure/session.html", await _values(work, session_id))


@router.get("/sessions/{session_id}/figures")
async def session_figures(session_id: PathId, work: Work[Kit] = unit("public")) -> Response:
    """The live figures block alone (htmx swaps it in every 30 seconds while on air)."""
    block = await views.live_block(work.db, session_id)
    return render(work.request, "disclosure/_live.html", {"s": block, "now": work.now})


@router.get("/sessions/{session_id}/products.csv")
async def products_csv(session_id: PathId, work: Work[Kit] = unit("public")) -> Response:
    """The per-product table of an ended session, as CSV (UTF-8 with a BOM, for Excel)."""
    found = await views.session_disclosure(work.db, session_id, today=work.now.date())
    return csv_download(report.products_csv(found), f"{found.id}-products.csv")


@router.get("/sessions/{session_id}/report.pdf")
async def report_pdf(session_id: PathId, work: Work[Kit] = unit("public")) -> Response:
    """The post-live report, printable (WeasyPrint; 503 where Pango is missing)."""
    values = await _values(work, session_id, ended=True)
    html = render(work.request, "disclosure/report.html", {**values, "printing": True}).body
    found = values["s"]
    pdf = await report.to_pdf(found, bytes(html))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{found.id}-report.pdf"'},
    )
