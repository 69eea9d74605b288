"""Producer use cases: households, cooperatives and enterprises, who manages them and who
speaks for them, and their verification."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.accounts.services import find_account
from sunlit.catalog.model import (
    ProducerDraft,
    ProducerKind,
    Verification,
    check_producer,
    check_registrar,
)
from sunlit.catalog.tables import (
    ProducerRow,
)
from sunlit.core.errors import N_, NotFound, PermissionDenied, marked_fields
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id
from sunlit.core.regions.model import region_prefix
from sunlit.core.regions.services import region_book


async def get_producer(db: AsyncSession, producer_id: str) -> ProducerRow:
    row = await db.get(ProducerRow, producer_id)
    if row is None:
        raise NotFound(N_("No such producer."))
    return row


async def manages(db: AsyncSession, actor: Actor, producer: ProducerRow) -> bool:
    """An operator manages every producer (records, stock, documents); a farmer account its
    own, and the members of a cooperative it manages."""
    if actor.role == Role.OPERATOR:
        return True
    return await speaks_for(db, actor, producer)


async def speaks_for(db: AsyncSession, actor: Actor, producer: ProducerRow) -> bool:
    """Whether the account is the producer's own (the farmer running it, or its cooperative):
    only they declare its cost, agree to its prices and clear it below cost."""
    if producer.account_id == actor.id:
        return True
    if producer.cooperative_id is not None:
        cooperative = await db.get(ProducerRow, producer.cooperative_id)
        return cooperative is not None and cooperative.account_id == actor.id
    return False


async def do_register_producer(
    db: AsyncSession,
    actor: Actor,
    draft: ProducerDraft,
    *,
    now: datetime,
    manager: str | None = None,
) -> ProducerRow:
    """A farmer registers the producer they run, in their own county (pending until an
    operator verifies it); an operator registers one anywhere for a farmer account
    (``manager``), verified as they create it."""
    errors = check_producer(draft, region_book())
    if draft.cooperative_id is not None:
        cooperative = await db.get(ProducerRow, draft.cooperative_id)
        if cooperative is None or cooperative.kind != ProducerKind.COOPERATIVE:
            errors["cooperative_id"] = N_("No such cooperative.")
        elif not await manages(db, actor, cooperative):
            raise PermissionDenied(N_("You can only add members to a cooperative you manage."))
    if errors:
        raise marked_fields(errors)
    if refusal := check_registrar(actor.role, actor.region, draft.region):
        raise PermissionDenied(refusal)
    by_operator = actor.role == Role.OPERATOR
    if by_operator and manager is not None:
        farmer = await find_account(db, manager)
        if farmer is None or farmer.role != Role.FARMER:
            raise marked_fields({"manager": N_("The manager must be a farmer's account.")})
    account_id = manager if by_operator else actor.id
    if draft.cooperative_id is not None:
        account_id = None  # a member household is managed through its cooperative
    row = ProducerRow(
        id=new_id("p"),
        kind=draft.kind.value,
        name=draft.name.strip(),
        region=draft.region,
        village=(draft.village or "").strip() or None,
        contact_name=(draft.contact_name or "").strip() or None,
        contact_phone=(draft.contact_phone or "").strip() or None,
        account_id=account_id,
        cooperative_id=draft.cooperative_id,
        verification=(Verification.VERIFIED if by_operator else Verification.PENDING).value,
        verified_by=actor.id if by_operator else None,
        verified_at=now if by_operator else None,
        created_at=now,
    )
    db.add(row)
    append(
        db,
        Event(
            type=EventType.PRODUCER_REGISTERED,
            ts=now,
            actor=actor.id,
            data={
                "producer": row.id,
                "kind": row.kind,
                "region": row.region,
                "cooperative": row.cooperative_id,
                "verification": row.verification,
            },
        ),
    )
    return row


async def do_verify_producer(
    db: AsyncSession,
    actor: Actor,
    producer_id: str,
    decision: Verification,
    *,
    now: datetime,
    note: str = "",
) -> ProducerRow:
    if actor.role != Role.OPERATOR:
        raise PermissionDenied(N_("Only an operator can verify producers."))
    row = await get_producer(db, producer_id)
    row.verification = decision
    row.verified_by, row.verified_at = actor.id, now
    append(
        db,
        Event(
            type=EventType.PRODUCER_VERIFIED,
            ts=now,
            actor=actor.id,
            data={
                "producer": row.id,
                "verification": decision.value,
                "note": note[:500],
            },
        ),
    )
    return row


async def list_producers(
    db: AsyncSession,
    *,
    region: str | None = None,
    manager: str | None = None,
    verification: Verification | None = None,
) -> list[ProducerRow]:
    query = select(ProducerRow).order_by(ProducerRow.region, ProducerRow.name)
    if region is not None:
        query = query.where(ProducerRow.region.startswith(region_prefix(region)))
    if manager is not None:
        managed = select(ProducerRow.id).where(ProducerRow.account_id == manager)
        query = query.where(
            or_(ProducerRow.account_id == manager, ProducerRow.cooperative_id.in_(managed))
        )
    if verification is not None:
        query = query.where(ProducerRow.verification == verification.value)
    return list((await db.scalars(query)).all())


async def producer_named(db: AsyncSession, name: str) -> ProducerRow | None:
    """A producer by its name (the demo seeds each county's cooperative once)."""
    return await db.scalar(select(ProducerRow).where(ProducerRow.name == name).limit(1))


async def producers_by_id(db: AsyncSession, ids: Collection[str]) -> dict[str, ProducerRow]:
    """The producers with these ids, in one statement (those that exist)."""
    if not ids:
        return {}
    rows = (await db.scalars(select(ProducerRow).where(ProducerRow.id.in_(set(ids))))).all()
    return {row.id: row for row in rows}


async def producer_names(db: AsyncSession, ids: set[str]) -> dict[str, str]:
    """Names of producers by id, for pages that list ids (ledger accounts, payouts)."""
    if not ids:
        return {}
    rows = (
        await db.execute(select(ProducerRow.id, ProducerRow.name).where(ProducerRow.id.in_(ids)))
    ).all()
    return {producer_id: name for producer_id, name in rows}


async def producer_scope(db: AsyncSession, actor: Actor) -> list[str] | None:
    """The producers whose sales and payouts an account sees: a farmer's own (and its
    cooperative's members); None, meaning all, for operators and supervisors."""
    if actor.role in (Role.OPERATOR, Role.SUPERVISOR):
        return None
    return [producer.id for producer in await list_producers(db, manager=actor.id)]
