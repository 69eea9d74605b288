"""The steps of a request after it is opened, each a ``do_*`` that locks the request, moves
it with the pure model, gives back what the step says and writes the step's event in the
caller's transaction: the producer answers (accept, offer part, refuse with evidence), the
buyer takes an offer, escalates, sends the goods back or withdraws, the producer confirms the
goods came back, and an operator or supervisor decides an escalated request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.core.errors import N_, InvalidInput, PermissionDenied
from sunlit.core.eventlog import EventType, append
from sunlit.core.files.model import Upload
from sunlit.fulfilment.aftersales import model
from sunlit.fulfilment.aftersales.model import CARRIER_MAX, FIX, Answer, Ruling, Side
from sunlit.fulfilment.aftersales.services import (
    Terms,
    get_request,
    locked,
    loop_of,
    request_event,
    settle_move,
    store_photos,
)
from sunlit.fulfilment.aftersales.tables import AftersalesRow
from sunlit.orders import views as order_views
from sunlit.orders.model import Order
from sunlit.payments.gateway import Gateway
from sunlit.web.deps import Kit

ARBITERS = (Role.SUPERVISOR, Role.OPERATOR)


async def access_request(
    db: AsyncSession, actor: Actor, request_id: str, *, lock: bool = False
) -> tuple[AftersalesRow, Order]:
    """A request and its order, for whoever may see the order (others get 404)."""
    row = await (locked(db, request_id) if lock else get_request(db, request_id))
    order = await order_views.access_order(db, actor, row.order_id)
    return row, order


async def _as_buyer(db: AsyncSession, actor: Actor, request_id: str) -> tuple[AftersalesRow, Order]:
    row, order = await access_request(db, actor, request_id, lock=True)
    if row.buyer_id != actor.id:
        raise PermissionDenied(N_("Only the buyer does this."))
    return row, order


async def _as_seller(
    db: AsyncSession, actor: Actor, request_id: str
) -> tuple[AftersalesRow, Order]:
    row = await locked(db, request_id)
    order = await order_views.access_order(db, actor, row.order_id)
    if not await order_views.may_sell(db, actor, order):
        raise PermissionDenied(N_("Only the producer's people answer an after-sales request."))
    return row, order


async def do_answer(
    db: AsyncSession,
    kit: Kit,
    gateway: Gateway,
    actor: Actor,
    request_id: str,
    *,
    answer: Answer,
    offer: int | None,
    text: str,
    photos: list[Upload],
    now: datetime,
) -> AftersalesRow:
    """The producer accepts, offers part of the amount, or refuses with a reason (required)
    and photos as evidence."""
    row, order = await _as_seller(db, actor, request_id)
    terms = Terms.of(kit.settings)
    kept = model.check_text(text, required=answer is Answer.REFUSED)
    move = model.answer(loop_of(row), answer, terms.deadlines, now, offer=offer)
    row.answer, row.answer_text, row.answered_by, row.answered_at = answer, kept, actor.id, now
    evidence = await store_photos(db, kit, row, Side.PRODUCER, photos, now)
    data: dict[str, object] = {"answer": answer.value, "text": kept, "photos": evidence}
    if answer is Answer.PARTIAL:
        data["offer"] = offer
    append(db, request_event(EventType.AFTERSALES_ANSWERED, row, order, now, actor.id, **data))
    await settle_move(db, gateway, terms, row, order, move, actor=actor.id, now=now)
    return row


async def do_take_offer(
    db: AsyncSession, kit: Kit, gateway: Gateway, actor: Actor, request_id: str, *, now: datetime
) -> AftersalesRow:
    row, order = await _as_buyer(db, actor, request_id)
    move = model.take_offer(loop_of(row))
    await settle_move(
        db, gateway, Terms.of(kit.settings), row, order, move, actor=actor.id, now=now
    )
    return row


async def do_escalate(
    db: AsyncSession, actor: Actor, request_id: str, *, text: str, now: datetime
) -> AftersalesRow:
    """The buyer asks the platform to decide, saying why."""
    row, order = await _as_buyer(db, actor, request_id)
    kept = model.check_text(text)
    move = model.escalate(loop_of(row))
    row.status, row.deadline = move.loop.status, move.loop.deadline
    row.escalation_text, row.escalated_at, row.updated_at = kept, now, now
    append(db, request_event(EventType.AFTERSALES_ESCALATED, row, order, now, actor.id, text=kept))
    return row


async def do_send_back(
    db: AsyncSession,
    kit: Kit,
    actor: Actor,
    request_id: str,
    *,
    carrier: str,
    tracking_no: str,
    now: datetime,
) -> AftersalesRow:
    """The buyer has sent the goods back: the producer has the answer hours to confirm."""
    row, order = await _as_buyer(db, actor, request_id)
    carrier, tracking_no = carrier.strip(), tracking_no.strip()
    errors = {}
    if not 1 <= len(carrier) <= CARRIER_MAX:
        errors["carrier"] = N_("Name the carrier.")
    if not 1 <= len(tracking_no) <= CARRIER_MAX:
        errors["tracking_no"] = N_("Give the tracking number.")
    if errors:
        raise InvalidInput(FIX, fields=errors)
    move = model.send_back(loop_of(row), Terms.of(kit.settings).deadlines, now)
    row.status, row.deadline = move.loop.status, move.loop.deadline
    row.return_carrier, row.return_tracking_no = carrier, tracking_no
    row.returned_at, row.updated_at = now, now
    append(
        db,
        request_event(
            EventType.AFTERSALES_RETURN_SENT,
            row,
            order,
            now,
            actor.id,
            carrier=carrier,
            tracking_no=tracking_no,
        ),
    )
    return row


async def do_receive(
    db: AsyncSession, kit: Kit, gateway: Gateway, actor: Actor, request_id: str, *, now: datetime
) -> AftersalesRow:
    """The producer confirms the goods came back: the refund goes."""
    row, order = await _as_seller(db, actor, request_id)
    move = model.receive(loop_of(row))
    await settle_move(
        db, gateway, Terms.of(kit.settings), row, order, move, actor=actor.id, now=now
    )
    return row


async def do_decide(
    db: AsyncSession,
    kit: Kit,
    gateway: Gateway,
    actor: Actor,
    request_id: str,
    *,
    ruling: Ruling,
    amount: int | None,
    text: str,
    now: datetime,
) -> AftersalesRow:
    """An operator or supervisor decides an escalated request, with a written reason: for the
    buyer (the amount asked for, or less) or for the producer."""
    if actor.role not in ARBITERS:
        raise PermissionDenied(N_("Only operators and supervisors decide after-sales disputes."))
    row, order = await access_request(db, actor, request_id, lock=True)
    kept = model.check_text(text, "ruling_text")
    move = model.decide(loop_of(row), ruling, amount)
    row.ruling, row.ruling_text, row.decided_by, row.decided_at = ruling, kept, actor.id, now
    append(
        db,
        request_event(
            EventType.AFTERSALES_DECIDED,
            row,
            order,
            now,
            actor.id,
            ruling=ruling.value,
            amount=move.refund,
            text=kept,
        ),
    )
    await settle_move(
        db, gateway, Terms.of(kit.settings), row, order, move, actor=actor.id, now=now
    )
    return row


async def do_withdraw(
    db: AsyncSession, kit: Kit, gateway: Gateway, actor: Actor, request_id: str, *, now: datetime
) -> AftersalesRow:
    row, order = await _as_buyer(db, actor, request_id)
    move = model.withdraw(loop_of(row))
    await settle_move(
        db, gateway, Terms.of(kit.settings), row, order, move, actor=actor.id, now=now
    )
    return row
