"""The reviews API's request and response bodies. Marks are checked by the use case (1 to 5),
so that a wrong one is a field error in Sunlit's own shape."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from sunlit.catalog.schemas import ReviewAveragesOut, file_url
from sunlit.core.text import CleanText
from sunlit.fulfilment.reviews.model import HideReason, Shown


class ReviewIn(BaseModel):
    """Stars and the three marks, each 1 to 5; the text is optional, up to 500 characters.
    Photos are sent from the order's page (a multipart form), not here."""

    stars: int = Field(ge=-(2**31), le=2**31)
    freshness: int = Field(ge=-(2**31), le=2**31)
    packaging: int = Field(ge=-(2**31), le=2**31)
    speed: int = Field(ge=-(2**31), le=2**31)
    text: CleanText = Field("", max_length=4000)


class ReplyIn(BaseModel):
    text: CleanText = Field(max_length=4000)


class FollowUpIn(BaseModel):
    text: CleanText = Field(max_length=4000)


class UnhideIn(BaseModel):
    note: CleanText = Field(max_length=4000)


class HideIn(BaseModel):
    reason: HideReason
    note: CleanText = Field(max_length=4000)


class ReviewOut(BaseModel):
    """A review as the public sees it: a hidden one has ``hidden_reason`` and neither marks
    (0) nor text, follow-up or photos."""

    id: str
    order_id: str
    stars: int
    freshness: int
    packaging: int
    speed: int
    text: str
    photos: list[str]
    posted_at: datetime
    follow_up: str | None
    follow_up_at: datetime | None
    reply: str | None
    replied_at: datetime | None
    hidden: bool
    hidden_reason: HideReason | None

    @classmethod
    def of(cls, review: Shown) -> ReviewOut:
        return cls(
            id=review.id,
            order_id=review.order_id,
            stars=review.stars,
            freshness=review.freshness,
            packaging=review.packaging,
            speed=review.speed,
            text=review.text,
            photos=[file_url(sha) for sha in review.photos],
            posted_at=review.posted_at,
            follow_up=review.follow_up,
            follow_up_at=review.follow_up_at,
            reply=review.reply,
            replied_at=review.replied_at,
            hidden=review.hidden_reason is not None,
            hidden_reason=HideReason(review.hidden_reason) if review.hidden_reason else None,
        )


class ProductReviewsOut(BaseModel):
    averages: ReviewAveragesOut
    reviews: list[ReviewOut]
