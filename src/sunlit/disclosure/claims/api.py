"""JSON API of the claims register (``/api/v1``): press accounts register, everyone reads."""

from __future__ import annotations

from fastapi import APIRouter

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.disclosure.claims import services as claims
from sunlit.disclosure.claims import views
from sunlit.disclosure.claims.model import PublicClaim
from sunlit.disclosure.claims.schemas import ClaimIn
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["disclosure"])


@router.post("/sessions/{session_id}/claims", status_code=201, response_model=PublicClaim)
async def publish_claim(
    session_id: PathId, body: ClaimIn, work: Work[Kit] = unit(Role.PRESS)
) -> PublicClaim:
    """A press account registers the figures it announced about a public session (GMV in
    fen; each figure optional and ≥ 0, at least one). 403 for any other account, 404 for a
    session that is not public, 422 for a negative figure or none. Recorded as
    ``claim.published``; answered as the public page shows it."""
    event = await claims.do_publish_claim(
        work.db, work.actor, session_id, body.claim(), now=work.now
    )
    await work.commit()
    (shown,) = await views.claims_shown(work.db, session_id, [event])
    return shown


@router.get("/sessions/{session_id}/claims", response_model=list[PublicClaim])
async def session_claims(session_id: PathId, work: Work[Kit] = unit("public")) -> list[PublicClaim]:
    """The figures announced about a public session, each beside the verified one with the
    gap (``over``: above it by more than the ``hype_gap`` rule's tolerance). 404 for a session
    that is not public."""
    await claims.access_public_plan(work.db, session_id)
    return list(await views.session_claims(work.db, session_id))
