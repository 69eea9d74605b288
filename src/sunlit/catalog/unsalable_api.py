"""JSON API for unsalable-stock reports (``/api/v1``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.catalog import unsalable
from sunlit.catalog.model import HelpStatus, UnsalableReason
from sunlit.catalog.views import UnsalableReport
from sunlit.core.ids import ID_PATTERN
from sunlit.core.text import CleanText
from sunlit.web.deps import get_db, get_services

router = APIRouter(prefix="/api/v1", tags=["unsalable stock"])


class UnsalableIn(BaseModel):
    product: str = Field(pattern=ID_PATTERN)
    quantity: int = Field(ge=-(2**62), le=2**62)
    reason: UnsalableReason
    deadline: date
    note: CleanText = Field("", max_length=2000)


class UnsalableOut(BaseModel):
    id: str
    product_id: str
    producer_id: str
    region: str
    quantity: int
    reason: UnsalableReason
    note: str
    deadline: date
    status: HelpStatus

    @classmethod
    def of(cls, row: UnsalableReport) -> UnsalableOut:
        return cls(
            id=row.id,
            product_id=row.product_id,
            producer_id=row.producer_id,
            region=row.region,
            quantity=row.quantity,
            reason=UnsalableReason(row.reason),
            note=row.note,
            deadline=row.deadline,
            status=HelpStatus(row.status),
        )


@router.post("/unsalable-reports", status_code=201, response_model=UnsalableOut)
async def report_unsalable(
    body: UnsalableIn,
    request: Request,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> UnsalableOut:
    row = await unsalable.do_report_unsalable(
        db,
        principal.require(),
        body.product,
        quantity=body.quantity,
        reason=body.reason,
        deadline=body.deadline,
        note=body.note,
        now=get_services(request).clock.now(),
    )
    await db.commit()
    return UnsalableOut.of(row)


@router.get("/unsalable-reports", response_model=list[UnsalableOut])
async def needs_help(
    principal: Principal = allow(Role.OFFICIAL, Role.SUPERVISOR, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> list[UnsalableOut]:
    """Open reports: an official's jurisdiction, or every region for oversight."""
    region = unsalable.region_of_view(principal.require())
    return [UnsalableOut.of(row) for row in await unsalable.needs_help(db, region=region)]
