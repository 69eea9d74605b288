"""Text people type: what may be stored. Control characters (NUL above all, which PostgreSQL
refuses) never are; tabs and line breaks are allowed in free text."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(text: str) -> bool:
    return CONTROL.search(text) is not None


def printable(text: str) -> str:
    """What may be shown back to a person: the text without its control characters."""
    return CONTROL.sub("", text)


def _refuse_control(text: str) -> str:
    if has_control_characters(text):
        raise ValueError("control characters are not allowed")
    return text


#: A query parameter pattern: any text without control characters.
NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

#: A string field of the JSON API that may be stored.
CleanText = Annotated[str, AfterValidator(_refuse_control)]


_WHOLE = re.compile(r"[0-9]{1,12}")


def whole_number(text: str) -> int | None:
    """A whole number typed in ASCII digits (``"²"`` and ``"١٢"`` are digits to Python, not
    to a farmer's stock count), or None."""
    text = text.strip()
    return int(text) if _WHOLE.fullmatch(text) else None
