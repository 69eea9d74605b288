"""Claims read back from the event log (each ``claim.published`` event of the session is a
claim: nothing else is stored), beside the session's verified figures from integrity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts import services as accounts
from sunlit.core.eventlog import EventType
from sunlit.core.eventlog.model import Event
from sunlit.core.eventlog.services import session_events
from sunlit.disclosure.claims.model import FIGURES, FigureGap, PublicClaim, link_of
from sunlit.integrity import views as integrity
from sunlit.integrity.detectors import hype
from sunlit.integrity.detectors.hype import claim_gaps, gap

#: The hype_gap rule's tolerance: a figure this far above the verified one is flagged.
TOLERANCE = hype.TOLERANCE


def figure_gaps(
    announced: Mapping[str, Any], verified: Mapping[str, Any] | None
) -> tuple[FigureGap, ...]:
    """Each announced figure beside the verified one, with the gap and whether the
    ``hype_gap`` rule would name it (its own computation and tolerance)."""
    over = claim_gaps(announced, verified or {}, TOLERANCE) if verified is not None else {}
    out = []
    for name in FIGURES:
        said = announced.get(name)
        if not isinstance(said, int) or isinstance(said, bool):
            continue
        truth = verified.get(name) if verified is not None else None
        truth = truth if isinstance(truth, int) and not isinstance(truth, bool) else None
        out.append(
            FigureGap(name, said, truth, gap(said, truth) if truth is not None else None,
                      name in over)
        )  # fmt: skip
    return tuple(out)


def public_claim(event: Event, verified: Mapping[str, Any] | None, by: str | None) -> PublicClaim:
    source = str(event.data.get("source") or "")
    figures = figure_gaps(event.data, verified)
    return PublicClaim(
        id=event.id,
        source=source,
        link=link_of(source),
        published_at=event.ts,
        by=by,
        figures=figures,
        verified=verified is not None,
        over=any(f.over for f in figures),
    )


async def session_claims(db: AsyncSession, session_id: str) -> tuple[PublicClaim, ...]:
    """The claims registered about a session, oldest first, each with the verified figure
    beside every announced one and the gap. Before the session's verified figures exist (they
    are computed when it ends) the verified side is empty."""
    events = await session_events(db, session_id, (EventType.CLAIM_PUBLISHED.value,))
    return await claims_shown(db, session_id, events)


async def claims_shown(
    db: AsyncSession, session_id: str, events: list[Event]
) -> tuple[PublicClaim, ...]:
    """``claim.published`` events of one session as the public sees them."""
    if not events:
        return ()
    verified = await integrity.own_session_figures(db, session_id)
    newsrooms: dict[str, str | None] = {}
    for actor in {e.actor for e in events if e.actor}:
        account = await accounts.find_account(db, actor)
        newsrooms[actor] = account.org if account is not None else None
    return tuple(
        public_claim(e, verified, newsrooms.get(e.actor) if e.actor else None) for e in events
    )
