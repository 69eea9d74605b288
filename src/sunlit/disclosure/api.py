"""JSON API of public disclosure (``/api/v1``): open to everyone. The answer is the read model
itself (:class:`sunlit.disclosure.model.Disclosure`, a dataclass FastAPI serialises): every
field is listed in tests/test_disclosure.py against the page's allowlist."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter

from sunlit.accounts.work import Work, unit
from sunlit.disclosure import views
from sunlit.disclosure.claims import views as claims
from sunlit.disclosure.model import Disclosure
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["disclosure"])


@router.get("/sessions/{session_id}/disclosure", response_model=Disclosure)
async def disclosure(session_id: PathId, work: Work[Kit] = unit("public")) -> Disclosure:
    """What everyone may see of a session from its approval: host, window, purpose, products
    with their producers, quality documents and reference bands, partners, the boundary rules'
    results and who approved it; the figures the press announced, against the verified ones.
    404 until the plan is approved."""
    found = await views.session_disclosure(work.db, session_id, today=work.now.date())
    return replace(found, claims=await claims.session_claims(work.db, session_id))
