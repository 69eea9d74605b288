"""Filing use cases: draft, submit (the rules run), approve or reject (four eyes), and the
stream key an approved plan gets. Every transition is an event with its actor and reason."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.accounts.services import aware, find_account
from sunlit.catalog.products import services as catalog
from sunlit.catalog.unsalable import services as unsalable
from sunlit.core.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id
from sunlit.filing import consent
from sunlit.filing.facts import facts_of, own_producers
from sunlit.filing.model import (
    ACTIVE,
    EDITABLE,
    HOST_ROLES,
    REVIEWED,
    HostKind,
    Plan,
    PlanDraft,
    PlanStatus,
    check_four_eyes,
    check_plan,
    check_transition,
    host_kind_of,
    may_decide,
)
from sunlit.filing.rules import Finding, blocks, evaluate
from sunlit.filing.tables import PlanPartnerRow, PlanProductRow, PlanTeamRow, SessionPlanRow
from sunlit.filing.views import get_plan, plan_product_ids, team_of


async def plan_titles(db: AsyncSession, plan_ids: set[str]) -> dict[str, str]:
    """Each plan's title, by id (for pages in other contexts that name sessions)."""
    if not plan_ids:
        return {}
    query = select(SessionPlanRow.id, SessionPlanRow.title).where(SessionPlanRow.id.in_(plan_ids))
    return {plan: title for plan, title in (await db.execute(query)).all()}


async def plans_by_id(db: AsyncSession, plan_ids: set[str]) -> dict[str, SessionPlanRow]:
    """Plans by id (for pages in other contexts that name sessions by title, date and host)."""
    if not plan_ids:
        return {}
    query = select(SessionPlanRow).where(SessionPlanRow.id.in_(plan_ids))
    return {plan.id: plan for plan in await db.scalars(query)}


async def _others(
    db: AsyncSession, official_id: str, plan_id: str | None
) -> list[tuple[datetime, datetime]]:
    query = select(SessionPlanRow.starts_at, SessionPlanRow.ends_at).where(
        SessionPlanRow.official_id == official_id, SessionPlanRow.status.in_(ACTIVE)
    )
    if plan_id is not None:
        query = query.where(SessionPlanRow.id != plan_id)
    return [(aware(s), aware(e)) for s, e in (await db.execute(query)).all()]


async def _write_parts(db: AsyncSession, plan_id: str, draft: PlanDraft) -> None:
    for model in (PlanProductRow, PlanPartnerRow, PlanTeamRow):
        await db.execute(delete(model).where(model.plan_id == plan_id))
    for position, product_id in enumerate(draft.product_ids):
        await catalog.get_product(db, product_id)  # raises NotFound for an unknown id
        db.add(PlanProductRow(plan_id=plan_id, product_id=product_id, position=position))
    for partner in draft.partners:
        db.add(
            PlanPartnerRow(
                plan_id=plan_id,
                name=partner.name.strip(),
                kind=partner.kind.value,
                relationship=partner.relationship,
                public_interest=partner.public_interest,
            )
        )
    for member, role in dict(draft.team).items():
        if await find_account(db, member) is None:
            raise InvalidInput(
                N_("Please correct the marked fields."), fields={"team": N_("No such account.")}
            )
        db.add(PlanTeamRow(plan_id=plan_id, account_id=member, role=role.value))


async def _host_errors(db: AsyncSession, actor: Actor, draft: PlanDraft) -> dict[str, str]:
    """A producer files only its own produce (or its cooperative members'); a guest is an
    official. Field errors (msgids), before anything is written."""
    errors: dict[str, str] = {}
    host = host_kind_of(actor.role)
    if host is HostKind.PRODUCER:
        own = await own_producers(db, actor.id, host)  # as the own_produce rule judges
        filed = await catalog.products_by_id(db, set(draft.product_ids))
        if len(filed) != len(set(draft.product_ids)):
            raise NotFound(N_("No such product."))
        if any(product.producer_id not in own for product in filed.values()):
            errors["product_ids"] = N_(
                "Choose only your own produce (or your cooperative members')."
            )
    if draft.guest_official is not None:
        guest = await find_account(db, draft.guest_official)
        if guest is None or guest.role != Role.OFFICIAL or guest.disabled:
            errors["guest_official"] = N_("The guest must be an official's account.")
    return errors


async def do_draft(
    db: AsyncSession,
    actor: Actor,
    draft: PlanDraft,
    *,
    now: datetime,
    plan_id: str | None = None,
    reopen: bool = False,
) -> SessionPlanRow:
    """Create a plan, or change one. A change after approval (or while a supervisor reviews it)
    sends the plan back to draft, so it is checked and approved again (its stream key stops
    working): the official says so with ``reopen``, or the change is refused."""
    if actor.role not in HOST_ROLES:
        raise PermissionDenied(N_("Only an official or a producer files session plans."))
    host = host_kind_of(actor.role)
    errors = check_plan(draft, now, await _others(db, actor.id, plan_id), host)
    errors = {**await _host_errors(db, actor, draft), **errors}
    if draft.answers_report is not None and not await unsalable.report_exists(
        db, draft.answers_report
    ):
        errors["answers_report"] = N_("Choose the unsalable-stock report this session answers.")
    if errors:
        raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
    if plan_id is None:
        row = SessionPlanRow(
            id=new_id("s"),
            official_id=actor.id,
            host_kind=host,
            status=PlanStatus.DRAFT.value,
            created_at=now,
            findings=[],
        )
        db.add(row)
        kind = EventType.PLAN_DRAFTED
    else:
        row = await get_plan(db, plan_id)
        if row.official_id != actor.id:
            raise PermissionDenied(N_("Only the host who filed a plan can change it."))
        if PlanStatus(row.status) not in EDITABLE:
            raise Conflict(N_("This plan can no longer be changed."))
        if PlanStatus(row.status) in REVIEWED and not reopen:
            raise Conflict(
                N_(
                    "Not saved: this plan is approved or waiting for a supervisor. Confirm that "
                    "your change sends it back to draft, to be filed and approved again."
                ),
                fields={"reopen": N_("Confirm that the plan goes back to draft.")},
            )
        kind = EventType.PLAN_CHANGED
    previous = row.status
    row.title, row.starts_at, row.ends_at = draft.title.strip(), draft.starts_at, draft.ends_at
    row.purpose, row.answers_report = draft.purpose, draft.answers_report
    row.promotions, row.declares_no_payment = draft.promotions, draft.declares_no_payment
    row.invited_by = draft.invited_by.strip() if draft.invited_by else None
    row.guest_official_id = draft.guest_official
    row.status, row.stream_nonce, row.updated_at = PlanStatus.DRAFT, None, now
    await db.flush()
    await _write_parts(db, row.id, draft)
    append(
        db,
        Event(
            type=kind,
            ts=now,
            actor=actor.id,
            session=row.id,
            data={"from": previous, "to": row.status},
        ),
    )
    await consent.do_ask(db, row, draft.product_ids, now=now)  # after the plan's own event
    return row


def finding_json(finding: Finding) -> dict[str, Any]:
    data = asdict(finding)
    data["severity"] = finding.severity.value
    return data


async def do_submit(
    db: AsyncSession,
    actor: Actor,
    plan_id: str,
    *,
    now: datetime,
    rule_settings: dict[str, int],
) -> SessionPlanRow:
    """File the plan (报备): the rules run at once; a blocking finding rejects it with every
    failed rule in plain words, otherwise it waits for a supervisor."""
    plan = await get_plan(db, plan_id)
    if plan.official_id != actor.id:
        raise PermissionDenied(N_("Only the host who filed a plan can change it."))
    if problem := check_transition(PlanStatus(plan.status), PlanStatus.SUBMITTED):
        raise Conflict(problem, params={"current": plan.status, "target": "submitted"})
    if waiting := await consent.waiting_for(db, plan.id):
        raise Conflict(
            N_("Not filed: %(count)s product(s) on the plan wait for their producer's consent."),
            params={"count": len(waiting)},
        )
    if not await plan_product_ids(db, plan.id):
        raise Conflict(N_("Not filed: no product is left on the plan. Add one and save it."))
    plan.status, plan.submitted_at, plan.updated_at = PlanStatus.SUBMITTED, now, now
    facts = await facts_of(db, plan, now=now)
    append(
        db,
        Event(
            type=EventType.SESSION_FILED,
            ts=now,
            actor=actor.id,
            session=plan.id,
            data={
                "official": plan.official_id,
                "official_region": facts.official_region,
                "scheduled_start": facts.starts_at.isoformat(timespec="milliseconds"),
                "scheduled_end": facts.ends_at.isoformat(timespec="milliseconds"),
                "products": [p.id for p in facts.products],
                "partners": [
                    {"name": p.name, "kind": p.kind.value, "relationship": p.relationship}
                    for p in facts.partners
                ],
                "purpose": plan.purpose,
                "invited_by": plan.invited_by,
                "host_kind": plan.host_kind,
                "guest_official": plan.guest_official_id,
            },
        ),
    )
    findings = evaluate(facts, rule_settings)
    plan.findings = [finding_json(f) for f in findings]
    target = PlanStatus.REJECTED if blocks(findings) else PlanStatus.CHECKED
    plan.status = target
    append(
        db,
        Event(
            type=EventType.PLAN_REJECTED
            if target is PlanStatus.REJECTED
            else EventType.PLAN_CHECKED,
            ts=now,
            actor=None,
            session=plan.id,
            data={
                "from": "submitted",
                "to": target.value,
                "reason": "boundary rules",
                "findings": [{"rule": f.rule, "severity": f.severity.value} for f in findings],
            },
        ),
    )
    return plan


def signed(secret: str, *parts: str) -> str:
    """The secret part of a stream key: an HMAC of ``parts`` that only the server can make."""
    mac = hmac.new(secret.encode(), "|".join(parts).encode(), hashlib.sha256)
    return mac.hexdigest()[:40]


def stream_secret(secret: str, plan_id: str, nonce: str) -> str:
    """The secret part of a plan's stream key: a new approval makes a new one."""
    return signed(secret, plan_id, nonce)


def stream_key(secret: str, plan_id: str, nonce: str) -> str:
    """What the official types as the stream key: ``<plan id>?key=<secret>``. nginx-rtmp names
    the stream (and its public HLS files) after the part before ``?`` and passes the rest to
    the gate, so the secret never appears in a public address."""
    return f"{plan_id}?key={stream_secret(secret, plan_id, nonce)}"


def key_for(secret: str, plan: Plan, viewer_id: str) -> str | None:
    """The plan's stream key as ``viewer_id`` may see it: only its official, once approved."""
    if plan.stream_nonce and viewer_id == plan.official_id:
        return stream_key(secret, plan.id, plan.stream_nonce)
    return None


async def do_decide(
    db: AsyncSession,
    actor: Actor,
    plan_id: str,
    *,
    approve: bool,
    reason: str,
    now: datetime,
) -> SessionPlanRow:
    """A supervisor who is not on the plan approves or rejects it, with a reason; a producer's
    plan may also be decided by an operator."""
    if actor.role not in (Role.SUPERVISOR, Role.OPERATOR):
        raise PermissionDenied(N_("Only a supervisor approves session plans."))
    plan = await get_plan(db, plan_id)
    host = await find_account(db, plan.official_id)
    if not may_decide(actor, plan.host_kind, host.region if host else None):
        if plan.host_kind != HostKind.PRODUCER:
            raise PermissionDenied(N_("Only a supervisor approves an official's session plan."))
        raise PermissionDenied(N_("An operator decides only the plans of producers in its region."))
    if problem := check_four_eyes(actor.id, plan.official_id, await team_of(db, plan.id)):
        raise PermissionDenied(problem)
    target = PlanStatus.APPROVED if approve else PlanStatus.REJECTED
    if problem := check_transition(PlanStatus(plan.status), target):
        raise Conflict(problem, params={"current": plan.status, "target": target.value})
    if not reason.strip() or len(reason) > 1000:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"reason": N_("Give a reason (1 to 1,000 characters).")},
        )
    plan.status, plan.decided_by, plan.decided_at = target, actor.id, now
    plan.stream_nonce = secrets.token_hex(16) if approve else None
    plan.updated_at = now
    append(
        db,
        Event(
            type=EventType.PLAN_APPROVED if approve else EventType.PLAN_REJECTED,
            ts=now,
            actor=actor.id,
            session=plan.id,
            data={"from": "checked", "to": target.value, "reason": reason.strip()},
        ),
    )
    return plan


async def list_plans(db: AsyncSession, actor: Actor) -> list[SessionPlanRow]:
    query = select(SessionPlanRow).order_by(SessionPlanRow.starts_at.desc())
    if actor.role in HOST_ROLES:
        query = query.where(
            (SessionPlanRow.official_id == actor.id)
            | (SessionPlanRow.guest_official_id == actor.id)
        )
    elif actor.role not in (Role.SUPERVISOR, Role.OPERATOR):
        return []
    return list((await db.scalars(query)).all())


async def public_sessions(
    db: AsyncSession, *, now: datetime, limit: int = 12
) -> tuple[list[SessionPlanRow], list[SessionPlanRow]]:
    """Approved sessions still to come (or live), and sessions that have ended: what the
    public may know about filed sessions."""
    upcoming = (
        await db.scalars(
            select(SessionPlanRow)
            .where(
                SessionPlanRow.status.in_([PlanStatus.APPROVED.value, PlanStatus.LIVE.value]),
                SessionPlanRow.ends_at >= now,
            )
            .order_by(SessionPlanRow.starts_at)
            .limit(limit)
        )
    ).all()
    past = (
        await db.scalars(
            select(SessionPlanRow)
            .where(SessionPlanRow.status == PlanStatus.ENDED.value)
            .order_by(SessionPlanRow.ends_at.desc())
            .limit(limit)
        )
    ).all()
    return list(upcoming), list(past)
