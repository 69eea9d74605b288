"""Unsalable-stock reports (滞销求助): a producer asks for help; the officials of that region
see a "needs help" queue; a session plan can later answer a report (issue "Filing")."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.catalog.model import HelpStatus, UnsalableReason, check_unsalable
from sunlit.catalog.producers import services as producers
from sunlit.catalog.products import services as catalog
from sunlit.catalog.tables import UnsalableReportRow
from sunlit.core.errors import N_, InvalidInput, NotFound, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id
from sunlit.core.regions.model import region_prefix


async def do_report_unsalable(
    db: AsyncSession,
    actor: Actor,
    product_id: str,
    *,
    quantity: int,
    reason: UnsalableReason,
    deadline: date,
    note: str,
    now: datetime,
) -> UnsalableReportRow:
    product = await catalog.get_product(db, product_id)
    producer = await producers.get_producer(db, product.producer_id)
    if not await producers.manages(db, actor, producer):
        raise PermissionDenied(N_("You can only report stock of a producer you manage."))
    errors = check_unsalable(quantity, deadline, now.date(), note)
    if errors:
        raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
    row = UnsalableReportRow(
        id=new_id("u"),
        producer_id=producer.id,
        product_id=product.id,
        region=producer.region,
        quantity=quantity,
        reason=reason.value,
        note=note.strip(),
        deadline=deadline,
        status=HelpStatus.OPEN.value,
        reported_by=actor.id,
        created_at=now,
    )
    db.add(row)
    append(
        db,
        Event(
            type=EventType.UNSALABLE_REPORTED,
            ts=now,
            actor=actor.id,
            data={
                "report": row.id,
                "product": product.id,
                "producer": producer.id,
                "region": producer.region,
                "quantity": quantity,
                "unit": product.unit,
                "reason": reason.value,
                "deadline": deadline.isoformat(),
            },
        ),
    )
    return row


async def access_report(db: AsyncSession, actor: Actor, report_id: str) -> UnsalableReportRow:
    """The report, for an account that manages its producer; raises NotFound or
    PermissionDenied."""
    row = await db.get(UnsalableReportRow, report_id)
    if row is None:
        raise NotFound(N_("No such report."))
    if not await producers.manages(db, actor, await producers.get_producer(db, row.producer_id)):
        raise PermissionDenied(N_("You can only report stock of a producer you manage."))
    return row


async def do_close(
    db: AsyncSession, actor: Actor, report_id: str, *, now: datetime
) -> UnsalableReportRow:
    """The producer says the stock is sold or gone."""
    row = await access_report(db, actor, report_id)
    if row.status == HelpStatus.CLOSED:
        return row
    row.status, row.closed_at = HelpStatus.CLOSED, now
    data = {"report": row.id, "product": row.product_id}
    append(db, Event(type=EventType.UNSALABLE_CLOSED, ts=now, actor=actor.id, data=data))
    return row


async def report_exists(db: AsyncSession, report_id: str) -> bool:
    return await db.get(UnsalableReportRow, report_id) is not None


def region_of_view(actor: Actor) -> str | None:
    """The region whose queue an account sees: an official their own jurisdiction; a
    supervisor or operator everything (None)."""
    if actor.role == Role.OFFICIAL:
        return actor.region or "000000"
    return None


async def needs_help(
    db: AsyncSession,
    *,
    region: str | None,
    include_closed: bool = False,
    due_from: date | None = None,
) -> list[UnsalableReportRow]:
    """Reports not closed (or all), the most urgent first; with ``due_from``, only those whose
    deadline is that day or later."""
    query = select(UnsalableReportRow).order_by(UnsalableReportRow.deadline)
    if due_from is not None:
        query = query.where(UnsalableReportRow.deadline >= due_from)
    if region is not None:
        query = query.where(UnsalableReportRow.region.startswith(region_prefix(region)))
    if not include_closed:
        query = query.where(UnsalableReportRow.status != HelpStatus.CLOSED.value)
    return list((await db.scalars(query)).all())


async def reports_of(db: AsyncSession, producer_ids: list[str]) -> list[UnsalableReportRow]:
    query = (
        select(UnsalableReportRow)
        .where(UnsalableReportRow.producer_id.in_(producer_ids))
        .order_by(UnsalableReportRow.created_at.desc())
    )
    return list((await db.scalars(query)).all())
