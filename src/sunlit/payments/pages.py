"""Payment pages: the sandbox gateway's hosted pay page (what WeChat Pay's or Alipay's page is
for a real gateway), shown to the charge's buyer only, and the operators' view of the ledger
with its trial balance."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.catalog.producers import producer_names
from sunlit.core.errors import SunlitError
from sunlit.core.i18n import translate
from sunlit.payments import ledger, store
from sunlit.payments import services as payments
from sunlit.payments import views as payment_views
from sunlit.payments.deps import payments_kit
from sunlit.web.deps import get_db, undo
from sunlit.web.forms import form_fields, redirect, safe_next
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

ChargeRef = Path(pattern=r"^ch_[A-Za-z0-9_-]{1,40}$")


@router.get("/sandbox/pay/{ref}")
async def pay_page(
    request: Request,
    ref: str = ChargeRef,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    gateway = payments_kit(request).payment_gateway
    await payment_views.access_charge(db, principal.require(), gateway.name, ref)
    charge = await gateway.charge(db, ref)
    embedded = request.query_params.get("embed") == "1"  # inside the live room's buy sheet
    return render(request, "payments/sandbox_pay.html", {"charge": charge, "embedded": embedded})


@router.post("/sandbox/pay/{ref}")
async def pay_decide(
    request: Request,
    ref: str = ChargeRef,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = payments_kit(request)
    fields = await form_fields(request)
    embedded = request.query_params.get("embed") == "1"
    gateway = services.payment_gateway
    await payment_views.access_charge(db, principal.require(), gateway.name, ref)
    try:
        back = await gateway.decide(
            db, ref, pay=fields.get("decision") == "pay", now=services.clock.now()
        )
    except SunlitError as exc:
        await undo(db, principal.account)
        if exc.status == 404:
            raise
        charge = await gateway.charge(db, ref)
        error = translate(exc.message, exc.params)
        context = {"charge": charge, "error": error, "embedded": embedded}
        return render(request, "payments/sandbox_pay.html", context, status=409)
    await db.commit()
    return redirect(f"/sandbox/pay/{ref}?embed=1" if embedded else safe_next(back))


@router.get("/operator/ledger")
async def ledger_page(
    request: Request,
    principal: Principal = allow(Role.OPERATOR, Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    trial = await store.trial_balance(db)
    payouts = await payment_views.payouts_for(db, None)
    named = {ledger.producer_of(line.account) for line in trial.lines}
    named |= {payout.producer_id for payout in payouts}
    return render(
        request,
        "payments/ledger.html",
        {
            "trial": trial,
            "transactions": await store.recent_transactions(db, limit=30),
            "payouts": payouts,
            "names": await producer_names(db, {n for n in named if n is not None}),
            "producer_of": ledger.producer_of,
            "ran": request.query_params.get("ran"),
        },
    )


@router.post("/operator/payouts")
async def run_payouts(
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = payments_kit(request)
    made = await payments.run_payouts(db, by=principal.require().id, now=services.clock.now())
    await db.commit()
    return redirect(f"/operator/ledger?ran={len(made)}")
