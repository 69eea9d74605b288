"""The public session page (``/sessions/{id}``), phone first, zh and en."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.work import Work, unit
from sunlit.disclosure import views
from sunlit.disclosure.claims import views as claims
from sunlit.web.deps import Kit, PathId
from sunlit.web.rendering import render

router = APIRouter(tags=["disclosure"])


@router.get("/sessions/{session_id}")
async def session_page(session_id: PathId, work: Work[Kit] = unit("public")) -> Response:
    found = await views.session_disclosure(work.db, session_id, today=work.now.date())
    shown = await claims.session_claims(work.db, session_id)
    context = {"s": found, "claims": shown, "claims_tolerance": claims.TOLERANCE}
    return render(work.request, "disclosure/session.html", context)
