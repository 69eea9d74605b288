"""What the order's page shows of the aftersales (its part of `fulfilment/order.html`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.fulfilment.aftersales import views
from sunlit.fulfilment.aftersales.model import PHOTOS_MAX, Answer, Kind, Ruling
from sunlit.fulfilment.aftersales.services import Terms
from sunlit.orders.model import Order
from sunlit.settings import Settings


async def order_section(
    db: AsyncSession,
    actor: Actor,
    order: Order,
    *,
    sells: bool,
    now: datetime,
    settings: Settings | None = None,
) -> dict[str, object]:
    """The values `fulfilment/_aftersales.html` renders for this order and this viewer: its
    requests (the open one first), and for the buyer with none open, the reasons the policy
    allows now with their kinds and the default amount."""
    requests = await views.requests_of_order(db, order.id)
    current = next((r for r in requests if r.is_open), None)
    is_buyer = order.buyer_id == actor.id
    choices = None
    if is_buyer and current is None and settings is not None:
        choices = await views.choices_for(db, order, Terms.of(settings), now=now)
    return {
        "requests": requests,
        "current": current,
        "choices": choices,
        "kinds": list(Kind),
        "answers": list(Answer),
        "rulings": list(Ruling),
        "photos_max": PHOTOS_MAX,
        "is_buyer": is_buyer,
        "sells": sells and not is_buyer,
        "arbiter": actor.role in (Role.SUPERVISOR, Role.OPERATOR),
    }
