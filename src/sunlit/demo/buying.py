"""A demo buy as the checkout makes it (``orders.forms.buy_request``), checked the same: an
invented address in the buyer's district, paid from the wallet; and the sandbox gateway's
notices applied as its webhook would."""

from __future__ import annotations

from datetime import datetime, timedelta

from faker import Faker
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.regions.services import region_book
from sunlit.orders.model import BuyRequest, PaymentMethod, check_buy, request_digest
from sunlit.payments import services as payments
from sunlit.payments.gateway import Notice
from sunlit.payments.sandbox import SandboxGateway, deliver_in_process
from sunlit.settings import Settings


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


async def settle(
    db: AsyncSession, gateway: SandboxGateway, settings: Settings, moment: datetime
) -> None:
    """The gateway's notices of what happened at ``moment``, applied as its webhook would."""
    rates = payments.Rates(settings.platform_fee_bp, settings.guarantee_fund_bp)

    async def apply(notice: Notice) -> None:
        await payments.handle_notice(db, gateway, notice, rates=rates, now=moment)

    due = moment + timedelta(milliseconds=gateway.max_delay_ms)
    await deliver_in_process(db, apply, now=due)
