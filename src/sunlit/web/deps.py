"""Dependencies every route may take."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

from fastapi import Path, Request
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.ids import ID_PATTERN
from sunlit.web.services import Services


def get_services(request: Request) -> Services:
    return cast(Services, request.app.state.services)


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """A database session for the request. Routes commit their own unit of work before they
    answer, so nothing is acknowledged that is not stored; whatever is left is rolled back."""
    async with get_services(request).db.sessions() as session:
        yield session


#: An id in a path (``/accounts/{account_id}``): refused with 422 unless it looks like an id.
PathId = Annotated[str, Path(pattern=ID_PATTERN)]


async def undo(db: AsyncSession, *keep: object) -> None:
    """Roll back a failed unit of work, then reload ``keep`` (the signed-in account, say),
    which the rollback expired, so that the page that explains the failure can still use it."""
    await db.rollback()
    for item in keep:
        if item is not None:
            await db.refresh(item)
