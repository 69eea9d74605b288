"""The file store: content-addressed files under ``SUNLIT_FILES_DIR`` (``var/files``)."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.core.errors import N_, InvalidInput
from sunlit.core.files.model import Upload, check_upload, sha256_of, sniff
from sunlit.core.files.tables import StoredFileRow


class LocalFileStore:
    """Files on local disk, named by their SHA-256 and written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    async def write(self, sha256: str, data: bytes) -> None:
        target = self.path_of(sha256)

        def _write() -> None:
            if target.exists():
                return
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            Path(handle.name).replace(target)

        await anyio.to_thread.run_sync(_write)

    async def read(self, sha256: str) -> bytes | None:
        target = self.path_of(sha256)

        def _read() -> bytes | None:
            return target.read_bytes() if target.is_file() else None

        return await anyio.to_thread.run_sync(_read)


async def store_upload(
    db: AsyncSession,
    store: LocalFileStore,
    upload: Upload,
    *,
    allowed: frozenset[str],
    max_bytes: int,
    now: datetime,
    field: str = "file",
) -> StoredFileRow:
    """Check an upload, write its bytes, and record it; the same bytes are stored once. The
    bytes are written before the row commits, so a stored row always has its file."""
    problem = check_upload(upload, allowed, max_bytes)
    if problem:
        raise InvalidInput(
            N_("Please correct the marked fields."),
            fields={field: problem},
            params={"megabytes": max_bytes // (1024 * 1024)},
        )
    sha256 = sha256_of(upload.data)
    await store.write(sha256, upload.data)
    row = await db.get(StoredFileRow, sha256)
    if row is None:
        row = StoredFileRow(
            sha256=sha256,
            content_type=sniff(upload.data) or "",
            size=len(upload.data),
            created_at=now,
        )
        db.add(row)
        await db.flush()  # before the rows that refer to it
    return row


async def stored_file(
    db: AsyncSession, store: LocalFileStore, sha256: str
) -> tuple[str, bytes] | None:
    """A stored file's content type and bytes, or None if there is no such file."""
    row = await db.get(StoredFileRow, sha256)
    data = await store.read(sha256) if row is not None else None
    if row is None or data is None:
        return None
    return row.content_type, data
