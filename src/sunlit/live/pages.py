"""Live-room pages: the room (phone first: video, shelf, chat, buying in a sheet), the control
page of the official's team, and the supervisors' moderation log. The room's moving parts come
over the WebSocket server (``live.server``); every action also works as a plain form."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.accounts.services import display_names
from sunlit.core.errors import N_, Conflict, InvalidInput, SunlitError
from sunlit.core.i18n import current_language, gettext_, translate
from sunlit.filing import services as filing
from sunlit.live import chat
from sunlit.live import services as live
from sunlit.live.deps import live_kit
from sunlit.live.model import HIDE_REASON_LABELS, HideReason, Ticket, sign_ticket
from sunlit.web.deps import PathId, get_db, undo
from sunlit.web.forms import form_fields, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

VIEWER_COOKIE = "sunlit_viewer"


def ws_url(request: Request) -> str:
    services = live_kit(request)
    base = services.settings.live_public_url
    if not base:
        scheme = "wss" if request.url.scheme == "https" else "ws"
        port = services.live_port or services.settings.live_port
        base = f"{scheme}://{request.url.hostname}:{port}"
    return base.rstrip("/") + "/live/"


async def _ticket(
    request: Request, principal: Principal, session: str, viewer: str, *, moderator: bool
) -> str:
    """A signed ticket for one WebSocket connection to ``session`` within the ticket lifetime,
    noted in the ticket book (so it is redeemed once, and voided if the account's access is
    revoked first)."""
    services = live_kit(request)
    seconds = services.settings.live_ticket_seconds
    account = principal.account
    ticket = Ticket(
        session=session,
        viewer=viewer,
        account=account.id if account else None,
        name=account.display_name if account else "",
        language=current_language.get(),
        expires=int(services.clock.now().timestamp()) + seconds,
        moderator=moderator,
        nonce=secrets.token_urlsafe(16),
    )
    if not await services.live.tickets.issue(
        ticket.nonce, ticket.account, seconds, since=principal.read_at
    ):  # the account's access was revoked while this request ran: the page asks again
        raise Conflict(N_("Your access changed while the ticket was made; try again."))
    return sign_ticket(ticket, services.settings.secret_key)


def _viewer_id(request: Request) -> tuple[str, bool]:
    known = request.cookies.get(VIEWER_COOKIE, "")
    if 16 <= len(known) <= 64 and known.replace("-", "").replace("_", "").isalnum():
        return known, False
    return secrets.token_urlsafe(16), True


async def _socket_context(
    request: Request, db: AsyncSession, principal: Principal, session: str, *, moderator: bool
) -> tuple[dict[str, Any], str | None]:
    """What the room and the control page both show and need to join the room's socket: its
    state, recent chat, a signed ticket; and the viewer id to keep in a cookie, if it is new."""
    services = live_kit(request)
    now = services.clock.now()
    state = await live.room_state(db, session, services.sales, now=now, on=now.date())
    history, likes = await chat.recent_chat(db, session, limit=chat.CHAT_HISTORY)
    viewer, new = _viewer_id(request)
    context = {
        "state": state,
        "history": history,
        "likes": likes,
        "initial": {**state.message(), "now": int(now.timestamp() * 1000), "likes": likes},
        "ticket": await _ticket(request, principal, session, viewer, moderator=moderator),
        "ws_url": ws_url(request),
        "heartbeat": services.settings.live_heartbeat_seconds,
    }
    return context, viewer if new else None


def _render_room(
    request: Request,
    template: str,
    context: dict[str, Any],
    new_viewer: str | None,
    *,
    status: int = 200,
) -> Response:
    return _keep_viewer(request, render(request, template, context, status=status), new_viewer)


def _keep_viewer(request: Request, response: Response, new_viewer: str | None) -> Response:
    if new_viewer is not None:
        response.set_cookie(
            VIEWER_COOKIE,
            new_viewer,
            max_age=365 * 24 * 3600,
            path="/",
            httponly=True,
            secure=live_kit(request).settings.secure_cookies,
            samesite="lax",
        )
    return response


@router.get("/live/{session}")
async def room(
    request: Request,
    session: PathId,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    settings = live_kit(request).settings
    plan = await live.access_watchable_plan(db, session)
    names = await display_names(db, {plan.official_id})
    account = principal.account
    muted = (await chat.mutes_of(db, session)).get(account.id) if account else None
    controls = account is not None and await live.may_control(db, account, plan)
    context, new_viewer = await _socket_context(request, db, principal, session, moderator=controls)
    context |= {
        "plan": plan,
        "host": names.get(plan.official_id, ""),
        "muted": muted,
        "controls": controls,
        "video_url": settings.video_url.rstrip("/"),
        "max_chars": settings.live_chat_max_chars,
        "reason_labels": {r.value: gettext_(text) for r, text in HIDE_REASON_LABELS.items()},
    }
    return _render_room(request, "live/room.html", context, new_viewer)


@router.get("/live/{session}/ticket")
async def ticket(
    request: Request,
    session: PathId,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """A fresh ticket for whoever is signed in now (``account`` null: an anonymous viewer's),
    which the room and control pages fetch each time they reconnect."""
    plan = await live.access_watchable_plan(db, session)
    account = principal.account
    moderator = account is not None and await live.may_control(db, account, plan)
    viewer, new = _viewer_id(request)
    token = await _ticket(request, principal, session, viewer, moderator=moderator)
    body = {"ticket": token, "account": account.id if account else None}
    response = JSONResponse(body, headers={"Cache-Control": "no-store"})
    return _keep_viewer(request, response, viewer if new else None)


@router.get("/live/{session}/buy")
async def buy_sheet(
    request: Request,
    session: PathId,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """The buy sheet's form, fetched when a viewer first opens it (the county list is long)."""
    await live.access_watchable_plan(db, session)
    return render(
        request,
        "live/_buy.html",
        {
            "session": session,
            "methods": live_kit(request).sales.payment_methods(),
        },
    )


async def _control(
    request: Request, db: AsyncSession, principal: Principal, session: str, **extra: Any
) -> Response:
    today = live_kit(request).clock.now().date()
    plan = await live.access_controlled_plan(db, principal.require(), session)
    sales = live_kit(request).sales
    mutes = await chat.mutes_of(db, session)
    context, new_viewer = await _socket_context(request, db, principal, session, moderator=True)
    context |= {
        "plan": plan,
        "products": await live.session_products(db, session, sales, on=today),
        "mutes": mutes,
        "names": await display_names(db, set(mutes)),
        "log": await chat.moderation_log(db, session=session, limit=50),
        "reasons": HIDE_REASON_LABELS,
        "errors": {},
        **extra,
    }
    status = 400 if extra.get("error") else 200
    return _render_room(request, "live/control.html", context, new_viewer, status=status)


@router.get("/live/{session}/control")
async def control(
    request: Request,
    session: PathId,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    return await _control(request, db, principal, session)


@router.get("/live/{session}/control/products")
async def control_products(
    request: Request,
    session: PathId,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """The products table alone, refreshed every few seconds by htmx."""
    await live.access_controlled_plan(db, principal.require(), session)
    services = live_kit(request)
    today = services.clock.now().date()
    products = await live.session_products(db, session, services.sales, on=today)
    return render(request, "live/_products.html", {"products": products, "session": session})


@router.post("/live/{session}/control")
async def control_act(
    request: Request,
    session: PathId,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """One form for the team's actions: ``action`` is pin, unpin, offer, hide, mute or unmute."""
    services = live_kit(request)
    actor = principal.require()
    fields = await form_fields(request)
    action = fields.get("action", "")
    now = services.clock.now()
    try:
        message: dict[str, Any] = {"t": "refresh"}
        if action in ("pin", "offer", "unpin"):
            minutes = fields.get("minutes", "").strip()
            offer = (int(minutes) if minutes.isdigit() else 0) if action == "offer" else None
            product = None if action == "unpin" else fields.get("product_id") or None
            await live.do_pin(db, actor, session, product, offer_minutes=offer, now=now)
        elif action in ("hide", "mute"):
            reason = _reason(fields.get("reason", ""))
            note = fields.get("note", "").strip()[:200]
            if action == "hide":
                message = await chat.do_hide(
                    db, actor, session, fields.get("message_id", "")[:64], reason, note, now=now
                )
            else:
                account = fields.get("account_id", "")[:40]
                message = await chat.do_mute(db, actor, session, account, reason, note, now=now)
        elif action == "unmute":
            account = fields.get("account_id", "")[:40]
            message = await chat.do_unmute(db, actor, session, account, now=now)
        else:
            raise InvalidInput(N_("That action is not one this page knows."))
    except SunlitError as exc:
        await undo(db, principal.account)
        error = translate(exc.message, exc.params)
        fields_errors = {k: translate(v, exc.params) for k, v in exc.fields.items()}
        return await _control(request, db, principal, session, error=error, errors=fields_errors)
    await db.commit()
    await services.live.announce(session, message)
    return redirect(f"/live/{session}/control")


def _reason(value: str) -> HideReason:
    try:
        return HideReason(value)
    except ValueError:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"reason": N_("Choose why: only abuse is a reason to hide or mute.")},
        ) from None


@router.get("/supervisor/moderation")
async def moderation(
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    rows = await chat.moderation_log(db, limit=200)
    actors = {r.actor for r in rows if r.actor} | {
        str(r.data.get("account") or r.data.get("author") or "") for r in rows
    }
    sessions = {r.session for r in rows if r.session}
    titles = await filing.plan_titles(db, sessions)
    return render(
        request,
        "live/moderation.html",
        {
            "rows": rows,
            "titles": titles,
            "names": await display_names(db, {a for a in actors if a}),
            "reasons": HIDE_REASON_LABELS,
        },
    )
