"""What the order's page shows of the reviews (its part of `fulfilment/order.html`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.orders.model import Order


async def order_section(
    db: AsyncSession, actor: Actor, order: Order, *, sells: bool, now: datetime
) -> dict[str, object]:
    """The values `fulfilment/_reviews.html` renders for this order and this viewer."""
    return {}
