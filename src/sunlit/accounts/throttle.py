"""The sign-in throttle: how often an account name may be tried from an address, and how many
failures an address may have, before attempts wait (signing in, changing a password,
resetting one with a code all go through it)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from sunlit.accounts.model import address_bucket, sign_in_waits, throttle_key, wait_message
from sunlit.core.errors import TooManyAttempts
from sunlit.core.ratelimit import AttemptCounter
from sunlit.settings import Settings


@dataclass(frozen=True, slots=True)
class SignInAttempt:
    """An attempt admitted by :func:`check_sign_in_allowed`: counted against the account and
    address (``pair_key``) and, ahead of the check, as a failure of the address
    (``address_key`` at ``at``), which :func:`attempt_succeeded` takes back."""

    pair_key: str
    address_key: str
    at: float


async def check_sign_in_allowed(
    counter: AttemptCounter, settings: Settings, *, username: str, ip: str, now: datetime
) -> SignInAttempt:
    """Refuse an attempt on ``username`` from ``ip`` that comes too soon; otherwise record it.

    Two counts, neither of which a stranger can use against someone else. Per account *and*
    address, every attempt is recorded before the password is checked, and the record decides
    (parallel guesses cannot slip past): after a few, each further attempt waits longer than
    the last. Per address, across all names, failures count against a ceiling that blocks
    the address for the rest of the window; each attempt is counted as a failure *before* the
    password is checked (one step: add, then count), so parallel guesses on many names cannot
    all pass the ceiling, and taken back when it succeeds or was not a guess. A person signing
    in from their own address is never slowed by what another address does."""
    window = settings.login_window_seconds
    at = now.timestamp()
    address_key = "login:ip:" + throttle_key(address_bucket(ip))
    ceiling = settings.login_max_failures_per_ip
    if await counter.add(address_key, now=at, window_seconds=window) > ceiling:
        await counter.withdraw(address_key, at=at)
        failures = await counter.times(address_key, now=at, window_seconds=window)
        wait = failures[max(0, len(failures) - ceiling)] + window - at if failures else window
        _refuse(wait, per_address=True)
    pair_key = "login:pair:" + throttle_key(username, ip)
    waits = sign_in_waits(
        settings.login_max_failures, settings.login_delay_seconds, settings.login_max_delay_seconds
    )
    wait = await counter.admit(pair_key, now=at, window_seconds=window, waits=waits)
    if wait > 0:
        await counter.withdraw(address_key, at=at)
        _refuse(wait, per_address=False)
    return SignInAttempt(pair_key, address_key, at)


async def attempt_succeeded(counter: AttemptCounter, attempt: SignInAttempt) -> None:
    """The password (or code) was right: the account and address start afresh, and the
    address's failure counted ahead is taken back."""
    await counter.reset(attempt.pair_key)
    await counter.withdraw(attempt.address_key, at=attempt.at)


async def attempt_not_a_guess(counter: AttemptCounter, attempt: SignInAttempt) -> None:
    """Refused before anything secret was compared (a new password too weak, say): the
    address's failure counted ahead is taken back."""
    await counter.withdraw(attempt.address_key, at=attempt.at)


def _refuse(wait: float, *, per_address: bool) -> NoReturn:
    seconds = max(1, math.ceil(wait))
    message, params = wait_message(seconds, per_address=per_address)
    raise TooManyAttempts(message, params=params, retry_after=seconds)
