"""Order use cases. Buying goes through the :class:`~sunlit.orders.desk.OrderDesk`; the rest
moves one order along the state machine, each move an event in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.accounts.services import aware
from sunlit.catalog.products import services as catalog
from sunlit.catalog.products import stock
from sunlit.catalog.views import manages_producer
from sunlit.core.errors import N_, Conflict, InvalidInput, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.filing.model import PlanStatus
from sunlit.filing.views import plan_status, presents
from sunlit.live.services import pinned_product
from sunlit.orders.desk import Placed
from sunlit.orders.model import (
    REFUSAL_MESSAGES,
    Action,
    OrderState,
    Refusal,
    TransitionRefused,
    next_state,
)
from sunlit.orders.tables import OrderRow
from sunlit.orders.views import may_sell
from sunlit.payments import services as payments
from sunlit.payments.gateway import Gateway
from sunlit.payments.model import Payment, Refund

#: HTTP status of a refusal that is not a conflict with the stock or the rules (409).
REFUSAL_STATUS = {Refusal.KEY_REUSED: 422, Refusal.NO_PRODUCT: 404}


class OrderRefused(Conflict):
    """A buy request the desk refused; ``reason`` says why (sold_out, over_limit, …)."""

    def __init__(self, reason: Refusal, limit: int) -> None:
        super().__init__(REFUSAL_MESSAGES[reason], params={"limit": limit})
        self.reason = reason
        self.code = reason.value
        self.status = REFUSAL_STATUS.get(reason, 409)


def placed_or_raise(placed: Placed) -> OrderRow:
    if placed.order is None:
        assert placed.refusal is not None
        raise OrderRefused(placed.refusal, placed.limit)
    return placed.order


async def check_session(
    db: AsyncSession, session_id: str | None, product_id: str, *, now: datetime
) -> None:
    """A buy in a live room must name an approved or live session that presents the product."""
    if session_id is None:
        return
    status = await plan_status(db, session_id)
    if status not in (PlanStatus.APPROVED, PlanStatus.LIVE):
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"session_id": N_("This session is not open for orders.")},
        )
    if not await presents(db, session_id, product_id):
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"session_id": N_("This product is not presented in this session.")},
        )
    live = status == PlanStatus.LIVE
    if live and await pinned_product(db, session_id, now=now) != product_id:
        # In a live room, what is bought is what the host is presenting now.
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"session_id": N_("This product is not on offer in the room right now.")},
        )


def _move(order: OrderRow, action: Action) -> OrderState:
    try:
        return next_state(OrderState(order.state), action)
    except TransitionRefused:
        raise Conflict(
            N_("This order cannot do that now (it is %(state)s)."),
            params={"state": order.state},
        ) from None


def order_event(
    kind: EventType, order: OrderRow, now: datetime, actor: str | None, **data: object
) -> Event:
    """An ``order.*`` event: the order's id in its data, in the order's session."""
    return Event(kind, now, {"order": order.id, **data}, actor=actor, session=order.session_id)


async def claim(db: AsyncSession, order: OrderRow, new: OrderState, **values: object) -> bool:
    """Move an order from the state it was read in to ``new``, only if no one else moved it
    meanwhile (a capture and the expiry sweep, a buyer's cancel and the sweep). The order is
    reloaded either way; False means another transaction got there first."""
    moved = await db.scalar(
        update(OrderRow)
        .where(OrderRow.id == order.id, OrderRow.state == order.state)
        .values(state=new.value, **values)
        .returning(OrderRow.id)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(order)
    return moved is not None


async def release_stock(db: AsyncSession, order: OrderRow) -> None:
    await stock.put_back(db, order.product_id, order.qty)


async def do_start_payment(
    db: AsyncSession, gateway: Gateway, actor: Actor, order: OrderRow, *, now: datetime
) -> Payment:
    if order.buyer_id != actor.id:
        raise PermissionDenied(N_("Only the buyer pays for an order."))
    if order.state != OrderState.PLACED:
        raise Conflict(
            N_("This order cannot be paid (it is %(state)s)."), params={"state": order.state}
        )
    if now >= aware(order.expires_at):
        raise Conflict(N_("This order has expired unpaid; its stock was released."))
    return await payments.start_charge(
        db,
        gateway,
        reference=order.id,
        payer=actor.id,
        producer=order.producer_id,
        amount=order.amount,
        description=f"Sunlit order {order.id}",
        return_url=f"/orders/{order.id}",
        now=now,
    )


async def captured_payment(db: AsyncSession, order: OrderRow) -> Payment | None:
    found = [p for p in await payments.payments_for(db, order.id) if p.state == "captured"]
    return found[0] if found else None


async def pending_refund(db: AsyncSession, order: OrderRow) -> bool:
    payment = await captured_payment(db, order)
    return payment is not None and await payments.pending_refunds(db, payment.id) > 0


async def do_cancel(
    db: AsyncSession,
    gateway: Gateway,
    actor: Actor,
    order: OrderRow,
    *,
    reason: str,
    now: datetime,
) -> Refund | None:
    """The buyer cancels: an unpaid order at once (its stock comes back); a paid one that has
    not shipped is refunded in full (it becomes refunded when the gateway confirms)."""
    if order.buyer_id != actor.id and actor.role != Role.OPERATOR:
        raise PermissionDenied(N_("Only the buyer can cancel an order."))
    if order.state == OrderState.PLACED:
        cancelled = _move(order, Action.CANCEL)
        why = reason or "cancelled by the buyer"
        if not await claim(db, order, cancelled, cancel_reason=why, closed_at=now):
            raise Conflict(
                N_("This order cannot do that now (it is %(state)s)."),
                params={"state": order.state},
            )
        await release_stock(db, order)
        append(
            db,
            order_event(
                EventType.ORDER_CANCELLED, order, now, actor.id, reason=order.cancel_reason
            ),
        )
        return None
    if order.state != OrderState.PAID:
        raise Conflict(N_("A shipped order cannot be cancelled; ask the seller for a refund."))
    payment = await captured_payment(db, order)
    assert payment is not None
    order.cancel_reason = reason or "cancelled by the buyer"
    left = payment.amount - payment.refunded - await payments.pending_refunds(db, payment.id)
    if left <= 0:
        raise Conflict(N_("A refund of this order is already on its way."))
    return await payments.request_refund(
        db, gateway, payment, left, reason=order.cancel_reason, by=actor.id, now=now
    )


@dataclass(frozen=True, slots=True)
class Expired:
    orders: int


async def expire_due(db: AsyncSession, *, now: datetime, limit: int = 500) -> Expired:
    """Cancel unpaid orders past their time and give their stock back."""
    due = (
        await db.scalars(
            select(OrderRow)
            .where(OrderRow.state == OrderState.PLACED.value, OrderRow.expires_at <= now)
            .order_by(OrderRow.expires_at)
            .limit(limit)
        )
    ).all()
    expired = 0
    for order in due:
        cancelled = _move(order, Action.CANCEL)
        if not await claim(db, order, cancelled, cancel_reason="expired", closed_at=now):
            continue  # paid or cancelled meanwhile
        await release_stock(db, order)
        append(db, order_event(EventType.ORDER_CANCELLED, order, now, None, reason="expired"))
        expired += 1
    return Expired(expired)


async def do_ship(
    db: AsyncSession,
    actor: Actor,
    order: OrderRow,
    *,
    carrier: str,
    tracking_no: str,
    now: datetime,
) -> None:
    if not await may_sell(db, actor, order):
        raise PermissionDenied(N_("Only the producer's people ship its orders."))
    errors = {}
    if not 1 <= len(carrier) <= 40:
        errors["carrier"] = N_("Name the carrier (1 to 40 characters).")
    if len(tracking_no) > 40:
        errors["tracking_no"] = N_("A tracking number is at most 40 characters.")
    if errors:
        raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
    new = _move(order, Action.SHIP)
    if await pending_refund(db, order):
        raise Conflict(N_("The buyer cancelled this order; its refund is on its way."))
    order.state = new
    order.carrier = carrier
    order.tracking_no = tracking_no or None
    order.shipped_at = now
    append(db, order_event(EventType.ORDER_SHIPPED, order, now, actor.id, carrier=carrier))


async def record_delivery(
    db: AsyncSession, order: OrderRow, *, actor: str | None, at: datetime, now: datetime
) -> bool:
    """The order reached the buyer at ``at``: on the carrier's word (``actor`` None) or the
    buyer's. Only a shipped order moves; False when it was already delivered (a second copy of
    the carrier's notice, or the buyer was first). The payout clock does not start here."""
    if order.state != OrderState.SHIPPED:
        return False
    await db.flush()  # a shipment booked in this transaction: claim compares with the table
    if not await claim(db, order, _move(order, Action.DELIVER), delivered_at=at):
        return False
    # ``delivered_at``: when the parcel reached the buyer by the carrier's word, which may be
    # before its notice came (late notices are normal); the delivery times are counted from it.
    # A carrier's clock is not ours: never before the parcel was shipped, nor after now.
    at = min(max(at, order.shipped_at or at), now)
    when = at.isoformat(timespec="milliseconds")
    append(db, order_event(EventType.ORDER_DELIVERED, order, now, actor, delivered_at=when))
    return True


async def confirm_receipt(
    db: AsyncSession, order: OrderRow, *, actor: str | None, hold_days: int, now: datetime
) -> bool:
    """Receipt is confirmed (by the buyer, or by the system when ``actor`` is None): the
    payment is released to the producer after the holding period. False when it already was."""
    if order.state != OrderState.DELIVERED or order.confirmed_at is not None:
        return False
    order.confirmed_at = now
    append(
        db,
        order_event(EventType.ORDER_CONFIRMED, order, now, actor, by="buyer" if actor else "auto"),
    )
    await payments.set_release(db, order.id, now + timedelta(days=hold_days))
    return True


async def do_deliver(
    db: AsyncSession, actor: Actor, order: OrderRow, *, hold_days: int, now: datetime
) -> None:
    """The buyer confirms receipt: of a shipped order (it is delivered now), or of one the
    carrier delivered. Only the buyer: a seller who could mark their own order delivered would
    start the payout clock without the buyer (issue 17)."""
    if order.buyer_id != actor.id:
        raise PermissionDenied(N_("Only the buyer confirms receipt; the carrier records delivery."))
    if order.state == OrderState.SHIPPED:
        await record_delivery(db, order, actor=actor.id, at=now, now=now)
    if order.state != OrderState.DELIVERED:
        raise Conflict(
            N_("This order cannot do that now (it is %(state)s)."), params={"state": order.state}
        )
    if not await confirm_receipt(db, order, actor=actor.id, hold_days=hold_days, now=now):
        raise Conflict(N_("You have already confirmed receipt of this order."))


async def do_refund(
    db: AsyncSession,
    gateway: Gateway,
    actor: Actor,
    order: OrderRow,
    *,
    amount: int,
    reason: str,
    now: datetime,
) -> Refund:
    """The seller (or an operator) refunds part or all of a paid order."""
    if not await may_sell(db, actor, order):
        raise PermissionDenied(N_("Only the producer's people or an operator refund an order."))
    if not reason.strip():
        raise InvalidInput(
            N_("Please correct the marked fields."), fields={"reason": N_("Give a reason.")}
        )
    payment = await captured_payment(db, order)
    if payment is None:
        raise Conflict(N_("This order has no payment to refund."))
    return await payments.request_refund(
        db, gateway, payment, amount, reason=reason, by=actor.id, now=now
    )


async def do_set_sales(
    db: AsyncSession,
    actor: Actor,
    product_id: str,
    *,
    on_sale: bool,
    per_buyer_limit: int | None,
    now: datetime,
) -> None:
    """Suspend or resume a product's sales, and set how many one buyer may order."""
    product = await catalog.get_product(db, product_id)
    if not await manages_producer(db, actor, product.producer_id):
        raise PermissionDenied(N_("Only the producer's people or an operator change sales."))
    if per_buyer_limit is not None and not 1 <= per_buyer_limit <= 999:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"per_buyer_limit": N_("A limit is 1 to 999, or empty for the default.")},
        )
    await stock.set_sales(db, product_id, on_sale=on_sale, per_buyer_limit=per_buyer_limit, now=now)
    append(
        db,
        Event(
            EventType.PRODUCT_SALES_CHANGED,
            now,
            {"product": product_id, "on_sale": on_sale, "per_buyer_limit": per_buyer_limit},
            actor=actor.id,
        ),
    )
