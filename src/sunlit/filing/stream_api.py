"""The callbacks nginx-rtmp makes on every publish (``on_publish``) and when it stops
(``on_publish_done``). 2xx lets a stream through, anything else refuses it; an accepted stream
is named after its plan id; the secret travels in the query string (``?key=…``), which
nginx-rtmp passes to the gate and leaves out of the public HLS address.

Only nginx-rtmp may call: from an address in ``SUNLIT_STREAM_CALLBACK_HOSTS``, and with the shared
callback secret (``SUNLIT_STREAM_CALLBACK_SECRET``) in the URL's query string (``?cb=…``), which
``sunlit stream nginx-config`` writes into the callback URLs."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response

from sunlit.accounts.work import Work, unit
from sunlit.filing import gate, practice
from sunlit.filing.ingest import from_ingest
from sunlit.web.deps import Kit
from sunlit.web.forms import form_fields

router = APIRouter(prefix="/stream", tags=["stream gate"], include_in_schema=False)
NGINX = unit("public", csrf=False)


async def _callback(work: Work[Kit]) -> tuple[str, dict[str, str]] | None:
    """The stream's name and the fields nginx-rtmp sent, if the call came from the ingest
    server (None otherwise)."""
    if not from_ingest(work.request):
        return None
    fields = await form_fields(work.request)
    return fields.get("name", "")[:200], fields


def _not_ingest() -> Response:
    return PlainTextResponse("not the ingest server", status_code=403)


@router.post("/on_publish")
async def on_publish(work: Work[Kit] = NGINX) -> Response:
    call = await _callback(work)
    if call is None:
        return _not_ingest()
    name, fields = call
    settings = work.services.settings
    answer = await gate.do_publish(
        work.db,
        name,
        fields.get("key", "")[:200],
        secret=settings.secret_key,
        now=work.now,
        grace=timedelta(minutes=settings.stream_grace_minutes),
    )
    await work.commit()
    if not answer.allowed:
        return PlainTextResponse(answer.reason, status_code=403)
    return PlainTextResponse("go live")


@router.post("/on_practice")
async def on_practice(work: Work[Kit] = NGINX) -> Response:
    """nginx-rtmp's ``practice`` application asks: a host's own practice room, with its key."""
    call = await _callback(work)
    if call is None:
        return _not_ingest()
    name, fields = call
    answer = await practice.do_practice_publish(
        work.db,
        name,
        fields.get("key", "")[:200],
        secret=work.services.settings.secret_key,
        now=work.now,
    )
    await work.commit()
    if not answer.allowed:
        return PlainTextResponse(answer.reason, status_code=403)
    return PlainTextResponse("practise")


@router.post("/on_publish_done")
async def on_publish_done(work: Work[Kit] = NGINX) -> Response:
    call = await _callback(work)
    if call is None:
        return _not_ingest()
    ended = await gate.do_publish_done(work.db, call[0], now=work.now)
    await work.commit()
    return PlainTextResponse("ended" if ended else "nothing live under that name")
