"""The /open-data page: what Sunlit publishes, field by field in the reader's language, the
latest signed head of the public log and its key, the daily files with their SHA-256, and how
to check all of it with ``sunlit verify``. The files themselves are served from here too."""

from __future__ import annotations

import re
import zlib
from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response, StreamingResponse

from sunlit.accounts.work import Work, unit
from sunlit.core.errors import N_, NotFound
from sunlit.disclosure.opendata import views
from sunlit.disclosure.opendata.bulk import FOLDER, file_name
from sunlit.disclosure.opendata.deps import OpenKit, open_kit
from sunlit.disclosure.opendata.fields import BODIES, ENVELOPE, KINDS
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

FILE_NAME = re.compile(r"^sunlit-open-(\d{4}-\d{2}-\d{2})\.(jsonl|csv)\.gz$")


@router.get("/open-data")
async def open_data(work: Work[OpenKit] = unit("public", kit=open_kit)) -> Response:
    log = work.services.open_log
    try:
        head = await log.latest_head(work.db)
    except NotFound:
        head = None
    context = {
        "head": head.as_json() if head is not None else None,
        "signed_at": head.signed_at if head is not None else None,
        "key": views.key_json(log),
        "envelope": ENVELOPE,
        "kinds": [(str(kind), KINDS[kind], fields) for kind, fields in BODIES.items()],
        "files": await views.bulk_files(work.db),
        "base": str(work.request.base_url).rstrip("/"),
    }
    return render(work.request, "disclosure/open_data.html", context)


@router.get("/open-data/files/{name}")
async def bulk_file(name: str, work: Work[OpenKit] = unit("public", kit=open_kit)) -> Response:
    """A day's bulk file, as listed on the page."""
    match = FILE_NAME.match(name)
    listed = {file_name(f.day, f.format) for f in await views.bulk_files(work.db)}
    if match is None or name not in listed:
        raise NotFound(N_("No such file."))
    path = work.services.settings.files_dir / FOLDER / name
    return FileResponse(path, media_type="application/gzip", filename=name)


@router.get("/open-data/today.jsonl.gz")
async def today_so_far(work: Work[OpenKit] = unit("public", kit=open_kit)) -> Response:
    """The records appended today so far (UTC), compressed as they stream: today's file is
    made, with its SHA-256, once the day is over."""
    day = work.now.date()
    database = work.services.db

    async def stream() -> AsyncIterator[bytes]:
        packer = zlib.compressobj(wbits=31)  # gzip
        async with database.sessions() as db:
            async for line in views.lines_of_day(db, day):
                chunk = packer.compress(line + b"\n")
                if chunk:
                    yield chunk
        yield packer.flush()

    name = f"sunlit-open-{day.isoformat()}-so-far.jsonl.gz"
    headers = {"content-disposition": f'attachment; filename="{name}"'}
    return StreamingResponse(stream(), media_type="application/gzip", headers=headers)
