"""Payment use cases: start a charge, apply a gateway's notification, refund, release and pay
out. Each ledger movement is a balanced posting written in the same transaction as the change."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.catalog.producers import services as producer_service
from sunlit.catalog.views import member_households
from sunlit.core.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id
from sunlit.core.reactions import emit
from sunlit.payments import ledger
from sunlit.payments.gateway import Gateway, Notice, NoticeType
from sunlit.payments.model import (
    NotPayable,
    PaidOut,
    Payment,
    PaymentCaptured,
    PaymentFailed,
    PaymentRefunded,
    PaymentState,
    RefundState,
)
from sunlit.payments.store import post
from sunlit.payments.tables import (
    PaymentRow,
    PayoutLineRow,
    PayoutRow,
    PayoutShareRow,
    RefundRow,
    WebhookReceiptRow,
)


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


async def _payment_by_ref(db: AsyncSession, gateway: str, ref: str) -> PaymentRow:
    """The payment, locked for this transaction: a no-op write takes its row lock on
    PostgreSQL and the write lock on SQLite, so two notices for one payment apply in turn."""
    where = (PaymentRow.gateway == gateway, PaymentRow.gateway_ref == ref)
    await db.execute(
        update(PaymentRow)
        .where(*where)
        .values(gateway_ref=PaymentRow.gateway_ref)
        .execution_options(synchronize_session=False)
    )
    row = await db.scalar(
        select(PaymentRow).where(*where).execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound(N_("The notification names a charge Sunlit never made."))
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
    await post(db, posting, now=now)
    refund.state = RefundState.SUCCEEDED
    refund.settled_at = now
    payment.refunded += refund.amount
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
    """Ask the gateway to return ``amount``; the ledger moves when its notification comes."""
    if payment.state != "captured":
        raise Conflict(N_("Only a captured payment can be refunded."))
    left = payment.amount - payment.refunded - await pending_refunds(db, payment.id)
    if amount <= 0 or amount > left:
        raise InvalidInput(
            N_("A refund cannot be larger than what is left of the payment (%(left)s fen)."),
            fields={"amount": N_("At most what is left of the payment.")},
            params={"left": left},
        )
    ref = await gateway.refund(db, charge=payment.gateway_ref, amount=amount, now=now)
    row = RefundRow(
        id=new_id("rf"),
        payment_id=payment.id,
        amount=amount,
        reason=reason[:200],
        gateway_ref=ref,
        state="pending",
        requested_by=by,
        created_at=now,
    )
    db.add(row)
    return row


async def set_release(db: AsyncSession, reference: str, release_at: datetime | None) -> None:
    """The captured payment for ``reference`` may be paid out from ``release_at`` on; None
    holds it out of payouts (while an after-sales request on it is open). A payment already
    paid out keeps its payout."""
    for payment in await payments_for(db, reference):
        if payment.state == "captured" and payment.payout_id is None:
            payment.release_at = release_at


async def _shares(db: AsyncSession, producer: str) -> dict[str, int]:
    rows = (
        await db.scalars(select(PayoutShareRow).where(PayoutShareRow.cooperative_id == producer))
    ).all()
    return {row.member_id: row.share_bp for row in rows}


async def run_payouts(db: AsyncSession, *, by: str | None, now: datetime) -> list[PayoutRow]:
    """Pay every producer what its released payments owe it (delivered and past the holding
    period, with no refund pending), one payout per producer."""
    due = (
        await db.scalars(
            select(PaymentRow)
            .where(
                PaymentRow.state == "captured",
                PaymentRow.release_at.is_not(None),
                PaymentRow.release_at <= now,
                PaymentRow.payout_id.is_(None),
            )
            .order_by(PaymentRow.producer_id, PaymentRow.captured_at)
        )
    ).all()
    by_producer: dict[str, list[PaymentRow]] = defaultdict(list)
    for payment in due:
        if payment.refunded < payment.amount and not await pending_refunds(db, payment.id):
            by_producer[payment.producer_id].append(payment)
    made = []
    for producer, payments in by_producer.items():
        amount = sum(ledger.producer_share(p.amount, p.fee, p.fund, p.refunded) for p in payments)
        if amount <= 0:
            continue
        payout_id = new_id("po")
        lines = ledger.split(amount, producer, await _shares(db, producer))
        row = PayoutRow(
            id=payout_id,
            producer_id=producer,
            amount=amount,
            payments=len(payments),
            created_by=by,
            created_at=now,
        )
        db.add(row)
        await db.flush()
        await post(db, ledger.payout(payout_id, producer, lines), now=now)
        for payee, value in lines:
            db.add(PayoutLineRow(payout_id=payout_id, payee_id=payee, amount=value))
        for payment in payments:
            payment.payout_id = payout_id
        append(
            db,
            Event(
                EventType.PAYOUT_MADE,
                now,
                {
                    "payout": payout_id,
                    "producer": producer,
                    "amount": amount,
                    "lines": [{"payee": payee, "amount": value} for payee, value in lines],
                },
                actor=by,
            ),
        )
        references = tuple(payment.reference for payment in payments)
        await emit(db, PaidOut(payout_id, producer, references, now))
        made.append(row)
    return made


async def check_shares(
    db: AsyncSession, cooperative_id: str, kind: str, shares: list[tuple[str, int]]
) -> dict[str, str]:
    """A msgid per field when the split is not one of the cooperative's member households,
    names one twice, or adds up to more than everything."""
    if kind != "cooperative":
        return {"producer_id": N_("Only a cooperative splits its payouts.")}
    members = [member for member, _ in shares]
    if len(set(members)) != len(members):
        return {"member_id": N_("Name each member once.")}
    households = await member_households(db, cooperative_id)
    if any(member not in households for member in members):
        return {"member_id": N_("Each share goes to a member household of the cooperative.")}
    if sum(bp for _, bp in shares) > 10_000:
        return {"share_bp": N_("The shares add up to more than 100%.")}
    return {}


async def do_set_payout_shares(
    db: AsyncSession,
    actor: Actor,
    producer_id: str,
    shares: list[tuple[str, int]],
    *,
    now: datetime,
) -> None:
    """How a cooperative's payouts are split among its member households (basis points; what
    the shares leave stays with the cooperative). Replaces the split it had."""
    cooperative = await producer_service.get_producer(db, producer_id)
    if not await producer_service.manages(db, actor, cooperative):
        raise PermissionDenied(N_("Only the cooperative's people set its payout shares."))
    errors = await check_shares(db, cooperative.id, cooperative.kind, shares)
    if errors:
        raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
    await db.execute(delete(PayoutShareRow).where(PayoutShareRow.cooperative_id == producer_id))
    for member, share_bp in shares:
        db.add(PayoutShareRow(cooperative_id=producer_id, member_id=member, share_bp=share_bp))
    append(
        db,
        Event(
            EventType.PAYOUT_SHARES_SET,
            now,
            {
                "cooperative": producer_id,
                "shares": [{"member": member, "share_bp": bp} for member, bp in shares],
            },
            actor=actor.id,
        ),
    )
