"""The in-process reactions between contexts (sunlit.core.reactions): a handler runs in its
caller's transaction, sees only its own event type, and the composition root's connect() can
run twice without a handler running twice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.app import reactions as wiring
from sunlit.core import reactions
from sunlit.core.db import Database
from sunlit.core.eventlog import Event, append
from sunlit.core.eventlog.tables import EventRow
from sunlit.orders import handlers as order_handlers
from sunlit.payments.model import PaidOut

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Pinged:
    marker: str


@dataclass(frozen=True, slots=True)
class Ponged:
    marker: str


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def clean() -> Iterator[None]:
    reactions.clear()
    yield
    wiring.connect()  # as the other tests expect them


async def write_marker(db: AsyncSession, event: Pinged) -> None:
    append(db, Event("test.pinged", NOW, {"marker": event.marker}))


async def markers(database: Database) -> int:
    async with database.sessions() as db:
        count = await db.scalar(
            select(func.count()).select_from(EventRow).where(EventRow.type == "test.pinged")
        )
    return int(count or 0)


async def test_a_handler_writes_in_its_callers_transaction(database: Database) -> None:
    reactions.on(Pinged, write_marker)
    with pytest.raises(Boom):
        async with database.transaction() as db:
            await reactions.emit(db, Pinged("rolled back"))
            raise Boom  # the caller's change fails after the handler ran
    assert await markers(database) == 0, "a handler's write outlived its rolled-back caller"
    async with database.transaction() as db:
        await reactions.emit(db, Pinged("kept"))
    assert await markers(database) == 1


async def test_handlers_run_in_order_for_their_own_event_type_only(database: Database) -> None:
    seen: list[str] = []

    async def first(db: AsyncSession, event: Pinged) -> None:
        seen.append(f"first {event.marker}")

    async def second(db: AsyncSession, event: Pinged) -> None:
        seen.append(f"second {event.marker}")

    async def other(db: AsyncSession, event: Ponged) -> None:
        seen.append(f"other {event.marker}")

    reactions.on(Pinged, first)
    reactions.on(Ponged, other)
    reactions.on(Pinged, second)
    async with database.transaction() as db:
        await reactions.emit(db, Pinged("a"))
        await reactions.emit(db, Ponged("b"))
    assert seen == ["first a", "second a", "other b"]


async def test_connecting_twice_registers_each_handler_once(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[PaidOut] = []

    async def spy(db: AsyncSession, event: PaidOut) -> None:
        calls.append(event)

    monkeypatch.setattr(order_handlers, "on_paid_out", spy)
    wiring.connect()
    wiring.connect()
    paid = PaidOut("po-1", "p-1", ("o-1", "o-2"), NOW)
    async with database.transaction() as db:
        await reactions.emit(db, paid)
    assert calls == [paid]
