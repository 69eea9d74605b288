"""Follows (issue 21, item 4): a signed-in person follows a producer, a county or a kind of
produce, and is told when a session with it is approved and when it starts. A follow names
something that exists: a verified producer, a county in the region list, a kind some listed
product has. Following twice is one follow; only its owner ends it."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.catalog import views as catalog_views
from sunlit.catalog.model import Verification
from sunlit.catalog.producers import services as producers
from sunlit.core.errors import N_, InvalidInput, NotFound
from sunlit.core.ids import new_id
from sunlit.core.regions.model import RegionLevel
from sunlit.core.regions.services import region_book
from sunlit.participation.tables import FollowRow


class Target(StrEnum):
    PRODUCER = "producer"
    COUNTY = "county"
    KIND = "kind"


TARGET_LABELS = {
    Target.PRODUCER: N_("Producer"),
    Target.COUNTY: N_("County"),
    Target.KIND: N_("Kind of produce"),
}


@dataclass(frozen=True, slots=True)
class Followed:
    """One follow, with what it names in both languages (a producer's or kind's own name in
    both when it has no other)."""

    id: str
    target_kind: Target
    target: str
    name_zh: str
    name_en: str
    created_at: datetime
    link: str

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh" else self.name_en


def _refused(message: str, **params: object) -> InvalidInput:
    return InvalidInput(message, fields={"target": message}, params=params)


async def describe(db: AsyncSession, kind: str, target: str) -> tuple[Target, str, str, str]:
    """What a follow would name: (kind, zh name, en name, link); a clear refusal for nothing."""
    try:
        chosen = Target(kind)
    except ValueError:
        raise _refused(N_("Follow a producer, a county or a kind of produce.")) from None
    if chosen is Target.PRODUCER:
        try:
            producer = await producers.get_producer(db, target)
        except NotFound:
            producer = None
        if producer is None or producer.verification != Verification.VERIFIED:
            raise _refused(N_("There is no producer %(target)s to follow."), target=target)
        return chosen, producer.name, producer.name, f"/producers/{producer.id}"
    if chosen is Target.COUNTY:
        region = region_book().get(target)
        if region is None or region.level is not RegionLevel.COUNTY or region.retired:
            raise _refused(N_("There is no county with the code %(target)s."), target=target)
        return chosen, region.name_zh, region.name_en, f"/products?region={region.code}"
    named = await catalog_views.kind_names(db, target)
    if named is None:
        raise _refused(N_("No produce of the kind %(target)s is listed."), target=target)
    return chosen, named[0], named[1], f"/products?{urlencode({'q': named[0]})}"


async def do_follow(
    db: AsyncSession, actor: Actor, kind: str, target: str, *, now: datetime
) -> tuple[FollowRow, bool]:
    """Follow ``target``; returns the follow and whether it is new (following twice is one
    follow: the second answers with the first)."""
    chosen, *_ = await describe(db, kind, target)
    mine = select(FollowRow).where(*_one(actor.id, chosen, target))
    existing = await db.scalar(mine)
    if existing is not None:
        return existing, False
    row = FollowRow(
        id=new_id("fw"), account_id=actor.id, target_kind=chosen.value, target=target,
        created_at=now,
    )  # fmt: skip
    try:
        async with db.begin_nested():  # a second click at the same instant: one follow
            db.add(row)
    except IntegrityError:
        found = await db.scalar(mine)
        assert found is not None
        return found, False
    return row, True


def _one(account_id: str, kind: Target, target: str) -> tuple[ColumnElement[bool], ...]:
    """The conditions that pick an account's follow of one thing (there is at most one)."""
    return (
        FollowRow.account_id == account_id,
        FollowRow.target_kind == kind.value,
        FollowRow.target == target,
    )


async def do_unfollow(db: AsyncSession, actor: Actor, follow_id: str) -> None:
    """End one of the actor's follows; someone else's, or none, is not found."""
    row = await db.get(FollowRow, follow_id)
    if row is None or row.account_id != actor.id:
        raise NotFound(N_("You do not follow this."))
    await db.delete(row)


async def follows_of(db: AsyncSession, account_id: str) -> list[Followed]:
    rows = (
        await db.scalars(
            select(FollowRow)
            .where(FollowRow.account_id == account_id)
            .order_by(FollowRow.created_at.desc(), FollowRow.id)
        )
    ).all()
    return [await followed(db, row) for row in rows]


async def followed(db: AsyncSession, row: FollowRow) -> Followed:
    """A follow with what it names (its target alone when that no longer describes itself)."""
    try:
        kind, zh, en, link = await describe(db, row.target_kind, row.target)
    except InvalidInput:  # a producer no longer verified, a kind no longer listed
        kind, zh, en, link = Target(row.target_kind), row.target, row.target, ""
    return Followed(row.id, kind, row.target, zh, en, row.created_at, link)


async def follow_of(db: AsyncSession, account_id: str, kind: Target, target: str) -> str | None:
    """The id of the account's follow of ``target``, if it follows it."""
    return await db.scalar(select(FollowRow.id).where(*_one(account_id, kind, target)))


async def followers_count(db: AsyncSession, kind: Target, target: str) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(FollowRow)
            .where(FollowRow.target_kind == kind.value, FollowRow.target == target)
        )
        or 0
    )


async def followers_of(
    db: AsyncSession,
    *,
    producers: Collection[str] = (),
    counties: Collection[str] = (),
    kinds: Collection[str] = (),
) -> Sequence[str]:
    """Accounts that follow any of the producers, counties or kinds (each once, in id order)."""
    wanted = [
        (FollowRow.target_kind == target.value) & FollowRow.target.in_(sorted(set(values)))
        for target, values in (
            (Target.PRODUCER, producers),
            (Target.COUNTY, counties),
            (Target.KIND, kinds),
        )
        if values
    ]
    if not wanted:
        return []
    query = select(FollowRow.account_id).where(or_(*wanted)).distinct()
    return sorted((await db.scalars(query)).all())


@dataclass(frozen=True, slots=True)
class FollowState:
    follow_id: str | None
    followers: int


class FollowStates:
    """The catalog's ``Follows`` port (its follow buttons), wired by the composition root."""

    async def state(
        self, db: AsyncSession, account_id: str | None, kind: str, target: str
    ) -> FollowState:
        chosen = Target(kind)
        mine = await follow_of(db, account_id, chosen, target) if account_id else None
        return FollowState(mine, await followers_count(db, chosen, target))


class Product(Protocol):
    """A product as a suggestion reads it (the catalog's row satisfies it)."""

    @property
    def producer_id(self) -> str: ...
    @property
    def origin_region(self) -> str: ...
    @property
    def kind(self) -> str: ...


#: Why a session is suggested: a follow (its kind and target), or ("bought", producer).
Why = tuple[str, str]
BOUGHT = "bought"


def reasons_for(
    products: Sequence[Product], followed: Collection[Why], bought_from: Collection[str]
) -> list[Why]:
    """Why a session with these products is suggested to someone: each producer, county and
    kind they follow, then each producer they bought from before (once, in that order). No
    reason, no suggestion: nothing is suggested on grounds the reader cannot see."""
    out: list[Why] = []
    for p in products:
        for why in (
            (Target.PRODUCER.value, p.producer_id),
            (Target.COUNTY.value, p.origin_region),
            (Target.KIND.value, p.kind),
        ):
            if why in followed and why not in out:
                out.append(why)
    for p in products:
        why = (BOUGHT, p.producer_id)
        if p.producer_id in bought_from and (Target.PRODUCER.value, p.producer_id) not in out:
            if why not in out:
                out.append(why)
    return out


async def followed_by(db: AsyncSession, account_id: str) -> set[Why]:
    rows = await db.execute(
        select(FollowRow.target_kind, FollowRow.target).where(FollowRow.account_id == account_id)
    )
    return {(str(kind), str(target)) for kind, target in rows.all()}
