"""The host's practice room page (issue 21, item 2): where to stream, the key, and the video
playing back privately, with the hosts' guide beside it."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.work import Work, unit
from sunlit.filing import practice
from sunlit.filing.model import HOST_ROLES
from sunlit.web.deps import Kit
from sunlit.web.forms import form_fields, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
HOST = unit(*HOST_ROLES)


@router.get("/practice")
async def practice_page(work: Work[Kit] = HOST) -> Response:
    settings = work.services.settings
    room = await practice.room_of(work.db, work.actor.id)
    query = work.request.query_params
    return render(
        work.request,
        "filing/practice.html",
        {
            "room": room,
            "stream_key": practice.practice_key(settings.secret_key, room) if room else None,
            "rtmp_url": practice.practice_url(settings.stream_rtmp_url),
            "video": f"{settings.video_url.rstrip('/')}/hls/{practice.APPLICATION}/{room.id}.m3u8"
            if room
            else None,
            "show_key": query.get("show") == "key",
            "renewed": query.get("renewed") == "1",
            "setup_url": "/practice",
        },
    )


@router.post("/practice")
async def open_practice(work: Work[Kit] = HOST) -> Response:
    """Open the practice room, or (``new_key=yes``) make a new key, the old one stopping."""
    fields = await form_fields(work.request)
    renew = fields.get("new_key") == "yes"
    await practice.do_open_room(work.db, work.actor, now=work.now, new_key=renew)
    await work.commit()
    return redirect("/practice?show=key&renewed=1#stream" if renew else "/practice#stream")
