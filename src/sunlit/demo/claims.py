"""The demo's announced claim with a gap (issue 16): the county media centre reports the demo
session with sales and orders well above the verified ones and viewers within them. The
monitor's full run, as a use case in the same transaction, then opens the ``hype_gap`` case
that a supervisor finds in the queue. Idempotent: a session with a claim is left as it is."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.services import account_named
from sunlit.core.files.store import LocalFileStore
from sunlit.demo.session import DemoSession
from sunlit.disclosure.claims import services as claims
from sunlit.disclosure.claims.model import NewClaim
from sunlit.disclosure.claims.views import session_claims
from sunlit.integrity import views as integrity
from sunlit.integrity.monitor import do_final_run
from sunlit.settings import Settings

SOURCE = "砀山县融媒体中心：县长直播间里的砀山酥梨卖爆了"
PRESS = "press.dangshan"


def announced(verified: dict[str, object] | None) -> NewClaim:
    """What the media centre announced: five times the verified sales, three times the
    orders (rounded up, as headlines are), and the verified viewers as they were."""

    def whole(name: str) -> int:
        value = (verified or {}).get(name)
        return value if isinstance(value, int) else 0

    gmv = -(-max(whole("gmv"), 100_00) * 5 // 100_000) * 100_000  # fen, up to ¥1,000
    orders = -(-max(whole("orders"), 1) * 3 // 10) * 10
    return NewClaim(SOURCE, gmv=gmv, orders=orders, viewers=whole("viewers") or None)


async def load_demo_claim(
    db: AsyncSession,
    settings: Settings,
    files: LocalFileStore,
    session: DemoSession,
    *,
    now: datetime,
) -> None:
    if await session_claims(db, session.session):
        return
    press = await account_named(db, PRESS)
    if press is None:
        raise LookupError(f"demo account {PRESS} is missing")
    verified = await integrity.own_session_figures(db, session.session)
    await claims.do_publish_claim(db, press, session.session, announced(verified), now=now)
    await db.flush()
    zone = ZoneInfo(settings.timezone)
    await do_final_run(db, files, zone, session.session, now=now, until=now)
