"""The unit of work at the route edge: one typed dependency gives a route what every route needs
— its database session, who is asking, the running services (through the context's Protocol) and
the time — and :meth:`Work.commit` stores the route's changes before it answers.

    @router.post("/things")
    async def create(body: ThingIn, work: Work[Kit] = unit(Role.FARMER)) -> ThingOut:
        thing = await things.do_create(work.db, work.actor, body.name, now=work.now)
        await work.commit()
        return ThingOut.of(thing)

The commit is the route's own call, before it returns, and not the exit of a ``yield``
dependency: FastAPI runs that after the response has been sent, so a failed commit would follow
an answer that said it had worked. Actions that must follow the commit (a revoked account's
sockets, a live-room notice) are given to :meth:`Work.commit` and run after it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, Rule, allow
from sunlit.accounts.tables import AccountRow
from sunlit.web.deps import Kit, get_db, get_services

K = TypeVar("K", bound=Kit)


@dataclass
class Work(Generic[K]):
    """One request's unit of work."""

    request: Request
    db: AsyncSession
    principal: Principal
    services: K
    #: The time of the request, from the services' clock: every write of the request uses it.
    now: datetime

    @property
    def actor(self) -> AccountRow:
        """The signed-in account (raises "please sign in" on a public route without one)."""
        return self.principal.require()

    async def commit(self, *after: Callable[[], Awaitable[None]]) -> None:
        """Store the unit of work, then run ``after`` (actions that must follow the commit)."""
        await self.db.commit()
        for action in after:
            await action()


def unit(
    *rules: Rule,
    kit: Callable[[Request], K] = get_services,  # type: ignore[assignment]
    quiet: bool = False,
    csrf: bool = True,
    origin_for_visitors: bool = False,
) -> Any:
    """The dependency that gives a route its :class:`Work`: ``unit(Role.FARMER)``, or
    ``unit(Role.BUYER, kit=orders_kit)`` for a context's own view of the services. The rules,
    ``quiet``, ``csrf`` and ``origin_for_visitors`` are :func:`sunlit.accounts.access.allow`'s."""
    guard = allow(*rules, quiet=quiet, csrf=csrf, origin_for_visitors=origin_for_visitors)

    async def build(
        request: Request,
        principal: Principal = guard,
        db: AsyncSession = Depends(get_db),
    ) -> Work[K]:
        services = kit(request)
        return Work(request, db, principal, services, services.clock.now())

    build.__name__ = f"unit_{guard.dependency.__name__}"
    return Depends(build)
