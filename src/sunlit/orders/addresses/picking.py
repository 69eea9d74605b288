"""The county picker of the address forms (checkout's and the address book's), as the pages
render it: where the buyer stands (``core.regions.picker``) and what their search found."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sunlit.core.i18n import current_language
from sunlit.core.regions.picker import Choice, Match, choose, find_places
from sunlit.core.regions.services import region_book
from sunlit.orders.shipping.model import ships_to

#: The form's fields that only move the picker (a province or city chosen, a search typed or
#: a match picked without script): a form sent with one of them is shown again, not saved.
PICKING = ("pick", "region_pick")


@dataclass(frozen=True, slots=True)
class Picker:
    choice: Choice
    query: str
    matches: list[Match]
    #: The level to put the focus on after a step taken with htmx ("" when none).
    focus: str = ""


def picking(fields: Mapping[str, str]) -> bool:
    """The form was sent to move the picker, not to be saved."""
    return any(fields.get(name) for name in PICKING)


def picker_of(fields: Mapping[str, str], *, step: bool = False) -> Picker:
    """The picker for a form's fields: ``region_pick`` (a match picked) wins over the selects;
    ``step``: the picker comes back after one step, so the focus goes to the next level."""
    book, language = region_book(), current_language.get()
    query = fields.get("region_q", "").strip()[:40]
    picked = fields.get("region_pick", "").strip()
    if picked:
        choice = choose(book, language, ships_to, county=picked)
    else:
        choice = choose(
            book,
            language,
            ships_to,
            province=fields.get("province", "").strip(),
            city=fields.get("city", "").strip(),
            county=fields.get("region", "").strip(),
        )
    matches = find_places(book, query, language, ships_to) if query and not picked else []
    focus = ""
    if step:
        focus = "city" if not choice.city else "region"
    return Picker(choice, query, matches, focus)


def matches_for(text: str) -> list[Match]:
    return find_places(region_book(), text.strip()[:40], current_language.get(), ships_to)
