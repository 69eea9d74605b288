"""Payment pages: the sandbox gateway's hosted pay page (what WeChat Pay's or Alipay's page is
for a real gateway), shown to the charge's buyer only, the operators' view of the ledger with
its trial balance, and the guarantee fund in public, in aggregate."""

from __future__ import annotations

from fastapi import APIRouter, Path
from fastapi.responses import Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.producers.services import producer_names
from sunlit.core.errors import SunlitError
from sunlit.core.i18n import translate
from sunlit.payments import ledger, store
from sunlit.payments import services as payments
from sunlit.payments import views as payment_views
from sunlit.payments.deps import PaymentsKit, payments_kit
from sunlit.web.deps import undo
from sunlit.web.forms import form_fields, redirect, safe_next
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

ChargeRef = Path(pattern=r"^ch_[A-Za-z0-9_-]{1,40}$")
payer = unit("signed_in", kit=payments_kit)


async def _pay_page(work: Work[PaymentsKit], ref: str, status: int = 200, **extra: str) -> Response:
    """The charge's pay page (``embed=1``: inside the live room's buy sheet)."""
    charge = await work.services.payment_gateway.charge(work.db, ref)
    embedded = work.request.query_params.get("embed") == "1"
    context = {"charge": charge, "embedded": embedded, **extra}
    return render(work.request, "payments/sandbox_pay.html", context, status=status)


@router.get("/sandbox/pay/{ref}")
async def pay_page(ref: str = ChargeRef, work: Work[PaymentsKit] = payer) -> Response:
    gateway = work.services.payment_gateway
    await payment_views.access_charge(work.db, work.actor, gateway.name, ref)
    return await _pay_page(work, ref)


@router.post("/sandbox/pay/{ref}")
async def pay_decide(ref: str = ChargeRef, work: Work[PaymentsKit] = payer) -> Response:
    fields = await form_fields(work.request)
    gateway = work.services.payment_gateway
    await payment_views.access_charge(work.db, work.actor, gateway.name, ref)
    try:
        pay = fields.get("decision") == "pay"
        back = await gateway.decide(work.db, ref, pay=pay, now=work.now)
    except SunlitError as exc:
        await undo(work.db, work.principal.account)
        if exc.status == 404:
            raise
        return await _pay_page(work, ref, 409, error=translate(exc.message, exc.params))
    await work.commit()
    embedded = work.request.query_params.get("embed") == "1"
    return redirect(f"/sandbox/pay/{ref}?embed=1" if embedded else safe_next(back))


@router.get("/operator/ledger")
async def ledger_page(
    work: Work[PaymentsKit] = unit(Role.OPERATOR, Role.SUPERVISOR, kit=payments_kit),
) -> Response:
    db = work.db
    trial = await store.trial_balance(db)
    payouts = await payment_views.payouts_for(db, None)
    transactions = await store.recent_transactions(db, limit=30)
    named = {ledger.producer_of(line.account) for line in trial.lines}
    named |= {ledger.producer_of(account) for t in transactions for account, _ in t.lines}
    named |= {payout.producer_id for payout in payouts}
    return render(
        work.request,
        "payments/ledger.html",
        {
            "trial": trial,
            "transactions": transactions,
            "payouts": payouts,
            "names": await producer_names(db, {n for n in named if n is not None}),
            "producer_of": ledger.producer_of,
            "kind_of": ledger.kind_of,
            "ran": work.request.query_params.get("ran"),
        },
    )


@router.post("/operator/payouts")
async def run_payouts(work: Work[PaymentsKit] = unit(Role.OPERATOR, kit=payments_kit)) -> Response:
    made = await payments.run_payouts(work.db, by=work.actor.id, now=work.now)
    await work.commit()
    return redirect(f"/operator/ledger?ran={len(made)}")


@router.get("/fund")
async def fund_page(work: Work[PaymentsKit] = unit("public", kit=payments_kit)) -> Response:
    """The guarantee fund in plain words and in aggregate: what went in, what it paid buyers
    first, what producers gave back and what they still owe. Never per producer or buyer."""
    settings = work.services.settings
    return render(
        work.request,
        "payments/fund.html",
        {
            "fund": await payment_views.fund_summary(work.db),
            "fund_percent": f"{settings.guarantee_fund_bp / 100:g}",
        },
    )
