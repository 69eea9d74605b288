"""The application factory: every context's routers, the middleware, the error pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from importlib import resources
from typing import cast

import structlog
from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from sunlit import __version__
from sunlit.accounts import api as accounts_api
from sunlit.accounts import operator_pages, password_pages
from sunlit.accounts import pages as accounts_pages
from sunlit.accounts.access import identify
from sunlit.accounts.model import ROLE_LABELS
from sunlit.app import events_api, file_pages, pages, reactions
from sunlit.app.jobs import background_jobs, live_server
from sunlit.app.services import Services
from sunlit.catalog import api as catalog_api
from sunlit.catalog import pages as catalog_pages
from sunlit.catalog.imports import api as import_api
from sunlit.catalog.imports import pages as import_pages
from sunlit.catalog.products import api as products_api
from sunlit.catalog.quality import api as quality_api
from sunlit.catalog.unsalable import api as unsalable_api
from sunlit.core.errors import SunlitError
from sunlit.core.logging import configure_logging
from sunlit.core.regions.services import load_region_book
from sunlit.disclosure import api as disclosure_api
from sunlit.disclosure import monthly_pages, region_pages
from sunlit.disclosure import pages as disclosure_pages
from sunlit.disclosure.claims import api as claims_api
from sunlit.disclosure.claims import pages as claims_pages
from sunlit.disclosure.concerns import api as concerns_api
from sunlit.disclosure.concerns import concern_pages
from sunlit.disclosure.concerns import pages as concerns_pages
from sunlit.disclosure.opendata import api as open_api
from sunlit.disclosure.opendata import pages as open_pages
from sunlit.filing import api as filing_api
from sunlit.filing import pages as filing_pages
from sunlit.filing import practice_pages, stream_api
from sunlit.fulfilment import pages as fulfilment_pages
from sunlit.fulfilment.aftersales import api as aftersales_api
from sunlit.fulfilment.aftersales import pages as aftersales_pages
from sunlit.fulfilment.reviews import api as reviews_api
from sunlit.fulfilment.reviews import pages as reviews_pages
from sunlit.fulfilment.shipments import api as shipments_api
from sunlit.fulfilment.shipments import pages as shipments_pages
from sunlit.integrity import api as integrity_api
from sunlit.integrity import pages as integrity_pages
from sunlit.integrity import trace_pages as integrity_trace_pages
from sunlit.live import api as live_api
from sunlit.live import pages as live_pages
from sunlit.notifications import api as notifications_api
from sunlit.notifications import pages as notifications_pages
from sunlit.orders import api as orders_api
from sunlit.orders import pages as orders_pages
from sunlit.orders.addresses import api as addresses_api
from sunlit.orders.addresses import pages as addresses_pages
from sunlit.orders.shipping import api as shipping_api
from sunlit.orders.shipping import pages as shipping_pages
from sunlit.participation import api as participation_api
from sunlit.participation import (
    consent_pages,
    follows_api,
    follows_pages,
    report_pages,
    upload_pages,
)
from sunlit.participation import pages as participation_pages
from sunlit.payments import api as payments_api
from sunlit.payments import pages as payments_pages
from sunlit.settings import Settings
from sunlit.web import rendering
from sunlit.web.access import audit_routes
from sunlit.web.health import HealthFront
from sunlit.web.middleware import HttpMetrics, RequestContext, RequestIds, upload_limit
from sunlit.web.page_cache import PageCache
from sunlit.web.route_index import RouteIndex
from sunlit.web.security_headers import HeaderRules, SecurityHeaders
from sunlit.web.vendor import hls_files, vendor_files

ROUTERS: tuple[APIRouter, ...] = (
    pages.router,
    pages.health,
    accounts_pages.router,
    operator_pages.router,
    password_pages.router,
    accounts_api.router,
    catalog_api.router,
    catalog_pages.router,
    import_pages.router,
    participation_pages.router,
    consent_pages.router,
    follows_pages.router,
    report_pages.router,
    upload_pages.router,
    file_pages.router,
    products_api.router,
    unsalable_api.router,
    quality_api.router,
    import_api.router,
    participation_api.router,
    follows_api.router,
    filing_api.router,
    filing_pages.router,
    practice_pages.router,
    stream_api.router,
    events_api.router,
    orders_api.router,
    orders_pages.router,
    fulfilment_pages.router,
    shipping_api.router,
    shipping_pages.router,
    addresses_api.router,
    addresses_pages.router,
    shipments_api.router,
    shipments_pages.router,
    aftersales_api.router,
    aftersales_pages.uploads,
    aftersales_pages.router,
    reviews_pages.uploads,
    reviews_pages.router,
    reviews_api.router,
    payments_api.router,
    payments_pages.router,
    live_api.router,
    live_api.ingest,
    live_pages.router,
    integrity_api.router,
    integrity_api.uploads,
    integrity_pages.uploads,  # before the router: /supervisor/cases/import is not a case id
    integrity_pages.router,
    integrity_trace_pages.router,
    disclosure_api.router,
    disclosure_pages.router,
    region_pages.router,
    monthly_pages.router,
    concerns_api.router,
    concerns_pages.uploads,
    concerns_pages.router,  # before concern_pages: /concerns/mine is not a concern id
    concern_pages.router,
    claims_api.router,
    claims_pages.router,
    open_api.router,
    open_pages.router,
    notifications_api.router,
    notifications_pages.router,
)
#: The routers that take file uploads: only these accept bodies up to the upload size.
UPLOAD_ROUTERS = (
    import_pages.router,
    upload_pages.router,
    quality_api.router,
    import_api.router,
    integrity_api.uploads,
    integrity_pages.uploads,
    concerns_pages.uploads,
    aftersales_pages.uploads,
    reviews_pages.uploads,
)

#: The routes whose answers to a visitor who is not signed in the page cache may keep
#: (:mod:`sunlit.web.page_cache`): the public pages and lists a crowd loads before a session.
CACHED_ROUTES = frozenset(
    {
        "/",
        "/products",
        "/products/{product_id}",
        "/producers/{producer_id}",
        "/live/{session}",
        "/sessions/{session_id}",
        "/findings",
        "/concerns",
        "/rules",
        "/fund",
        "/open-data",
        "/help-sell",
        "/guide",
        "/regions/{code}",
        "/regions/{code}/sales.csv",
        "/regions/{code}/report-{month}.pdf",
        "/api/v1/products",
        "/api/v1/products/{product_id}",
        "/api/v1/producers",
        "/api/v1/findings",
        "/api/v1/concerns",
        "/api/v1/products/{product_id}/reviews",
        "/api/v1/sessions/{session_id}/disclosure",
        "/api/v1/fund",
    }
)


async def _load_regions(services: Services) -> None:
    """Read the regions table once (docs/adr/0008); an unmigrated database keeps the list the
    migration would load."""
    try:
        async with services.db.transaction() as db:
            await load_region_book(db)
    except DBAPIError:
        structlog.get_logger().warning("regions.table_unreadable")


class SunlitAPI(FastAPI):
    """FastAPI with a front: ``/healthz`` is answered before FastAPI's own layers and the
    middleware (:class:`sunlit.web.health.HealthFront`), everything else as FastAPI does; and
    with its router reached through an index of the routes (:class:`RouteIndex`)."""

    front: HealthFront | None = None

    def build_middleware_stack(self) -> ASGIApp:
        # FastAPI puts ``self.router`` innermost; for the time of the build it is the index.
        router = self.router
        self.router = cast(APIRouter, RouteIndex(router))
        try:
            return super().build_middleware_stack()
        finally:
            self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        front = self.front
        if front is not None and front.answers(scope):
            await front.answer(scope, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or (services.settings if services else Settings())
    configure_logging(settings.log_level, json=settings.log_json)
    built = services or Services.build(settings)

    reactions.connect()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await _load_regions(built)
        async with AsyncExitStack() as stack:
            if settings.background_jobs:
                await stack.enter_async_context(background_jobs(built))
            if settings.live_server:
                await stack.enter_async_context(live_server(built))
            yield
        if services is None:  # we built it, we close it
            await built.close()

    app = SunlitAPI(
        title="Sunlit 阳光助农直播",
        version=__version__,
        docs_url=None,  # served by pages.api_docs, with a policy of its own
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = built
    app.state.identify = identify  # who is asking, for error pages shown before a guard ran
    app.add_api_route("/docs", pages.api_docs, methods=["GET"], include_in_schema=False)
    for router in ROUTERS:
        # The limit sits on the routers, inside RequestContext, which answers a declared
        # Content-Length over the limit itself (in the user's language and error shape).
        limit = upload_limit(settings) if router in UPLOAD_ROUTERS else settings.max_request_bytes
        app.include_router(router, max_body_size=limit)
    static = resources.files("sunlit").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    vendor = vendor_files(settings)
    if vendor is not None:
        app.mount("/vendor/htmx", StaticFiles(directory=str(vendor)), name="htmx")
    built.templates.env.globals["has_htmx"] = vendor is not None
    hls = hls_files(settings)
    if hls is not None:
        app.mount("/vendor/hls", StaticFiles(directory=str(hls)), name="hls")
    built.templates.env.globals["has_hls"] = hls is not None
    built.templates.env.globals["role_labels"] = ROLE_LABELS
    app.add_exception_handler(SunlitError, rendering.on_sunlit_error)
    app.add_exception_handler(StarletteHTTPException, rendering.on_http_error)
    app.add_exception_handler(RequestValidationError, rendering.on_validation_error)
    app.add_exception_handler(Exception, rendering.on_unexpected_error)

    def live_port() -> int | None:  # known once the live rooms' server has started
        return built.live_port or settings.live_port

    metrics, request_ids = HttpMetrics(built.metrics), RequestIds()
    app.front = HealthFront(
        app,
        check=built.db.reachable,
        version=__version__,
        rules=HeaderRules(settings=settings, live_port=live_port),
        metrics=metrics,
        request_id=request_ids,
    )
    app.add_middleware(
        RequestContext,
        settings=settings,
        metrics=metrics,
        request_ids=request_ids,
        on_error=rendering.on_unexpected_error,
        on_too_large=rendering.on_too_large,
        upload_paths=[
            route.path_regex
            for router in UPLOAD_ROUTERS
            for route in router.routes
            if isinstance(route, APIRoute)
        ],
    )
    # Added last, so outermost: its headers are on every answer, RequestContext's own too.
    app.add_middleware(
        SecurityHeaders,
        settings=settings,
        live_port=live_port,
    )
    # Outermost: a kept page is sent without running anything inside, headers and all.
    app.add_middleware(
        PageCache,
        seconds=settings.page_cache_seconds,
        entries=settings.page_cache_entries,
        routes=CACHED_ROUTES,
        registry=built.metrics,
    )
    audit_routes([*app.routes, *(route for router in ROUTERS for route in router.routes)])
    return app
