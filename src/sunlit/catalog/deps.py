"""What the catalog context needs of the running services, beyond the web kit."""

from __future__ import annotations

from typing import Protocol, cast

from fastapi import Request

from sunlit.catalog.ports import Follows, ProducerRecords, ProductReviews
from sunlit.web.deps import Kit


class CatalogKit(Kit, Protocol):
    @property
    def reviews(self) -> ProductReviews:
        """The buyers' reviews of products, shown on a product's page."""

    @property
    def records(self) -> ProducerRecords:
        """Producers' records after the sale, shown on a producer's page."""

    @property
    def follows(self) -> Follows:
        """Who follows a producer, county or kind, for the follow buttons."""


def catalog_kit(request: Request) -> CatalogKit:
    return cast(CatalogKit, request.app.state.services)
