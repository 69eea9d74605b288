"""Reads of session plans that the filing routes, its services and other contexts share: a
plan, who may see it, its products, partners, team and history."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.core.errors import N_, NotFound, PermissionDenied
from sunlit.core.eventlog.tables import EventRow
from sunlit.filing.model import Partner, PartnerKind, PlanStatus, TeamRole
from sunlit.filing.tables import (
    PlanConsentRow,
    PlanPartnerRow,
    PlanProductRow,
    PlanTeamRow,
    SessionPlanRow,
)


async def find_plan(db: AsyncSession, plan_id: str) -> SessionPlanRow | None:
    return await db.get(SessionPlanRow, plan_id)


async def get_plan(db: AsyncSession, plan_id: str) -> SessionPlanRow:
    row = await find_plan(db, plan_id)
    if row is None:
        raise NotFound(N_("No such session plan."))
    return row


async def team_of(db: AsyncSession, plan_id: str) -> frozenset[str]:
    rows = await db.scalars(select(PlanTeamRow.account_id).where(PlanTeamRow.plan_id == plan_id))
    return frozenset(rows.all())


async def access_plan(db: AsyncSession, actor: Actor, plan_id: str) -> SessionPlanRow:
    """The plan, if ``actor`` may read it: supervisors and operators, its host, its guest
    official, its team."""
    plan = await get_plan(db, plan_id)
    if actor.role in (Role.SUPERVISOR, Role.OPERATOR) or actor.id in (
        plan.official_id,
        plan.guest_official_id,
    ):
        return plan
    if actor.id not in await team_of(db, plan.id):
        raise PermissionDenied(N_("This plan is not yours to see."))
    return plan


async def plan_product_ids(db: AsyncSession, plan_id: str) -> list[str]:
    """The products filed for the plan, in the plan's order."""
    return (await products_of_plans(db, [plan_id]))[plan_id]


async def products_of_plans(db: AsyncSession, plan_ids: list[str]) -> dict[str, list[str]]:
    """Each plan's products in the plan's order, for many plans in one query."""
    found: dict[str, list[str]] = {plan_id: [] for plan_id in plan_ids}
    if not plan_ids:
        return found
    query = (
        select(PlanProductRow.plan_id, PlanProductRow.product_id)
        .where(PlanProductRow.plan_id.in_(plan_ids))
        .order_by(PlanProductRow.plan_id, PlanProductRow.position)
    )
    for plan_id, product_id in (await db.execute(query)).all():
        found[plan_id].append(product_id)
    return found


async def is_filed(db: AsyncSession, plan_id: str, product_id: str) -> bool:
    return await db.get(PlanProductRow, (plan_id, product_id)) is not None


async def plan_parts(db: AsyncSession, plan_id: str) -> tuple[list[str], list[Partner]]:
    """The plan's products (in its order) and its partners (in the order filed)."""
    partners = await db.scalars(
        select(PlanPartnerRow).where(PlanPartnerRow.plan_id == plan_id).order_by(PlanPartnerRow.id)
    )
    return await plan_product_ids(db, plan_id), [
        Partner(p.name, PartnerKind(p.kind), p.relationship, p.public_interest)
        for p in partners.all()
    ]


async def plan_team(db: AsyncSession, plan_id: str) -> list[tuple[str, TeamRole]]:
    """The plan's team: (account, role)."""
    rows = await db.execute(
        select(PlanTeamRow.account_id, PlanTeamRow.role).where(PlanTeamRow.plan_id == plan_id)
    )
    return [(account, TeamRole(role)) for account, role in rows.all()]


async def plan_history(db: AsyncSession, plan_id: str) -> list[EventRow]:
    """Every event recorded about the plan's session, oldest first."""
    query = select(EventRow).where(EventRow.session == plan_id).order_by(EventRow.seq)
    return list((await db.scalars(query)).all())


async def plans_with_products(
    db: AsyncSession, product_ids: list[str], *, status: PlanStatus
) -> list[SessionPlanRow]:
    """The plans in ``status`` with any of the products filed, latest end first."""
    on_plans = select(PlanProductRow.plan_id).where(PlanProductRow.product_id.in_(product_ids))
    # No DISTINCT over plan rows: PostgreSQL cannot compare their JSON column.
    query = (
        select(SessionPlanRow)
        .where(SessionPlanRow.id.in_(on_plans), SessionPlanRow.status == status.value)
        .order_by(SessionPlanRow.ends_at.desc())
    )
    return list((await db.scalars(query)).all())


async def plan_status(db: AsyncSession, plan_id: str) -> str | None:
    """A session plan's status (a :class:`~sunlit.filing.model.PlanStatus`), None if none."""
    plan = await db.get(SessionPlanRow, plan_id)
    return plan.status if plan is not None else None


async def presents(db: AsyncSession, plan_id: str, product_id: str) -> bool:
    """Whether the session's plan presents this product."""
    return await db.get(PlanProductRow, (plan_id, product_id)) is not None


@dataclass(frozen=True)
class PlanRecord:
    """What a plan's page and its API answer show beyond the plan row."""

    products: list[str]
    partners: list[Partner]
    team: list[tuple[str, TeamRole]]
    history: list[EventRow]
    consents: list[PlanConsentRow]


async def plan_record(db: AsyncSession, plan_id: str) -> PlanRecord:
    """The plan's products and partners (in the order filed), its team and its history."""
    products, partners = await plan_parts(db, plan_id)
    consents = await db.scalars(select(PlanConsentRow).where(PlanConsentRow.plan_id == plan_id))
    return PlanRecord(
        products,
        partners,
        await plan_team(db, plan_id),
        await plan_history(db, plan_id),
        list(consents.all()),
    )
