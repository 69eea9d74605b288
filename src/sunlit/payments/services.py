"""Payment use cases: start a charge, apply a gateway's notification, refund, hold, release and
pay out. Each ledger movement is a balanced posting written in the same transaction as the
change.

A refund is always :func:`request_refund`, whatever the payout state: before the payout it is
taken back from the producer's payable; after it, the guarantee fund pays the buyer first
(先行赔付) and the producer's next payouts give the fund back what the producer had received
for that part (:mod:`sunlit.payments.fund`, ADR 0011). Payouts and payout shares are in
:mod:`sunlit.payments.payouts`, and re-exported here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.errors import N_, Conflict, InvalidInput, NotFound
from sunlit.core.ids import new_id
from sunlit.core.money import format_fen
from sunlit.core.reactions import emit
from sunlit.payments import fund, ledger
from sunlit.payments.gateway import Gateway, Notice, NoticeType
from sunlit.payments.model import (
    NotPayable,
    Payment,
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
    PaymentState,
    RefundState,
)
from sunlit.payments.payouts import check_shares as check_shares
from sunlit.payments.payouts import do_set_payout_shares as do_set_payout_shares
from sunlit.payments.payouts import run_payouts as run_payouts
from sunlit.payments.store import post
from sunlit.payments.tables import PaymentRow, RefundRow, WebhookReceiptRow


@dataclass(frozen=True, slots=True)
class Rates:
    """Basis points of each payment kept as the platform fee and for the guarantee fund."""

    fee_bp: int
    fund_bp: int


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"


async def payments_for(db: AsyncSession, reference: str) -> list[PaymentRow]:
    query = select(PaymentRow).where(PaymentRow.reference == reference)
    return list((await db.scalars(query.order_by(PaymentRow.created_at))).all())


async def start_charge(
    db: AsyncSession,
    gateway: Gateway,
    *,
    reference: str,
    payer: str,
    producer: str,
    amount: int,
    description: str,
    return_url: str,
    now: datetime,
) -> PaymentRow:
    """A charge for ``reference``; a pending one is reused, so paying twice charges once."""
    for existing in await payments_for(db, reference):
        if existing.state == "captured":
            raise Conflict(N_("This order is already paid."))
        if existing.state == "pending" and existing.gateway == gateway.name:
            return existing
    charge = await gateway.create_charge(
        db, amount=amount, description=description, return_url=return_url, now=now
    )
    row = PaymentRow(
        id=new_id("pay"),
        reference=reference,
        payer_id=payer,
        producer_id=producer,
        amount=amount,
        gateway=gateway.name,
        gateway_ref=charge.ref,
        pay_url=charge.pay_url,
        state="pending",
        fee=0,
        fund=0,
        refunded=0,
        created_at=now,
    )
    db.add(row)
    return row


async def _locked(db: AsyncSession, *where: ColumnElement[bool]) -> PaymentRow | None:
    """The payment, locked for this transaction: a no-op write takes its row lock on
    PostgreSQL and the write lock on SQLite, so two changes to one payment apply in turn, the
    second reading what the first committed."""
    await db.execute(
        update(PaymentRow)
        .where(*where)
        .values(gateway_ref=PaymentRow.gateway_ref)
        .execution_options(synchronize_session=False)
    )
    return await db.scalar(
        select(PaymentRow).where(*where).execution_options(populate_existing=True)
    )


async def _payment_by_ref(db: AsyncSession, gateway: str, ref: str) -> PaymentRow:
    """The payment of a gateway's charge, locked (two notices for one payment apply in turn)."""
    row = await _locked(db, PaymentRow.gateway == gateway, PaymentRow.gateway_ref == ref)
    if row is None:
        raise NotFound(N_("The notification names a charge Sunlit never made."))
    return row


async def lock_payment(db: AsyncSession, payment_id: str) -> PaymentRow:
    """The payment, locked for this transaction and read afresh. On SQLite a transaction that
    read before another one wrote cannot take the lock any more: that is said as a conflict
    (try again), and nothing changes."""
    try:
        row = await _locked(db, PaymentRow.id == payment_id)
    except OperationalError as exc:  # SQLite: database is locked (a stale snapshot)
        if db.get_bind().dialect.name != "sqlite":
            raise
        raise Conflict(N_("Another change to this payment came first; please try again.")) from exc
    if row is None:
        raise NotFound(N_("No such payment."))
    return row


async def handle_notice(
    db: AsyncSession, gateway: Gateway, notice: Notice, *, rates: Rates, now: datetime
) -> Outcome:
    """Apply a verified notification once. A second copy changes nothing; a refund that
    arrives before its charge's capture is refused (409) so that the gateway sends it again."""
    payment = await _payment_by_ref(db, gateway.name, notice.charge)
    if await db.get(WebhookReceiptRow, notice.id) is not None:
        return Outcome.DUPLICATE
    if notice.type is NoticeType.CHARGE_SUCCEEDED:
        await _capture(db, gateway, payment, notice, rates=rates, now=now)
    elif notice.type is NoticeType.CHARGE_FAILED:
        if payment.state == "pending":
            payment.state = PaymentState.FAILED
            await emit(db, PaymentFailed(payment.id, payment.reference, now))
    else:
        await _settle_refund(db, payment, notice, now=now)
    db.add(
        WebhookReceiptRow(
            event_id=notice.id, gateway=gateway.name, type=notice.type.value, received_at=now
        )
    )
    return Outcome.APPLIED


async def _capture(
    db: AsyncSession,
    gateway: Gateway,
    payment: PaymentRow,
    notice: Notice,
    *,
    rates: Rates,
    now: datetime,
) -> None:
    if payment.state == "captured":
        return
    if notice.amount != payment.amount:
        raise InvalidInput(N_("The notification's amount does not match the charge."))
    payment.state = PaymentState.CAPTURED
    payment.captured_at = now
    payment.fee, payment.fund = ledger.fee_and_fund(payment.amount, rates.fee_bp, rates.fund_bp)
    capture = ledger.capture(
        payment.id, payment.producer_id, payment.amount, payment.fee, payment.fund
    )
    await post(db, capture, now=now)
    captured = PaymentCaptured(
        payment.id, payment.reference, payment.payer_id, payment.producer_id, payment.amount, now
    )
    try:
        await emit(db, captured)
    except NotPayable:  # paid for something that can no longer be paid: give it all back
        await request_refund(
            db,
            gateway,
            payment,
            payment.amount,
            reason="order no longer payable",
            by=None,
            now=now,
        )


async def _settle_refund(
    db: AsyncSession, payment: PaymentRow, notice: Notice, *, now: datetime
) -> None:
    refund = await db.scalar(select(RefundRow).where(RefundRow.gateway_ref == notice.refund))
    if refund is None or refund.payment_id != payment.id:
        raise NotFound(N_("The notification names a refund Sunlit never asked for."))
    if refund.state == "succeeded":
        return
    if payment.state != "captured":
        raise Conflict(N_("The refund arrived before its payment was captured; send it again."))
    if payment.payout_id is None:
        back = ledger.reversal(
            payment.amount, payment.fee, payment.fund, payment.refunded, refund.amount
        )
        posting = ledger.refund_before_payout(refund.id, payment.producer_id, refund.amount, back)
    else:
        posting = ledger.refund_after_payout(refund.id, refund.amount)
        await fund.compensate(db, payment, refund, now=now)
    await post(db, posting, now=now)
    refund.state = RefundState.SUCCEEDED
    refund.settled_at = now
    payment.refunded += refund.amount
    payment.refund_pending -= refund.amount
    await emit(
        db, PaymentRefunded(payment.id, payment.reference, refund.amount, refund.reason, now)
    )


async def pending_refunds(db: AsyncSession, payment_id: str) -> int:
    total = await db.scalar(
        select(func.coalesce(func.sum(RefundRow.amount), 0)).where(
            RefundRow.payment_id == payment_id, RefundRow.state == "pending"
        )
    )
    return int(total or 0)


async def request_refund(
    db: AsyncSession,
    gateway: Gateway,
    payment: Payment,
    amount: int,
    *,
    reason: str,
    by: str | None,
    now: datetime,
) -> RefundRow:
    """Ask the gateway to return ``amount``; the ledger moves when its notification comes.

    The one way money goes back to a buyer, for a cancellation, a seller's refund, after-sales
    or arbitration, whatever the payout state: before the payout the producer's payable gives
    it back; after, the guarantee fund pays it first and recovers the producer's part from its
    next payouts. The payment is locked first, so two refunds at once are counted in turn and
    never add up to more than was paid (the database's CHECK says so too): the second is
    refused with :class:`InvalidInput` (on SQLite it may be a :class:`Conflict`, try again).
    A pending refund holds the payment out of payouts until it settles."""
    row = await lock_payment(db, payment.id)
    if row.state != "captured":
        raise Conflict(N_("Only a captured payment can be refunded."))
    left = row.amount - row.refunded - row.refund_pending
    if amount <= 0 or amount > left:
        raise InvalidInput(
            N_("A refund cannot be larger than what is left of the payment (%(left)s)."),
            fields={"amount": N_("At most what is left of the payment.")},
            params={"left": format_fen(left)},
        )
    ref = await gateway.refund(db, charge=row.gateway_ref, amount=amount, now=now)
    refund = RefundRow(
        id=new_id("rf"),
        payment_id=row.id,
        amount=amount,
        reason=reason[:200],
        gateway_ref=ref,
        state="pending",
        requested_by=by,
        created_at=now,
    )
    row.refund_pending += amount
    db.add(refund)
    return refund


async def refundable(db: AsyncSession, payment: Payment) -> int:
    """What is left to refund of a payment: paid, less refunded and refunds on their way."""
    row = await db.get(PaymentRow, payment.id)
    return 0 if row is None else row.amount - row.refunded - row.refund_pending


async def set_release(db: AsyncSession, reference: str, release_at: datetime | None) -> None:
    """The captured payment for ``reference`` may be paid out from ``release_at`` on; None
    holds it out of payouts (while an after-sales request on it is open). A payment already
    paid out keeps its payout."""
    for payment in await payments_for(db, reference):
        if payment.state == "captured" and payment.payout_id is None:
            payment.release_at = release_at


async def hold_payout(db: AsyncSession, reference: str) -> int:
    """Keep the captured payments for ``reference`` out of payouts (while after-sales has a
    request open), whatever their release time; returns how many were held. One already paid
    out stays paid out: a refund of it is then paid first by the guarantee fund."""
    held = 0
    for payment in await payments_for(db, reference):
        if payment.state == "captured" and payment.payout_id is None:
            row = await lock_payment(db, payment.id)
            row.held = True
            held += 1
    return held


async def release_payout(db: AsyncSession, reference: str, release_at: datetime | None) -> None:
    """Let payouts take the payments for ``reference`` again, from ``release_at`` on (None:
    keep the release time they had; a payment never released waits for its delivery)."""
    for payment in await payments_for(db, reference):
        if payment.state == "captured" and payment.held:
            row = await lock_payment(db, payment.id)
            row.held = False
            if release_at is not None:
                row.release_at = release_at
