"""The producer's dashboard (products, prices they agree to, proposals to answer), and the
form on a product page through which an official or operator proposes a price."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts import services as accounts
from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.model import (
    Category,
    ClearanceReason,
    InspectionKind,
    ProducerKind,
    Unit,
    UnsalableReason,
    check_proposer,
)
from sunlit.catalog.producers import services as producer_service
from sunlit.catalog.products import services as catalog
from sunlit.catalog.products.kinds import kind_for
from sunlit.catalog.unsalable import services as unsalable
from sunlit.core.errors import N_, InvalidInput, SunlitError
from sunlit.core.i18n import current_language, field_errors, translate
from sunlit.core.regions.services import region_book
from sunlit.filing import consent as plan_consent
from sunlit.filing.services import plans_by_id
from sunlit.participation import follows, ratings
from sunlit.participation import services as consent
from sunlit.participation.follows import FollowStates
from sunlit.participation.forms import accepts, clearance_in, producer_draft, product_draft
from sunlit.web.deps import Kit, PathId, settle
from sunlit.web.forms import choice_in, date_in, form_fields, redirect, whole_in, yuan_in
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
FIX = N_("Please correct the marked fields.")


async def _dashboard(
    work: Work[Kit],
    *,
    status: int = 200,
    form: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    error: str | None = None,
) -> Response:
    db, account, today = work.db, work.actor, work.now.date()
    producers = await producer_service.list_producers(db, manager=account.id)
    rows = await catalog.list_products(db, producer_ids=[p.id for p in producers])
    views = await catalog.view_products(db, [row.id for row in rows], on=today)
    proposals = await consent.proposals_for_products(db, [row.id for row in rows])
    help_requests = await unsalable.reports_of(db, [p.id for p in producers])
    rateable = await ratings.rateable_for(db, account)
    asked = await plan_consent.asked_of(db, [p.id for p in producers])
    proposers = {p.proposed_by for p in proposals}
    home = producers[0].region if producers else (account.region or "")
    names = {a.id: a for a in await accounts.accounts_by_id(db, proposers)}
    return render(
        work.request,
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
            "done": work.request.query_params.get("done"),
            "kinds": list(ProducerKind),
            "categories": list(Category),
            "units": list(Unit),
            "clearances": list(ClearanceReason),
            "help_requests": help_requests,
            "rateable": rateable,
            "asked": asked,
            "asking_plans": await plans_by_id(db, {c.plan_id for c in asked}),
            "followers": {
                p.id: await follows.followers_count(db, follows.Target.PRODUCER, p.id)
                for p in producers
            },
            "reasons": list(UnsalableReason),
            "inspection_kinds": list(InspectionKind),
            "home_county": home,
            "origin_choices": origin_choices({p.region for p in producers} | {home}),
        },
        status=status,
    )


def origin_choices(regions: set[str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The counties of the provinces the producer's own counties are in, by name: where a
    product can say it was grown (the producer's county is preselected)."""
    provinces = {code[:2] for code in regions if code}
    return [
        (province, options)
        for province, options in region_book().delivery_choices(current_language.get())
        if options and options[0][0][:2] in provinces
    ]


async def _settle_form(
    work: Work[Kit], errors: dict[str, str], action: Callable[[], Awaitable[object]]
) -> object:
    """Run and store ``action`` if the form parsed (``errors`` is empty): what it returned, or
    the :class:`SunlitError` that refused it (rolled back)."""

    async def act() -> object:
        if errors:
            raise InvalidInput(FIX, fields=errors)
        return await action()

    return await settle(work.db, work.principal.account, act)


async def attempt(
    work: Work[Kit],
    form: str,
    fields: dict[str, str],
    errors: dict[str, str],
    action: Callable[[], Awaitable[object]],
) -> Response:
    """Run ``action`` if the form parsed; re-render the dashboard with errors otherwise."""
    outcome = await _settle_form(work, errors, action)
    if not isinstance(outcome, SunlitError):
        return redirect(f"/producer?done={form}")
    return await _dashboard(
        work,
        status=outcome.status,
        form=form,
        errors=field_errors(outcome.fields, outcome.params),
        values=fields,
        error=translate(outcome.message, outcome.params),
    )


async def form_input(work: Work[Kit]) -> tuple[dict[str, str], dict[str, str]]:
    """What was sent, and an empty dict for the field errors found."""
    return await form_fields(work.request), {}


@router.get("/producer")
async def dashboard(work: Work[Kit] = unit(Role.FARMER)) -> Response:
    return await _dashboard(work)


@router.post("/producer/producers")
async def register_producer(work: Work[Kit] = unit(Role.FARMER)) -> Response:
    fields, errors = await form_input(work)
    draft = producer_draft(fields, errors)
    return await attempt(
        work,
        "producer",
        fields,
        errors,
        lambda: producer_service.do_register_producer(work.db, work.actor, draft, now=work.now),
    )


@router.post("/producer/products")
async def list_product(work: Work[Kit] = unit(Role.FARMER)) -> Response:
    fields, errors = await form_input(work)
    if not fields.get("kind", "").strip():  # the farmer never types it
        fields["kind"] = await kind_for(work.db, fields.get("name_zh", ""))
    draft = product_draft(fields, errors)
    clearance = clearance_in(fields, errors)
    producer = fields.get("producer", "")
    return await attempt(
        work,
        "product",
        fields,
        errors,
        lambda: catalog.do_list_product(
            work.db, work.actor, producer, draft, clearance=clearance, now=work.now
        ),
    )


@router.post("/producer/products/{product_id}/price")
async def change_own_price(product_id: PathId, work: Work[Kit] = unit(Role.FARMER)) -> Response:
    fields, errors = await form_input(work)
    price = yuan_in(fields, "price", errors) or 0
    clearance = clearance_in(fields, errors)
    return await attempt(
        work,
        f"price-{product_id}",
        fields,
        errors,
        lambda: consent.do_change_price(
            work.db, work.actor, product_id, price, clearance=clearance, now=work.now
        ),
    )


@router.post("/producer/products/{product_id}/stock")
async def change_stock(product_id: PathId, work: Work[Kit] = unit(Role.FARMER)) -> Response:
    fields, errors = await form_input(work)
    stock = whole_in(fields, "stock", errors) or 0
    return await attempt(
        work,
        f"stock-{product_id}",
        fields,
        errors,
        lambda: catalog.do_update_stock(work.db, work.actor, product_id, stock, now=work.now),
    )


@router.post("/producer/proposals/{proposal_id}/decision")
async def decide(proposal_id: PathId, work: Work[Kit] = unit(Role.FARMER)) -> Response:
    fields, errors = await form_input(work)
    accept = accepts(fields, errors)
    clearance = clearance_in(fields, errors)
    note = fields.get("note", "")
    return await attempt(
        work,
        f"proposal-{proposal_id}",
        fields,
        errors,
        lambda: consent.do_decide(
            work.db,
            work.actor,
            proposal_id,
            accept=accept,
            clearance=clearance,
            note=note,
            now=work.now,
        ),
    )


@router.post("/products/{product_id}/proposals")
async def propose(
    product_id: PathId, work: Work[Kit] = unit(Role.OFFICIAL, Role.OPERATOR)
) -> Response:
    fields, errors = await form_input(work)
    price = yuan_in(fields, "price", errors)
    account = work.actor
    outcome = await _settle_form(
        work,
        errors,
        lambda: consent.do_change_price(
            work.db, account, product_id, price or 0, reason=fields.get("reason", ""), now=work.now
        ),
    )
    if not isinstance(outcome, SunlitError):
        return redirect(f"/products/{product_id}?proposed=1")
    view = await catalog.view_product(work.db, product_id, on=work.now.date())
    return render(
        work.request,
        "catalog/product.html",
        {
            "view": view,
            "manages": False,
            "can_propose": not check_proposer(
                account.role, account.region, view.product.origin_region
            ),
            "values": fields,
            "errors": field_errors(outcome.fields, outcome.params),
            "error": translate(outcome.message, outcome.params),
            "following_kind": await FollowStates().state(
                work.db, account.id, "kind", view.product.kind
            ),
        },
        status=outcome.status,
    )


@router.get("/products/{product_id}/proposals")
async def proposal_history(
    product_id: PathId,
    work: Work[Kit] = unit(Role.OFFICIAL, Role.OPERATOR, Role.SUPERVISOR, Role.FARMER),
) -> Response:
    """The price proposals on a product and the producer's answers, for the officials who
    propose (did the producer accept?), the supervisors who watch, and the producer."""
    product = await catalog.get_product(work.db, product_id)
    if work.actor.role == Role.FARMER:
        await catalog.access_product(work.db, work.actor, product_id)  # their own produce only
    proposals = await consent.proposals_for_products(work.db, [product.id])
    people = await accounts.accounts_by_id(work.db, {q.proposed_by for q in proposals})
    return render(
        work.request,
        "participation/proposals.html",
        {"product": product, "proposals": proposals, "proposers": {a.id: a for a in people}},
    )


@router.get("/proposals")
async def my_proposals(work: Work[Kit] = unit(Role.OFFICIAL, Role.OPERATOR)) -> Response:
    """The prices an official or operator proposed, newest first, each with the producer's
    answer: the proposer learns whether it was accepted."""
    proposals = await consent.proposals_by(work.db, work.actor.id)
    products = await catalog.products_by_id(work.db, {q.product_id for q in proposals})
    return render(
        work.request,
        "participation/proposals.html",
        {
            "product": None,
            "products": products,
            "proposals": proposals,
            "proposers": {work.actor.id: work.actor},
        },
    )


@router.post("/producer/unsalable")
async def report_unsalable(work: Work[Kit] = unit(Role.FARMER)) -> Response:
    fields, errors = await form_input(work)
    quantity = whole_in(fields, "quantity", errors) or 0
    reason = choice_in(UnsalableReason, fields, "reason", errors)
    deadline = date_in(fields, "deadline", errors)
    return await attempt(
        work,
        "unsalable",
        fields,
        errors,
        lambda: unsalable.do_report_unsalable(
            work.db,
            work.actor,
            fields.get("product", ""),
            quantity=quantity,
            reason=reason,
            deadline=deadline,
            note=fields.get("note", ""),
            now=work.now,
        ),
    )


@router.post("/producer/unsalable/{report_id}/close")
async def close_unsalable(report_id: PathId, work: Work[Kit] = unit(Role.FARMER)) -> Response:
    fields, errors = await form_input(work)
    return await attempt(
        work,
        "unsalable",
        fields,
        errors,
        lambda: unsalable.do_close(work.db, work.actor, report_id, now=work.now),
    )


@router.post("/producer/ratings")
async def rate_session(work: Work[Kit] = unit(Role.FARMER)) -> Response:
    fields, errors = await form_input(work)
    stars = whole_in(fields, "stars", errors) or 0
    return await attempt(
        work,
        "rating",
        fields,
        errors,
        lambda: ratings.do_rate(
            work.db,
            work.actor,
            fields.get("plan", ""),
            fields.get("producer", ""),
            stars=stars,
            text=fields.get("text", ""),
            now=work.now,
        ),
    )
