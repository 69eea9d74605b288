"""Account pages: sign in, sign up, sign out, the account page and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts import services as accounts
from sunlit.accounts import sessions
from sunlit.accounts.access import Principal, allow, origin_of
from sunlit.accounts.deps import accounts_kit
from sunlit.accounts.model import NewAccount, check_new_account, normalise
from sunlit.core.errors import N_, InvalidInput, SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.core.text import printable
from sunlit.web.access import SESSION_COOKIE
from sunlit.web.deps import PathId, get_db
from sunlit.web.forms import (
    form_fields,
    read_form,
    redirect,
    safe_next,
    set_language_cookie,
    set_session_cookie,
)
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)


def _errors(exc: SunlitError) -> tuple[str, dict[str, str]]:
    return translate(exc.message, exc.params), field_errors(exc.fields, exc.params)


@router.get("/signin")
async def signin_page(
    request: Request, principal: Principal = allow("public"), next: str = "/"
) -> Response:
    return render(
        request,
        "auth/signin.html",
        {
            "next": safe_next(next),
            "expired": request.query_params.get("expired") == "1",
            "reset": request.query_params.get("reset") == "1",
        },
    )


@router.post("/signin")
async def signin(
    request: Request,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = accounts_kit(request)
    fields, bad = await read_form(request)
    target = safe_next(fields.get("next"))
    try:
        if bad:
            raise InvalidInput(next(iter(bad.values())))
        account, token = await sessions.do_sign_in(
            db,
            services.passwords,
            services.attempts,
            services.settings,
            username=fields.get("username", ""),
            password=fields.get("password", ""),
            ip=origin_of(request).ip,
            now=services.clock.now(),
        )
        await db.commit()
    except SunlitError as exc:
        message, _ = _errors(exc)
        return render(
            request,
            "auth/signin.html",
            {"next": target, "error": message, "username": printable(fields.get("username", ""))},
            status=exc.status,
        )
    response = redirect(target)
    set_session_cookie(response, token, services.settings)
    if account.language:
        set_language_cookie(response, account.language, services.settings)
    return response


@router.get("/signup")
async def signup_page(request: Request, principal: Principal = allow("public")) -> Response:
    return render(request, "auth/signup.html", {"values": {}, "errors": {}})


@router.post("/signup")
async def signup(
    request: Request,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = accounts_kit(request)
    fields, bad = await read_form(request)
    values = {k: fields.get(k, "") for k in ("username", "display_name", "phone")}
    new = NewAccount(
        username=values["username"],
        display_name=values["display_name"],
        password=fields.get("password", ""),
        phone=values["phone"] or None,
    )
    errors = field_errors(check_new_account(normalise(new)))
    if fields.get("password", "") != fields.get("password_confirm", ""):
        errors["password_confirm"] = translate("The two passwords do not match.")
    errors.update(field_errors(bad))
    try:
        if errors:
            raise InvalidInput(N_("Please correct the marked fields."))
        now = services.clock.now()
        account = await accounts.do_register(
            db, services.passwords, new, now=now, origin=origin_of(request)
        )
        token = sessions.open_session(db, account, now=now)
        await db.commit()
    except SunlitError as exc:
        message, rule_errors = _errors(exc)
        return render(
            request,
            "auth/signup.html",
            {
                "values": {k: printable(v) for k, v in values.items()},
                "errors": {**rule_errors, **errors},
                "error": message,
            },
            status=exc.status,
        )
    response = redirect("/account?welcome=1")
    set_session_cookie(response, token, services.settings)
    return response


@router.post("/signout")
async def signout(
    request: Request,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    if principal.session_token:
        await sessions.do_sign_out(db, principal.session_token)
        await db.commit()
        if principal.account is not None:
            await accounts_kit(request).revoke_access(principal.account.id)
    response = redirect("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account")
async def account_page(
    request: Request,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    account = principal.require()
    tokens = await sessions.list_api_tokens(db, account.id)
    return render(
        request,
        "auth/account.html",
        {
            "account": account,
            "tokens": tokens,
            "welcome": request.query_params.get("welcome") == "1",
            "password_changed": request.query_params.get("password") == "changed",
        },
    )


@router.post("/account/tokens")
async def create_token(
    request: Request,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = accounts_kit(request)
    account = principal.require()
    fields = await form_fields(request)
    new_token = None
    error = None
    try:
        _, new_token = await sessions.do_create_api_token(
            db, account, fields.get("name", ""), now=services.clock.now()
        )
        await db.commit()
    except SunlitError as exc:
        error, _ = _errors(exc)
    tokens = await sessions.list_api_tokens(db, account.id)
    return render(
        request,
        "auth/account.html",
        {"account": account, "tokens": tokens, "new_token": new_token, "token_error": error},
        status=200 if error is None else 422,
    )


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(
    request: Request,
    token_id: PathId,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = accounts_kit(request)
    account = principal.require()
    await sessions.do_revoke_api_token(db, account, token_id, now=services.clock.now())
    await db.commit()
    services.token_cache.forget_account(account.id)
    return redirect("/account")
