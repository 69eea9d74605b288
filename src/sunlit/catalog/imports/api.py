"""JSON API for CSV imports (``/api/v1``): every row checked, then all imported or none."""

from __future__ import annotations

from fastapi import APIRouter, File, Query, UploadFile

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.imports import services as imports
from sunlit.catalog.schemas import ImportResult
from sunlit.core.files.model import Upload
from sunlit.core.text import printable
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["imports"])


async def _import(
    work: Work[Kit], kind: imports.Kind, file: UploadFile, *, dry_run: bool, cooperative: str = ""
) -> ImportResult:
    upload = Upload(await file.read(), printable(file.filename or ""))
    _, text = await imports.stage_upload(work.db, work.services, upload, now=work.now)
    checked = await imports.preview(
        work.db, work.actor, kind, text, cooperative=cooperative, now=work.now
    )
    if not checked.ok:
        raise imports.refusal(checked)
    imported = (
        0 if dry_run else await imports.do_import(work.db, work.actor, kind, checked, now=work.now)
    )
    await work.commit()
    return ImportResult(rows=len(checked.rows), imported=imported, dry_run=dry_run)


@router.post("/producers/{producer_id}/roster", response_model=ImportResult)
async def import_roster(
    producer_id: PathId,
    file: UploadFile = File(description="CSV"),
    dry_run: bool = Query(False, description="check every row, import nothing"),
    work: Work[Kit] = unit(Role.FARMER, Role.OPERATOR),
) -> ImportResult:
    """A cooperative's member households: columns name, village, phone."""
    return await _import(work, "roster", file, dry_run=dry_run, cooperative=producer_id)


@router.post("/reference-bands/import", response_model=ImportResult)
async def import_bands(
    file: UploadFile = File(description="CSV"),
    dry_run: bool = Query(False, description="check every row, import nothing"),
    work: Work[Kit] = unit(Role.OPERATOR),
) -> ImportResult:
    return await _import(work, "bands", file, dry_run=dry_run)
