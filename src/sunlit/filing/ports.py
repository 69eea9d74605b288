"""What the filing context needs from the contexts above it, as Protocols they implement: the
composition root (``sunlit.app.services``) wires an implementation in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class Rating(Protocol):
    """A producer's rating of a session, as the plan's page shows it."""

    @property
    def stars(self) -> int: ...
    @property
    def text(self) -> str: ...


class SessionRatings(Protocol):
    """The producers' ratings of a session (the participation context collects them)."""

    async def ratings_of(self, db: AsyncSession, plan_id: str) -> Sequence[Rating]:
        """Every rating of the session ``plan_id``."""
        ...
