"""How orders follow the money: handlers for the payment hooks (registered in
:mod:`sunlit.wiring`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.eventlog import EventType, append
from sunlit.orders.model import Action, OrderState, can, next_state
from sunlit.orders.services import order_event, release_stock
from sunlit.orders.tables import OrderRow
from sunlit.payments.tables import PaymentRow


async def on_captured(db: AsyncSession, payment: PaymentRow, now: datetime) -> bool:
    """A placed order becomes paid (even a little past its time if the sweeper has not yet
    released it: its stock is still held). Anything else is refunded by payments."""
    order = await db.get(OrderRow, payment.reference, with_for_update=True)
    if order is None or not can(OrderState(order.state), Action.PAY):
        return False
    order.state = next_state(OrderState(order.state), Action.PAY).value
    order.paid_at = now
    append(db, order_event(EventType.ORDER_PAID, order, now, None))
    return True


async def on_refunded(
    db: AsyncSession, payment: PaymentRow, amount: int, reason: str, now: datetime
) -> None:
    order = await db.get(OrderRow, payment.reference, with_for_update=True)
    if order is None:
        return
    order.refunded = min(order.amount, order.refunded + amount)
    append(
        db, order_event(EventType.ORDER_REFUNDED, order, now, None, amount=amount, reason=reason)
    )
    state = OrderState(order.state)
    if order.refunded == order.amount and can(state, Action.REFUND):
        order.state = next_state(state, Action.REFUND).value
        order.closed_at = now
        if state is OrderState.PAID:  # never shipped: the stock is back for sale
            await release_stock(db, order)


async def on_paid_out(db: AsyncSession, payments: list[PaymentRow], now: datetime) -> None:
    for payment in payments:
        order = await db.get(OrderRow, payment.reference)
        if order is not None and can(OrderState(order.state), Action.COMPLETE):
            order.state = next_state(OrderState(order.state), Action.COMPLETE).value
            order.closed_at = now
            append(db, order_event(EventType.ORDER_COMPLETED, order, now, None))
