"""JSON API for one's own notifications (``/api/v1/notifications``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from sunlit.accounts.work import Work, unit
from sunlit.notifications import services
from sunlit.notifications.model import Kind
from sunlit.notifications.views import Shown, notifications_of, shown, unread_count
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["notifications"])


class NotificationOut(BaseModel):
    """One notification: ``text`` is rendered in the caller's language (``kind`` and
    ``params`` are what is stored); ``link`` is the page to act on."""

    id: str
    kind: Kind
    text: str
    params: dict[str, Any]
    link: str
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, item: Shown) -> NotificationOut:
        return cls(
            id=item.id,
            kind=item.kind,
            text=item.text,
            params=dict(item.params),
            link=item.link,
            created_at=item.created_at,
            read_at=item.read_at,
        )


class NotificationsOut(BaseModel):
    unread: int
    notifications: list[NotificationOut]


class MarkedOut(BaseModel):
    marked: int


@router.get("/notifications", response_model=NotificationsOut)
async def list_notifications(work: Work[Kit] = unit("signed_in")) -> NotificationsOut:
    """The caller's notifications, newest first (at most 100), and how many are unread."""
    items = await notifications_of(work.db, work.actor.id)
    return NotificationsOut(
        unread=await unread_count(work.db, work.actor.id),
        notifications=[NotificationOut.of(item) for item in items],
    )


@router.post("/notifications/{notification_id}/read", response_model=NotificationOut)
async def mark_read(
    notification_id: PathId, work: Work[Kit] = unit("signed_in")
) -> NotificationOut:
    """Mark one of the caller's notifications read; another person's is not found (404)."""
    row = await services.do_mark_read(work.db, work.actor.id, notification_id, now=work.now)
    await work.commit()
    return NotificationOut.of(shown(row))


@router.post("/notifications/read", response_model=MarkedOut)
async def mark_all_read(work: Work[Kit] = unit("signed_in")) -> MarkedOut:
    """Mark every unread notification of the caller read."""
    marked = await services.do_mark_all_read(work.db, work.actor.id, now=work.now)
    await work.commit()
    return MarkedOut(marked=marked)
