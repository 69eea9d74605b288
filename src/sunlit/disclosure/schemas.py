"""The JSON of a session's public disclosure (``/api/v1/sessions/{id}/disclosure``): every field
is listed in tests/test_disclosure.py against the page's allowlist."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from sunlit.disclosure.model import Disclosure, Stage


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class HostOut(_Out):
    name: str
    office: str | None
    region: str | None


class DocumentOut(_Out):
    kind: str
    issuer: str
    expires_on: date
    valid: bool


class ProductOut(_Out):
    id: str
    name_zh: str
    name_en: str
    price: int
    unit: str
    box_grams: int | None
    producer: str
    producer_kind: str
    producer_verified: bool
    band_low: int | None
    band_high: int | None
    band_status: str | None
    documents: list[DocumentOut]


class PartnerOut(_Out):
    name: str
    kind: str
    relationship: str | None
    public_interest: str | None


class RuleOut(_Out):
    rule: str
    severity: str
    message: str
    params: dict[str, str | int]


class ApprovalOut(_Out):
    role: str
    office: str | None
    on: datetime | None


class DisclosureOut(_Out):
    id: str
    title: str
    stage: Stage
    status: str
    starts_at: datetime
    ends_at: datetime
    purpose: str
    answers_report: str | None
    host: HostOut
    products: list[ProductOut]
    partners: list[PartnerOut]
    rules: list[RuleOut]
    approval: ApprovalOut

    @classmethod
    def of(cls, disclosure: Disclosure) -> DisclosureOut:
        return cls.model_validate(disclosure)
