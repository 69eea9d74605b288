"""The callbacks nginx-rtmp makes on every publish (``on_publish``) and when it stops
(``on_publish_done``). 2xx lets a stream through, anything else refuses it; an accepted stream
is named after its plan id; the secret travels in the query string (``?key=…``), which
nginx-rtmp passes to the gate and leaves out of the public HLS address.

Only nginx-rtmp may call: from an address in ``SUNLIT_STREAM_CALLBACK_HOSTS``, and with the shared
callback secret (``SUNLIT_STREAM_CALLBACK_SECRET``) in the URL's query string (``?cb=…``), which
``sunlit stream nginx-config`` writes into the callback URLs."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.filing import gate
from sunlit.filing.ingest import from_ingest
from sunlit.web.deps import get_db, get_services
from sunlit.web.forms import form_fields

router = APIRouter(prefix="/stream", tags=["stream gate"], include_in_schema=False)


@router.post("/on_publish")
async def on_publish(
    request: Request,
    principal: Principal = allow("public", csrf=False),
    db: AsyncSession = Depends(get_db),
) -> Response:
    if not from_ingest(request):
        return PlainTextResponse("not the ingest server", status_code=403)
    services = get_services(request)
    fields = await form_fields(request)
    answer = await gate.do_publish(
        db,
        fields.get("name", "")[:200],
        fields.get("key", "")[:200],
        secret=services.settings.secret_key,
        now=services.clock.now(),
        grace=timedelta(minutes=services.settings.stream_grace_minutes),
    )
    await db.commit()
    if not answer.allowed:
        return PlainTextResponse(answer.reason, status_code=403)
    return PlainTextResponse("go live")


@router.post("/on_publish_done")
async def on_publish_done(
    request: Request,
    principal: Principal = allow("public", csrf=False),
    db: AsyncSession = Depends(get_db),
) -> Response:
    if not from_ingest(request):
        return PlainTextResponse("not the ingest server", status_code=403)
    fields = await form_fields(request)
    ended = await gate.do_publish_done(
        db, fields.get("name", "")[:200], now=get_services(request).clock.now()
    )
    await db.commit()
    return PlainTextResponse("ended" if ended else "nothing live under that name")
