"""The reviews' use cases: post (the buyer, once an order is delivered), reply (the producer's
people, once, in public), hide (a supervisor or operator, for abuse only). Each ``do_*`` writes
its rows and its event in the caller's transaction. There is no edit and no delete: not for the
seller, not for anyone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.catalog.views import manages_producer
from sunlit.core.errors import N_, Conflict, InvalidInput, NotFound, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.files.model import PICTURES, Upload
from sunlit.core.files.store import store_upload
from sunlit.core.ids import new_id
from sunlit.fulfilment.reviews import model
from sunlit.fulfilment.reviews.tables import ReviewPhotoRow, ReviewRow
from sunlit.orders import views as order_views
from sunlit.web.deps import Kit

#: Who may hide a review for abuse.
MODERATORS = (Role.SUPERVISOR, Role.OPERATOR)


class NotReviewable(Conflict):
    code = "not_reviewable"


class AlreadyDone(Conflict):
    code = "already_done"


def invalid(fields: dict[str, str]) -> InvalidInput:
    """The refusal of a form whose fields could not be read."""
    return InvalidInput(model.FIX, fields=fields)


async def get_review(db: AsyncSession, review_id: str, *, lock: bool = False) -> ReviewRow:
    query = select(ReviewRow).where(ReviewRow.id == review_id)
    row = (await db.scalars(query.with_for_update() if lock else query)).first()
    if row is None:
        raise NotFound(N_("No such review."))
    return row


async def review_of_order(db: AsyncSession, order_id: str) -> ReviewRow | None:
    return (await db.scalars(select(ReviewRow).where(ReviewRow.order_id == order_id))).first()


async def do_post_review(
    db: AsyncSession,
    kit: Kit,
    actor: Actor,
    order_id: str,
    *,
    stars: int | None,
    freshness: int | None,
    packaging: int | None,
    speed: int | None,
    text: str,
    photos: list[Upload],
    now: datetime,
    errors: dict[str, str] | None = None,
) -> ReviewRow:
    """The buyer reviews a delivered order: once. ``errors``: what the form could not read."""
    order = await order_views.access_order(db, actor, order_id)  # others: 404
    if order.buyer_id != actor.id:
        raise PermissionDenied(N_("Only the buyer reviews an order."))
    why = model.why_not_reviewable(order.state, order.amount, order.refunded)
    if why is not None:
        raise NotReviewable(why)
    if await review_of_order(db, order.id) is not None:
        raise AlreadyDone(N_("This order has already been reviewed."))
    sent = [p for p in photos if p.data]
    draft = model.check_review(
        stars=stars,
        freshness=freshness,
        packaging=packaging,
        speed=speed,
        text=text,
        photos=len(sent),
        errors=errors,
    )
    row = ReviewRow(
        id=new_id("rv"),
        order_id=order.id,
        product_id=order.product_id,
        producer_id=order.producer_id,
        buyer_id=actor.id,
        session_id=order.session_id,
        stars=draft.stars,
        freshness=draft.freshness,
        packaging=draft.packaging,
        speed=draft.speed,
        text=draft.text,
        posted_at=now,
    )
    db.add(row)
    try:
        await db.flush()  # the unique order_id: a review posted meanwhile wins
    except IntegrityError:
        raise AlreadyDone(N_("This order has already been reviewed.")) from None
    for position, upload in enumerate(sent):
        stored = await store_upload(
            db,
            kit.files,
            upload,
            allowed=PICTURES,
            max_bytes=kit.settings.max_upload_bytes,
            now=now,
            field="photos",
        )
        if await db.get(ReviewPhotoRow, (row.id, stored.sha256)) is None:
            db.add(ReviewPhotoRow(review_id=row.id, sha256=stored.sha256, position=position))
    data: dict[str, object] = {
        "order": order.id,
        "stars": draft.stars,
        "text": draft.text,
        "review": row.id,
        "product": order.product_id,
        "freshness": draft.freshness,
        "packaging": draft.packaging,
        "speed": draft.speed,
        "photos": len(sent),
    }
    append(db, _event(EventType.REVIEW_POSTED, row, actor, now, data))
    return row


async def do_follow_up(
    db: AsyncSession, actor: Actor, review_id: str, text: str, *, now: datetime
) -> ReviewRow:
    """The buyer adds to their review once (追评), say after eating the rest of the box. The
    first words stay as they were."""
    row = await get_review(db, review_id, lock=True)
    if row.buyer_id != actor.id:
        raise PermissionDenied(N_("Only the buyer adds to their review."))
    if row.follow_up is not None:
        raise AlreadyDone(N_("You have already added to this review."))
    row.follow_up, row.follow_up_at = model.check_follow_up(text), now
    data: dict[str, object] = {"order": row.order_id, "review": row.id, "text": row.follow_up}
    append(db, _event(EventType.REVIEW_FOLLOWED_UP, row, actor, now, data))
    return row


async def do_reply(
    db: AsyncSession, actor: Actor, review_id: str, text: str, *, now: datetime
) -> ReviewRow:
    """The producer's people answer a review in public, once."""
    row = await get_review(db, review_id, lock=True)
    if not await manages_producer(db, actor, row.producer_id):
        raise PermissionDenied(N_("Only the producer's people reply to its reviews."))
    if row.reply is not None:
        raise AlreadyDone(N_("This review already has the producer's reply."))
    row.reply = model.check_reply(text)
    row.replied_by, row.replied_at = actor.id, now
    data: dict[str, object] = {"order": row.order_id, "review": row.id, "text": row.reply}
    append(db, _event(EventType.REVIEW_REPLIED, row, actor, now, data))
    return row


async def do_hide(
    db: AsyncSession, actor: Actor, review_id: str, reason: str, note: str, *, now: datetime
) -> ReviewRow:
    """A supervisor or operator hides a review for abuse, with the reason and a note. The text
    stays in the database and goes into the event, for oversight."""
    if actor.role not in MODERATORS:
        raise PermissionDenied(N_("Only supervisors and operators hide a review."))
    row = await get_review(db, review_id, lock=True)
    if row.hidden_at is not None:
        raise AlreadyDone(N_("This review is already hidden."))
    chosen, kept = model.check_hide(reason, note)
    row.hidden_reason, row.hidden_note = chosen.value, kept
    row.hidden_by, row.hidden_at = actor.id, now
    data: dict[str, object] = {
        "review": row.id,
        "order": row.order_id,
        "author": row.buyer_id,
        "reason": chosen.value,
        "note": kept,
        "text": row.text,
    }
    append(db, _event(EventType.REVIEW_HIDDEN, row, actor, now, data))
    return row


async def do_unhide(
    db: AsyncSession, actor: Actor, review_id: str, note: str, *, now: datetime
) -> ReviewRow:
    """A supervisor or operator shows a hidden review again (a hide that was a mistake), with a
    note; the hide stays in the log."""
    if actor.role not in MODERATORS:
        raise PermissionDenied(N_("Only supervisors and operators hide a review."))
    row = await get_review(db, review_id, lock=True)
    if row.hidden_at is None:
        raise AlreadyDone(N_("This review is not hidden."))
    kept = model.check_words(note, "note", model.NOTE_MAX)
    data: dict[str, object] = {
        "review": row.id,
        "order": row.order_id,
        "author": row.buyer_id,
        "reason": row.hidden_reason,
        "note": kept,
    }
    row.hidden_reason = row.hidden_note = row.hidden_by = None
    row.hidden_at = None
    append(db, _event(EventType.REVIEW_UNHIDDEN, row, actor, now, data))
    return row


def _event(
    kind: EventType, row: ReviewRow, actor: Actor, now: datetime, data: dict[str, object]
) -> Event:
    return Event(type=kind, ts=now, actor=actor.id, session=row.session_id, data=data)
