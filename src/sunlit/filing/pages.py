"""Filing pages: the official's plan editor with live rule feedback, plan lists, the
supervisors' review, each plan's history, and the printable product briefing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from babel.dates import format_date, format_skeleton
from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from sunlit.accounts.access import Rule
from sunlit.accounts.model import Role
from sunlit.accounts.services import accounts_by_id, display_names, find_account, list_accounts
from sunlit.accounts.work import Work, unit
from sunlit.catalog.products import services as catalog
from sunlit.catalog.unsalable import services as unsalable
from sunlit.core.errors import N_, InvalidInput, SunlitError
from sunlit.core.i18n import BABEL_LOCALES, current_language, field_errors, gettext_, translate
from sunlit.core.regions.model import covers
from sunlit.filing import consent
from sunlit.filing import services as filing
from sunlit.filing.deps import FilingKit, filing_kit
from sunlit.filing.facts import facts_for_draft, own_producers
from sunlit.filing.forms import PARTNER_ROWS, draft_from_form, new_plan_values, values_of
from sunlit.filing.history import history_entries
from sunlit.filing.model import (
    HOST_ROLES,
    REVIEWED,
    ConsentState,
    HostKind,
    PartnerKind,
    Plan,
    PlanDraft,
    PlanStatus,
    Purpose,
    host_kind_of,
    may_decide,
)
from sunlit.filing.rules import REGISTRY, Finding, blocks, evaluate
from sunlit.filing.sources import Reader
from sunlit.filing.views import access_plan, get_plan, plan_parts, plan_record
from sunlit.web.deps import PathId, settle
from sunlit.web.forms import form_fields, form_list, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
READERS = (Role.OFFICIAL, Role.FARMER, Role.SUPERVISOR, Role.OPERATOR)
Filing = Work[FilingKit]


T = TypeVar("T")


def _unit(*rules: Rule) -> Any:
    return unit(*rules, kit=filing_kit)


async def _attempt(work: Filing, action: Callable[[], Awaitable[T]]) -> T | SunlitError:
    """Run ``action`` and store it; if it is refused, roll back and return why."""
    return await settle(work.db, work.principal.account, action)


async def _editor(
    work: Filing,
    *,
    status: int = 200,
    plan: Plan | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    findings: list[Finding] | None = None,
) -> Response:
    region = work.actor.region
    db = work.db
    host = host_kind_of(work.actor.role)
    if host is HostKind.PRODUCER:
        own = await own_producers(db, work.actor.id, host)
        rows = await catalog.list_products(db, producer_ids=sorted(own), verified_only=True)
        officials = [
            a
            for a in await list_accounts(db, role=Role.OFFICIAL)
            if not a.disabled and covers(a.region, region or "")
        ]
    else:
        rows = await catalog.list_products(db, region=region, verified_only=True) if region else []
        officials = []
    reports = await unsalable.needs_help(db, region=region) if region else []
    return render(
        work.request,
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
            "reviewed": plan is not None and PlanStatus(plan.status) in REVIEWED,
            "findings": findings,
            "blocked": blocks(findings or []),
            "host": host,
            "officials": officials,
        },
        status=status,
    )


async def _draft(work: Filing) -> tuple[dict[str, str], list[str], PlanDraft, dict[str, str]]:
    """The editor's submitted fields and products, and the draft they make with its errors."""
    fields = await form_fields(work.request)
    products = await form_list(work.request, "products")
    draft, errors = draft_from_form(fields, products, zone=work.services.zone, now=work.now)
    return fields, products, draft, errors


async def _plan_page(
    work: Filing, plan_id: str, *, status: int = 200, error: str | None = None
) -> Response:
    account = work.actor
    plan = await access_plan(work.db, account, plan_id)
    record = await plan_record(work.db, plan.id)
    actors = {e.actor for e in record.history if e.actor} | {plan.official_id}
    names = await display_names(work.db, actors)
    consents = {c.product_id: c for c in await consent.consents_of(work.db, plan.id)}
    products = await catalog.products_by_id(work.db, set(consents) | set(record.products))
    filer = await find_account(work.db, plan.official_id)
    return render(
        work.request,
        "filing/plan.html",
        {
            "consents": consents,
            "declined": [
                (products[c.product_id], c)
                for c in consents.values()
                if c.state == ConsentState.DECLINED and c.product_id not in record.products
            ],
            "plan": plan,
            "products": [products[pid] for pid in record.products],
            "partners": record.partners,
            "history": history_entries(record.history, names),
            "filer": filer,
            "stream_key": filing.key_for(work.services.settings.secret_key, plan, account.id),
            "show_key": work.request.query_params.get("show") == "key",
            "rtmp_url": work.services.settings.stream_rtmp_url.rstrip("/"),
            "is_official": account.id == plan.official_id,
            "is_supervisor": may_decide(account, plan.host_kind, filer.region if filer else None),
            "guest": await find_account(work.db, plan.guest_official_id)
            if plan.guest_official_id
            else None,
            "error": error,
            "saved": work.request.query_params.get("saved") == "1",
            "ratings": await work.services.ratings.ratings_of(work.db, plan.id),
        },
        status=status,
    )


@router.get("/plans")
async def plans_page(work: Filing = _unit(*READERS)) -> Response:
    plans = await filing.list_plans(work.db, work.actor)
    checked = [p for p in plans if p.status == PlanStatus.CHECKED.value]
    hosts = {
        a.id: a.region for a in await accounts_by_id(work.db, {p.official_id for p in checked})
    }
    waiting = [p for p in checked if may_decide(work.actor, p.host_kind, hosts.get(p.official_id))]
    return render(work.request, "filing/plans.html", {"plans": plans, "waiting": waiting})


@router.get("/plans/new")
async def new_plan(work: Filing = _unit(*HOST_ROLES)) -> Response:
    return await _editor(work, values=new_plan_values(work.now, work.services.zone))


async def _save(work: Filing, plan_id: str | None) -> Response:
    fields, products, draft, errors = await _draft(work)

    async def save() -> Plan:
        if errors:
            raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
        return await filing.do_draft(
            work.db,
            work.actor,
            draft,
            plan_id=plan_id,
            now=work.now,
            reopen=fields.get("reopen") == "yes",
        )

    outcome = await _attempt(work, save)
    if not isinstance(outcome, SunlitError):
        return redirect(f"/plans/{outcome.id}?saved=1")
    # The rules panel keeps its findings: they are those of the values just submitted.
    return await _editor(
        work,
        status=outcome.status,
        plan=await get_plan(work.db, plan_id) if plan_id else None,
        values={**fields, "products": products},
        errors=field_errors(outcome.fields, outcome.params),
        error=translate(outcome.message, outcome.params),
        findings=await _findings(work, draft, plan_id),
    )


async def _findings(work: Filing, draft: PlanDraft, plan_id: str | None) -> list[Finding]:
    """What the boundary rules say about a plan as typed (not yet saved)."""
    facts = await facts_for_draft(work.db, work.actor, draft, now=work.now, plan_id=plan_id)
    return evaluate(facts, work.services.settings.filing_rule_settings())


@router.post("/plans")
async def create_plan(work: Filing = _unit(*HOST_ROLES)) -> Response:
    return await _save(work, None)


@router.post("/plans/preview")
async def preview(work: Filing = _unit(*HOST_ROLES)) -> Response:
    """For htmx: the boundary rules run on the plan as it is being typed."""
    fields, _, draft, _ = await _draft(work)
    findings = await _findings(work, draft, fields.get("plan_id") or None)
    page = render(
        work.request,
        "filing/_findings.html",
        {"findings": findings, "blocked": blocks(findings), "live": True},
    )
    return HTMLResponse(page.body, status_code=200)


@router.get("/plans/{plan_id}")
async def plan_page(plan_id: PathId, work: Filing = _unit(*READERS)) -> Response:
    return await _plan_page(work, plan_id)


@router.get("/plans/{plan_id}/edit")
async def edit_plan(plan_id: PathId, work: Filing = _unit(*HOST_ROLES)) -> Response:
    plan = await access_plan(work.db, work.actor, plan_id)
    products, partners = await plan_parts(work.db, plan.id)
    values = values_of(plan, products, partners, work.services.zone)
    return await _editor(work, plan=plan, values=values)


@router.post("/plans/{plan_id}")
async def update_plan(plan_id: PathId, work: Filing = _unit(*HOST_ROLES)) -> Response:
    return await _save(work, plan_id)


@router.post("/plans/{plan_id}/submit")
async def submit_plan(plan_id: PathId, work: Filing = _unit(*HOST_ROLES)) -> Response:
    rule_settings = work.services.settings.filing_rule_settings()
    outcome = await _attempt(
        work,
        lambda: filing.do_submit(
            work.db, work.actor, plan_id, now=work.now, rule_settings=rule_settings
        ),
    )
    if not isinstance(outcome, SunlitError):
        return redirect(f"/plans/{plan_id}")
    error = translate(outcome.message, outcome.params)
    return await _plan_page(work, plan_id, status=outcome.status, error=error)


@router.post("/plans/{plan_id}/decision")
async def decide(plan_id: PathId, work: Filing = _unit(Role.SUPERVISOR, Role.OPERATOR)) -> Response:
    fields = await form_fields(work.request)

    async def act() -> None:
        decision = fields.get("decision")
        if decision not in ("approve", "reject"):
            raise InvalidInput(N_("Choose from the list."))
        reason = fields.get("reason", "")
        await filing.do_decide(
            work.db, work.actor, plan_id, approve=decision == "approve", reason=reason, now=work.now
        )

    outcome = await _attempt(work, act)
    if not isinstance(outcome, SunlitError):
        return redirect(f"/plans/{plan_id}")
    message = translate(outcome.message, outcome.params)
    details = " ".join(field_errors(outcome.fields, outcome.params).values())
    error = f"{message} {details}".strip()
    return await _plan_page(work, plan_id, status=outcome.status, error=error)


@router.get("/plans/{plan_id}/briefing")
async def briefing(plan_id: PathId, work: Filing = _unit(*READERS)) -> Response:
    """A printable page per product, only from verified catalog facts."""
    plan = await access_plan(work.db, work.actor, plan_id)
    if plan.status not in (
        PlanStatus.APPROVED.value,
        PlanStatus.LIVE.value,
        PlanStatus.ENDED.value,
    ):
        raise InvalidInput(N_("A briefing is made for an approved plan."))
    product_ids, _ = await plan_parts(work.db, plan.id)
    today = work.now.date()
    views = await catalog.view_products(work.db, list(product_ids), on=today)
    return render(work.request, "filing/briefing.html", {"plan": plan, "views": views})


def citation_reader() -> Reader:
    """The page's reader of citations: its language, translations and dates."""
    locale = BABEL_LOCALES[current_language.get()]
    return Reader(
        language=current_language.get(),
        gettext=gettext_,
        long_date=lambda day: format_date(day, "long", locale=locale),
        year=lambda day: format_skeleton("y", day, locale=locale),
    )


@router.get("/rules")
async def rules_page(work: Filing = _unit("public")) -> Response:
    """The boundary rules, in the reader's language: every plan is checked against these."""
    in_force = work.services.settings.filing_rule_settings()
    context = {"rules": REGISTRY, "reader": citation_reader(), "in_force": in_force}
    return render(work.request, "filing/rules.html", context)
