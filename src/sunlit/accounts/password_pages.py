"""Password pages: change one's own, forgotten password (a code for buyers), reset links (staff)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from sunlit.accounts import actions, credentials, forms
from sunlit.accounts.actions import Desk, desk
from sunlit.accounts.model import Actor
from sunlit.accounts.pages import account_page_of
from sunlit.core.errors import N_, InvalidInput, SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.core.text import printable
from sunlit.web.deps import undo
from sunlit.web.forms import read_form, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)

#: A reset link's token (``secrets.token_urlsafe``), refused with 422 unless it looks like one.
ResetToken = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{20,64}$")]
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@router.post("/account/password")
async def change_password(work: Desk = desk("signed_in")) -> Response:
    account = work.actor
    fields, bad = await read_form(work.request)
    errors = forms.new_password(fields, bad, "new_password")
    try:
        forms.check(errors)
        await actions.change_password(
            work, current=fields.get("current_password", ""), new=fields.get("new_password", "")
        )
        await work.commit()
    except SunlitError as exc:
        await undo(work.db, account)
        return await account_page_of(
            work,
            status=exc.status,
            password_errors={**field_errors(exc.fields, exc.params), **errors},
            password_error=translate(exc.message, exc.params),
        )
    await work.services.revoke_access(account.id)
    return redirect("/account?password=changed")


@router.get("/password/forgot")
async def forgot_page(work: Desk = desk("public")) -> Response:
    return render(work.request, "auth/forgot.html", {"values": {}, "errors": {}})


@router.post("/password/forgot")
async def send_code(work: Desk = desk("public")) -> Response:
    fields, bad = await read_form(work.request)
    login = fields.get("login", "")
    values = {"login": printable(login)}
    try:
        if bad:
            raise InvalidInput(N_("Please correct the marked fields."), fields=bad)
        await actions.send_reset_code(work, login)
        await work.commit()
    except SunlitError as exc:
        return render(
            work.request,
            "auth/forgot.html",
            {"values": values, **forms.failure(exc)},
            status=exc.status,
        )
    # The same answer whether or not the name or number belongs to anyone.
    return render(work.request, "auth/forgot_code.html", {"values": values, "errors": {}})


@router.post("/password/forgot/code")
async def reset_with_code(work: Desk = desk("public")) -> Response:
    fields, bad = await read_form(work.request)
    errors = forms.new_password(fields, bad, "password")
    try:
        forms.check(errors)
        account = await actions.reset_with_code(
            work,
            login=fields.get("login", ""),
            code=fields.get("code", ""),
            new=fields.get("password", ""),
        )
    except SunlitError as exc:
        return render(
            work.request,
            "auth/forgot_code.html",
            {"values": {"login": printable(fields.get("login", ""))}, **forms.failure(exc, errors)},
            status=exc.status,
        )
    await work.services.revoke_access(account.id)
    return redirect("/signin?reset=1")


def _reset_page(
    work: Desk, token: str, account: Actor | None, *, status: int, **extra: object
) -> Response:
    response = render(
        work.request,
        "auth/reset.html",
        {"account": account, "token": token, "errors": {}, **extra},
        status=status,
    )
    response.headers.update(PRIVATE)
    return response


@router.get("/password/reset/{token}")
async def reset_link_page(token: ResetToken, work: Desk = desk("public")) -> Response:
    account = await credentials.open_reset_link(work.db, token, now=work.now)
    if account is None:
        return _reset_page(
            work, token, None, status=404, error=translate(credentials.LINK_NOT_VALID)
        )
    return _reset_page(work, token, account, status=200)


@router.post("/password/reset/{token}")
async def reset_with_link(token: ResetToken, work: Desk = desk("public")) -> Response:
    fields, bad = await read_form(work.request)
    errors = forms.new_password(fields, bad, "password")
    try:
        forms.check(errors)
        account = await credentials.do_reset_with_link(
            work.db,
            work.services.passwords,
            token=token,
            new=fields.get("password", ""),
            now=work.now,
        )
        await work.commit()
    except SunlitError as exc:
        await undo(work.db, work.principal.account)
        still = await credentials.open_reset_link(work.db, token, now=work.now)
        return _reset_page(work, token, still, status=exc.status, **forms.failure(exc, errors))
    await work.services.revoke_access(account.id)
    return redirect("/signin?reset=1")
