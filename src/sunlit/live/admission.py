"""How the room and control pages let a viewer into the room's WebSocket: a viewer id kept in
a cookie, a signed one-connection ticket noted in the ticket book, and the socket's URL."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from sunlit.accounts.work import Work
from sunlit.core.errors import N_, Conflict
from sunlit.core.i18n import current_language
from sunlit.live import chat
from sunlit.live import services as live
from sunlit.live.deps import LiveKit
from sunlit.live.model import Ticket, sign_ticket
from sunlit.web.rendering import render

VIEWER_COOKIE = "sunlit_viewer"


def ws_url(work: Work[LiveKit]) -> str:
    request, services = work.request, work.services
    base = services.settings.live_public_url
    if not base:
        scheme = "wss" if request.url.scheme == "https" else "ws"
        port = services.live_port or services.settings.live_port
        base = f"{scheme}://{request.url.hostname}:{port}"
    return base.rstrip("/") + "/live/"


async def ticket(work: Work[LiveKit], session: str, viewer: str, *, moderator: bool) -> str:
    """A signed ticket for one WebSocket connection to ``session`` within the ticket lifetime,
    noted in the ticket book (so it is redeemed once, and voided if the account's access is
    revoked first)."""
    services = work.services
    seconds = services.settings.live_ticket_seconds
    account = work.principal.account
    issued = Ticket(
        session=session,
        viewer=viewer,
        account=account.id if account else None,
        name=account.display_name if account else "",
        language=current_language.get(),
        expires=int(work.now.timestamp()) + seconds,
        moderator=moderator,
        nonce=secrets.token_urlsafe(16),
    )
    if not await services.live.tickets.issue(
        issued.nonce, issued.account, seconds, since=work.principal.read_at
    ):  # the account's access was revoked while this request ran: the page asks again
        if account is not None and services.live.on_revoke is not None:
            # Whoever remembers this account (the principal memory) read it before the
            # revocation: the next try must read it afresh.
            services.live.on_revoke(account.id)
        raise Conflict(N_("Your access changed while the ticket was made; try again."))
    return sign_ticket(issued, services.settings.secret_key)


def viewer_id(request: Request) -> tuple[str, bool]:
    """The viewer id from the cookie, or a new one (and True: keep it)."""
    known = request.cookies.get(VIEWER_COOKIE, "")
    if 16 <= len(known) <= 64 and known.replace("-", "").replace("_", "").isalnum():
        return known, False
    return secrets.token_urlsafe(16), True


def keep_viewer(work: Work[LiveKit], response: Response, new_viewer: str | None) -> Response:
    """Keep a new viewer id in its cookie for a year."""
    if new_viewer is not None:
        response.set_cookie(
            VIEWER_COOKIE,
            new_viewer,
            max_age=365 * 24 * 3600,
            path="/",
            httponly=True,
            secure=work.services.settings.secure_cookies,
            samesite="lax",
        )
    return response


async def socket_context(
    work: Work[LiveKit], session: str, *, moderator: bool
) -> tuple[dict[str, Any], str | None]:
    """What the room and the control page both show and need to join the room's socket: its
    state, recent chat, a signed ticket; and the viewer id to keep in a cookie, if it is new."""
    now = work.now
    state = await live.room_state(work.db, session, work.services.sales, now=now, on=now.date())
    history, likes = await chat.recent_chat(work.db, session, limit=chat.CHAT_HISTORY)
    # A visitor who is not signed in gets no ticket (nor a viewer cookie) with the page, so
    # that the page is the same for every visitor and the page cache may keep it: live.js
    # fetches one from /live/{session}/ticket, which keeps the viewer's id.
    anonymous = work.principal.account is None
    viewer, new = viewer_id(work.request)
    context = {
        "state": state,
        "history": history,
        "likes": likes,
        "initial": {**state.message(), "now": int(now.timestamp() * 1000), "likes": likes},
        "ticket": "" if anonymous else await ticket(work, session, viewer, moderator=moderator),
        "ws_url": ws_url(work),
        "heartbeat": work.services.settings.live_heartbeat_seconds,
    }
    return context, viewer if new and not anonymous else None


def render_room(
    work: Work[LiveKit],
    template: str,
    context: dict[str, Any],
    new_viewer: str | None,
    *,
    status: int = 200,
) -> Response:
    """A page of the room, keeping a new viewer's id."""
    page = render(work.request, template, context, status=status)
    return keep_viewer(work, page, new_viewer)
