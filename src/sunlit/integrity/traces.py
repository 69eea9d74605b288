"""What one account did in one session, as the event stream records it, and the session's chat as
a supervisor reads it: for the pages a case links to. Pure: a `Stream` in, plain values out.

An account's trace is every time it joined (with the device, network address and app), what it
wrote, liked and ordered (with each order's fate), and which of its devices, network addresses
and delivery addresses other accounts in the same session used too: the marks of a ring that
the detectors weigh, shown so that a supervisor can check them one by one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sunlit.integrity.stream import Account, Order, Session, Stream

#: What a shared mark is: a device, a network address, or a delivery address (by its hash).
DEVICE, IP, ADDRESS = "device", "ip", "address"
#: Chat messages a page of the chat log shows.
CHAT_PAGE = 200


@dataclass(frozen=True)
class Join:
    ts: int
    device: str | None
    ip: str | None
    client: str | None


@dataclass(frozen=True)
class Said:
    """A chat message: its place in the session's chat (the log's anchor), time, author, text."""

    index: int
    ts: int
    account: str
    text: str


@dataclass(frozen=True)
class Shared:
    """A device, network address or delivery address this account used, and the other accounts
    of the session that used it too (sorted)."""

    kind: str
    value: str
    others: tuple[str, ...]


@dataclass
class Trace:
    account: str
    profile: Account | None
    joins: list[Join] = field(default_factory=list)
    left: list[int] = field(default_factory=list)
    said: list[Said] = field(default_factory=list)
    likes: int = 0
    shares: int = 0
    orders: list[Order] = field(default_factory=list)
    shared: list[Shared] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.joins or self.said or self.likes or self.shares or self.orders)


def moment(ms: int) -> datetime:
    """A stream's time (milliseconds since the epoch) as an aware moment."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _marks(session: Session) -> dict[tuple[str, str], set[str]]:
    """Every device, network address and delivery address of the session, and who used it."""
    users: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _, who, device, ip, _client in session.joins:
        if device:
            users[DEVICE, device].add(who)
        if ip:
            users[IP, ip].add(who)
    for o in session.orders:
        if o.account is None:
            continue
        if o.device:
            users[DEVICE, o.device].add(o.account)
        if o.ip:
            users[IP, o.ip].add(o.account)
        if o.address:
            users[ADDRESS, o.address].add(o.account)
    return users


def trace(stream: Stream, session_id: str, account: str) -> Trace:
    """The account's trace in the session (empty when the session never saw it)."""
    found = Trace(account, stream.accounts.get(account))
    session = stream.sessions.get(session_id)
    if session is None:
        return found
    found.joins = [Join(ts, d, ip, c) for ts, who, d, ip, c in session.joins if who == account]
    found.left = [ts for ts, who in session.leaves if who == account]
    found.said = [
        Said(i, ts, who, text) for i, (ts, who, text) in enumerate(session.chats) if who == account
    ]
    found.likes = sum(n for _, who, n in session.likes if who == account)
    found.shares = sum(1 for _, who in session.shares if who == account)
    found.orders = [o for o in session.orders if o.account == account]
    found.shared = [
        Shared(kind, value, tuple(sorted(users - {account})))
        for (kind, value), users in sorted(_marks(session).items())
        if account in users
    ]
    return found


def fate(order: Order) -> str:
    """Where an order ended, in the stream's own words (docs/events.md's order events)."""
    for state, moment in (
        ("refunded", order.refunded),
        ("cancelled", order.cancelled),
        ("delivered", order.delivered),
        ("shipped", order.shipped),
        ("paid", order.paid),
    ):
        if moment is not None:
            return state
    return "placed"


@dataclass(frozen=True)
class ChatPage:
    """One page of a session's chat, oldest first: the messages shown, how many match the
    filter in all, and the page's number (from 1) and the last page's."""

    messages: list[Said]
    matched: int
    page: int
    pages: int


def chat_log(
    session: Session | None,
    *,
    account: str | None = None,
    text: str | None = None,
    page: int = 1,
    size: int = CHAT_PAGE,
) -> ChatPage:
    """The session's chat, optionally only one account's or only messages containing ``text``
    (case and surrounding spaces ignored)."""
    chats = session.chats if session is not None else []
    needle = (text or "").strip().casefold()
    matched = [
        Said(i, ts, who, said)
        for i, (ts, who, said) in enumerate(chats)
        if (account is None or who == account) and needle in said.casefold()
    ]
    pages = max(1, -(-len(matched) // size))
    page = min(max(page, 1), pages)
    return ChatPage(matched[(page - 1) * size : page * size], len(matched), page, pages)


def page_of(index: int, size: int = CHAT_PAGE) -> int:
    """The page of the unfiltered chat log that shows the message at ``index``."""
    return index // size + 1
