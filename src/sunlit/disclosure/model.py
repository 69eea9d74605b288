"""What the public sees of a session, as values (pure: no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sunlit.disclosure.claims.model import PublicClaim
from sunlit.disclosure.outcome import LiveFigures, ProductOutcome
from sunlit.filing.model import PlanStatus


class Stage(StrEnum):
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


#: A plan is public from its approval: before the session, while it is live, and after it.
STAGE_OF_STATUS = {
    PlanStatus.APPROVED: Stage.BEFORE,
    PlanStatus.LIVE: Stage.DURING,
    PlanStatus.ENDED: Stage.AFTER,
}


def stage_of(status: PlanStatus) -> Stage | None:
    """The stage a plan of this status is public in; None while it is not public (a draft, a
    filing under review, a rejected or withdrawn plan)."""
    return STAGE_OF_STATUS.get(status)


@dataclass(frozen=True, slots=True)
class Host:
    name: str
    office: str | None
    region: str | None
    kind: str = "official"  # who hosts: an official, or the producer itself (issue 21)
    guest: str | None = None  # an official joining a producer's session: name and office


@dataclass(frozen=True, slots=True)
class Document:
    kind: str
    issuer: str
    expires_on: date
    valid: bool  # valid through the end of the session


@dataclass(frozen=True, slots=True)
class PublicProduct:
    id: str
    name_zh: str
    name_en: str
    price: int  # fen a unit
    unit: str
    box_grams: int | None
    producer: str  # the producer's name: a household's is shown as its kind alone
    producer_kind: str
    producer_verified: bool
    band_low: int | None
    band_high: int | None
    band_status: str | None
    documents: tuple[Document, ...]


@dataclass(frozen=True, slots=True)
class PublicPartner:
    name: str
    kind: str
    relationship: str | None
    public_interest: str | None


@dataclass(frozen=True, slots=True)
class RuleResult:
    """A boundary rule's result as the filing recorded it (the message is a msgid)."""

    rule: str
    severity: str
    message: str
    params: dict[str, str | int]


@dataclass(frozen=True, slots=True)
class Approval:
    role: str
    office: str | None
    on: datetime | None


@dataclass(frozen=True, slots=True)
class Verified:
    """The integrity engine's verified figures of the session (docs/integrity.md)."""

    gmv: int  # fen
    orders: int
    viewers: int
    cancelled_or_refunded: int
    confirmed_flagged_orders: int
    confirmed_flagged_viewers: int
    delivered_per_mille: int | None
    complaints_per_1000_orders: int | None
    refunds_per_1000_orders: int | None
    median_delivery_hours: float | None
    viewers_joined: int | None  # before any is taken off
    #: Estimates when no one can be named (issue 19): {low, high, baseline_share,
    #: baseline_sessions}, and for orders also gmv_low and gmv_high (fen); None when too few
    #: comparable sessions, or stored before they existed.
    viewers_not_real: dict[str, float] | None
    orders_not_organic: dict[str, float] | None


@dataclass(frozen=True, slots=True)
class PublicFinding:
    """A finding a supervisor confirmed and published (its case on /findings)."""

    case: str
    rule: str
    severity: str
    reason: str | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One session as the public sees it. Before it starts: what was filed and approved.
    During: the same and the live figures. After: what each product sold and what reached the
    producers, the verified figures and the published findings."""

    id: str
    title: str
    stage: Stage
    status: str
    starts_at: datetime
    ends_at: datetime
    purpose: str
    answers_report: str | None
    invited_by: str | None  # who invited the official; None: not declared
    host: Host
    products: tuple[PublicProduct, ...]
    partners: tuple[PublicPartner, ...]
    rules: tuple[RuleResult, ...]
    approval: Approval
    live: LiveFigures | None = None  # during and after
    outcome: tuple[ProductOutcome, ...] = ()  # after: one row a product, in products' order
    total: ProductOutcome | None = None  # after: the outcome's last line
    left_out: int = 0  # orders left out of the figures: confirmed fake by a supervisor
    verified: Verified | None = None  # after, once the engine has computed them
    findings: tuple[PublicFinding, ...] = ()  # after: published findings
    #: Figures the press announced, against the verified ones (disclosure.claims.views).
    claims: tuple[PublicClaim, ...] = ()


@dataclass(frozen=True, slots=True)
class LiveBlock:
    """The page's live figures block alone (what htmx swaps in while on air)."""

    id: str
    stage: Stage
    live: LiveFigures | None


def producer_shown(name: str, kind: str) -> str:
    """A household is a person: the public sees that a household grows it, not whose. A
    cooperative or an enterprise is shown by name."""
    return "" if kind == "household" else name


def documents_shown(
    documents: list[tuple[str, str, date]], *, through: date
) -> tuple[Document, ...]:
    """The quality documents (kind, issuer, expiry), each marked valid when it covers the whole
    session (expires on or after its last day)."""
    return tuple(
        Document(kind, issuer, expires_on, expires_on >= through)
        for kind, issuer, expires_on in documents
    )


def verified_of(figures: dict[str, object] | None) -> Verified | None:
    """The verified figures as the engine stored them (None until it has)."""
    if figures is None:
        return None
    names = Verified.__slots__
    return Verified(**{n: figures.get(n) for n in names})  # type: ignore[arg-type]
