"""Password pages: change one's own, forgotten password (a code for buyers), reset links (staff)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts import credentials, sessions
from sunlit.accounts.access import Principal, allow, origin_of
from sunlit.accounts.deps import accounts_kit
from sunlit.core.errors import N_, InvalidInput, SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.core.text import printable
from sunlit.web.deps import get_db, undo
from sunlit.web.forms import read_form, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

#: A reset link's token (``secrets.token_urlsafe``), refused with 422 unless it looks like one.
ResetToken = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{20,64}$")]
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def _mismatch(fields: dict[str, str], name: str, errors: dict[str, str]) -> None:
    if fields.get(name, "") != fields.get(f"{name}_confirm", ""):
        errors[f"{name}_confirm"] = translate("The two passwords do not match.")


@router.post("/account/password")
async def change_password(
    request: Request,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = accounts_kit(request)
    account = principal.require()
    fields, bad = await read_form(request)
    errors = field_errors(bad)
    _mismatch(fields, "new_password", errors)
    try:
        if errors:
            raise InvalidInput(N_("Please correct the marked fields."))
        await credentials.do_change_password(
            db,
            services.passwords,
            services.attempts,
            services.settings,
            account,
            current=fields.get("current_password", ""),
            new=fields.get("new_password", ""),
            ip=origin_of(request).ip,
            now=services.clock.now(),
            session_token=principal.session_token,
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, account)
        return render(
            request,
            "auth/account.html",
            {
                "account": account,
                "tokens": await sessions.list_api_tokens(db, account.id),
                "password_errors": {**field_errors(exc.fields, exc.params), **errors},
                "password_error": translate(exc.message, exc.params),
            },
            status=exc.status,
        )
    await services.revoke_access(account.id)
    return redirect("/account?password=changed")


@router.get("/password/forgot")
async def forgot_page(request: Request, principal: Principal = allow("public")) -> Response:
    return render(request, "auth/forgot.html", {"values": {}, "errors": {}})


@router.post("/password/forgot")
async def send_code(
    request: Request,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = accounts_kit(request)
    fields, bad = await read_form(request)
    login = fields.get("login", "")
    try:
        if bad:
            raise InvalidInput(N_("Please correct the marked fields."), fields=bad)
        await credentials.do_send_reset_code(
            db,
            services.notifier,
            services.attempts,
            services.settings,
            login=login,
            ip=origin_of(request).ip,
            now=services.clock.now(),
        )
        await db.commit()
    except SunlitError as exc:
        return render(
            request,
            "auth/forgot.html",
            {
                "values": {"login": printable(login)},
                "errors": field_errors(exc.fields, exc.params),
                "error": translate(exc.message, exc.params),
            },
            status=exc.status,
        )
    # The same answer whether or not the name or number belongs to anyone.
    return render(
        request, "auth/forgot_code.html", {"values": {"login": printable(login)}, "errors": {}}
    )


@router.post("/password/forgot/code")
async def reset_with_code(
    request: Request,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = accounts_kit(request)
    fields, bad = await read_form(request)
    values = {"login": printable(fields.get("login", ""))}
    errors = field_errors(bad)
    _mismatch(fields, "password", errors)
    try:
        if errors:
            raise InvalidInput(N_("Please correct the marked fields."))
        account = await credentials.do_reset_with_code(
            db,
            services.passwords,
            services.attempts,
            services.settings,
            login=fields.get("login", ""),
            code=fields.get("code", ""),
            new=fields.get("password", ""),
            ip=origin_of(request).ip,
            now=services.clock.now(),
        )
        await db.commit()  # a wrong try counts, so it is kept too
        if account is None:
            raise InvalidInput(credentials.WRONG_CODE, fields={"code": credentials.WRONG_CODE})
    except SunlitError as exc:
        return render(
            request,
            "auth/forgot_code.html",
            {
                "values": values,
                "errors": {**field_errors(exc.fields, exc.params), **errors},
                "error": translate(exc.message, exc.params),
            },
            status=exc.status,
        )
    await services.revoke_access(account.id)
    return redirect("/signin?reset=1")


@router.get("/password/reset/{token}")
async def reset_link_page(
    request: Request,
    token: ResetToken,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = accounts_kit(request)
    account = await credentials.open_reset_link(db, token, now=services.clock.now())
    context: dict[str, object] = {"account": account, "token": token, "errors": {}}
    if account is None:
        context["error"] = translate(credentials.LINK_NOT_VALID)
    response = render(
        request, "auth/reset.html", context, status=200 if account is not None else 404
    )
    response.headers.update(PRIVATE)
    return response


@router.post("/password/reset/{token}")
async def reset_with_link(
    request: Request,
    token: ResetToken,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = accounts_kit(request)
    fields, bad = await read_form(request)
    errors = field_errors(bad)
    _mismatch(fields, "password", errors)
    now = services.clock.now()
    try:
        if errors:
            raise InvalidInput(N_("Please correct the marked fields."))
        account = await credentials.do_reset_with_link(
            db, services.passwords, token=token, new=fields.get("password", ""), now=now
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        still = await credentials.open_reset_link(db, token, now=now)
        response = render(
            request,
            "auth/reset.html",
            {
                "account": still,
                "token": token,
                "errors": {**field_errors(exc.fields, exc.params), **errors},
                "error": translate(exc.message, exc.params),
            },
            status=exc.status,
        )
        response.headers.update(PRIVATE)
        return response
    await services.revoke_access(account.id)
    return redirect("/signin?reset=1")
