"""Account pages: sign in, sign up, sign out, the account page and API tokens."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts import actions, forms, sessions
from sunlit.accounts.actions import Desk, desk
from sunlit.core.errors import InvalidInput, SunlitError
from sunlit.core.i18n import translate
from sunlit.core.text import printable
from sunlit.web.access import SESSION_COOKIE
from sunlit.web.deps import PathId
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


@router.get("/signin")
async def signin_page(work: Desk = desk("public"), next: str = "/") -> Response:
    asked = work.request.query_params
    return render(
        work.request,
        "auth/signin.html",
        {
            "next": safe_next(next),
            "expired": asked.get("expired") == "1",
            "reset": asked.get("reset") == "1",
        },
    )


@router.post("/signin")
async def signin(work: Desk = desk("public")) -> Response:
    fields, bad = await read_form(work.request)
    target = safe_next(fields.get("next"))
    try:
        if bad:
            raise InvalidInput(next(iter(bad.values())))
        account = await actions.authenticate(
            work, fields.get("username", ""), fields.get("password", "")
        )
        token = sessions.open_session(work.db, account, now=work.now)
        await work.commit()
    except SunlitError as exc:
        return render(
            work.request,
            "auth/signin.html",
            {
                "next": target,
                "error": translate(exc.message, exc.params),
                "username": printable(fields.get("username", "")),
            },
            status=exc.status,
        )
    response = redirect(target)
    set_session_cookie(response, token, work.services.settings)
    if account.language:
        set_language_cookie(response, account.language, work.services.settings)
    return response


@router.get("/signup")
async def signup_page(work: Desk = desk("public")) -> Response:
    return render(work.request, "auth/signup.html", {"values": {}, "errors": {}})


@router.post("/signup")
async def signup(work: Desk = desk("public")) -> Response:
    new, values, errors = forms.sign_up(*await read_form(work.request))
    try:
        forms.check(errors)
        account = await actions.register(work, new)
        token = sessions.open_session(work.db, account, now=work.now)
        await work.commit()
    except SunlitError as exc:
        return render(
            work.request,
            "auth/signup.html",
            {"values": values, **forms.failure(exc, errors)},
            status=exc.status,
        )
    response = redirect("/account?welcome=1")
    set_session_cookie(response, token, work.services.settings)
    return response


@router.post("/signout")
async def signout(work: Desk = desk("public")) -> Response:
    principal = work.principal
    if principal.session_token:
        await sessions.do_sign_out(work.db, principal.session_token)
        await work.commit()
        if principal.account is not None:
            await work.services.revoke_access(principal.account.id)
    response = redirect("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def account_page_of(work: Desk, *, status: int = 200, **extra: object) -> Response:
    """The account page, with ``extra`` (a new token, a failed form) — for the password pages
    too."""
    account = work.actor
    return render(
        work.request,
        "auth/account.html",
        {
            "account": account,
            "tokens": await sessions.list_api_tokens(work.db, account.id),
            **extra,
        },
        status=status,
    )


@router.get("/account")
async def account_page(work: Desk = desk("signed_in")) -> Response:
    asked = work.request.query_params
    return await account_page_of(
        work,
        welcome=asked.get("welcome") == "1",
        password_changed=asked.get("password") == "changed",
    )


@router.post("/account/tokens")
async def create_token(work: Desk = desk("signed_in")) -> Response:
    fields = await form_fields(work.request)
    try:
        _, new_token = await sessions.do_create_api_token(
            work.db, work.actor, fields.get("name", ""), now=work.now
        )
        await work.commit()
    except SunlitError as exc:
        return await account_page_of(
            work, status=422, new_token=None, token_error=translate(exc.message, exc.params)
        )
    return await account_page_of(work, new_token=new_token, token_error=None)


@router.post("/account/tokens/{token_id}/revoke")
async def revoke_token(token_id: PathId, work: Desk = desk("signed_in")) -> Response:
    account = work.actor
    await sessions.do_revoke_api_token(work.db, account, token_id, now=work.now)
    await work.commit()
    work.services.token_cache.forget_account(account.id)
    return redirect("/account")
