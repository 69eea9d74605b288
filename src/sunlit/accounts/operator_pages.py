"""Operator pages: create staff accounts, change roles, verify people, disable accounts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape

from sunlit.accounts import actions, forms, roles
from sunlit.accounts import services as accounts
from sunlit.accounts.actions import Desk, desk
from sunlit.accounts.model import STAFF_ROLES, Role
from sunlit.core.errors import SunlitError
from sunlit.core.i18n import current_language, field_errors, translate
from sunlit.core.regions.services import region_book
from sunlit.web.deps import PathId, undo
from sunlit.web.forms import form_fields, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
OPERATOR = Role.OPERATOR


async def _page(work: Desk, *, status: int = 200, **extra: object) -> Response:
    listed = await accounts.list_accounts(work.db)
    done_for = work.request.query_params.get("account")
    context = {
        "accounts": listed,
        "roles": list(Role),
        "counts": await accounts.count_accounts(work.db),
        "book": region_book(),
        "values": {},
        "errors": {},
        "staff_roles": {role.value for role in STAFF_ROLES},
        "done_account": next((row for row in listed if row.id == done_for), None),
        **extra,
    }
    return render(work.request, "operator/accounts.html", context, status=status)


async def _failed(work: Desk, exc: SunlitError, **extra: object) -> Response:
    """Roll the failed step back and show the accounts page with the reason."""
    await undo(work.db, work.principal.account)
    return await _page(work, status=exc.status, error=translate(exc.message, exc.params), **extra)


@router.get("/operator/accounts")
async def accounts_page(work: Desk = desk(OPERATOR)) -> Response:
    return await _page(work, done=work.request.query_params.get("done"))


@router.post("/operator/accounts")
async def create_account(work: Desk = desk(OPERATOR)) -> Response:
    fields = await form_fields(work.request)
    values = forms.staff_values(fields)
    try:
        new = forms.staff_account(values, fields.get("password", ""))
        await actions.register(work, new, by_operator=True)
        await work.commit()
    except SunlitError as exc:
        return await _failed(work, exc, values=values, errors=field_errors(exc.fields, exc.params))
    return redirect("/operator/accounts?done=created")


async def _change_access(
    work: Desk, account_id: str, change: Callable[[dict[str, str]], Awaitable[str]]
) -> Response:
    """Change what an account may do from the operator's form: ``change`` reads the form, takes
    the step and says where to go next. Once committed, the account's access is revoked."""
    fields = await form_fields(work.request)
    try:
        done = await change(fields)
        await work.commit()
    except SunlitError as exc:
        return await _failed(work, exc)
    await work.services.revoke_access(account_id)
    return redirect(done)


@router.post("/operator/accounts/{account_id}/role")
async def change_role(account_id: PathId, work: Desk = desk(OPERATOR)) -> Response:
    async def change(fields: dict[str, str]) -> str:
        role = forms.role(fields.get("role", ""))
        await roles.do_change_role(work.db, work.actor, account_id, role, now=work.now)
        return "/operator/accounts?done=role"

    return await _change_access(work, account_id, change)


@router.post("/operator/accounts/{account_id}/disabled")
async def set_disabled(account_id: PathId, work: Desk = desk(OPERATOR)) -> Response:
    """Disable an account (form field ``disabled=1``) or enable it again (``disabled=0``)."""

    async def change(fields: dict[str, str]) -> str:
        disabled = forms.disabled(fields.get("disabled", ""))
        await roles.do_set_disabled(work.db, work.actor, account_id, disabled, now=work.now)
        done = "disabled" if disabled else "enabled"
        return f"/operator/accounts?done={done}&account={account_id}"

    return await _change_access(work, account_id, change)


@router.post("/operator/accounts/{account_id}/verify")
async def verify_account(account_id: PathId, work: Desk = desk(OPERATOR)) -> Response:
    fields = await form_fields(work.request)
    await roles.do_verify(work.db, work.actor, account_id, now=work.now, org=fields.get("org"))
    await work.commit()
    return redirect("/operator/accounts?done=verified")


@router.post("/operator/accounts/{account_id}/reset-link")
async def issue_reset_link(account_id: PathId, work: Desk = desk(OPERATOR)) -> Response:
    """A one-time link for a staff account to set a new password, shown once, on this page."""
    try:
        reset, url = await actions.issue_reset_link(work, account_id)
        await work.commit()
    except SunlitError as exc:
        return await _failed(work, exc)
    target = await accounts.get_account(work.db, account_id)
    response = await _page(
        work, reset_link={"url": url, "account": target, "expires_at": reset.expires_at}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/operator/region-name")
async def region_name(region: str = "", work: Desk = desk(OPERATOR)) -> Response:
    """For htmx: the full name of the region code being typed."""
    found = region_book().get(region.strip())
    if found is None:
        text = translate("No region has the code %(code)s.", {"code": region.strip()[:6]})
    else:
        text = region_book().full_name(found.code, current_language.get())
    return HTMLResponse(escape(text))
