"""Errors of the accounts context (messages are msgids)."""

from __future__ import annotations

from sunlit.core.errors import N_, AuthenticationRequired, Conflict, NotFound


class UsernameTaken(Conflict):
    code = "username_taken"

    def __init__(self) -> None:
        super().__init__(
            N_("This account name is taken; choose another."),
            fields={"username": N_("This account name is taken; choose another.")},
        )


class BadCredentials(AuthenticationRequired):
    code = "bad_credentials"

    def __init__(self) -> None:
        super().__init__(N_("The account name or password is wrong."))


class AccountNotFound(NotFound):
    code = "account_not_found"

    def __init__(self) -> None:
        super().__init__(N_("No such account."))
