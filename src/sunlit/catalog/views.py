"""Reads of the catalog that other contexts and the catalog's own routes share."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.catalog import producers
from sunlit.catalog.tables import ProducerRow


async def manages_producer(db: AsyncSession, actor: Actor, producer_id: str) -> bool:
    """Whether the account manages this producer (False when there is no such producer)."""
    producer = await db.get(ProducerRow, producer_id)
    return producer is not None and await producers.manages(db, actor, producer)


async def producer_manager(db: AsyncSession, producer_id: str) -> str | None:
    """The account that manages a producer: its own, or its cooperative's (None if neither)."""
    producer = await db.get(ProducerRow, producer_id)
    if producer is None:
        return None
    manager = producer.account_id
    if manager is None and producer.cooperative_id is not None:
        cooperative = await db.get(ProducerRow, producer.cooperative_id)
        manager = cooperative.account_id if cooperative is not None else None
    return manager


async def member_households(db: AsyncSession, cooperative_id: str) -> set[str]:
    """The ids of a cooperative's member households."""
    query = select(ProducerRow.id).where(ProducerRow.cooperative_id == cooperative_id)
    return set((await db.scalars(query)).all())
