"""Schemas of the filing context's JSON API: what a plan is filed with, and how it is shown
(kept out of the routes, which never see a row's parts)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from sunlit.accounts.services import aware
from sunlit.core.clock import Moment
from sunlit.core.ids import ID_PATTERN
from sunlit.core.text import CleanText
from sunlit.filing.model import (
    HostKind,
    Partner,
    PartnerKind,
    Plan,
    PlanDraft,
    PlanStatus,
    Purpose,
    TeamRole,
)
from sunlit.filing.views import PlanRecord

Id = Annotated[str, Field(pattern=ID_PATTERN)]


class PartnerIn(BaseModel):
    name: CleanText = Field(max_length=240)
    kind: PartnerKind
    relationship: CleanText | None = Field(None, max_length=200)
    public_interest: CleanText | None = Field(None, max_length=500)

    @classmethod
    def of(cls, partner: Partner) -> PartnerIn:
        return cls(
            name=partner.name,
            kind=PartnerKind(partner.kind),
            relationship=partner.relationship,
            public_interest=partner.public_interest,
        )


class TeamMemberIn(BaseModel):
    account: Id
    role: TeamRole


class PlanIn(BaseModel):
    title: CleanText = Field(max_length=240)
    starts_at: Moment
    ends_at: Moment
    products: list[Id] = Field(max_length=50)
    partners: list[PartnerIn] = Field(default_factory=list, max_length=20)
    purpose: Purpose = Purpose.REGIONAL_BRAND
    answers_report: str | None = Field(None, pattern=ID_PATTERN)
    promotions: CleanText = Field("", max_length=4000)
    declares_no_payment: bool = False
    invited_by: CleanText | None = Field(
        None, max_length=200, description="the organisation that invited the official to host"
    )
    team: list[TeamMemberIn] = Field(default_factory=list, max_length=10)
    guest_official: Id | None = Field(
        None, description="an official who joins a producer's own session as a guest"
    )
    reopen: bool = Field(
        False,
        description="confirms that changing an approved (or checked) plan sends it back to draft",
    )

    def draft(self) -> PlanDraft:
        return PlanDraft(
            title=self.title,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            product_ids=tuple(self.products),
            partners=tuple(
                Partner(p.name, p.kind, p.relationship, p.public_interest) for p in self.partners
            ),
            purpose=self.purpose,
            answers_report=self.answers_report,
            promotions=self.promotions,
            declares_no_payment=self.declares_no_payment,
            invited_by=self.invited_by or None,
            team=tuple((member.account, member.role) for member in self.team),
            guest_official=self.guest_official,
        )


class PlanOut(BaseModel):
    id: str
    official_id: str = Field(description="the host's account (an official's or a producer's)")
    host_kind: HostKind
    guest_official_id: str | None = None
    title: str
    starts_at: datetime
    ends_at: datetime
    status: PlanStatus
    purpose: Purpose
    invited_by: str | None = None
    products: list[str]
    partners: list[PartnerIn]
    team: list[TeamMemberIn]
    findings: list[dict[str, Any]]
    stream_key: str | None = Field(None, description="for the official, once approved")
    consents: list[dict[str, Any]] = Field(
        default_factory=list,
        description="each producer's answer to being on an official's plan: product, producer, "
        "state (asked, given, declined), stock committed, reason for a decline",
    )
    history: list[dict[str, Any]] = Field(default_factory=list)

    @classmethod
    def of(cls, plan: Plan, record: PlanRecord, stream_key: str | None) -> PlanOut:
        return cls(
            id=plan.id,
            official_id=plan.official_id,
            host_kind=HostKind(plan.host_kind),
            guest_official_id=plan.guest_official_id,
            title=plan.title,
            starts_at=aware(plan.starts_at),
            ends_at=aware(plan.ends_at),
            status=PlanStatus(plan.status),
            purpose=Purpose(plan.purpose),
            invited_by=plan.invited_by,
            products=record.products,
            partners=[PartnerIn.of(p) for p in record.partners],
            team=[TeamMemberIn(account=account, role=role) for account, role in record.team],
            findings=list(plan.findings or []),
            stream_key=stream_key,
            consents=[
                {
                    "product": c.product_id,
                    "producer": c.producer_id,
                    "state": str(c.state),
                    "stock": c.stock,
                    "reason": c.reason,
                }
                for c in record.consents
            ],
            history=[
                {"type": e.type, "actor": e.actor, "ts": aware(e.ts).isoformat(), "data": e.data}
                for e in record.history
            ],
        )
