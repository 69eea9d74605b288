"""Operator pages: create staff accounts, change roles, verify people, disable accounts."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts import credentials, roles
from sunlit.accounts import services as accounts
from sunlit.accounts.access import Principal, allow, origin_of
from sunlit.accounts.deps import accounts_kit
from sunlit.accounts.model import STAFF_ROLES, NewAccount, Role
from sunlit.core.errors import N_, InvalidInput, SunlitError
from sunlit.core.i18n import current_language, field_errors, translate
from sunlit.core.regions.services import region_book
from sunlit.web.deps import PathId, get_db, undo
from sunlit.web.forms import form_fields, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
CREATE_FIELDS = ("username", "display_name", "role", "phone", "org", "region")


async def _page(
    request: Request, db: AsyncSession, *, status: int = 200, **extra: object
) -> Response:
    listed = await accounts.list_accounts(db)
    done_for = request.query_params.get("account")
    context = {
        "accounts": listed,
        "roles": list(Role),
        "counts": await accounts.count_accounts(db),
        "book": region_book(),
        "values": {},
        "errors": {},
        "staff_roles": {role.value for role in STAFF_ROLES},
        "done_account": next((row for row in listed if row.id == done_for), None),
        **extra,
    }
    return render(request, "operator/accounts.html", context, status=status)


@router.get("/operator/accounts")
async def accounts_page(
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    return await _page(request, db, done=request.query_params.get("done"))


def _role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"role": N_("Choose a role from the list.")},
        ) from None


@router.post("/operator/accounts")
async def create_account(
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = accounts_kit(request)
    fields = await form_fields(request)
    values = {name: fields.get(name, "") for name in CREATE_FIELDS}
    try:
        region = values["region"].strip() or None
        await accounts.do_register(
            db,
            services.passwords,
            NewAccount(
                username=values["username"],
                display_name=values["display_name"],
                password=fields.get("password", ""),
                role=_role(values["role"]),
                phone=values["phone"] or None,
                org=values["org"] or None,
                region=region,
            ),
            now=services.clock.now(),
            origin=origin_of(request),
            actor=principal.require(),
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        errors = field_errors(exc.fields, exc.params)
        return await _page(
            request,
            db,
            status=exc.status,
            values=values,
            errors=errors,
            error=translate(exc.message, exc.params),
        )
    return redirect("/operator/accounts?done=created")


@router.post("/operator/accounts/{account_id}/role")
async def change_role(
    request: Request,
    account_id: PathId,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = accounts_kit(request)
    fields = await form_fields(request)
    try:
        await roles.do_change_role(
            db,
            principal.require(),
            account_id,
            _role(fields.get("role", "")),
            now=services.clock.now(),
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        return await _page(request, db, status=exc.status, error=translate(exc.message, exc.params))
    await services.revoke_access(account_id)
    return redirect("/operator/accounts?done=role")


def _disabled(text: str) -> bool:
    if text not in ("0", "1"):
        raise InvalidInput(N_("Choose whether to disable or enable the account."))
    return text == "1"


@router.post("/operator/accounts/{account_id}/disabled")
async def set_disabled(
    request: Request,
    account_id: PathId,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """Disable an account (form field ``disabled=1``) or enable it again (``disabled=0``)."""
    services = accounts_kit(request)
    fields = await form_fields(request)
    try:
        disabled = _disabled(fields.get("disabled", ""))
        await roles.do_set_disabled(
            db, principal.require(), account_id, disabled, now=services.clock.now()
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        return await _page(request, db, status=exc.status, error=translate(exc.message, exc.params))
    await services.revoke_access(account_id)
    done = "disabled" if disabled else "enabled"
    return redirect(f"/operator/accounts?done={done}&account={account_id}")


@router.post("/operator/accounts/{account_id}/verify")
async def verify_account(
    request: Request,
    account_id: PathId,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = accounts_kit(request)
    fields = await form_fields(request)
    await roles.do_verify(
        db, principal.require(), account_id, now=services.clock.now(), org=fields.get("org")
    )
    await db.commit()
    return redirect("/operator/accounts?done=verified")


@router.post("/operator/accounts/{account_id}/reset-link")
async def issue_reset_link(
    request: Request,
    account_id: PathId,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """A one-time link for a staff account to set a new password, shown once, on this page."""
    services = accounts_kit(request)
    try:
        reset, token = await credentials.do_issue_reset_link(
            db,
            principal.require(),
            account_id,
            now=services.clock.now(),
            settings=services.settings,
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        return await _page(request, db, status=exc.status, error=translate(exc.message, exc.params))
    target = await accounts.get_account(db, account_id)
    response = await _page(
        request,
        db,
        reset_link={
            "url": str(request.base_url).rstrip("/") + f"/password/reset/{token}",
            "account": target,
            "expires_at": reset.expires_at,
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/operator/region-name")
async def region_name(
    request: Request, region: str = "", principal: Principal = allow(Role.OPERATOR)
) -> Response:
    """For htmx: the full name of the region code being typed."""
    found = region_book().get(region.strip())
    if found is None:
        text = translate("No region has the code %(code)s.", {"code": region.strip()[:6]})
    else:
        text = region_book().full_name(found.code, current_language.get())
    return HTMLResponse(escape(text))
