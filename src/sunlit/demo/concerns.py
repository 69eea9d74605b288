"""The demo's answered concern (issue 16): a buyer tells of a purchase quota pushed onto staff
for the demo session; the host official's office answers in time with a correction (整改); a
supervisor accepts it and publishes a summary without personal details; the buyer rates the
answer. Every step at its own past time, through the concern services. Idempotent: a session
with a concern is left as it is."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.accounts.services import account_named
from sunlit.demo.session import DemoSession
from sunlit.disclosure.concerns import services as concerns
from sunlit.disclosure.concerns.model import AnswerKind, Category, Step, Subject
from sunlit.disclosure.concerns.views import session_concerns
from sunlit.filing import views as filing
from sunlit.web.deps import Kit

RAISED = "单位工会在职工群里要求每人至少认购两箱砀山酥梨，并截图晒单，说是助农任务。"
ANSWER = (
    "经核实，县供销社工会曾在职工群发布认购倡议并规定数量，属于变相摊派。已责令撤回倡议，"
    "对已认购职工开放无理由退款，并在全县机关通报：助农购买一律自愿。"
)
NOTE = "整改措施具体，退款渠道已开放，予以认可。"
SUMMARY = "有群众反映某单位工会要求职工按数量认购直播商品。主播干部所在单位已责令撤回并开放退款。"


async def _account(db: AsyncSession, username: str) -> Actor:
    row = await account_named(db, username)
    if row is None:
        raise LookupError(f"demo account {username} is missing")
    return row


async def load_demo_concern(
    db: AsyncSession, kit: Kit, session: DemoSession, *, now: datetime
) -> bool:
    """Raise, answer, accept, publish and rate the demo concern; False if it was there."""
    if (await session_concerns(db, session.session, now=now)).concerns:
        return False
    plan = await filing.find_plan(db, session.session)
    if plan is None:
        raise LookupError(f"demo session {session.session} is missing")
    buyer, official = await _account(db, "buyer3"), await _account(db, "official.dangshan")
    supervisor = await _account(db, "supervisor2")
    raised_at = plan.ends_at + timedelta(hours=20)
    row = await concerns.do_raise(
        db,
        kit,
        actor=buyer,
        subject=Subject.SESSION,
        ref=session.session,
        category=Category.FORCED_PURCHASE,
        text=RAISED,
        anonymous=True,
        photos=[],
        ip="127.0.0.1",
        now=raised_at,
    )
    await db.flush()
    await concerns.do_answer(
        db,
        official,
        row.id,
        kind=AnswerKind.CORRECTION,
        text=ANSWER,
        now=raised_at + timedelta(days=2, hours=3),
    )
    await db.flush()
    judged = raised_at + timedelta(days=3)
    await concerns.do_judge(db, kit, supervisor, row.id, step=Step.ACCEPT, note=NOTE, now=judged)
    await concerns.do_publish(db, supervisor, row.id, summary=SUMMARY, now=judged)
    await db.flush()
    await concerns.do_rate(db, buyer, row.id, stars=4, now=judged + timedelta(days=1))
    await db.flush()
    return True
