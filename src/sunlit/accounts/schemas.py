"""The JSON shapes of the accounts API (``/api/v1``): what it takes and what it answers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from sunlit.accounts.model import Actor, NewAccount, Role
from sunlit.accounts.services import aware
from sunlit.accounts.views import ApiToken
from sunlit.core.text import CleanText


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

    def account(self) -> NewAccount:
        return NewAccount(self.username, self.display_name, self.password, phone=self.phone)


class StaffIn(SignUpIn):
    role: Role
    org: CleanText | None = Field(None, max_length=256)
    region: str | None = Field(None, pattern=r"^\d{6}$")

    def account(self) -> NewAccount:
        return NewAccount(
            self.username,
            self.display_name,
            self.password,
            role=self.role,
            phone=self.phone,
            org=self.org,
            region=self.region,
        )


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
        return cls.model_validate(row, from_attributes=True)


class NewTokenOut(TokenOut):
    token: str = Field(description="Shown once: send it as `Authorization: Bearer <token>`")

    @classmethod
    def issued(cls, row: ApiToken, token: str) -> NewTokenOut:
        return cls(**TokenOut.of(row).model_dump(), token=token)


class RoleIn(BaseModel):
    role: Role


class VerifyIn(BaseModel):
    org: CleanText | None = Field(None, max_length=128)


class DisabledIn(BaseModel):
    disabled: bool


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
