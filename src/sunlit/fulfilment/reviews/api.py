"""JSON API for reviews (``/api/v1``): post one on a delivered order, the producer's reply, a
moderator's hide, and a product's reviews with their averages. Nothing edits or deletes one."""

from __future__ import annotations

from fastapi import APIRouter, Query

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.products import services as catalog
from sunlit.catalog.schemas import ReviewAveragesOut
from sunlit.fulfilment.deps import FulfilmentKit, fulfilment_kit
from sunlit.fulfilment.reviews import model, services, views
from sunlit.fulfilment.reviews.schemas import (
    FollowUpIn,
    HideIn,
    ProductReviewsOut,
    ReplyIn,
    ReviewIn,
    ReviewOut,
    UnhideIn,
)
from sunlit.web.deps import PathId

router = APIRouter(prefix="/api/v1", tags=["reviews"])

signed_in = unit("signed_in", kit=fulfilment_kit)
sellers = unit(Role.FARMER, Role.OPERATOR, kit=fulfilment_kit)
moderators = unit(*services.MODERATORS, kit=fulfilment_kit)
public = unit("public", kit=fulfilment_kit)


async def _out(work: Work[FulfilmentKit], row: views.Review) -> ReviewOut:
    [shown] = await views.public_reviews(work.db, [row])
    return ReviewOut.of(shown)


@router.post("/orders/{order_id}/review", status_code=201, response_model=ReviewOut)
async def post_review(
    order_id: PathId, body: ReviewIn, work: Work[FulfilmentKit] = signed_in
) -> ReviewOut:
    """The buyer reviews a delivered (or completed) order, once: 409 for a second review or an
    order that was not delivered, cancelled or refunded in full; 422 with field errors for a
    mark outside 1 to 5 or a text over 500 characters."""
    row = await services.do_post_review(
        work.db,
        work.services,
        work.actor,
        order_id,
        stars=body.stars,
        freshness=body.freshness,
        packaging=body.packaging,
        speed=body.speed,
        text=body.text,
        photos=[],
        now=work.now,
    )
    out = await _out(work, row)
    await work.commit()
    return out


@router.post("/reviews/{review_id}/reply", response_model=ReviewOut)
async def reply(review_id: PathId, body: ReplyIn, work: Work[FulfilmentKit] = sellers) -> ReviewOut:
    """The producer's people reply once, in public (403 for anyone else, 409 a second time)."""
    row = await services.do_reply(work.db, work.actor, review_id, body.text, now=work.now)
    out = await _out(work, row)
    await work.commit()
    return out


@router.post("/reviews/{review_id}/hide", response_model=ReviewOut)
async def hide(
    review_id: PathId, body: HideIn, work: Work[FulfilmentKit] = moderators
) -> ReviewOut:
    """A supervisor or operator hides a review for abuse, with a reason and a note (403 for
    anyone else). The text is kept, and written into the ``review.hidden`` event."""
    row = await services.do_hide(
        work.db, work.actor, review_id, body.reason.value, body.note, now=work.now
    )
    out = await _out(work, row)
    await work.commit()
    return out


@router.post("/reviews/{review_id}/follow-up", response_model=ReviewOut)
async def follow_up(
    review_id: PathId, body: FollowUpIn, work: Work[FulfilmentKit] = signed_in
) -> ReviewOut:
    """The buyer adds to their review once (追评): 403 for anyone else, 409 a second time."""
    row = await services.do_follow_up(work.db, work.actor, review_id, body.text, now=work.now)
    out = await _out(work, row)
    await work.commit()
    return out


@router.post("/reviews/{review_id}/unhide", response_model=ReviewOut)
async def unhide(
    review_id: PathId, body: UnhideIn, work: Work[FulfilmentKit] = moderators
) -> ReviewOut:
    """A supervisor or operator shows a hidden review again, with a note (409 if it is not
    hidden)."""
    row = await services.do_unhide(work.db, work.actor, review_id, body.note, now=work.now)
    out = await _out(work, row)
    await work.commit()
    return out


@router.get("/products/{product_id}/reviews", response_model=ProductReviewsOut)
async def product_reviews(
    product_id: PathId,
    limit: int = Query(model.PAGE_SIZE, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
    work: Work[FulfilmentKit] = public,
) -> ProductReviewsOut:
    """A product's reviews, newest first (hidden ones as hidden), and the averages of the
    visible ones."""
    await catalog.get_product(work.db, product_id)  # 404 for no such product
    rows = await views.latest_of_product(work.db, product_id, limit=limit, offset=offset)
    return ProductReviewsOut(
        averages=ReviewAveragesOut.of(await views.averages_of_product(work.db, product_id)),
        reviews=[ReviewOut.of(r) for r in await views.public_reviews(work.db, rows)],
    )
