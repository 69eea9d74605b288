"""The rooms one process keeps: each room's own loop (its state read about once a second, its
presence reported, likes recorded), what the bus brings it, and its frames: everything of one
tick goes out as one WebSocket frame, encoded once and written to every viewer's socket. A
viewer whose socket does not keep up (its send buffer passes the limit) is dropped, so a slow
phone cannot make the server hold an ever-growing queue."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

import structlog

from sunlit.core.clock import Clock
from sunlit.core.db import Database
from sunlit.core.eventlog import Event, EventType
from sunlit.core.ratelimit import AttemptCounter
from sunlit.live import chat
from sunlit.live import services as live
from sunlit.live.bus import Bus, Presence
from sunlit.live.model import (
    encode_batch,
    text_frame,
)
from sunlit.live.ports import SessionSales
from sunlit.live.recorder import EventRecorder
from sunlit.live.rooms import (
    ACCOUNTS,
    CLOSE_ENDED,
    CLOSE_STALE,
    CLOSE_TICKET,
    HubRules,
    Room,
    Viewer,
)
from sunlit.live.tickets import TicketBook

log = structlog.get_logger(__name__)


class RoomHost:
    """The rooms and their frames; :class:`sunlit.live.hub.Hub` adds the viewers' side."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        bus: Bus,
        presence: Presence,
        attempts: AttemptCounter,
        tickets: TicketBook,
        rules: HubRules,
        process: str,
        sales: SessionSales,
        on_revoke: Callable[[str], None] | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.bus = bus
        self.presence = presence
        self.tickets = tickets
        self.attempts = attempts
        self.rules = rules
        self.process = process
        self.sales = sales
        #: Told of every account whose access another process revoked (the app forgets who
        #: that account's tokens and sessions belong to: ``accounts.token_cache``).
        self.on_revoke = on_revoke
        self.recorder = EventRecorder(db)
        self.rooms: dict[str, Room] = {}
        self.dropped = 0  # viewers dropped for not keeping up
        self.frames_sent = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._admitting: set[Viewer] = set()  # connected, not yet in their room
        bus.attach(self._deliver)

    def _close_account(self, account: str) -> None:
        for viewer in [v for v in self._admitting if v.ticket.account == account]:
            viewer.gone = True  # redeemed just before the revocation: it joins no room
            viewer.socket.close(CLOSE_TICKET, "access revoked")
        for room in list(self.rooms.values()):
            for viewer in [v for v in room.viewers if v.ticket.account == account]:
                viewer.socket.close(CLOSE_TICKET, "access revoked")
                self.leave(viewer)

    def leave(self, viewer: Viewer) -> None:
        viewer.gone = True
        room = viewer.room
        if room is None or not room.part(viewer):
            return
        self._record(EventType.VIEWER_LEFT, viewer, {})
        room.maybe_empty()

    def _record(self, kind: EventType, viewer: Viewer, data: dict[str, Any]) -> Event:
        if viewer.ticket.account is None and kind in (
            EventType.VIEWER_JOINED,
            EventType.VIEWER_LEFT,
        ):
            data = {**data, "viewer": viewer.ticket.viewer}  # anonymous: no account to name
        event = Event(
            type=kind,
            ts=self.clock.now(),
            actor=viewer.ticket.account,
            session=viewer.ticket.session,
            data=data,
        )
        self.recorder.add(event)
        return event

    def _deliver(self, session: str, message: dict[str, Any]) -> None:
        if session == ACCOUNTS:
            if message.get("t") == "revoke":
                self._close_account(str(message["account"]))
                if self.on_revoke is not None:
                    self.on_revoke(str(message["account"]))
            return
        room = self.rooms.get(session)
        if room is None:
            return
        shown = room.take(message, history=self.rules.history)
        if shown is not None:
            self._queue(room, shown)

    def _queue(self, room: Room, message: dict[str, Any]) -> None:
        """A frame goes out ``frame_seconds`` after the first message waiting for it, with
        everything that arrived meanwhile: a busy room costs one write per viewer per frame,
        not one per message."""
        room.pending.append(message)
        if room.flush_at is None:
            loop = asyncio.get_running_loop()
            room.flush_at = loop.call_later(self.rules.frame_seconds, self._flush, room)

    def _flush(self, room: Room) -> None:
        room.flush_at = None
        if not room.pending:
            return
        frame = text_frame(encode_batch(room.pending))
        room.pending = []
        limit = self.rules.max_buffer
        slow = [viewer for viewer in room.viewers if not viewer.socket.offer(frame, limit)]
        self.frames_sent += 1
        for viewer in slow:
            self.dropped += 1
            viewer.socket.abort()
            self.leave(viewer)

    async def _room(self, session: str) -> Room:
        room = self.rooms.get(session)
        if room is None:
            room = Room(session)
            room.history = deque(maxlen=self.rules.history)
            self.rooms[session] = room
            room.task = asyncio.get_running_loop().create_task(
                self._run(room), name=f"live-room-{session}"
            )
        await room.ready.wait()
        return room

    async def _open(self, room: Room) -> None:
        await self.bus.join(room.session)
        now = self.clock.now()
        async with self.db.sessions() as db:
            history, likes = await chat.recent_chat(db, room.session, limit=self.rules.history)
            room.muted = await chat.mutes_of(db, room.session)
            room.state = await live.room_state(db, room.session, self.sales, now=now, on=now.date())
        # What the bus brought while the database was read is newer than what it read.
        known = {m["id"] for m in history}
        arrived = [m for m in room.history if m["id"] not in known]
        room.history = deque([*history, *arrived], maxlen=self.rules.history)
        room.likes += likes

    async def _run(self, room: Room) -> None:
        try:
            try:
                await self._open(room)
            except Exception:
                log.exception("live room did not open", session=room.session)
                room.state = None
                room.failed = True
            room.ready.set()
            last = 0.0
            while True:
                if room.state is None or not room.state.live:
                    if room.state is not None and room.viewers:
                        self._end(room)
                    if not room.viewers:
                        break
                if room.empty_since is not None and (
                    time.monotonic() - room.empty_since > self.rules.empty_grace
                ):
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(room.wake.wait(), self.rules.refresh_seconds)
                room.wake.clear()
                # However often it is woken (a crowd joining at once), a room refreshes at most
                # four times a second.
                wait = last + self.rules.refresh_seconds / 4 - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                last = time.monotonic()
                try:
                    await self._refresh(room)
                except Exception:
                    log.exception("live room refresh failed", session=room.session)
        finally:
            self.rooms.pop(room.session, None)
            if room.flush_at is not None:
                room.flush_at.cancel()
            with contextlib.suppress(Exception):
                await self.bus.leave(room.session)
            with contextlib.suppress(Exception):
                gone = (room.gone_viewers, room.gone_accounts)
                await self.presence.report(room.session, (), (), time.time(), gone)

    async def _refresh(self, room: Room) -> None:
        now = self.clock.now()
        async with self.db.sessions() as db:
            room.state = await live.room_state(db, room.session, self.sales, now=now, on=now.date())
        self._sweep(room)
        gone = (room.gone_viewers, room.gone_accounts)
        room.gone_viewers, room.gone_accounts = set(), set()
        viewers, accounts = await self.presence.report(
            room.session, room.watching.keys(), room.signed_in.keys(), time.time(), gone
        )
        if room.likes_out:
            sent = room.likes_out
            room.likes_out = Counter()
            for account, count in sent.items():
                self.recorder.add(
                    Event(
                        type=EventType.LIKE,
                        ts=now,
                        actor=account,
                        session=room.session,
                        data={"count": count},
                    )
                )
            await self.bus.publish(room.session, {"t": "likes", "n": sum(sent.values())})
        shown = {**room.state.message(), "viewers": viewers, "signed_in": accounts}
        if shown != room.last_sent:
            room.last_sent = shown
            self._queue(room, shown)

    def _sweep(self, room: Room) -> None:
        """Viewers who stopped sending heartbeats are no longer counted, nor kept."""
        horizon = time.monotonic() - 3 * self.rules.heartbeat_seconds
        for viewer in [v for v in room.viewers if v.last_seen < horizon]:
            viewer.socket.close(CLOSE_STALE, "no heartbeat")
            self.leave(viewer)

    def _end(self, room: Room) -> None:
        if room.state is not None:
            self._queue(room, {**room.state.message(), "t": "ended"})
        if room.flush_at is not None:
            room.flush_at.cancel()
        self._flush(room)
        for viewer in list(room.viewers):
            viewer.socket.close(CLOSE_ENDED, "ended")
            self.leave(viewer)

    def figures(self) -> dict[str, Any]:
        return {
            "rooms": len(self.rooms),
            "viewers": sum(len(r.viewers) for r in self.rooms.values()),
            "dropped": self.dropped,
            "frames": self.frames_sent,
            "events_waiting": self.recorder.waiting,
        }

    def room_figures(self, session: str) -> dict[str, Any] | None:
        room = self.rooms.get(session)
        return dict(room.last_sent) if room is not None else None
