"""The event log as JSON Lines, for supervisors and operators (``spec/events.md``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from sunlit.accounts.model import Role
from sunlit.core.eventlog import read_events
from sunlit.web.access import Principal, allow
from sunlit.web.deps import get_services

router = APIRouter(prefix="/api/v1", tags=["events"])


@router.get("/events", response_class=StreamingResponse)
async def export_events(
    request: Request,
    since: datetime | None = Query(None, description="RFC 3339; events at or after this time"),
    principal: Principal = allow(Role.SUPERVISOR, Role.OPERATOR),
) -> StreamingResponse:
    services = get_services(request)

    async def lines() -> AsyncIterator[bytes]:
        async with services.db.sessions() as db:
            async for item in read_events(db, since=since):
                yield item.to_json_line(services.zone)

    return StreamingResponse(lines(), media_type="application/x-ndjson")
