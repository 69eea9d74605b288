"""Rendering pages and errors, in the user's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from sunlit.core.errors import (
    N_,
    AuthenticationRequired,
    SessionExpired,
    SunlitError,
    TooManyAttempts,
)
from sunlit.core.i18n import current_language, field_errors, translate
from sunlit.core.ids import new_token
from sunlit.web.access import CSRF_FIELD, SESSION_COOKIE, csrf_token_for
from sunlit.web.deps import get_services


@dataclass(frozen=True)
class Visitor:
    """Who a page is shown to before anyone was identified: nobody signed in."""

    account: None = None
    role: None = None
    via: str = "none"
    session_token: str | None = None


def principal_of(request: Request) -> Any:
    """Who is asking, as the route's guard found it (``sunlit.accounts.access.Principal``), or
    a :class:`Visitor`."""
    return getattr(request.state, "principal", None) or Visitor()


class FormToken:
    """The page's CSRF form token, made when the page first writes it: a visitor without a
    CSRF cookie is given one then (``new_csrf``, set on the answer by
    :class:`sunlit.web.middleware.RequestContext`). A page that shows no form that needs it
    sets no cookie and says nothing personal, so a cache may keep it."""

    __slots__ = ("_request", "_secret", "_value")

    def __init__(self, request: Request, secret: str) -> None:
        self._request = request
        self._secret = secret
        self._value: str | None = None

    def __str__(self) -> str:
        if self._value is None:
            state = self._request.state
            cookie = getattr(state, "csrf_cookie", None)
            if not cookie:
                cookie = state.csrf_cookie = state.new_csrf = new_token()
            session = principal_of(self._request).session_token
            self._value = csrf_token_for(self._secret, cookie, session)
        return self._value

    def __html__(self) -> str:  # written into a page as it is: hex digits only
        return str(self)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    services = get_services(request)
    values: dict[str, Any] = {
        "principal": principal_of(request),
        "csrf_field": CSRF_FIELD,
        "csrf_token": FormToken(request, services.settings.secret_key),
        "lang": current_language.get(),
        "path": request.url.path,
        "query": request.url.query,
    }
    values.update(context or {})
    response = services.templates.TemplateResponse(request, template, values, status_code=status)
    if getattr(request.state, "clear_session_cookie", False):
        response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


async def _who_is_asking(request: Request) -> None:
    """Error raised before a route's guard ran (an unknown address): still show the person as
    signed in, if they are. Best effort: an error page must not fail for want of a database."""
    identify = getattr(request.app.state, "identify", None)
    if identify is None:
        return
    try:
        await identify(request)
    except Exception:  # noqa: S110 - the page is shown as to a visitor instead
        pass


async def _error_page(
    request: Request, status: int, code: str, title: str, message: str, **extra: Any
) -> Response:
    await _who_is_asking(request)
    return render(
        request,
        "errors/error.html",
        {"status": status, "code": code, "title": title, "message": message, **extra},
        status=status,
    )


TITLES = {
    400: N_("This request could not be understood"),
    401: N_("Please sign in"),
    403: N_("Not allowed"),
    404: N_("Page not found"),
    405: N_("This action is not available here"),
    409: N_("This conflicts with what is already there"),
    413: N_("Too much was sent"),
    422: N_("Some of what was sent is not valid"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
}


def _next_path(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return quote(target, safe="/?=&")


async def on_sunlit_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SunlitError)
    message = translate(exc.message, exc.params)
    fields = field_errors(exc.fields, exc.params)
    if wants_json(request):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if isinstance(exc, TooManyAttempts) and exc.retry_after is not None:
            headers = {"Retry-After": str(exc.retry_after)}
        return JSONResponse(
            error_body(exc.code, message, fields), status_code=exc.status, headers=headers
        )
    if isinstance(exc, SessionExpired):
        response = await _error_page(
            request,
            401,
            exc.code,
            translate("Your session has expired"),
            message,
            sign_in=f"/signin?next={_next_path(request)}",
        )
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    if isinstance(exc, AuthenticationRequired) and request.method == "GET":
        return RedirectResponse(f"/signin?next={_next_path(request)}", status_code=303)
    title = translate(TITLES.get(exc.status, TITLES[400]))
    return await _error_page(request, exc.status, exc.code, title, message)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    messages = {
        404: N_(
            "There is nothing at this address. Check the link, or start again from the home page."
        ),
        405: N_("This address does not accept that kind of request."),
        413: N_("The request is larger than this site accepts."),
    }
    message = translate(messages.get(status, N_("The request could not be handled.")))
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(status, "http_error")
    if wants_json(request):
        return JSONResponse(error_body(code, message), status_code=status, headers=exc.headers)
    title = translate(TITLES.get(status, TITLES[400]))
    return await _error_page(request, status, code, title, message)


async def on_too_large(request: Request) -> Response:
    return await on_http_error(request, StarletteHTTPException(413))


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if any(tuple(item.get("loc", ()))[:1] == ("path",) for item in exc.errors()):
        # A malformed id (or token) in the address names nothing: answer as for an unknown
        # one, whatever else was wrong with the request.
        return await on_http_error(request, StarletteHTTPException(404))
    fields: dict[str, str] = {}
    for item in exc.errors():
        location = [str(part) for part in item.get("loc", ()) if part not in ("body", "query")]
        fields[".".join(location) or "request"] = translate("This value is missing or not valid.")
    message = translate("Some of what was sent is not valid.")
    if wants_json(request):
        return JSONResponse(error_body("invalid_input", message, fields), status_code=422)
    return await _error_page(request, 422, "invalid_input", translate(TITLES[422]), message)


async def on_unexpected_error(request: Request, exc: Exception) -> Response:
    message = translate(
        "An unexpected error stopped this request. Please reload the page to see what was "
        "saved, then try again. If it happens again, quote this reference: %(ref)s",
        {"ref": getattr(request.state, "request_id", "-")},
    )
    if wants_json(request):
        return JSONResponse(error_body("internal_error", message), status_code=500)
    return await _error_page(request, 500, "internal_error", translate(TITLES[500]), message)
