"""The parts of fake_orders that read what became of orders and what ties accounts: orders
gone bad (refunded, cancelled after the session, paid and never shipped), a group's outcome
against everyone else's, the devices, addresses and IPs its accounts share, and the groups
of a session's buyers linked through shared delivery addresses or phones (issue 19). Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Protocol

from sunlit.integrity.stream import Order, Stream


class OutcomeSettings(Protocol):
    """The settings these read (fake_orders' `Settings` has them)."""

    @property
    def shipped_share(self) -> float: ...
    @property
    def clientele_share(self) -> float: ...


def marks(o: Order) -> list[str]:
    """The order's delivery address hash, device and IP as columns of the graph."""
    return [f"@{kind}:{v}" for kind, v in (("a", o.address), ("d", o.device), ("i", o.ip)) if v]


def linked_groups(orders: list[Order]) -> list[set[str]]:
    """The buyers of ``orders`` joined when they share a delivery address or a phone (not an
    IP: offices and carriers put many honest buyers behind one), as connected groups."""
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for o in orders:
        if not o.account:
            continue
        for kind, value in (("a", o.address), ("d", o.device)):
            if value:
                parent[root("=" + o.account)] = root(f"{kind}:{value}")
    groups: defaultdict[str, set[str]] = defaultdict(set)
    for o in orders:
        if o.account:
            groups[root("=" + o.account)].add(o.account)
    return list(groups.values())


def sessions_of(stream: Stream, orders: list[Order]) -> list[tuple[str, list[Order]]]:
    """``orders`` by session, for the sessions the stream has (in the order first seen)."""
    by_session: defaultdict[str | None, list[Order]] = defaultdict(list)
    for o in orders:
        by_session[o.session].append(o)
    return [(sid, mine) for sid, mine in by_session.items() if sid and sid in stream.sessions]


def gone_bad(stream: Stream, orders: list[Order], s: OutcomeSettings) -> tuple[set[str], set[str]]:
    """Orders that did not end as sales: refunded, or cancelled after their session ended; and
    apart, those paid, never cancelled nor refunded and never shipped. The latter count as bad
    only beside shipped orders: here, when at least ``shipped_share`` of the session's other
    such orders shipped (a stream read before shipping names none); for a ring, when the
    orders of the session outside it did (`never_shipped`)."""
    kept: defaultdict[str | None, list[Order]] = defaultdict(list)
    for o in orders:
        if o.paid is not None and not o.gone:
            kept[o.session].append(o)
    shipped = {sid: sum(o.shipped is not None for o in mine) for sid, mine in kept.items()}
    bad: set[str] = set()
    unshipped: set[str] = set()
    for o in orders:
        session = stream.sessions.get(o.session) if o.session else None
        end = session.ended if session is not None else None
        if o.refunded is not None or (o.cancelled is not None and end and o.cancelled > end):
            bad.add(o.id)
        elif o.paid is not None and not o.gone and o.shipped is None:
            unshipped.add(o.id)
            others = len(kept[o.session]) - 1
            if others > 0 and shipped[o.session] >= s.shipped_share * others:
                bad.add(o.id)
    return bad, unshipped


def never_shipped(
    orders: list[Order], mine: list[Order], unshipped: set[str], s: OutcomeSettings
) -> set[str]:
    """The ring's paid orders never shipped, in sessions where at least ``shipped_share`` of
    the paid, kept orders outside the ring shipped: a ring that is most of its session's
    orders is not the session's norm."""
    ids = {o.id for o in mine}
    sessions = {o.session for o in mine if o.id in unshipped}
    kept: Counter[str | None] = Counter()
    went: Counter[str | None] = Counter()
    for o in orders:
        if o.session in sessions and o.id not in ids and o.paid is not None and not o.gone:
            kept[o.session] += 1
            went[o.session] += o.shipped is not None
    return {
        o.id
        for o in mine
        if o.id in unshipped
        and kept[o.session]
        and went[o.session] >= s.shipped_share * kept[o.session]
    }


def outcome(orders: list[Order], mine: list[Order], bad: set[str]) -> tuple[int, float, float]:
    """How many of the ring's orders went bad, the binomial tail of that many against the rate
    of everyone else's orders (shrunk toward 5% with the weight of 20 orders), and that rate."""
    from scipy.stats import binom

    ids = {o.id for o in mine}
    went_bad = sum(o.id in bad for o in mine)
    others = len(orders) - len(ids)
    others_bad = len(bad - ids)
    rate = (others_bad + 1.0) / (others + 20.0)
    tail = float(binom.sf(went_bad - 1, len(mine), min(rate, 1.0))) if went_bad else 1.0
    return went_bad, tail, others_bad / others if others else 0.0


def clientele(
    orders: list[Order],
    members: set[str],
    mine: list[Order],
    marks: dict[str, int],
    s: OutcomeSettings,
) -> bool:
    """The block is most of the buyers of the sessions it reaches (more than
    ``clientele_share``) and most of its accounts share neither a phone nor a delivery address
    with another: a room's own regulars, each buying much, not a ring."""
    sessions = {o.session for o in mine}
    buyers = {o.account for o in orders if o.session in sessions}
    shared = max(marks["a"], marks["d"])
    return len(members) > s.clientele_share * len(buyers) and shared < s.clientele_share * len(
        members
    )


def shared_marks(mine: list[Order]) -> dict[str, int]:
    """Per kind of mark (a address, d device, i IP), the accounts that share one with another
    account of the ring."""
    groups: defaultdict[str, set[str]] = defaultdict(set)
    for o in mine:
        for m in marks(o):
            groups[m].add(str(o.account))
    out: dict[str, set[str]] = {"a": set(), "d": set(), "i": set()}
    for m, accounts in groups.items():
        if len(accounts) > 1:
            out[m[1]] |= accounts
    return {k: len(v) for k, v in out.items()}


def households(mine: list[Order], bad: set[str]) -> set[str]:
    """Accounts of a ring that are a household beside it rather than of it: two accounts tied
    by a delivery address or phone to each other and to no one else in the ring, neither with
    an order gone bad."""
    ties: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    for o in mine:
        for key in (("a", o.address), ("d", o.device)):
            if key[1] and o.account:
                ties[(key[0], key[1])].add(o.account)
    links: defaultdict[str, set[str]] = defaultdict(set)
    for group in ties.values():
        for a in group:
            links[a] |= group - {a}
    spoilt = {o.account for o in mine if o.id in bad}
    out: set[str] = set()
    for a, others in links.items():
        if len(others) == 1:
            (b,) = others
            if links[b] == {a} and not {a, b} & spoilt:
                out |= {a, b}
    return out
