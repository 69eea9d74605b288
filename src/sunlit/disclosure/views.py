"""The public session page's read: gathered from filing, catalog and accounts through their
views and services (no table of theirs is read here)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts import services as accounts
from sunlit.catalog import views as catalog
from sunlit.catalog.products import services as products
from sunlit.core.errors import N_, NotFound
from sunlit.core.eventlog.services import session_events
from sunlit.disclosure import outcome
from sunlit.disclosure.model import (
    Approval,
    Disclosure,
    Host,
    LiveBlock,
    PublicFinding,
    PublicPartner,
    PublicProduct,
    RuleResult,
    Stage,
    documents_shown,
    producer_shown,
    stage_of,
    verified_of,
)
from sunlit.filing import views as filing
from sunlit.integrity import views as integrity
from sunlit.integrity.figures import confirmed_named
from sunlit.payments import views as payments


async def session_disclosure(db: AsyncSession, plan_id: str, *, today: date) -> Disclosure:
    """A session as the public sees it; NotFound until a supervisor approves its plan (and for
    a plan rejected or withdrawn), as for a plan that does not exist. Once it has started, the
    figures from its events; once it has ended, the outcome, payouts and findings too."""
    filed = await filed_disclosure(db, plan_id, today=today)
    if filed.stage is Stage.BEFORE:
        return filed
    return await _with_figures(db, filed)


async def live_block(db: AsyncSession, plan_id: str) -> LiveBlock:
    """The live figures alone (the page asks for them every 30 seconds while on air): one
    read of the session's events, none of the filing's parts."""
    plan = await filing.find_plan(db, plan_id)
    stage = stage_of(plan.status) if plan is not None else None
    if plan is None or stage is None:
        raise NotFound(N_("No such session."))
    if stage is Stage.BEFORE:
        return LiveBlock(plan_id, stage, None)
    return LiveBlock(plan_id, stage, outcome.live_figures(await _tally(db, plan_id)))


async def _tally(db: AsyncSession, plan_id: str) -> outcome.Tally:
    fake_orders, fake_viewers = await confirmed_named(db, None, plan_id)
    events = await session_events(db, plan_id, outcome.TYPES)
    return outcome.tally(events, fake_orders=fake_orders, fake_viewers=fake_viewers)


async def _with_figures(db: AsyncSession, filed: Disclosure) -> Disclosure:
    counted = await _tally(db, filed.id)
    live = outcome.live_figures(counted)
    if filed.stage is not Stage.AFTER:
        return replace(filed, live=live, left_out=counted.left_out)
    money = await payments.money_of_orders(db, set(counted.orders))
    households = await catalog.households_among(
        db, {payee for m in money.values() for payee in m.payees}
    )
    settlements = {
        order: outcome.Settlement(
            m.fee, m.fund, m.paid_out, frozenset(p for p in m.payees if p in households)
        )
        for order, m in money.items()
    }
    rows = outcome.outcome(counted, [p.id for p in filed.products], settlements)
    cases, figures = await integrity.session_record(db, filed.id)
    return replace(
        filed,
        live=live,
        left_out=counted.left_out,
        outcome=rows,
        total=outcome.totals(rows, reached=outcome.households(counted, settlements)),
        verified=verified_of(figures),
        findings=tuple(
            PublicFinding(c.id, c.rule, c.severity, c.reason, c.published_at) for c in cases
        ),
    )


async def filed_disclosure(db: AsyncSession, plan_id: str, *, today: date) -> Disclosure:
    """What was filed and approved (the page's part that never changes after approval)."""
    plan = await filing.find_plan(db, plan_id)
    stage = stage_of(plan.status) if plan is not None else None
    if plan is None or stage is None:
        raise NotFound(N_("No such session."))
    product_ids, partners = await filing.plan_parts(db, plan.id)
    last_day = plan.ends_at.date()
    shown = []
    for view in await products.view_products(db, product_ids, on=today):
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
    guest = (
        await accounts.find_account(db, plan.guest_official_id) if plan.guest_official_id else None
    )
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
            kind=str(plan.host_kind),
            guest=", ".join(filter(None, [guest.display_name, guest.org])) if guest else None,
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
