"""The notification centre (``/notifications``) and the unread count in the header."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.work import Work, unit
from sunlit.notifications import services
from sunlit.notifications.views import notifications_of, unread_count
from sunlit.web.deps import Kit, PathId
from sunlit.web.forms import redirect, safe_next
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/notifications")
async def notification_list(work: Work[Kit] = unit("signed_in")) -> Response:
    items = await notifications_of(work.db, work.actor.id)
    unread = await unread_count(work.db, work.actor.id)
    return render(work.request, "notifications/list.html", {"items": items, "unread": unread})


@router.get("/notifications/unread")
async def unread_badge(work: Work[Kit] = unit("public", quiet=True)) -> Response:
    """The header's count (htmx); quiet, so that the header's polling keeps no session alive,
    and public, so that a session that ended meanwhile gets an empty count, not an error page
    inside the header."""
    account = work.principal.account
    count = await unread_count(work.db, account.id) if account is not None else 0
    return render(work.request, "notifications/unread.html", {"count": count})


@router.post("/notifications/{notification_id}/read")
async def open_notification(
    notification_id: PathId, work: Work[Kit] = unit("signed_in")
) -> Response:
    """Mark it read and go to the page to act on."""
    row = await services.do_mark_read(work.db, work.actor.id, notification_id, now=work.now)
    await work.commit()
    return redirect(safe_next(row.link, "/notifications"))


@router.post("/notifications/read")
async def read_all(work: Work[Kit] = unit("signed_in")) -> Response:
    await services.do_mark_all_read(work.db, work.actor.id, now=work.now)
    await work.commit()
    return redirect("/notifications")
