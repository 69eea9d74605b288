"""Quality documents and photos of products: uploaded files checked by their bytes, stored by
SHA-256, each addition an event."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.model import Actor
from sunlit.catalog.model import InspectionKind, check_inspection
from sunlit.catalog.products import services as catalog
from sunlit.catalog.tables import InspectionRow, ProductPhotoRow
from sunlit.core.errors import N_, InvalidInput
from sunlit.core.eventlog import Event, EventType, append
from sunlit.core.files.model import DOCUMENTS, PICTURES, Upload
from sunlit.core.files.store import LocalFileStore, store_upload
from sunlit.core.ids import new_id


async def do_add_inspection(
    db: AsyncSession,
    store: LocalFileStore,
    actor: Actor,
    product_id: str,
    *,
    kind: InspectionKind,
    issuer: str,
    issued_on: date,
    expires_on: date,
    upload: Upload,
    max_bytes: int,
    now: datetime,
) -> InspectionRow:
    product = (await catalog.access_product(db, actor, product_id)).id
    errors = check_inspection(issuer, issued_on, expires_on, now.date())
    if errors:
        raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
    stored = await store_upload(db, store, upload, allowed=DOCUMENTS, max_bytes=max_bytes, now=now)
    row = InspectionRow(
        id=new_id("i"),
        product_id=product,
        kind=kind.value,
        issuer=issuer.strip(),
        issued_on=issued_on,
        expires_on=expires_on,
        sha256=stored.sha256,
        file_name=upload.name[-200:] or "document",
        uploaded_by=actor.id,
        created_at=now,
    )
    db.add(row)
    append(
        db,
        Event(
            type=EventType.INSPECTION_ADDED,
            ts=now,
            actor=actor.id,
            data={
                "product": product,
                "kind": kind.value,
                "issuer": row.issuer,
                "issued_on": issued_on.isoformat(),
                "expires_on": expires_on.isoformat(),
                "sha256": stored.sha256,
            },
        ),
    )
    return row


async def do_add_photo(
    db: AsyncSession,
    store: LocalFileStore,
    actor: Actor,
    product_id: str,
    *,
    upload: Upload,
    max_bytes: int,
    now: datetime,
) -> ProductPhotoRow:
    product = (await catalog.access_product(db, actor, product_id)).id
    stored = await store_upload(db, store, upload, allowed=PICTURES, max_bytes=max_bytes, now=now)
    row = ProductPhotoRow(
        id=new_id("f"),
        product_id=product,
        sha256=stored.sha256,
        uploaded_by=actor.id,
        created_at=now,
    )
    db.add(row)
    append(
        db,
        Event(
            type=EventType.PHOTO_ADDED,
            ts=now,
            actor=actor.id,
            data={"product": product, "sha256": stored.sha256},
        ),
    )
    return row
