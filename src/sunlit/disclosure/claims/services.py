"""Registering a claim: a press account says what it announced about a public session, and
Sunlit writes it to the event log as ``claim.published`` (the contract's type), where the
integrity monitor's ``hype_gap`` rule reads it as it reads claims in imported streams."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.core.errors import N_, InvalidInput, NotFound, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.disclosure.claims.model import (
    MAX_SOURCE,
    NewClaim,
    check_claim,
    claim_data,
    normalise_claim,
)
from sunlit.disclosure.model import stage_of
from sunlit.filing import views as filing
from sunlit.filing.model import Plan


def check_press(actor: Actor) -> None:
    if actor.role != Role.PRESS:
        raise PermissionDenied(
            N_(
                "Only a press account (a newsroom or a propaganda office) can register the "
                "figures announced about a session. The platform operator creates these accounts."
            )
        )


async def access_public_plan(db: AsyncSession, plan_id: str) -> Plan:
    """The plan of a session the public may see (approved, live or ended); NotFound for any
    other, as for one that does not exist."""
    plan = await filing.find_plan(db, plan_id)
    if plan is None or stage_of(plan.status) is None:
        raise NotFound(N_("No such session."))
    return plan


async def access_claim_form(db: AsyncSession, actor: Actor, plan_id: str) -> Plan:
    """The session a press account is about to register a claim for."""
    check_press(actor)
    return await access_public_plan(db, plan_id)


async def do_publish_claim(
    db: AsyncSession, actor: Actor, plan_id: str, new: NewClaim, *, now: datetime
) -> Event:
    """Record a claim about a public session as ``claim.published`` (actor: the press
    account; session: the plan). Nothing else is stored: the event is the claim."""
    plan = await access_claim_form(db, actor, plan_id)
    new = normalise_claim(new)
    errors = check_claim(new)
    if errors:
        raise InvalidInput(
            N_("Please correct the marked fields."), fields=errors, params={"max": MAX_SOURCE}
        )
    event = Event(EventType.CLAIM_PUBLISHED, now, claim_data(new), actor=actor.id, session=plan.id)
    append(db, event)
    return event
