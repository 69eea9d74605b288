"""JSON API for quality documents and photos (multipart uploads, ``/api/v1``)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, File, Form, UploadFile

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.model import InspectionKind
from sunlit.catalog.quality import services as quality
from sunlit.catalog.schemas import InspectionOut, PhotoOut
from sunlit.core.files.model import Upload
from sunlit.core.text import CleanText, printable
from sunlit.web.deps import Kit, PathId

router = APIRouter(prefix="/api/v1", tags=["quality"])
MANAGERS = (Role.FARMER, Role.OPERATOR)


async def _upload(file: UploadFile) -> Upload:
    return Upload(data=await file.read(), name=printable(file.filename or ""))


@router.post("/products/{product_id}/inspections", status_code=201, response_model=InspectionOut)
async def add_inspection(
    product_id: PathId,
    kind: InspectionKind = Form(),
    issuer: CleanText = Form(max_length=240),
    issued_on: date = Form(),
    expires_on: date = Form(),
    file: UploadFile = File(description="PDF, JPEG or PNG"),
    work: Work[Kit] = unit(*MANAGERS),
) -> InspectionOut:
    row = await quality.do_add_inspection(
        work.db,
        work.services.files,
        work.actor,
        product_id,
        kind=kind,
        issuer=issuer,
        issued_on=issued_on,
        expires_on=expires_on,
        upload=await _upload(file),
        max_bytes=work.services.settings.max_upload_bytes,
        now=work.now,
    )
    await work.commit()
    return InspectionOut.of(row)


@router.post("/products/{product_id}/photos", status_code=201, response_model=PhotoOut)
async def add_photo(
    product_id: PathId,
    file: UploadFile = File(description="JPEG, PNG or WebP"),
    work: Work[Kit] = unit(*MANAGERS),
) -> PhotoOut:
    row = await quality.do_add_photo(
        work.db,
        work.services.files,
        work.actor,
        product_id,
        upload=await _upload(file),
        max_bytes=work.services.settings.max_upload_bytes,
        now=work.now,
    )
    await work.commit()
    return PhotoOut.of(row)
