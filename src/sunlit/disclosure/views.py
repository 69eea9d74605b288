"""The public session page's read: gathered from filing, catalog and accounts through their
views and services (no table of theirs is read here)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts import services as accounts
from sunlit.catalog.products import services as products
from sunlit.core.errors import N_, NotFound
from sunlit.disclosure.model import (
    Approval,
    Disclosure,
    Host,
    PublicPartner,
    PublicProduct,
    RuleResult,
    documents_shown,
    producer_shown,
    stage_of,
)
from sunlit.filing import views as filing


async def session_disclosure(db: AsyncSession, plan_id: str, *, today: date) -> Disclosure:
    """A session as the public sees it; NotFound until a supervisor approves its plan (and for
    a plan rejected or withdrawn), as for a plan that does not exist."""
    plan = await filing.find_plan(db, plan_id)
    stage = stage_of(plan.status) if plan is not None else None
    if plan is None or stage is None:
        raise NotFound(N_("No such session."))
    product_ids, partners = await filing.plan_parts(db, plan.id)
    last_day = plan.ends_at.date()
    shown = []
    for product_id in product_ids:
        view = await products.view_product(db, product_id, on=today)
        row, producer = view.product, view.producer
        shown.append(
            PublicProduct(
                id=row.id,
                name_zh=row.name_zh,
                name_en=row.name_en,
                price=row.price,
                unit=str(row.unit),
                box_grams=row.box_grams,
                producer=producer_shown(producer.name, str(producer.kind)),
                producer_kind=str(producer.kind),
                producer_verified=str(producer.verification) == "verified",
                band_low=view.band.low if view.band else None,
                band_high=view.band.high if view.band else None,
                band_status=str(view.position.status) if view.position else None,
                documents=documents_shown(
                    [(str(d.kind), d.issuer, d.expires_on) for d in view.inspections],
                    through=last_day,
                ),
            )
        )
    host = await accounts.find_account(db, plan.official_id)
    approver = await accounts.find_account(db, plan.decided_by) if plan.decided_by else None
    return Disclosure(
        id=plan.id,
        title=plan.title,
        stage=stage,
        status=str(plan.status),
        starts_at=plan.starts_at,
        ends_at=plan.ends_at,
        purpose=str(plan.purpose),
        answers_report=plan.answers_report,
        invited_by=plan.invited_by,
        host=Host(
            name=host.display_name if host else "",
            office=host.org if host else None,
            region=host.region if host else None,
        ),
        products=tuple(shown),
        partners=tuple(
            PublicPartner(p.name, str(p.kind), p.relationship, p.public_interest) for p in partners
        ),
        rules=tuple(_rule(f) for f in plan.findings or []),
        approval=Approval(
            role=str(approver.role) if approver else "supervisor",
            office=approver.org if approver else None,
            on=plan.decided_at,
        ),
    )


def _rule(finding: dict[str, Any]) -> RuleResult:
    params = finding.get("params") or {}
    return RuleResult(
        rule=str(finding.get("rule", "")),
        severity=str(finding.get("severity", "")),
        message=str(finding.get("message", "")),
        params={str(k): v for k, v in params.items() if isinstance(v, str | int)},
    )
