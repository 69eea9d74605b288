"""JSON API for CSV imports (``/api/v1``): every row checked, then all imported or none."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.catalog import import_services as imports
from sunlit.catalog.imports import ImportPreview
from sunlit.core.errors import N_, InvalidInput
from sunlit.core.files.model import Upload
from sunlit.core.text import printable
from sunlit.web.deps import PathId, get_db, get_services

router = APIRouter(prefix="/api/v1", tags=["imports"])


class ImportResult(BaseModel):
    rows: int
    imported: int
    dry_run: bool


def _refuse(preview: ImportPreview[Any]) -> InvalidInput:
    """Every bad row and field, named ``line N: field``."""
    if preview.problem:
        return InvalidInput(
            N_("Please correct the marked fields."), fields={"file": preview.problem}
        )
    return InvalidInput(
        N_("Fix the rows marked in the preview, then import again."),
        fields={
            f"line {row.line}: {name}": message
            for row in preview.rows
            for name, message in row.errors.items()
        },
    )


async def _text(request: Request, db: AsyncSession, file: UploadFile) -> str:
    services = get_services(request)
    _, text = await imports.stage_csv(
        db,
        services.files,
        Upload(await file.read(), printable(file.filename or "")),
        max_bytes=services.settings.max_upload_bytes,
        now=services.clock.now(),
    )
    return text


@router.post("/producers/{producer_id}/roster", response_model=ImportResult)
async def import_roster(
    producer_id: PathId,
    request: Request,
    file: UploadFile = File(description="CSV"),
    dry_run: bool = Query(False, description="check every row, import nothing"),
    principal: Principal = allow(Role.FARMER, Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> ImportResult:
    """A cooperative's member households: columns name, village, phone."""
    account = principal.require()
    preview = await imports.preview_roster(db, account, producer_id, await _text(request, db, file))
    if not preview.ok:
        raise _refuse(preview)
    imported = (
        0
        if dry_run
        else await imports.do_import_roster(
            db, account, preview, now=get_services(request).clock.now()
        )
    )
    await db.commit()
    return ImportResult(rows=len(preview.rows), imported=imported, dry_run=dry_run)


@router.post("/reference-bands/import", response_model=ImportResult)
async def import_bands(
    request: Request,
    file: UploadFile = File(description="CSV"),
    dry_run: bool = Query(False, description="check every row, import nothing"),
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> ImportResult:
    now = get_services(request).clock.now()
    preview = await imports.preview_bands(db, await _text(request, db, file), now=now)
    if not preview.ok:
        raise _refuse(preview)
    imported = (
        0 if dry_run else await imports.do_import_bands(db, principal.require(), preview, now=now)
    )
    await db.commit()
    return ImportResult(rows=len(preview.rows), imported=imported, dry_run=dry_run)
