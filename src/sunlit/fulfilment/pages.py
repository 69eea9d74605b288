"""The order's page: the buyer's hub after the sale (payment, tracking, after-sales, review)
and the seller's view of the same order. Each part of fulfilment adds its section through its
``section.order_section``; its actions post to its own routes, which show the page again with
:func:`order_page_response` when they refuse."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.work import Work, unit
from sunlit.catalog.products import services as catalog
from sunlit.core.errors import SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.fulfilment.aftersales import section as aftersales
from sunlit.fulfilment.deps import FulfilmentKit, fulfilment_kit
from sunlit.fulfilment.reviews import section as reviews
from sunlit.fulfilment.shipments import section as shipments
from sunlit.orders import services as orders
from sunlit.orders import views as order_views
from sunlit.orders.model import OrderState
from sunlit.payments import services as payments
from sunlit.web.deps import PathId, undo
from sunlit.web.forms import form_fields, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

signed_in = unit("signed_in", kit=fulfilment_kit)


async def order_page_response(
    work: Work[FulfilmentKit],
    order_id: str,
    *,
    status: int = 200,
    error: SunlitError | None = None,
    values: Mapping[str, str] | None = None,
) -> Response:
    """The order's page for whoever may see it (others get 404); after a refused action,
    with its message, the fields it marked and what was typed (``values``)."""
    db, actor, now = work.db, work.actor, work.now
    order = await order_views.access_order(db, actor, order_id)
    sells = await order_views.may_sell(db, actor, order)
    charges = await payments.payments_for(db, order.id)
    sections = {
        "shipments": await shipments.order_section(db, actor, order, sells=sells, now=now),
        "aftersales": await aftersales.order_section(
            db, actor, order, sells=sells, now=now, settings=work.services.settings
        ),
        "reviews": await reviews.order_section(db, actor, order, sells=sells, now=now),
    }
    return render(
        work.request,
        "fulfilment/order.html",
        {
            "order": order,
            "product": await catalog.get_product(db, order.product_id),
            "charges": charges,
            "is_buyer": order.buyer_id == actor.id,
            "sells": sells,
            "refund_pending": await orders.pending_refund(db, order),
            "awaiting": order.state == OrderState.PLACED
            and any(c.state == "pending" for c in charges),
            "error": translate(error.message, error.params) if error else None,
            "errors": field_errors(error.fields, error.params) if error else {},
            "values": values or {},
            **sections,
        },
        status=status,
    )


@router.get("/orders/{order_id}")
async def order_page(order_id: PathId, work: Work[FulfilmentKit] = signed_in) -> Response:
    return await order_page_response(work, order_id)


@router.post("/orders/{order_id}")
async def order_action(order_id: PathId, work: Work[FulfilmentKit] = signed_in) -> Response:
    """Run the action the form names on the order (pay, cancel, confirm receipt), then show the
    order again. Shipping is the shipments' own route (``POST /orders/{id}/ship``)."""
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
        elif action == "deliver":
            hold = work.services.settings.payout_hold_days
            await orders.do_deliver(db, account, order, hold_days=hold, now=now)
        await work.commit()
    except SunlitError as exc:
        await undo(db, work.principal.account)
        return await order_page_response(work, order_id, status=exc.status, error=exc)
    return redirect(fields.get("back") or f"/orders/{order_id}")
