"""What pages and the API show of concerns: the public summary (never the author, never the
text until a supervisor publishes a redacted summary), the full view for those allowed, the
named party's list, the supervisors' queue and the per-region counters."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts import services as accounts
from sunlit.accounts.model import Actor
from sunlit.disclosure.concerns import model
from sunlit.disclosure.concerns.model import AnswerKind, Counters, Facts, Status
from sunlit.disclosure.concerns.services import answers_of, get_concern, may_read_all
from sunlit.disclosure.concerns.tables import ConcernAnswerRow, ConcernPhotoRow, ConcernRow
from sunlit.filing import views as filing


@dataclass(frozen=True, slots=True)
class PublicAnswer:
    round: int
    kind: str
    text: str
    answered_at: datetime
    in_time: bool
    outcome: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class PublicConcern:
    """A concern as everyone sees it."""

    id: str
    subject: str
    session: str | None
    product: str | None
    category: str
    raised_at: datetime
    status: str
    deadline: datetime
    overdue: bool
    party: str
    round: int
    summary: str | None  # the supervisor's redacted summary, once published
    answers: tuple[PublicAnswer, ...]
    rating: int | None
    case: str | None

    @property
    def due_by(self) -> datetime:
        """The last minute an answer is in time: the deadline is the start of the next day,
        which people read as a day too late."""
        return self.deadline - timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class PrivateParts:
    """What the author, the named party and supervisors see besides the public summary."""

    text: str
    anonymous: bool
    #: The author's display name, unless they chose to stay anonymous (or had no account).
    author: str | None
    photos: tuple[str, ...]  # sha256 of each, served by /files/{sha256}
    order: str | None


@dataclass(frozen=True, slots=True)
class ConcernView:
    public: PublicConcern
    private: PrivateParts | None
    is_author: bool
    is_party: bool


@dataclass(frozen=True, slots=True)
class SessionConcerns:
    """The session page's part: its concerns in summary, its counters, and its region's."""

    session: str
    concerns: tuple[PublicConcern, ...]
    counters: Counters
    region: str | None
    region_counters: Counters | None


def _answer(row: ConcernAnswerRow) -> PublicAnswer:
    return PublicAnswer(
        row.round, str(row.kind), row.text, row.answered_at, row.in_time, row.outcome, row.note
    )


def public_of(row: ConcernRow, answers: list[ConcernAnswerRow], now: datetime) -> PublicConcern:
    loop = model.Loop(row.status, row.deadline, row.round, bool(answers), row.rating)
    return PublicConcern(
        id=row.id,
        subject=str(row.subject),
        session=row.session_id,
        product=row.product_id,
        category=str(row.category),
        raised_at=row.raised_at,
        status=str(row.status),
        deadline=row.deadline,
        overdue=model.overdue(loop, now),
        party=str(row.party),
        round=row.round,
        summary=row.summary,
        answers=tuple(_answer(a) for a in answers),
        rating=row.rating,
        case=row.case_id,
    )


async def _answers_by_concern(
    db: AsyncSession, ids: list[str]
) -> dict[str, list[ConcernAnswerRow]]:
    found: dict[str, list[ConcernAnswerRow]] = {i: [] for i in ids}
    if not ids:
        return found
    query = (
        select(ConcernAnswerRow)
        .where(ConcernAnswerRow.concern_id.in_(ids))
        .order_by(ConcernAnswerRow.round, ConcernAnswerRow.answered_at)
    )
    for row in await db.scalars(query):
        found[row.concern_id].append(row)
    return found


async def _public_list(
    db: AsyncSession, rows: list[ConcernRow], now: datetime
) -> list[PublicConcern]:
    answers = await _answers_by_concern(db, [r.id for r in rows])
    return [public_of(r, answers[r.id], now) for r in rows]


async def concern_view(
    db: AsyncSession, concern_id: str, actor: Actor | None, *, now: datetime
) -> ConcernView:
    row = await get_concern(db, concern_id)
    public = public_of(row, await answers_of(db, row.id), now)
    private = None
    if may_read_all(row, actor):
        photos = await db.scalars(
            select(ConcernPhotoRow.sha256).where(ConcernPhotoRow.concern_id == row.id)
        )
        author = None
        if row.author_id is not None and not row.anonymous:
            author = (await accounts.display_names(db, {row.author_id})).get(row.author_id)
        private = PrivateParts(row.text, row.anonymous, author, tuple(photos), row.order_id)
    return ConcernView(
        public,
        private,
        is_author=actor is not None and actor.id == row.author_id,
        is_party=actor is not None and actor.id == row.party_id,
    )


def facts_of(row: ConcernRow, answers: list[ConcernAnswerRow]) -> Facts:
    first = answers[0].in_time if answers else None
    accepted = any(a.outcome == "accepted" and a.kind is AnswerKind.CORRECTION for a in answers)
    return Facts(row.region, first, row.status, accepted)


async def _facts(db: AsyncSession, rows: list[ConcernRow]) -> list[Facts]:
    answers = await _answers_by_concern(db, [r.id for r in rows])
    return [facts_of(r, answers[r.id]) for r in rows]


async def region_counters(db: AsyncSession, region: str | None = None) -> dict[str, Counters]:
    """Per region: concerns raised, answered in time (the first answer before the deadline),
    upheld (an accepted correction, or escalated to a case) and corrections made."""
    query = select(ConcernRow)
    if region is not None:
        query = query.where(ConcernRow.region == region)
    rows = list((await db.scalars(query)).all())
    return model.counters_by_region(await _facts(db, rows))


async def session_concerns(db: AsyncSession, session_id: str, *, now: datetime) -> SessionConcerns:
    """The session page's concerns: public summaries (overdue first, then newest), the
    session's counters and those of the host's region."""
    rows = list(
        (
            await db.scalars(
                select(ConcernRow)
                .where(ConcernRow.session_id == session_id)
                .order_by(ConcernRow.raised_at.desc())
            )
        ).all()
    )
    shown = await _public_list(db, rows, now)
    shown.sort(key=lambda c: not c.overdue)
    counters = model.count(await _facts(db, rows))
    plan = await filing.find_plan(db, session_id)
    host = await accounts.find_account(db, plan.official_id) if plan is not None else None
    region = host.region if host is not None else None
    by_region = await region_counters(db, region) if region else {}
    return SessionConcerns(
        session_id,
        tuple(shown),
        counters,
        region,
        by_region.get(region, model.Counters()) if region else None,
    )


async def concerns_to_answer(
    db: AsyncSession, actor: Actor, *, now: datetime
) -> list[PublicConcern]:
    """The concerns the actor must answer (waiting ones first, overdue first)."""
    rows = list(
        (
            await db.scalars(
                select(ConcernRow)
                .where(ConcernRow.party_id == actor.id)
                .order_by(ConcernRow.deadline)
            )
        ).all()
    )
    shown = await _public_list(db, rows, now)
    shown.sort(key=lambda c: (not c.overdue, c.status != Status.WAITING))
    return shown


async def concerns_raised_by(
    db: AsyncSession, actor: Actor, *, now: datetime
) -> list[PublicConcern]:
    rows = list(
        (
            await db.scalars(
                select(ConcernRow)
                .where(ConcernRow.author_id == actor.id)
                .order_by(ConcernRow.raised_at.desc())
                .limit(200)
            )
        ).all()
    )
    return await _public_list(db, rows, now)


async def supervisor_queue(db: AsyncSession, *, now: datetime) -> list[PublicConcern]:
    """Concerns not yet decided: overdue first, then answered ones awaiting a judgement, then
    the rest by deadline."""
    rows = list(
        (
            await db.scalars(
                select(ConcernRow)
                .where(ConcernRow.status.in_([Status.WAITING, Status.ANSWERED]))
                .order_by(ConcernRow.deadline)
                .limit(500)
            )
        ).all()
    )
    shown = await _public_list(db, rows, now)
    shown.sort(key=lambda c: (not c.overdue, c.status != Status.ANSWERED))
    return shown


async def recent(db: AsyncSession, *, now: datetime, limit: int = 50) -> list[PublicConcern]:
    rows = list(
        (
            await db.scalars(select(ConcernRow).order_by(ConcernRow.raised_at.desc()).limit(limit))
        ).all()
    )
    return await _public_list(db, rows, now)


async def public_concerns(
    db: AsyncSession, ids: Collection[str], *, now: datetime
) -> list[PublicConcern]:
    """The concerns with these ids as the public sees them (the open data's records)."""
    if not ids:
        return []
    rows = list(await db.scalars(select(ConcernRow).where(ConcernRow.id.in_(ids))))
    return await _public_list(db, rows, now)
