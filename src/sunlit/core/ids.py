"""Identifiers: a short prefix saying what the thing is, then a time-ordered random part."""

from __future__ import annotations

import secrets
import time

#: What every Sunlit id looks like (for checking ids that arrive in paths).
ID_PATTERN = r"^[a-z]{1,3}-[0-9a-z]{1,40}$"

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case


def _encode(number: int, length: int) -> str:
    chars = []
    for _ in range(length):
        number, rest = divmod(number, 32)
        chars.append(_ALPHABET[rest])
    return "".join(reversed(chars))


def new_id(prefix: str, *, now_ms: int | None = None) -> str:
    """``new_id("a")`` → ``"a-01jf3k…"``: sortable by creation time, 80 random bits."""
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    return f"{prefix}-{_encode(millis, 9)}{_encode(secrets.randbits(80), 16)}"


def new_token(nbytes: int = 32) -> str:
    """A secret for a cookie or an API token."""
    return secrets.token_urlsafe(nbytes)
