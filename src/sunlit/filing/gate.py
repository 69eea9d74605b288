"""The stream gate: nginx-rtmp asks, on every publish, whether a stream key belongs to an
approved plan inside its window. Pure checks first, then the use cases that record the answer."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.services import aware
from sunlit.core.eventlog import Event, EventType, append
from sunlit.filing.model import PlanStatus
from sunlit.filing.services import stream_secret
from sunlit.filing.tables import SessionPlanRow


@dataclass(frozen=True, slots=True)
class GateAnswer:
    allowed: bool
    reason: str  # for the event log and nginx's error log
    plan_id: str | None = None


def judge(
    plan: SessionPlanRow | None, key: str, *, secret: str, now: datetime, grace: timedelta
) -> GateAnswer:
    """Whether the stream named after ``plan`` may publish now with the secret ``key``. Pure:
    the plan is looked up by the caller."""
    if plan is None:
        return GateAnswer(False, "unknown key")
    if plan.stream_nonce is None:
        return GateAnswer(False, "plan not approved", plan.id)
    expected = stream_secret(secret, plan.id, plan.stream_nonce)
    if not hmac.compare_digest(expected.encode(), key.encode("utf-8", "replace")):
        return GateAnswer(False, "wrong key", plan.id)
    if plan.status not in (PlanStatus.APPROVED.value, PlanStatus.LIVE.value):
        return GateAnswer(False, f"plan is {plan.status}", plan.id)
    if not aware(plan.starts_at) - grace <= now <= aware(plan.ends_at) + grace:
        return GateAnswer(False, "outside the approved window", plan.id)
    return GateAnswer(True, "approved plan inside its window", plan.id)


async def do_publish(
    db: AsyncSession, name: str, key: str, *, secret: str, now: datetime, grace: timedelta
) -> GateAnswer:
    """``name`` is the stream's name (the plan id), ``key`` the secret from its query string."""
    plan = await db.get(SessionPlanRow, name) if 0 < len(name) <= 40 else None
    answer = judge(plan, key, secret=secret, now=now, grace=grace)
    if answer.allowed and plan is not None:
        if plan.status == PlanStatus.APPROVED:
            plan.status = PlanStatus.LIVE
            append(
                db,
                Event(
                    type=EventType.SESSION_STARTED,
                    ts=now,
                    actor=plan.official_id,
                    session=plan.id,
                    data={},
                ),
            )
    else:
        # Refusals matter for oversight: someone tried to go live without a valid filing.
        # The key itself is never recorded.
        append(
            db,
            Event(
                type=EventType.STREAM_REFUSED,
                ts=now,
                actor=None,
                session=answer.plan_id,
                data={"reason": answer.reason},
            ),
        )
    return answer


async def do_publish_done(db: AsyncSession, name: str, *, now: datetime) -> bool:
    """The stream named after a plan stopped."""
    plan = await db.get(SessionPlanRow, name) if 0 < len(name) <= 40 else None
    if plan is None or plan.status != PlanStatus.LIVE:
        return False
    plan.status = PlanStatus.ENDED
    append(
        db,
        Event(
            type=EventType.SESSION_ENDED, ts=now, actor=plan.official_id, session=plan.id, data={}
        ),
    )
    return True
