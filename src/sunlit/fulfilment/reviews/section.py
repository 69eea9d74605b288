"""What the order's page shows of the reviews (its part of `fulfilment/order.html`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.fulfilment.reviews import model, services, views
from sunlit.orders.model import Order


async def order_section(
    db: AsyncSession, actor: Actor, order: Order, *, sells: bool, now: datetime
) -> dict[str, object]:
    """The values `fulfilment/_reviews.html` renders for this order and this viewer: the
    review and its reply, the buyer's form while there is none and their one follow-up, the
    seller's reply form, and
    the way to moderation for supervisors and operators."""
    review = await services.review_of_order(db, order.id)
    photos = (await views.photos_of(db, [review.id])).get(review.id, []) if review else []
    is_buyer = order.buyer_id == actor.id
    why_not = model.why_not_reviewable(order.state, order.amount, order.refunded)
    return {
        "review": review,
        "review_photos": photos,
        "may_review": is_buyer and review is None and why_not is None,
        "review_not_yet": why_not if is_buyer and review is None else None,
        "may_follow_up": is_buyer
        and review is not None
        and review.follow_up is None
        and review.hidden_at is None,
        "may_reply": sells and review is not None and review.reply is None,
        "may_moderate": review is not None and actor.role in services.MODERATORS,
        "review_marks": model.MARKS,
        "review_text_max": model.TEXT_MAX,
        "reply_max": model.REPLY_MAX,
        "photos_max": model.PHOTOS_MAX,
        "hide_reasons": list(model.HideReason),
    }
