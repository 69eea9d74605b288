"""CSV imports: stage the file (stored by SHA-256 so the preview and the import read the same
bytes), preview every row, then import all rows in one transaction or none."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor, Role
from sunlit.catalog.imports.model import ImportPreview, decode, parse_bands, parse_roster
from sunlit.catalog.model import Band, ProducerDraft, ProducerKind
from sunlit.catalog.producers import services as producers
from sunlit.catalog.products import bands
from sunlit.catalog.tables import ProducerRow, ReferenceBandRow
from sunlit.core.errors import N_, InvalidInput, NotFound, PermissionDenied
from sunlit.core.files.model import CSV, Upload, sha256_of
from sunlit.core.files.store import LocalFileStore
from sunlit.core.files.tables import StoredFileRow
from sunlit.core.regions.services import region_book
from sunlit.web.deps import Kit

FIX = N_("Please correct the marked fields.")
#: What can be imported: a cooperative's member households, or reference price bands.
Kind = Literal["roster", "bands"]
KINDS: tuple[Kind, ...] = ("roster", "bands")


async def stage_csv(
    db: AsyncSession, store: LocalFileStore, upload: Upload, *, max_bytes: int, now: datetime
) -> tuple[str, str]:
    """Check and keep an uploaded CSV; returns its SHA-256 and its text."""
    if not upload.data:
        raise InvalidInput(FIX, fields={"file": N_("Choose a file to upload.")})
    if len(upload.data) > max_bytes:
        raise InvalidInput(
            FIX,
            fields={"file": N_("The file is larger than %(megabytes)s MB.")},
            params={"megabytes": max_bytes // (1024 * 1024)},
        )
    text = decode(upload.data)
    if text is None or "\x00" in text:
        raise InvalidInput(
            FIX, fields={"file": N_("Save the file as CSV (UTF-8 or GBK text) and try again.")}
        )
    sha256 = sha256_of(upload.data)
    await store.write(sha256, upload.data)
    if await db.get(StoredFileRow, sha256) is None:
        db.add(
            StoredFileRow(sha256=sha256, content_type=CSV, size=len(upload.data), created_at=now)
        )
    return sha256, text


async def stage_upload(
    db: AsyncSession, kit: Kit, upload: Upload, *, now: datetime
) -> tuple[str, str]:
    """:func:`stage_csv` into the running services' file store, within their upload limit."""
    return await stage_csv(db, kit.files, upload, max_bytes=kit.settings.max_upload_bytes, now=now)


async def staged_text(db: AsyncSession, store: LocalFileStore, sha256: str) -> str:
    row = await db.get(StoredFileRow, sha256)
    data = await store.read(sha256) if row is not None and row.content_type == CSV else None
    text = decode(data) if data is not None else None
    if text is None:
        raise NotFound(N_("That file is no longer here. Upload it again."))
    return text


async def cooperative_for(db: AsyncSession, actor: Actor, producer_id: str) -> str:
    cooperative = await producers.get_producer(db, producer_id)
    if cooperative.kind != ProducerKind.COOPERATIVE:
        raise InvalidInput(FIX, fields={"cooperative": N_("No such cooperative.")})
    if not await producers.manages(db, actor, cooperative):
        raise PermissionDenied(N_("You can only add members to a cooperative you manage."))
    return cooperative.region


async def preview_roster(
    db: AsyncSession, actor: Actor, cooperative_id: str, text: str
) -> ImportPreview[ProducerDraft]:
    region = await cooperative_for(db, actor, cooperative_id)
    members = await db.execute(
        select(ProducerRow.name, ProducerRow.village).where(
            ProducerRow.cooperative_id == cooperative_id
        )
    )
    existing = frozenset((name, village or "") for name, village in members)
    return parse_roster(
        text, region=region, cooperative_id=cooperative_id, regions=region_book(), existing=existing
    )


async def do_import_roster(
    db: AsyncSession,
    actor: Actor,
    preview: ImportPreview[ProducerDraft],
    *,
    now: datetime,
) -> int:
    """Every member household, or none: the caller commits once."""
    if not preview.ok:
        raise InvalidInput(N_("Fix the rows marked in the preview, then import again."))
    for draft in preview.items:
        await producers.do_register_producer(db, actor, draft, now=now)
    return len(preview.items)


async def preview_bands(db: AsyncSession, text: str, *, now: datetime) -> ImportPreview[Band]:
    recorded = await db.execute(
        select(ReferenceBandRow.kind, ReferenceBandRow.region, ReferenceBandRow.observed_on)
    )
    existing = frozenset((kind, region, observed) for kind, region, observed in recorded)
    return parse_bands(text, regions=region_book(), today=now.date(), existing=existing)


async def do_import_bands(
    db: AsyncSession, actor: Actor, preview: ImportPreview[Band], *, now: datetime
) -> int:
    if actor.role != Role.OPERATOR:
        raise PermissionDenied(N_("Only an operator can maintain reference prices."))
    if not preview.ok:
        raise InvalidInput(N_("Fix the rows marked in the preview, then import again."))
    for band in preview.items:
        await bands.do_add_band(db, actor, band, now=now)
    return len(preview.items)


async def preview(
    db: AsyncSession, actor: Actor, kind: Kind, text: str, *, cooperative: str, now: datetime
) -> ImportPreview[Any]:
    """Check every row of a staged CSV (a roster goes to ``cooperative``)."""
    if kind == "roster":
        return await preview_roster(db, actor, cooperative, text)
    return await preview_bands(db, text, now=now)


async def do_import(
    db: AsyncSession, actor: Actor, kind: Kind, checked: ImportPreview[Any], *, now: datetime
) -> int:
    """Import every previewed row, or none: the caller commits once."""
    if kind == "roster":
        return await do_import_roster(db, actor, checked, now=now)
    return await do_import_bands(db, actor, checked, now=now)


def refusal(checked: ImportPreview[Any]) -> InvalidInput:
    """The error of a preview that is not clean: every bad row and field, named
    ``line N: field`` (or the file's own problem)."""
    if checked.problem:
        return InvalidInput(FIX, fields={"file": checked.problem})
    return InvalidInput(
        N_("Fix the rows marked in the preview, then import again."),
        fields={
            f"line {row.line}: {name}": message
            for row in checked.rows
            for name, message in row.errors.items()
        },
    )
