"""Opening an after-sales request, and what every step shares: the terms from the settings,
the request's lock, the refund through ``payments.services.request_refund``, the payout hold
and its release, the events. The steps after opening are in :mod:`.steps`; the silent
party's default, run by the jobs loop, is :func:`answer_due`."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.catalog.model import Category
from sunlit.catalog.products import services as catalog
from sunlit.core.errors import N_, Conflict, InvalidInput, NotFound
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.files.model import PICTURES, Upload
from sunlit.core.files.store import store_upload
from sunlit.core.ids import new_id
from sunlit.fulfilment.aftersales import model, policy
from sunlit.fulfilment.aftersales.model import (
    COMPLAINT_CATEGORY,
    FIX,
    PHOTOS_MAX,
    Deadlines,
    Kind,
    Loop,
    Move,
    Outcome,
    Reason,
    Side,
    Status,
)
from sunlit.fulfilment.aftersales.tables import AftersalesPhotoRow, AftersalesRow
from sunlit.orders import views as order_views
from sunlit.orders.model import Order
from sunlit.payments import services as payments
from sunlit.payments.gateway import Gateway
from sunlit.payments.model import Payment
from sunlit.settings import Settings
from sunlit.web.deps import Kit


@dataclass(frozen=True, slots=True)
class Terms:
    """What the rules and the clocks read of the settings."""

    deadlines: Deadlines
    limits: policy.Limits
    hold_days: int

    @classmethod
    def of(cls, settings: Settings) -> Terms:
        return cls(
            Deadlines(settings.aftersales_answer_hours, settings.no_reason_return_days),
            policy.Limits(
                settings.quality_claim_hours,
                settings.no_reason_return_days,
                settings.aftersales_days,
            ),
            settings.payout_hold_days,
        )


ALREADY_OPEN = N_("This order already has an after-sales request open.")


class AlreadyOpen(Conflict):
    code = "aftersales_open"


async def captured_payment(db: AsyncSession, order_id: str) -> Payment | None:
    found = [p for p in await payments.payments_for(db, order_id) if p.state == "captured"]
    return found[0] if found else None


async def order_facts(db: AsyncSession, order: Order) -> policy.OrderFacts:
    product = await catalog.get_product(db, order.product_id)
    payment = await captured_payment(db, order.id)
    pending = await payments.pending_refunds(db, payment.id) if payment is not None else 0
    return policy.OrderFacts(
        category=Category(product.category),
        state=str(order.state),
        shipped_at=order.shipped_at,
        delivered_at=order.delivered_at,
        paid=payment.amount if payment is not None else 0,
        refunded=payment.refunded if payment is not None else 0,
        pending=pending,
    )


async def open_request(db: AsyncSession, order_id: str) -> AftersalesRow | None:
    query = select(AftersalesRow).where(
        AftersalesRow.order_id == order_id, AftersalesRow.status != Status.CLOSED.value
    )
    return (await db.scalars(query)).first()


async def orders_in_aftersales(db: AsyncSession, order_ids: Collection[str]) -> set[str]:
    """Of these orders, those with an after-sales request open (receipt does not confirm
    itself while one is: the shipments' auto-confirm job asks here)."""
    if not order_ids:
        return set()
    query = select(AftersalesRow.order_id).where(
        AftersalesRow.order_id.in_(list(order_ids)), AftersalesRow.status != Status.CLOSED.value
    )
    return set((await db.scalars(query)).all())


def request_event(
    type_: EventType,
    row: AftersalesRow,
    order: Order,
    now: datetime,
    actor: str | None,
    **data: object,
) -> Event:
    """An ``aftersales.*`` event: the order and the request in its data, the order's session."""
    return Event(
        type_,
        now,
        {"order": row.order_id, "request": row.id, **data},
        actor=actor,
        session=order.session_id,
    )


async def store_photos(
    db: AsyncSession, kit: Kit, row: AftersalesRow, side: Side, photos: list[Upload], now: datetime
) -> int:
    sent = [p for p in photos if p.data]
    if len(sent) > PHOTOS_MAX:
        raise InvalidInput(
            FIX, fields={"photos": N_("At most %(max)s photos.")}, params={"max": PHOTOS_MAX}
        )
    for upload in sent:
        stored = await store_upload(
            db,
            kit.files,
            upload,
            allowed=PICTURES,
            max_bytes=kit.settings.max_upload_bytes,
            now=now,
            field="photos",
        )
        if await db.get(AftersalesPhotoRow, (row.id, side.value, stored.sha256)) is None:
            db.add(
                AftersalesPhotoRow(
                    request_id=row.id, side=side, sha256=stored.sha256, created_at=now
                )
            )
    return len(sent)


async def do_open(
    db: AsyncSession,
    kit: Kit,
    actor: Actor,
    order_id: str,
    *,
    kind: Kind,
    reason: Reason,
    amount: int | None,
    text: str,
    photos: list[Upload],
    now: datetime,
) -> AftersalesRow:
    """The buyer opens a request on their order (others get 404), if the policy allows it:
    the payout is held until it closes; a complaint is recorded with it unless it is a
    return without a reason. Two at once on one order: the second is refused (409)."""
    order = await order_views.access_order(db, actor, order_id)
    if order.buyer_id != actor.id:
        raise NotFound(N_("No such order."))
    terms = Terms.of(kit.settings)
    kept = model.check_text(text)
    facts = await order_facts(db, order)
    sent = sum(1 for p in photos if p.data)
    decision = policy.decide(facts, reason, photos=sent, limits=terms.limits, now=now)
    asked = facts.left if amount is None else amount
    policy.check_request(decision, kind, asked, facts.left)
    if await open_request(db, order.id) is not None:
        raise AlreadyOpen(ALREADY_OPEN)
    loop = model.opened(kind, asked, terms.deadlines, now)
    row = AftersalesRow(
        id=new_id("as"),
        order_id=order.id,
        buyer_id=actor.id,
        producer_id=order.producer_id,
        kind=kind,
        reason=reason,
        rule=decision.rule,
        amount=asked,
        text=kept,
        status=loop.status,
        deadline=loop.deadline,
        refunded=0,
        opened_at=now,
        updated_at=now,
    )
    db.add(row)
    try:  # first, so that a second request at the same moment fails here, changing nothing
        await db.flush()
    except IntegrityError as exc:
        raise AlreadyOpen(ALREADY_OPEN) from exc
    await store_photos(db, kit, row, Side.BUYER, photos, now)
    await payments.hold_payout(db, order.id)  # whatever confirms receipt meanwhile
    append(
        db,
        request_event(
            EventType.AFTERSALES_OPENED,
            row,
            order,
            now,
            actor.id,
            kind=kind.value,
            reason=reason.value,
            amount=asked,
        ),
    )
    category = COMPLAINT_CATEGORY.get(reason)
    if category is not None:
        complaint = {"order": order.id, "category": category, "text": kept}
        append(
            db,
            Event(
                EventType.COMPLAINT_FILED, now, complaint, actor=actor.id, session=order.session_id
            ),
        )
    return row


async def get_request(db: AsyncSession, request_id: str) -> AftersalesRow:
    row = await db.get(AftersalesRow, request_id)
    if row is None:
        raise NotFound(N_("No such after-sales request."))
    return row


async def locked(db: AsyncSession, request_id: str) -> AftersalesRow:
    """The request, locked for this transaction: a no-op write takes its row lock on
    PostgreSQL and the write lock on SQLite, so two steps on one request apply in turn."""
    await db.execute(
        update(AftersalesRow)
        .where(AftersalesRow.id == request_id)
        .values(updated_at=AftersalesRow.updated_at)
        .execution_options(synchronize_session=False)
    )
    row = await db.scalar(
        select(AftersalesRow)
        .where(AftersalesRow.id == request_id)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound(N_("No such after-sales request."))
    return row


def loop_of(row: AftersalesRow) -> Loop:
    return Loop(row.status, row.kind, row.amount, row.deadline, row.offer, row.outcome)


async def give_back(
    db: AsyncSession,
    gateway: Gateway,
    row: AftersalesRow,
    order: Order,
    amount: int,
    *,
    by: str | None,
    now: datetime,
) -> int:
    """Refund ``amount`` through payments (never more than is left of the payment: a seller's
    refund may have come meanwhile); what was asked of the gateway."""
    payment = await captured_payment(db, order.id)
    if payment is None or amount <= 0:
        return 0
    left = payment.amount - payment.refunded - await payments.pending_refunds(db, payment.id)
    given = min(amount, left)
    if given <= 0:
        return 0
    refund = await payments.request_refund(
        db, gateway, payment, given, reason=f"after-sales {row.id}", by=by, now=now
    )
    row.refund_id, row.refunded = refund.id, given
    return given


async def settle_move(
    db: AsyncSession,
    gateway: Gateway,
    terms: Terms,
    row: AftersalesRow,
    order: Order,
    move: Move,
    *,
    actor: str | None,
    now: datetime,
    **data: object,
) -> None:
    """Store a step's new state; when it closes the request, give back what it says, release
    the payout if receipt was confirmed (else it stays held until it is), and write
    ``aftersales.closed``."""
    loop = move.loop
    row.status, row.deadline, row.offer, row.outcome = (
        loop.status,
        loop.deadline,
        loop.offer,
        loop.outcome,
    )
    row.updated_at = now
    if loop.status is not Status.CLOSED:
        return
    row.closed_at = now
    given = await give_back(db, gateway, row, order, move.refund, by=actor, now=now)
    # Released from the close on, if receipt was confirmed; else it waits for confirmation.
    confirmed = order.confirmed_at is not None
    release = now + timedelta(days=terms.hold_days) if confirmed else None
    await payments.release_payout(db, order.id, release)
    assert loop.outcome is not None
    append(
        db,
        request_event(
            EventType.AFTERSALES_CLOSED,
            row,
            order,
            now,
            actor,
            outcome=loop.outcome.value,
            refunded=given,
            **data,
        ),
    )


async def answer_due(
    db: AsyncSession, gateway: Gateway, *, terms: Terms, now: datetime, limit: int = 200
) -> int:
    """Apply the silent party's default to every request past its deadline (model.default):
    an unanswered request is accepted, goods sent back and not confirmed are refunded. Each
    with its events, actor none. How many moved."""
    due = (
        await db.scalars(
            select(AftersalesRow.id)
            .where(
                AftersalesRow.status != Status.CLOSED.value,
                AftersalesRow.deadline.is_not(None),
                AftersalesRow.deadline <= now,
            )
            .order_by(AftersalesRow.deadline)
            .limit(limit)
        )
    ).all()
    moved = 0
    for request_id in due:
        row = await locked(db, request_id)
        before = row.status
        move = model.default(loop_of(row), terms.deadlines, now)
        if move is None:
            continue
        order = await order_views.get_order(db, row.order_id)
        if before is Status.OPEN:
            row.answer, row.answered_at = model.Answer.ACCEPTED, now
            append(
                db,
                request_event(
                    EventType.AFTERSALES_ANSWERED,
                    row,
                    order,
                    now,
                    None,
                    answer=model.Answer.ACCEPTED.value,
                    by="deadline",
                ),
            )
        await settle_move(db, gateway, terms, row, order, move, actor=None, now=now, by="deadline")
        moved += 1
    return moved


def closed_outcome(row: AftersalesRow) -> Outcome | None:
    return row.outcome if row.status is Status.CLOSED else None
