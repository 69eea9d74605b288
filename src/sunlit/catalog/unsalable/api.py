"""JSON API for unsalable-stock reports (``/api/v1``)."""

from __future__ import annotations

from fastapi import APIRouter

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog import views
from sunlit.catalog.schemas import UnsalableIn, UnsalableOut
from sunlit.catalog.unsalable import services as unsalable
from sunlit.web.deps import Kit

router = APIRouter(prefix="/api/v1", tags=["unsalable stock"])


@router.post("/unsalable-reports", status_code=201, response_model=UnsalableOut)
async def report_unsalable(body: UnsalableIn, work: Work[Kit] = unit(Role.FARMER)) -> UnsalableOut:
    row = await unsalable.do_report_unsalable(
        work.db,
        work.actor,
        body.product,
        quantity=body.quantity,
        reason=body.reason,
        deadline=body.deadline,
        note=body.note,
        now=work.now,
    )
    await work.commit()
    return UnsalableOut.of(row)


@router.get("/unsalable-reports", response_model=list[UnsalableOut])
async def needs_help(
    work: Work[Kit] = unit(Role.OFFICIAL, Role.SUPERVISOR, Role.OPERATOR),
) -> list[UnsalableOut]:
    """Open reports: an official's jurisdiction, or every region for oversight."""
    _, reports = await views.help_queue(work.db, work.actor)
    return [UnsalableOut.of(row) for row in reports]
