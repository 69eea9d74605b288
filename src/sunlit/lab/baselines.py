"""The evaluation's two baselines (docs/integrity-evaluation.md, "The baselines"), on the
features the detectors themselves look at, one table per rule that has accounts or orders:

- an isolation forest (scikit-learn, 100 trees, ``contamination="auto"``, fitted per session —
  per stream for brushing — with no labels), naming the rows it calls outliers;
- a fixed threshold: one plain rule per abuse, taken from the signals docs/integrity.md lists,
  with round numbers, not fitted to the simulator.

Both name accounts; for ``fake_orders`` a named account's orders, for ``forced_purchases`` the
named orders and their buyers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sunlit.integrity.detectors.forced_purchases import THRESHOLDS
from sunlit.integrity.detectors.paid_comments import SYCOPHANCY, Settings, clusters
from sunlit.integrity.stream import Order, Session, Stream

DAY_MS = 86_400_000
METHODS = ("iforest", "threshold")


@dataclass
class Table:
    """One row per account (or order), its features by name, and who it names if flagged."""

    accounts: list[str]
    orders: list[list[str]]
    columns: dict[str, np.ndarray]

    def matrix(self) -> np.ndarray:
        return np.column_stack(list(self.columns.values())).astype(np.float64)


def _log(values: list[float] | np.ndarray) -> np.ndarray:
    return np.log1p(np.maximum(np.asarray(values, dtype=np.float64), 0.0))


def _age_days(stream: Stream, account: str, now: int) -> float:
    a = stream.accounts.get(account)
    return (now - a.created) / DAY_MS if a and a.created is not None else 1000.0


def _bin_ratio(times: np.ndarray, width: int) -> np.ndarray:
    """Each time's bin count over the median count of the nonempty bins around it (±3 min)."""
    if len(times) == 0:
        return np.zeros(0)
    bins = (times - times.min()) // width
    counts = np.bincount(bins)
    half = 180_000 // width
    padded = np.pad(counts.astype(np.float64), half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)
    rhythm = np.maximum(np.median(windows, axis=1)[: len(counts)], 1.0)
    return np.asarray(counts[bins] / rhythm[bins], dtype=np.float64)


def viewers(stream: Stream, session: Session) -> Table:
    """fake_viewers: dwell, join moment, activity, age, shared device, crowded /24, join and
    leave burst ratios, registration batch size."""
    first: dict[str, tuple[int, str | None, str | None]] = {}
    for ts, who, device, ip, _ in session.joins:
        first.setdefault(who, (ts, device, ip))
    accounts = list(first)
    start = session.started if session.started is not None else session.joins[0][0]
    end = session.ended if session.ended is not None else max(t for t, *_ in session.joins)
    leave: dict[str, int] = {who: ts for ts, who in session.leaves}
    join_t = np.asarray([first[a][0] for a in accounts], dtype=np.int64)
    leave_t = np.asarray([leave.get(a, end) for a in accounts], dtype=np.int64)
    busy = Counter(who for _, who, _ in session.chats)
    busy.update(who for _, who, _ in session.likes)
    busy.update(who for _, who in session.shares)
    buyers = {o.account for o in session.orders}
    devices = Counter(first[a][1] for a in accounts)
    prefixes = Counter((first[a][2] or "").rsplit(".", 1)[0] for a in accounts)
    created = [stream.accounts[a].created if a in stream.accounts else None for a in accounts]
    batches = Counter(c // 600_000 for c in created if c is not None)
    return Table(
        accounts,
        [[] for _ in accounts],
        {
            "dwell": _log((leave_t - join_t) / 1000),
            "join_offset": (join_t - start) / 60_000,
            "activity": np.asarray([busy[a] for a in accounts], dtype=np.float64),
            "bought": np.asarray([a in buyers for a in accounts], dtype=np.float64),
            "age": _log([_age_days(stream, a, start) for a in accounts]),
            "device_accounts": np.asarray([devices[first[a][1]] for a in accounts], np.float64),
            "prefix_viewers": _log(
                [prefixes[(first[a][2] or "").rsplit(".", 1)[0]] for a in accounts]
            ),
            "join_burst": _bin_ratio(join_t, 5_000),
            "leave_burst": _bin_ratio(leave_t, 5_000),
            "registration_batch": _log(
                [batches[c // 600_000] if c is not None else 0 for c in created]
            ),
        },
    )


def _viewer_rule(t: Table) -> np.ndarray:
    """Did nothing, and new (under 30 days), on a device of three or more accounts, in a /24
    of 20 or more viewers, or in a join burst three times the rhythm."""
    c = t.columns
    quiet = (c["activity"] == 0) & (c["bought"] == 0)
    odd = (
        (c["age"] < np.log1p(30))
        | (c["device_accounts"] >= 3)
        | (c["prefix_viewers"] >= np.log1p(20))
        | (c["join_burst"] >= 3)
    )
    return np.asarray(quiet & odd)


def _orders_by_account(stream: Stream) -> dict[str, list[Order]]:
    by: dict[str, list[Order]] = {}
    for o in stream.orders.values():
        if o.account:
            by.setdefault(o.account, []).append(o)
    return by


def buyers(stream: Stream) -> Table:
    """fake_orders, per buyer over the stream: orders, sessions, products, refunded or
    cancelled, never shipped, placed before the product was presented, accounts sharing a
    device, address or delivery hash, age."""
    by = _orders_by_account(stream)
    first_pin: dict[tuple[str, str], int] = {}
    for sid, s in stream.sessions.items():
        for ts, pid in s.pins:
            first_pin.setdefault((sid, pid), ts)
    sharing: dict[str | None, set[str]] = {}
    for a, mine in by.items():
        for o in mine:
            for key in (o.device, o.ip, o.address):
                if key:
                    sharing.setdefault(key, set()).add(a)
    accounts = list(by)
    rows = [by[a] for a in accounts]
    now = min((o.ts for o in stream.orders.values()), default=0)

    def share(f: Callable[[Order], bool]) -> np.ndarray:
        return np.asarray([sum(map(f, r)) / len(r) for r in rows], dtype=np.float64)

    return Table(
        accounts,
        [[o.id for o in r] for r in rows],
        {
            "orders": np.asarray([len(r) for r in rows], dtype=np.float64),
            "sessions": np.asarray([len({o.session for o in r}) for r in rows], np.float64),
            "products": np.asarray([len({o.product for o in r}) for r in rows], np.float64),
            "gone": share(lambda o: o.gone),
            "unshipped": share(lambda o: o.shipped is None),
            "early": share(lambda o: o.ts < first_pin.get((str(o.session), o.product), o.ts + 1)),
            "sharing": np.asarray(
                [
                    max(
                        (len(sharing[k]) for o in r for k in (o.device, o.ip, o.address) if k),
                        default=1,
                    )
                    for r in rows
                ],
                dtype=np.float64,
            ),
            "age": _log([_age_days(stream, a, now) for a in accounts]),
        },
    )


def _buyer_rule(t: Table) -> np.ndarray:
    """Two or more orders refunded or cancelled, or a device, address or delivery hash shared
    with two or more other buyers."""
    c = t.columns
    return np.asarray((c["gone"] * c["orders"] >= 2) | (c["sharing"] >= 3))


def quota_orders(stream: Stream, session: Session) -> Table:
    """forced_purchases, per order: amount, how far above a round amount, union or corporate
    card, an employer, its members' conversion, orders to the same delivery hash, first-time
    buyer, minutes into the session."""
    orders = [o for o in session.orders if o.account]
    present = {who for _, who, *_ in session.joins} | {o.account for o in orders}
    members: Counter[str] = Counter()
    bought: Counter[str] = Counter()
    buyer_set = {o.account for o in orders}
    for a in present:
        org = stream.accounts[a].org if a in stream.accounts else None
        if org:
            members[org] += 1
            bought[org] += a in buyer_set
    by = _orders_by_account(stream)
    hashes = Counter(o.address for o in orders if o.address)
    start = session.started or (orders[0].ts if orders else 0)

    def org_of(o: Order) -> str | None:
        a = stream.accounts.get(str(o.account))
        return a.org if a else None

    def over(amount: int) -> float:
        above = [(amount - t) / t for t in THRESHOLDS if amount >= t]
        return min(above, default=1.0)

    return Table(
        [str(o.account) for o in orders],
        [[o.id] for o in orders],
        {
            "amount": _log([o.amount / 100 for o in orders]),
            "over_round": np.asarray([min(over(o.amount), 1.0) for o in orders]),
            "card": np.asarray([o.payment in ("union_card", "corporate") for o in orders], float),
            "employer": np.asarray([org_of(o) is not None for o in orders], dtype=np.float64),
            "employer_conversion": np.asarray(
                [bought[g] / members[g] if (g := org_of(o)) else 0.0 for o in orders]
            ),
            "same_address": np.asarray(
                [hashes[o.address] if o.address else 1 for o in orders], dtype=np.float64
            ),
            "first_time": np.asarray(
                [all(x.session == session.id for x in by[str(o.account)]) for o in orders], float
            ),
            "minute": np.asarray([(o.ts - start) / 60_000 for o in orders]),
        },
    )


def _quota_rule(t: Table) -> np.ndarray:
    """50 yuan or more, from a buyer with an employer or on a union or corporate card."""
    c = t.columns
    return np.asarray((c["amount"] >= np.log1p(50)) & ((c["employer"] > 0) | (c["card"] > 0)))


def chatters(stream: Stream, session: Session) -> Table:
    """paid_comments, per account that chatted: messages, share about the official, the largest
    near-duplicate cluster (the detector's MinHash clusters) among its messages, bought, age,
    mean length."""
    texts = [text for _, _, text in session.chats]
    who = [a for _, a, _ in session.chats]
    cluster_size = np.ones(len(texts))
    for group in clusters(texts, Settings()):
        size = len({who[i] for i in group})
        cluster_size[group] = np.maximum(cluster_size[group], size)
    accounts = list(dict.fromkeys(who))
    index = {a: i for i, a in enumerate(accounts)}
    n = np.zeros(len(accounts))
    praise = np.zeros(len(accounts))
    largest = np.zeros(len(accounts))
    length = np.zeros(len(accounts))
    for i, (a, text) in enumerate(zip(who, texts, strict=True)):
        k = index[a]
        n[k] += 1
        praise[k] += bool(SYCOPHANCY.search(text))
        largest[k] = max(largest[k], cluster_size[i])
        length[k] += len(text)
    buyers_ = {o.account for o in session.orders}
    start = session.started or 0
    return Table(
        accounts,
        [[] for _ in accounts],
        {
            "messages": n,
            "praise": praise / n,
            "duplicates": _log(largest),
            "bought": np.asarray([a in buyers_ for a in accounts], dtype=np.float64),
            "age": _log([_age_days(stream, a, start) for a in accounts]),
            "length": length / n,
        },
    )


def _chatter_rule(t: Table) -> np.ndarray:
    """Two or more messages about the official, and no purchase."""
    c = t.columns
    return np.asarray((c["messages"] * c["praise"] >= 2) & (c["bought"] == 0))


def _forest(t: Table) -> np.ndarray:
    from sklearn.ensemble import IsolationForest

    if len(t.accounts) < 20:
        return np.zeros(len(t.accounts), dtype=bool)
    model = IsolationForest(n_estimators=100, contamination="auto", random_state=0)
    return np.asarray(model.fit_predict(t.matrix()) == -1)


Named = dict[str, dict[str, dict[str, set[str]]]]  # method -> rule -> level -> ids


def run_baselines(stream: Stream) -> Named:
    """What each baseline names, by rule and level (accounts, orders)."""
    tables: list[tuple[str, Table, Callable[[Table], np.ndarray]]] = []
    for session in stream.sessions.values():
        if session.joins:
            tables.append(("fake_viewers", viewers(stream, session), _viewer_rule))
        if session.orders:
            tables.append(("forced_purchases", quota_orders(stream, session), _quota_rule))
        if session.chats:
            tables.append(("paid_comments", chatters(stream, session), _chatter_rule))
    if stream.orders:
        tables.append(("fake_orders", buyers(stream), _buyer_rule))
    out: Named = {m: {} for m in METHODS}
    for rule, table, fixed in tables:
        if not table.accounts:
            continue
        for method, flags in (("iforest", _forest(table)), ("threshold", fixed(table))):
            named = out[method].setdefault(rule, {"accounts": set(), "orders": set()})
            for i in np.flatnonzero(flags).tolist():
                named["accounts"].add(table.accounts[i])
                named["orders"].update(table.orders[i])
    return out
