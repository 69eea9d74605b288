"""Schemas of the participation context's JSON answers, built from its rows (kept out of the
routes, which never see a table)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from sunlit.accounts.services import aware
from sunlit.catalog.model import ClearanceReason
from sunlit.catalog.schemas import Product, ProductOut
from sunlit.participation.model import PriceRoute, ProposalStatus
from sunlit.participation.tables import PriceProposalRow


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
        return cls(
            id=row.id,
            product_id=row.product_id,
            proposed_by=row.proposed_by,
            price=row.price,
            previous_price=row.previous_price,
            reason=row.reason,
            status=ProposalStatus(row.status),
            decided_at=aware(row.decided_at) if row.decided_at else None,
            decision_note=row.decision_note,
            clearance=ClearanceReason(row.clearance) if row.clearance else None,
            created_at=aware(row.created_at),
        )


def price_change_out(route: PriceRoute, result: Product | PriceProposalRow) -> BaseModel:
    """The answer to a price change: the product as changed (applied at once), or the proposal
    that waits for the producer."""
    if isinstance(result, PriceProposalRow):
        assert route is PriceRoute.PROPOSAL
        return ProposalOut.of(result)
    assert route is PriceRoute.DIRECT
    return ProductOut.of(result)
