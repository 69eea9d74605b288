"""The event log as JSON Lines, for supervisors and operators (``docs/events.md``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.core.errors import N_, InvalidInput
from sunlit.core.eventlog import read_events
from sunlit.web.deps import Kit

router = APIRouter(prefix="/api/v1", tags=["events"])


@router.get("/events", response_class=StreamingResponse)
async def export_events(
    since: AwareDatetime | None = Query(
        None, description="RFC 3339 with an offset; events at or after this time"
    ),
    work: Work[Kit] = unit(Role.SUPERVISOR, Role.OPERATOR),
) -> StreamingResponse:
    services = work.services
    try:  # checked before the answer starts, so a bad time is a 422, not a cut stream
        since = since.astimezone(UTC) if since is not None else None
    except OverflowError:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"since": N_("This time is out of range.")},
        ) from None

    # The lines are read after this answer has begun, and the request's session closed: they
    # read through a session of their own.
    async def lines() -> AsyncIterator[bytes]:
        async with services.db.sessions() as db:
            async for item in read_events(db, since=since):
                yield item.to_json_line(services.zone)

    return StreamingResponse(lines(), media_type="application/x-ndjson")
