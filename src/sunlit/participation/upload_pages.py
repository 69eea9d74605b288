"""Quality documents and photos, uploaded from the producer's dashboard."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.model import InspectionKind
from sunlit.catalog.quality import services as quality
from sunlit.participation.pages import attempt, form_input
from sunlit.web.deps import Kit, PathId
from sunlit.web.forms import choice_in, date_in, read_upload

router = APIRouter(include_in_schema=False)


@router.post("/producer/products/{product_id}/inspections")
async def add_inspection(product_id: PathId, work: Work[Kit] = unit(Role.FARMER)) -> Response:
    fields, errors = await form_input(work)
    kind = choice_in(InspectionKind, fields, "kind", errors)
    issued_on = date_in(fields, "issued_on", errors)
    expires_on = date_in(fields, "expires_on", errors)
    upload = await read_upload(work.request)
    return await attempt(
        work,
        f"quality-{product_id}",
        fields,
        errors,
        lambda: quality.do_add_inspection(
            work.db,
            work.services.files,
            work.actor,
            product_id,
            kind=kind,
            issuer=fields.get("issuer", ""),
            issued_on=issued_on,
            expires_on=expires_on,
            upload=upload,
            max_bytes=work.services.settings.max_upload_bytes,
            now=work.now,
        ),
    )


@router.post("/producer/products/{product_id}/photos")
async def add_photo(product_id: PathId, work: Work[Kit] = unit(Role.FARMER)) -> Response:
    fields, errors = await form_input(work)
    upload = await read_upload(work.request)
    return await attempt(
        work,
        f"photo-{product_id}",
        fields,
        errors,
        lambda: quality.do_add_photo(
            work.db,
            work.services.files,
            work.actor,
            product_id,
            upload=upload,
            max_bytes=work.services.settings.max_upload_bytes,
            now=work.now,
        ),
    )
