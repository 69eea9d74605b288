"""JSON API of the live room (``/api/v1/live``): its state, pins and timed offers, hiding a
message and muting an account (the official's team), the moderation log (supervisors), and
nginx-rtmp's callback when a recording is done."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.accounts.services import aware
from sunlit.core.clock import to_rfc3339
from sunlit.core.ids import ID_PATTERN
from sunlit.core.text import CleanText
from sunlit.filing.ingest import from_ingest
from sunlit.live import chat
from sunlit.live import services as live
from sunlit.live.deps import live_kit
from sunlit.live.model import HideReason
from sunlit.web.deps import PathId, get_db
from sunlit.web.forms import form_fields

router = APIRouter(prefix="/api/v1/live", tags=["live rooms"])
ingest = APIRouter(prefix="/stream", tags=["stream gate"], include_in_schema=False)


async def state_of(request: Request, db: AsyncSession, session: str) -> dict[str, Any]:
    services = live_kit(request)
    now = services.clock.now()
    plan = await live.access_watchable_plan(db, session)
    state = await live.room_state(db, plan.id, services.sales, now=now, on=now.date())
    figures = services.live.room_figures(session) or {}
    return {
        **state.message(),
        "t": "state",
        "session": session,
        "title": plan.title,
        "recording": state.recording,
        "viewers": figures.get("viewers"),
        "signed_in": figures.get("signed_in"),
    }


@router.get("/{session}")
async def room(
    session: PathId,
    request: Request,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> dict[str, Any]:
    """A room's status, pinned product (stock, price, reference band), timed offer and counts
    (viewers as this process last counted them, or null when it serves no one there)."""
    return await state_of(request, db, session)


class PinIn(BaseModel):
    product_id: str | None = Field(None, pattern=ID_PATTERN)
    offer_minutes: int | None = Field(None, ge=1, le=live.MAX_OFFER_MINUTES)


@router.put("/{session}/pin")
async def pin(
    session: PathId,
    body: PinIn,
    request: Request,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> dict[str, Any]:
    """Present a product (null takes it down); ``offer_minutes`` makes it a timed offer."""
    services = live_kit(request)
    await live.do_pin(
        db,
        principal.require(),
        session,
        body.product_id,
        offer_minutes=body.offer_minutes,
        now=services.clock.now(),
    )
    await db.commit()
    await services.live.announce(session, {"t": "refresh"})
    return await state_of(request, db, session)


@router.get("/{session}/products")
async def products(
    session: PathId,
    request: Request,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> list[dict[str, Any]]:
    """The session's products with live stock and units sold in this session (for the team)."""
    await live.access_controlled_plan(db, principal.require(), session)
    services = live_kit(request)
    return await live.session_products(db, session, services.sales, on=services.clock.now().date())


class ModerationIn(BaseModel):
    reason: HideReason
    note: CleanText = Field("", max_length=200)


@router.post("/{session}/messages/{message_id}/hide")
async def hide(
    session: PathId,
    message_id: str,
    body: ModerationIn,
    request: Request,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> dict[str, str]:
    """Hide a chat message for abuse (one of the reasons; never for being unfavourable)."""
    services = live_kit(request)
    message = await chat.do_hide(
        db,
        principal.require(),
        session,
        message_id[:64],
        body.reason,
        body.note,
        now=services.clock.now(),
    )
    await db.commit()
    await services.live.announce(session, message)
    return {"hidden": message_id}


@router.put("/{session}/mutes/{account_id}")
async def mute(
    session: PathId,
    account_id: PathId,
    body: ModerationIn,
    request: Request,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> dict[str, str]:
    services = live_kit(request)
    message = await chat.do_mute(
        db,
        principal.require(),
        session,
        account_id,
        body.reason,
        body.note,
        now=services.clock.now(),
    )
    await db.commit()
    await services.live.announce(session, message)
    return {"muted": account_id}


@router.delete("/{session}/mutes/{account_id}")
async def unmute(
    session: PathId,
    account_id: PathId,
    request: Request,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> dict[str, str]:
    services = live_kit(request)
    message = await chat.do_unmute(
        db, principal.require(), session, account_id, now=services.clock.now()
    )
    await db.commit()
    await services.live.announce(session, message)
    return {"unmuted": account_id}


@router.get("/moderation/log")
async def moderation(
    request: Request,
    session: str | None = None,
    principal: Principal = allow(Role.SUPERVISOR, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> list[dict[str, Any]]:
    """Every hide and mute in every room (or one session's), newest first."""
    zone = live_kit(request).zone
    rows = await chat.moderation_log(db, session=session[:64] if session else None)
    return [
        {"id": r.id, "type": r.type, "ts": to_rfc3339(aware(r.ts), zone), "session": r.session}
        | {"actor": r.actor, "data": r.data}
        for r in rows
    ]


@ingest.post("/on_record_done")
async def on_record_done(
    request: Request,
    principal: Principal = allow("public", csrf=False),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """nginx-rtmp closed a recording; ``exec_record_done`` converts it to ``<name>.mp4``."""
    if not from_ingest(request):
        return PlainTextResponse("not the ingest server", status_code=403)
    fields = await form_fields(request)
    name = fields.get("name", "")[:40]
    stem = PurePosixPath(fields.get("path", "")).stem[:150]
    if not stem.startswith(f"{name}-") or not name:
        return PlainTextResponse("not a recording of a session", status_code=400)
    stored = await live.set_recording(db, name, f"{stem}.mp4")
    await db.commit()
    return PlainTextResponse("kept" if stored else "no such session")
