"""JSON API of public disclosure (``/api/v1``): open to everyone."""

from __future__ import annotations

from fastapi import APIRouter

from sunlit.accounts.work import Work, unit
from sunlit.disclosure import views
from sunlit.disclosure.schemas import DisclosureOut
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["disclosure"])


@router.get("/sessions/{session_id}/disclosure", response_model=DisclosureOut)
async def disclosure(session_id: PathId, work: Work[Kit] = unit("public")) -> DisclosureOut:
    """What everyone may see of a session from its approval: host, window, purpose, products
    with their producers, quality documents and reference bands, partners, the boundary rules'
    results and who approved it. 404 until the plan is approved."""
    found = await views.session_disclosure(work.db, session_id, today=work.now.date())
    return DisclosureOut.of(found)
