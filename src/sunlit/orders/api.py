"""JSON API for orders (``/api/v1``). Buying needs an ``Idempotency-Key`` header: the same key
returns the same order (200, ``Idempotent-Replayed: true``), a different body with a used key
is refused (422)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.accounts.services import aware
from sunlit.catalog import producers as producer_service
from sunlit.catalog import products as catalog
from sunlit.core.errors import InvalidInput, marked_fields
from sunlit.core.ids import ID_PATTERN
from sunlit.core.regions.services import region_book
from sunlit.core.text import CleanText
from sunlit.orders import services as orders
from sunlit.orders import views as order_views
from sunlit.orders.deps import orders_kit
from sunlit.orders.model import (
    BuyRequest,
    Order,
    OrderState,
    PaymentMethod,
    check_buy,
    check_idempotency_key,
    request_digest,
)
from sunlit.web.deps import PathId, get_db

router = APIRouter(prefix="/api/v1", tags=["orders"])


class AddressIn(BaseModel):
    region: str = Field(min_length=6, max_length=6, pattern=r"^\d{6}$")
    detail: CleanText = Field(min_length=1, max_length=200)
    recipient: CleanText = Field(min_length=1, max_length=40)
    phone: str = Field(min_length=1, max_length=15)


class OrderIn(BaseModel):
    product_id: str = Field(pattern=ID_PATTERN)
    qty: int = Field(1, ge=1, le=999)
    session_id: str | None = Field(None, pattern=ID_PATTERN)
    address: AddressIn
    payment_method: PaymentMethod = PaymentMethod.WALLET


class OrderOut(BaseModel):
    id: str
    state: OrderState
    buyer_id: str
    product_id: str
    producer_id: str
    session_id: str | None
    qty: int
    unit_price: int
    amount: int
    refunded: int
    payment_method: PaymentMethod
    address_region: str
    placed_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    carrier: str | None
    tracking_no: str | None
    delivered_at: datetime | None
    closed_at: datetime | None
    cancel_reason: str | None

    @classmethod
    def of(cls, row: Order) -> OrderOut:
        def moment(value: datetime | None) -> datetime | None:
            return aware(value) if value is not None else None

        return cls(
            id=row.id,
            state=OrderState(row.state),
            buyer_id=row.buyer_id,
            product_id=row.product_id,
            producer_id=row.producer_id,
            session_id=row.session_id,
            qty=row.qty,
            unit_price=row.unit_price,
            amount=row.amount,
            refunded=row.refunded,
            payment_method=PaymentMethod(row.payment_method),
            address_region=row.address_region,
            placed_at=aware(row.placed_at),
            expires_at=aware(row.expires_at),
            paid_at=moment(row.paid_at),
            shipped_at=moment(row.shipped_at),
            carrier=row.carrier,
            tracking_no=row.tracking_no,
            delivered_at=moment(row.delivered_at),
            closed_at=moment(row.closed_at),
            cancel_reason=row.cancel_reason,
        )


def device_of(request: Request) -> str:
    """An opaque device fingerprint for events: a hash of the client's user agent."""
    agent = request.headers.get("user-agent", "")
    return hashlib.sha256(agent.encode("utf-8", "replace")).hexdigest()[:16]


def buy_request(body: OrderIn, buyer: str, key: str | None, *, device: str, ip: str) -> BuyRequest:
    """Check a buy and make the desk's request of it; raises with a message per field."""
    if problem := check_idempotency_key(key):
        raise InvalidInput(problem, fields={"idempotency_key": problem})
    assert key is not None
    address = body.address
    errors = check_buy(
        qty=body.qty,
        address_region=address.region,
        address_detail=address.detail,
        recipient=address.recipient,
        phone=address.phone,
        deliverable=region_book().is_delivery_area(address.region),
    )
    if errors:
        raise marked_fields(errors)
    digest = request_digest(
        body.product_id,
        body.qty,
        body.session_id,
        address.region,
        address.detail,
        address.recipient,
        address.phone,
        body.payment_method.value,
    )
    return BuyRequest(
        buyer=buyer,
        product=body.product_id,
        qty=body.qty,
        idempotency_key=key,
        digest=digest,
        session=body.session_id,
        address_region=address.region,
        address_detail=address.detail,
        recipient=address.recipient,
        phone=address.phone,
        payment_method=body.payment_method,
        device=device,
        ip=ip,
    )


@router.post("/orders", status_code=201, responses={200: {"model": OrderOut}})
async def place_order(
    body: OrderIn,
    request: Request,
    idempotency_key: Annotated[str | None, Header()] = None,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> JSONResponse:
    """Order a product: 201 with the new order (reserved until it is paid or expires)."""
    buyer = principal.require()
    ip = request.client.host if request.client else ""
    wanted = buy_request(body, buyer.id, idempotency_key, device=device_of(request), ip=ip)
    if body.session_id is not None:
        now = orders_kit(request).clock.now()
        await orders.check_session(db, body.session_id, body.product_id, now=now)
    await db.close()  # the desk writes in its own transaction; free the connection meanwhile
    placed = await orders_kit(request).desk.place(wanted)
    order = orders.placed_or_raise(placed)
    return JSONResponse(
        OrderOut.of(order).model_dump(mode="json"),
        status_code=200 if placed.replayed else 201,
        headers={"Idempotent-Replayed": "true"} if placed.replayed else None,
    )


@router.get("/orders", response_model=list[OrderOut])
async def my_orders(
    principal: Principal = allow("signed_in"), db: AsyncSession = Depends(get_db)
) -> list[OrderOut]:
    """The orders you placed, newest first."""
    rows = await order_views.orders_of_buyer(db, principal.require().id)
    return [OrderOut.of(row) for row in rows]


@router.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(
    order_id: PathId, principal: Principal = allow("signed_in"), db: AsyncSession = Depends(get_db)
) -> OrderOut:
    return OrderOut.of(await order_views.access_order(db, principal.require(), order_id))


class PaymentOut(BaseModel):
    payment_id: str
    pay_url: str
    amount: int


@router.post("/orders/{order_id}/pay", response_model=PaymentOut)
async def pay_order(
    order_id: PathId,
    request: Request,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> PaymentOut:
    """Start paying: the gateway's pay page to send the buyer to. Asking twice gives the same
    charge while it is pending."""
    services = orders_kit(request)
    account = principal.require()
    order = await order_views.access_order(db, account, order_id)
    payment = await orders.do_start_payment(
        db, services.payment_gateway, account, order, now=services.clock.now()
    )
    await db.commit()
    return PaymentOut(payment_id=payment.id, pay_url=payment.pay_url, amount=payment.amount)


class CancelIn(BaseModel):
    reason: CleanText = Field("", max_length=200)


@router.post("/orders/{order_id}/cancel", response_model=OrderOut)
async def cancel_order(
    order_id: PathId,
    body: CancelIn,
    request: Request,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> OrderOut:
    """Cancel an unpaid order, or a paid one not yet shipped (refunded in full)."""
    services = orders_kit(request)
    account = principal.require()
    order = await order_views.access_order(db, account, order_id)
    await orders.do_cancel(
        db,
        services.payment_gateway,
        account,
        order,
        reason=body.reason,
        now=services.clock.now(),
    )
    await db.commit()
    return OrderOut.of(order)


class ShipIn(BaseModel):
    carrier: CleanText = Field(min_length=1, max_length=40)
    tracking_no: CleanText = Field("", max_length=40)


@router.post("/orders/{order_id}/ship", response_model=OrderOut)
async def ship_order(
    order_id: PathId,
    body: ShipIn,
    request: Request,
    principal: Principal = allow(Role.FARMER, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> OrderOut:
    services = orders_kit(request)
    account = principal.require()
    order = await order_views.access_order(db, account, order_id)
    await orders.do_ship(
        db,
        account,
        order,
        carrier=body.carrier,
        tracking_no=body.tracking_no,
        now=services.clock.now(),
    )
    await db.commit()
    return OrderOut.of(order)


@router.post("/orders/{order_id}/deliver", response_model=OrderOut)
async def deliver_order(
    order_id: PathId,
    request: Request,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> OrderOut:
    """The buyer confirms receipt (or the seller records the delivery)."""
    services = orders_kit(request)
    account = principal.require()
    order = await order_views.access_order(db, account, order_id)
    await orders.do_deliver(
        db,
        account,
        order,
        hold_days=services.settings.payout_hold_days,
        now=services.clock.now(),
    )
    await db.commit()
    return OrderOut.of(order)


class RefundIn(BaseModel):
    amount: int = Field(ge=-(2**62), le=2**62)
    reason: CleanText = Field(min_length=1, max_length=200)


class RefundOut(BaseModel):
    id: str
    amount: int
    reason: str
    state: str


@router.post("/orders/{order_id}/refunds", status_code=202, response_model=RefundOut)
async def refund_order(
    order_id: PathId,
    body: RefundIn,
    request: Request,
    principal: Principal = allow(Role.FARMER, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> RefundOut:
    """Refund part or all of a paid order: 202, settled when the gateway confirms."""
    services = orders_kit(request)
    account = principal.require()
    order = await order_views.access_order(db, account, order_id)
    refund = await orders.do_refund(
        db,
        services.payment_gateway,
        account,
        order,
        amount=body.amount,
        reason=body.reason,
        now=services.clock.now(),
    )
    await db.commit()
    return RefundOut(id=refund.id, amount=refund.amount, reason=refund.reason, state=refund.state)


@router.get("/producer-orders", response_model=list[OrderOut])
async def producer_orders(
    principal: Principal = allow(Role.FARMER, Role.OPERATOR), db: AsyncSession = Depends(get_db)
) -> list[OrderOut]:
    """Orders of the producers you manage (a cooperative's include its members'), newest first;
    an operator sees all."""
    scope = await producer_service.producer_scope(db, principal.require())
    rows = await order_views.orders_of_producers(db, scope)
    return [OrderOut.of(row) for row in rows]


class SalesIn(BaseModel):
    on_sale: bool
    per_buyer_limit: int | None = Field(None, ge=-(2**31), le=2**31)


class SalesOut(BaseModel):
    product_id: str
    on_sale: bool
    per_buyer_limit: int | None
    stock: int


@router.put("/products/{product_id}/sales", response_model=SalesOut)
async def set_sales(
    product_id: PathId,
    body: SalesIn,
    request: Request,
    principal: Principal = allow(Role.FARMER, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> SalesOut:
    """Suspend or resume a product's sales and set the per-buyer limit (empty: the default)."""
    product = await catalog.get_product(db, product_id)
    await orders.do_set_sales(
        db,
        principal.require(),
        product.id,
        on_sale=body.on_sale,
        per_buyer_limit=body.per_buyer_limit,
        now=orders_kit(request).clock.now(),
    )
    await db.commit()
    return SalesOut(
        product_id=product.id,
        on_sale=product.on_sale,
        per_buyer_limit=product.per_buyer_limit,
        stock=product.stock,
    )
