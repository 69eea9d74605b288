"""The live room's rules, pure: the wire protocol, chat checks, the per-account chat allowance,
moderation reasons, pins and timed offers, viewer tickets, and the WebSocket frame every viewer
of a room receives. Nothing here touches a socket, a database or the clock."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import unicodedata
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson

from sunlit.core.errors import N_
from sunlit.core.text import has_control_characters


class Refusal(StrEnum):
    """Why a client's message was not accepted; each has a message in the client's language."""

    NOT_JSON = "not_json"
    UNKNOWN_TYPE = "unknown_type"
    BAD_FIELD = "bad_field"
    BINARY = "binary"
    TOO_LONG = "too_long"
    EMPTY = "empty"
    TOO_FAST = "too_fast"
    BLOCKED_WORD = "blocked_word"
    MUTED = "muted"
    SIGN_IN = "sign_in"
    ROOM_CLOSED = "room_closed"


REFUSAL_TEXT = {
    Refusal.NOT_JSON: N_("That message is not one this room understands (not JSON)."),
    Refusal.UNKNOWN_TYPE: N_("That message is not one this room understands."),
    Refusal.BAD_FIELD: N_("That message has a missing or wrong field."),
    Refusal.BINARY: N_("This room takes text messages only."),
    Refusal.TOO_LONG: N_("A chat message is at most %(limit)s characters."),
    Refusal.EMPTY: N_("Write something first."),
    Refusal.TOO_FAST: N_("You are sending messages too fast; wait a few seconds."),
    Refusal.BLOCKED_WORD: N_("Your message contains a word this room does not allow."),
    Refusal.MUTED: N_("You have been muted in this room: %(reason)s"),
    Refusal.SIGN_IN: N_("Sign in to chat, like or share."),
    Refusal.ROOM_CLOSED: N_("This room is not live."),
}

SHARE_CHANNELS = ("link", "wechat", "weibo", "qq", "other")
MAX_LIKES_PER_MESSAGE = 50


@dataclass(frozen=True, slots=True)
class Chat:
    text: str


@dataclass(frozen=True, slots=True)
class Like:
    count: int


@dataclass(frozen=True, slots=True)
class Share:
    channel: str


@dataclass(frozen=True, slots=True)
class Heartbeat:
    pass


ClientMessage = Chat | Like | Share | Heartbeat


def parse_client(raw: str) -> ClientMessage | Refusal:
    """One text frame from a viewer: ``{"t": "chat", "text": …}``, ``{"t": "like", "n": 3}``,
    ``{"t": "share", "channel": "wechat"}`` or ``{"t": "hb"}``."""
    try:
        message = orjson.loads(raw)
    except (orjson.JSONDecodeError, RecursionError):
        return Refusal.NOT_JSON
    if not isinstance(message, dict):
        return Refusal.NOT_JSON
    kind = message.get("t")
    if kind == "hb":
        return Heartbeat()
    if kind == "chat":
        text = message.get("text")
        return Chat(text) if isinstance(text, str) else Refusal.BAD_FIELD
    if kind == "like":
        count = message.get("n", 1)
        if type(count) is not int or not 1 <= count <= MAX_LIKES_PER_MESSAGE:
            return Refusal.BAD_FIELD
        return Like(count)
    if kind == "share":
        channel = message.get("channel")
        return Share(channel) if channel in SHARE_CHANNELS else Refusal.BAD_FIELD
    return Refusal.UNKNOWN_TYPE


def normalise(text: str) -> str:
    """For matching blocked words: NFKC (full-width to half-width), case folded, without
    spaces and punctuation a sender might put between characters to slip through."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if unicodedata.category(c)[0] in ("L", "N"))


def blocked_words(setting: str) -> tuple[str, ...]:
    return tuple(w for w in (normalise(part) for part in setting.split(",")) if w)


def check_chat(
    text: str, *, max_chars: int, blocked: tuple[str, ...]
) -> tuple[str, Refusal | None]:
    """The text as it will be shown (trimmed, NFC) and why it cannot be, if it cannot."""
    shown = unicodedata.normalize("NFC", text).strip()
    if not shown:
        return shown, Refusal.EMPTY
    if len(shown) > max_chars:
        return shown, Refusal.TOO_LONG
    if has_control_characters(shown):
        return shown, Refusal.BAD_FIELD
    plain = normalise(shown)
    if any(word in plain for word in blocked):
        return shown, Refusal.BLOCKED_WORD
    return shown, None


@dataclass(slots=True)
class Allowance:
    """At most ``limit`` messages in any ``window`` seconds (a sliding window of times)."""

    limit: int
    window: float
    sent: deque[float] = field(default_factory=deque)

    def take(self, now: float) -> bool:
        while self.sent and self.sent[0] <= now - self.window:
            self.sent.popleft()
        if len(self.sent) >= self.limit:
            return False
        self.sent.append(now)
        return True


class HideReason(StrEnum):
    """A comment may be hidden only for abuse (网络直播营销管理办法 art. 21: unfavourable comments
    are not to be suppressed). There is deliberately no reason such as "negative" or "off-topic"."""

    INSULT = "insult"
    SPAM = "spam"
    FRAUD = "fraud"
    PRIVACY = "privacy"
    ILLEGAL = "illegal"


HIDE_REASON_LABELS = {
    HideReason.INSULT: N_("Insult or harassment"),
    HideReason.SPAM: N_("Advertising or spam"),
    HideReason.FRAUD: N_("Fraud or a lure off the platform"),
    HideReason.PRIVACY: N_("Someone's personal information"),
    HideReason.ILLEGAL: N_("Illegal content"),
}


LABELS = {
    "room_status": {
        "approved": N_("Starting soon"),
        "live": N_("Live"),
        "ended": N_("Ended"),
    },
    "hide_reason": {reason.value: text for reason, text in HIDE_REASON_LABELS.items()},
    "moderation": {
        "chat.hidden": N_("Message hidden"),
        "chat.muted": N_("Account muted"),
        "chat.unmuted": N_("Account unmuted"),
        "review.hidden": N_("Review hidden"),
        "review.unhidden": N_("Review shown again"),
    },
}


@dataclass(frozen=True, slots=True)
class Pin:
    """What a room presents: a product, and when a timed offer on it ends (None: no timer)."""

    product: str | None
    offer_ends_at: datetime | None = None


def current_pin(pin: Pin, now: datetime) -> Pin:
    """The pin as it stands at ``now``: a timed offer that has run out presents nothing."""
    if pin.product is not None and pin.offer_ends_at is not None and now >= pin.offer_ends_at:
        return Pin(None)
    return pin


# Viewer tickets: the room page signs who is watching; the WebSocket server checks the signature
# and the age without a database round trip, and redeems the ticket's nonce in the ticket book
# (live.tickets), which lets it open one connection, and only while the account's access stands.
# A ticket is good for about a minute; the page asks for a new one whenever it reconnects.


@dataclass(frozen=True, slots=True)
class Ticket:
    session: str
    viewer: str  # a stable id of the browser (a cookie), for counting distinct viewers
    account: str | None  # the signed-in account, or None for an anonymous viewer
    name: str  # how the viewer is shown in chat
    language: str
    expires: int  # unix seconds
    moderator: bool = False
    nonce: str = ""  # redeemed once, when the WebSocket connects

    def expired(self, now: float) -> bool:
        return self.expires < now


def _mac(secret: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), b"live-ticket|" + body, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def sign_ticket(ticket: Ticket, secret: str) -> str:
    fields = [
        ticket.session,
        ticket.viewer,
        ticket.account or "",
        ticket.name,
        ticket.language,
        ticket.expires,
        int(ticket.moderator),
        ticket.nonce,
    ]
    body = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(body).decode().rstrip("=") + "." + _mac(secret, body)


def read_ticket(token: str, secret: str) -> Ticket | None:
    """The ticket, if the signature holds (whether it has expired is :meth:`Ticket.expired`)."""
    encoded, _, mac = token.partition(".")
    if not mac.isascii():
        return None
    try:
        body = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        return None
    if not hmac.compare_digest(_mac(secret, body), mac):
        return None
    try:
        session, viewer, account, name, language, expires, moderator, nonce = json.loads(body)
    except ValueError:
        return None
    return Ticket(session, viewer, account or None, name, language, expires, bool(moderator), nonce)


# Server → client. Every frame is a JSON array of messages, so one frame carries everything a
# room produced in one tick, and it is encoded once for all of the room's viewers.


def text_frame(payload: bytes) -> bytes:
    """An unmasked, final WebSocket text frame (RFC 6455 §5.2) carrying ``payload``."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


def encode_batch(messages: list[dict[str, Any]]) -> bytes:
    return orjson.dumps(messages)
