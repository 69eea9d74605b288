"""fake_orders — brushing (刷单), pre-arranged orders, order then refund.

FRAUDAR-style dense blocks: buyers × columns as a bipartite graph. The columns are each
(session, product) the buyer ordered, edges weighted by the orders on it, and each delivery
address hash, device and IP that two or more buyers ordered with, edges weighted by the buyer's
orders carrying it; every edge is divided by log(column degree + 5), so popular products and
crowded addresses weigh less and honest buyers of them hide nothing. Greedy peeling finds the
densest block; the top blocks are taken in turn (blocks of fewer than ``min_accounts`` accounts,
a couple on one phone, are peeled off without counting). Peeling sheds a ring's lighter members
once the heavier ones have raised the density above them, so accounts that buy the block's
products at least half as heavily as its median member rejoin it. A ring's members are the
block's accounts with several orders in it (an account that only rejoined it also needs an order
gone bad, orders in several sessions or twice as many orders: in a big room a few honest buyers
order three times in one evening), or sharing a device or delivery hash with an account the
peeling kept (an IP is too weak a tie: offices and carriers put many honest buyers behind one),
and then everyone on the members' shared phones and drop addresses. The ring's orders are its
members' orders in the sessions it reached.

Density alone is not a ring: a family shares an address, an office an IP, and a ring alone in
a small session is the whole graph, no denser than itself. A block is a ring when it is dense
against the whole graph with several orders per account (the ring that buys together across
sessions), or when its members' orders went bad — refunded, cancelled after the session, or
paid and never shipped while most other paid orders of the session shipped — far more often
than everyone else's (at least ``bad_share`` of them, binomial tail ≤ ``p_value`` against the
others' rate), or when its members share both devices and delivery addresses or IPs (at least
``min_accounts`` accounts and ``tied_share`` of the members on each kind of mark) with
``min_orders_per_member`` orders each — that many times what the room's other buyers of the
same products usually ordered (`_habit`). A dense block of most of its sessions' buyers, most of
them sharing no phone and no address, is the room's regulars (`_clientele`), not a ring.

Then groups of a session's buyers linked by shared addresses or phones whose orders went bad
(`_linked`), and rings of an order or two per account on their own phones and addresses
(`order_bursts`): repeat buyers whose every order went bad, and bursts of one product's orders
that went bad together. How each finding reads: `order_findings`."""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from statistics import median

from sunlit.integrity.detectors.order_bursts import few_each
from sunlit.integrity.detectors.order_findings import ring_finding
from sunlit.integrity.detectors.order_outcomes import (
    clientele,
    gone_bad,
    households,
    linked_groups,
    marks,
    never_shipped,
    outcome,
    sessions_of,
    shared_marks,
)
from sunlit.integrity.model import Finding
from sunlit.integrity.stream import Order, Stream

RULE = "fake_orders"
Node = tuple[str, str]


@dataclass(frozen=True)
class Settings:
    blocks: int = 10  # dense blocks of at least min_accounts looked at, in turn …
    max_peels: int = 20  # … among at most this many peelings
    min_accounts: int = 5
    min_orders_per_account: float = 2.5  # in the block, on average (the density path)
    min_density_ratio: float = 2.0  # block density over the whole graph's
    member_orders: int = 3  # orders in the block that make an account a member by itself
    rejoin_share: float = 0.5  # a peeled account this close to the members' weight rejoins
    bad_share: float = 0.5  # share of the members' orders gone bad (the outcome path) …
    p_value: float = 1e-6  # … with this binomial tail against the other orders' rate
    min_orders_per_member: float = 2.0  # orders per member on the shared-marks path
    shipped_share: float = 0.5  # a session's paid orders shipped before "never shipped" counts
    dense_bad_ratio: float = 2.0  # the dense path: orders gone bad over the others' rate …
    dense_p_value: float = 1e-3  # … with this binomial tail
    group_accounts: int = 4  # buyers linked by shared addresses or phones (the linked path) …
    group_bad_share: float = 0.3  # … whose orders went bad this often …
    group_p_value: float = 1e-4  # … with this binomial tail against the others' rate
    tied_share: float = 0.25  # of the members, on each kind of mark (the shared-marks path)
    clientele_share: float = 0.5  # a dense block of most buyers, most of them sharing no mark
    repeat_accounts: int = 4  # buyers with every one of 2+ orders gone bad (order_bursts) …
    repeat_p_value: float = 1e-6  # … Poisson tail against the session's bad rate
    burst_seconds: int = 120  # a product's orders this close together (order_bursts) …
    burst_bad: int = 5  # … at least this many gone bad …
    burst_bad_share: float = 0.4  # … and this share of them …
    burst_p_value: float = 1e-8  # … binomial tail against the session's other orders
    #: buyers with a bad order registered within one of these of each other …
    batch_spans_ms: tuple[int, ...] = (3 * 86_400_000, 7 * 86_400_000)
    batch_p_value: float = 1e-8  # … Poisson tail against the stream's registrations then …
    batch_recent_ms: int = 7 * 86_400_000  # … not in the week before the session


def densest_block(edges: dict[tuple[str, str], float]) -> tuple[set[str], set[str], float]:
    """FRAUDAR's greedy peeling on a weighted bipartite graph: remove the node with the least
    weight left, and keep the set with the highest weight per node."""
    adj: dict[Node, dict[Node, float]] = defaultdict(dict)
    for (row, col), w in edges.items():
        adj[("r", row)][("c", col)] = w
        adj[("c", col)][("r", row)] = w
    prio = {node: sum(nb.values()) for node, nb in adj.items()}
    total = sum(edges.values())
    size = len(adj)
    heap = [(p, node) for node, p in prio.items()]
    heapq.heapify(heap)
    removed: list[Node] = []
    gone: set[Node] = set()
    best, best_at = (total / size if size else 0.0), 0
    while heap:
        p, node = heapq.heappop(heap)
        if node in gone or abs(p - prio[node]) > 1e-9:
            continue
        gone.add(node)
        removed.append(node)
        total -= prio[node]
        size -= 1
        for nb, w in adj[node].items():
            if nb not in gone:
                prio[nb] -= w
                heapq.heappush(heap, (prio[nb], nb))
        if size > 0 and total / size > best + 1e-12:
            best, best_at = total / size, len(removed)
    keep = set(adj) - set(removed[:best_at])
    return ({n for k, n in keep if k == "r"}, {n for k, n in keep if k == "c"}, best)


def _column(o: Order) -> str:
    return f"{o.session}|{o.product}"


def _is_mark(col: str) -> bool:
    return col.startswith("@")


def detect_stream(stream: Stream, s: Settings) -> list[Finding]:
    orders = [o for o in stream.orders.values() if o.account]
    if not orders:
        return []
    count: Counter[tuple[str, str]] = Counter((str(o.account), _column(o)) for o in orders)
    marked: Counter[tuple[str, str]] = Counter(
        (str(o.account), m) for o in orders for m in marks(o)
    )
    sharing = Counter(m for _, m in marked)
    count.update({k: n for k, n in marked.items() if sharing[k[1]] >= 2})
    col_degree = Counter(c for _, c in count)
    edges = {k: n / math.log(col_degree[k[1]] + 5) for k, n in count.items()}
    whole = sum(edges.values()) / (len({r for r, _ in edges}) + len(col_degree))
    bad, unshipped = gone_bad(stream, orders, s)
    findings: list[Finding] = []
    looked = 0
    for _ in range(s.max_peels):
        if not edges or looked >= s.blocks:
            break
        rows, cols, density = densest_block(edges)
        core = rows
        rows = rows | _peeled_members(edges, rows, cols, s)
        for key in [k for k in edges if k[0] in rows and k[1] in cols]:
            del edges[key]
        if len(rows) < s.min_accounts:
            continue  # a pair sharing a phone: peeled off, and the search goes on
        looked += 1
        per_account: Counter[str] = Counter()
        for (row, col), n in count.items():
            if row in rows and col in cols and not _is_mark(col):
                per_account[row] += n
        spoiled = {str(o.account) for o in orders if o.id in bad and o.account in rows}
        members = _members(orders, spoiled, core, rows, cols, per_account, s)
        if len(members) < s.min_accounts:
            continue
        # Those on the same phones and drop addresses as the members belong to the ring too.
        drops = {c for r, c in marked if r in members and c[1] in "ad" and sharing[c] >= 2}
        members |= {r for r, c in marked if c in drops}
        cols = cols | drops
        mine = _ring_orders(orders, members, cols)
        tied_by = shared_marks(mine)
        ring_bad = bad | never_shipped(orders, mine, unshipped, s)
        went_bad, tail, others_rate = outcome(orders, mine, ring_bad)
        spoilt = went_bad >= s.bad_share * len(mine) and tail <= s.p_value
        # Buying much together is a ring's shape and a keen room's too: its orders must also
        # go bad more often than everyone else's, if not as often as on the outcome path.
        dense = (
            density >= s.min_density_ratio * whole
            and sum(per_account.values()) / len(rows) >= s.min_orders_per_account
            and went_bad >= s.dense_bad_ratio * others_rate * len(mine)
            and tail <= s.dense_p_value
            and not clientele(orders, members, mine, tied_by, s)
        )
        least = max(s.min_accounts, s.tied_share * len(members))
        tied = (
            tied_by["d"] >= least
            and max(tied_by["a"], tied_by["i"]) >= least
            and len(mine) >= s.min_orders_per_member * len(members) * _habit(orders, mine)
        )
        if not (dense or spoilt or tied):
            continue
        for key in [k for k in edges if k[0] in members]:
            del edges[key]
        # A couple beside the ring, on their own address and keeping what they bought, is not
        # named with it (the block's density can reach their shared address).
        home = households(mine, ring_bad)
        named_orders = [o for o in mine if o.account not in home]
        findings.extend(_per_session(stream, named_orders, density / whole, ring_bad, others_rate))
    named = {a for f in findings for a in f.accounts}
    findings += _linked(stream, orders, bad, unshipped, named, s)
    return findings + few_each(stream, orders, bad, {a for f in findings for a in f.accounts}, s)


def _linked(
    stream: Stream,
    orders: list[Order],
    bad: set[str],
    unshipped: set[str],
    named: set[str],
    s: Settings,
) -> list[Finding]:
    """Groups of a session's buyers joined through shared delivery addresses or phones
    (`linked_groups`), at least ``group_accounts`` of them, whose orders went bad far more
    often than everyone else's (``group_bad_share`` of them, binomial tail ≤
    ``group_p_value``): a ring with too few orders to be dense, spreading its orders over the
    evening and its products. A household shares an address too, but is two or three, and its
    orders end as everyone's do; an office that buys together keeps what it bought."""
    out: list[Finding] = []
    for sid, theirs in sessions_of(stream, orders):
        for group in linked_groups(theirs):
            if len(group) < s.group_accounts or group & named:
                continue
            mine = [o for o in theirs if o.account in group]
            ring_bad = bad | never_shipped(orders, mine, unshipped, s)
            went_bad, tail, others_rate = outcome(orders, mine, ring_bad)
            if went_bad < s.group_bad_share * len(mine) or tail > s.group_p_value:
                continue
            found = ring_finding(
                stream.sessions[sid], mine, 0.0, ring_bad, others_rate, 1, kind="linked"
            )
            out.append(found)
    return out


def _habit(orders: list[Order], mine: list[Order]) -> float:
    """How many orders the other buyers of the ring's products, in its sessions, usually
    placed each (the median; at least one): where the whole room orders a favoured product
    ten times an evening, families on one phone doing so too are the room's habit, not a
    ring's."""
    cols = {_column(o) for o in mine}
    ours = {o.account for o in mine}
    per: Counter[str | None] = Counter(
        o.account for o in orders if o.account not in ours and _column(o) in cols
    )
    return max(1.0, float(median(per.values()))) if per else 1.0


def _ring_orders(orders: list[Order], members: set[str], cols: set[str]) -> list[Order]:
    """The members' orders in the sessions the block reaches: on its (session, product)
    columns or carrying one of its marks."""
    sessions = {
        o.session
        for o in orders
        if o.account in members and (_column(o) in cols or any(m in cols for m in marks(o)))
    }
    return [o for o in orders if o.account in members and o.session in sessions]


def _peeled_members(
    edges: dict[tuple[str, str], float], rows: set[str], cols: set[str], s: Settings
) -> set[str]:
    """Accounts the peeling shed because the block's heaviest members raised its density above
    them, though they buy the block's products as heavily as a typical member: weight into the
    block's columns at least ``rejoin_share`` of the members' median."""
    weight: defaultdict[str, float] = defaultdict(float)
    for (row, col), w in edges.items():
        if col in cols and not _is_mark(col):  # what they bought, not where from
            weight[row] += w
    if not rows:
        return set()
    typical = sorted(weight[r] for r in rows)[len(rows) // 2]
    if typical <= 0:
        return set()
    return {r for r, w in weight.items() if r not in rows and w >= s.rejoin_share * typical}


def _members(
    orders: list[Order],
    spoiled: set[str],
    core: set[str],
    rows: set[str],
    cols: set[str],
    per_account: Counter[str],
    s: Settings,
) -> set[str]:
    """Block accounts with enough orders in it, or sharing a device or delivery hash with an
    account the peeling itself kept (``core``). Not an IP: an office or a carrier's NAT puts
    many honest buyers behind one, and accounts that only rejoined the block, tied to one
    another, are not a ring by that tie either."""
    ties: dict[str, set[str]] = defaultdict(set)
    for o in orders:
        if o.account in rows and (_column(o) in cols or any(m in cols for m in marks(o))):
            for key in (o.device, o.address):
                if key:
                    ties[key].add(str(o.account))
    linked = {a for group in ties.values() if len(group) > 1 and group & core for a in group}
    # Several orders alone make a member of an account the peeling kept, or of one that
    # rejoined it with an order gone bad, in several sessions or twice as many orders: in a
    # big room a few honest buyers order three times in one evening.
    sessions: defaultdict[str, set[str | None]] = defaultdict(set)
    for o in orders:
        if o.account in rows and _column(o) in cols:
            sessions[str(o.account)].add(o.session)
    heavy = {
        a
        for a in rows
        if per_account[a] >= s.member_orders
        and (
            a in core
            or a in spoiled
            or len(sessions[a]) > 1
            or per_account[a] >= 2 * s.member_orders
        )
    }
    return heavy | (linked & rows)


def _per_session(
    stream: Stream,
    mine: list[Order],
    ratio: float,
    bad: set[str],
    others_rate: float,
) -> list[Finding]:
    by_session: dict[str, list[Order]] = defaultdict(list)
    for o in mine:
        if o.session:
            by_session[o.session].append(o)
    out: list[Finding] = []
    sessions = len(by_session)
    for sid, orders in by_session.items():
        session = stream.sessions[sid]
        out.append(ring_finding(session, orders, ratio, bad, others_rate, sessions))
    return out
