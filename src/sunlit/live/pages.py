"""Live-room pages: the room (phone first: video, shelf, chat, buying in a sheet), the control
page of the official's team, and the supervisors' moderation log. The room's moving parts come
over the WebSocket server (``live.server``); every action also works as a plain form."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from sunlit.accounts.model import Role
from sunlit.accounts.services import aware, display_names, find_account
from sunlit.accounts.work import Work, unit
from sunlit.core.errors import SunlitError
from sunlit.core.i18n import gettext_, translate
from sunlit.filing import services as filing
from sunlit.filing.model import Plan, PlanStatus
from sunlit.live import chat
from sunlit.live import services as live
from sunlit.live.admission import keep_viewer, render_room, socket_context, ticket, viewer_id
from sunlit.live.deps import LiveKit, live_kit
from sunlit.live.forms import ControlAction
from sunlit.live.model import HIDE_REASON_LABELS
from sunlit.web.deps import PathId, undo
from sunlit.web.forms import form_fields, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

#: How long after a session's window its recording may still be on its way (nginx-rtmp closes
#: the file and ffmpeg converts it); after that, an ended room without one says none was kept.
RECORDING_WAIT = timedelta(hours=1)

public = unit("public", kit=live_kit)
signed_in = unit("signed_in", kit=live_kit)


async def _watchable(work: Work[LiveKit], session: str) -> tuple[Plan, bool]:
    """The watchable session's plan, and whether whoever asks is on its team."""
    plan = await live.access_watchable_plan(work.db, session)
    account = work.principal.account
    return plan, account is not None and await live.may_control(work.db, account, plan)


@router.get("/live/{session}")
async def room(session: PathId, work: Work[LiveKit] = public) -> Response:
    settings = work.services.settings
    plan, controls = await _watchable(work, session)
    host = await find_account(work.db, plan.official_id)
    account = work.principal.account
    muted = (await chat.mutes_of(work.db, session)).get(account.id) if account else None
    context, new_viewer = await socket_context(work, session, moderator=controls)
    state = context["state"]
    shelf = await live.session_products(work.db, session, work.services.sales, on=work.now.date())
    pinned = state.pin.product if state.live else None
    context |= {
        "plan": plan,
        # the pinned one first; ``order`` is the plan's, for the script to put it back
        "shelf": sorted(
            ({**p, "order": i} for i, p in enumerate(shelf)), key=lambda p: p["id"] != pinned
        ),
        "pinned": pinned,
        # the host as the public record names it: the person, and the office or cooperative
        "host": " · ".join(filter(None, (host.display_name, host.org))) if host else "",
        # ended an hour past its window with no recording: none is coming, so the page says so
        "recording_missing": state.status == PlanStatus.ENDED.value
        and not state.recording
        and work.now > aware(plan.ends_at) + RECORDING_WAIT,
        "muted": muted,
        "controls": controls,
        "video_url": settings.video_url.rstrip("/"),
        "max_chars": settings.live_chat_max_chars,
        "reason_labels": {r.value: gettext_(text) for r, text in HIDE_REASON_LABELS.items()},
    }
    return render_room(work, "live/room.html", context, new_viewer)


@router.get("/live/{session}/ticket")
async def room_ticket(session: PathId, work: Work[LiveKit] = public) -> Response:
    """A fresh ticket for whoever is signed in now (``account`` null: an anonymous viewer's),
    which the room and control pages fetch each time they reconnect."""
    _, moderator = await _watchable(work, session)
    viewer, new = viewer_id(work.request)
    token = await ticket(work, session, viewer, moderator=moderator)
    account = work.principal.account
    # The server's clock too: a kept room page's own time may be seconds old.
    now_ms = int(work.now.timestamp() * 1000)
    body = {"ticket": token, "account": account.id if account else None, "now": now_ms}
    response = JSONResponse(body, headers={"Cache-Control": "no-store"})
    return keep_viewer(work, response, viewer if new else None)


@router.get("/live/{session}/buy")
async def buy_sheet(session: PathId, work: Work[LiveKit] = signed_in) -> Response:
    """The buy sheet's form, fetched when a viewer first opens it: the buyer's default address
    filled in, and the county picker of checkout."""
    await live.access_watchable_plan(work.db, session)
    sales = work.services.sales
    methods = sales.payment_methods(work.actor.role, work.actor.org)
    delivery = await sales.delivery_form(work.db, work.actor.id)
    context = {"session": session, "methods": methods, "errors": {}, **delivery}
    return render(work.request, "live/_buy.html", context)


async def _control(work: Work[LiveKit], session: str, **extra: Any) -> Response:
    db = work.db
    plan = await live.access_controlled_plan(db, work.actor, session)
    mutes = await chat.mutes_of(db, session)
    context, new_viewer = await socket_context(work, session, moderator=True)
    context |= {
        "plan": plan,
        "products": await live.session_products(
            db, session, work.services.sales, on=work.now.date()
        ),
        "mutes": mutes,
        "names": await display_names(db, set(mutes)),
        "log": await chat.moderation_log(db, session=session, limit=50),
        "reasons": HIDE_REASON_LABELS,
        "errors": {},
        **extra,
    }
    status = 400 if extra.get("error") else 200
    return render_room(work, "live/control.html", context, new_viewer, status=status)


@router.get("/live/{session}/control")
async def control(session: PathId, work: Work[LiveKit] = signed_in) -> Response:
    return await _control(work, session)


@router.get("/live/{session}/control/products")
async def control_products(session: PathId, work: Work[LiveKit] = signed_in) -> Response:
    """The products table alone, refreshed every few seconds by htmx."""
    await live.access_controlled_plan(work.db, work.actor, session)
    sales = work.services.sales
    products = await live.session_products(work.db, session, sales, on=work.now.date())
    return render(work.request, "live/_products.html", {"products": products, "session": session})


@router.post("/live/{session}/control")
async def control_act(session: PathId, work: Work[LiveKit] = signed_in) -> Response:
    """One form for the team's actions: ``action`` is pin, unpin, offer, hide, mute or unmute."""
    actor = work.actor
    fields = await form_fields(work.request)
    try:
        message = await ControlAction.of(fields).run(work.db, actor, session, now=work.now)
    except SunlitError as exc:
        await undo(work.db, work.principal.account)
        error = translate(exc.message, exc.params)
        fields_errors = {k: translate(v, exc.params) for k, v in exc.fields.items()}
        return await _control(work, session, error=error, errors=fields_errors)
    await work.commit(lambda: work.services.live.announce(session, message))
    return redirect(f"/live/{session}/control")


@router.get("/supervisor/moderation")
async def moderation(
    work: Work[LiveKit] = unit(Role.SUPERVISOR, Role.OPERATOR, kit=live_kit),
) -> Response:
    db = work.db
    rows = await chat.moderation_log(db, limit=200, reviews=True)
    actors = {r.actor for r in rows if r.actor} | {
        str(r.data.get("account") or r.data.get("author") or "") for r in rows
    }
    titles = await filing.plan_titles(db, {r.session for r in rows if r.session})
    return render(
        work.request,
        "live/moderation.html",
        {
            "rows": rows,
            "titles": titles,
            "names": await display_names(db, {a for a in actors if a}),
            "reasons": HIDE_REASON_LABELS,
        },
    )
