"""Reads of reviews that the pages, the API and the contexts below share: a product's reviews
and averages, a producer's reviews to answer, and a producer's record over the last 90 days
(the ``catalog.ports`` a product's and a producer's pages use)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.eventlog import EventType
from sunlit.core.eventlog.tables import EventRow
from sunlit.fulfilment.reviews import model
from sunlit.fulfilment.reviews.model import Averages, Record, Sale, Shown
from sunlit.fulfilment.reviews.tables import ReviewPhotoRow, ReviewRow
from sunlit.orders import views as order_views

#: A review's row, as routes name it (they do not import the tables).
Review = ReviewRow


async def photos_of(db: AsyncSession, review_ids: Sequence[str]) -> dict[str, list[str]]:
    """Each review's photos (SHA-256), in the order the buyer sent them."""
    if not review_ids:
        return {}
    rows = await db.execute(
        select(ReviewPhotoRow.review_id, ReviewPhotoRow.sha256)
        .where(ReviewPhotoRow.review_id.in_(list(review_ids)))
        .order_by(ReviewPhotoRow.position)
    )
    found: dict[str, list[str]] = defaultdict(list)
    for review_id, sha256 in rows.all():
        found[review_id].append(sha256)
    return found


def shown(row: ReviewRow, photos: Sequence[str]) -> Shown:
    """A review as the public sees it: a hidden one keeps its reason, date and reply only."""
    hidden = row.hidden_at is not None
    return Shown(
        id=row.id,
        order_id=row.order_id,
        stars=0 if hidden else row.stars,
        freshness=0 if hidden else row.freshness,
        packaging=0 if hidden else row.packaging,
        speed=0 if hidden else row.speed,
        text="" if hidden else row.text,
        photos=() if hidden else tuple(photos),
        posted_at=row.posted_at,
        follow_up=None if hidden else row.follow_up,
        follow_up_at=None if hidden else row.follow_up_at,
        reply=row.reply,
        replied_at=row.replied_at,
        hidden_reason=row.hidden_reason if hidden else None,
    )


async def public_reviews(db: AsyncSession, rows: Sequence[ReviewRow]) -> list[Shown]:
    photos = await photos_of(db, [row.id for row in rows])
    return [shown(row, photos.get(row.id, [])) for row in rows]


async def latest_of_product(
    db: AsyncSession, product_id: str, *, limit: int = model.PAGE_SIZE, offset: int = 0
) -> list[ReviewRow]:
    query = (
        select(ReviewRow)
        .where(ReviewRow.product_id == product_id)
        .order_by(ReviewRow.posted_at.desc(), ReviewRow.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list((await db.scalars(query)).all())


async def averages_of_product(db: AsyncSession, product_id: str) -> Averages:
    """The averages of a product's visible reviews (one decimal; None without reviews)."""
    row = (
        await db.execute(
            select(
                func.count(ReviewRow.id),
                func.avg(ReviewRow.stars),
                func.avg(ReviewRow.freshness),
                func.avg(ReviewRow.packaging),
                func.avg(ReviewRow.speed),
            ).where(ReviewRow.product_id == product_id, ReviewRow.hidden_at.is_(None))
        )
    ).one()
    count, stars, freshness, packaging, speed = row
    return Averages(
        count=int(count or 0),
        stars=model.one_decimal(stars),
        freshness=model.one_decimal(freshness),
        packaging=model.one_decimal(packaging),
        speed=model.one_decimal(speed),
    )


async def reviews_of_producers(
    db: AsyncSession, producer_ids: list[str] | None, *, limit: int = 100
) -> list[ReviewRow]:
    """Reviews of these producers (None: of all), those still without a reply first, then
    newest first."""
    query = (
        select(ReviewRow)
        .order_by(ReviewRow.reply.is_not(None), ReviewRow.posted_at.desc(), ReviewRow.id.desc())
        .limit(limit)
    )
    if producer_ids is not None:
        query = query.where(ReviewRow.producer_id.in_(producer_ids))
    return list((await db.scalars(query)).all())


async def record_of(db: AsyncSession, producer_id: str, *, now: datetime) -> Record:
    """A producer's record over the RECORD_DAYS before ``now``: delivery time from its orders,
    complaints from the event log (``complaint.filed`` naming one of its orders), and its
    visible reviews."""
    since, until = model.record_window(now)
    filed = await db.execute(
        select(EventRow.ts, EventRow.data).where(
            EventRow.type == EventType.COMPLAINT_FILED,
            EventRow.ts >= since,
            EventRow.ts <= until,
        )
    )
    complaints = [
        (str(data.get("order")), ts)
        for ts, data in filed.all()
        if isinstance(data, dict) and data.get("order")
    ]
    orders = await order_views.sales_of_producer(
        db, producer_id, since=since, also={order for order, _ in complaints}
    )
    sales = [Sale(id=o.id, paid_at=o.paid_at, delivered_at=o.delivered_at) for o in orders]
    stars = await db.execute(
        select(ReviewRow.stars, ReviewRow.posted_at).where(
            ReviewRow.producer_id == producer_id,
            ReviewRow.hidden_at.is_(None),
            ReviewRow.posted_at >= since,
        )
    )
    return model.producer_record(
        now=now,
        sales=sales,
        complaints=complaints,
        stars=[(value, at) for value, at in stars.all()],
    )


class ProductReviews:
    """The buyers' reviews of a product, as its page shows them (``catalog.ports``)."""

    async def averages(self, db: AsyncSession, product_id: str) -> Averages:
        return await averages_of_product(db, product_id)

    async def latest(self, db: AsyncSession, product_id: str, *, limit: int) -> list[Shown]:
        return await public_reviews(db, await latest_of_product(db, product_id, limit=limit))


class ProducerRecords:
    """A producer's record after the sale, as its page shows it (``catalog.ports``)."""

    async def record_of(self, db: AsyncSession, producer_id: str, *, now: datetime) -> Record:
        return await record_of(db, producer_id, now=now)
