"""A buyer's address book: only its owner sees or changes an address (anyone else gets 404),
at most :data:`MAX_ADDRESSES`, and exactly one default while there are any. Addresses are
personal data: their events (``address.saved``, ``address.removed``) carry the address's id
and nothing of what it says."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.core.errors import N_, Conflict, NotFound, marked_fields
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id
from sunlit.core.regions.services import region_book
from sunlit.orders.addresses.model import MAX_ADDRESSES, AddressDraft, check_address
from sunlit.orders.shipping.model import ships_to
from sunlit.orders.tables import SavedAddressRow


async def addresses_of(db: AsyncSession, account_id: str) -> list[SavedAddressRow]:
    """The buyer's addresses, the default first, then the newest."""
    query = (
        select(SavedAddressRow)
        .where(SavedAddressRow.account_id == account_id)
        .order_by(
            SavedAddressRow.is_default.desc(),
            SavedAddressRow.created_at.desc(),
            SavedAddressRow.id.desc(),
        )
    )
    return list((await db.scalars(query)).all())


async def default_address(db: AsyncSession, account_id: str) -> SavedAddressRow | None:
    found = await addresses_of(db, account_id)
    return found[0] if found and found[0].is_default else None


async def access_address(db: AsyncSession, actor: Actor, address_id: str) -> SavedAddressRow:
    """An address of the actor's own; anyone else's, or none, is 404."""
    row = await db.get(SavedAddressRow, address_id)
    if row is None or row.account_id != actor.id:
        raise NotFound(N_("No such address."))
    return row


def _check(draft: AddressDraft) -> None:
    deliverable = region_book().is_delivery_area(draft.region) and ships_to(draft.region)
    if errors := check_address(draft, deliverable=deliverable):
        raise marked_fields(errors)


async def _lock_book(db: AsyncSession, account_id: str) -> None:
    """Take the write lock on the buyer's addresses before reading them, so two changes at
    once are made one after the other: on PostgreSQL the rows, in the order of their ids (two
    transactions locking them in another order would deadlock); on SQLite, which has no row
    locks, the database, with the first write."""
    await db.execute(
        select(SavedAddressRow.id)
        .where(SavedAddressRow.account_id == account_id)
        .order_by(SavedAddressRow.id)
        .with_for_update()
    )
    await db.execute(
        update(SavedAddressRow)
        .where(SavedAddressRow.account_id == account_id)
        .values(is_default=SavedAddressRow.is_default)
        .execution_options(synchronize_session=False)
    )


async def _make_default(db: AsyncSession, row: SavedAddressRow) -> None:
    """The one default: the others lose it before this one takes it (the unique index)."""
    await db.execute(
        update(SavedAddressRow)
        .where(
            SavedAddressRow.account_id == row.account_id,
            SavedAddressRow.is_default,
            SavedAddressRow.id != row.id,
        )
        .values(is_default=False)
        .execution_options(synchronize_session=False)
    )
    row.is_default = True
    try:
        await db.flush()
    except IntegrityError as exc:  # a first address added at the same instant
        raise Conflict(N_("Your address book changed at the same moment; try again.")) from exc


def _saved(row: SavedAddressRow, now: datetime, *, created: bool) -> Event:
    return Event(
        EventType.ADDRESS_SAVED,
        now,
        {"address": row.id, "created": created, "default": row.is_default},
        actor=row.account_id,
    )


async def do_add_address(
    db: AsyncSession, actor: Actor, draft: AddressDraft, *, default: bool, now: datetime
) -> SavedAddressRow:
    """Save a new address; the first one, or one asked for as ``default``, is the default."""
    _check(draft)
    await _lock_book(db, actor.id)
    count = await db.scalar(
        select(func.count())
        .select_from(SavedAddressRow)
        .where(SavedAddressRow.account_id == actor.id)
    )
    if (count or 0) >= MAX_ADDRESSES:
        raise Conflict(
            N_("You can keep %(max)s addresses; delete one first."), params={"max": MAX_ADDRESSES}
        )
    row = SavedAddressRow(
        id=new_id("ad"),
        account_id=actor.id,
        label=draft.label,
        region=draft.region,
        detail=draft.detail,
        recipient=draft.recipient,
        phone=draft.phone,
        is_default=False,
        created_at=now,
    )
    db.add(row)
    if default or not count:
        await _make_default(db, row)
    append(db, _saved(row, now, created=True))
    return row


async def do_edit_address(
    db: AsyncSession,
    actor: Actor,
    address_id: str,
    draft: AddressDraft,
    *,
    default: bool,
    now: datetime,
) -> SavedAddressRow:
    """Change an address (its orders keep the address they were placed with)."""
    _check(draft)
    await _lock_book(db, actor.id)
    row = await access_address(db, actor, address_id)
    row.label, row.region, row.detail = draft.label, draft.region, draft.detail
    row.recipient, row.phone = draft.recipient, draft.phone
    if default:
        await _make_default(db, row)
    append(db, _saved(row, now, created=False))
    return row


async def do_make_default(
    db: AsyncSession, actor: Actor, address_id: str, *, now: datetime
) -> SavedAddressRow:
    await _lock_book(db, actor.id)
    row = await access_address(db, actor, address_id)
    await _make_default(db, row)
    append(db, _saved(row, now, created=False))
    return row


async def do_remove_address(
    db: AsyncSession, actor: Actor, address_id: str, *, now: datetime
) -> None:
    """Delete an address; if it was the default, the newest one left becomes the default."""
    await _lock_book(db, actor.id)
    row = await access_address(db, actor, address_id)
    was_default = row.is_default
    await db.execute(delete(SavedAddressRow).where(SavedAddressRow.id == row.id))
    db.expunge(row)
    append(
        db,
        Event(EventType.ADDRESS_REMOVED, now, {"address": address_id}, actor=actor.id),
    )
    if was_default:
        left = await addresses_of(db, actor.id)
        if left:
            await _make_default(db, left[0])
            append(db, _saved(left[0], now, created=False))
