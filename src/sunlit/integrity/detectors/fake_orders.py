"""fake_orders — brushing (刷单), pre-arranged orders, order then refund.

FRAUDAR-style dense blocks: buyers × (session, product) as a bipartite graph, each edge
weighted by the orders on it and by 1/log(column degree + 5), so popular products weigh less
and honest buyers of them hide nothing. Greedy peeling finds the densest block; the top blocks
are taken in turn while they are dense enough. Peeling sheds a ring's lighter members once
the heavier ones have raised the density above them, so accounts that buy the block's products
at least half as heavily as its median member rejoin it. A ring's members are the block's
accounts with several orders in it, or a device, IP or delivery hash shared with any other
account in the block."""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sunlit.core.errors import N_
from sunlit.integrity.model import Finding
from sunlit.integrity.stream import Order, Stream

RULE = "fake_orders"
Node = tuple[str, str]


@dataclass(frozen=True)
class Settings:
    blocks: int = 3  # top-k dense blocks looked at
    min_accounts: int = 5
    min_orders_per_account: float = 2.5  # in the block, on average
    min_density_ratio: float = 2.0  # block density over the whole graph's
    member_orders: int = 3  # orders in the block that make an account a member by itself
    rejoin_share: float = 0.5  # a peeled account this close to the members' weight rejoins


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


def detect_stream(stream: Stream, s: Settings) -> list[Finding]:
    orders = [o for o in stream.orders.values() if o.account]
    if not orders:
        return []
    count: Counter[tuple[str, str]] = Counter((str(o.account), _column(o)) for o in orders)
    col_degree = Counter(c for _, c in count)
    edges = {k: n / math.log(col_degree[k[1]] + 5) for k, n in count.items()}
    whole = sum(edges.values()) / (len({r for r, _ in edges}) + len(col_degree))
    findings: list[Finding] = []
    for _ in range(s.blocks):
        if not edges:
            break
        rows, cols, density = densest_block(edges)
        rows = rows | _peeled_members(edges, rows, cols, s)
        in_block = {k: n for k, n in count.items() if k[0] in rows and k[1] in cols}
        per_account: Counter[str] = Counter()
        for (row, _), n in in_block.items():
            per_account[row] += n
        for key in [k for k in edges if k[0] in rows and k[1] in cols]:
            del edges[key]
        if (
            len(rows) < s.min_accounts
            or density < s.min_density_ratio * whole
            or sum(per_account.values()) / len(rows) < s.min_orders_per_account
        ):
            break
        members = _members(stream, orders, rows, cols, per_account, s)
        if len(members) < s.min_accounts:
            continue
        findings.extend(_per_session(stream, orders, members, cols, density / whole))
    return findings


def _peeled_members(
    edges: dict[tuple[str, str], float], rows: set[str], cols: set[str], s: Settings
) -> set[str]:
    """Accounts the peeling shed because the block's heaviest members raised its density above
    them, though they buy the block's products as heavily as a typical member: weight into the
    block's columns at least ``rejoin_share`` of the members' median."""
    weight: defaultdict[str, float] = defaultdict(float)
    for (row, col), w in edges.items():
        if col in cols:
            weight[row] += w
    if not rows:
        return set()
    typical = sorted(weight[r] for r in rows)[len(rows) // 2]
    return {r for r, w in weight.items() if r not in rows and w >= s.rejoin_share * typical}


def _members(
    stream: Stream,
    orders: list[Order],
    rows: set[str],
    cols: set[str],
    per_account: Counter[str],
    s: Settings,
) -> set[str]:
    """Block accounts with enough orders in it, or tied to another such account."""
    ties: dict[str, set[str]] = defaultdict(set)
    for o in orders:
        if o.account in rows and _column(o) in cols:
            for key in (o.device, o.ip, o.address):
                if key:
                    ties[key].add(str(o.account))
    linked = {a for group in ties.values() if len(group) > 1 for a in group}
    return {a for a in rows if per_account[a] >= s.member_orders or a in linked}


def _per_session(
    stream: Stream, orders: list[Order], members: set[str], cols: set[str], ratio: float
) -> list[Finding]:
    by_session: dict[str, list[Order]] = defaultdict(list)
    for o in orders:
        if o.account in members and _column(o) in cols and o.session:
            by_session[o.session].append(o)
    out: list[Finding] = []
    sessions = len(by_session)
    for sid, mine in by_session.items():
        session = stream.sessions[sid]
        first_pin: dict[str, int] = {}
        for ts, pid in session.pins:
            first_pin.setdefault(pid, ts)
        accounts = sorted({str(o.account) for o in mine})
        gone = sum(o.gone for o in mine)
        unshipped = sum(o.shipped is None for o in mine)
        early = sum(o.ts < first_pin.get(o.product, o.ts + 1) for o in mine)
        shared = Counter(o.address for o in mine if o.address)
        score = min(
            1.0, 0.55 + 0.1 * min(ratio, 3) + 0.15 * gone / len(mine) + 0.05 * min(sessions, 3)
        )
        evidence = {
            "accounts": len(accounts),
            "orders": len(mine),
            "orders_per_account": round(len(mine) / len(accounts), 2),
            "density_over_graph": round(ratio, 1),
            "sessions_with_the_ring": sessions,
            "refunded_or_cancelled": gone,
            "never_shipped": unshipped,
            "before_product_presented": early,
            "distinct_delivery_hashes": len(shared),
            "distinct_devices": len({o.device for o in mine}),
        }
        summary = SUMMARY % summary_params(evidence)
        out.append(
            Finding.scored(
                RULE, score, summary, evidence, accounts=accounts, orders=sorted(o.id for o in mine)
            )
        )
        out[-1].evidence["session"] = sid
    return out


#: The finding's summary (pages translate it, filled from the evidence).
SUMMARY = N_(
    "%(accounts)s accounts placed %(orders)s orders together as a dense block "
    "(%(sessions)s session(s)); %(gone)s were refunded or cancelled and %(unshipped)s never "
    "shipped."
)


def summary_params(evidence: Mapping[str, Any]) -> dict[str, object]:
    return {
        "accounts": evidence["accounts"],
        "orders": evidence["orders"],
        "sessions": evidence["sessions_with_the_ring"],
        "gone": evidence["refunded_or_cancelled"],
        "unshipped": evidence["never_shipped"],
    }
