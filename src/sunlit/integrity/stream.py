"""A stream of events (docs/events.md) arranged for the detectors: accounts, products and
orders by id, and per session its filing, shelf, audience, chat and orders, in time order.
Times are integer milliseconds since the epoch; money is integer fen."""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import Any


@dataclass(slots=True)
class Account:
    id: str
    created: int | None = None
    role: str | None = None
    device: str | None = None
    ip: str | None = None
    org: str | None = None


@dataclass(slots=True)
class Product:
    id: str
    name: str = ""
    category: str = ""
    producer: str = ""
    producer_kind: str = ""
    price: int | None = None
    low: int | None = None
    high: int | None = None
    cost: int | None = None
    listed: int | None = None
    changes: list[tuple[int, int]] = field(default_factory=list)  # (ts, price)
    #: (ts, price, reason): the producer's clearance on a `product.price_changed` — the only
    #: clearance for selling below cost; words in the official's filing are none.
    clearances: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass(slots=True)
class Order:
    id: str
    session: str | None
    account: str | None
    product: str
    ts: int
    qty: int
    unit_price: int
    amount: int
    region: str | None
    address: str | None
    device: str | None
    ip: str | None
    payment: str | None
    paid: int | None = None
    cancelled: int | None = None
    refunded: int | None = None
    refund_amount: int = 0
    shipped: int | None = None
    delivered: int | None = None
    complaints: list[str] = field(default_factory=list)  # categories

    @property
    def gone(self) -> bool:
        """Cancelled or refunded: not a sale any more."""
        return self.cancelled is not None or self.refunded is not None


@dataclass(slots=True)
class Session:
    id: str
    filed: dict[str, Any] | None = None
    filed_by: str | None = None
    started: int | None = None
    ended: int | None = None
    pins: list[tuple[int, str]] = field(default_factory=list)
    joins: list[tuple[int, str, str | None, str | None, str | None]] = field(default_factory=list)
    leaves: list[tuple[int, str]] = field(default_factory=list)
    chats: list[tuple[int, str, str]] = field(default_factory=list)
    likes: list[tuple[int, str, int]] = field(default_factory=list)
    shares: list[tuple[int, str]] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    claims: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    reports: list[tuple[int, str, str]] = field(default_factory=list)  # ts, category, text

    @property
    def official(self) -> str | None:
        if self.filed and isinstance(self.filed.get("official"), str):
            return str(self.filed["official"])
        return self.filed_by


@dataclass
class Stream:
    accounts: dict[str, Account] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    orders: dict[str, Order] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    reports: list[tuple[int, str | None, str, str]] = field(default_factory=list)
    events: int = 0

    def session(self, sid: str) -> Session:
        found = self.sessions.get(sid)
        if found is None:
            found = self.sessions[sid] = Session(sid)
        return found

    def account(self, aid: str) -> Account:
        found = self.accounts.get(aid)
        if found is None:
            found = self.accounts[aid] = Account(aid)
        return found

    def created(self, aid: str) -> int | None:
        """When the account was registered, if the stream says (without adding it)."""
        known = self.accounts.get(aid)
        return None if known is None else known.created

    def product(self, pid: str) -> Product:
        found = self.products.get(pid)
        if found is None:
            found = self.products[pid] = Product(pid)
        return found

    def finish(self) -> None:
        """Sort what arrived out of order (stable: ties keep file order) and give each session
        its products."""
        by_ts = itemgetter(0)
        for s in self.sessions.values():
            for items in (
                s.pins,
                s.joins,
                s.leaves,
                s.chats,
                s.likes,
                s.shares,
                s.claims,
                s.reports,
            ):
                items.sort(key=by_ts)
            s.orders.sort(key=attrgetter("ts"))
            listed = list(s.filed.get("products", [])) if s.filed else []
            seen = dict.fromkeys(str(p) for p in listed if isinstance(p, str))
            for _, pid in s.pins:
                seen.setdefault(pid)
            for o in s.orders:
                seen.setdefault(o.product)
            s.products = list(seen)
        for p in self.products.values():
            p.changes.sort(key=by_ts)
            p.clearances.sort(key=by_ts)
