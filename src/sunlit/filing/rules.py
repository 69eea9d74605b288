"""Boundary rules as code. Each rule is a pure function over the plan and catalog facts, with an
id, a one-line description, its source, a severity and settings with documented defaults.
``docs/boundary-rules.md`` is generated from this registry (``sunlit filing rules-doc``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from sunlit.catalog.model import valid_through
from sunlit.core.errors import N_
from sunlit.core.money import format_fen
from sunlit.core.regions.model import region_prefix
from sunlit.filing.model import HostKind, PartnerKind, PlanFacts
from sunlit.filing.sources import (
    ADVERTISING_LAW,
    CIVIL_SERVANT_LAW,
    LEGAL_DAILY_2020,
    LI_2024,
    PRICE_LAW,
    TCHD_2021,
    Law,
    Source,
)


class Severity(StrEnum):
    BLOCK = "block"  # the plan cannot be approved
    WARN = "warn"  # the supervisor sees it and decides


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: int
    description: str


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str  # a msgid with %(…)s parameters
    params: dict[str, object] = field(default_factory=dict)
    subject: str | None = None  # the product or partner it is about


Check = Callable[[PlanFacts, Mapping[str, int]], list[Finding]]

BOTH = frozenset(HostKind)
OFFICIALS = frozenset({HostKind.OFFICIAL})
PRODUCERS = frozenset({HostKind.PRODUCER})


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str  # msgid, one line
    source: Source  # the law, or the published piece, it rests on
    severity: Severity
    check: Check
    settings: tuple[Setting, ...] = ()
    #: The hosts the rule applies to: a rule about an official's power binds no producer.
    hosts: frozenset[HostKind] = BOTH

    def finding(self, message: str, subject: str | None = None, **params: object) -> Finding:
        return Finding(self.id, self.severity, message, dict(params), subject)


REGISTRY: list[Rule] = []


def rule(
    id: str,
    description: str,
    source: Source,
    severity: Severity,
    settings: tuple[Setting, ...] = (),
    hosts: frozenset[HostKind] = BOTH,
) -> Callable[[Check], Check]:
    """Register a check as a rule."""

    def register(check: Check) -> Check:
        REGISTRY.append(Rule(id, description, source, severity, check, settings, hosts))
        return check

    return register


def _rule(rule_id: str) -> Rule:
    return next(r for r in REGISTRY if r.id == rule_id)


@rule(
    "agricultural_products",
    N_("Only farm produce is sold: no product outside agriculture."),
    Source(N_("The goods should be limited to local special farm produce"), (LEGAL_DAILY_2020,)),
    Severity.BLOCK,
)
def _agricultural(facts: PlanFacts, _: Mapping[str, int]) -> list[Finding]:
    me = _rule("agricultural_products")
    return [
        me.finding(N_("%(product)s is not a farm product."), p.id, product=p.name)
        for p in facts.products
        if p.category == "non_agri"
    ]


@rule(
    "local_origin",
    N_("Every product comes from inside the official's jurisdiction."),
    Source(
        N_("Local special produce, and clear boundaries of an official's power"),
        (LEGAL_DAILY_2020, LI_2024),
    ),
    Severity.BLOCK,
    hosts=OFFICIALS,
)
def _local(facts: PlanFacts, _: Mapping[str, int]) -> list[Finding]:
    me = _rule("local_origin")
    if not facts.official_region:
        return [me.finding(N_("The official's account has no jurisdiction on record."))]
    prefix = region_prefix(facts.official_region)
    return [
        me.finding(N_("%(product)s comes from outside your jurisdiction."), p.id, product=p.name)
        for p in facts.products
        if not p.origin_region.startswith(prefix)
    ]


@rule(
    "verified_producers",
    N_("Every producer has been verified by an operator."),
    Source(
        N_("Farmers take part for real; fake and poor goods damage credibility"),
        (LI_2024, LEGAL_DAILY_2020),
    ),
    Severity.BLOCK,
)
def _verified(facts: PlanFacts, _: Mapping[str, int]) -> list[Finding]:
    me = _rule("verified_producers")
    return [
        me.finding(
            N_("%(producer)s, who makes %(product)s, is not verified."),
            p.id,
            producer=p.producer_name,
            product=p.name,
        )
        for p in facts.products
        if not p.producer_verified
    ]


@rule(
    "inspection_valid",
    N_("Every product's quality document is valid for the whole session."),
    Source(N_("Poor quality damages the government's credibility"), (LEGAL_DAILY_2020, TCHD_2021)),
    Severity.BLOCK,
)
def _inspection(facts: PlanFacts, _: Mapping[str, int]) -> list[Finding]:
    me = _rule("inspection_valid")
    start, end = facts.starts_at.date(), facts.ends_at.date()
    return [
        me.finding(
            N_("%(product)s has no quality document valid through the session."),
            p.id,
            product=p.name,
        )
        for p in facts.products
        if not valid_through(list(p.inspections), start, end)
    ]


@rule(
    "price_in_band",
    N_("Every price sits inside its reference band."),
    Source(N_("Prices must not be inflated on the official's credibility"), (TCHD_2021,)),
    Severity.WARN,
)
def _band(facts: PlanFacts, _: Mapping[str, int]) -> list[Finding]:
    me = _rule("price_in_band")
    found = []
    for p in facts.products:
        if p.band_low is None or p.band_high is None:
            found.append(
                me.finding(
                    N_("%(product)s has no reference price to compare with."), p.id, product=p.name
                )
            )
        elif not p.band_low <= p.price <= p.band_high:
            found.append(
                me.finding(
                    N_(
                        "%(product)s costs %(price)s, outside its reference band of "
                        "%(low)s–%(high)s."
                    ),
                    p.id,
                    product=p.name,
                    price=format_fen(p.price),
                    low=format_fen(p.band_low),
                    high=format_fen(p.band_high),
                )
            )
    return found


@rule(
    "not_below_cost",
    N_("No price is below the producer's declared cost without their clearance reason."),
    Source(
        N_("No dumping below cost, and no loss-making sales to make the figures look good"),
        (Law(PRICE_LAW, 14, 2), LEGAL_DAILY_2020),
    ),
    Severity.BLOCK,
    hosts=OFFICIALS,
)
def _cost(facts: PlanFacts, _: Mapping[str, int]) -> list[Finding]:
    me = _rule("not_below_cost")
    return [
        me.finding(
            N_("%(product)s is priced below its declared cost without the producer's clearance."),
            p.id,
            product=p.name,
        )
        for p in facts.products
        if p.declared_cost is not None and p.price < p.declared_cost and not p.clearance
    ]


@rule(
    "enterprise_public_interest",
    N_("An enterprise producer or partner comes with a stated public-interest reason."),
    Source(N_("Officials may not accept companies' invitations at will"), (LEGAL_DAILY_2020,)),
    Severity.WARN,
)
def _enterprise(facts: PlanFacts, _: Mapping[str, int]) -> list[Finding]:
    me = _rule("enterprise_public_interest")
    if facts.host_kind is HostKind.PRODUCER and facts.guest_official is None:
        return []  # a company selling its own produce, with no official lending it their face
    found = [
        me.finding(
            N_("%(producer)s is an enterprise; say why selling for it serves the public interest."),
            p.id,
            producer=p.producer_name,
        )
        for p in facts.products
        if p.producer_kind == "enterprise"
    ]
    found += [
        me.finding(
            N_("%(partner)s is a company; say why working with it serves the public interest."),
            partner.name,
            partner=partner.name,
        )
        for partner in facts.partners
        if partner.kind in (PartnerKind.ENTERPRISE, PartnerKind.MCN)
        and not (partner.public_interest or "").strip()
    ]
    return found


@rule(
    "no_declared_relationship",
    N_("No partner has a declared relationship to the official."),
    Source(
        N_(
            "No profit-making activity, and no use of an official's name or image in "
            "advertising: officials must not promote companies they are tied to"
        ),
        (Law(CIVIL_SERVANT_LAW, 59), Law(ADVERTISING_LAW, 9, 2), LEGAL_DAILY_2020, TCHD_2021),
    ),
    Severity.BLOCK,
    hosts=OFFICIALS,
)
def _relationship(facts: PlanFacts, _: Mapping[str, int]) -> list[Finding]:
    me = _rule("no_declared_relationship")
    return [
        me.finding(
            N_("%(partner)s has a declared relationship to you: %(relationship)s."),
            partner.name,
            partner=partner.name,
            relationship=partner.relationship,
        )
        for partner in facts.partners
        if (partner.relationship or "").strip()
    ]


@rule(
    "filed_ahead",
    N_("The plan is filed well before the session starts."),
    Source(N_("Officials report (报备) before they sell goods live"), (LEGAL_DAILY_2020,)),
    Severity.BLOCK,
    (Setting("min_hours_ahead", 72, N_("hours between filing and the start of the session")),),
)
def _ahead(facts: PlanFacts, settings: Mapping[str, int]) -> list[Finding]:
    me = _rule("filed_ahead")
    hours = settings["min_hours_ahead"]
    if (facts.starts_at - facts.filed_at).total_seconds() < hours * 3600:
        return [
            me.finding(
                N_("The session starts less than %(hours)s hours after filing."), hours=hours
            )
        ]
    return []


@rule(
    "monthly_limit",
    N_("An official is on camera in only a few sessions a month, as host or guest."),
    Source(N_("Formalism: live rooms turned into shows"), (LI_2024, LEGAL_DAILY_2020)),
    Severity.BLOCK,
    (Setting("max_sessions_per_month", 4, N_("sessions one official may be on in a month")),),
)
def _monthly(facts: PlanFacts, settings: Mapping[str, int]) -> list[Finding]:
    """Hosting or as a producer's guest, an official is on camera: a guest seat is counted."""
    me = _rule("monthly_limit")
    most = settings["max_sessions_per_month"]
    if facts.host_kind is HostKind.OFFICIAL and facts.sessions_in_month >= most:
        message = N_("This would be more than %(most)s sessions for you this month.")
    elif facts.guest_official is not None and facts.guest_sessions_in_month >= most:
        message = N_("This would be more than %(most)s sessions this month for the guest official.")
    else:
        return []
    return [me.finding(message, most=most)]


@rule(
    "official_not_payee",
    N_("No payment goes to an account of the official."),
    Source(
        N_("No profit-making activity: an official receives no money, ever"),
        (Law(CIVIL_SERVANT_LAW, 59),),
    ),
    Severity.BLOCK,
    hosts=OFFICIALS,
)
def _payee(facts: PlanFacts, _: Mapping[str, int]) -> list[Finding]:
    me = _rule("official_not_payee")
    return [
        me.finding(
            N_("Payments for %(product)s would go to your own account."), p.id, product=p.name
        )
        for p in facts.products
        if p.producer_account == facts.official_id
    ]


@rule(
    "own_produce",
    N_("A producer hosting its own session sells only its own produce (or its members')."),
    Source(
        N_("Farmers take part for real and become hosts themselves, so that sales last"),
        (LI_2024, TCHD_2021),
    ),
    Severity.BLOCK,
    hosts=PRODUCERS,
)
def _own(facts: PlanFacts, _: Mapping[str, int]) -> list[Finding]:
    me = _rule("own_produce")
    return [
        me.finding(
            N_("%(product)s is %(producer)s's produce, not yours."),
            p.id,
            product=p.name,
            producer=p.producer_name,
        )
        for p in facts.products
        if p.producer_id not in facts.own_producers
    ]


def applies(r: Rule, host: HostKind) -> bool:
    return host in r.hosts


def defaults() -> dict[str, int]:
    return {s.name: s.default for r in REGISTRY for s in r.settings}


def evaluate(facts: PlanFacts, overrides: Mapping[str, int] | None = None) -> list[Finding]:
    """Every finding of every rule, in registry order."""
    settings = {**defaults(), **(overrides or {})}
    return [
        finding
        for r in REGISTRY
        if applies(r, facts.host_kind)
        for finding in r.check(facts, settings)
    ]


def blocks(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.BLOCK for f in findings)
