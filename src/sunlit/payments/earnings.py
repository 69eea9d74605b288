"""What a producer earns on each order, as the farmer's sales page shows it: what the buyer
paid (less refunds), the platform fee and the guarantee fund's share, the net, and where that
net stands: paid out, waiting for its release date, held during after-sales, or waiting for
the buyer's receipt (the payout rules of docs/payments.md: released ``payout_hold_days`` after
receipt is confirmed, held while an after-sales request is open)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.payments import ledger
from sunlit.payments.model import PaymentState
from sunlit.payments.tables import PaymentRow, PayoutRow
from sunlit.payments.views import captured_payments


class Standing(StrEnum):
    PAID_OUT = "paid_out"
    RELEASING = "releasing"  # receipt confirmed: released on ``release_at``
    HELD = "held"  # an after-sales request is open
    AWAITING_RECEIPT = "awaiting_receipt"  # released hold_days after the buyer confirms


@dataclass(frozen=True, slots=True)
class Earning:
    """One order's money in fen; ``paid`` = ``fee`` + ``fund`` + ``net``."""

    order: str
    paid: int
    fee: int
    fund: int
    net: int
    standing: Standing
    release_at: datetime | None  # when a pending net is released (RELEASING only)
    paid_out_at: datetime | None  # when it was paid out (PAID_OUT only)


def earning(payment: PaymentRow, paid_out_at: datetime | None) -> Earning:
    """A captured payment's split: the fee and the fund keep what refunds did not take back."""
    p = payment
    back = ledger.reversal(p.amount, p.fee, p.fund, 0, p.refunded) if p.refunded else None
    fee = p.fee - (back.fee if back else 0)
    fund = p.fund - (back.fund if back else 0)
    net = ledger.producer_share(p.amount, p.fee, p.fund, p.refunded)
    if p.payout_id is not None:
        standing = Standing.PAID_OUT
    elif p.held:
        standing = Standing.HELD
    elif p.release_at is not None:
        standing = Standing.RELEASING
    else:
        standing = Standing.AWAITING_RECEIPT
    return Earning(
        order=p.reference,
        paid=p.amount - p.refunded,
        fee=fee,
        fund=fund,
        net=net,
        standing=standing,
        release_at=p.release_at if standing is Standing.RELEASING else None,
        paid_out_at=paid_out_at if standing is Standing.PAID_OUT else None,
    )


@dataclass(frozen=True, slots=True)
class Totals:
    paid: int
    fee: int
    fund: int
    net: int
    pending: int  # not yet paid out: releasing, held or waiting for receipt
    paid_out: int
    next_release: datetime | None  # the earliest date after now a pending amount is released
    due: int = 0  # released by now, waiting for the next payout run


def totals(earnings: Iterable[Earning], *, now: datetime) -> Totals:
    """The sums, and what is due: a release date already passed is not "next" (the amount
    waits for the next payout run), so it is counted as due instead."""
    items = list(earnings)
    pending = [e for e in items if e.standing is not Standing.PAID_OUT]
    dates = [e.release_at for e in pending if e.release_at is not None and e.release_at > now]
    due = [e for e in pending if e.release_at is not None and e.release_at <= now]
    return Totals(
        paid=sum(e.paid for e in items),
        fee=sum(e.fee for e in items),
        fund=sum(e.fund for e in items),
        net=sum(e.net for e in items),
        pending=sum(e.net for e in pending),
        paid_out=sum(e.net for e in items if e.standing is Standing.PAID_OUT),
        next_release=min(dates) if dates else None,
        due=sum(e.net for e in due),
    )


async def earnings_of(db: AsyncSession, order_ids: set[str]) -> dict[str, Earning]:
    """The captured payments of these orders as earnings, by order id (two queries)."""
    if not order_ids:
        return {}
    return await _earnings(db, await captured_payments(db, order_ids))


async def earnings_of_producers(
    db: AsyncSession, producer_ids: list[str] | None
) -> dict[str, Earning]:
    """Every captured payment to these producers (None: to all) as earnings, by order id (two
    queries): what the totals of a producer's money add up, however many orders it has."""
    query = select(PaymentRow).where(PaymentRow.state == PaymentState.CAPTURED)
    if producer_ids is not None:
        query = query.where(PaymentRow.producer_id.in_(producer_ids))
    return await _earnings(db, (await db.scalars(query)).all())


async def _earnings(db: AsyncSession, payments: Sequence[PaymentRow]) -> dict[str, Earning]:
    ids = {p.payout_id for p in payments if p.payout_id is not None}
    made: dict[str, datetime] = {}
    if ids:
        query = select(PayoutRow.id, PayoutRow.created_at).where(PayoutRow.id.in_(ids))
        rows = await db.execute(query)
        made = {payout: at for payout, at in rows.all()}
    return {p.reference: earning(p, made.get(p.payout_id or "")) for p in payments}
