"""Catalog pages: public product pages, and the operator's producers and reference prices."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.catalog import producers as producer_service
from sunlit.catalog import products as catalog
from sunlit.catalog import unsalable
from sunlit.catalog.model import Band, Unit, Verification, check_proposer
from sunlit.core.errors import N_, InvalidInput, SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.core.regions.services import served_regions
from sunlit.core.text import NO_CONTROL
from sunlit.web.deps import PathId, get_db, get_services, undo
from sunlit.web.forms import date_in, form_fields, redirect, whole_in, yuan_in
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/products")
async def products_page(
    request: Request,
    region: str = Query("", pattern=r"^(\d{6})?$"),
    q: str = Query("", max_length=64, pattern=NO_CONTROL),
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    today = get_services(request).clock.now().date()
    rows = await catalog.list_products(
        db, region=region or None, text=q, verified_only=principal.role is not Role.OPERATOR
    )
    views = [await catalog.view_product(db, row.id, on=today) for row in rows]
    return render(
        request,
        "catalog/products.html",
        {
            "views": views,
            "regions": await served_regions(db),
            "region": region,
            "q": q,
        },
    )


@router.get("/products/{product_id}")
async def product_page(
    request: Request,
    product_id: PathId,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    today = get_services(request).clock.now().date()
    view = await catalog.view_product(db, product_id, on=today)
    account = principal.account
    manages = (
        account is not None
        and account.role == Role.FARMER
        and await producer_service.manages(db, account, view.producer)
    )
    can_propose = account is not None and not check_proposer(
        account.role, account.region, view.product.origin_region
    )
    return render(
        request,
        "catalog/product.html",
        {
            "view": view,
            "manages": manages,
            "can_propose": can_propose,
            "proposed": request.query_params.get("proposed") == "1",
        },
    )


# --- operator pages ---------------------------------------------------------------------------


async def _producers_page(request: Request, db: AsyncSession, **extra: object) -> Response:
    rows = await producer_service.list_producers(db)
    return render(
        request,
        "catalog/operator_producers.html",
        {
            "producers": rows,
            "done": request.query_params.get("done"),
            **extra,
        },
        status=400 if extra.get("error") else 200,
    )


@router.get("/operator/producers")
async def operator_producers(
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    return await _producers_page(request, db)


@router.post("/operator/producers/{producer_id}/verification")
async def operator_verify_producer(
    request: Request,
    producer_id: PathId,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    fields = await form_fields(request)
    try:
        decision = Verification(fields.get("verification", ""))
    except ValueError:
        return await _producers_page(request, db, error=translate("Choose verify or reject."))
    await producer_service.do_verify_producer(
        db,
        principal.require(),
        producer_id,
        decision,
        now=get_services(request).clock.now(),
        note=fields.get("note", ""),
    )
    await db.commit()
    return redirect("/operator/producers?done=1")


BAND_FIELDS = ("kind", "region", "low", "high", "unit", "box_grams", "observed_on", "source")


def band_from_form(fields: dict[str, str]) -> Band:
    """Read a reference band typed in yuan; raises InvalidInput naming each bad field."""
    errors: dict[str, str] = {}
    amounts = {name: yuan_in(fields, name, errors) or 0 for name in ("low", "high")}
    try:
        unit = Unit(fields.get("unit", ""))
    except ValueError:
        errors["unit"] = N_("Choose a unit from the list.")
        unit = Unit.JIN
    grams = whole_in(fields, "box_grams", errors, optional=True)
    observed = date_in(fields, "observed_on", errors)
    if errors:
        raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
    return Band(
        kind=fields.get("kind", "").strip(),
        region=fields.get("region", "").strip(),
        low=amounts["low"],
        high=amounts["high"],
        unit=unit,
        observed_on=observed,
        source=fields.get("source", ""),
        box_grams=grams,
    )


async def _prices_page(
    request: Request, db: AsyncSession, status: int = 200, **extra: object
) -> Response:
    return render(
        request,
        "catalog/operator_prices.html",
        {
            "bands": await catalog.all_bands(db),
            "values": {},
            "errors": {},
            "units": list(Unit),
            "done": request.query_params.get("done"),
            **extra,
        },
        status=status,
    )


@router.get("/operator/prices")
async def operator_prices(
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    return await _prices_page(request, db)


@router.post("/operator/prices")
async def operator_add_band(
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    fields = await form_fields(request)
    try:
        band = band_from_form(fields)
        await catalog.do_add_band(
            db, principal.require(), band, now=get_services(request).clock.now()
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        return await _prices_page(
            request,
            db,
            status=exc.status,
            values={name: fields.get(name, "") for name in BAND_FIELDS},
            errors=field_errors(exc.fields, exc.params),
            error=translate(exc.message, exc.params),
        )
    return redirect("/operator/prices?done=1")


@router.get("/needs-help")
async def needs_help_page(
    request: Request,
    principal: Principal = allow(Role.OFFICIAL, Role.SUPERVISOR, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """The officials' queue of unsalable-stock reports in their jurisdiction."""
    account = principal.require()
    region = unsalable.region_of_view(account)
    reports = await unsalable.needs_help(db, region=region)
    products = {r.product_id: await catalog.get_product(db, r.product_id) for r in reports}
    producers = {
        r.producer_id: await producer_service.get_producer(db, r.producer_id) for r in reports
    }
    return render(
        request,
        "catalog/needs_help.html",
        {
            "reports": reports,
            "products": products,
            "producers": producers,
            "region": region,
        },
    )
