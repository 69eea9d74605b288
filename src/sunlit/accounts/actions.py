"""The accounts' actions as the routes ask for them, over one request's :class:`Work`: the
pages and the API take the same steps with the same services, the asker's address and the time
of the request, and differ only in how they read the request and answer it."""

from __future__ import annotations

from typing import Any

from sunlit.accounts import credentials, sessions
from sunlit.accounts import services as accounts
from sunlit.accounts.access import Rule, origin_of
from sunlit.accounts.deps import AccountsKit, accounts_kit
from sunlit.accounts.model import NewAccount
from sunlit.accounts.tables import AccountRow, PasswordResetRow
from sunlit.accounts.work import Work, unit
from sunlit.core.errors import InvalidInput

Desk = Work[AccountsKit]


def desk(*rules: Rule, csrf: bool = True) -> Any:
    """The dependency that gives an accounts route its :data:`Desk` (see :func:`unit`)."""
    return unit(*rules, kit=accounts_kit, csrf=csrf)


def _ip(work: Desk) -> str:
    return origin_of(work.request).ip


async def register(work: Desk, new: NewAccount, *, by_operator: bool = False) -> AccountRow:
    """A buyer signs up, or (``by_operator``) the signed-in operator creates an account."""
    return await accounts.do_register(
        work.db,
        work.services.passwords,
        new,
        now=work.now,
        origin=origin_of(work.request),
        actor=work.actor if by_operator else None,
    )


async def authenticate(work: Desk, username: str, password: str) -> AccountRow:
    """Check an account name and password, under the sign-in throttle."""
    kit = work.services
    return await sessions.authenticate(
        work.db,
        kit.passwords,
        kit.attempts,
        kit.settings,
        username=username,
        password=password,
        ip=_ip(work),
        now=work.now,
    )


async def change_password(work: Desk, *, current: str, new: str) -> None:
    """The signed-in account changes its password; the session making the change stays."""
    kit = work.services
    await credentials.do_change_password(
        work.db,
        kit.passwords,
        kit.attempts,
        kit.settings,
        work.actor,
        current=current,
        new=new,
        ip=_ip(work),
        now=work.now,
        session_token=work.principal.session_token,
    )


async def send_reset_code(work: Desk, login: str) -> None:
    kit = work.services
    await credentials.do_send_reset_code(
        work.db, kit.notifier, kit.attempts, kit.settings, login=login, ip=_ip(work), now=work.now
    )


async def reset_with_code(work: Desk, *, login: str, code: str, new: str) -> AccountRow:
    """Set a new password with a code, and commit: a wrong try counts, so it is kept too (and
    then answered with :data:`credentials.WRONG_CODE`, whatever the reason)."""
    kit = work.services
    account = await credentials.do_reset_with_code(
        work.db,
        kit.passwords,
        kit.attempts,
        kit.settings,
        login=login,
        code=code,
        new=new,
        ip=_ip(work),
        now=work.now,
    )
    await work.commit()
    if account is None:
        raise InvalidInput(credentials.WRONG_CODE, fields={"code": credentials.WRONG_CODE})
    return account


async def issue_reset_link(work: Desk, account_id: str) -> tuple[PasswordResetRow, str]:
    """The operator issues a one-time reset link for a staff account: the link and its URL."""
    reset, token = await credentials.do_issue_reset_link(
        work.db, work.actor, account_id, now=work.now, settings=work.services.settings
    )
    return reset, str(work.request.base_url).rstrip("/") + f"/password/reset/{token}"
