"""Everything a simulation will write, held as columns (numpy arrays per event kind) until the
writer sorts it by time and turns it into JSON Lines. Holding columns, not dicts, is what lets a
600,000-viewer evening be generated in seconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

I64 = NDArray[np.int64]

#: The columns of each kind, in the order `Tape.add` takes them.
KINDS: dict[str, tuple[str, ...]] = {
    "account": ("ts", "account", "role", "device", "ip", "phone", "org"),
    "join": ("ts", "account", "session", "device", "ip", "client"),
    "leave": ("ts", "account", "session"),
    "chat": ("ts", "account", "session", "text"),
    "like": ("ts", "account", "session", "count"),
    "share": ("ts", "account", "session", "channel"),
    "order": (
        "ts",
        "account",
        "session",
        "product",
        "qty",
        "unit_price",
        "region",
        "address",
        "device",
        "ip",
        "payment",
    ),
    "paid": ("ts", "order", "session"),
    "cancelled": ("ts", "order", "session", "reason"),
    "refunded": ("ts", "order", "session", "amount", "reason"),
    "shipped": ("ts", "order", "session", "carrier"),
    "delivered": ("ts", "order", "session"),
    "complaint": ("ts", "order", "session", "account", "category", "text"),
    "review": ("ts", "order", "session", "account", "stars", "text"),
}

ROLES = ("consumer", "farmer", "official", "supervisor", "operator")


@dataclass
class Labels:
    """Ground truth: which accounts, orders, products and sessions belong to which abuse."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        scenario: str,
        rule: str,
        session: str | None,
        camouflage: str,
        *,
        accounts: list[str] | None = None,
        orders: list[str] | None = None,
        products: list[str] | None = None,
        **details: Any,
    ) -> None:
        self.entries.append(
            {
                "scenario": scenario,
                "rule": rule,
                "session": session,
                "camouflage": camouflage,
                "accounts": sorted(accounts or []),
                "orders": sorted(orders or []),
                "products": sorted(products or []),
                "details": details,
            }
        )


class Tape:
    def __init__(self) -> None:
        self.columns: dict[str, dict[str, list[I64]]] = {
            kind: {name: [] for name in names} for kind, names in KINDS.items()
        }
        self.texts: list[str] = []  # chat, complaint and review texts, by index
        self.orgs: list[str] = []
        self.misc: list[tuple[int, str, str | None, str | None, dict[str, Any]]] = []
        self.accounts = 0
        self.orders = 0
        self.labels = Labels()

    def add(self, kind: str, **cols: Any) -> None:
        names = KINDS[kind]
        if set(cols) != set(names):
            raise ValueError(f"{kind}: expected columns {names}, got {sorted(cols)}")
        n = len(np.atleast_1d(cols["ts"]))
        for name in names:
            value = np.asarray(cols[name], dtype=np.int64)
            self.columns[kind][name].append(np.broadcast_to(value, (n,)).copy())

    def new_accounts(self, n: int) -> I64:
        first = self.accounts
        self.accounts += n
        return np.arange(first, first + n, dtype=np.int64)

    def new_orders(self, n: int) -> I64:
        first = self.orders
        self.orders += n
        return np.arange(first, first + n, dtype=np.int64)

    def text_ids(self, texts: list[str]) -> I64:
        first = len(self.texts)
        self.texts.extend(texts)
        return np.arange(first, first + len(texts), dtype=np.int64)

    def org(self, name: str) -> int:
        if name not in self.orgs:
            self.orgs.append(name)
        return self.orgs.index(name)

    def event(
        self, ts: int, type_: str, session: str | None, actor: str | None, data: dict[str, Any]
    ) -> None:
        """A rare event (filings, listings, pins, claims, reports), kept as a dict."""
        self.misc.append((ts, type_, session, actor, data))

    def column(self, kind: str, name: str) -> I64:
        parts = self.columns[kind][name]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def size(self) -> int:
        return len(self.misc) + sum(
            sum(len(part) for part in cols["ts"]) for cols in self.columns.values()
        )


def account_id(index: int) -> str:
    return f"a-{index}"


def order_id(index: int) -> str:
    return f"o-{index}"


def session_id(index: int) -> str:
    return f"s-{index + 1:04d}"
