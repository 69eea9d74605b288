"""Quality documents and photos, uploaded from the producer's dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.catalog import quality
from sunlit.catalog.model import InspectionKind
from sunlit.participation.pages import attempt, form_input
from sunlit.web.deps import PathId, get_db, get_services
from sunlit.web.forms import choice_in, date_in, read_upload

router = APIRouter(include_in_schema=False)


@router.post("/producer/products/{product_id}/inspections")
async def add_inspection(
    request: Request,
    product_id: PathId,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> Response:
    account, fields, errors = await form_input(request, principal)
    services = get_services(request)
    kind = choice_in(InspectionKind, fields, "kind", errors)
    issued_on = date_in(fields, "issued_on", errors)
    expires_on = date_in(fields, "expires_on", errors)
    upload = await read_upload(request)

    async def act() -> None:
        await quality.do_add_inspection(
            db,
            services.files,
            account,
            product_id,
            kind=kind,
            issuer=fields.get("issuer", ""),
            issued_on=issued_on,
            expires_on=expires_on,
            upload=upload,
            max_bytes=services.settings.max_upload_bytes,
            now=services.clock.now(),
        )

    return await attempt(request, db, account, f"quality-{product_id}", fields, errors, act)


@router.post("/producer/products/{product_id}/photos")
async def add_photo(
    request: Request,
    product_id: PathId,
    principal: Principal = allow(Role.FARMER),
    db: AsyncSession = Depends(get_db),
) -> Response:
    account, fields, errors = await form_input(request, principal)
    services = get_services(request)
    upload = await read_upload(request)

    async def act() -> None:
        await quality.do_add_photo(
            db,
            services.files,
            account,
            product_id,
            upload=upload,
            max_bytes=services.settings.max_upload_bytes,
            now=services.clock.now(),
        )

    return await attempt(request, db, account, f"photo-{product_id}", fields, errors, act)
