"""The shell: home page, language switch, API documentation, health and metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from sunlit import __version__
from sunlit.accounts import services as accounts
from sunlit.accounts.work import Work, unit
from sunlit.app.home import for_you, home_context, reason_names
from sunlit.core.i18n import LANGUAGES
from sunlit.web.deps import Kit
from sunlit.web.forms import (
    form_fields,
    redirect,
    safe_next,
    set_elder_cookie,
    set_language_cookie,
)
from sunlit.web.rendering import render
from sunlit.web.security_headers import api_docs_policy

router = APIRouter(include_in_schema=False)
health = APIRouter(tags=["operations"])


@router.get("/")
async def home(work: Work[Kit] = unit("public")) -> Response:
    context = await home_context(work.db, work.now)
    account = work.principal.account
    if account is not None:
        suggested = await for_you(work.db, account.id, context)
        context["for_you"] = suggested
        context["reason_names"] = await reason_names(work.db, suggested, context)
    return render(work.request, "home.html", context)


@router.post("/language")
async def switch_language(
    work: Work[Kit] = unit("public", origin_for_visitors=True),
) -> Response:
    fields = await form_fields(work.request)
    language = fields.get("language", "")
    response = redirect(safe_next(fields.get("next")))
    if language in LANGUAGES:
        set_language_cookie(response, language, work.services.settings)
        if work.principal.account is not None:
            await accounts.do_set_language(work.db, work.principal.account, language)
            await work.commit()
    return response


@router.post("/display")
async def switch_display(work: Work[Kit] = unit("public", origin_for_visitors=True)) -> Response:
    """Elder mode (适老化) on or off: larger type and tap targets, higher contrast, a simpler
    header. Kept in a cookie, like the language, for this browser."""
    fields = await form_fields(work.request)
    response = redirect(safe_next(fields.get("next")))
    if fields.get("elder") in ("on", "off"):
        set_elder_cookie(response, fields["elder"] == "on", work.services.settings)
    return response


@health.get("/healthz")
async def healthz(work: Work[Kit] = unit("public")) -> dict[str, str]:
    """Alive, and the database answered within the last second (asked at most once a second
    by each process, however often a load balancer polls). Requests are answered the same by
    ``sunlit.web.health.HealthFront`` before the routing; this route describes it."""
    await work.services.db.reachable()
    return {"status": "ok", "version": __version__}


@health.get("/metrics", response_class=PlainTextResponse)
async def metrics(work: Work[Kit] = unit("public")) -> Response:
    """Prometheus metrics of this process."""
    body = generate_latest(work.services.metrics)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


async def api_docs(work: Work[Kit] = unit("public")) -> Response:
    """The API documentation: Swagger UI as FastAPI serves it (from its CDN), with a policy of
    its own that allows its one inline script by hash (the application adds this route)."""
    request = work.request
    app = request.app
    root = request.scope.get("root_path", "").rstrip("/")
    page = get_swagger_ui_html(
        openapi_url=root + app.openapi_url, title=f"{app.title} - Swagger UI"
    )
    page.headers["content-security-policy"] = api_docs_policy(bytes(page.body))
    return page
