"""The local group behind forced_purchases (issue 19): a quota is put on the cadres of the
official's own county, and they have their produce delivered where they live. The share of a
session's buyers who had an order delivered in the official's county is tested against the
same share in the stream's other sessions (each against its own official's county), shrunk
towards a prior; a group far above it is a quota's footprint whatever the amounts, products,
cards or employers. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from sunlit.core.errors import N_
from sunlit.core.regions.services import region_book
from sunlit.integrity.model import Finding, poisson_tail
from sunlit.integrity.stream import Order, Session, Stream

RULE = "forced_purchases"
CARDS = ("union_card", "corporate")


class LocalSettings(Protocol):
    """The settings this reads (forced_purchases' `Settings` has them)."""

    @property
    def local_prior_share(self) -> float: ...
    @property
    def local_prior_buyers(self) -> float: ...
    @property
    def local_p_value(self) -> float: ...
    @property
    def local_ratio(self) -> float: ...
    @property
    def quota_min_excess(self) -> int: ...
    @property
    def quota_false_share(self) -> float: ...


@dataclass(frozen=True)
class LocalGroup:
    home: str  # the official's county (six-digit code)
    buyers: int  # the session's buyers
    local: frozenset[str]  # buyers with an order delivered in the official's county
    base: float  # the share expected, from the other sessions
    expected: float
    p: float
    named: frozenset[str]
    quota_shaped: int  # named buyers whose total is just enough to pass a round amount


def home_of(session: Session) -> str | None:
    region = str((session.filed or {}).get("official_region") or "")[:6]
    return region if len(region) == 6 and region.isdigit() else None


def _buyers(session: Session) -> dict[str, list[Order]]:
    out: dict[str, list[Order]] = {}
    for o in session.orders:
        if o.account:
            out.setdefault(o.account, []).append(o)
    return out


def _local(orders: dict[str, list[Order]], home: str) -> set[str]:
    return {a for a, os in orders.items() if any((o.region or "")[:6] == home for o in os)}


def quota_shaped(orders: list[Order], quotas: tuple[int, ...]) -> bool:
    """The buyer's total (orders not cancelled) passes a round amount, and one item of their
    cheapest fewer would not."""
    live = [o for o in orders if o.cancelled is None and o.qty > 0]
    if not live:
        return False
    total = sum(o.amount for o in live)
    cheapest = min(o.unit_price for o in live)
    return any(total >= q > total - cheapest for q in quotas)


def _by_signature(
    stream: Stream,
    session: Session,
    orders: dict[str, list[Order]],
    local: set[str],
    shaped: set[str],
    expected: float,
    s: LocalSettings,
) -> set[str]:
    """When honest locals would be too many among all the local buyers, the local buyers whose
    kind is rare among the session's other (mostly honest) buyers: a kind is whether the total
    is quota-shaped, whether the buyer liked, wrote or shared in the session, and whether an
    employer is on file or a union or company card paid. The ``expected`` honest locals are
    spread over the kinds as the other buyers are; a kind is named when the honest expected in
    it are at most ``quota_false_share`` of its local buyers."""
    engaged = {w for _, w, _ in session.chats} | {w for _, w, _ in session.likes}
    engaged |= {w for _, w in session.shares}

    def kind(a: str) -> tuple[bool, bool, bool]:
        acc = stream.accounts.get(a)
        backed = bool(acc and acc.org) or any(o.payment in CARDS for o in orders[a])
        return a in shaped, a in engaged, backed

    others = [kind(a) for a in orders if a not in local]
    if not others:
        return set()
    kinds: dict[tuple[bool, bool, bool], list[str]] = {}
    for a in sorted(local):
        kinds.setdefault(kind(a), []).append(a)
    share = {k: sum(o == k for o in others) / len(others) for k in kinds}
    named: set[str] = set()
    for k in kinds:
        if expected * share[k] <= s.quota_false_share * len(kinds[k]):
            named.update(kinds[k])
    return named


def local_group(
    stream: Stream, session: Session, s: LocalSettings, quotas: tuple[int, ...], taken: set[str]
) -> LocalGroup | None:
    """The session's local buyers when they are far more than the other sessions lead one to
    expect (Poisson tail ≤ ``local_p_value``, ``local_ratio`` × and ``quota_min_excess`` above
    the number expected); None otherwise. Named, of those not in ``taken``: every local buyer
    when the honest locals expected are at most ``quota_false_share`` of them; else only those
    whose total is quota-shaped, when the honest ones expected among them (the expected
    locals times the share of quota-shaped totals among the session's other buyers) are."""
    home = home_of(session)
    if home is None:
        return None
    orders = _buyers(session)
    local = _local(orders, home)
    if len(local) < s.quota_min_excess:
        return None
    seen = other = 0
    for sid, other_session in stream.sessions.items():
        other_home = home_of(other_session)
        if sid == session.id or other_home is None:
            continue
        theirs = _buyers(other_session)
        seen += len(theirs)
        other += len(_local(theirs, other_home))
    base = (other + s.local_prior_share * s.local_prior_buyers) / (seen + s.local_prior_buyers)
    expected = base * len(orders)
    observed = len(local)
    if observed < s.local_ratio * expected or observed - expected < s.quota_min_excess:
        return None
    p = poisson_tail(observed, expected)
    if p > s.local_p_value:
        return None
    # The round amount most of the local buyers' totals just pass: the quota, if there is one.
    quota = max(quotas, key=lambda q: sum(quota_shaped(orders[a], (q,)) for a in local))
    shaped = {a for a, os in orders.items() if quota_shaped(os, (quota,))}
    if expected <= s.quota_false_share * observed:
        named = local - taken
    else:
        named = _by_signature(stream, session, orders, local, shaped, expected, s) - taken
    if not named:
        return None
    return LocalGroup(
        home=home,
        buyers=len(orders),
        local=frozenset(local),
        base=base,
        expected=expected,
        p=p,
        named=frozenset(named),
        quota_shaped=len(named & shaped),
    )


def local_findings(
    stream: Stream, session: Session, s: LocalSettings, quotas: tuple[int, ...], taken: set[str]
) -> list[Finding]:
    """Buyers who had their orders delivered in the official's own county, far more of them
    than in the stream's other sessions (`local_group`): where a county's cadres are told to
    buy, they buy for home. Named: those the other findings did not name."""
    g = local_group(stream, session, s, quotas, taken)
    if g is None:
        return []
    orders = [o for o in session.orders if o.account in g.named]
    org = sum(bool((acc := stream.accounts.get(a)) and acc.org) for a in g.named)
    cards = len({o.account for o in orders if o.payment in CARDS})
    reports = sum(r[1] == "forced_purchase" for r in session.reports)
    ratio = len(g.local) / max(g.expected, 1e-9)
    score = min(1.0, 0.5 + 0.05 * min(ratio, 6.0) + 0.1 * (org + cards > 0) + 0.05 * bool(reports))
    evidence = {
        "official_county": _county(g.home),
        "buyers_in_session": g.buyers,
        "local_buyers": len(g.local),
        "expected_local": round(g.expected, 1),
        "local_share_elsewhere": round(g.base, 4),
        "p_value": float(f"{g.p:.3g}"),
        "named_buyers": len(g.named),
        "quota_shaped_totals": g.quota_shaped,
        "with_employer": org,
        "union_or_corporate_cards": cards,
        "forced_purchase_reports": reports,
    }
    return [
        Finding.scored(
            RULE,
            score,
            LOCAL_GROUP % local_group_params(evidence),
            evidence,
            accounts=sorted(g.named),
            orders=sorted(o.id for o in orders),
        )
    ]


def _county(code: str) -> str:
    """砀山县 (341321), or the code alone when the region book does not know it."""
    path = region_book().path(code)
    return f"{path[-1].name('zh')} ({code})" if path else code


#: The finding's summary (pages translate it, filled from the evidence).
LOCAL_GROUP = N_(
    "%(local)s of the session's %(buyers)s buyers had their orders delivered in the official's "
    "own county, against %(expected)s expected from other sessions (%(share)s): a local group "
    "buying together, the pattern of a quota on the county's cadres."
)


def local_group_params(evidence: Mapping[str, Any]) -> dict[str, object]:
    return {
        "local": evidence["local_buyers"],
        "buyers": evidence["buyers_in_session"],
        "expected": f"{evidence['expected_local']:.1f}",
        "share": f"{evidence['local_share_elsewhere']:.1%}",
    }
