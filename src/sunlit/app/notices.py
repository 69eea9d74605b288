"""The notifications follower: reads the event log from its cursor, finds whom each event's
notifications are for through the contexts' own reads, and writes them (and moves the cursor)
in one transaction, so that an event is told once and none is skipped. The composition root
does this because only it may read every context; ``notifications`` knows none of them.

Why a follower and not a reaction in the event's own transaction: most events name an order,
a plan or a proposal, not the person to tell, and ``eventlog.append`` runs inside each
context's synchronous bookkeeping. Reading the log after the commit costs a second or two of
delay and no loss: the cursor commits with the notifications it made.

On PostgreSQL a ``seq`` can commit after a higher one (two writers at once); the follower stops
at a gap and waits for it up to ``GAP_WAIT`` seconds, then passes it (a rolled-back insert
leaves a gap for good). SQLite has one writer at a time, so no gaps."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts import services as accounts
from sunlit.app.services import Services
from sunlit.catalog.products.services import get_product, products_by_id
from sunlit.catalog.views import producer_manager
from sunlit.core.errors import NotFound
from sunlit.core.eventlog.follow import GapWait, read_to_the_end
from sunlit.core.eventlog.model import Event
from sunlit.core.eventlog.services import events_after
from sunlit.core.i18n import current_language
from sunlit.filing.services import plan_titles
from sunlit.filing.views import find_plan, plan_product_ids
from sunlit.notifications import services as notifications
from sunlit.notifications.model import Draft, To, Told, drafts_for
from sunlit.notifications.views import text_of, unread_by
from sunlit.orders.views import get_order
from sunlit.participation import follows
from sunlit.participation.services import get_proposal

log = structlog.get_logger(__name__)

GAP_WAIT = 30.0
EVERY = 1.0


async def readers(db: AsyncSession, draft: Draft) -> list[str]:
    """The accounts a draft is for (none when what it names is gone or has no manager)."""
    try:
        match draft.to:
            case To.PRODUCER:
                found = [await producer_manager(db, draft.ref)]
            case To.ORDER_SELLER:
                found = [await producer_manager(db, (await get_order(db, draft.ref)).producer_id)]
            case To.ORDER_BUYER:
                found = [(await get_order(db, draft.ref)).buyer_id]
            case To.PRODUCT_SELLER:
                product = await get_product(db, draft.ref)
                found = [await producer_manager(db, product.producer_id)]
            case To.PROPOSER:
                found = [(await get_proposal(db, draft.ref)).proposed_by]
            case To.PLAN_OFFICIAL:
                plan = await find_plan(db, draft.ref)
                found = [plan.official_id if plan is not None else None]
            case To.SESSION_FOLLOWERS:
                found = list(await session_followers(db, draft.ref))
    except NotFound:
        return []
    return [account for account in found if account]


async def session_followers(db: AsyncSession, plan_id: str) -> Sequence[str]:
    """Who follows a producer of the session's produce, the county it comes from, or its kind."""
    filed = (await products_by_id(db, set(await plan_product_ids(db, plan_id)))).values()
    return await follows.followers_of(
        db,
        producers={p.producer_id for p in filed},
        counties={p.origin_region for p in filed},
        kinds={p.kind for p in filed},
    )


async def named(db: AsyncSession, draft: Draft) -> dict[str, Any]:
    """The draft's parameters with names for ids (a product in both languages, a plan's
    title), so that the sentence reads well whatever language it is read in."""
    params = dict(draft.params)
    product_id = params.get("product")
    if product_id is None and "order" in params:
        try:
            order = await get_order(db, str(params["order"]))
        except NotFound:
            product_id = None
        else:  # an order reads by what and how much, not by its id
            product_id = order.product_id
            params.update(qty=order.qty, amount=order.amount)
    if product_id is not None:
        try:
            product = await get_product(db, str(product_id))
            params["product"] = {"zh": product.name_zh, "en": product.name_en}
        except NotFound:
            params["product"] = str(product_id)
    if "plan" in params:
        params["plan"] = (await plan_titles(db, {str(params["plan"])})).get(
            str(params["plan"]), params["plan"]
        )
    return params


async def notify_event(db: AsyncSession, event: Event) -> list[Told]:
    """Write the notifications one event makes; nobody is told of their own action."""
    made: list[Told] = []
    for draft in drafts_for(event.type, event.data, event.session):
        told = [account for account in await readers(db, draft) if account != event.actor]
        params = await named(db, draft) if told else {}  # once for all its readers
        for account in told:
            row = await notifications.do_notify(
                db,
                account,
                draft.kind,
                params=params,
                link=draft.link,
                event_id=event.id,
                now=event.ts,
            )
            if row is not None:
                made.append(row)
    return made


@dataclass
class Follower:
    services: Services
    batch: int = 500
    gaps: GapWait = field(default_factory=lambda: GapWait(GAP_WAIT))

    async def step(self) -> tuple[int, int]:
        """One batch, committed: how many events were read, and notifications written."""
        made: list[Told] = []
        count = 0
        async with self.services.db.transaction() as db:
            at = await notifications.cursor(db)
            for seq, event in self.gaps.in_order(await events_after(db, at, limit=self.batch), at):
                made += await notify_event(db, event)
                at = seq
                count += 1
            if count:
                await notifications.move_cursor(db, at)
        if made and self.services.settings.notifications_outside:
            await self._send(made)
        return count, len(made)

    async def _send(self, made: list[Told]) -> None:
        """Also through the notifier (SMS later; the log adapter now), in each reader's
        language, after the commit: a failure to send loses nothing in the site."""
        async with self.services.db.sessions() as db:
            people = {
                a.id: a for a in await accounts.accounts_by_id(db, {n.account_id for n in made})
            }
        for row in made:
            person = people.get(row.account_id)
            if person is None:
                continue
            token = current_language.set(person.language or self.services.settings.default_language)
            try:
                text = text_of(row.kind, row.params)
            finally:
                current_language.reset(token)
            await self.services.notifier.send(person, text)

    async def catch_up(self) -> int:
        """Batch after batch until the log is read (or a gap is waited for): how many
        notifications were written."""
        return await read_to_the_end(self.step, self.batch)

    async def run_forever(self) -> None:
        while True:
            try:
                await self.catch_up()
            except Exception:
                log.exception("notifications follower failed")
            await asyncio.sleep(EVERY)


async def read_the_past(
    services: Services, *, now: datetime, unread_for: timedelta, usernames: Collection[str]
) -> int:
    """Tell what the whole log says, then mark read what was told to these accounts more than
    ``unread_for`` before ``now``: how many. For the demo's accounts, whose Majiang season tells
    farmer.majiang of three months of orders; someone using Sunlit then would have read those
    as they came, so a newcomer signing in finds the last week's waiting, not hundreds. Anyone
    else's notifications are left as they are."""
    await Follower(services).catch_up()
    marked = 0
    before = now - unread_for
    async with services.db.transaction() as db:
        told = await accounts.accounts_by_id(db, set(await unread_by(db, made_before=before)))
        for account in told:
            if account.username in usernames:
                marked += await notifications.do_mark_all_read(
                    db, account.id, now=now, made_before=before
                )
    return marked
