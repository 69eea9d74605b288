"""Reads of the orders context that other contexts and its routes share."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.orders.model import PaymentMethod
from sunlit.orders.tables import OrderRow


class SessionSales:
    """The orders placed in a live session, as a live room shows them (``live.ports``)."""

    async def orders_placed(self, db: AsyncSession, session: str) -> int:
        count = await db.scalar(
            select(func.count())
            .select_from(OrderRow)
            .where(OrderRow.session_id == session, OrderRow.state != "cancelled")
        )
        return int(count or 0)

    async def units_sold(self, db: AsyncSession, session: str) -> dict[str, int]:
        rows = await db.execute(
            select(OrderRow.product_id, func.sum(OrderRow.qty))
            .where(OrderRow.session_id == session, OrderRow.state != "cancelled")
            .group_by(OrderRow.product_id)
        )
        return {product: int(units or 0) for product, units in rows.all()}

    def payment_methods(self) -> Sequence[StrEnum]:
        return list(PaymentMethod)
