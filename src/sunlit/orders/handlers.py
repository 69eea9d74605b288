"""How orders follow the money: reactions to the payment events (registered in
:mod:`sunlit.app.reactions`). A payment's reference is its order's id."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.eventlog import EventType, append
from sunlit.orders.model import Action, OrderState, can, next_state
from sunlit.orders.services import order_event, release_stock
from sunlit.orders.tables import OrderRow
from sunlit.payments.model import NotPayable, PaidOut, PaymentCaptured, PaymentRefunded


async def on_captured(db: AsyncSession, event: PaymentCaptured) -> None:
    """A placed order becomes paid (even a little past its time if the sweeper has not yet
    released it: its stock is still held). Anything else is refunded by payments."""
    order = await db.get(OrderRow, event.reference, with_for_update=True)
    if order is None or not can(OrderState(order.state), Action.PAY):
        raise NotPayable(event.reference)
    order.state = next_state(order.state, Action.PAY)
    order.paid_at = event.at
    append(db, order_event(EventType.ORDER_PAID, order, event.at, None))


async def on_refunded(db: AsyncSession, event: PaymentRefunded) -> None:
    order = await db.get(OrderRow, event.reference, with_for_update=True)
    if order is None:
        return
    amount, now = event.amount, event.at
    order.refunded = min(order.amount, order.refunded + amount)
    append(
        db,
        order_event(EventType.ORDER_REFUNDED, order, now, None, amount=amount, reason=event.reason),
    )
    state = OrderState(order.state)
    if order.refunded == order.amount and can(state, Action.REFUND):
        order.state = next_state(state, Action.REFUND)
        order.closed_at = now
        if state is OrderState.PAID:  # never shipped: the stock is back for sale
            await release_stock(db, order)


async def on_paid_out(db: AsyncSession, event: PaidOut) -> None:
    for reference in event.references:
        order = await db.get(OrderRow, reference)
        if order is not None and can(OrderState(order.state), Action.COMPLETE):
            order.state = next_state(order.state, Action.COMPLETE)
            order.closed_at = event.at
            append(db, order_event(EventType.ORDER_COMPLETED, order, event.at, None))
