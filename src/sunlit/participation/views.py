"""Reads of the participation context that other contexts and its routes share."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.participation import ratings
from sunlit.participation.tables import SessionRatingRow


class SessionRatings:
    """The producers' ratings of a session, as a plan's page shows them (``filing.ports``)."""

    async def ratings_of(self, db: AsyncSession, plan_id: str) -> Sequence[SessionRatingRow]:
        return await ratings.ratings_of(db, plan_id)
