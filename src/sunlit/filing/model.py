"""Session plans as values, and the workflow they move through. Pure: no I/O, explicit time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from sunlit.accounts.model import Actor, Role, reaches
from sunlit.catalog.model import Inspection
from sunlit.core.errors import N_


class PlanStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHECKED = "checked"  # the rules ran and nothing blocks: waiting for a supervisor
    APPROVED = "approved"
    REJECTED = "rejected"
    LIVE = "live"
    ENDED = "ended"


#: The statuses of a plan that still counts (towards the monthly limit, an overlap).
ACTIVE = [s.value for s in PlanStatus if s not in (PlanStatus.REJECTED,)]
#: The statuses of a plan its host has filed (submitted) and that still counts.
FILED = [s for s in ACTIVE if s != PlanStatus.DRAFT.value]


class HostKind(StrEnum):
    """Who hosts a session: an official selling for the region, or a producer (a farmer or a
    cooperative) selling its own produce (issue 21)."""

    OFFICIAL = "official"
    PRODUCER = "producer"


class ConsentState(StrEnum):
    """A producer's answer to being on an official's plan (issue 21)."""

    ASKED = "asked"
    GIVEN = "given"
    DECLINED = "declined"


#: Who files and hosts sessions: an official for the region, a farmer's account for its own
#: produce. Both may practise in a private room.
HOST_ROLES = (Role.OFFICIAL, Role.FARMER)


def host_kind_of(role: str) -> HostKind:
    """A farmer's account files for its own produce; an official, as an official."""
    return HostKind.PRODUCER if role == Role.FARMER else HostKind.OFFICIAL


def may_decide(actor: Actor, host_kind: str, host_region: str | None) -> bool:
    """A supervisor decides any plan. An operator decides a producer's plan, never an
    official's: a county operator (an account with a region) only those of hosts inside its
    region; an operator with no region runs the whole deployment."""
    if actor.role == Role.SUPERVISOR:
        return True
    if actor.role != Role.OPERATOR or host_kind != HostKind.PRODUCER:
        return False
    return reaches(actor, host_region)


class PartnerKind(StrEnum):
    MCN = "mcn"  # an influencer / live-streaming agency
    ENTERPRISE = "enterprise"
    COOPERATIVE = "cooperative"


class TeamRole(StrEnum):
    """The official's team: a live session is teamwork, not a one-person show."""

    PLANNER = "planner"
    OPERATOR = "operator"
    PRODUCT_SPECIALIST = "product_specialist"
    CUSTOMER_SERVICE = "customer_service"


class Purpose(StrEnum):
    UNSALABLE = "unsalable"  # answering an unsalable-stock report
    REGIONAL_BRAND = "regional_brand"  # a regional brand programme


class Plan(Protocol):
    """A session plan as other contexts and the routes see it: read-only (the filing context's
    row satisfies it; nothing outside filing reads its tables)."""

    @property
    def id(self) -> str: ...
    @property
    def official_id(self) -> str:
        """The account that filed the plan and hosts the session (an official or a producer's
        account: ``host_kind`` says which)."""
        ...

    @property
    def host_kind(self) -> str: ...
    @property
    def guest_official_id(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def purpose(self) -> str: ...
    @property
    def answers_report(self) -> str | None: ...
    @property
    def promotions(self) -> str: ...
    @property
    def invited_by(self) -> str | None: ...
    @property
    def declares_no_payment(self) -> bool: ...
    @property
    def status(self) -> str: ...
    @property
    def findings(self) -> list[dict[str, Any]]: ...
    @property
    def stream_nonce(self) -> str | None: ...
    @property
    def submitted_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class Partner:
    name: str
    kind: PartnerKind
    relationship: str | None = None  # a declared tie to the official (kin, shareholding, …)
    public_interest: str | None = None  # why an enterprise serves the public interest here


@dataclass(frozen=True, slots=True)
class ProductFacts:
    """What the catalog verifiably says about a product on the plan."""

    id: str
    name: str
    category: str
    origin_region: str
    producer_id: str
    producer_name: str
    producer_kind: str
    producer_verified: bool
    producer_account: str | None  # who is paid for it (the payee)
    price: int
    declared_cost: int | None
    clearance: str | None
    band_low: int | None  # in fen, for the product's own unit
    band_high: int | None
    inspections: tuple[Inspection, ...] = ()


@dataclass(frozen=True, slots=True)
class PlanFacts:
    """Everything a boundary rule may look at: the plan, the official and catalog facts."""

    plan_id: str
    official_id: str
    official_region: str | None
    starts_at: datetime
    ends_at: datetime
    filed_at: datetime  # when the plan was (or is being) submitted
    products: tuple[ProductFacts, ...]
    partners: tuple[Partner, ...] = ()
    purpose: Purpose = Purpose.REGIONAL_BRAND
    answers_report: str | None = None
    sessions_in_month: int = 0  # the official's other sessions (hosted or as guest) that month
    declares_no_payment: bool = False
    host_kind: HostKind = HostKind.OFFICIAL
    #: The producers whose produce a producer host may sell: its own, and its cooperative's
    #: members (empty for an official).
    own_producers: frozenset[str] = frozenset()
    guest_official: str | None = None  # the official a producer invites on camera
    guest_sessions_in_month: int = 0  # the guest's other sessions that month


# --- the workflow ------------------------------------------------------------------------------

#: Which status may follow which, and who moves it: a pure state machine.
TRANSITIONS: dict[PlanStatus, frozenset[PlanStatus]] = {
    PlanStatus.DRAFT: frozenset({PlanStatus.SUBMITTED}),
    PlanStatus.SUBMITTED: frozenset({PlanStatus.CHECKED, PlanStatus.REJECTED}),
    PlanStatus.CHECKED: frozenset({PlanStatus.APPROVED, PlanStatus.REJECTED, PlanStatus.DRAFT}),
    PlanStatus.APPROVED: frozenset({PlanStatus.LIVE, PlanStatus.DRAFT}),
    PlanStatus.REJECTED: frozenset({PlanStatus.DRAFT}),
    PlanStatus.LIVE: frozenset({PlanStatus.ENDED}),
    PlanStatus.ENDED: frozenset(),
}

#: Statuses in which the official may still edit (an edit after approval sends it back).
EDITABLE = frozenset(
    {PlanStatus.DRAFT, PlanStatus.REJECTED, PlanStatus.CHECKED, PlanStatus.APPROVED}
)


#: Statuses in which a change needs the official's explicit confirmation: it undoes a review.
REVIEWED = frozenset({PlanStatus.CHECKED, PlanStatus.APPROVED})


def check_transition(current: PlanStatus, target: PlanStatus) -> str | None:
    if target not in TRANSITIONS[current]:
        return N_("A plan that is %(current)s cannot become %(target)s.")
    return None


def check_four_eyes(supervisor_id: str, official_id: str, team: frozenset[str]) -> str | None:
    """The approver is a supervisor who is neither the official nor on the plan's team."""
    if supervisor_id == official_id or supervisor_id in team:
        return N_("A plan must be approved by a supervisor who is not on it.")
    return None


@dataclass(frozen=True, slots=True)
class PlanDraft:
    """What the official types, checked before any rule runs."""

    title: str
    starts_at: datetime
    ends_at: datetime
    product_ids: tuple[str, ...]
    partners: tuple[Partner, ...] = ()
    purpose: Purpose = Purpose.REGIONAL_BRAND
    answers_report: str | None = None
    promotions: str = ""
    declares_no_payment: bool = False
    invited_by: str | None = None  # the organisation that invited the official, if any
    team: tuple[tuple[str, TeamRole], ...] = field(default_factory=tuple)  # (account, role)
    guest_official: str | None = None  # an official joining a producer's session as a guest


MAX_HOURS = 12


def check_plan(
    draft: PlanDraft,
    now: datetime,
    others: list[tuple[datetime, datetime]],
    host: HostKind = HostKind.OFFICIAL,
) -> dict[str, str]:
    """Field errors (msgids) for a plan's own data; the boundary rules come after. A producer
    sells its own produce and is paid for it: it declares no "no payment", invites no one and
    has no guest unless it hosts; an official has no guest official."""
    errors: dict[str, str] = {}
    if not draft.title.strip() or len(draft.title) > 120:
        errors["title"] = N_("Give the session a title of 1 to 120 characters.")
    if draft.ends_at <= draft.starts_at:
        errors["ends_at"] = N_("The session must end after it starts.")
    elif (draft.ends_at - draft.starts_at).total_seconds() > MAX_HOURS * 3600:
        errors["ends_at"] = N_("A session lasts at most 12 hours.")
    if draft.starts_at <= now:
        errors["starts_at"] = N_("The session cannot start in the past.")
    if any(start < draft.ends_at and draft.starts_at < end for start, end in others):
        errors["starts_at"] = N_("This window overlaps another of your sessions.")
    if not draft.product_ids:
        errors["product_ids"] = N_("Choose at least one product.")
    elif len(set(draft.product_ids)) != len(draft.product_ids):
        errors["product_ids"] = N_("A product appears twice.")
    if host is HostKind.OFFICIAL and draft.guest_official is not None:
        errors["guest_official"] = N_("Only a producer's session has a guest official.")
    if host is HostKind.OFFICIAL and not draft.declares_no_payment:
        errors["declares_no_payment"] = N_(
            "Declare that you take no payment or gift for this session."
        )
    if draft.purpose is Purpose.UNSALABLE and not draft.answers_report:
        errors["answers_report"] = N_("Choose the unsalable-stock report this session answers.")
    if draft.invited_by is not None and len(draft.invited_by) > 200:
        errors["invited_by"] = N_("Who invited you is at most 200 characters.")
    if len(draft.promotions) > 2000:
        errors["promotions"] = N_("Planned promotions are at most 2,000 characters.")
    for partner in draft.partners:
        if not partner.name.strip() or len(partner.name) > 120:
            errors["partners"] = N_("Each partner needs a name of 1 to 120 characters.")
    return errors


def month_of(moment: datetime) -> date:
    return date(moment.year, moment.month, 1)


#: How filing's values are named on pages (msgids).
LABELS: dict[str, dict[str, str]] = {
    "purpose": {
        Purpose.UNSALABLE: N_("Answering an unsalable-stock report"),
        Purpose.REGIONAL_BRAND: N_("A regional brand programme"),
    },
    "partner_kind": {
        PartnerKind.MCN: N_("Live-streaming agency (MCN)"),
        PartnerKind.ENTERPRISE: N_("Company"),
        PartnerKind.COOPERATIVE: N_("Cooperative"),
    },
    "host_kind": {
        HostKind.OFFICIAL: N_("Hosted by an official"),
        HostKind.PRODUCER: N_("Hosted by the producer"),
    },
    "consent_state": {
        ConsentState.ASKED: N_("Waiting for the producer"),
        ConsentState.GIVEN: N_("Agreed"),
        ConsentState.DECLINED: N_("Declined"),
    },
    "plan_status": {
        PlanStatus.DRAFT: N_("Draft"),
        PlanStatus.SUBMITTED: N_("Filed"),
        PlanStatus.CHECKED: N_("Waiting for a supervisor"),
        PlanStatus.APPROVED: N_("Approved"),
        PlanStatus.REJECTED: N_("Rejected"),
        PlanStatus.LIVE: N_("Live now"),
        PlanStatus.ENDED: N_("Ended"),
    },
}
