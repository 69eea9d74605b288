"""Order pages: checkout (mobile-first), the buyer's orders, and the producer's orders. An
order's own page is fulfilment's (:mod:`sunlit.fulfilment.pages`). Buying here goes through
the same desk as the API."""

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
from sunlit.orders.addresses import services as address_book
from sunlit.orders.addresses.model import draft_of
from sunlit.orders.addresses.picking import picker_of, picking
from sunlit.orders.deps import OrdersKit, orders_kit
from sunlit.orders.forms import buy_request, checkout_order
from sunlit.orders.model import payment_methods_for
from sunlit.orders.shipping import services as shipping
from sunlit.orders.shipping.model import ZONE_LABELS
from sunlit.payments import earnings
from sunlit.payments import views as payment_views
from sunlit.web.deps import PathId, undo
from sunlit.web.forms import form_fields, redirect
from sunlit.web.paging import page_of
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

#: Orders on a page of a producer's sales: a phone scrolls twenty cards, not hundreds.
ORDERS_PAGE = 20

signed_in = unit("signed_in", kit=orders_kit)


def _qty(text: str | None) -> int:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 5 else 1


async def _chosen_address(work: Work[OrdersKit], fields: dict[str, str]) -> dict[str, str]:
    """The form's fields, with the saved address the buyer picked in place of the typed one
    (another buyer's address is 404)."""
    saved = fields.get("saved", "")
    if not saved or saved == "new":
        return fields
    row = await address_book.access_address(work.db, work.actor, saved)
    picked = {"region": row.region, "detail": row.detail}
    return {**fields, **picked, "recipient": row.recipient, "phone": row.phone}


async def _checkout(
    work: Work[OrdersKit], product_id: str, status: int = 200, **extra: object
) -> Response:
    view = await catalog.view_product(work.db, product_id, on=work.now.date())
    addresses = await address_book.addresses_of(work.db, work.actor.id)
    values: dict[str, str] = {"qty": "1", "key": secrets.token_urlsafe(16)}
    if addresses and addresses[0].is_default:
        values["saved"] = addresses[0].id
    given = extra.pop("values", None)
    if isinstance(given, dict):
        values = given
    chosen = await _chosen_address(work, values) if values.get("saved") else values
    product = view.product
    sums = await shipping.checkout_sums(
        work.db, product.producer_id, product.price, _qty(values.get("qty")), chosen.get("region")
    )
    return render(
        work.request,
        "orders/checkout.html",
        {
            "view": view,
            "methods": payment_methods_for(work.actor.role, work.actor.org),
            "values": values,
            "picker": picker_of(values),
            "errors": {},
            "addresses": addresses,
            "sums": sums,
            "zone_labels": ZONE_LABELS,
            **extra,
        },
        status=status,
    )


@router.get("/products/{product_id}/buy")
async def checkout(product_id: PathId, work: Work[OrdersKit] = signed_in) -> Response:
    return await _checkout(work, product_id)


@router.get("/products/{product_id}/buy/fee")
async def checkout_fee(product_id: PathId, work: Work[OrdersKit] = signed_in) -> Response:
    """The goods, shipping fee and total for the county chosen so far (checkout's htmx)."""
    product = await catalog.get_product(work.db, product_id)
    asked = dict(work.request.query_params)
    chosen = await _chosen_address(work, asked)
    sums = await shipping.checkout_sums(
        work.db, product.producer_id, product.price, _qty(asked.get("qty")), chosen.get("region")
    )
    return render(work.request, "orders/_sums.html", {"sums": sums, "zone_labels": ZONE_LABELS})


@router.post("/products/{product_id}/buy")
async def place(product_id: PathId, work: Work[OrdersKit] = signed_in) -> Response:
    fields = await form_fields(work.request)
    if picking(fields):  # the county picker without script: show the form again
        return await _checkout(work, product_id, values={**fields, "saved": "new"})
    try:
        chosen = await _chosen_address(work, fields)
        body = checkout_order(product_id, chosen)
        wanted = buy_request(body, work.actor, fields.get("key"), work.request)
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
    if fields.get("save_address") and fields.get("saved", "new") == "new":
        await _save_address(work, chosen)
    return redirect(f"/orders/{order.id}")


async def _save_address(work: Work[OrdersKit], fields: dict[str, str]) -> None:
    """Keep the typed address in the buyer's book after the order is placed. The order stands
    whatever happens here: a full book leaves the address unsaved."""
    try:
        await address_book.do_add_address(
            work.db, work.actor, draft_of(fields), default=False, now=work.now
        )
        await work.commit()
    except SunlitError:
        await undo(work.db, work.principal.account)


@router.get("/orders")
async def my_orders(work: Work[OrdersKit] = signed_in) -> Response:
    rows = await order_views.orders_of_buyer(work.db, work.actor.id)
    names = await catalog.products_by_id(work.db, {row.product_id for row in rows})
    return render(work.request, "orders/list.html", {"orders": rows, "names": names})


@router.get("/producer/orders")
async def producer_orders(
    work: Work[OrdersKit] = unit(Role.FARMER, Role.OPERATOR, kit=orders_kit),
) -> Response:
    db = work.db
    producers = await producer_service.producer_scope(db, work.actor)
    total = await order_views.count_orders_of_producers(db, producers)
    page = page_of(work.request.query_params.get("page"), total, ORDERS_PAGE)
    rows = await order_views.orders_of_producers(db, producers, page.size, page.offset)
    payouts = await payment_views.payouts_for(db, producers)
    lines = await payment_views.lines_of_payouts(db, payouts)
    payees = {line.payee_id for found in lines.values() for line in found}
    recoveries = await payment_views.recoveries_of(db, producers)
    if producers is None:  # the whole platform: its sums are the ledger's, not a page's
        money, totals = await earnings.earnings_of(db, {row.id for row in rows}), None
    else:  # every order of the farmer's produce, not this page's
        money = await earnings.earnings_of_producers(db, producers)
        totals = earnings.totals(money.values(), now=work.now)
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
            "page": page,
            "earnings": money,
            "totals": totals,
            "hold_days": work.services.settings.payout_hold_days,
            "fee_percent": f"{work.services.rates.fee_bp / 100:g}",
            "fund_percent": f"{work.services.rates.fund_bp / 100:g}",
            "names": await catalog.products_by_id(db, {row.product_id for row in rows}),
            "payouts": payouts,
            "payout_lines": lines,
            "payees": await producer_service.producer_names(db, payees),
        },
    )
