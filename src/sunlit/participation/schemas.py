"""Schemas of the participation context's JSON answers, built from its rows (kept out of the
routes, which never see a table)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from sunlit.catalog.model import ClearanceReason
from sunlit.catalog.schemas import Product, ProductOut
from sunlit.core.ids import ID_PATTERN
from sunlit.core.text import CleanText
from sunlit.participation.model import PriceRoute, ProposalStatus, ReportCategory
from sunlit.participation.tables import AnonymousReportRow, PriceProposalRow, SessionRatingRow


class PriceIn(BaseModel):
    price: int = Field(ge=-(2**62), le=2**62)
    reason: CleanText = Field("", max_length=1000)
    clearance: ClearanceReason | None = None


class ProposalOut(BaseModel):
    id: str
    product_id: str
    proposed_by: str
    price: int
    previous_price: int
    reason: str
    status: ProposalStatus
    decided_at: datetime | None
    decision_note: str | None
    clearance: ClearanceReason | None
    created_at: datetime

    @classmethod
    def of(cls, row: PriceProposalRow) -> ProposalOut:
        return cls.model_validate(row, from_attributes=True)


def price_change_out(route: PriceRoute, result: Product | PriceProposalRow) -> BaseModel:
    """The answer to a price change: the product as changed (applied at once), or the proposal
    that waits for the producer."""
    if isinstance(result, PriceProposalRow):
        assert route is PriceRoute.PROPOSAL
        return ProposalOut.of(result)
    assert route is PriceRoute.DIRECT
    return ProductOut.of(result)


class ReportIn(BaseModel):
    category: ReportCategory
    text: CleanText = Field(max_length=8000)
    region: str | None = Field(None, pattern=r"^\d{6}$")
    session: CleanText | None = Field(None, max_length=64, description="a live session id")


class ReportReceipt(BaseModel):
    received_on: date


class ReportOut(BaseModel):
    category: ReportCategory
    text: str
    region: str | None
    session: str | None
    received_on: date

    @classmethod
    def of(cls, row: AnonymousReportRow) -> ReportOut:
        return cls(
            category=ReportCategory(row.category),
            text=row.text,
            region=row.region,
            session=row.session_ref,
            received_on=row.received_on,
        )


class RatingIn(BaseModel):
    producer: str = Field(pattern=ID_PATTERN)
    stars: int = Field(ge=-(2**31), le=2**31)
    text: CleanText = Field("", max_length=4000)


class RatingOut(BaseModel):
    plan: str
    producer: str
    stars: int
    text: str

    @classmethod
    def of(cls, row: SessionRatingRow) -> RatingOut:
        return cls(plan=row.plan_id, producer=row.producer_id, stars=row.stars, text=row.text)
