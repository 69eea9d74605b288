"""The catalog's HTML forms read into typed values, each bad field named for the page."""

from __future__ import annotations

from sunlit.catalog.model import Band, Unit
from sunlit.core.errors import N_, InvalidInput
from sunlit.web.forms import date_in, whole_in, yuan_in

#: The fields of the reference-band form, given back to the page when it is refused.
BAND_FIELDS = ("kind", "region", "low", "high", "unit", "box_grams", "observed_on", "source")


def band_from_form(fields: dict[str, str]) -> Band:
    """Read a reference band typed in yuan; raises InvalidInput naming each bad field."""
    errors: dict[str, str] = {}
    amounts = {name: yuan_in(fields, name, errors) or 0 for name in ("low", "high")}
    try:
        unit = Unit(fields.get("unit", ""))
    except ValueError:
        errors["unit"] = N_("Choose a unit from the list.")
        unit = Unit.JIN
    grams = whole_in(fields, "box_grams", errors, optional=True)
    observed = date_in(fields, "observed_on", errors)
    if errors:
        raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
    return Band(
        kind=fields.get("kind", "").strip(),
        region=fields.get("region", "").strip(),
        low=amounts["low"],
        high=amounts["high"],
        unit=unit,
        observed_on=observed,
        source=fields.get("source", ""),
        box_grams=grams,
    )
