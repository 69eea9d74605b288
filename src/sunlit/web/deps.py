"""Dependencies every route may take, and the small view of the running services that the web
kit and every context rely on (:class:`Kit`). The application's services container
(``sunlit.app.services.Services``) provides it and more; a context that needs more (the order
desk, the live hub) declares its own Protocol extending :class:`Kit` in its ``deps`` module, and
``sunlit.app`` checks that its container satisfies every one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Protocol, TypeVar, cast
from zoneinfo import ZoneInfo

from fastapi import Path, Request
from fastapi.templating import Jinja2Templates
from prometheus_client import CollectorRegistry
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.clock import Clock
from sunlit.core.db import Database
from sunlit.core.errors import SunlitError
from sunlit.core.files.store import LocalFileStore
from sunlit.core.ids import ID_PATTERN
from sunlit.core.ratelimit import AttemptCounter
from sunlit.settings import Settings


class Kit(Protocol):
    """What every part of the web layer may use of the running services."""

    @property
    def settings(self) -> Settings: ...
    @property
    def db(self) -> Database: ...
    @property
    def clock(self) -> Clock: ...
    @property
    def zone(self) -> ZoneInfo: ...
    @property
    def files(self) -> LocalFileStore: ...
    @property
    def templates(self) -> Jinja2Templates: ...
    @property
    def metrics(self) -> CollectorRegistry: ...
    @property
    def attempts(self) -> AttemptCounter: ...


def get_services(request: Request) -> Kit:
    return cast(Kit, request.app.state.services)


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


T = TypeVar("T")


async def settle(
    db: AsyncSession, keep: object, action: Callable[[], Awaitable[T]]
) -> T | SunlitError:
    """Run ``action`` and commit it; if it is refused, :func:`undo` it (reloading ``keep``) and
    return the refusal, for a page that shows the form again with what went wrong."""
    try:
        done = await action()
        await db.commit()
    except SunlitError as exc:
        await undo(db, keep)
        return exc
    return done
