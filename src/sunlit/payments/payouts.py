"""Payouts: each producer is paid what its released payments owe it, less what it owes the
guarantee fund, split among a cooperative's member households by their shares."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.catalog.producers import services as producer_service
from sunlit.catalog.views import member_households
from sunlit.core.errors import N_, InvalidInput, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id
from sunlit.core.reactions import emit
from sunlit.payments import fund, ledger
from sunlit.payments.model import PaidOut
from sunlit.payments.store import post
from sunlit.payments.tables import PaymentRow, PayoutLineRow, PayoutRow, PayoutShareRow


async def _shares(db: AsyncSession, producer: str) -> dict[str, int]:
    rows = (
        await db.scalars(select(PayoutShareRow).where(PayoutShareRow.cooperative_id == producer))
    ).all()
    return {row.member_id: row.share_bp for row in rows}


async def run_payouts(db: AsyncSession, *, by: str | None, now: datetime) -> list[PayoutRow]:
    """Pay every producer what its released payments owe it (delivered and past the holding
    period, not held, with no refund pending), one payout per producer, less what it owes the
    guarantee fund: its outstanding recoveries, oldest first. When they take the whole gross,
    the payout records 0 paid and what was recovered, with no payee lines."""
    due = (
        await db.scalars(
            select(PaymentRow)
            .where(
                PaymentRow.state == "captured",
                PaymentRow.release_at.is_not(None),
                PaymentRow.release_at <= now,
                PaymentRow.payout_id.is_(None),
                PaymentRow.held.is_(False),
            )
            .order_by(PaymentRow.producer_id, PaymentRow.captured_at)
        )
    ).all()
    by_producer: dict[str, list[PaymentRow]] = defaultdict(list)
    for payment in due:
        if payment.refunded < payment.amount and not payment.refund_pending:
            by_producer[payment.producer_id].append(payment)
    made = []
    for producer, payments in by_producer.items():
        gross = sum(ledger.producer_share(p.amount, p.fee, p.fund, p.refunded) for p in payments)
        if gross <= 0:
            continue
        owed = await fund.outstanding_recoveries(db, producer)
        taken = ledger.recover(gross, [(r.id, r.amount - r.recovered) for r in owed])
        recovered = sum(take for _, take in taken)
        amount = gross - recovered
        payout_id = new_id("po")
        lines = ledger.split(amount, producer, await _shares(db, producer))
        row = PayoutRow(
            id=payout_id,
            producer_id=producer,
            amount=amount,
            recovered=recovered,
            payments=len(payments),
            created_by=by,
            created_at=now,
        )
        db.add(row)
        await db.flush()
        await post(db, ledger.payout(payout_id, producer, lines, recovered), now=now)
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
                    "recovered": recovered,
                    "lines": [{"payee": payee, "amount": value} for payee, value in lines],
                },
                actor=by,
            ),
        )
        if taken:
            fund.take_back(db, owed, taken, producer=producer, payout=payout_id, by=by, now=now)
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
