"""How a finding reads on a page: each detector's summary as a translated message whose
placeholders are filled from the finding's evidence, and a label and a kind of value for every
evidence key every detector emits. The findings document keeps the English summary and the
raw evidence (docs/events.md); nothing here changes them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sunlit.core.errors import N_
from sunlit.integrity.detectors import (
    companies,
    fake_orders,
    fake_viewers,
    forced_purchases,
    hype,
    local_buyers,
    order_findings,
    paid_comments,
    prices,
    quality,
)

#: What a summary needs beyond the evidence: the counts of what the finding names and each
#: named product's name (its id when the name is unknown).
Named = Mapping[str, Any]
Message = tuple[str, dict[str, object]]
Translate = Callable[[str], str]


def _product(named: Named) -> str:
    names: list[str] = list(named.get("product_names") or [])
    return names[0] if names else "?"


def _fake_viewers(e: Mapping[str, Any], named: Named, tr: Translate) -> Message:
    return fake_viewers.SUMMARY, fake_viewers.summary_params(e)


def _fake_orders(e: Mapping[str, Any], named: Named, tr: Translate) -> Message:
    kind = next((k for k, key in order_findings.SHAPES.items() if e.get(key)), "dense")
    return order_findings.SUMMARIES[kind], order_findings.summary_params(e)


def _forced(e: Mapping[str, Any], named: Named, tr: Translate) -> Message:
    if "local_buyers" in e:
        return local_buyers.LOCAL_GROUP, local_buyers.local_group_params(e)
    if "quota_fen" in e:
        return forced_purchases.QUOTA_TOTALS, forced_purchases.quota_totals_params(e)
    if "threshold_fen" in e:
        return forced_purchases.BUNCHING, forced_purchases.bunching_params(e)
    return forced_purchases.QUOTA, forced_purchases.quota_params(e)


def _paid(e: Mapping[str, Any], named: Named, tr: Translate) -> Message:
    praised = e["about_the_official"] >= paid_comments.Settings().sycophancy
    return paid_comments.summary_of(e, praised)


def _gouging(e: Mapping[str, Any], named: Named, tr: Translate) -> Message:
    return prices.gouging_summary(e, _product(named))


def _below(e: Mapping[str, Any], named: Named, tr: Translate) -> Message:
    return prices.BELOW_COST, prices.below_cost_params(e, _product(named))


def _conflict(e: Mapping[str, Any], named: Named, tr: Translate) -> Message:
    return companies.conflict_summary(e)


def _favour(e: Mapping[str, Any], named: Named, tr: Translate) -> Message:
    return companies.favouritism_summary(e)


def _quality(e: Mapping[str, Any], named: Named, tr: Translate) -> Message:
    return quality.SUMMARY, quality.summary_params(e, _product(named))


def _hype(e: Mapping[str, Any], named: Named, tr: Translate) -> Message:
    return hype.summary_of(e, tr)


SUMMARIES: dict[str, Callable[[Mapping[str, Any], Named, Translate], Message]] = {
    fake_viewers.RULE: _fake_viewers,
    fake_orders.RULE: _fake_orders,
    forced_purchases.RULE: _forced,
    paid_comments.RULE: _paid,
    "price_gouging": _gouging,
    "below_cost": _below,
    "conflict_of_interest": _conflict,
    "company_favouritism": _favour,
    quality.RULE: _quality,
    hype.RULE: _hype,
}
#: A case a supervisor opened from a public concern (disclosure's escalation).
CONCERN_SUMMARY = N_("A public concern (%(category)s) escalated by a supervisor.")

#: Kinds of value: how `sunlit.integrity.evidence_view` renders each.
COUNT, SHARE, FEN, P_VALUE, Z, TIMES, NUMBER, SECONDS, PER_1000 = (
    "count",
    "share",
    "fen",
    "p_value",
    "z",
    "times",
    "number",
    "seconds",
    "per_1000",
)
TEXT, YES_NO, QUOTES, WINDOW, SIGNALS, FIGURES, GAPS, SESSION, CATEGORY, PARTNER_KIND = (
    "text",
    "yes_no",
    "quotes",
    "window",
    "signals",
    "figures",
    "gaps",
    "session",
    "category",
    "partner_kind",
)
CONCERN, CONCERN_CATEGORY = "concern", "concern_category"

#: Every evidence key a detector emits: its label (msgid) and kind of value. A key that is
#: missing here fails tests/test_integrity_wording.py.
EVIDENCE: dict[str, tuple[str, str]] = {
    # fake_viewers
    "viewers": (N_("Viewers"), COUNT),
    "suspected": (N_("Viewers that look like bots"), COUNT),
    "share_of_viewers": (N_("Share of the viewers"), SHARE),
    "stayed_30s": (N_("Viewers who stayed 30 seconds or more"), COUNT),
    "signals": (N_("Bots showing each sign"), SIGNALS),
    "median_dwell_s_suspected": (N_("Typical time in the room, suspected bots"), SECONDS),
    "median_dwell_s_others": (N_("Typical time in the room, other viewers"), SECONDS),
    "interacting_suspected": (N_("Suspected bots that liked, commented or shared"), COUNT),
    "lockstep_waves": (N_("Waves that came and went together"), COUNT),
    "active_share_waves": (
        N_("Share who liked, commented, shared or bought, viewers in those waves"),
        SHARE,
    ),
    "active_share_others": (
        N_("Share who liked, commented, shared or bought, other viewers"),
        SHARE,
    ),
    # fake_orders
    "accounts": (N_("Number of accounts"), COUNT),
    "orders": (N_("Number of orders"), COUNT),
    "orders_per_account": (N_("Orders per account"), NUMBER),
    "density_over_graph": (N_("How much denser than the other buyers"), TIMES),
    "sessions_with_the_ring": (N_("Sessions where the group bought together"), COUNT),
    "refunded_or_cancelled": (N_("Refunded or cancelled"), COUNT),
    "never_shipped": (N_("Never shipped"), COUNT),
    "gone_bad": (
        N_("Refunded, cancelled after the session, or paid and never shipped"),
        COUNT,
    ),
    "gone_bad_share_others": (N_("The same, share of all other orders"), SHARE),
    "accounts_sharing_a_device": (N_("Accounts sharing a phone with another of them"), COUNT),
    "accounts_sharing_an_address": (
        N_("Accounts sharing a delivery address with another of them"),
        COUNT,
    ),
    "before_product_presented": (N_("Ordered before the product was presented"), COUNT),
    "distinct_delivery_hashes": (N_("Different delivery addresses"), COUNT),
    "distinct_devices": (N_("Different devices"), COUNT),
    "linked_by_address_or_phone": (N_("Tied by shared delivery addresses or phones"), YES_NO),
    "every_order_gone_bad": (N_("Each account's every order went bad"), YES_NO),
    "gone_bad_together": (N_("Ordered together and went bad together"), YES_NO),
    "registered_together": (N_("Accounts registered within days of each other"), YES_NO),
    "session": (N_("Session"), SESSION),
    # forced_purchases
    "organisation": (N_("Work unit"), TEXT),
    "buyers": (N_("Buyers from the unit"), COUNT),
    "members_present": (N_("Members of the unit watching"), COUNT),
    "conversion": (N_("Share of the unit who bought"), SHARE),
    "session_conversion": (N_("Share of the other viewers who bought"), SHARE),
    "p_value": (N_("Likelihood of chance"), P_VALUE),
    "union_or_corporate_cards": (N_("Paid with a union or company card"), COUNT),
    "most_orders_at_one_address": (N_("Most orders to one address"), COUNT),
    "first_time_buyers": (N_("First-time buyers"), COUNT),
    "amounts_at_or_above_50_yuan": (N_("Orders of ¥50 or more"), COUNT),
    "forced_purchase_reports": (N_("Reports of forced purchases"), COUNT),
    "threshold_fen": (N_("Round amount"), FEN),
    "orders_in_window": (N_("Orders just over the amount"), COUNT),
    "expected_from_quantities": (N_("Expected from the buyers' usual quantities"), NUMBER),
    "named_orders": (N_("Orders named"), COUNT),
    "quota_fen": (N_("Round amount the buyers' totals reached"), FEN),
    "buyers_in_session": (N_("Buyers in the session"), COUNT),
    "buyers_just_over": (N_("Buyers whose total came to just over it"), COUNT),
    "expected_just_over": (N_("Expected from the usual quantities"), NUMBER),
    "named_buyers": (N_("Buyers named"), COUNT),
    "with_employer": (N_("Named buyers with an employer on file"), COUNT),
    "in_several_orders": (N_("Named buyers who got there in several orders"), COUNT),
    "delivered_in_officials_county": (
        N_("Named buyers delivering in the official's county"),
        COUNT,
    ),
    "official_county": (N_("The official's county"), TEXT),
    "local_buyers": (N_("Buyers delivering in the official's county"), COUNT),
    "expected_local": (N_("Expected from the other sessions"), NUMBER),
    "local_share_elsewhere": (N_("Share delivering in their official's county elsewhere"), SHARE),
    "quota_shaped_totals": (N_("Named buyers whose total just passed a round amount"), COUNT),
    # paid_comments
    "comments": (N_("Comments"), COUNT),
    "busiest_window": (N_("Busiest burst"), WINDOW),
    "waves": (N_("Waves of look-alike comments"), COUNT),
    "in_several_waves": (N_("Accounts back in several waves"), COUNT),
    "about_the_official": (N_("Share praising the official"), SHARE),
    "non_buyers": (N_("Share of the accounts that bought nothing"), SHARE),
    "examples": (N_("Examples"), QUOTES),
    # price_gouging, below_cost
    "reference_low": (N_("Bottom of the reference band"), FEN),
    "reference_high": (N_("Top of the reference band"), FEN),
    "above_band": (N_("Above the top of the band"), SHARE),
    "robust_z": (N_("Compared with the other products"), Z),
    "price_changes": (N_("Price changes during the session"), COUNT),
    "declared_cost": (N_("Declared cost"), FEN),
    "below_cost": (N_("Below the declared cost"), SHARE),
    "category": (N_("Category"), CATEGORY),
    "clearance_reason": (N_("Clearance reason filed"), YES_NO),
    "producer_clearances": (N_("Clearance reasons the producer gave"), COUNT),
    "clearance_words_in_filing": (
        N_("The filing speaks of unsold stock (not a clearance: only the producer's counts)"),
        YES_NO,
    ),
    # conflict_of_interest, company_favouritism
    "partner": (N_("Partner"), TEXT),
    "relationship": (N_("Declared tie"), TEXT),
    "kind": (N_("Kind of partner"), PARTNER_KIND),
    "products": (N_("Products in the session"), COUNT),
    "sales_fen": (N_("Sales"), FEN),
    "enterprise": (N_("Enterprise"), TEXT),
    "share_of_sales": (N_("Share of the session's sales"), SHARE),
    "next_producer_fen": (N_("Sales of the next producer"), FEN),
    "sessions_of_this_official": (N_("Sessions of this official it sold in"), COUNT),
    # quality_complaints
    "quality_complaints": (N_("Quality complaints"), COUNT),
    "per_thousand": (N_("Complaints per 1,000 orders"), PER_1000),
    "fence_per_thousand": (N_("Usual upper limit"), PER_1000),
    "others_per_thousand": (N_("Other products"), PER_1000),
    "peer_products": (N_("Products compared"), COUNT),
    # hype_gap
    "claim": (N_("Figures announced"), FIGURES),
    "verified": (N_("Figures verified"), FIGURES),
    "gross_gmv": (N_("Sales before refunds and flagged orders"), FEN),
    "cancelled_or_refunded_orders": (N_("Cancelled or refunded orders"), COUNT),
    "flagged_orders": (N_("Orders named in findings"), COUNT),
    "gaps": (N_("Above the verified figures"), GAPS),
}
#: Where a key means something narrower in one rule's evidence.
BY_RULE: dict[str, dict[str, tuple[str, str]]] = {
    "price_gouging": {"price": (N_("Highest price sold at"), FEN)},
    "below_cost": {"price": (N_("Lowest price sold at"), FEN)},
    quality.RULE: {"orders": (N_("Paid orders of the product"), COUNT)},
}
#: A case opened from a public concern carries these instead.
CONCERN_EVIDENCE: dict[str, tuple[str, str]] = {
    "concern": (N_("Public concern"), CONCERN),
    "category": (N_("Kind of concern"), CONCERN_CATEGORY),
}
#: The keys inside nested evidence: the signals of fake viewers, a claim's figures.
SIGNALS_LABELS = {
    "join_burst": N_("joined in a burst"),
    "leave_burst": N_("left in a burst"),
    "registration_batch": N_("registered in a batch"),
    "lockstep": N_("came and went in lockstep"),
    "shared_device": N_("shared a device"),
    "crowded_prefix": N_("crowded address block"),
    "wave_lockstep": N_("joined and left with its wave"),
    "quiet_batch": N_("registered with a batch that stayed briefly and did little"),
}
FIGURE_LABELS = {
    "source": N_("announced by"),
    "gmv": N_("sales"),
    "orders": N_("orders"),
    "units": N_("units"),
    "viewers": N_("viewers"),
}
PARTNER_KINDS = {
    "mcn": N_("live-streaming agency (MCN)"),
    "enterprise": N_("enterprise"),
    "cooperative": N_("cooperative"),
}


def label_of(rule: str, source: str, key: str) -> tuple[str, str] | None:
    """The label (msgid) and kind of value of an evidence key of a rule's finding, or None."""
    if source == "concern":
        return CONCERN_EVIDENCE.get(key)
    return BY_RULE.get(rule, {}).get(key) or EVIDENCE.get(key)
