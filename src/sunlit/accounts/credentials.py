"""Password use cases: change one's own, reset with an operator's link (staff) or a code sent
to one's phone (consumers), and ending an account's sessions after either (through
:func:`sunlit.accounts.sessions.do_end_sessions`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.errors import AccountNotFound
from sunlit.accounts.model import (
    MAX_PASSWORD,
    STAFF_ROLES,
    Role,
    address_bucket,
    check_password,
    throttle_key,
    token_digest,
)
from sunlit.accounts.notifier import Notifier
from sunlit.accounts.services import Passwords, aware, check_reach
from sunlit.accounts.sessions import do_end_sessions
from sunlit.accounts.tables import AccountRow, PasswordResetRow
from sunlit.accounts.throttle import attempt_not_a_guess, attempt_succeeded, check_sign_in_allowed
from sunlit.core.errors import N_, InvalidInput, PermissionDenied, TooManyAttempts
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.i18n import catalog
from sunlit.core.ids import new_id, new_token
from sunlit.core.ratelimit import AttemptCounter
from sunlit.settings import Settings

CODE_MESSAGE = N_(
    "Your Sunlit password reset code is %(code)s. It works once, for %(minutes)s minutes. "
    "If you did not ask for it, ignore this message."
)
#: An address may ask for this many times the codes one account may receive (shared NATs).
ADDRESS_FACTOR = 10
WRONG_CODE = N_("The code is wrong or has expired. Ask for a new code if you need one.")


async def do_change_password(
    db: AsyncSession,
    passwords: Passwords,
    counter: AttemptCounter,
    settings: Settings,
    account: AccountRow,
    *,
    current: str,
    new: str,
    ip: str,
    now: datetime,
    session_token: str | None,
) -> None:
    """Change one's own password. The current one is required (and guessing it is throttled
    like signing in); the new one passes the sign-up rules. The account's other sessions end;
    the one making the change stays; API tokens stay (they are listed and revoked apart)."""
    attempt = await check_sign_in_allowed(
        counter, settings, username=account.username, ip=ip, now=now
    )
    if not await passwords.verify(account.password_hash, current[:MAX_PASSWORD]):
        raise InvalidInput(  # counted as a failure of the address already
            N_("Please correct the marked fields."),
            fields={"current_password": N_("This is not your current password.")},
        )
    await attempt_succeeded(counter, attempt)
    error = check_password(new, username=account.username)
    if error is None and new == current:
        error = N_("Choose a password different from the current one.")
    if error is not None:
        raise InvalidInput(N_("Please correct the marked fields."), fields={"new_password": error})
    account.password_hash = await passwords.hash(new)
    append(
        db,
        Event(
            type=EventType.ACCOUNT_PASSWORD_CHANGED,
            ts=now,
            actor=account.id,
            data={"account": account.id, "ip": ip},
        ),
    )
    await do_end_sessions(
        db, account.id, now=now, reason="password_changed", actor=account.id, keep=session_token
    )


async def _close_open(db: AsyncSession, account_id: str, kind: str, now: datetime) -> None:
    await db.execute(
        update(PasswordResetRow)
        .where(
            PasswordResetRow.account_id == account_id,
            PasswordResetRow.kind == kind,
            PasswordResetRow.closed_at.is_(None),
        )
        .values(closed_at=now, outcome="replaced")
    )


def _issued(reset: PasswordResetRow, actor: str | None) -> Event:
    return Event(
        type=EventType.ACCOUNT_PASSWORD_RESET_ISSUED,
        ts=aware(reset.created_at),
        actor=actor,
        data={
            "account": reset.account_id,
            "kind": reset.kind,
            "expires_at": aware(reset.expires_at).isoformat(timespec="seconds"),
        },
    )


async def do_issue_reset_link(
    db: AsyncSession, actor: AccountRow, account_id: str, *, now: datetime, settings: Settings
) -> tuple[PasswordResetRow, str]:
    """An operator issues a one-time link for a staff account; returns it and its token (shown
    once; only the digest is kept). A newer link replaces an unused older one."""
    if Role(actor.role) is not Role.OPERATOR:
        raise PermissionDenied(N_("Only an operator can issue password-reset links."))
    account = await db.get(AccountRow, account_id)
    if account is None:
        raise AccountNotFound
    if account.id == actor.id:
        raise PermissionDenied(N_("Change your own password on your account page."))
    check_reach(actor, account.region)
    if Role(account.role) not in STAFF_ROLES:
        raise PermissionDenied(
            N_("Buyers reset their own password with a code sent to their phone.")
        )
    await _close_open(db, account.id, "link", now)
    token = new_token()
    reset = PasswordResetRow(
        id=new_id("pr"),
        account_id=account.id,
        kind="link",
        digest=token_digest(token),
        created_at=now,
        created_by=actor.id,
        expires_at=now + timedelta(hours=settings.password_reset_link_hours),
    )
    db.add(reset)
    append(db, _issued(reset, actor.id))
    return reset, token


def _is_open(reset: PasswordResetRow | None, now: datetime) -> bool:
    return reset is not None and reset.closed_at is None and now < aware(reset.expires_at)


async def open_reset_link(db: AsyncSession, token: str, *, now: datetime) -> AccountRow | None:
    """The account a reset link is for, or None if the link is unknown, used or expired."""
    reset = await db.scalar(
        select(PasswordResetRow).where(
            PasswordResetRow.digest == token_digest(token), PasswordResetRow.kind == "link"
        )
    )
    if reset is None or not _is_open(reset, now):
        return None
    return await db.get(AccountRow, reset.account_id)


LINK_NOT_VALID = N_(
    "This password-reset link is not valid: it was used, replaced or has expired. Ask an "
    "operator for a new one."
)


async def _claim(db: AsyncSession, reset: PasswordResetRow, now: datetime) -> bool:
    """Close the reset as used, if nobody else has: the one step that makes it single-use."""
    claimed = await db.execute(
        update(PasswordResetRow)
        .where(PasswordResetRow.id == reset.id, PasswordResetRow.closed_at.is_(None))
        .values(closed_at=now, outcome="used")
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


async def _set_new_password(
    db: AsyncSession,
    passwords: Passwords,
    account: AccountRow,
    reset: PasswordResetRow,
    new: str,
    *,
    now: datetime,
) -> None:
    account.password_hash = await passwords.hash(new)
    append(
        db,
        Event(
            type=EventType.ACCOUNT_PASSWORD_RESET,
            ts=now,
            actor=account.id,
            data={"account": account.id, "kind": reset.kind, "issued_by": reset.created_by},
        ),
    )
    await do_end_sessions(
        db, account.id, now=now, reason="password_reset", actor=account.id, revoke_tokens=True
    )


async def do_reset_with_link(
    db: AsyncSession, passwords: Passwords, *, token: str, new: str, now: datetime
) -> AccountRow:
    """Set a new password with a reset link; every session and API token of the account ends."""
    reset = await db.scalar(
        select(PasswordResetRow).where(
            PasswordResetRow.digest == token_digest(token), PasswordResetRow.kind == "link"
        )
    )
    account = await db.get(AccountRow, reset.account_id) if reset is not None else None
    if reset is None or account is None or not _is_open(reset, now):
        raise InvalidInput(LINK_NOT_VALID)
    error = check_password(new, username=account.username)
    if error is not None:
        raise InvalidInput(N_("Please correct the marked fields."), fields={"password": error})
    if not await _claim(db, reset, now):
        raise InvalidInput(LINK_NOT_VALID)
    await _set_new_password(db, passwords, account, reset, new, now=now)
    return account


# --- consumers: a code sent through the notifier ---


def code_digest(secret: str, reset_id: str, code: str) -> str:
    """What is kept of a six-digit code: keyed with the secret, since a million codes are
    quickly hashed."""
    return hmac.new(secret.encode(), f"{reset_id}:{code}".encode(), hashlib.sha256).hexdigest()


async def _consumer(db: AsyncSession, login: str) -> AccountRow | None:
    """The one consumer whose account name or phone number this is, if exactly one."""
    login = login.strip().lower()
    if not login or len(login) > 64:
        return None
    found = (
        await db.scalars(
            select(AccountRow)
            .where(
                AccountRow.role == Role.CONSUMER.value,
                or_(AccountRow.username == login, AccountRow.phone == login),
            )
            .limit(2)
        )
    ).all()
    return found[0] if len(found) == 1 and not found[0].disabled else None


async def do_send_reset_code(
    db: AsyncSession,
    notifier: Notifier,
    counter: AttemptCounter,
    settings: Settings,
    *,
    login: str,
    ip: str,
    now: datetime,
) -> None:
    """Send a one-time code to the consumer named by account name or phone. The caller answers
    the same whether or not anyone was found, so this reveals nobody."""
    hour = 3600
    at = now.timestamp()
    limit = settings.password_reset_codes_per_hour
    address = "reset:ip:" + throttle_key(address_bucket(ip))
    if await counter.add(address, now=at, window_seconds=hour) > limit * ADDRESS_FACTOR:
        raise TooManyAttempts(
            N_("Too many reset codes were asked for from your network. Try again in an hour."),
            retry_after=hour,
        )
    account = await _consumer(db, login)
    if account is None:
        return
    if await counter.add(f"reset:account:{account.id}", now=at, window_seconds=hour) > limit:
        return  # enough codes for one phone in an hour; say nothing different
    await _close_open(db, account.id, "code", now)
    code = f"{secrets.randbelow(1_000_000):06d}"
    reset_id = new_id("pr")
    reset = PasswordResetRow(
        id=reset_id,
        account_id=account.id,
        kind="code",
        digest=code_digest(settings.secret_key, reset_id, code),
        created_at=now,
        expires_at=now + timedelta(minutes=settings.password_reset_code_minutes),
    )
    db.add(reset)
    append(db, _issued(reset, None))
    text = catalog(account.language or settings.default_language).gettext(CODE_MESSAGE)
    await notifier.send(
        account, text % {"code": code, "minutes": settings.password_reset_code_minutes}
    )


async def do_reset_with_code(
    db: AsyncSession,
    passwords: Passwords,
    counter: AttemptCounter,
    settings: Settings,
    *,
    login: str,
    code: str,
    new: str,
    ip: str,
    now: datetime,
) -> AccountRow | None:
    """Set a new password with a code. Returns None when the code is wrong, void or unknown
    (the caller commits, since a wrong try counts, then answers :data:`WRONG_CODE`, whatever
    the reason). Every session and API token of the account ends."""
    attempt = await check_sign_in_allowed(
        counter, settings, username=f"reset:{login}", ip=ip, now=now
    )
    error = check_password(new, username=login.strip().lower())
    if error is not None:
        await attempt_not_a_guess(counter, attempt)
        raise InvalidInput(N_("Please correct the marked fields."), fields={"password": error})
    account = await _consumer(db, login)
    reset = (
        await db.scalar(
            select(PasswordResetRow)
            .where(
                PasswordResetRow.account_id == account.id,
                PasswordResetRow.kind == "code",
                PasswordResetRow.closed_at.is_(None),
            )
            .order_by(PasswordResetRow.created_at.desc())
            .limit(1)
        )
        if account is not None
        else None
    )
    if account is None or reset is None or not _is_open(reset, now):
        return None  # counted as a failure of the address already
    # Take one try first (atomically), so that parallel guesses cannot exceed the limit.
    tries = settings.password_reset_code_attempts
    took = await db.execute(
        update(PasswordResetRow)
        .where(
            PasswordResetRow.id == reset.id,
            PasswordResetRow.closed_at.is_(None),
            PasswordResetRow.attempts < tries,
        )
        .values(attempts=PasswordResetRow.attempts + 1)
    )
    expected = code_digest(settings.secret_key, reset.id, code.strip())
    right = hmac.compare_digest(reset.digest, expected)
    if not took.rowcount or not right:  # type: ignore[attr-defined]
        await db.execute(
            update(PasswordResetRow)
            .where(
                PasswordResetRow.id == reset.id,
                PasswordResetRow.closed_at.is_(None),
                PasswordResetRow.attempts >= tries,
            )
            .values(closed_at=now, outcome="too_many_attempts")
        )
        return None
    if not await _claim(db, reset, now):
        return None
    await attempt_succeeded(counter, attempt)
    await _set_new_password(db, passwords, account, reset, new, now=now)
    return account
