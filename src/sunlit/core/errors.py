"""Errors that reach a user. The message is an English msgid, translated at the edge."""

from __future__ import annotations

from collections.abc import Mapping


class SunlitError(Exception):
    """A failure a user can understand: a code, a status and a message (a msgid)."""

    code = "error"
    status = 400

    def __init__(
        self,
        message: str,
        *,
        fields: Mapping[str, str] | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})
        self.params = dict(params or {})


class InvalidInput(SunlitError):
    code = "invalid_input"
    status = 422


class NotFound(SunlitError):
    code = "not_found"
    status = 404


class Conflict(SunlitError):
    code = "conflict"
    status = 409


class Unavailable(SunlitError):
    """Something this installation lacks (a library, a service); the rest works without it."""

    code = "unavailable"
    status = 503


class AuthenticationRequired(SunlitError):
    code = "authentication_required"
    status = 401


class SessionExpired(AuthenticationRequired):
    code = "session_expired"


class PermissionDenied(SunlitError):
    code = "permission_denied"
    status = 403


class CsrfFailed(PermissionDenied):
    code = "csrf_failed"


class TooManyAttempts(SunlitError):
    code = "too_many_attempts"
    status = 429

    def __init__(
        self,
        message: str,
        *,
        params: Mapping[str, object] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message, params=params)
        #: Whole seconds to wait before trying again (the API's ``Retry-After``), when known.
        self.retry_after = retry_after


def N_(message: str) -> str:
    """Mark a msgid for extraction into the message catalogues; translated where shown."""
    return message


def marked_fields(
    fields: Mapping[str, str], params: Mapping[str, object] | None = None
) -> InvalidInput:
    """The usual refusal of a form or body: "Please correct the marked fields." with a message
    for each field."""
    return InvalidInput(N_("Please correct the marked fields."), fields=fields, params=params)
