"""A product's stock as the order desk and orders move it (ADR 0003: the catalog owns its
tables; the other contexts call these functions, in their own transaction). The statements are
the ones the desk always ran: a flash sale's speed depends on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.catalog.tables import InspectionRow, ProductRow
from sunlit.core.errors import N_, NotFound


@dataclass(frozen=True, slots=True)
class StockLine:
    """What the desk needs to sell a product: its price (fen), stock and sales settings."""

    id: str
    producer_id: str
    price: int
    stock: int
    on_sale: bool
    per_buyer_limit: int | None


async def lock_stock(db: AsyncSession, product_ids: Sequence[str]) -> dict[str, StockLine]:
    """Take the write lock on the stock rows before reading them (on SQLite this first write
    takes the database's write lock, so the reads below see what no one else can change)."""
    await db.execute(
        update(ProductRow).where(ProductRow.id.in_(product_ids)).values(stock=ProductRow.stock)
    )
    rows = (await db.scalars(select(ProductRow).where(ProductRow.id.in_(product_ids)))).all()
    return {
        row.id: StockLine(
            row.id, row.producer_id, row.price, row.stock, row.on_sale, row.per_buyer_limit
        )
        for row in rows
    }


async def documented(db: AsyncSession, product_ids: Sequence[str], *, on: date) -> set[str]:
    """The products with a quality document (inspection report or 承诺达标合格证) valid on
    ``on``: only they can be bought (docs/boundary-rules.md, "Quality documents")."""
    if not product_ids:
        return set()
    query = select(InspectionRow.product_id).where(
        InspectionRow.product_id.in_(product_ids),
        InspectionRow.issued_on <= on,
        InspectionRow.expires_on >= on,
    )
    return set((await db.scalars(query)).all())


async def set_stock(db: AsyncSession, product_id: str, stock: int, *, now: datetime) -> None:
    """What is left of a locked product after a batch of orders."""
    await db.execute(
        update(ProductRow).where(ProductRow.id == product_id).values(stock=stock, updated_at=now)
    )


async def put_back(db: AsyncSession, product_id: str, qty: int) -> None:
    """Units an order held are for sale again (it was cancelled, expired or refunded unsent)."""
    await db.execute(
        update(ProductRow).where(ProductRow.id == product_id).values(stock=ProductRow.stock + qty)
    )


async def set_sales(
    db: AsyncSession,
    product_id: str,
    *,
    on_sale: bool,
    per_buyer_limit: int | None,
    now: datetime,
) -> None:
    """Suspend or resume a product's sales and set how many one buyer may order (the caller
    checks who may and records the event)."""
    product = await db.get(ProductRow, product_id)
    if product is None:
        raise NotFound(N_("No such product."))
    product.on_sale = on_sale
    product.per_buyer_limit = per_buyer_limit
    product.updated_at = now
