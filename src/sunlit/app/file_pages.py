"""Serving stored files (product photos, quality documents) by their SHA-256."""

from __future__ import annotations

from fastapi import APIRouter, Path
from fastapi.responses import Response

from sunlit.accounts.work import Work, unit
from sunlit.core.errors import N_, NotFound
from sunlit.core.files import store
from sunlit.web.deps import Kit

router = APIRouter(tags=["files"])


@router.get("/files/{sha256}", response_class=Response)
async def stored_file(
    sha256: str = Path(pattern=r"^[0-9a-f]{64}$"), work: Work[Kit] = unit("public")
) -> Response:
    """A photo or quality document. Public: quality documents are for social supervision."""
    found = await store.stored_file(work.db, work.services.files, sha256)
    if found is None:
        raise NotFound(N_("No such file."))
    content_type, data = found
    return Response(
        data,
        media_type=content_type,
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline",
            # Whatever a file holds beyond its checked first bytes, it runs nothing here.
            "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'",
        },
    )
