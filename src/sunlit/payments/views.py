"""Reads of payments that its pages and API (and the contexts above) share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.core.errors import N_, NotFound
from sunlit.payments import ledger
from sunlit.payments.model import PaymentState
from sunlit.payments.tables import (
    FundRecoveryRow,
    LedgerEntryRow,
    LedgerTransactionRow,
    PaymentRow,
    PayoutLineRow,
    PayoutRow,
)


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


@dataclass(frozen=True, slots=True)
class OrderMoney:
    """Where an order's payment went: the platform's fee, the guarantee fund's share, what was
    paid out to the producer (0 until its payout runs), and who received that payout."""

    order: str
    fee: int
    fund: int
    paid_out: int
    payees: tuple[str, ...]


async def captured_payments(db: AsyncSession, order_ids: set[str]) -> Sequence[PaymentRow]:
    """The captured payments of these orders (a refunded one stays captured), one query."""
    return (
        await db.scalars(
            select(PaymentRow).where(
                PaymentRow.reference.in_(order_ids), PaymentRow.state == PaymentState.CAPTURED
            )
        )
    ).all()


async def money_of_orders(db: AsyncSession, order_ids: set[str]) -> dict[str, OrderMoney]:
    """The captured or refunded payments of these orders, by order id (two queries)."""
    if not order_ids:
        return {}
    payments = await captured_payments(db, order_ids)
    payouts = {p.payout_id for p in payments if p.payout_id is not None}
    payees: dict[str, list[str]] = {}
    if payouts:
        lines = await db.scalars(select(PayoutLineRow).where(PayoutLineRow.payout_id.in_(payouts)))
        for line in lines:
            payees.setdefault(line.payout_id, []).append(line.payee_id)
    return {p.reference: _money(p, payees) for p in payments}


def _money(payment: PaymentRow, payees: dict[str, list[str]]) -> OrderMoney:
    """The fee and the fund keep what a refund did not take back from them."""
    p = payment
    back = ledger.reversal(p.amount, p.fee, p.fund, 0, p.refunded) if p.refunded else None
    out = p.payout_id is not None
    return OrderMoney(
        order=p.reference,
        fee=p.fee - (back.fee if back else 0),
        fund=p.fund - (back.fund if back else 0),
        paid_out=ledger.producer_share(p.amount, p.fee, p.fund, p.refunded) if out else 0,
        payees=tuple(payees.get(p.payout_id or "", ())),
    )


@dataclass(frozen=True, slots=True)
class FundSummary:
    """The guarantee fund in aggregate, in fen: what payments put in (net of what refunds
    before payout took back), what it paid buyers first after a producer had been paid
    (compensations), what producers' later payouts gave back, what is still owed, and the
    balance, which is contributions − compensated + recovered."""

    contributions: int
    compensations: int
    compensated: int
    recovered: int
    outstanding: int
    balance: int


def summarise_fund(
    *,
    captured: int,
    reversals: int,
    compensations: int,
    compensated: int,
    recovered: int,
    owed: int,
    balance: int,
) -> FundSummary:
    """The summary of the fund from its ledger sums (credits positive) and its recoveries."""
    return FundSummary(
        contributions=captured - reversals,
        compensations=compensations,
        compensated=compensated,
        recovered=recovered,
        outstanding=owed - recovered,
        balance=balance,
    )


async def fund_summary(db: AsyncSession) -> FundSummary:
    """The guarantee fund, from the ledger's entries on ``guarantee_fund`` by kind of posting
    and from the recoveries (three queries). Never per producer: this is public."""
    by_kind = dict(
        (
            await db.execute(
                select(LedgerTransactionRow.kind, func.sum(LedgerEntryRow.amount))
                .join(
                    LedgerTransactionRow, LedgerTransactionRow.id == LedgerEntryRow.transaction_id
                )
                .where(LedgerEntryRow.account_id == ledger.GUARANTEE_FUND)
                .group_by(LedgerTransactionRow.kind)
            )
        ).all()
    )
    count, compensated, owed, recovered = (
        await db.execute(
            select(
                func.count(),
                func.coalesce(func.sum(FundRecoveryRow.compensated), 0),
                func.coalesce(func.sum(FundRecoveryRow.amount), 0),
                func.coalesce(func.sum(FundRecoveryRow.recovered), 0),
            )
        )
    ).one()
    refunds = int(by_kind.get(ledger.PostingKind.REFUND, 0) or 0)  # debits: money out
    return summarise_fund(
        captured=-int(by_kind.get(ledger.PostingKind.CAPTURE, 0) or 0),
        reversals=refunds - int(compensated),
        compensations=int(count),
        compensated=int(compensated),
        recovered=int(recovered),
        owed=int(owed),
        balance=-sum(int(value or 0) for value in by_kind.values()),
    )


async def recoveries_of(db: AsyncSession, producer_ids: list[str] | None) -> list[FundRecoveryRow]:
    """What the guarantee fund paid first for these producers' orders and is recovering from
    their payouts (None: all), the open ones first, then the newest."""
    query = select(FundRecoveryRow).where(FundRecoveryRow.amount > 0)
    if producer_ids is not None:
        query = query.where(FundRecoveryRow.producer_id.in_(producer_ids))
    query = query.order_by(
        FundRecoveryRow.closed_at.is_not(None), FundRecoveryRow.created_at.desc()
    )
    return list((await db.scalars(query.limit(200))).all())


async def references_of(db: AsyncSession, payment_ids: set[str]) -> dict[str, str]:
    """The reference (for orders: the order id) of each payment, by payment id."""
    if not payment_ids:
        return {}
    query = select(PaymentRow.id, PaymentRow.reference).where(PaymentRow.id.in_(payment_ids))
    return {pid: reference for pid, reference in (await db.execute(query)).all()}
