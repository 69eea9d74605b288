"""Filing pages: the official's plan editor with live rule feedback, plan lists, the
supervisors' review, each plan's history, and the printable product briefing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Actor, Role
from sunlit.accounts.services import aware
from sunlit.catalog import products as catalog
from sunlit.catalog import unsalable
from sunlit.core.errors import N_, InvalidInput, SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.filing import services as filing
from sunlit.filing.deps import filing_kit
from sunlit.filing.facts import facts_for_draft
from sunlit.filing.model import Partner, PartnerKind, Plan, PlanDraft, PlanStatus, Purpose
from sunlit.filing.rules import blocks, evaluate
from sunlit.filing.views import access_plan, get_plan, plan_history, plan_parts
from sunlit.web.deps import PathId, get_db, get_services, undo
from sunlit.web.forms import form_fields, form_list, local_moment, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
READERS = (Role.OFFICIAL, Role.SUPERVISOR, Role.OPERATOR)
PARTNER_ROWS = 3


def draft_from_form(
    fields: dict[str, str], products: list[str], request: Request
) -> tuple[PlanDraft, dict[str, str]]:
    zone = get_services(request).zone
    errors: dict[str, str] = {}
    now = get_services(request).clock.now()
    starts = local_moment(fields.get("starts_at", ""), zone)
    ends = local_moment(fields.get("ends_at", ""), zone)
    for name, value in (("starts_at", starts), ("ends_at", ends)):
        if value is None:
            errors[name] = N_("Enter a date and time.")
    partners = []
    for i in range(PARTNER_ROWS):
        name = fields.get(f"partner_name_{i}", "").strip()
        if not name:
            continue
        try:
            kind = PartnerKind(fields.get(f"partner_kind_{i}", ""))
        except ValueError:
            errors["partners"] = N_("Choose from the list.")
            continue
        partners.append(
            Partner(
                name,
                kind,
                fields.get(f"partner_relationship_{i}", "").strip() or None,
                fields.get(f"partner_interest_{i}", "").strip() or None,
            )
        )
    try:
        purpose = Purpose(fields.get("purpose", Purpose.REGIONAL_BRAND.value))
    except ValueError:
        errors["purpose"] = N_("Choose from the list.")
        purpose = Purpose.REGIONAL_BRAND
    draft = PlanDraft(
        title=fields.get("title", ""),
        starts_at=starts or now,
        ends_at=ends or now,
        product_ids=tuple(products),
        partners=tuple(partners),
        purpose=purpose,
        answers_report=fields.get("answers_report") or None,
        promotions=fields.get("promotions", ""),
        declares_no_payment=fields.get("declares_no_payment") == "yes",
    )
    return draft, errors


async def _editor(
    request: Request,
    db: AsyncSession,
    official: Actor,
    *,
    status: int = 200,
    plan: Plan | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
) -> Response:
    region = official.region
    rows = await catalog.list_products(db, region=region, verified_only=True) if region else []
    reports = await unsalable.needs_help(db, region=region) if region else []
    return render(
        request,
        "filing/editor.html",
        {
            "plan": plan,
            "products": rows,
            "reports": reports,
            "values": values or {},
            "errors": errors or {},
            "error": error,
            "kinds": list(PartnerKind),
            "purposes": list(Purpose),
            "partner_rows": range(PARTNER_ROWS),
        },
        status=status,
    )


def _values_of(
    plan: Plan, products: list[str], partners: list[Partner], zone: Any
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": plan.title,
        "purpose": plan.purpose,
        "promotions": plan.promotions,
        "answers_report": plan.answers_report or "",
        "starts_at": filing_local(plan.starts_at, zone),
        "ends_at": filing_local(plan.ends_at, zone),
        "declares_no_payment": "yes" if plan.declares_no_payment else "",
        "products": products,
    }
    for i, partner in enumerate(partners[:PARTNER_ROWS]):
        values[f"partner_name_{i}"] = partner.name
        values[f"partner_kind_{i}"] = partner.kind
        values[f"partner_relationship_{i}"] = partner.relationship or ""
        values[f"partner_interest_{i}"] = partner.public_interest or ""
    return values


def filing_local(moment: datetime, zone: Any) -> str:
    return aware(moment).astimezone(zone).strftime("%Y-%m-%dT%H:%M")


@router.get("/plans")
async def plans_page(
    request: Request, principal: Principal = allow(*READERS), db: AsyncSession = Depends(get_db)
) -> Response:
    account = principal.require()
    plans = await filing.list_plans(db, account)
    waiting = [p for p in plans if p.status == PlanStatus.CHECKED.value]
    return render(request, "filing/plans.html", {"plans": plans, "waiting": waiting})


@router.get("/plans/new")
async def new_plan(
    request: Request,
    principal: Principal = allow(Role.OFFICIAL),
    db: AsyncSession = Depends(get_db),
) -> Response:
    start = get_services(request).clock.now() + timedelta(days=4)
    start = start.replace(minute=0, second=0, microsecond=0)
    zone = get_services(request).zone
    return await _editor(
        request,
        db,
        principal.require(),
        values={
            "starts_at": filing_local(start, zone),
            "ends_at": filing_local(start + timedelta(hours=2), zone),
            "products": [],
            "purpose": Purpose.REGIONAL_BRAND.value,
        },
    )


async def _save(
    request: Request, db: AsyncSession, principal: Principal, plan_id: str | None
) -> Response:
    account = principal.require()
    fields = await form_fields(request)
    products = await form_list(request, "products")
    draft, errors = draft_from_form(fields, products, request)
    try:
        if errors:
            raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
        plan = await filing.do_draft(
            db, account, draft, plan_id=plan_id, now=get_services(request).clock.now()
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        plan_row = await get_plan(db, plan_id) if plan_id else None
        return await _editor(
            request,
            db,
            account,
            status=exc.status,
            plan=plan_row,
            values={**fields, "products": products},
            errors=field_errors(exc.fields, exc.params),
            error=translate(exc.message, exc.params),
        )
    return redirect(f"/plans/{plan.id}?saved=1")


@router.post("/plans")
async def create_plan(
    request: Request,
    principal: Principal = allow(Role.OFFICIAL),
    db: AsyncSession = Depends(get_db),
) -> Response:
    return await _save(request, db, principal, None)


@router.post("/plans/preview")
async def preview(
    request: Request,
    principal: Principal = allow(Role.OFFICIAL),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """For htmx: the boundary rules run on the plan as it is being typed."""
    services = get_services(request)
    fields = await form_fields(request)
    draft, _ = draft_from_form(fields, await form_list(request, "products"), request)
    facts = await facts_for_draft(
        db,
        principal.require(),
        draft,
        now=services.clock.now(),
        plan_id=fields.get("plan_id") or None,
    )
    findings = evaluate(facts, services.settings.filing_rule_settings())
    page = render(
        request,
        "filing/_findings.html",
        {"findings": findings, "blocked": blocks(findings), "live": True},
    )
    return HTMLResponse(page.body, status_code=200)


@router.get("/plans/{plan_id}")
async def plan_page(
    request: Request,
    plan_id: PathId,
    principal: Principal = allow(*READERS),
    db: AsyncSession = Depends(get_db),
    status: int = 200,
    error: str | None = None,
) -> Response:
    plan = await access_plan(db, principal.require(), plan_id)
    account = principal.require()
    product_ids, partners = await plan_parts(db, plan.id)
    products = [await catalog.get_product(db, pid) for pid in product_ids]
    history = await plan_history(db, plan.id)
    key = None
    if plan.stream_nonce and account.id == plan.official_id:
        key = filing.stream_key(
            get_services(request).settings.secret_key, plan.id, plan.stream_nonce
        )
    return render(
        request,
        "filing/plan.html",
        {
            "plan": plan,
            "products": products,
            "partners": partners,
            "history": history,
            "stream_key": key,
            "is_official": account.id == plan.official_id,
            "is_supervisor": account.role == Role.SUPERVISOR,
            "error": error,
            "saved": request.query_params.get("saved") == "1",
            "ratings": await filing_kit(request).ratings.ratings_of(db, plan.id),
        },
        status=status,
    )


@router.get("/plans/{plan_id}/edit")
async def edit_plan(
    request: Request,
    plan_id: PathId,
    principal: Principal = allow(Role.OFFICIAL),
    db: AsyncSession = Depends(get_db),
) -> Response:
    plan = await access_plan(db, principal.require(), plan_id)
    products, partners = await plan_parts(db, plan.id)
    return await _editor(
        request,
        db,
        principal.require(),
        plan=plan,
        values=_values_of(plan, products, partners, get_services(request).zone),
    )


@router.post("/plans/{plan_id}")
async def update_plan(
    request: Request,
    plan_id: PathId,
    principal: Principal = allow(Role.OFFICIAL),
    db: AsyncSession = Depends(get_db),
) -> Response:
    return await _save(request, db, principal, plan_id)


@router.post("/plans/{plan_id}/submit")
async def submit_plan(
    request: Request,
    plan_id: PathId,
    principal: Principal = allow(Role.OFFICIAL),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = get_services(request)
    try:
        await filing.do_submit(
            db,
            principal.require(),
            plan_id,
            now=services.clock.now(),
            rule_settings=services.settings.filing_rule_settings(),
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        return await plan_page(
            request,
            plan_id,
            principal,
            db,
            status=exc.status,
            error=translate(exc.message, exc.params),
        )
    return redirect(f"/plans/{plan_id}")


@router.post("/plans/{plan_id}/decision")
async def decide(
    request: Request,
    plan_id: PathId,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    fields = await form_fields(request)
    try:
        decision = fields.get("decision")
        if decision not in ("approve", "reject"):
            raise InvalidInput(N_("Choose from the list."))
        await filing.do_decide(
            db,
            principal.require(),
            plan_id,
            approve=decision == "approve",
            reason=fields.get("reason", ""),
            now=get_services(request).clock.now(),
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        message = translate(exc.message, exc.params)
        details = " ".join(field_errors(exc.fields, exc.params).values())
        return await plan_page(
            request, plan_id, principal, db, status=exc.status, error=f"{message} {details}".strip()
        )
    return redirect(f"/plans/{plan_id}")


@router.get("/plans/{plan_id}/briefing")
async def briefing(
    request: Request,
    plan_id: PathId,
    principal: Principal = allow(*READERS),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """A printable page per product, only from verified catalog facts."""
    plan = await access_plan(db, principal.require(), plan_id)
    if plan.status not in (
        PlanStatus.APPROVED.value,
        PlanStatus.LIVE.value,
        PlanStatus.ENDED.value,
    ):
        raise InvalidInput(N_("A briefing is made for an approved plan."))
    today = get_services(request).clock.now().date()
    product_ids, _ = await plan_parts(db, plan.id)
    views = [await catalog.view_product(db, pid, on=today) for pid in product_ids]
    return render(request, "filing/briefing.html", {"plan": plan, "views": views})


@router.get("/rules")
async def rules_page(request: Request, principal: Principal = allow("public")) -> Response:
    """The boundary rules, in the reader's language: every plan is checked against these."""
    from sunlit.filing.rules import REGISTRY

    return render(request, "filing/rules.html", {"rules": REGISTRY})
