"""What a file is, from its bytes: never from its name or the browser's say-so."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sunlit.core.errors import N_

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
CSV = "text/csv"

DOCUMENTS = frozenset({PDF, JPEG, PNG})
PICTURES = frozenset({JPEG, PNG, WEBP})


def sniff(data: bytes) -> str | None:
    """The type of a document or picture from its first bytes, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None


@dataclass(frozen=True, slots=True)
class Upload:
    data: bytes
    name: str


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_upload(upload: Upload, allowed: frozenset[str], max_bytes: int) -> str | None:
    """A msgid saying what is wrong with an upload, or None."""
    if not upload.data:
        return N_("Choose a file to upload.")
    if len(upload.data) > max_bytes:
        return N_("The file is larger than %(megabytes)s MB.")
    kind = sniff(upload.data)
    if kind is None or kind not in allowed:
        if allowed == PICTURES:
            return N_("Upload a photo as JPEG, PNG or WebP.")
        return N_("Upload the document as a PDF, JPEG or PNG file.")
    return None
