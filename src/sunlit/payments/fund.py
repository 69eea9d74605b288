"""The guarantee fund's first compensation (先行赔付) and its recovery (ADR 0011): when a
refund settles for a payment already paid out, the fund pays the buyer and the producer owes
back its part of the refund; its next payouts give that back, oldest first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id
from sunlit.payments import ledger
from sunlit.payments.tables import FundRecoveryRow, PaymentRow, RefundRow


async def compensate(
    db: AsyncSession, payment: PaymentRow, refund: RefundRow, *, now: datetime
) -> None:
    """The guarantee fund paid ``refund`` first, the producer having been paid: record what
    the producer owes back (its part of the refund) for its next payouts to recover."""
    owed = ledger.owed_back(
        payment.amount, payment.fee, payment.fund, payment.refunded, refund.amount
    )
    recovery = FundRecoveryRow(
        id=new_id("fr"),
        producer_id=payment.producer_id,
        payment_id=payment.id,
        refund_id=refund.id,
        compensated=refund.amount,
        amount=owed,
        recovered=0,
        created_at=now,
        closed_at=None if owed else now,
    )
    db.add(recovery)
    append(
        db,
        Event(
            EventType.FUND_COMPENSATED,
            now,
            {
                "payment": payment.id,
                "reference": payment.reference,
                "producer": payment.producer_id,
                "refund": refund.id,
                "amount": refund.amount,
                "recovery": recovery.id,
                "owed": owed,
            },
        ),
    )


async def outstanding_recoveries(db: AsyncSession, producer: str) -> list[FundRecoveryRow]:
    """What a producer still owes the guarantee fund, oldest first."""
    query = (
        select(FundRecoveryRow)
        .where(FundRecoveryRow.producer_id == producer, FundRecoveryRow.closed_at.is_(None))
        .order_by(FundRecoveryRow.created_at, FundRecoveryRow.id)
    )
    return list((await db.scalars(query)).all())


def take_back(
    db: AsyncSession,
    owed: list[FundRecoveryRow],
    taken: list[tuple[str, int]],
    *,
    producer: str,
    payout: str,
    by: str | None,
    now: datetime,
) -> None:
    """Record what a payout gave back to the fund (``taken``: recovery and amount, from
    :func:`ledger.recover`), closing the recoveries it paid in full, and its event."""
    amounts = dict(taken)
    for recovery in owed:
        recovery.recovered += amounts.get(recovery.id, 0)
        if recovery.recovered == recovery.amount:
            recovery.closed_at = now
    append(
        db,
        Event(
            EventType.FUND_RECOVERED,
            now,
            {
                "producer": producer,
                "amount": sum(amounts.values()),
                "payout": payout,
                "recoveries": [{"recovery": r, "amount": take} for r, take in taken],
            },
            actor=by,
        ),
    )
