"""A product's kind code (``crisp_pear``): it links a product to its reference price band.
A farmer never types it: a product named like one already listed takes that product's kind
(so the same produce compares with the same band); a new name gets a fresh code. The API
still accepts a kind given by whoever lists the product."""

from __future__ import annotations

import secrets
import string

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.catalog.model import KIND
from sunlit.catalog.tables import ProductRow

#: The prefix of a generated kind; the letters after it are random (KIND allows letters and _).
GENERATED = "item_"


def new_kind() -> str:
    """A fresh kind code that matches no band until an operator publishes one for it."""
    return GENERATED + "".join(secrets.choice(string.ascii_lowercase) for _ in range(12))


async def kind_for(db: AsyncSession, name_zh: str) -> str:
    """The kind of the newest product listed under this Chinese name, or a fresh code."""
    name = name_zh.strip()
    if name:
        known = await db.scalar(
            select(ProductRow.kind)
            .where(ProductRow.name_zh == name)
            .order_by(ProductRow.created_at.desc())
            .limit(1)
        )
        if known and KIND.match(known):
            return known
    return new_kind()
