"""What the public sees of a session, as values (pure: no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sunlit.disclosure.claims.model import PublicClaim
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
class Disclosure:
    """One session as the public sees it before it starts (the stage says which part of the
    page applies; the figures during and after are added by later work on issue 16)."""

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
    #: Figures the press announced, against the verified ones (disclosure.claims.views).
    claims: tuple[PublicClaim, ...] = ()


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
