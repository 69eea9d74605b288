"""The producer's dashboard (products, prices they agree to, proposals to answer), and the
form on a product page through which an official or operator proposes a price."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts import services as accounts
from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Actor, Role
from sunlit.catalog import producers as producer_service
from sunlit.catalog import products as catalog
from sunlit.catalog import unsalable
from sunlit.catalog.model import (
    Category,
    ClearanceReason,
    InspectionKind,
    ProducerDraft,
    ProducerKind,
    ProductDraft,
    Unit,
    UnsalableReason,
    check_product,
    check_proposer,
)
from sunlit.core.errors import N_, InvalidInput, SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.core.regions.services import region_book
from sunlit.participation import ratings
from sunlit.participation import services as consent
from sunlit.web.deps import PathId, get_db, get_services, undo
from sunlit.web.forms import choice_in, date_in, form_fields, redirect, whole_in, yuan_in
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
FIX = N_("Please correct the marked fields.")


async def _dashboard(
    request: Request,
    db: AsyncSession,
    account: Actor,
    *,
    status: int = 200,
    form: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    error: str | None = None,
) -> Response:
    today = get_services(request).clock.now().date()
    producers = await producer_service.list_producers(db, manager=account.id)
    rows = await catalog.list_products(db, producer_ids=[p.id for p in producers])
    views = [await catalog.view_product(db, row.id, on=today) for row in rows]
    proposals = await consent.proposals_for_products(db, [row.id for row in rows])
    help_requests = await unsalable.reports_of(db, [p.id for p in producers])
    rateable = await ratings.rateable_for(db, account)
    proposers = {p.proposed_by for p in proposals}
    names = {a.id: a for a in await accounts.accounts_by_id(db, proposers)}
    return render(
        request,
        "participation/dashboard.html",
        {
            "producers": producers,
            "views": views,
            "products": {r.id: r for r in rows},
            "pending": [p for p in proposals if p.status == "pending"],
            "proposers": names,
            "decided": [p for p in proposals if p.status != "pending"][:20],
            "form": form,
            "errors": errors or {},
            "values": values or {},
            "error": error,
            "done": request.query_params.get("done"),
            "kinds": list(ProducerKind),
            "categories": list(Category),
            "units": list(Unit),
            "clearances": list(ClearanceReason),
            "help_requests": help_requests,
            "rateable": rateable,
            "reasons": list(UnsalableReason),
            "inspection_kinds": list(InspectionKind),
        },
        status=status,
    )


async def attempt(
    request: Request,
    db: AsyncSession,
    account: Actor,
    form: str,
    fields: dict[str, str],
    errors: dict[str, str],
    action: Any,
) -> Response:
    """Run ``action`` if the form parsed; re-render the dashboard with errors otherwise."""
    try:
        if errors:
            raise InvalidInput(FIX, fields=errors)
        await action()
        await db.commit()
    except SunlitError as exc:
        await undo(db, account)
        return await _dashboard(
            request,
            db,
            account,
            status=exc.status,
            form=form,
            errors=field_errors(exc.fields, exc.params),
            values=fields,
            error=translate(exc.message, exc.params),
        )
    return redirect(f"/producer?done={form}")


async def form_input(
    request: Request, principal: Principal
) -> tuple[Actor, dict[str, str], dict[str, str]]:
    """Who is asking, what they sent, and an empty dict for the field errors found."""
    return principal.require(), await form_fields(request), {}


@router.get("/producer")
async def dashboard(
    request: Request,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> Response:
    return await _dashboard(request, db, principal.require())


@router.post("/producer/producers")
async def register_producer(
    request: Request,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> Response:
    account, fields, errors = await form_input(request, principal)
    kind = choice_in(ProducerKind, fields, "kind", errors)
    draft = ProducerDraft(
        kind or ProducerKind.HOUSEHOLD,
        fields.get("name", ""),
        fields.get("region", "").strip(),
        village=fields.get("village"),
        contact_name=fields.get("contact_name"),
        contact_phone=fields.get("contact_phone"),
    )

    async def act() -> None:
        await producer_service.do_register_producer(
            db, account, draft, now=get_services(request).clock.now()
        )

    return await attempt(request, db, account, "producer", fields, errors, act)


@router.post("/producer/products")
async def list_product(
    request: Request,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> Response:
    account, fields, errors = await form_input(request, principal)
    draft = ProductDraft(
        name_zh=fields.get("name_zh", ""),
        name_en=fields.get("name_en", ""),
        kind=fields.get("kind", "").strip(),
        category=choice_in(Category, fields, "category", errors) or Category.FRUIT,
        origin_region=fields.get("origin_region", "").strip(),
        unit=choice_in(Unit, fields, "unit", errors) or Unit.JIN,
        price=yuan_in(fields, "price", errors) or 0,
        stock=whole_in(fields, "stock", errors) or 0,
        box_grams=whole_in(fields, "box_grams", errors, optional=True),
        declared_cost=yuan_in(fields, "declared_cost", errors, optional=True),
        story_zh=fields.get("story_zh", ""),
        story_en=fields.get("story_en", ""),
    )
    clearance = choice_in(ClearanceReason, fields, "clearance", errors, optional=True)
    # Report every problem at once: what could not be read, and what the rules refuse.
    for name, message in check_product(draft, region_book()).items():
        errors.setdefault(name, message)

    async def act() -> None:
        await catalog.do_list_product(
            db,
            account,
            fields.get("producer", ""),
            draft,
            clearance=clearance,
            now=get_services(request).clock.now(),
        )

    return await attempt(request, db, account, "product", fields, errors, act)


@router.post("/producer/products/{product_id}/price")
async def change_own_price(
    request: Request,
    product_id: PathId,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> Response:
    account, fields, errors = await form_input(request, principal)
    price = yuan_in(fields, "price", errors)
    clearance = choice_in(ClearanceReason, fields, "clearance", errors, optional=True)

    async def act() -> None:
        await consent.do_change_price(
            db,
            account,
            product_id,
            price or 0,
            clearance=clearance,
            now=get_services(request).clock.now(),
        )

    return await attempt(request, db, account, f"price-{product_id}", fields, errors, act)


@router.post("/producer/products/{product_id}/stock")
async def change_stock(
    request: Request,
    product_id: PathId,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> Response:
    account, fields, errors = await form_input(request, principal)
    stock = whole_in(fields, "stock", errors)

    async def act() -> None:
        await catalog.do_update_stock(
            db, account, product_id, stock or 0, now=get_services(request).clock.now()
        )

    return await attempt(request, db, account, f"stock-{product_id}", fields, errors, act)


@router.post("/producer/proposals/{proposal_id}/decision")
async def decide(
    request: Request,
    proposal_id: PathId,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> Response:
    account, fields, errors = await form_input(request, principal)
    decision = fields.get("decision")
    if decision not in ("accept", "refuse"):
        errors["decision"] = N_("Choose from the list.")
    clearance = choice_in(ClearanceReason, fields, "clearance", errors, optional=True)

    async def act() -> None:
        await consent.do_decide(
            db,
            account,
            proposal_id,
            accept=decision == "accept",
            clearance=clearance,
            note=fields.get("note", ""),
            now=get_services(request).clock.now(),
        )

    return await attempt(request, db, account, f"proposal-{proposal_id}", fields, errors, act)


@router.post("/products/{product_id}/proposals")
async def propose(
    request: Request,
    product_id: PathId,
    principal: Principal = allow(Role.OFFICIAL, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    account, fields, errors = await form_input(request, principal)
    price = yuan_in(fields, "price", errors)
    try:
        if errors:
            raise InvalidInput(FIX, fields=errors)
        await consent.do_change_price(
            db,
            account,
            product_id,
            price or 0,
            reason=fields.get("reason", ""),
            now=get_services(request).clock.now(),
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, account)
        view = await catalog.view_product(
            db, product_id, on=get_services(request).clock.now().date()
        )
        return render(
            request,
            "catalog/product.html",
            {
                "view": view,
                "manages": False,
                "can_propose": not check_proposer(
                    account.role, account.region, view.product.origin_region
                ),
                "values": fields,
                "errors": field_errors(exc.fields, exc.params),
                "error": translate(exc.message, exc.params),
            },
            status=exc.status,
        )
    return redirect(f"/products/{product_id}?proposed=1")


@router.post("/producer/unsalable")
async def report_unsalable(
    request: Request,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> Response:
    account, fields, errors = await form_input(request, principal)
    quantity = whole_in(fields, "quantity", errors)
    reason = choice_in(UnsalableReason, fields, "reason", errors)
    deadline = date_in(fields, "deadline", errors)

    async def act() -> None:
        await unsalable.do_report_unsalable(
            db,
            account,
            fields.get("product", ""),
            quantity=quantity or 0,
            reason=reason,
            deadline=deadline,
            note=fields.get("note", ""),
            now=get_services(request).clock.now(),
        )

    return await attempt(request, db, account, "unsalable", fields, errors, act)


@router.post("/producer/unsalable/{report_id}/close")
async def close_unsalable(
    request: Request,
    report_id: PathId,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> Response:
    account, fields, errors = await form_input(request, principal)

    async def act() -> None:
        await unsalable.do_close(db, account, report_id, now=get_services(request).clock.now())

    return await attempt(request, db, account, "unsalable", fields, errors, act)


@router.post("/producer/ratings")
async def rate_session(
    request: Request,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> Response:
    account, fields, errors = await form_input(request, principal)
    stars = whole_in(fields, "stars", errors)

    async def act() -> None:
        await ratings.do_rate(
            db,
            account,
            fields.get("plan", ""),
            fields.get("producer", ""),
            stars=stars or 0,
            text=fields.get("text", ""),
            now=get_services(request).clock.now(),
        )

    return await attempt(request, db, account, "rating", fields, errors, act)
