"""The practice room (issue 21, item 2): any host streams to a private room of their own to
train before going live. It is not public, sells nothing and counts nothing: no plan, no
session events, no figures. nginx-rtmp runs it as its own application (``practice``), which
records nothing and asks the gate at ``/stream/on_practice``; its video is served under an
unguessable name that only the host's page knows.

A practice key opens only its own room: it is made from the room's id and a nonce under a
different label than a plan's key, so it never passes for a session's key, nor a session's
for it."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.accounts.services import find_account
from sunlit.core.errors import N_, PermissionDenied
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.ids import new_id
from sunlit.filing.model import HOST_ROLES
from sunlit.filing.services import signed
from sunlit.filing.tables import PracticeRoomRow

#: The nginx-rtmp application practice streams go to, and the folder of its HLS files.
APPLICATION = "practice"


def practice_secret(secret: str, room_id: str, nonce: str) -> str:
    """As a plan's, under the label ``practice``: never the same as any plan's secret."""
    return signed(secret, APPLICATION, room_id, nonce)


def practice_key(secret: str, room: PracticeRoomRow) -> str:
    """What the host types as the stream key, as for a session: ``<room id>?key=<secret>``."""
    return f"{room.id}?key={practice_secret(secret, room.id, room.nonce)}"


def practice_url(rtmp_url: str) -> str:
    """The practice application's RTMP address, beside the live one (``…/live`` →
    ``…/practice``)."""
    base = rtmp_url.rstrip("/")
    return f"{base.rsplit('/', 1)[0]}/{APPLICATION}" if "/" in base.split("://", 1)[-1] else base


async def room_of(db: AsyncSession, account_id: str) -> PracticeRoomRow | None:
    query = select(PracticeRoomRow).where(PracticeRoomRow.account_id == account_id)
    return (await db.scalars(query)).first()


async def do_open_room(
    db: AsyncSession, actor: Actor, *, now: datetime, new_key: bool = False
) -> PracticeRoomRow:
    """The host's practice room, opened on first use; ``new_key`` makes its old key stop
    working (a key shown on a shared screen, say)."""
    if actor.role not in HOST_ROLES:
        raise PermissionDenied(N_("Only a host (an official or a producer) has a practice room."))
    room = await room_of(db, actor.id)
    if room is None:
        room = PracticeRoomRow(
            id=new_id("pr"),
            account_id=actor.id,
            nonce=secrets.token_hex(16),
            created_at=now,
            updated_at=now,
        )
        db.add(room)
    elif new_key:
        room.nonce, room.updated_at = secrets.token_hex(16), now
    await db.flush()
    return room


@dataclass(frozen=True, slots=True)
class PracticeAnswer:
    allowed: bool
    reason: str


async def do_practice_publish(
    db: AsyncSession, name: str, key: str, *, secret: str, now: datetime
) -> PracticeAnswer:
    """nginx asks whether ``name`` may publish to the practice application with ``key``. A
    refusal is recorded as a session's would be (someone tried a key that was not theirs); a
    practice itself leaves no trace in the public record."""
    room = await db.get(PracticeRoomRow, name) if 0 < len(name) <= 40 else None
    answer = PracticeAnswer(False, "not a practice room")
    if room is not None:
        expected = practice_secret(secret, room.id, room.nonce)
        host = await find_account(db, room.account_id)
        if not hmac.compare_digest(expected.encode(), key.encode("utf-8", "replace")):
            answer = PracticeAnswer(False, "wrong practice key")
        elif host is None or host.disabled or host.role not in HOST_ROLES:
            answer = PracticeAnswer(False, "the host may no longer practise")
        else:
            return PracticeAnswer(True, "practice")
    append(
        db,
        Event(
            type=EventType.STREAM_REFUSED,
            ts=now,
            actor=None,
            session=None,
            data={"reason": answer.reason, "application": APPLICATION},
        ),
    )
    return answer
