"""JSON API of the live room (``/api/v1/live``): its state, pins and timed offers, hiding a
message and muting an account (the official's team), the moderation log (supervisors), and
nginx-rtmp's callback when a recording is done."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.filing.ingest import from_ingest
from sunlit.live import chat
from sunlit.live import services as live
from sunlit.live.deps import LiveKit, live_kit
from sunlit.live.schemas import ModerationIn, PinIn, moderation_entry
from sunlit.live.views import room_message
from sunlit.web.deps import PathId
from sunlit.web.forms import form_fields

router = APIRouter(prefix="/api/v1/live", tags=["live rooms"])
ingest = APIRouter(prefix="/stream", tags=["stream gate"], include_in_schema=False)

signed_in = unit("signed_in", kit=live_kit)


async def _announce(work: Work[LiveKit], session: str, message: dict[str, Any]) -> None:
    """Store the change, then tell the room's every process of it."""
    await work.commit(lambda: work.services.live.announce(session, message))


@router.get("/{session}")
async def room(
    session: PathId, work: Work[LiveKit] = unit("public", kit=live_kit)
) -> dict[str, Any]:
    """A room's status, pinned product (stock, price, reference band), timed offer and counts
    (viewers as this process last counted them, or null when it serves no one there)."""
    return await room_message(work.db, work.services, session, now=work.now)


@router.put("/{session}/pin")
async def pin(session: PathId, body: PinIn, work: Work[LiveKit] = signed_in) -> dict[str, Any]:
    """Present a product (null takes it down); ``offer_minutes`` makes it a timed offer."""
    minutes = body.offer_minutes
    await live.do_pin(
        work.db, work.actor, session, body.product_id, offer_minutes=minutes, now=work.now
    )
    await _announce(work, session, {"t": "refresh"})
    return await room_message(work.db, work.services, session, now=work.now)


@router.get("/{session}/products")
async def products(session: PathId, work: Work[LiveKit] = signed_in) -> list[dict[str, Any]]:
    """The session's products with live stock and units sold in this session (for the team)."""
    await live.access_controlled_plan(work.db, work.actor, session)
    sales = work.services.sales
    return await live.session_products(work.db, session, sales, on=work.now.date())


@router.post("/{session}/messages/{message_id}/hide")
async def hide(
    session: PathId, message_id: PathId, body: ModerationIn, work: Work[LiveKit] = signed_in
) -> dict[str, str]:
    """Hide a chat message for abuse (one of the reasons; never for being unfavourable)."""
    message = await chat.do_hide(
        work.db, work.actor, session, message_id, body.reason, body.note, now=work.now
    )
    await _announce(work, session, message)
    return {"hidden": message_id}


@router.put("/{session}/mutes/{account_id}")
async def mute(
    session: PathId, account_id: PathId, body: ModerationIn, work: Work[LiveKit] = signed_in
) -> dict[str, str]:
    message = await chat.do_mute(
        work.db, work.actor, session, account_id, body.reason, body.note, now=work.now
    )
    await _announce(work, session, message)
    return {"muted": account_id}


@router.delete("/{session}/mutes/{account_id}")
async def unmute(
    session: PathId, account_id: PathId, work: Work[LiveKit] = signed_in
) -> dict[str, str]:
    message = await chat.do_unmute(work.db, work.actor, session, account_id, now=work.now)
    await _announce(work, session, message)
    return {"unmuted": account_id}


@router.get("/moderation/log")
async def moderation(
    session: str | None = None,
    work: Work[LiveKit] = unit(Role.SUPERVISOR, Role.OPERATOR, kit=live_kit),
) -> list[dict[str, Any]]:
    """Every hide and mute in every room (or one session's), newest first."""
    rows = await chat.moderation_log(work.db, session=session[:64] if session else None)
    return [moderation_entry(row, work.services.zone) for row in rows]


@ingest.post("/on_record_done")
async def on_record_done(
    work: Work[LiveKit] = unit("public", csrf=False, kit=live_kit),
) -> Response:
    """nginx-rtmp closed a recording; ``exec_record_done`` converts it to ``<name>.mp4``."""
    if not from_ingest(work.request):
        return PlainTextResponse("not the ingest server", status_code=403)
    fields = await form_fields(work.request)
    name = fields.get("name", "")[:40]
    stem = PurePosixPath(fields.get("path", "")).stem[:150]
    if not stem.startswith(f"{name}-") or not name:
        return PlainTextResponse("not a recording of a session", status_code=400)
    stored = await live.set_recording(work.db, name, f"{stem}.mp4")
    await work.commit()
    return PlainTextResponse("kept" if stored else "no such session")
