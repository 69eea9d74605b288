"""Buying, as the API's body and the checkout page's form both ask for it: the checks that turn
what was submitted into the desk's :class:`BuyRequest`, with a message per field."""

from __future__ import annotations

import hashlib

from fastapi import Request

from sunlit.accounts.model import Actor
from sunlit.core.errors import N_, InvalidInput, marked_fields
from sunlit.core.regions.services import region_book
from sunlit.orders.model import (
    BuyRequest,
    PaymentMethod,
    check_buy,
    check_idempotency_key,
    payment_methods_for,
    request_digest,
)
from sunlit.orders.schemas import AddressIn, OrderIn
from sunlit.orders.shipping.model import ships_to


def device_of(request: Request) -> str:
    """An opaque device fingerprint for events: a hash of the client's user agent."""
    agent = request.headers.get("user-agent", "")
    return hashlib.sha256(agent.encode("utf-8", "replace")).hexdigest()[:16]


def buy_request(body: OrderIn, buyer: Actor, key: str | None, request: Request) -> BuyRequest:
    """Check a buy and make the desk's request of it; raises with a message per field. A way
    to pay that is not the buyer's (a consumer's union card) is refused, not changed."""
    if problem := check_idempotency_key(key):
        raise InvalidInput(problem, fields={"idempotency_key": problem})
    assert key is not None
    if body.payment_method not in payment_methods_for(buyer.role, buyer.org):
        message = N_(
            "Union cards and corporate accounts are for organisations' buyers: "
            "pay with your wallet or a bank card."
        )
        raise InvalidInput(message, fields={"payment_method": message})
    address = body.address
    errors = check_buy(
        qty=body.qty,
        address_region=address.region,
        address_detail=address.detail,
        recipient=address.recipient,
        phone=address.phone,
        deliverable=region_book().is_delivery_area(address.region) and ships_to(address.region),
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
        buyer=buyer.id,
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
        device=device_of(request),
        ip=request.client.host if request.client else "",
    )


def checkout_order(product_id: str, fields: dict[str, str]) -> OrderIn:
    """The checkout form as the API's body, unchecked (:func:`buy_request` checks it): a
    quantity that is not a small number is 0, an unknown payment method the wallet."""
    qty = fields.get("qty", "").strip()
    method = fields.get("method")
    return OrderIn.model_construct(
        product_id=product_id,
        qty=int(qty) if qty.isdigit() and len(qty) < 5 else 0,
        session_id=None,
        address=AddressIn.model_construct(
            region=fields.get("region", ""),
            detail=fields.get("detail", "").strip(),
            recipient=fields.get("recipient", "").strip(),
            phone=fields.get("phone", "").strip(),
        ),
        payment_method=PaymentMethod(method)
        if method in set(PaymentMethod)
        else PaymentMethod.WALLET,
    )
