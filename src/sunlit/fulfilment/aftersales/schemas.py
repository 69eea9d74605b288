"""The after-sales API's request and response bodies (money in fen)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from sunlit.core.text import CleanText
from sunlit.fulfilment.aftersales.model import (
    CARRIER_MAX,
    TEXT_MAX,
    Answer,
    Kind,
    Outcome,
    Reason,
    Ruling,
    Status,
)
from sunlit.fulfilment.aftersales.tables import AftersalesRow


class AftersalesIn(BaseModel):
    kind: Kind
    reason: Reason
    amount: int | None = Field(None, ge=1, description="fen; empty: all that is left")
    text: CleanText = Field(max_length=TEXT_MAX)


class AnswerIn(BaseModel):
    answer: Answer
    offer: int | None = Field(None, ge=1, description="fen, for a partial offer")
    text: CleanText = Field("", max_length=TEXT_MAX)


class TextIn(BaseModel):
    text: CleanText = Field(max_length=TEXT_MAX)


class ReturnIn(BaseModel):
    carrier: CleanText = Field(max_length=CARRIER_MAX)
    tracking_no: CleanText = Field(max_length=CARRIER_MAX)


class DecideIn(BaseModel):
    ruling: Ruling
    amount: int | None = Field(None, ge=1, description="fen, for the buyer; empty: all asked")
    text: CleanText = Field(max_length=TEXT_MAX)


class AftersalesOut(BaseModel):
    id: str
    order_id: str
    buyer_id: str
    producer_id: str
    kind: Kind
    reason: Reason
    rule: str
    amount: int
    text: str
    status: Status
    outcome: Outcome | None
    deadline: datetime | None
    answer: Answer | None
    offer: int | None
    answer_text: str | None
    return_carrier: str | None
    return_tracking_no: str | None
    escalation_text: str | None
    ruling: Ruling | None
    ruling_text: str | None
    refunded: int
    opened_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, row: AftersalesRow) -> AftersalesOut:
        return cls.model_validate(row, from_attributes=True)
