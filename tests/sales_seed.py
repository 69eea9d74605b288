"""A county's month of paid orders written straight into the tables, for what reads sales in
bulk: the statement count of the sales summary (tests/test_region_sales.py) and the dashboard
benchmark (bench/region_sales.py, 100,000 orders). The orders skip the order flow on purpose:
these readers see only what was paid, when, in which session, and what stayed paid."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.tables import AccountRow
from sunlit.catalog.tables import ProductRow
from sunlit.core.ids import new_id
from sunlit.filing.tables import SessionPlanRow
from sunlit.orders.tables import OrderRow


@dataclass(frozen=True, slots=True)
class Seeded:
    product: str
    sessions: list[str]
    orders: int
    amount: int  # fen, all of it kept (nothing refunded)


async def seed_month(
    db: AsyncSession,
    *,
    product_name: str,
    host: str,
    buyer: str,
    start: datetime,
    orders: int,
    sessions: int,
    seed: int = 7,
) -> Seeded:
    """``sessions`` ended sessions of the product over the 30 days from ``start`` (every other
    one hosted by its producer), and ``orders`` paid orders spread over the days, a third of them
    in the sessions: written in batches of 5,000."""
    rng = random.Random(seed)
    product = await db.scalar(select(ProductRow).where(ProductRow.name_zh == product_name))
    host_row = await db.scalar(select(AccountRow).where(AccountRow.username == host))
    buyer_row = await db.scalar(select(AccountRow).where(AccountRow.username == buyer))
    assert product is not None and host_row is not None and buyer_row is not None
    plans = []
    for n in range(sessions):
        begins = start + timedelta(days=(n + 1) * 30 / (sessions + 1), hours=12)
        plan = SessionPlanRow(
            id=new_id("s"),
            official_id=host_row.id,
            host_kind="producer" if n % 2 else "official",
            title=f"Seeded session {n + 1}",
            starts_at=begins,
            ends_at=begins + timedelta(hours=2),
            purpose="regional_brand",
            promotions="",
            status="ended",
            findings=[],
            created_at=start,
            updated_at=start,
        )
        db.add(plan)
        plans.append(plan)
    await db.flush()
    rows, total = [], 0
    for n in range(orders):
        if plans and n % 3 == 0:
            plan = plans[(n // 3) % len(plans)]
            paid, session = plan.starts_at + timedelta(seconds=rng.randrange(7200)), plan.id
        else:
            paid, session = start + timedelta(seconds=rng.randrange(30 * 86400)), None
        qty = rng.randint(1, 5)
        amount = qty * product.price
        total += amount
        rows.append(
            {
                "id": new_id("o"),
                "buyer_id": buyer_row.id,
                "product_id": product.id,
                "producer_id": product.producer_id,
                "session_id": session,
                "qty": qty,
                "unit_price": product.price,
                "shipping_fee": 0,
                "amount": amount,
                "state": "completed",
                "payment_method": "wallet",
                "address_region": "110105",
                "address_detail": "seeded",
                "recipient": "seeded",
                "phone": "13800000000",
                "idempotency_key": f"seed-{seed}-{n}",
                "request_digest": "0" * 64,
                "refunded": 0,
                "placed_at": paid - timedelta(minutes=1),
                "expires_at": paid + timedelta(minutes=14),
                "paid_at": paid,
            }
        )
        if len(rows) == 5_000:
            await db.execute(insert(OrderRow), rows)
            rows = []
    if rows:
        await db.execute(insert(OrderRow), rows)
    return Seeded(product.id, [p.id for p in plans], orders, total)
