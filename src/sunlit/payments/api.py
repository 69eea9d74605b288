"""JSON API for payments (``/api/v1``): the gateway's notifications, the ledger's trial
balance and transactions, payouts, a cooperative's payout shares and the guarantee fund."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.producers import services as producer_service
from sunlit.payments import services as payments
from sunlit.payments import store
from sunlit.payments import views as payment_views
from sunlit.payments.deps import PaymentsKit, payments_kit
from sunlit.payments.schemas import (
    FundOut,
    NoticeResult,
    PayoutOut,
    ShareIn,
    TransactionOut,
    TrialBalanceOut,
)
from sunlit.web.deps import PathId

router = APIRouter(prefix="/api/v1", tags=["payments"])

oversight = unit(Role.OPERATOR, Role.SUPERVISOR, kit=payments_kit)


@router.post("/payments/webhooks/sandbox", response_model=NoticeResult)
async def sandbox_webhook(
    work: Work[PaymentsKit] = unit("public", csrf=False, kit=payments_kit),
) -> NoticeResult:
    """The sandbox gateway's signed notifications. A forged or stale signature is refused
    (403); a second copy is answered ``duplicate`` and changes nothing; a refund that comes
    before its capture is refused (409) so that the gateway sends it again later."""
    gateway, rates = work.services.payment_gateway, work.services.rates
    notice = gateway.verify(work.request.headers, await work.request.body(), now=work.now)
    outcome = await payments.handle_notice(work.db, gateway, notice, rates=rates, now=work.now)
    try:
        await work.commit()
    except IntegrityError:  # the other copy was applied at the same instant
        await work.db.rollback()
        outcome = payments.Outcome.DUPLICATE
    return NoticeResult(outcome=outcome)


@router.get("/ledger/trial-balance", response_model=TrialBalanceOut)
async def trial_balance(work: Work[PaymentsKit] = oversight) -> TrialBalanceOut:
    """Every ledger account's debits and credits, derived from the entries."""
    return TrialBalanceOut.of(await store.trial_balance(work.db))


@router.get("/ledger/transactions", response_model=list[TransactionOut])
async def ledger_transactions(work: Work[PaymentsKit] = oversight) -> list[TransactionOut]:
    """The latest postings, newest first, each with its lines (debits positive)."""
    return [TransactionOut.of(line) for line in await store.recent_transactions(work.db)]


@router.post("/payouts/run", response_model=list[PayoutOut])
async def run_payouts(
    work: Work[PaymentsKit] = unit(Role.OPERATOR, kit=payments_kit),
) -> list[PayoutOut]:
    """Pay out every released payment, one payout per producer."""
    made = await payments.run_payouts(work.db, by=work.actor.id, now=work.now)
    lines = await payment_views.lines_of_payouts(work.db, made)
    await work.commit()
    return [PayoutOut.of(row, lines[row.id]) for row in made]


@router.get("/payouts", response_model=list[PayoutOut])
async def list_payouts(
    work: Work[PaymentsKit] = unit(Role.FARMER, Role.OPERATOR, Role.SUPERVISOR, kit=payments_kit),
) -> list[PayoutOut]:
    """Payouts to the producers you manage (operators and supervisors: all)."""
    scope = await producer_service.producer_scope(work.db, work.actor)
    rows = await payment_views.payouts_for(work.db, scope)
    lines = await payment_views.lines_of_payouts(work.db, rows)
    return [PayoutOut.of(row, lines[row.id]) for row in rows]


@router.put("/producers/{producer_id}/payout-shares", response_model=list[ShareIn])
async def set_payout_shares(
    producer_id: PathId,
    body: list[ShareIn],
    work: Work[PaymentsKit] = unit(Role.FARMER, Role.OPERATOR, kit=payments_kit),
) -> list[ShareIn]:
    """How a cooperative's payouts are split among its member households (basis points; what
    the shares leave stays with the cooperative)."""
    shares = [(share.member_id, share.share_bp) for share in body]
    await payments.do_set_payout_shares(work.db, work.actor, producer_id, shares, now=work.now)
    await work.commit()
    return body


@router.get("/fund", response_model=FundOut)
async def fund(work: Work[PaymentsKit] = unit("public", kit=payments_kit)) -> FundOut:
    """The guarantee fund in aggregate (public): contributions, the refunds it paid first after
    a producer was paid, what producers' later payouts gave back, what is owed, the balance."""
    return FundOut.of(await payment_views.fund_summary(work.db))
