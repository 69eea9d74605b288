"""Reads of payments that its pages and API (and the contexts above) share."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.core.errors import N_, NotFound
from sunlit.payments.tables import PaymentRow, PayoutLineRow, PayoutRow


async def access_charge(db: AsyncSession, actor: Actor, gateway: str, ref: str) -> PaymentRow:
    """The payment behind a gateway's charge, for the buyer who owes it only. Anyone else is
    told there is no such charge (404), which says no more than a mistyped link would."""
    row = await db.scalar(
        select(PaymentRow).where(PaymentRow.gateway == gateway, PaymentRow.gateway_ref == ref)
    )
    if row is None or row.payer_id != actor.id:
        raise NotFound(N_("The payment page has no such charge."))
    return row


async def payouts_for(db: AsyncSession, producer_ids: list[str] | None) -> list[PayoutRow]:
    """Payouts to these producers (None: to all), newest first."""
    query = select(PayoutRow).order_by(PayoutRow.created_at.desc()).limit(200)
    if producer_ids is not None:
        query = query.where(PayoutRow.producer_id.in_(producer_ids))
    return list((await db.scalars(query)).all())


async def payout_lines(db: AsyncSession, payout_id: str) -> list[PayoutLineRow]:
    query = select(PayoutLineRow).where(PayoutLineRow.payout_id == payout_id)
    return list((await db.scalars(query)).all())


async def lines_of_payouts(
    db: AsyncSession, payouts: list[PayoutRow]
) -> dict[str, list[PayoutLineRow]]:
    """Each payout's lines (how it was split among a cooperative's members), by payout id."""
    return {payout.id: await payout_lines(db, payout.id) for payout in payouts}
