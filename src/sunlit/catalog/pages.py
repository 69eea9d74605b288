"""Catalog pages: public product pages, and the operator's producers and reference prices."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog import views
from sunlit.catalog.deps import CatalogKit, catalog_kit
from sunlit.catalog.forms import BAND_FIELDS, band_from_form
from sunlit.catalog.model import Unit, Verification, check_proposer
from sunlit.catalog.producers import services as producer_service
from sunlit.catalog.products import bands
from sunlit.catalog.products import services as catalog
from sunlit.catalog.unsalable import services as unsalable
from sunlit.core.errors import N_, NotFound, SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.core.regions.services import served_regions
from sunlit.core.text import NO_CONTROL
from sunlit.web.deps import Kit, PathId, undo
from sunlit.web.forms import form_fields, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
#: The newest reviews a product's page shows.
REVIEWS_SHOWN = 20


@router.get("/products")
async def products_page(
    region: str = Query("", pattern=r"^(\d{6})?$"),
    q: str = Query("", max_length=64, pattern=NO_CONTROL),
    work: Work[Kit] = unit("public"),
) -> Response:
    db, today = work.db, work.now.date()
    rows = await views.products_seen_by(db, work.principal.role, region=region or None, text=q)
    return render(
        work.request,
        "catalog/products.html",
        {
            "views": await catalog.view_products(db, [row.id for row in rows], on=today),
            "regions": await served_regions(db),
            "region": region,
            "q": q,
        },
    )


@router.get("/products/{product_id}")
async def product_page(
    product_id: PathId, work: Work[CatalogKit] = unit("public", kit=catalog_kit)
) -> Response:
    view = await catalog.view_product(work.db, product_id, on=work.now.date())
    reviews = work.services.reviews
    account = work.principal.account
    manages = (
        account is not None
        and account.role == Role.FARMER
        and await producer_service.manages(work.db, account, view.producer)
    )
    can_propose = account is not None and not check_proposer(
        account.role, account.region, view.product.origin_region
    )
    return render(
        work.request,
        "catalog/product.html",
        {
            "view": view,
            "manages": manages,
            "can_propose": can_propose,
            "proposed": work.request.query_params.get("proposed") == "1",
            "averages": await reviews.averages(work.db, product_id),
            "reviews": await reviews.latest(work.db, product_id, limit=REVIEWS_SHOWN),
            "following_kind": await work.services.follows.state(
                work.db, account.id if account else None, "kind", view.product.kind
            ),
        },
    )


@router.get("/producers/{producer_id}")
async def producer_page(
    producer_id: PathId, work: Work[CatalogKit] = unit("public", kit=catalog_kit)
) -> Response:
    """A producer in public: who it is, its produce, and what became of its sales over the
    last 90 days (delivery time, complaints, reviews). Operators also see unverified ones."""
    producer = await producer_service.get_producer(work.db, producer_id)
    if producer.verification != Verification.VERIFIED and work.principal.role != Role.OPERATOR:
        raise NotFound(N_("No such producer."))
    products = await catalog.list_products(work.db, producer_ids=[producer.id])
    follows, me = work.services.follows, work.principal.account
    mine = me.id if me is not None else None
    return render(
        work.request,
        "catalog/producer.html",
        {
            "producer": producer,
            "products": products,
            "record": await work.services.records.record_of(work.db, producer.id, now=work.now),
            "following": await follows.state(work.db, mine, "producer", producer.id),
            "following_county": await follows.state(work.db, mine, "county", producer.region),
        },
    )


# --- operator pages ---------------------------------------------------------------------------


async def _producers_page(work: Work[Kit], **extra: object) -> Response:
    return render(
        work.request,
        "catalog/operator_producers.html",
        {
            "producers": await producer_service.list_producers(work.db),
            "done": work.request.query_params.get("done"),
            **extra,
        },
        status=400 if extra.get("error") else 200,
    )


@router.get("/operator/producers")
async def operator_producers(work: Work[Kit] = unit(Role.OPERATOR)) -> Response:
    return await _producers_page(work)


@router.post("/operator/producers/{producer_id}/verification")
async def operator_verify_producer(
    producer_id: PathId, work: Work[Kit] = unit(Role.OPERATOR)
) -> Response:
    fields = await form_fields(work.request)
    try:
        decision = Verification(fields.get("verification", ""))
    except ValueError:
        return await _producers_page(work, error=translate("Choose verify or reject."))
    await producer_service.do_verify_producer(
        work.db, work.actor, producer_id, decision, now=work.now, note=fields.get("note", "")
    )
    await work.commit()
    return redirect("/operator/producers?done=1")


async def _prices_page(work: Work[Kit], status: int = 200, **extra: object) -> Response:
    return render(
        work.request,
        "catalog/operator_prices.html",
        {
            "bands": (every := await bands.all_bands(work.db)),
            "kinds": await views.kind_names_of(work.db, {b.kind for b in every}),
            "values": {},
            "errors": {},
            "units": list(Unit),
            "done": work.request.query_params.get("done"),
            **extra,
        },
        status=status,
    )


@router.get("/operator/prices")
async def operator_prices(work: Work[Kit] = unit(Role.OPERATOR)) -> Response:
    return await _prices_page(work)


@router.post("/operator/prices")
async def operator_add_band(work: Work[Kit] = unit(Role.OPERATOR)) -> Response:
    fields = await form_fields(work.request)
    try:
        await bands.do_add_band(work.db, work.actor, band_from_form(fields), now=work.now)
        await work.commit()
    except SunlitError as exc:
        await undo(work.db, work.principal.account)
        return await _prices_page(
            work,
            status=exc.status,
            values={name: fields.get(name, "") for name in BAND_FIELDS},
            errors=field_errors(exc.fields, exc.params),
            error=translate(exc.message, exc.params),
        )
    return redirect("/operator/prices?done=1")


@router.get("/help-sell")
async def help_sell_page(work: Work[Kit] = unit("public")) -> Response:
    """保供给, 防滞销 (issue 21 item 4): the open unsalable-stock requests of verified producers
    for products on sale, in public, the most urgent first, so that buyers can help directly.
    The producer's note stays with the officials (it may name people or places)."""
    db = work.db
    today = work.now.astimezone(work.services.zone).date()  # the market's day, not UTC's
    open_now = await unsalable.needs_help(db, region=None, due_from=today)
    producers = await producer_service.producers_by_id(db, {r.producer_id for r in open_now})
    products = await catalog.products_by_id(db, {r.product_id for r in open_now})
    reports = [
        r
        for r in open_now
        if producers[r.producer_id].verification == Verification.VERIFIED
        and r.product_id in products
        and products[r.product_id].on_sale
    ]
    return render(
        work.request,
        "catalog/help_sell.html",
        {"reports": reports, "products": products, "producers": producers},
    )


@router.get("/needs-help")
async def needs_help_page(
    work: Work[Kit] = unit(Role.OFFICIAL, Role.SUPERVISOR, Role.OPERATOR),
) -> Response:
    """The officials' queue of unsalable-stock reports in their jurisdiction."""
    db = work.db
    region, reports = await views.help_queue(db, work.actor)
    products = await catalog.products_by_id(db, {r.product_id for r in reports})
    producers = await producer_service.producers_by_id(db, {r.producer_id for r in reports})
    return render(
        work.request,
        "catalog/needs_help.html",
        {"reports": reports, "products": products, "producers": producers, "region": region},
    )
