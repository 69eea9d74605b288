"""The concern loop's use cases: raise, answer, judge, rate, publish a redacted summary. Each
``do_*`` writes its rows and its event in the caller's transaction. Who must answer is derived
here from what the concern names, never taken from the form."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.core.errors import N_, InvalidInput, NotFound, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.files.model import PICTURES, Upload
from sunlit.core.files.store import store_upload
from sunlit.core.ids import new_id
from sunlit.disclosure.concerns import model
from sunlit.disclosure.concerns.model import (
    FIX,
    PHOTOS_MAX,
    RULE_OF,
    AnswerKind,
    Category,
    Loop,
    Status,
    Step,
    Subject,
)
from sunlit.disclosure.concerns.subjects import admit_public, deadline_from, resolve
from sunlit.disclosure.concerns.tables import ConcernAnswerRow, ConcernPhotoRow, ConcernRow
from sunlit.integrity import services as integrity
from sunlit.web.deps import Kit


async def do_raise(
    db: AsyncSession,
    kit: Kit,
    *,
    actor: Actor | None,
    subject: Subject,
    ref: str,
    session: str | None = None,
    category: Category,
    text: str,
    anonymous: bool,
    photos: list[Upload],
    ip: str,
    now: datetime,
) -> ConcernRow:
    """Raise a concern. Without an account only a session's, within the public limits, and
    always anonymous."""
    if actor is None and subject is not Subject.SESSION:
        raise PermissionDenied(N_("Please sign in to raise a concern about a product or order."))
    named = await resolve(db, actor, subject, ref, session)
    kept = model.check_text(text)
    sent = [p for p in photos if p.data]
    if len(sent) > PHOTOS_MAX:
        raise InvalidInput(
            FIX, fields={"photos": N_("At most %(max)s photos.")}, params={"max": PHOTOS_MAX}
        )
    if actor is None:
        assert named.session is not None
        await admit_public(kit, ip, named.session, now)
    row = ConcernRow(
        id=new_id("k"),
        subject=subject,
        session_id=named.session,
        product_id=named.product,
        order_id=named.order,
        producer_id=named.producer,
        region=named.region,
        category=category,
        text=kept,
        anonymous=anonymous or actor is None,
        author_id=actor.id if actor else None,
        party=named.party,
        party_id=named.party_id,
        status=Status.WAITING,
        round=1,
        deadline=await deadline_from(db, kit, now),
        raised_at=now,
        updated_at=now,
    )
    db.add(row)
    for upload in sent:
        stored = await store_upload(
            db,
            kit.files,
            upload,
            allowed=PICTURES,
            max_bytes=kit.settings.max_upload_bytes,
            now=now,
            field="photos",
        )
        await db.flush()
        if await db.get(ConcernPhotoRow, (row.id, stored.sha256)) is None:
            db.add(ConcernPhotoRow(concern_id=row.id, sha256=stored.sha256, created_at=now))
    data: dict[str, object] = {
        "concern": row.id,
        "subject": subject.value,
        "category": category.value,
        "region": row.region,
        "party": named.party.value,
        "producer": named.producer,
        "deadline": row.deadline.isoformat(),
        "anonymous": row.anonymous,
        "photos": len(sent),
    }
    if subject is not Subject.SESSION:
        data["product"] = named.product
    if subject is Subject.ORDER and not row.anonymous:
        data["order"] = named.order  # an order names its buyer: never with an anonymous one
    append(
        db,
        _event(EventType.CONCERN_RAISED, row, now, None if row.anonymous else row.author_id, data),
    )
    return row


def _event(
    kind: EventType, row: ConcernRow, now: datetime, actor: str | None, data: dict[str, object]
) -> Event:
    return Event(type=kind, ts=now, actor=actor, session=row.session_id, data=data)


async def get_concern(db: AsyncSession, concern_id: str, *, lock: bool = False) -> ConcernRow:
    query = select(ConcernRow).where(ConcernRow.id == concern_id)
    row = (await db.scalars(query.with_for_update() if lock else query)).first()
    if row is None:
        raise NotFound(N_("No such concern."))
    return row


def may_read_all(row: ConcernRow, actor: Actor | None) -> bool:
    """The author, the named party and supervisors read the concern's text and photos."""
    if actor is None:
        return False
    return actor.id in (row.author_id, row.party_id) or actor.role == Role.SUPERVISOR


def loop_of(row: ConcernRow, answered: bool) -> Loop:
    return Loop(row.status, row.deadline, row.round, answered, row.rating)


async def answers_of(db: AsyncSession, concern_id: str) -> list[ConcernAnswerRow]:
    query = (
        select(ConcernAnswerRow)
        .where(ConcernAnswerRow.concern_id == concern_id)
        .order_by(ConcernAnswerRow.round, ConcernAnswerRow.answered_at)
    )
    return list((await db.scalars(query)).all())


async def do_answer(
    db: AsyncSession,
    actor: Actor,
    concern_id: str,
    *,
    kind: AnswerKind,
    text: str,
    now: datetime,
) -> ConcernAnswerRow:
    """The named party answers, in public: an explanation, or a correction with what was
    done."""
    row = await get_concern(db, concern_id, lock=True)
    if actor.id != row.party_id:
        raise PermissionDenied(
            N_(
                "Only the named party answers this concern: the host official's office for a "
                "session, the producer for a product or an order."
            )
        )
    kept = model.check_answer(text)
    previous = await answers_of(db, row.id)
    loop, in_time = model.answer(loop_of(row, bool(previous)), now)
    answer = ConcernAnswerRow(
        id=new_id("ka"),
        concern_id=row.id,
        round=row.round,
        kind=kind,
        text=kept,
        answered_by=actor.id,
        answered_at=now,
        in_time=in_time,
    )
    db.add(answer)
    row.status, row.updated_at = loop.status, now
    append(
        db,
        _event(
            EventType.CONCERN_ANSWERED,
            row,
            now,
            actor.id,
            {
                "concern": row.id,
                "answer": answer.id,
                "round": row.round,
                "kind": kind.value,
                "text": kept,
                "in_time": in_time,
            },
        ),
    )
    return answer


async def do_judge(
    db: AsyncSession,
    kit: Kit,
    actor: Actor,
    concern_id: str,
    *,
    step: Step,
    note: str,
    now: datetime,
) -> ConcernRow:
    """A supervisor accepts the answer, asks again (a new deadline), or escalates the concern
    to an integrity case under the category's rule."""
    if actor.role != Role.SUPERVISOR:
        raise PermissionDenied(N_("Only supervisors judge the answers to concerns."))
    row = await get_concern(db, concern_id, lock=True)
    kept = model.check_note(note)
    answers = await answers_of(db, row.id)
    deadline = await deadline_from(db, kit, now) if step is Step.REOPEN else None
    loop = model.judge(loop_of(row, bool(answers)), step, new_deadline=deadline)
    latest = answers[-1] if answers and answers[-1].round == row.round else None
    outcome = {Step.ACCEPT: "accepted", Step.REOPEN: "reopened", Step.ESCALATE: "escalated"}[step]
    if latest is not None:
        latest.outcome, latest.decided_by, latest.decided_at, latest.note = (
            outcome,
            actor.id,
            now,
            kept,
        )
    data: dict[str, object] = {"concern": row.id, "round": row.round, "note": kept}
    kind = EventType.CONCERN_ACCEPTED
    if step is Step.REOPEN:
        kind, data["deadline"] = EventType.CONCERN_REOPENED, loop.deadline.isoformat()
    elif step is Step.ESCALATE:
        rule = RULE_OF[row.category]
        case = await integrity.do_open_case(
            db,
            session=row.session_id or "",
            rule=rule,
            summary=f"A public concern ({row.category.value}) escalated by a supervisor.",
            products=[row.product_id] if row.product_id else [],
            orders=[row.order_id] if row.order_id else [],
            evidence={"concern": row.id, "category": row.category.value},
            actor=actor,
            now=now,
        )
        row.case_id = case.id
        kind, data["case"], data["rule"] = EventType.CONCERN_ESCALATED, case.id, rule
    row.status, row.round, row.deadline, row.updated_at = (
        loop.status,
        loop.round,
        loop.deadline,
        now,
    )
    append(db, _event(kind, row, now, actor.id, data))
    return row


async def do_rate(
    db: AsyncSession, actor: Actor, concern_id: str, *, stars: int, now: datetime
) -> ConcernRow:
    """The person who raised the concern rates the answer, once."""
    row = await get_concern(db, concern_id, lock=True)
    if row.author_id is None or actor.id != row.author_id:
        raise PermissionDenied(N_("Only the person who raised this concern can rate the answer."))
    loop = model.rate(loop_of(row, bool(await answers_of(db, row.id))), stars)
    row.rating, row.rated_at, row.updated_at = loop.rating, now, now
    append(
        db,
        _event(
            EventType.CONCERN_RATED,
            row,
            now,
            None if row.anonymous else actor.id,
            {"concern": row.id, "stars": stars},
        ),
    )
    return row


async def do_publish(
    db: AsyncSession, actor: Actor, concern_id: str, *, summary: str, now: datetime
) -> ConcernRow:
    """A supervisor publishes a redacted summary of the concern (the author's text stays
    private)."""
    if actor.role != Role.SUPERVISOR:
        raise PermissionDenied(N_("Only supervisors publish the summary of a concern."))
    row = await get_concern(db, concern_id, lock=True)
    kept = model.check_summary(summary)
    row.summary, row.published_by, row.published_at, row.updated_at = kept, actor.id, now, now
    append(
        db,
        _event(
            EventType.CONCERN_PUBLISHED, row, now, actor.id, {"concern": row.id, "summary": kept}
        ),
    )
    return row
