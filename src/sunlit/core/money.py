"""Money is an integer number of fen (1 yuan = 100 fen). Never a float."""

from __future__ import annotations

import re

_YUAN = re.compile(r"^(?P<sign>-)?(?P<yuan>\d{1,12})(?:\.(?P<fen>\d{1,2}))?$")


def parse_yuan(text: str) -> int:
    """Parse a yuan amount typed by a person (``"12.5"``, ``"¥3"``) into fen."""
    cleaned = text.strip().replace("¥", "").replace("￥", "").replace(",", "").strip()
    match = _YUAN.match(cleaned)
    if match is None:
        raise ValueError(f"not an amount in yuan: {text!r}")
    fen = int(match["yuan"]) * 100 + int((match["fen"] or "0").ljust(2, "0"))
    return -fen if match["sign"] else fen


def format_fen(fen: int) -> str:
    """``1250`` → ``"¥12.50"``."""
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{rest:02d}"
