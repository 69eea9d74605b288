"""What the live context needs from the contexts above it, as Protocols they implement: the
composition root (``sunlit.app.services``) wires an implementation in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class SessionSales(Protocol):
    """What a live room shows of the orders placed in its session (the orders context sells)."""

    async def orders_placed(self, db: AsyncSession, session: str) -> int:
        """Orders placed in ``session`` and not cancelled."""
        ...

    async def units_sold(self, db: AsyncSession, session: str) -> dict[str, int]:
        """Units sold in ``session`` by product (orders not cancelled)."""
        ...

    def payment_methods(self, role: str, org: str | None) -> Sequence[StrEnum]:
        """The ways an account (its role and organisation) may pay, in the order the buy
        sheet offers them."""
        ...

    async def delivery_form(self, db: AsyncSession, account: str) -> Mapping[str, Any]:
        """What the buy sheet's address part needs: ``values`` (the buyer's default address as
        form fields: recipient, phone, region, detail; empty without one) and ``picker`` (the
        county picker set to that county), for ``orders/_region_picker.html``."""
        ...
