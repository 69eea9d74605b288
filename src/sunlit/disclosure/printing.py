"""Pages printed to PDF by WeasyPrint (the post-live report, a county's monthly report): off the
event loop, fetching nothing, and a clear 503 where the Pango library is missing."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import anyio.to_thread

from sunlit.core.errors import N_, Unavailable


def _print(html: str, style: Path, base_url: str | None) -> bytes:
    """WeasyPrint's work, in a worker thread. It fetches nothing (links keep ``base_url``; the
    style is read here; the fonts come from the system's fontconfig)."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    refuse = URLFetcher(allowed_protocols=())
    sheet = CSS(string=style.read_text("utf-8"), url_fetcher=refuse)
    document = HTML(string=html, base_url=base_url, url_fetcher=refuse)
    return bytes(document.write_pdf(stylesheets=[sheet]))


async def print_pdf(html: str, style: Path, *, base_url: str | None = None) -> bytes:
    """``html`` printed with the stylesheet ``style``. Where Pango is missing (a machine
    without it can run everything else), a clear 503."""
    try:
        import weasyprint  # noqa: F401 - imports Pango through cffi: fails where it is missing
    except OSError as exc:
        raise Unavailable(
            N_("This server cannot print PDF reports (the Pango library is missing).")
        ) from exc
    return await anyio.to_thread.run_sync(partial(_print, html, style, base_url))
