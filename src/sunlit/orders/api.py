"""JSON API for orders (``/api/v1``). Buying needs an ``Idempotency-Key`` header: the same key
returns the same order (200, ``Idempotent-Replayed: true``), a different body with a used key
is refused (422)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.producers import services as producer_service
from sunlit.catalog.products import services as catalog
from sunlit.orders import services as orders
from sunlit.orders import views as order_views
from sunlit.orders.deps import OrdersKit, orders_kit
from sunlit.orders.forms import buy_request
from sunlit.orders.schemas import (
    CancelIn,
    OrderIn,
    OrderOut,
    PaymentOut,
    RefundIn,
    RefundOut,
    SalesIn,
    SalesOut,
)
from sunlit.web.deps import PathId

router = APIRouter(prefix="/api/v1", tags=["orders"])

signed_in = unit("signed_in", kit=orders_kit)
seller = unit(Role.FARMER, Role.OPERATOR, kit=orders_kit)


@router.post("/orders", status_code=201, responses={200: {"model": OrderOut}})
async def place_order(
    body: OrderIn,
    idempotency_key: Annotated[str | None, Header()] = None,
    work: Work[OrdersKit] = signed_in,
) -> JSONResponse:
    """Order a product: 201 with the new order (reserved until it is paid or expires)."""
    wanted = buy_request(body, work.actor, idempotency_key, work.request)
    if body.session_id is not None:
        await orders.check_session(work.db, body.session_id, body.product_id, now=work.now)
    await work.db.close()  # the desk writes in its own transaction; free the connection meanwhile
    placed = await work.services.desk.place(wanted)
    order = orders.placed_or_raise(placed)
    return JSONResponse(
        OrderOut.of(order).model_dump(mode="json"),
        status_code=200 if placed.replayed else 201,
        headers={"Idempotent-Replayed": "true"} if placed.replayed else None,
    )


@router.get("/orders", response_model=list[OrderOut])
async def my_orders(work: Work[OrdersKit] = signed_in) -> list[OrderOut]:
    """The orders you placed, newest first."""
    rows = await order_views.orders_of_buyer(work.db, work.actor.id)
    return [OrderOut.of(row) for row in rows]


@router.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(order_id: PathId, work: Work[OrdersKit] = signed_in) -> OrderOut:
    return OrderOut.of(await order_views.access_order(work.db, work.actor, order_id))


@router.post("/orders/{order_id}/pay", response_model=PaymentOut)
async def pay_order(order_id: PathId, work: Work[OrdersKit] = signed_in) -> PaymentOut:
    """Start paying: the gateway's pay page to send the buyer to. Asking twice gives the same
    charge while it is pending."""
    order = await order_views.access_order(work.db, work.actor, order_id)
    gateway = work.services.payment_gateway
    payment = await orders.do_start_payment(work.db, gateway, work.actor, order, now=work.now)
    await work.commit()
    return PaymentOut.of(payment)


@router.post("/orders/{order_id}/cancel", response_model=OrderOut)
async def cancel_order(
    order_id: PathId, body: CancelIn, work: Work[OrdersKit] = signed_in
) -> OrderOut:
    """Cancel an unpaid order, or a paid one not yet shipped (refunded in full)."""
    order = await order_views.access_order(work.db, work.actor, order_id)
    gateway = work.services.payment_gateway
    await orders.do_cancel(work.db, gateway, work.actor, order, reason=body.reason, now=work.now)
    await work.commit()
    return OrderOut.of(order)


@router.post("/orders/{order_id}/deliver", response_model=OrderOut)
async def deliver_order(order_id: PathId, work: Work[OrdersKit] = signed_in) -> OrderOut:
    """The buyer confirms receipt. Shipping is fulfilment's (``POST /orders/{id}/shipment``)."""
    order = await order_views.access_order(work.db, work.actor, order_id)
    hold = work.services.settings.payout_hold_days
    await orders.do_deliver(work.db, work.actor, order, hold_days=hold, now=work.now)
    await work.commit()
    return OrderOut.of(order)


@router.post("/orders/{order_id}/refunds", status_code=202, response_model=RefundOut)
async def refund_order(
    order_id: PathId, body: RefundIn, work: Work[OrdersKit] = seller
) -> RefundOut:
    """Refund part or all of a paid order: 202, settled when the gateway confirms."""
    order = await order_views.access_order(work.db, work.actor, order_id)
    refund = await orders.do_refund(
        work.db,
        work.services.payment_gateway,
        work.actor,
        order,
        amount=body.amount,
        reason=body.reason,
        now=work.now,
    )
    await work.commit()
    return RefundOut.of(refund)


@router.get("/producer-orders", response_model=list[OrderOut])
async def producer_orders(work: Work[OrdersKit] = seller) -> list[OrderOut]:
    """Orders of the producers you manage (a cooperative's include its members'), newest first;
    an operator sees all."""
    scope = await producer_service.producer_scope(work.db, work.actor)
    rows = await order_views.orders_of_producers(work.db, scope)
    return [OrderOut.of(row) for row in rows]


@router.put("/products/{product_id}/sales", response_model=SalesOut)
async def set_sales(product_id: PathId, body: SalesIn, work: Work[OrdersKit] = seller) -> SalesOut:
    """Suspend or resume a product's sales and set the per-buyer limit (empty: the default)."""
    product = await catalog.get_product(work.db, product_id)
    await orders.do_set_sales(
        work.db,
        work.actor,
        product.id,
        on_sale=body.on_sale,
        per_buyer_limit=body.per_buyer_limit,
        now=work.now,
    )
    await work.commit()
    return SalesOut(
        product_id=product.id,
        on_sale=product.on_sale,
        per_buyer_limit=product.per_buyer_limit,
        stock=product.stock,
    )
