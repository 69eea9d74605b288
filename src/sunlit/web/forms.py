"""Reading HTML forms and answering them: redirects that stay on this site, cookies."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from sunlit.accounts.model import device_fingerprint
from sunlit.accounts.services import Origin
from sunlit.core.errors import N_, InvalidInput
from sunlit.core.text import has_control_characters
from sunlit.settings import Settings
from sunlit.web.access import SESSION_COOKIE
from sunlit.web.middleware import LANGUAGE_COOKIE


async def read_form(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """The submitted text fields (files and repeats are ignored), and a field error (msgid) for
    each that holds control characters: those are refused here, once for every form, so that
    nothing downstream has to store or compare them. For forms that re-render with errors."""
    form = await request.form()
    fields = {key: value for key, value in form.items() if isinstance(value, str)}
    bad = {
        key: N_("Remove the control characters from this field.")
        for key, value in fields.items()
        if has_control_characters(value)
    }
    return fields, bad


async def form_fields(request: Request) -> dict[str, str]:
    """The submitted text fields; a field with control characters raises InvalidInput."""
    fields, bad = await read_form(request)
    if bad:
        raise InvalidInput(N_("Please correct the marked fields."), fields=bad)
    return fields


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site: never ``//host`` or ``https://host``."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    return target


def redirect(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


def origin_of(request: Request) -> Origin:
    ip = request.client.host if request.client else "unknown"
    return Origin(ip=ip, device=device_fingerprint(request.headers.get("user-agent")))


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_hours * 3600,
        path="/",
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )


def set_language_cookie(response: Response, language: str, settings: Settings) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        path="/",
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
    )
