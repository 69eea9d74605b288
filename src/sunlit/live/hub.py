"""The rooms one process serves, as its viewers meet them: a ticket redeemed to join a room,
what a viewer sends (chat, likes, shares, heartbeats), an account's access revoked, shutdown.
The rooms themselves, their loops and frames are :mod:`sunlit.live.host`'s."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import structlog

from sunlit.core.eventlog import EventType
from sunlit.live import chat
from sunlit.live.host import RoomHost
from sunlit.live.model import (
    Chat,
    Heartbeat,
    Like,
    Refusal,
    Share,
    check_chat,
    parse_client,
)
from sunlit.live.rooms import (
    ACCOUNTS,
    CLOSE_NOT_LIVE,
    CLOSE_TICKET,
    CLOSE_TRY_AGAIN,
    Room,
    Viewer,
)

log = structlog.get_logger(__name__)


class Hub(RoomHost):
    """The rooms of this process with their viewers."""

    async def start(self) -> None:
        """Listen for revocations (every process that serves viewers, from its start)."""
        await self.bus.join(ACCOUNTS)

    def spawn(self, work: Callable[[], Any]) -> None:
        task = asyncio.get_running_loop().create_task(work())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def admit(self, viewer: Viewer) -> None:
        """Redeem the viewer's ticket (once, over every process), then join its room."""
        self._admitting.add(viewer)
        try:
            try:
                redeemed = await self.tickets.redeem(viewer.ticket.nonce)
            except Exception:  # Redis did not answer: not the viewer's fault
                log.exception("live ticket not redeemed")
                viewer.socket.close(CLOSE_TRY_AGAIN, "try again later")
                return
            if not redeemed:
                viewer.socket.close(CLOSE_TICKET, "ticket used, expired or revoked")
                return
            await self.join(viewer)
        finally:
            self._admitting.discard(viewer)

    async def revoke(self, account: str, *, ticket_seconds: int) -> None:
        """Void the account's unredeemed tickets and close its sockets in every process (after
        signing out, a disabled account, a changed role or password): a page still signed in
        reconnects with a fresh ticket, as whoever it now is. This process's sockets close
        first, whatever Redis answers; a failure to reach the others is raised after trying
        both the ticket book and the bus."""
        self._close_account(account)
        failed: Exception | None = None
        try:
            now = self.clock.now().timestamp()
            await self.tickets.revoke(account, seconds=ticket_seconds, now=now)
        except Exception as exc:  # Redis did not answer: still tell the other processes
            failed = exc
        try:
            await self.bus.publish(ACCOUNTS, {"t": "revoke", "account": account})
        except Exception as exc:
            failed = failed or exc
        if failed is not None:
            raise failed

    async def join(self, viewer: Viewer) -> None:
        session = viewer.ticket.session
        room = await self._room(session)
        if room.failed:  # the database or Redis did not answer: not the room's fault
            viewer.socket.close(CLOSE_TRY_AGAIN, "try again later")
            room.maybe_empty()
            return
        if room.state is None or not room.state.live:
            viewer.refuse(Refusal.ROOM_CLOSED)
            viewer.socket.close(CLOSE_NOT_LIVE, "not live")
            room.maybe_empty()
            return
        if viewer.gone:
            room.maybe_empty()
            return
        room.enter(viewer)
        muted = room.muted.get(viewer.ticket.account or "")
        hello = {
            **room.last_sent,
            "t": "hello",
            "history": list(room.history),
            "likes": room.likes,
            "now": int(self.clock.now().timestamp() * 1000),
            "you": {"account": viewer.ticket.account, "muted": muted},
        }
        viewer.send([hello])
        self._record(
            EventType.VIEWER_JOINED,
            viewer,
            {"device": viewer.ticket.viewer, "ip": viewer.ip, "client": "web"},
        )

    def receive(self, viewer: Viewer, raw: str | None) -> None:
        """One frame from a viewer (``None``: it was not text)."""
        viewer.last_seen = time.monotonic()
        room = viewer.room
        if room is None:
            return  # not joined (yet): nothing a viewer sends before that counts
        if not viewer.frames.take(viewer.last_seen):
            viewer.refuse(Refusal.TOO_FAST)
            return
        message = Refusal.BINARY if raw is None else parse_client(raw)
        if isinstance(message, Refusal):
            viewer.refuse(message)
        elif isinstance(message, Heartbeat):
            return
        elif viewer.ticket.account is None:
            viewer.refuse(Refusal.SIGN_IN)
        elif isinstance(message, Chat):
            self.spawn(lambda: self._chat(room, viewer, message.text))
        elif isinstance(message, Like):
            room.likes_out[viewer.ticket.account] += message.count
        elif isinstance(message, Share):
            if viewer.shares.take(viewer.last_seen):
                self._record(EventType.SHARE, viewer, {"channel": message.channel})
            else:
                viewer.refuse(Refusal.TOO_FAST)

    async def _chat(self, room: Room, viewer: Viewer, text: str) -> None:
        async with viewer.chat_lock:
            await self._chat_one(room, viewer, text)

    async def _chat_one(self, room: Room, viewer: Viewer, text: str) -> None:
        account = viewer.ticket.account
        assert account is not None
        if (reason := room.muted.get(account)) is not None:
            viewer.refuse(Refusal.MUTED, reason=reason)
            return
        shown, refusal = check_chat(
            text, max_chars=self.rules.chat_max_chars, blocked=self.rules.blocked
        )
        if refusal is not None:
            viewer.refuse(refusal, limit=self.rules.chat_max_chars)
            return
        key = f"live-chat:{account}"
        if await self.attempts.record(key, self.rules.chat_window) > self.rules.chat_limit:
            viewer.refuse(Refusal.TOO_FAST)
            return
        event = self._record(EventType.CHAT_MESSAGE, viewer, {"text": shown})
        message = chat.chat_message(event.id, account, viewer.ticket.name, shown, event.ts)
        await self.bus.publish(room.session, message)

    async def announce(self, session: str, message: dict[str, Any]) -> None:
        """Tell every process serving ``session`` (moderation, pins)."""
        await self.bus.publish(session, message)

    async def close(self) -> None:
        for room in list(self.rooms.values()):
            for viewer in list(room.viewers):
                viewer.socket.close(1001, "server going away")
                self.leave(viewer)
            if room.task is not None:
                room.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await room.task
        for task in list(self._tasks):
            task.cancel()
        await self.recorder.close()
        await self.bus.close()
