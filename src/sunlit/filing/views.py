"""Reads of filing that other contexts and filing's own routes share."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.filing.tables import PlanProductRow, SessionPlanRow


async def plan_status(db: AsyncSession, plan_id: str) -> str | None:
    """A session plan's status (a :class:`~sunlit.filing.model.PlanStatus`), None if none."""
    plan = await db.get(SessionPlanRow, plan_id)
    return plan.status if plan is not None else None


async def presents(db: AsyncSession, plan_id: str, product_id: str) -> bool:
    """Whether the session's plan presents this product."""
    return await db.get(PlanProductRow, (plan_id, product_id)) is not None
