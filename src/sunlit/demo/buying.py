"""A demo buy as the checkout makes it (``orders.forms.buy_request``), checked the same: an
invented address in the buyer's district, paid from the wallet."""

from __future__ import annotations

from faker import Faker

from sunlit.core.regions.services import region_book
from sunlit.orders.model import BuyRequest, PaymentMethod, check_buy, request_digest


def demo_address(seed: int) -> tuple[str, str, str]:
    """(street address, recipient, phone), invented by Faker: always the same for a seed."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    detail, recipient = fake.street_address(), fake.name()
    return detail, recipient, "1" + str(fake.random_number(digits=10, fix_len=True))


def buy_request(
    buyer: str,
    product: str,
    qty: int,
    *,
    session: str | None,
    region: str,
    key: str,
    address: tuple[str, str, str],
    device: str,
    ip: str,
) -> BuyRequest:
    """``key`` is the request's idempotency key; a buy the checkout would refuse raises."""
    detail, recipient, phone = address
    errors = check_buy(
        qty=qty,
        address_region=region,
        address_detail=detail,
        recipient=recipient,
        phone=phone,
        deliverable=region_book().is_delivery_area(region),
    )
    if errors:
        raise ValueError(f"a demo order is not valid: {errors}")
    method = PaymentMethod.WALLET
    return BuyRequest(
        buyer=buyer,
        product=product,
        qty=qty,
        idempotency_key=key,
        digest=request_digest(
            product, qty, session, region, detail, recipient, phone, method.value
        ),
        session=session,
        address_region=region,
        address_detail=detail,
        recipient=recipient,
        phone=phone,
        payment_method=method,
        device=device,
        ip=ip,
    )
