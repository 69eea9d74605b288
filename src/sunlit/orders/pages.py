"""Order pages: checkout (mobile-first), the buyer's orders and an order's page, and the
producer's orders with shipping. Buying here goes through the same desk as the API."""

from __future__ import annotations

import secrets

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.producers import services as producer_service
from sunlit.catalog.products import services as catalog
from sunlit.core.errors import SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.orders import services as orders
from sunlit.orders import views as order_views
from sunlit.orders.deps import OrdersKit, orders_kit
from sunlit.orders.forms import buy_request, checkout_order
from sunlit.orders.model import OrderState, PaymentMethod
from sunlit.payments import services as payments
from sunlit.payments import views as payment_views
from sunlit.web.deps import PathId, undo
from sunlit.web.forms import form_fields, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

signed_in = unit("signed_in", kit=orders_kit)


async def _checkout(
    work: Work[OrdersKit], product_id: str, status: int = 200, **extra: object
) -> Response:
    view = await catalog.view_product(work.db, product_id, on=work.now.date())
    return render(
        work.request,
        "orders/checkout.html",
        {
            "view": view,
            "methods": list(PaymentMethod),
            "values": {"qty": "1", "key": secrets.token_urlsafe(16)},
            "errors": {},
            **extra,
        },
        status=status,
    )


@router.get("/products/{product_id}/buy")
async def checkout(product_id: PathId, work: Work[OrdersKit] = signed_in) -> Response:
    return await _checkout(work, product_id)


@router.post("/products/{product_id}/buy")
async def place(product_id: PathId, work: Work[OrdersKit] = signed_in) -> Response:
    fields = await form_fields(work.request)
    try:
        body = checkout_order(product_id, fields)
        wanted = buy_request(body, work.actor.id, fields.get("key"), work.request)
        order = orders.placed_or_raise(await work.services.desk.place(wanted))
    except SunlitError as exc:
        await undo(work.db, work.principal.account)
        return await _checkout(
            work,
            product_id,
            exc.status,
            values=fields,
            error=translate(exc.message, exc.params),
            errors=field_errors(exc.fields, exc.params),
        )
    return redirect(f"/orders/{order.id}")


@router.get("/orders")
async def my_orders(work: Work[OrdersKit] = signed_in) -> Response:
    rows = await order_views.orders_of_buyer(work.db, work.actor.id)
    names = await catalog.products_by_id(work.db, {row.product_id for row in rows})
    return render(work.request, "orders/list.html", {"orders": rows, "names": names})


async def _order_page(
    work: Work[OrdersKit], order_id: str, status: int = 200, error: str | None = None
) -> Response:
    db, account = work.db, work.actor
    order = await order_views.access_order(db, account, order_id)
    charges = await payments.payments_for(db, order.id)
    return render(
        work.request,
        "orders/detail.html",
        {
            "order": order,
            "product": await catalog.get_product(db, order.product_id),
            "charges": charges,
            "is_buyer": order.buyer_id == account.id,
            "sells": await order_views.may_sell(db, account, order),
            "refund_pending": await orders.pending_refund(db, order),
            "awaiting": order.state == OrderState.PLACED
            and any(c.state == "pending" for c in charges),
            "error": error,
        },
        status=status,
    )


@router.get("/orders/{order_id}")
async def order_page(
    order_id: PathId,
    work: Work[OrdersKit] = signed_in,
    status: int = 200,
    error: str | None = None,
) -> Response:
    return await _order_page(work, order_id, status, error)


@router.post("/orders/{order_id}")
async def order_action(order_id: PathId, work: Work[OrdersKit] = signed_in) -> Response:
    """Run the action the form names on the order, then show the order again."""
    db, account, now = work.db, work.actor, work.now
    fields = await form_fields(work.request)
    action = fields.get("action", "")
    gateway = work.services.payment_gateway
    try:
        order = await order_views.access_order(db, account, order_id)
        if action == "pay":
            payment = await orders.do_start_payment(db, gateway, account, order, now=now)
            await work.commit()
            return redirect(payment.pay_url)
        if action == "cancel":
            await orders.do_cancel(db, gateway, account, order, reason="", now=now)
        elif action == "ship":
            carrier = fields.get("carrier", "").strip()
            tracking_no = fields.get("tracking_no", "").strip()
            await orders.do_ship(
                db, account, order, carrier=carrier, tracking_no=tracking_no, now=now
            )
        elif action == "deliver":
            hold = work.services.settings.payout_hold_days
            await orders.do_deliver(db, account, order, hold_days=hold, now=now)
        await work.commit()
    except SunlitError as exc:
        await undo(db, work.principal.account)
        error = translate(exc.message, exc.params)
        return await _order_page(work, order_id, exc.status, error)
    return redirect(fields.get("back") or f"/orders/{order_id}")


@router.get("/producer/orders")
async def producer_orders(
    work: Work[OrdersKit] = unit(Role.FARMER, Role.OPERATOR, kit=orders_kit),
) -> Response:
    db = work.db
    producers = await producer_service.producer_scope(db, work.actor)
    rows = await order_views.orders_of_producers(db, producers)
    payouts = await payment_views.payouts_for(db, producers)
    lines = await payment_views.lines_of_payouts(db, payouts)
    payees = {line.payee_id for found in lines.values() for line in found}
    recoveries = await payment_views.recoveries_of(db, producers)
    return render(
        work.request,
        "orders/producer.html",
        {
            "recoveries": recoveries,
            "recovered_by": [payout for payout in payouts if payout.recovered],
            "recovery_orders": await payment_views.references_of(
                db, {r.payment_id for r in recoveries}
            ),
            "orders": rows,
            "names": await catalog.products_by_id(db, {row.product_id for row in rows}),
            "payouts": payouts,
            "payout_lines": lines,
            "payees": await producer_service.producer_names(db, payees),
        },
    )
