"""Pages of a long list: which page a query asks for, and where it starts. Pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Page:
    """Page ``number`` (from 1) of ``pages``, ``size`` rows each, of ``total`` rows."""

    number: int
    pages: int
    size: int
    total: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page_number(raw: str | None) -> int:
    """The page a query parameter names; anything but a plain number is the first."""
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


def page_of(raw: str | None, total: int, size: int) -> Page:
    """The asked page, kept between the first and the last (there is always one)."""
    pages = max(1, -(-total // size))
    return Page(min(max(page_number(raw), 1), pages), pages, size, total)
