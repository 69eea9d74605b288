"""Reading the accounts' HTML forms into typed values, with the errors to show beside fields."""

from __future__ import annotations

from sunlit.accounts.model import NewAccount, Role, check_new_account, normalise
from sunlit.core.errors import N_, InvalidInput, SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.core.text import printable

#: The operator's "create an account" fields shown again when the form comes back.
STAFF_FIELDS = ("username", "display_name", "role", "phone", "org", "region")
SIGN_UP_FIELDS = ("username", "display_name", "phone")


def failure(exc: SunlitError, marked: dict[str, str] | None = None) -> dict[str, object]:
    """A failed form's message and field errors (the rules' and those ``marked`` while reading
    the form), as the templates name them."""
    return {
        "error": translate(exc.message, exc.params),
        "errors": {**field_errors(exc.fields, exc.params), **(marked or {})},
    }


def confirm(fields: dict[str, str], name: str, errors: dict[str, str]) -> None:
    """Mark ``<name>_confirm`` when it differs from ``name`` (a new password typed twice)."""
    if fields.get(name, "") != fields.get(f"{name}_confirm", ""):
        errors[f"{name}_confirm"] = translate("The two passwords do not match.")


def new_password(fields: dict[str, str], bad: dict[str, str], name: str) -> dict[str, str]:
    """The errors of a form that sets a new password (in ``name``, typed twice)."""
    errors = field_errors(bad)
    confirm(fields, name, errors)
    return errors


def check(errors: dict[str, str]) -> None:
    """Refuse the form when some field is marked."""
    if errors:
        raise InvalidInput(N_("Please correct the marked fields."))


def sign_up(
    fields: dict[str, str], bad: dict[str, str]
) -> tuple[NewAccount, dict[str, str], dict[str, str]]:
    """The sign-up form: the new account, the values to show again and the fields' errors."""
    values = {name: fields.get(name, "") for name in SIGN_UP_FIELDS}
    new = NewAccount(
        username=values["username"],
        display_name=values["display_name"],
        password=fields.get("password", ""),
        phone=values["phone"] or None,
    )
    errors = field_errors(check_new_account(normalise(new)))
    confirm(fields, "password", errors)
    errors.update(field_errors(bad))
    return new, {k: printable(v) for k, v in values.items()}, errors


def role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={"role": N_("Choose a role from the list.")},
        ) from None


def disabled(text: str) -> bool:
    if text not in ("0", "1"):
        raise InvalidInput(N_("Choose whether to disable or enable the account."))
    return text == "1"


def staff_values(fields: dict[str, str]) -> dict[str, str]:
    return {name: fields.get(name, "") for name in STAFF_FIELDS}


def staff_account(values: dict[str, str], password: str) -> NewAccount:
    """The operator's new account (raises when the role is not one of the list)."""
    return NewAccount(
        username=values["username"],
        display_name=values["display_name"],
        password=password,
        role=role(values["role"]),
        phone=values["phone"] or None,
        org=values["org"] or None,
        region=values["region"].strip() or None,
    )
