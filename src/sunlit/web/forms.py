"""Reading HTML forms and answering them: redirects that stay on this site, cookies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile as StarletteUploadFile

from sunlit.core.errors import N_, InvalidInput
from sunlit.core.files.model import Upload
from sunlit.core.money import parse_yuan
from sunlit.core.text import has_control_characters, printable, whole_number
from sunlit.settings import Settings
from sunlit.web.access import SESSION_COOKIE
from sunlit.web.middleware import LANGUAGE_COOKIE

#: Elder mode (适老化): larger type and tap targets, higher contrast (docs/notifications.md).
ELDER_COOKIE = "sunlit_elder"


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


async def read_upload(request: Request, name: str = "file") -> Upload:
    """The file sent in field ``name`` of a multipart form (empty when none was sent). The
    size is bounded before this by the request limit for uploads."""
    form = await request.form()
    sent = form.get(name)
    if isinstance(sent, StarletteUploadFile):
        return Upload(data=await sent.read(), name=printable(sent.filename or ""))
    return Upload(data=b"", name="")


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


def set_elder_cookie(response: Response, on: bool, settings: Settings) -> None:
    """Elder mode (``sunlit_elder``), kept a year like the language; off removes it."""
    if not on:
        response.delete_cookie(ELDER_COOKIE, path="/")
        return
    response.set_cookie(
        ELDER_COOKIE,
        "on",
        max_age=365 * 24 * 3600,
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


# --- reading typed values, collecting a field error (msgid) for each that cannot be read ---


def yuan_in(
    fields: dict[str, str], name: str, errors: dict[str, str], *, optional: bool = False
) -> int | None:
    text = fields.get(name, "").strip()
    if optional and not text:
        return None
    try:
        return parse_yuan(text)
    except ValueError:
        errors[name] = N_("Enter an amount in yuan, such as 3.50.")
        return None


def whole_in(
    fields: dict[str, str], name: str, errors: dict[str, str], *, optional: bool = False
) -> int | None:
    text = fields.get(name, "").strip()
    if optional and not text:
        return None
    number = whole_number(text)
    if number is None:
        errors[name] = N_("Enter a whole number.")
    return number


def choice_in(
    enum: Any, fields: dict[str, str], name: str, errors: dict[str, str], *, optional: bool = False
) -> Any:
    text = fields.get(name, "")
    if optional and not text:
        return None
    try:
        return enum(text)
    except ValueError:
        errors[name] = N_("Choose from the list.")
        return None


async def form_list(request: Request, name: str) -> list[str]:
    """Every value sent under ``name`` (checkboxes), without control characters."""
    form = await request.form()
    return [v for v in form.getlist(name) if isinstance(v, str) and not has_control_characters(v)]


def date_in(fields: dict[str, str], name: str, errors: dict[str, str]) -> date:
    """A date typed as ``2026-11-01``; ``date.min`` with a field error when it cannot be read."""
    try:
        return date.fromisoformat(fields.get(name, ""))
    except ValueError:
        errors[name] = N_("Enter a date such as 2026-11-01.")
        return date.min


def local_moment(text: str, zone: ZoneInfo) -> datetime | None:
    """A ``datetime-local`` input (``2026-03-07T14:00``), in the deployment's time zone."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
