"""What the catalog context needs from the contexts above it, as Protocols they implement: the
composition root (``sunlit.app.services``) wires an implementation in. A product's page shows
its buyers' reviews, and a producer's page its record after the sale; fulfilment keeps both.
Both pages have follow buttons; participation keeps the follows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class ReviewAverages(Protocol):
    """A product's reviews in figures (hidden ones left out); averages None without reviews."""

    @property
    def count(self) -> int: ...
    @property
    def stars(self) -> float | None: ...
    @property
    def freshness(self) -> float | None: ...
    @property
    def packaging(self) -> float | None: ...
    @property
    def speed(self) -> float | None: ...


class ProductReview(Protocol):
    """One review as the public sees it: a hidden one has ``hidden_reason`` and no text."""

    @property
    def id(self) -> str: ...
    @property
    def stars(self) -> int: ...
    @property
    def freshness(self) -> int: ...
    @property
    def packaging(self) -> int: ...
    @property
    def speed(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def photos(self) -> Sequence[str]: ...
    @property
    def posted_at(self) -> datetime: ...
    @property
    def follow_up(self) -> str | None: ...
    @property
    def follow_up_at(self) -> datetime | None: ...
    @property
    def reply(self) -> str | None: ...
    @property
    def replied_at(self) -> datetime | None: ...
    @property
    def hidden_reason(self) -> str | None: ...


class ProductReviews(Protocol):
    """The buyers' reviews of a product (the fulfilment context collects them)."""

    async def averages(self, db: AsyncSession, product_id: str) -> ReviewAverages:
        """The averages of the product's visible reviews."""
        ...

    async def latest(
        self, db: AsyncSession, product_id: str, *, limit: int
    ) -> Sequence[ProductReview]:
        """The product's newest reviews, hidden ones included (shown as hidden)."""
        ...


class ProducerRecord(Protocol):
    """A producer's last 90 days up to ``until``: median days from payment to delivery,
    complaints per 100 orders paid, its reviews' average (None where there is nothing)."""

    @property
    def since(self) -> datetime: ...
    @property
    def until(self) -> datetime: ...
    @property
    def delivered(self) -> int: ...
    @property
    def median_delivery_days(self) -> float | None: ...
    @property
    def orders(self) -> int: ...
    @property
    def complaints(self) -> int: ...
    @property
    def complaints_per_100(self) -> float | None: ...
    @property
    def reviews(self) -> int: ...
    @property
    def stars(self) -> float | None: ...


class ProducerRecords(Protocol):
    """What became of a producer's sales (the fulfilment context keeps it)."""

    async def record_of(
        self, db: AsyncSession, producer_id: str, *, now: datetime
    ) -> ProducerRecord:
        """The producer's record over the 90 days before ``now``."""
        ...


class FollowState(Protocol):
    """Whether someone follows a producer, county or kind (their follow's id), and how many do."""

    @property
    def follow_id(self) -> str | None: ...
    @property
    def followers(self) -> int: ...


class Follows(Protocol):
    """Follows (participation keeps them), for the follow buttons on producer and product
    pages. ``kind`` is ``producer``, ``county`` or ``kind``."""

    async def state(
        self, db: AsyncSession, account_id: str | None, kind: str, target: str
    ) -> FollowState: ...
