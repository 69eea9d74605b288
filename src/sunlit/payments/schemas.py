"""The payments API's request and response bodies, each response with its ``of(...)``
builder."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel, Field

from sunlit.accounts.services import aware
from sunlit.core.ids import ID_PATTERN
from sunlit.payments import services as payments
from sunlit.payments.model import Payout
from sunlit.payments.store import LedgerLine, TrialBalance
from sunlit.payments.tables import PayoutLineRow
from sunlit.payments.views import FundSummary


class NoticeResult(BaseModel):
    outcome: payments.Outcome


class BalanceLineOut(BaseModel):
    account: str
    kind: str
    debit: int
    credit: int
    balance: int


class TrialBalanceOut(BaseModel):
    balanced: bool
    debits: int
    credits: int
    accounts: list[BalanceLineOut]

    @classmethod
    def of(cls, trial: TrialBalance) -> TrialBalanceOut:
        return cls(
            balanced=trial.balanced,
            debits=trial.debits,
            credits=trial.credits,
            accounts=[
                BalanceLineOut.model_validate(line, from_attributes=True) for line in trial.lines
            ],
        )


class TransactionOut(BaseModel):
    id: str
    kind: str
    reference: str | None
    memo: str
    created_at: datetime
    lines: list[tuple[str, int]]

    @classmethod
    def of(cls, line: LedgerLine) -> TransactionOut:
        return cls(
            id=line.transaction,
            kind=line.kind,
            reference=line.reference,
            memo=line.memo,
            created_at=aware(line.created_at),
            lines=line.lines,
        )


class PayoutLineOut(BaseModel):
    payee_id: str
    amount: int


class PayoutOut(BaseModel):
    id: str
    producer_id: str
    amount: int = Field(description="Paid to the payees (the net), in fen")
    recovered: int = Field(description="Given back to the guarantee fund from this payout")
    payments: int
    created_at: datetime
    lines: list[PayoutLineOut]

    @classmethod
    def of(cls, row: Payout, lines: Sequence[PayoutLineRow]) -> PayoutOut:
        return cls(
            id=row.id,
            producer_id=row.producer_id,
            amount=row.amount,
            recovered=row.recovered,
            payments=row.payments,
            created_at=aware(row.created_at),
            lines=[PayoutLineOut(payee_id=line.payee_id, amount=line.amount) for line in lines],
        )


class ShareIn(BaseModel):
    member_id: str = Field(pattern=ID_PATTERN)
    share_bp: int = Field(ge=1, le=10_000)


class FundOut(BaseModel):
    """The guarantee fund in aggregate, in fen (``balance`` = ``contributions`` −
    ``compensated`` + ``recovered``)."""

    contributions: int = Field(description="Put in by payments, less refunds before payout")
    compensations: int = Field(description="Refunds the fund paid first, after a payout")
    compensated: int = Field(description="What those refunds paid buyers")
    recovered: int = Field(description="Given back by the producers' later payouts")
    outstanding: int = Field(description="Still owed to the fund by producers")
    balance: int = Field(description="What the fund holds")

    @classmethod
    def of(cls, summary: FundSummary) -> FundOut:
        return cls.model_validate(summary, from_attributes=True)
