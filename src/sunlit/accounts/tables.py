"""Account tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from sunlit.accounts.model import ResetKind, ResetOutcome, Role
from sunlit.core.db import Base, StrEnumType, UTCDateTime


class AccountRow(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(StrEnumType(Role, 16))
    password_hash: Mapped[str] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(16))
    org: Mapped[str | None] = mapped_column(String(128))
    region: Mapped[str | None] = mapped_column(String(6))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by: Mapped[str | None] = mapped_column(String(40))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(
            "role IN ('consumer', 'farmer', 'official', 'supervisor', 'operator', 'press')",
            name="role_known",
        ),
        # The target of the ledger's (owner, role) key, which keeps officials from being paid.
        Index("ix_accounts_id_role", "id", "role", unique=True),
    )


class WebSessionRow(Base):
    """A server-side sign-in session; the cookie holds the token, the row its digest."""

    __tablename__ = "web_sessions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PasswordResetRow(Base):
    """A one-time way to set a new password: a link an operator issued for a staff account, or a
    code sent to a consumer. Only the digest of the token or code is kept."""

    __tablename__ = "password_resets"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[ResetKind] = mapped_column(StrEnumType(ResetKind, 8))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(40))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Tries of a code (each right or wrong); at the limit the code is void.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why it closed: used, replaced (a newer one was issued) or too_many_attempts.
    outcome: Mapped[ResetOutcome | None] = mapped_column(StrEnumType(ResetOutcome, 24))

    __table_args__ = (
        CheckConstraint("kind IN ('link', 'code')", name="kind_known"),
        Index("ix_password_resets_account_id", "account_id"),
    )
