"""JSON API for accounts and API tokens (``/api/v1``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts import credentials, roles, sessions
from sunlit.accounts import services as accounts
from sunlit.accounts.access import Principal, allow, origin_of
from sunlit.accounts.deps import accounts_kit
from sunlit.accounts.model import Actor, NewAccount, Role
from sunlit.accounts.services import aware
from sunlit.accounts.views import ApiToken
from sunlit.core.errors import InvalidInput
from sunlit.core.text import CleanText
from sunlit.web.deps import PathId, get_db

router = APIRouter(prefix="/api/v1", tags=["accounts"])


class AccountOut(BaseModel):
    id: str
    username: str
    display_name: str
    role: Role
    verified: bool
    org: str | None
    region: str | None
    language: str | None
    created_at: datetime
    disabled: bool = False

    @classmethod
    def of(cls, row: Actor) -> AccountOut:
        return cls(
            id=row.id,
            username=row.username,
            display_name=row.display_name,
            role=Role(row.role),
            verified=row.verified_at is not None,
            org=row.org,
            region=row.region,
            language=row.language,
            created_at=aware(row.created_at),
            disabled=bool(row.disabled),
        )


class SignUpIn(BaseModel):
    username: CleanText = Field(max_length=64)
    display_name: CleanText = Field(max_length=128)
    password: str = Field(max_length=256)
    phone: CleanText | None = Field(None, max_length=32)


class StaffIn(SignUpIn):
    role: Role
    org: CleanText | None = Field(None, max_length=256)
    region: str | None = Field(None, pattern=r"^\d{6}$")


class TokenIn(BaseModel):
    username: CleanText = Field(max_length=64)
    password: str = Field(max_length=256)
    name: CleanText = Field("api", max_length=64)


class TokenOut(BaseModel):
    id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, row: ApiToken) -> TokenOut:
        return cls(
            id=row.id,
            name=row.name,
            created_at=aware(row.created_at),
            last_used_at=aware(row.last_used_at) if row.last_used_at else None,
        )


class NewTokenOut(TokenOut):
    token: str = Field(description="Shown once: send it as `Authorization: Bearer <token>`")


class RoleIn(BaseModel):
    role: Role


class VerifyIn(BaseModel):
    org: CleanText | None = Field(None, max_length=128)


def _now(request: Request) -> datetime:
    return accounts_kit(request).clock.now()


@router.post("/accounts", status_code=201, response_model=AccountOut)
async def sign_up(
    body: SignUpIn,
    request: Request,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> AccountOut:
    """Register a consumer account (other roles are created by operators)."""
    services = accounts_kit(request)
    row = await accounts.do_register(
        db,
        services.passwords,
        NewAccount(body.username, body.display_name, body.password, phone=body.phone),
        now=services.clock.now(),
        origin=origin_of(request),
    )
    await db.commit()
    return AccountOut.of(row)


@router.post("/tokens", status_code=201, response_model=NewTokenOut)
async def create_token(
    body: TokenIn,
    request: Request,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> NewTokenOut:
    """Exchange an account name and password for an API token (sign-in throttling applies)."""
    services = accounts_kit(request)
    now = services.clock.now()
    account = await sessions.authenticate(
        db,
        services.passwords,
        services.attempts,
        services.settings,
        username=body.username,
        password=body.password,
        ip=origin_of(request).ip,
        now=now,
    )
    row, token = await sessions.do_create_api_token(db, account, body.name, now=now)
    await db.commit()
    return NewTokenOut(**TokenOut.of(row).model_dump(), token=token)


@router.get("/tokens", response_model=list[TokenOut])
async def list_tokens(
    principal: Principal = allow("signed_in"), db: AsyncSession = Depends(get_db)
) -> list[TokenOut]:
    return [TokenOut.of(row) for row in await sessions.list_api_tokens(db, principal.require().id)]


@router.delete("/tokens/{token_id}", status_code=204)
async def revoke_token(
    token_id: PathId,
    request: Request,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    account = principal.require()
    await sessions.do_revoke_api_token(db, account, token_id, now=_now(request))
    await db.commit()
    accounts_kit(request).token_cache.forget_account(account.id)
    return Response(status_code=204)


@router.get("/me", response_model=AccountOut)
async def me(principal: Principal = allow("signed_in")) -> AccountOut:
    return AccountOut.of(principal.require())


@router.get("/accounts", response_model=list[AccountOut])
async def list_accounts(
    role: Role | None = None,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> list[AccountOut]:
    return [AccountOut.of(row) for row in await accounts.list_accounts(db, role=role)]


@router.post("/operator/accounts", status_code=201, response_model=AccountOut)
async def create_staff(
    body: StaffIn,
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> AccountOut:
    """Create an account with any role; it is verified by the operator who creates it."""
    services = accounts_kit(request)
    row = await accounts.do_register(
        db,
        services.passwords,
        NewAccount(
            body.username,
            body.display_name,
            body.password,
            role=body.role,
            phone=body.phone,
            org=body.org,
            region=body.region,
        ),
        now=services.clock.now(),
        origin=origin_of(request),
        actor=principal.require(),
    )
    await db.commit()
    return AccountOut.of(row)


@router.post("/accounts/{account_id}/role", response_model=AccountOut)
async def change_role(
    account_id: PathId,
    body: RoleIn,
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> AccountOut:
    row = await roles.do_change_role(
        db, principal.require(), account_id, body.role, now=_now(request)
    )
    await db.commit()
    await accounts_kit(request).revoke_access(account_id)
    return AccountOut.of(row)


class DisabledIn(BaseModel):
    disabled: bool


@router.post("/accounts/{account_id}/disabled", response_model=AccountOut)
async def set_disabled(
    account_id: PathId,
    body: DisabledIn,
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> AccountOut:
    """Disable an account (its sessions end, its API tokens and live-room tickets stop working
    and its live-room sockets close) or enable it again."""
    row = await roles.do_set_disabled(
        db, principal.require(), account_id, body.disabled, now=_now(request)
    )
    await db.commit()
    await accounts_kit(request).revoke_access(account_id)
    return AccountOut.of(row)


@router.post("/accounts/{account_id}/verify", response_model=AccountOut)
async def verify(
    account_id: PathId,
    body: VerifyIn,
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> AccountOut:
    row = await roles.do_verify(
        db, principal.require(), account_id, now=_now(request), org=body.org
    )
    await db.commit()
    return AccountOut.of(row)


class PasswordChangeIn(BaseModel):
    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)


class ResetLinkOut(BaseModel):
    url: str = Field(description="Shown once; it works once, until `expires_at`")
    expires_at: datetime


class ForgotIn(BaseModel):
    login: CleanText = Field(max_length=64, description="Account name or mobile number")


class ForgotOut(BaseModel):
    """The same answer whoever was named: whether a code was sent is not said."""

    status: Literal["accepted"] = "accepted"


class CodeResetIn(ForgotIn):
    code: CleanText = Field(max_length=16)
    new_password: str = Field(max_length=256)


@router.post("/me/password", status_code=204)
async def change_password(
    body: PasswordChangeIn,
    request: Request,
    principal: Principal = allow("signed_in"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """Change your password (the current one is required). Your other sign-in sessions end;
    API tokens keep working."""
    services = accounts_kit(request)
    account = principal.require()
    await credentials.do_change_password(
        db,
        services.passwords,
        services.attempts,
        services.settings,
        account,
        current=body.current_password,
        new=body.new_password,
        ip=origin_of(request).ip,
        now=services.clock.now(),
        session_token=principal.session_token,
    )
    await db.commit()
    await services.revoke_access(account.id)
    return Response(status_code=204)


@router.post("/accounts/{account_id}/reset-link", status_code=201, response_model=ResetLinkOut)
async def issue_reset_link(
    account_id: PathId,
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> ResetLinkOut:
    """Issue a one-time password-reset link for a staff account (operators only)."""
    services = accounts_kit(request)
    reset, token = await credentials.do_issue_reset_link(
        db, principal.require(), account_id, now=services.clock.now(), settings=services.settings
    )
    await db.commit()
    url = str(request.base_url).rstrip("/") + f"/password/reset/{token}"
    return ResetLinkOut(url=url, expires_at=aware(reset.expires_at))


@router.post("/password/forgot", status_code=202, response_model=ForgotOut)
async def send_reset_code(
    body: ForgotIn,
    request: Request,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> ForgotOut:
    """Send a one-time code to a buyer's phone. The answer is the same whether or not the name
    or number belongs to anyone."""
    services = accounts_kit(request)
    await credentials.do_send_reset_code(
        db,
        services.notifier,
        services.attempts,
        services.settings,
        login=body.login,
        ip=origin_of(request).ip,
        now=services.clock.now(),
    )
    await db.commit()
    return ForgotOut()


@router.post("/password/reset", status_code=204)
async def reset_with_code(
    body: CodeResetIn,
    request: Request,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """Set a new password with the code. Every session and API token of the account ends."""
    services = accounts_kit(request)
    account = await credentials.do_reset_with_code(
        db,
        services.passwords,
        services.attempts,
        services.settings,
        login=body.login,
        code=body.code,
        new=body.new_password,
        ip=origin_of(request).ip,
        now=services.clock.now(),
    )
    await db.commit()  # a wrong try counts, so it is kept too
    if account is None:
        raise InvalidInput(credentials.WRONG_CODE, fields={"code": credentials.WRONG_CODE})
    await services.revoke_access(account.id)
    return Response(status_code=204)
