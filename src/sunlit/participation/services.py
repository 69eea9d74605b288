"""Price consent use cases. A producer's price is the producer's: a change by anyone else is a
proposal that the producer accepts or refuses, and each step is an event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.catalog.model import MAX_PRICE_FEN, ClearanceReason, check_proposer
from sunlit.catalog.producers import services as producers
from sunlit.catalog.products import services as catalog
from sunlit.catalog.schemas import Product
from sunlit.core.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id
from sunlit.participation.model import (
    PriceRoute,
    ProposalStatus,
    check_decision,
    check_reason,
    route_for,
)
from sunlit.participation.tables import PriceProposalRow

FIX = N_("Please correct the marked fields.")


async def do_change_price(
    db: AsyncSession,
    actor: Actor,
    product_id: str,
    price: int,
    *,
    now: datetime,
    reason: str = "",
    clearance: ClearanceReason | None = None,
) -> tuple[PriceRoute, Product | PriceProposalRow]:
    """The producer's own change takes effect; anyone else's becomes a proposal, which only an
    operator, or an official for produce of the regions they serve, may make."""
    product = await catalog.get_product(db, product_id)
    producer = await producers.get_producer(db, product.producer_id)
    route = route_for(
        manages_producer=await producers.speaks_for(db, actor, producer),
        is_operator=actor.role == Role.OPERATOR,
    )
    if route is PriceRoute.DIRECT:
        changed = await catalog.set_price(
            db, product, price, actor=actor.id, now=now, clearance=clearance
        )
        return route, changed
    if refusal := check_proposer(actor.role, actor.region, product.origin_region):
        raise PermissionDenied(refusal)
    errors = {}
    if not 1 <= price <= MAX_PRICE_FEN:
        errors["price"] = N_("A price is between ¥0.01 and ¥100,000 a unit.")
    if problem := check_reason(reason):
        errors["reason"] = problem
    if errors:
        raise InvalidInput(FIX, fields=errors)
    proposal = PriceProposalRow(
        id=new_id("q"),
        product_id=product.id,
        proposed_by=actor.id,
        price=price,
        previous_price=product.price,
        reason=reason.strip(),
        status=ProposalStatus.PENDING.value,
        created_at=now,
    )
    db.add(proposal)
    append(
        db,
        Event(
            type=EventType.PRICE_PROPOSED,
            ts=now,
            actor=actor.id,
            data={
                "proposal": proposal.id,
                "product": product.id,
                "price": price,
                "previous_price": product.price,
                "reason": proposal.reason,
            },
        ),
    )
    return route, proposal


async def get_proposal(db: AsyncSession, proposal_id: str) -> PriceProposalRow:
    row = await db.get(PriceProposalRow, proposal_id)
    if row is None:
        raise NotFound(N_("No such price proposal."))
    return row


async def do_decide(
    db: AsyncSession,
    actor: Actor,
    proposal_id: str,
    *,
    accept: bool,
    now: datetime,
    clearance: ClearanceReason | None = None,
    note: str = "",
) -> PriceProposalRow:
    """The producer accepts (the price changes) or refuses (nothing changes)."""
    proposal = await get_proposal(db, proposal_id)
    product = await catalog.get_product(db, proposal.product_id)
    producer = await producers.get_producer(db, product.producer_id)
    if actor.role == Role.OPERATOR or not await producers.speaks_for(db, actor, producer):
        raise PermissionDenied(N_("Only the producer can accept or refuse a price proposal."))
    if problem := check_decision(ProposalStatus(proposal.status)):
        raise Conflict(problem)
    decided = ProposalStatus.ACCEPTED if accept else ProposalStatus.REFUSED
    # Claim the proposal: of two answers racing, only the one whose UPDATE flips it goes on.
    claimed = await db.execute(
        update(PriceProposalRow)
        .where(
            PriceProposalRow.id == proposal.id,
            PriceProposalRow.status == ProposalStatus.PENDING.value,
        )
        .values(status=decided.value)
        .execution_options(synchronize_session="fetch")
    )
    if getattr(claimed, "rowcount", 1) != 1:
        raise Conflict(N_("This proposal has already been decided."))
    if accept:
        await catalog.set_price(
            db,
            product,
            proposal.price,
            actor=actor.id,
            now=now,
            clearance=clearance,
            proposal=proposal.id,
        )
    proposal.decided_by, proposal.decided_at = actor.id, now
    proposal.decision_note = note.strip()[:500] or None
    proposal.clearance = clearance if accept and clearance else None
    append(
        db,
        Event(
            type=EventType.PRICE_PROPOSAL_DECIDED,
            ts=now,
            actor=actor.id,
            data={
                "proposal": proposal.id,
                "product": product.id,
                "decision": proposal.status,
                "price": proposal.price,
                "clearance": proposal.clearance,
            },
        ),
    )
    return proposal


async def proposals_for_products(
    db: AsyncSession, product_ids: list[str], *, pending_only: bool = False
) -> list[PriceProposalRow]:
    query = (
        select(PriceProposalRow)
        .where(PriceProposalRow.product_id.in_(product_ids))
        .order_by(PriceProposalRow.created_at.desc())
    )
    if pending_only:
        query = query.where(PriceProposalRow.status == ProposalStatus.PENDING.value)
    return list((await db.scalars(query)).all())


async def proposals_by(db: AsyncSession, account_id: str) -> list[PriceProposalRow]:
    query = (
        select(PriceProposalRow)
        .where(PriceProposalRow.proposed_by == account_id)
        .order_by(PriceProposalRow.created_at.desc())
    )
    return list((await db.scalars(query)).all())
