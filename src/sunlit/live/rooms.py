"""A live room and its viewers as one process keeps them: each viewer's connection and
allowances, each room's viewers, counts, chat history and pending frame; and the hub's rules."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Protocol

from sunlit.core.i18n import catalog
from sunlit.live import chat
from sunlit.live import services as live
from sunlit.live.model import (
    HIDE_REASON_LABELS,
    REFUSAL_TEXT,
    Allowance,
    HideReason,
    Refusal,
    Ticket,
    blocked_words,
    encode_batch,
    text_frame,
)
from sunlit.settings import Settings

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

    def enter(self, viewer: Viewer) -> None:
        viewer.room = self
        self.viewers.add(viewer)
        self.watching[viewer.ticket.viewer] += 1
        self.gone_viewers.discard(viewer.ticket.viewer)
        if viewer.ticket.account:
            self.signed_in[viewer.ticket.account] += 1
            self.gone_accounts.discard(viewer.ticket.account)
        self.empty_since = None
        self.wake.set()  # count the newcomer soon, not at the next whole second

    def part(self, viewer: Viewer) -> bool:
        """Forget one of the room's viewers (False: it was not one)."""
        if viewer not in self.viewers:
            return False
        self.viewers.discard(viewer)
        gone_viewer = _forget(self.watching, viewer.ticket.viewer)
        gone_account = viewer.ticket.account and _forget(self.signed_in, viewer.ticket.account)
        # Shared counts forget them at the next report rather than when their last sighting
        # expires.
        if gone_viewer:
            self.gone_viewers.add(viewer.ticket.viewer)
        if gone_account and viewer.ticket.account:
            self.gone_accounts.add(viewer.ticket.account)
        if gone_viewer or gone_account:
            self.wake.set()
        return True

    def maybe_empty(self) -> None:
        if not self.viewers and self.empty_since is None:
            self.empty_since = time.monotonic()

    def take(self, message: dict[str, Any], *, history: int) -> dict[str, Any] | None:
        """What the bus brought for this room: kept in its history and counts, told to the
        viewers it concerns; returns what goes out to every viewer in the next frame."""
        kind = message.get("t")
        if kind == "chat":
            self.history.append(message)
            return message
        if kind == "hide":
            hidden = message["id"]
            kept = (m for m in self.history if m["id"] != hidden)
            self.history = deque(kept, maxlen=history)
            return message
        if kind == "likes":
            self.likes += int(message["n"])
            return {"t": "likes", "total": self.likes}
        if kind in ("mute", "unmute"):
            reason = message["reason"] if kind == "mute" else None
            if reason is None:
                self.muted.pop(message["account"], None)
            else:
                self.muted[message["account"]] = reason
            for viewer in self.viewers:
                if viewer.ticket.account == message["account"]:
                    viewer.send([{"t": "muted", "reason": reason}])
        elif kind == "refresh":
            self.wake.set()
        return None


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
    history: int = chat.CHAT_HISTORY
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


def _forget(counter: Counter[str], key: str) -> bool:
    """One connection fewer under ``key``; True when it was the last."""
    counter[key] -= 1
    if counter[key] <= 0:
        del counter[key]
        return True
    return False
