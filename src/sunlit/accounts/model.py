"""Accounts as values, and the pure rules about them."""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from sunlit.core.errors import N_
from sunlit.core.eventlog.model import Event, EventType
from sunlit.core.regions.model import covers
from sunlit.core.text import has_control_characters


class Actor(Protocol):
    """An account as every other context sees it: who acts, read-only (the accounts context's
    row satisfies it; nothing outside accounts reads its table)."""

    @property
    def id(self) -> str: ...
    @property
    def username(self) -> str: ...
    @property
    def display_name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def org(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def verified_at(self) -> datetime | None: ...
    @property
    def disabled(self) -> bool: ...
    @property
    def language(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...


class Role(StrEnum):
    CONSUMER = "consumer"
    FARMER = "farmer"
    OFFICIAL = "official"
    SUPERVISOR = "supervisor"
    OPERATOR = "operator"
    #: A newsroom or a propaganda office: registers the figures it announced about a session
    #: (claims), and otherwise sees what the public sees.
    PRESS = "press"


class ResetKind(StrEnum):
    """How a password reset reaches its holder: a link an operator issued for a staff account,
    or a code sent to a consumer's phone."""

    LINK = "link"
    CODE = "code"


class ResetOutcome(StrEnum):
    """Why a password reset closed."""

    USED = "used"
    REPLACED = "replaced"  # a newer one of the same kind was issued
    TOO_MANY_ATTEMPTS = "too_many_attempts"


#: Roles that only an operator may give: they act for the government, are paid out, or speak
#: for a newsroom (whose claims the public page sets against the verified figures).
STAFF_ROLES = frozenset({Role.FARMER, Role.OFFICIAL, Role.SUPERVISOR, Role.OPERATOR, Role.PRESS})


def reaches(actor: Actor, region: str | None) -> bool:
    """Whether ``actor`` may act on an account or plan in ``region``: a county operator (an
    operator with a region) only inside its region (ADR 0014); anyone else wherever its role
    lets it."""
    return actor.role != Role.OPERATOR or not actor.region or covers(actor.region, region or "")


USERNAME = re.compile(r"^[a-z0-9_.-]{3,32}$")
PHONE = re.compile(r"^1\d{10}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 128


@dataclass(frozen=True, slots=True)
class NewAccount:
    """What a person types to register (or an operator types for them)."""

    username: str
    display_name: str
    password: str
    role: Role = Role.CONSUMER
    phone: str | None = None
    org: str | None = None
    region: str | None = None


def normalise_username(text: str) -> str:
    return text.strip().lower()


def normalise(new: NewAccount) -> NewAccount:
    """Trim what people type; empty optional fields become None."""
    return NewAccount(
        username=normalise_username(new.username),
        display_name=new.display_name.strip(),
        password=new.password,
        role=new.role,
        phone=(new.phone or "").strip() or None,
        org=(new.org or "").strip() or None,
        region=new.region or None,
    )


def check_new_account(new: NewAccount) -> dict[str, str]:
    """Field errors (msgids) for a registration; empty when it is acceptable."""
    errors: dict[str, str] = {}
    if not USERNAME.match(new.username):
        errors["username"] = N_(
            "Use 3 to 32 lower-case letters, digits, dots, dashes or underscores."
        )
    name = new.display_name.strip()
    if not name:
        errors["display_name"] = N_("Enter the name other people will see.")
    elif len(name) > 64:
        errors["display_name"] = N_("A display name is at most 64 characters.")
    password_error = check_password(new.password, username=new.username)
    if password_error is not None:
        errors["password"] = password_error
    if new.phone and not PHONE.match(new.phone):
        errors["phone"] = N_("A mainland mobile number has 11 digits and starts with 1.")
    if new.org is not None and len(new.org) > 128:
        errors["org"] = N_("An organisation name is at most 128 characters.")
    for field_name in ("display_name", "phone", "org", "region"):
        if has_control_characters(getattr(new, field_name) or ""):
            errors[field_name] = N_("Remove the control characters from this field.")
    return errors


def check_password(password: str, *, username: str) -> str | None:
    """The error (msgid) of a new password, at sign-up or on a change; None if acceptable."""
    if len(password) < MIN_PASSWORD:
        return N_("A password needs at least 10 characters.")
    if len(password) > MAX_PASSWORD:
        return N_("A password is at most 128 characters.")
    if password.lower() in {username, "password123", "1234567890", "0123456789"}:
        return N_("This password is too easy to guess.")
    return None


def device_fingerprint(user_agent: str | None) -> str:
    """An opaque device fingerprint for the event stream (not reversible to the agent)."""
    return hashlib.sha256((user_agent or "").encode()).hexdigest()[:16]


def registered_event(
    *,
    account_id: str,
    new: NewAccount,
    now: datetime,
    device: str,
    ip: str,
    created_by: str | None,
) -> Event:
    data: dict[str, Any] = {
        "created_at": now.isoformat(timespec="milliseconds"),
        "role": new.role.value,
        "device": device,
        "ip": ip,
        "phone_prefix": new.phone[:7] if new.phone else None,
        "org": new.org,
    }
    if created_by is not None:
        data["created_by"] = created_by
    return Event(type=EventType.ACCOUNT_REGISTERED, ts=now, actor=account_id, data=data)


#: A session's "last seen" is written when it is older than this: at most once a minute.
TOUCH_EVERY = timedelta(minutes=1)


def stamp_due(last_seen_at: datetime, now: datetime) -> bool:
    """Is a session's "last seen" old enough to be written again?"""
    return now - last_seen_at > TOUCH_EVERY


def session_is_live(
    *,
    created_at: datetime,
    last_seen_at: datetime,
    now: datetime,
    idle: timedelta,
    max_age: timedelta,
) -> bool:
    """A sign-in session lives until it is idle too long or too old, whichever comes first."""
    return now - last_seen_at <= idle and now - created_at <= max_age


def token_digest(token: str) -> str:
    """What is stored of a session cookie or API token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


#: How each role is named on pages (msgids).
ROLE_LABELS = {
    Role.CONSUMER: N_("Consumer"),
    Role.FARMER: N_("Farmer or cooperative"),
    Role.OFFICIAL: N_("Official"),
    Role.SUPERVISOR: N_("Supervisor"),
    Role.OPERATOR: N_("Operator"),
    Role.PRESS: N_("Press (newsroom or propaganda office)"),
}


# --- the sign-in throttle (docs/settings.md: SUNLIT_LOGIN_*) ---


def sign_in_waits(free: int, first: float, cap: float) -> tuple[float, ...]:
    """Seconds an attempt on one account from one address must wait after the latest one, by
    the number of attempts already in the window: none for the first ``free``, then ``first``,
    twice that, and so on, never more than ``cap``."""
    waits = [0.0] * free
    wait = first
    while wait < cap:
        waits.append(wait)
        wait *= 2
    waits.append(cap)
    return tuple(waits)


def address_bucket(ip: str) -> str:
    """What the per-address ceiling counts: an IPv4 address, or an IPv6 address's /64 (one
    subscriber usually holds a whole /64, so counting single addresses would count nothing)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:64]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def throttle_key(*parts: str) -> str:
    """A short key for counting attempts: names typed by strangers can be long."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def wait_message(seconds: int, *, per_address: bool) -> tuple[str, dict[str, object]]:
    """The msgid and parameters that tell a person how long to wait before trying again."""
    if per_address:
        minutes = max(1, math.ceil(seconds / 60))
        if minutes == 1:
            return N_("Too many failed sign-ins from your network. Try again in 1 minute."), {}
        return (
            N_("Too many failed sign-ins from your network. Try again in %(minutes)s minutes."),
            {"minutes": minutes},
        )
    if seconds <= 1:
        return N_("Too many failed sign-ins. Try again in 1 second."), {}
    return N_("Too many failed sign-ins. Try again in %(seconds)s seconds."), {"seconds": seconds}
