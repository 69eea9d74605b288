"""Claims as values (pure): a figure a newsroom or a propaganda office announced about a
session, and how the public page sets it against the verified one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sunlit.core.errors import N_
from sunlit.core.text import has_control_characters

#: The figures a claim may announce (the contract's, and ``units``), in the order shown.
FIGURES = ("gmv", "orders", "units", "viewers")
MAX_SOURCE = 300  # characters: a headline, or a link
MAX_FIGURE = 10**15  # fen or a count: a figure beyond this is a typing mistake


@dataclass(frozen=True, slots=True)
class NewClaim:
    """What a press account registers: where the figures were announced, and the figures
    (GMV in fen; ``None``: not announced)."""

    source: str
    gmv: int | None = None
    orders: int | None = None
    units: int | None = None
    viewers: int | None = None

    def figures(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in FIGURES}


def normalise_claim(new: NewClaim) -> NewClaim:
    return NewClaim(new.source.strip(), new.gmv, new.orders, new.units, new.viewers)


def check_claim(new: NewClaim) -> dict[str, str]:
    """Field errors (msgids) for a claim; empty when it may be registered. The parameter
    ``max`` of the source's message is :data:`MAX_SOURCE`."""
    errors: dict[str, str] = {}
    if not new.source:
        errors["source"] = N_("Say where the figures were announced: a title or a link.")
    elif (
        len(new.source) > MAX_SOURCE
        or has_control_characters(new.source)
        or ("\n" in new.source or "\r" in new.source)
    ):
        errors["source"] = N_("Keep the source to one line of at most %(max)s characters.")
    given = {name: value for name, value in new.figures().items() if value is not None}
    for name, value in given.items():
        if value < 0:
            errors[name] = N_("A figure cannot be negative.")
        elif value > MAX_FIGURE:
            errors[name] = N_("This figure is too large.")
    if not given:
        errors["figures"] = N_("Give at least one figure: sales, orders, units or viewers.")
    return errors


def claim_data(new: NewClaim) -> dict[str, str | int | None]:
    """The ``claim.published`` event's data: the contract's ``source``, ``gmv``, ``orders``
    and ``viewers`` (each may be null), and Sunlit's ``units``."""
    return {"source": new.source, **new.figures()}


def link_of(source: str) -> str | None:
    """The source as a link, when it is one (http or https only)."""
    return source if source.startswith(("https://", "http://")) and " " not in source else None


@dataclass(frozen=True, slots=True)
class FigureGap:
    """One announced figure beside the verified one. ``gap`` is announced ÷ verified − 1
    (None when nothing is verified yet, or nothing was verified); ``over``: above the verified
    figure by more than the ``hype_gap`` rule's tolerance."""

    name: str
    announced: int
    verified: int | None
    gap: float | None
    over: bool


@dataclass(frozen=True, slots=True)
class PublicClaim:
    """A claim as everyone sees it: what was announced, where, by which newsroom (its
    organisation, never a person), against the verified figures."""

    id: str
    source: str
    link: str | None
    published_at: datetime
    by: str | None
    figures: tuple[FigureGap, ...]
    verified: bool  # the session's verified figures exist (they are computed when it ends)
    over: bool  # some figure is over the tolerance
