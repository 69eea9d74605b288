"""The built-in sandbox gateway. It behaves like a real one, on its own tables: a hosted pay
page where the buyer pays or declines, refunds that must fit the charge, and signed
notifications that arrive late (a random delay), twice (each event is queued twice) and so
out of order, sent over real HTTP by :func:`deliver_due` with retries and back-off."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sunlit.core import outbox
from sunlit.core.errors import N_, Conflict, InvalidInput, NotFound
from sunlit.core.ids import new_id, new_token
from sunlit.payments.gateway import (
    SIGNATURE_HEADER,
    Charge,
    Notice,
    NoticeType,
    notice_body,
    parse_notice,
    sign,
    verify_signature,
)
from sunlit.payments.model import SandboxChargeState
from sunlit.payments.tables import SandboxChargeRow, SandboxWebhookRow

COPIES = 2


class SandboxGateway:
    name = "sandbox"

    def __init__(self, secret: str, *, max_delay_ms: int, seed: int | None = None) -> None:
        self.secret = secret
        self.max_delay_ms = max_delay_ms
        self._random = random.Random(seed)  # noqa: S311 - delays, not secrets

    async def create_charge(
        self, db: AsyncSession, *, amount: int, description: str, return_url: str, now: datetime
    ) -> Charge:
        ref = "ch_" + new_token()[:24]
        db.add(
            SandboxChargeRow(
                ref=ref,
                amount=amount,
                description=description[:200],
                return_url=return_url,
                state="pending",
                refunded=0,
                created_at=now,
            )
        )
        return Charge(ref=ref, pay_url=f"/sandbox/pay/{ref}")

    async def charge(self, db: AsyncSession, ref: str) -> SandboxChargeRow:
        row = await db.get(SandboxChargeRow, ref)
        if row is None:
            raise NotFound(N_("The payment page has no such charge."))
        return row

    async def decide(self, db: AsyncSession, ref: str, *, pay: bool, now: datetime) -> str:
        """The buyer pays (or declines) on the hosted page; returns where to send them back."""
        row = await self.charge(db, ref)
        if row.state != "pending":
            raise Conflict(N_("This charge has already been decided."))
        row.state = SandboxChargeState.SUCCEEDED if pay else SandboxChargeState.FAILED
        row.decided_at = now
        kind = NoticeType.CHARGE_SUCCEEDED if pay else NoticeType.CHARGE_FAILED
        self._queue(db, Notice(new_id("evt"), kind, ref, row.amount), now)
        return row.return_url

    async def refund(self, db: AsyncSession, *, charge: str, amount: int, now: datetime) -> str:
        row = await self.charge(db, charge)
        if row.state != "succeeded":
            raise Conflict(N_("Only a paid charge can be refunded."))
        if amount <= 0 or row.refunded + amount > row.amount:
            raise InvalidInput(N_("A refund cannot be larger than what is left of the payment."))
        row.refunded += amount
        ref = "re_" + new_token()[:24]
        notice = Notice(new_id("evt"), NoticeType.REFUND_SUCCEEDED, charge, amount, ref)
        self._queue(db, notice, now)
        return ref

    def verify(self, headers: Mapping[str, str], body: bytes, *, now: datetime) -> Notice:
        verify_signature(self.secret, headers.get(SIGNATURE_HEADER), body, now=now)
        return parse_notice(body)

    def _queue(self, db: AsyncSession, notice: Notice, now: datetime) -> None:
        body = notice_body(notice).decode()
        for _ in range(COPIES):
            delay = timedelta(milliseconds=self._random.randint(0, self.max_delay_ms))
            db.add(
                SandboxWebhookRow(
                    id=new_id("wh"),
                    event_id=notice.id,
                    body=body,
                    deliver_at=now + delay,
                    attempts=0,
                )
            )


#: Applies one notification in the caller's transaction (``payments.services.handle_notice``).
Apply = Callable[[Notice], Awaitable[object]]


async def deliver_in_process(db: AsyncSession, apply: Apply, *, now: datetime) -> int:
    """Hand the notifications due by ``now`` to ``apply`` in ``db``'s own transaction, oldest
    first, with no HTTP and no signature: for a process that plays a gateway's part itself (the
    demo, which replays a session in the past; a running server uses :func:`deliver_due`).
    Both copies of a notification are handed over, as the gateway sends both. Returns how many
    were handed over."""

    async def hand(body: bytes) -> object:
        return await apply(parse_notice(body))

    return await outbox.hand_over_due(db, SandboxWebhookRow, hand, now=now)


async def deliver_due(
    sessions: async_sessionmaker[AsyncSession],
    gateway: SandboxGateway,
    send: outbox.Send,
    *,
    now: datetime,
    limit: int = 50,
) -> int:
    """Send the notifications that are due; returns how many were accepted. A refused one is
    retried later with exponential back-off, up to ``outbox.MAX_ATTEMPTS``."""

    def headers(body: bytes) -> dict[str, str]:
        return {
            SIGNATURE_HEADER: sign(gateway.secret, body, int(now.timestamp())),
            "content-type": "application/json",
        }

    return await outbox.send_due(sessions, SandboxWebhookRow, headers, send, now=now, limit=limit)
