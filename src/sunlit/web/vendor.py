"""Front-end libraries come from the npm registry (``npm ci`` in the Makefile) and are served
from ``node_modules``; nothing third-party is copied into the repository. Pages work without
them (every form is a plain HTML form); htmx only makes some of them quicker, and hls.js plays
live video in browsers that cannot play HLS themselves."""

from __future__ import annotations

from pathlib import Path

from sunlit.settings import Settings

HTMX_DIST = Path("htmx.org") / "dist"
HLS_DIST = Path("hls.js") / "dist"


def vendor_files(settings: Settings) -> Path | None:
    """The htmx distribution folder, or None when ``npm ci`` has not been run."""
    folder = settings.node_modules_dir / HTMX_DIST
    return folder if (folder / "htmx.min.js").is_file() else None


def hls_files(settings: Settings) -> Path | None:
    """hls.js's distribution folder, or None when ``npm ci`` has not been run."""
    folder = settings.node_modules_dir / HLS_DIST
    return folder if (folder / "hls.min.js").is_file() else None
