"""Order pages: checkout (mobile-first), the buyer's orders and an order's page, and the
producer's orders with shipping. Buying here goes through the same desk as the API."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.catalog import producers as producer_service
from sunlit.catalog import products as catalog
from sunlit.core.errors import SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.orders import services as orders
from sunlit.orders import views as order_views
from sunlit.orders.api import AddressIn, OrderIn, buy_request, device_of
from sunlit.orders.deps import orders_kit
from sunlit.orders.model import OrderState, PaymentMethod
from sunlit.payments import services as payments
from sunlit.payments import views as payment_views
from sunlit.web.deps import PathId, get_db, undo
from sunlit.web.forms import form_fields, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)


async def _checkout(
    request: Request, db: AsyncSession, product_id: str, status: int = 200, **extra: object
) -> Response:
    view = await catalog.view_product(db, product_id, on=orders_kit(request).clock.now().date())
    return render(
        request,
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
async def checkout(
    request: Request,
    product_id: PathId,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    return await _checkout(request, db, product_id)


@router.post("/products/{product_id}/buy")
async def place(
    request: Request,
    product_id: PathId,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    fields = await form_fields(request)
    buyer = principal.require()
    try:
        qty = fields.get("qty", "").strip()
        body = OrderIn.model_construct(
            product_id=product_id,
            qty=int(qty) if qty.isdigit() and len(qty) < 5 else 0,
            session_id=None,
            address=AddressIn.model_construct(
                region=fields.get("region", ""),
                detail=fields.get("detail", "").strip(),
                recipient=fields.get("recipient", "").strip(),
                phone=fields.get("phone", "").strip(),
            ),
            payment_method=PaymentMethod(fields["method"])
            if fields.get("method") in set(PaymentMethod)
            else PaymentMethod.WALLET,
        )
        ip = request.client.host if request.client else ""
        wanted = buy_request(body, buyer.id, fields.get("key"), device=device_of(request), ip=ip)
        order = orders.placed_or_raise(await orders_kit(request).desk.place(wanted))
    except SunlitError as exc:
        await undo(db, principal.account)
        return await _checkout(
            request,
            db,
            product_id,
            exc.status,
            values=fields,
            error=translate(exc.message, exc.params),
            errors=field_errors(exc.fields, exc.params),
        )
    return redirect(f"/orders/{order.id}")


@router.get("/orders")
async def my_orders(
    request: Request, principal: Principal = allow("signed_in"), db: AsyncSession = Depends(get_db)
) -> Response:
    rows = await order_views.orders_of_buyer(db, principal.require().id)
    names = await catalog.products_by_id(db, {row.product_id for row in rows})
    return render(request, "orders/list.html", {"orders": rows, "names": names})


@router.get("/orders/{order_id}")
async def order_page(
    request: Request,
    order_id: PathId,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
    status: int = 200,
    error: str | None = None,
) -> Response:
    account = principal.require()
    order = await order_views.access_order(db, account, order_id)
    product = await catalog.get_product(db, order.product_id)
    charges = await payments.payments_for(db, order.id)
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "product": product,
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


async def _act(request: Request, db: AsyncSession, principal: Principal, order_id: str) -> Response:
    """Run the action the form names on the order, then show the order again."""
    services = orders_kit(request)
    fields = await form_fields(request)
    account = principal.require()
    action = fields.get("action", "")
    now = services.clock.now()
    gateway = services.payment_gateway
    try:
        order = await order_views.access_order(db, account, order_id)
        if action == "pay":
            payment = await orders.do_start_payment(db, gateway, account, order, now=now)
            await db.commit()
            return redirect(payment.pay_url)
        if action == "cancel":
            await orders.do_cancel(db, gateway, account, order, reason="", now=now)
        elif action == "ship":
            await orders.do_ship(
                db,
                account,
                order,
                carrier=fields.get("carrier", "").strip(),
                tracking_no=fields.get("tracking_no", "").strip(),
                now=now,
            )
        elif action == "deliver":
            hold = services.settings.payout_hold_days
            await orders.do_deliver(db, account, order, hold_days=hold, now=now)
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        return await order_page(
            request,
            order_id,
            principal,
            db,
            status=exc.status,
            error=translate(exc.message, exc.params),
        )
    return redirect(fields.get("back") or f"/orders/{order_id}")


@router.post("/orders/{order_id}")
async def order_action(
    request: Request,
    order_id: PathId,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    return await _act(request, db, principal, order_id)


@router.get("/producer/orders")
async def producer_orders(
    request: Request,
    principal: Principal = allow(Role.FARMER, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    producers = await producer_service.producer_scope(db, principal.require())
    rows = await order_views.orders_of_producers(db, producers)
    names = await catalog.products_by_id(db, {row.product_id for row in rows})
    payouts = await payment_views.payouts_for(db, producers)
    lines = {payout.id: await payment_views.payout_lines(db, payout.id) for payout in payouts}
    payees = {line.payee_id for found in lines.values() for line in found}
    return render(
        request,
        "orders/producer.html",
        {
            "orders": rows,
            "names": names,
            "payouts": payouts,
            "payout_lines": lines,
            "payees": await producer_service.producer_names(db, payees),
        },
    )
