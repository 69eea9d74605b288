"""How a fake_orders finding reads: the ring's orders counted into its evidence, its score, and
its summary by shape — a dense block, a group linked by shared addresses or phones, repeat
buyers whose every order went bad, a burst of orders gone bad together. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from sunlit.core.errors import N_
from sunlit.integrity.detectors.order_outcomes import shared_marks
from sunlit.integrity.model import Finding
from sunlit.integrity.stream import Order, Session

RULE = "fake_orders"


def ring_finding(
    session: Session,
    mine: list[Order],
    ratio: float,
    bad: set[str],
    others_rate: float,
    sessions: int,
    *,
    kind: str = "dense",
) -> Finding:
    first_pin: dict[str, int] = {}
    for ts, pid in session.pins:
        first_pin.setdefault(pid, ts)
    accounts = sorted({str(o.account) for o in mine})
    gone = sum(o.gone for o in mine)
    unshipped = sum(o.shipped is None for o in mine)
    went_bad = sum(o.id in bad for o in mine)
    early = sum(o.ts < first_pin.get(o.product, o.ts + 1) for o in mine)
    shared = Counter(o.address for o in mine if o.address)
    tied_by = shared_marks(mine)
    score = min(
        1.0,
        0.55
        + 0.1 * min(ratio, 3)
        + 0.15 * went_bad / len(mine)
        + 0.05 * min(sessions, 3)
        + 0.05 * (tied_by["d"] > 1),
    )
    evidence = {
        "accounts": len(accounts),
        "orders": len(mine),
        "orders_per_account": round(len(mine) / len(accounts), 2),
        "density_over_graph": round(ratio, 1),
        "sessions_with_the_ring": sessions,
        "refunded_or_cancelled": gone,
        "never_shipped": unshipped,
        "gone_bad": went_bad,
        "gone_bad_share_others": round(others_rate, 3),
        "before_product_presented": early,
        "distinct_delivery_hashes": len(shared),
        "distinct_devices": len({o.device for o in mine}),
        "accounts_sharing_a_device": tied_by["d"],
        "accounts_sharing_an_address": tied_by["a"],
    }
    if kind != "dense":
        evidence[SHAPES[kind]] = True
    summary = SUMMARIES[kind] % summary_params(evidence)
    found = Finding.scored(
        RULE, score, summary, evidence, accounts=accounts, orders=sorted(o.id for o in mine)
    )
    found.evidence["session"] = session.id
    return found


#: The finding's summary (pages translate it, filled from the evidence).
SUMMARY = N_(
    "%(accounts)s accounts placed %(orders)s orders together as a dense block "
    "(%(sessions)s session(s)); %(gone)s were refunded or cancelled and %(unshipped)s never "
    "shipped."
)

LINKED = N_(
    "%(accounts)s accounts tied by shared delivery addresses or phones placed %(orders)s "
    "orders; %(gone)s were refunded or cancelled and %(unshipped)s never shipped."
)

REPEAT = N_(
    "%(accounts)s accounts each placed two or more orders and every one of them went bad: "
    "%(gone)s refunded or cancelled, %(unshipped)s never shipped."
)

BURST = N_(
    "%(accounts)s accounts ordered one product within two minutes of each other and their "
    "%(orders)s orders went bad together: %(gone)s refunded or cancelled, %(unshipped)s "
    "never shipped."
)

BATCH = N_(
    "%(accounts)s accounts registered within days of each other placed %(orders)s orders: "
    "%(gone)s were refunded or cancelled and %(unshipped)s never shipped."
)

SUMMARIES = {
    "dense": SUMMARY,
    "linked": LINKED,
    "repeat": REPEAT,
    "burst": BURST,
    "batch": BATCH,
}
#: The evidence key that says which shape a finding has (the dense block says none).
SHAPES = {
    "linked": "linked_by_address_or_phone",
    "repeat": "every_order_gone_bad",
    "burst": "gone_bad_together",
    "batch": "registered_together",
}


def summary_params(evidence: Mapping[str, Any]) -> dict[str, object]:
    return {
        "accounts": evidence["accounts"],
        "orders": evidence["orders"],
        "sessions": evidence["sessions_with_the_ring"],
        "gone": evidence["refunded_or_cancelled"],
        "unshipped": evidence["never_shipped"],
    }
