"""JSON API for accounts and API tokens (``/api/v1``)."""

from __future__ import annotations

from fastapi import APIRouter, Response

from sunlit.accounts import actions, roles, sessions
from sunlit.accounts import services as accounts
from sunlit.accounts.actions import Desk, desk
from sunlit.accounts.model import Role
from sunlit.accounts.schemas import (
    AccountOut,
    CodeResetIn,
    DisabledIn,
    ForgotIn,
    ForgotOut,
    NewTokenOut,
    PasswordChangeIn,
    ResetLinkOut,
    RoleIn,
    SignUpIn,
    StaffIn,
    TokenIn,
    TokenOut,
    VerifyIn,
)
from sunlit.accounts.services import aware
from sunlit.web.deps import PathId

router = APIRouter(prefix="/api/v1", tags=["accounts"])


@router.post("/accounts", status_code=201, response_model=AccountOut)
async def sign_up(body: SignUpIn, work: Desk = desk("public")) -> AccountOut:
    """Register a consumer account (other roles are created by operators)."""
    row = await actions.register(work, body.account())
    await work.commit()
    return AccountOut.of(row)


@router.post("/tokens", status_code=201, response_model=NewTokenOut)
async def create_token(body: TokenIn, work: Desk = desk("public")) -> NewTokenOut:
    """Exchange an account name and password for an API token (sign-in throttling applies)."""
    account = await actions.authenticate(work, body.username, body.password)
    row, token = await sessions.do_create_api_token(work.db, account, body.name, now=work.now)
    await work.commit()
    return NewTokenOut.issued(row, token)


@router.get("/tokens", response_model=list[TokenOut])
async def list_tokens(work: Desk = desk("signed_in")) -> list[TokenOut]:
    return [TokenOut.of(row) for row in await sessions.list_api_tokens(work.db, work.actor.id)]


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(token_id: PathId, work: Desk = desk("signed_in")) -> Response:
    account = work.actor
    await sessions.do_revoke_api_token(work.db, account, token_id, now=work.now)
    await work.commit()
    work.services.token_cache.forget_account(account.id)
    return Response(status_code=204)


@router.get("/me", response_model=AccountOut)
async def me(work: Desk = desk("signed_in")) -> AccountOut:
    return AccountOut.of(work.actor)


@router.get("/accounts", response_model=list[AccountOut])
async def list_accounts(
    role: Role | None = None, work: Desk = desk(Role.OPERATOR)
) -> list[AccountOut]:
    return [AccountOut.of(row) for row in await accounts.list_accounts(work.db, role=role)]


@router.post("/operator/accounts", status_code=201, response_model=AccountOut)
async def create_staff(body: StaffIn, work: Desk = desk(Role.OPERATOR)) -> AccountOut:
    """Create an account with any role; it is verified by the operator who creates it."""
    row = await actions.register(work, body.account(), by_operator=True)
    await work.commit()
    return AccountOut.of(row)


@router.post("/accounts/{account_id}/role", response_model=AccountOut)
async def change_role(
    account_id: PathId, body: RoleIn, work: Desk = desk(Role.OPERATOR)
) -> AccountOut:
    row = await roles.do_change_role(work.db, work.actor, account_id, body.role, now=work.now)
    await work.commit(lambda: work.services.revoke_access(account_id))
    return AccountOut.of(row)


@router.post("/accounts/{account_id}/disabled", response_model=AccountOut)
async def set_disabled(
    account_id: PathId, body: DisabledIn, work: Desk = desk(Role.OPERATOR)
) -> AccountOut:
    """Disable an account (its sessions end, its API tokens and live-room tickets stop working
    and its live-room sockets close) or enable it again."""
    row = await roles.do_set_disabled(work.db, work.actor, account_id, body.disabled, now=work.now)
    await work.commit(lambda: work.services.revoke_access(account_id))
    return AccountOut.of(row)


@router.post("/accounts/{account_id}/verify", response_model=AccountOut)
async def verify(
    account_id: PathId, body: VerifyIn, work: Desk = desk(Role.OPERATOR)
) -> AccountOut:
    row = await roles.do_verify(work.db, work.actor, account_id, now=work.now, org=body.org)
    await work.commit()
    return AccountOut.of(row)


@router.post("/me/password", status_code=204)
async def change_password(body: PasswordChangeIn, work: Desk = desk("signed_in")) -> Response:
    """Change your password (the current one is required). Your other sign-in sessions end;
    API tokens keep working."""
    account = work.actor
    await actions.change_password(work, current=body.current_password, new=body.new_password)
    await work.commit(lambda: work.services.revoke_access(account.id))
    return Response(status_code=204)


@router.post("/accounts/{account_id}/reset-link", status_code=201, response_model=ResetLinkOut)
async def issue_reset_link(account_id: PathId, work: Desk = desk(Role.OPERATOR)) -> ResetLinkOut:
    """Issue a one-time password-reset link for a staff account (operators only)."""
    reset, url = await actions.issue_reset_link(work, account_id)
    await work.commit()
    return ResetLinkOut(url=url, expires_at=aware(reset.expires_at))


@router.post("/password/forgot", status_code=202, response_model=ForgotOut)
async def send_reset_code(body: ForgotIn, work: Desk = desk("public")) -> ForgotOut:
    """Send a one-time code to a buyer's phone. The answer is the same whether or not the name
    or number belongs to anyone."""
    await actions.send_reset_code(work, body.login)
    await work.commit()
    return ForgotOut()


@router.post("/password/reset", status_code=204)
async def reset_with_code(body: CodeResetIn, work: Desk = desk("public")) -> Response:
    """Set a new password with the code. Every session and API token of the account ends."""
    account = await actions.reset_with_code(
        work, login=body.login, code=body.code, new=body.new_password
    )
    await work.services.revoke_access(account.id)
    return Response(status_code=204)
