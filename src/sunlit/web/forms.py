"""Reading HTML forms and answering them: redirects that stay on this site, cookies."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from sunlit.accounts.model import device_fingerprint
from sunlit.accounts.services import Origin
from sunlit.settings import Settings
from sunlit.web.access import SESSION_COOKIE
from sunlit.web.middleware import LANGUAGE_COOKIE


async def form_fields(request: Request) -> dict[str, str]:
    """The submitted text fields, trimmed of nothing; files and repeats are ignored."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


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
