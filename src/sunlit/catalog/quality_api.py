"""JSON API for quality documents and photos (multipart uploads, ``/api/v1``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.catalog import quality
from sunlit.catalog.model import InspectionKind
from sunlit.core.files.model import Upload
from sunlit.core.text import CleanText, printable
from sunlit.web.deps import PathId, get_db, get_services

router = APIRouter(prefix="/api/v1", tags=["quality"])
MANAGERS = (Role.FARMER, Role.OPERATOR)


class InspectionOut(BaseModel):
    id: str
    kind: InspectionKind
    issuer: str
    issued_on: date
    expires_on: date
    sha256: str
    url: str


class PhotoOut(BaseModel):
    id: str
    sha256: str
    url: str


async def _upload(file: UploadFile) -> Upload:
    return Upload(data=await file.read(), name=printable(file.filename or ""))


@router.post("/products/{product_id}/inspections", status_code=201, response_model=InspectionOut)
async def add_inspection(
    product_id: PathId,
    request: Request,
    kind: InspectionKind = Form(),
    issuer: CleanText = Form(max_length=240),
    issued_on: date = Form(),
    expires_on: date = Form(),
    file: UploadFile = File(description="PDF, JPEG or PNG"),
    principal: Principal = allow(*MANAGERS),
    db: AsyncSession = Depends(get_db),
) -> InspectionOut:
    services = get_services(request)
    row = await quality.do_add_inspection(
        db,
        services.files,
        principal.require(),
        product_id,
        kind=kind,
        issuer=issuer,
        issued_on=issued_on,
        expires_on=expires_on,
        upload=await _upload(file),
        max_bytes=services.settings.max_upload_bytes,
        now=services.clock.now(),
    )
    await db.commit()
    return InspectionOut(
        id=row.id,
        kind=kind,
        issuer=row.issuer,
        issued_on=row.issued_on,
        expires_on=row.expires_on,
        sha256=row.sha256,
        url=f"/files/{row.sha256}",
    )


@router.post("/products/{product_id}/photos", status_code=201, response_model=PhotoOut)
async def add_photo(
    product_id: PathId,
    request: Request,
    file: UploadFile = File(description="JPEG, PNG or WebP"),
    principal: Principal = allow(*MANAGERS),
    db: AsyncSession = Depends(get_db),
) -> PhotoOut:
    services = get_services(request)
    row = await quality.do_add_photo(
        db,
        services.files,
        principal.require(),
        product_id,
        upload=await _upload(file),
        max_bytes=services.settings.max_upload_bytes,
        now=services.clock.now(),
    )
    await db.commit()
    return PhotoOut(id=row.id, sha256=row.sha256, url=f"/files/{row.sha256}")
