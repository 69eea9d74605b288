"""Chat in a live room on the database: what a viewer is shown on joining, hiding a message and
muting an account for abuse (the official's team), and the moderation log supervisors read.
Each change is an event in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.accounts.services import aware, display_names, find_account
from sunlit.core.errors import N_, InvalidInput, NotFound
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.eventlog.tables import EventRow
from sunlit.filing import views as filing
from sunlit.live import services as live
from sunlit.live.model import HideReason
from sunlit.live.tables import LiveMuteRow

CHAT_HISTORY = 30  # chat messages a viewer is shown on joining


async def recent_chat(
    db: AsyncSession, session: str, *, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The last ``limit`` chat messages still shown (oldest first), and the likes so far."""
    hidden = set(
        (
            await db.scalars(
                select(EventRow.data["message"].as_string()).where(
                    EventRow.session == session, EventRow.type == EventType.CHAT_HIDDEN
                )
            )
        ).all()
    )
    rows = (
        await db.execute(
            select(EventRow.id, EventRow.ts, EventRow.actor, EventRow.data)
            .where(EventRow.session == session, EventRow.type == EventType.CHAT_MESSAGE)
            .order_by(EventRow.seq.desc())
            .limit(limit + len(hidden))
        )
    ).all()
    names = await display_names(db, {actor for _, _, actor, _ in rows if actor})
    messages = [
        chat_message(event_id, actor, names.get(actor or "", ""), data["text"], aware(ts))
        for event_id, ts, actor, data in reversed(rows)
        if event_id not in hidden
    ][-limit:]
    likes = await db.scalar(
        select(func.coalesce(func.sum(EventRow.data["count"].as_integer()), 0)).where(
            EventRow.session == session, EventRow.type == EventType.LIKE
        )
    )
    return messages, int(likes or 0)


def chat_message(
    event_id: str, actor: str | None, name: str, text: str, ts: datetime
) -> dict[str, Any]:
    return {
        "t": "chat",
        "id": event_id,
        "account": actor,
        "name": name,
        "text": text,
        "at": int(ts.timestamp() * 1000),
    }


async def mutes_of(db: AsyncSession, session: str) -> dict[str, str]:
    rows = await db.execute(
        select(LiveMuteRow.account_id, LiveMuteRow.reason).where(LiveMuteRow.session_id == session)
    )
    return {account: reason for account, reason in rows.all()}


async def do_hide(
    db: AsyncSession,
    actor: Actor,
    session: str,
    message_id: str,
    reason: HideReason,
    note: str,
    *,
    now: datetime,
) -> dict[str, Any]:
    """Hide one chat message for abuse, with the reason; supervisors see every hide."""
    await live.access_controlled_plan(db, actor, session)
    message = await db.scalar(
        select(EventRow).where(
            EventRow.id == message_id,
            EventRow.session == session,
            EventRow.type == EventType.CHAT_MESSAGE,
        )
    )
    if message is None:
        raise NotFound(N_("No such message in this room."))
    data = {
        "message": message_id,
        "author": message.actor,
        "text": message.data.get("text", ""),
        "reason": reason.value,
        "note": note,
    }
    append(
        db, Event(type=EventType.CHAT_HIDDEN, ts=now, actor=actor.id, session=session, data=data)
    )
    return {"t": "hide", "id": message_id}


async def do_mute(
    db: AsyncSession,
    actor: Actor,
    session: str,
    account_id: str,
    reason: HideReason,
    note: str,
    *,
    now: datetime,
) -> dict[str, Any]:
    """Mute ``account_id`` in the room; returns the message that tells the room's processes."""
    plan = await live.access_controlled_plan(db, actor, session)
    if account_id in (plan.official_id, actor.id) or account_id in await filing.team_of(
        db, plan.id
    ):
        raise InvalidInput(N_("The host and the team cannot be muted."))
    if await find_account(db, account_id) is None:
        raise NotFound(N_("No such account."))
    row = await db.get(LiveMuteRow, (session, account_id))
    if row is None:
        db.add(
            LiveMuteRow(
                session_id=session,
                account_id=account_id,
                reason=reason.value,
                note=note,
                muted_by=actor.id,
                muted_at=now,
            )
        )
    else:
        row.reason, row.note, row.muted_by, row.muted_at = reason, note, actor.id, now
    append(
        db,
        Event(
            type=EventType.CHAT_MUTED,
            ts=now,
            actor=actor.id,
            session=session,
            data={"account": account_id, "reason": reason.value, "note": note},
        ),
    )
    return {"t": "mute", "account": account_id, "reason": reason.value}


async def do_unmute(
    db: AsyncSession, actor: Actor, session: str, account_id: str, *, now: datetime
) -> dict[str, Any]:
    await live.access_controlled_plan(db, actor, session)
    row = await db.get(LiveMuteRow, (session, account_id))
    if row is None:
        raise NotFound(N_("That account is not muted here."))
    await db.delete(row)
    append(
        db,
        Event(
            type=EventType.CHAT_UNMUTED,
            ts=now,
            actor=actor.id,
            session=session,
            data={"account": account_id},
        ),
    )
    return {"t": "unmute", "account": account_id}


#: What the hosts' teams do to the chat: hide a message, mute and unmute an account.
CHAT_MODERATION = (EventType.CHAT_HIDDEN, EventType.CHAT_MUTED, EventType.CHAT_UNMUTED)
#: What supervisors and operators do to reviews (issue 17): logged beside the chat's.
REVIEW_MODERATION = (EventType.REVIEW_HIDDEN, EventType.REVIEW_UNHIDDEN)


async def moderation_log(
    db: AsyncSession, *, session: str | None = None, limit: int = 200, reviews: bool = False
) -> list[EventRow]:
    """Every hide and mute (newest first), for supervisors; with ``reviews``, every review
    hidden or shown again too."""
    kinds = CHAT_MODERATION + REVIEW_MODERATION if reviews else CHAT_MODERATION
    query = (
        select(EventRow).where(EventRow.type.in_(kinds)).order_by(EventRow.seq.desc()).limit(limit)
    )
    if session is not None:
        query = query.where(EventRow.session == session)
    return list((await db.scalars(query)).all())
