"""JSON API for payments (``/api/v1``): the gateway's notifications, the ledger's trial
balance and transactions, payouts and a cooperative's payout shares."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.accounts.services import aware
from sunlit.catalog import producers as producer_service
from sunlit.core.ids import ID_PATTERN
from sunlit.payments import services as payments
from sunlit.payments import store
from sunlit.payments import views as payment_views
from sunlit.payments.deps import payments_kit
from sunlit.payments.model import Payout
from sunlit.web.deps import PathId, get_db

router = APIRouter(prefix="/api/v1", tags=["payments"])


class NoticeResult(BaseModel):
    outcome: payments.Outcome


@router.post("/payments/webhooks/sandbox", response_model=NoticeResult)
async def sandbox_webhook(
    request: Request,
    principal: Principal = allow("public", csrf=False),
    db: AsyncSession = Depends(get_db),
) -> NoticeResult:
    """The sandbox gateway's signed notifications. A forged or stale signature is refused
    (403); a second copy is answered ``duplicate`` and changes nothing; a refund that comes
    before its capture is refused (409) so that the gateway sends it again later."""
    services = payments_kit(request)
    gateway = services.payment_gateway
    body = await request.body()
    now = services.clock.now()
    notice = gateway.verify(request.headers, body, now=now)
    outcome = await payments.handle_notice(db, gateway, notice, rates=services.rates, now=now)
    try:
        await db.commit()
    except IntegrityError:  # the other copy was applied at the same instant
        await db.rollback()
        outcome = payments.Outcome.DUPLICATE
    return NoticeResult(outcome=outcome)


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


@router.get("/ledger/trial-balance", response_model=TrialBalanceOut)
async def trial_balance(
    principal: Principal = allow(Role.OPERATOR, Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> TrialBalanceOut:
    """Every ledger account's debits and credits, derived from the entries."""
    trial = await store.trial_balance(db)
    return TrialBalanceOut(
        balanced=trial.balanced,
        debits=trial.debits,
        credits=trial.credits,
        accounts=[
            BalanceLineOut(
                account=line.account,
                kind=line.kind.value,
                debit=line.debit,
                credit=line.credit,
                balance=line.balance,
            )
            for line in trial.lines
        ],
    )


class TransactionOut(BaseModel):
    id: str
    kind: str
    reference: str | None
    memo: str
    created_at: datetime
    lines: list[tuple[str, int]]


@router.get("/ledger/transactions", response_model=list[TransactionOut])
async def ledger_transactions(
    principal: Principal = allow(Role.OPERATOR, Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> list[TransactionOut]:
    """The latest postings, newest first, each with its lines (debits positive)."""
    return [
        TransactionOut(
            id=line.transaction,
            kind=line.kind,
            reference=line.reference,
            memo=line.memo,
            created_at=aware(line.created_at),
            lines=line.lines,
        )
        for line in await store.recent_transactions(db)
    ]


class PayoutLineOut(BaseModel):
    payee_id: str
    amount: int


class PayoutOut(BaseModel):
    id: str
    producer_id: str
    amount: int
    payments: int
    created_at: datetime
    lines: list[PayoutLineOut]


async def _payout_out(db: AsyncSession, row: Payout) -> PayoutOut:
    lines = await payment_views.payout_lines(db, row.id)
    return PayoutOut(
        id=row.id,
        producer_id=row.producer_id,
        amount=row.amount,
        payments=row.payments,
        created_at=aware(row.created_at),
        lines=[PayoutLineOut(payee_id=line.payee_id, amount=line.amount) for line in lines],
    )


@router.post("/payouts/run", response_model=list[PayoutOut])
async def run_payouts(
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> list[PayoutOut]:
    """Pay out every released payment, one payout per producer."""
    services = payments_kit(request)
    made = await payments.run_payouts(db, by=principal.require().id, now=services.clock.now())
    result = [await _payout_out(db, row) for row in made]
    await db.commit()
    return result


@router.get("/payouts", response_model=list[PayoutOut])
async def list_payouts(
    principal: Principal = allow(Role.FARMER, Role.OPERATOR, Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> list[PayoutOut]:
    """Payouts to the producers you manage (operators and supervisors: all)."""
    scope = await producer_service.producer_scope(db, principal.require())
    rows = await payment_views.payouts_for(db, scope)
    return [await _payout_out(db, row) for row in rows]


class ShareIn(BaseModel):
    member_id: str = Field(pattern=ID_PATTERN)
    share_bp: int = Field(ge=1, le=10_000)


@router.put("/producers/{producer_id}/payout-shares", response_model=list[ShareIn])
async def set_payout_shares(
    producer_id: PathId,
    body: list[ShareIn],
    request: Request,
    principal: Principal = allow(Role.FARMER, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> list[ShareIn]:
    """How a cooperative's payouts are split among its member households (basis points; what
    the shares leave stays with the cooperative)."""
    await payments.do_set_payout_shares(
        db,
        principal.require(),
        producer_id,
        [(share.member_id, share.share_bp) for share in body],
        now=payments_kit(request).clock.now(),
    )
    await db.commit()
    return body
