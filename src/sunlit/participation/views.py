"""Reads of the participation context that other contexts and its routes share."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.catalog.producers import services as producer_service
from sunlit.catalog.products import services as catalog
from sunlit.participation import ratings
from sunlit.participation import services as consent
from sunlit.participation.tables import PriceProposalRow, SessionRatingRow


class SessionRatings:
    """The producers' ratings of a session, as a plan's page shows them (``filing.ports``)."""

    async def ratings_of(self, db: AsyncSession, plan_id: str) -> Sequence[SessionRatingRow]:
        return await ratings.ratings_of(db, plan_id)


async def proposals_seen_by(db: AsyncSession, actor: Actor) -> list[PriceProposalRow]:
    """A farmer sees the proposals on their products; others, the proposals they made."""
    if actor.role != Role.FARMER:
        return await consent.proposals_by(db, actor.id)
    producers = await producer_service.list_producers(db, manager=actor.id)
    products = await catalog.list_products(db, producer_ids=[p.id for p in producers])
    return await consent.proposals_for_products(db, [p.id for p in products])
