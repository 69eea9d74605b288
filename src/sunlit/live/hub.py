"""The rooms one process serves. A room gathers what happens in it (chat from the bus, hides,
likes, its state read about once a second) and sends it to its viewers in frames: everything
of one tick goes out as one WebSocket frame, encoded once and written to every viewer's socket.
A viewer whose socket does not keep up (its send buffer passes the limit) is dropped, so a slow
phone cannot make the server hold an ever-growing queue."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog

from sunlit.core.clock import Clock
from sunlit.core.db import Database
from sunlit.core.eventlog import Event, EventType
from sunlit.core.i18n import catalog
from sunlit.core.ratelimit import AttemptCounter
from sunlit.live import services as live
from sunlit.live.bus import Bus, Presence
from sunlit.live.model import (
    HIDE_REASON_LABELS,
    REFUSAL_TEXT,
    Allowance,
    Chat,
    Heartbeat,
    HideReason,
    Like,
    Refusal,
    Share,
    Ticket,
    blocked_words,
    check_chat,
    encode_batch,
    parse_client,
    text_frame,
)
from sunlit.live.ports import SessionSales
from sunlit.live.recorder import EventRecorder
from sunlit.live.tickets import TicketBook
from sunlit.settings import Settings

log = structlog.get_logger(__name__)

CLOSE_REFUSED = 4003  # the ticket is not valid for this room
CLOSE_NOT_LIVE = 4004
CLOSE_ENDED = 4000
CLOSE_TICKET = 4001  # the ticket is used, expired or revoked: the page asks for a fresh one
CLOSE_STALE = 4008  # no heartbeat
CLOSE_TRY_AGAIN = 1013  # RFC 6455 "try again later": the page reconnects

#: The bus's process-wide channel (not a room: a session id always has a hyphen), on which
#: ``{"t": "revoke", "account": …}`` tells every process to close that account's sockets.
ACCOUNTS = "accounts"


class Socket(Protocol):
    """What the hub needs of a viewer's connection (picows' transport in production)."""

    def offer(self, frame: bytes, limit: int) -> bool:
        """Write ``frame`` unless more than ``limit`` bytes are still waiting to go out
        (then write nothing and answer False)."""
        ...

    def close(self, code: int, reason: str) -> None: ...

    def abort(self) -> None: ...


@dataclass(eq=False)
class Viewer:
    ticket: Ticket
    socket: Socket
    ip: str
    last_seen: float = field(default_factory=time.monotonic)
    room: Room | None = None
    frames: Allowance = field(default_factory=lambda: Allowance(limit=20, window=1.0))
    shares: Allowance = field(default_factory=lambda: Allowance(limit=3, window=60.0))
    gone: bool = False
    # One viewer's messages are handled one at a time, so they are published in the order sent
    # (each waits on the rate counter, which with Redis is a round trip).
    chat_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    max_buffer: int = 256 * 1024

    def send(self, messages: list[dict[str, Any]]) -> None:
        """One viewer's own frame (hello, refusals). A client that keeps sending but does not
        read is dropped here as in the room's frames, not allowed to grow the buffer."""
        if not self.gone and not self.socket.offer(
            text_frame(encode_batch(messages)), self.max_buffer
        ):
            self.gone = True
            self.socket.abort()

    def refuse(self, refusal: Refusal, *, reason: str | None = None, limit: int = 0) -> None:
        """``reason``: a hide reason's value (muted), shown in the viewer's language."""
        texts = catalog(self.ticket.language)
        shown = texts.gettext(HIDE_REASON_LABELS[HideReason(reason)]) if reason else ""
        text = texts.gettext(REFUSAL_TEXT[refusal]) % {"reason": shown, "limit": limit}
        self.send([{"t": "error", "code": refusal.value, "message": text}])


@dataclass(eq=False)
class Room:
    session: str
    viewers: set[Viewer] = field(default_factory=set)
    watching: Counter[str] = field(default_factory=Counter)  # viewer id → connections
    signed_in: Counter[str] = field(default_factory=Counter)  # account → connections
    history: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=50))
    pending: list[dict[str, Any]] = field(default_factory=list)
    flush_at: asyncio.TimerHandle | None = None
    likes: int = 0
    likes_out: Counter[str] = field(default_factory=Counter)  # this process's, not yet sent
    muted: dict[str, str] = field(default_factory=dict)
    state: live.RoomState | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    last_sent: dict[str, Any] = field(default_factory=dict)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    empty_since: float | None = None
    failed: bool = False  # it could not be opened; the next viewer to come opens it again
    gone_viewers: set[str] = field(default_factory=set)  # left since the last presence report
    gone_accounts: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class HubRules:
    frame_seconds: float
    refresh_seconds: float
    heartbeat_seconds: float
    max_buffer: int
    chat_max_chars: int
    chat_limit: int
    chat_window: int
    blocked: tuple[str, ...]
    history: int = live.CHAT_HISTORY
    empty_grace: float = 30.0

    @classmethod
    def of(cls, settings: Settings) -> HubRules:
        return cls(
            frame_seconds=settings.live_frame_ms / 1000,
            refresh_seconds=1.0,
            heartbeat_seconds=settings.live_heartbeat_seconds,
            max_buffer=settings.live_max_buffer_bytes,
            chat_max_chars=settings.live_chat_max_chars,
            chat_limit=settings.live_chat_messages,
            chat_window=settings.live_chat_window_seconds,
            blocked=blocked_words(settings.live_blocked_words),
        )


class Hub:
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
        self.recorder = EventRecorder(db)
        self.rooms: dict[str, Room] = {}
        self.dropped = 0  # viewers dropped for not keeping up
        self.frames_sent = 0
        self._tasks: set[asyncio.Task[Any]] = set()
        self._admitting: set[Viewer] = set()  # connected, not yet in their room
        bus.attach(self._deliver)

    async def start(self) -> None:
        """Listen for revocations (every process that serves viewers, from its start)."""
        await self.bus.join(ACCOUNTS)

    # --- viewers -------------------------------------------------------------------------

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

    def _close_account(self, account: str) -> None:
        for viewer in [v for v in self._admitting if v.ticket.account == account]:
            viewer.gone = True  # redeemed just before the revocation: it joins no room
            viewer.socket.close(CLOSE_TICKET, "access revoked")
        for room in list(self.rooms.values()):
            for viewer in [v for v in room.viewers if v.ticket.account == account]:
                viewer.socket.close(CLOSE_TICKET, "access revoked")
                self.leave(viewer)

    async def join(self, viewer: Viewer) -> None:
        session = viewer.ticket.session
        room = await self._room(session)
        if room.failed:  # the database or Redis did not answer: not the room's fault
            viewer.socket.close(CLOSE_TRY_AGAIN, "try again later")
            self._maybe_empty(room)
            return
        if room.state is None or not room.state.live:
            viewer.refuse(Refusal.ROOM_CLOSED)
            viewer.socket.close(CLOSE_NOT_LIVE, "not live")
            self._maybe_empty(room)
            return
        if viewer.gone:
            self._maybe_empty(room)
            return
        viewer.room = room
        room.viewers.add(viewer)
        room.watching[viewer.ticket.viewer] += 1
        room.gone_viewers.discard(viewer.ticket.viewer)
        if viewer.ticket.account:
            room.signed_in[viewer.ticket.account] += 1
            room.gone_accounts.discard(viewer.ticket.account)
        room.empty_since = None
        room.wake.set()  # count the newcomer soon, not at the next whole second
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

    def leave(self, viewer: Viewer) -> None:
        viewer.gone = True
        room = viewer.room
        if room is None or viewer not in room.viewers:
            return
        room.viewers.discard(viewer)
        gone_viewer = _forget(room.watching, viewer.ticket.viewer)
        gone_account = viewer.ticket.account and _forget(room.signed_in, viewer.ticket.account)
        # Shared counts forget them at the next report rather than when their last sighting
        # expires.
        if gone_viewer:
            room.gone_viewers.add(viewer.ticket.viewer)
        if gone_account and viewer.ticket.account:
            room.gone_accounts.add(viewer.ticket.account)
        if gone_viewer or gone_account:
            room.wake.set()
        self._record(EventType.VIEWER_LEFT, viewer, {})
        self._maybe_empty(room)

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
        message = live.chat_message(event.id, account, viewer.ticket.name, shown, event.ts)
        await self.bus.publish(room.session, message)

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

    # --- what the bus brings ---------------------------------------------------------------

    async def announce(self, session: str, message: dict[str, Any]) -> None:
        """Tell every process serving ``session`` (moderation, pins)."""
        await self.bus.publish(session, message)

    def _deliver(self, session: str, message: dict[str, Any]) -> None:
        if session == ACCOUNTS:
            if message.get("t") == "revoke":
                self._close_account(str(message["account"]))
            return
        room = self.rooms.get(session)
        if room is None:
            return
        kind = message.get("t")
        if kind == "chat":
            room.history.append(message)
            self._queue(room, message)
        elif kind == "hide":
            hidden = message["id"]
            kept = (m for m in room.history if m["id"] != hidden)
            room.history = deque(kept, maxlen=self.rules.history)
            self._queue(room, message)
        elif kind == "likes":
            room.likes += int(message["n"])
            self._queue(room, {"t": "likes", "total": room.likes})
        elif kind == "mute":
            room.muted[message["account"]] = message["reason"]
            for viewer in room.viewers:
                if viewer.ticket.account == message["account"]:
                    viewer.send([{"t": "muted", "reason": message["reason"]}])
        elif kind == "unmute":
            room.muted.pop(message["account"], None)
            for viewer in room.viewers:
                if viewer.ticket.account == message["account"]:
                    viewer.send([{"t": "muted", "reason": None}])
        elif kind == "refresh":
            room.wake.set()

    # --- frames ------------------------------------------------------------------------------

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

    # --- the room's own loop ---------------------------------------------------------------

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
            history, likes = await live.recent_chat(db, room.session, limit=self.rules.history)
            room.muted = await live.mutes_of(db, room.session)
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

    def _maybe_empty(self, room: Room) -> None:
        if not room.viewers and room.empty_since is None:
            room.empty_since = time.monotonic()

    # --- figures and shutdown ----------------------------------------------------------------

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


def _forget(counter: Counter[str], key: str) -> bool:
    """One connection fewer under ``key``; True when it was the last."""
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]
        return True
    return False
