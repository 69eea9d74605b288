"""Operator pages for CSV imports: upload, see every row checked, then import all or none."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.catalog import import_services as imports
from sunlit.catalog import producers
from sunlit.catalog.imports import ImportPreview
from sunlit.catalog.model import ProducerKind
from sunlit.core.errors import SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.web.deps import get_db, get_services, undo
from sunlit.web.forms import form_fields, read_upload, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)


async def _page(request: Request, db: AsyncSession, *, status: int = 200, **extra: Any) -> Response:
    cooperatives = [
        p for p in await producers.list_producers(db) if p.kind == ProducerKind.COOPERATIVE
    ]
    return render(
        request,
        "catalog/imports.html",
        {
            "cooperatives": cooperatives,
            "done": request.query_params.get("done"),
            "count": request.query_params.get("count"),
            "errors": {},
            **extra,
        },
        status=status,
    )


def _failed(exc: SunlitError) -> dict[str, Any]:
    return {
        "error": translate(exc.message, exc.params),
        "errors": field_errors(exc.fields, exc.params),
    }


@router.get("/operator/imports")
async def imports_page(
    request: Request,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    return await _page(request, db)


async def _staged_preview(
    request: Request, db: AsyncSession, principal: Principal, kind: str, *, confirm: bool
) -> tuple[str, str, ImportPreview[Any]]:
    services = get_services(request)
    fields = await form_fields(request)
    cooperative = fields.get("cooperative", "")
    if confirm:
        sha256 = fields.get("sha256", "")
        text = await imports.staged_text(db, services.files, sha256)
    else:
        sha256, text = await imports.stage_csv(
            db,
            services.files,
            await read_upload(request),
            max_bytes=services.settings.max_upload_bytes,
            now=services.clock.now(),
        )
    if kind == "roster":
        preview: ImportPreview[Any] = await imports.preview_roster(
            db, principal.require(), cooperative, text
        )
    else:
        preview = await imports.preview_bands(db, text, now=services.clock.now())
    return sha256, cooperative, preview


@router.post("/operator/imports/{kind}")
async def preview_import(
    request: Request,
    kind: str,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    if kind not in ("roster", "bands"):
        return await _page(request, db, status=404)
    try:
        sha256, cooperative, preview = await _staged_preview(
            request, db, principal, kind, confirm=False
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        return await _page(request, db, status=exc.status, kind=kind, **_failed(exc))
    return await _page(
        request,
        db,
        status=200 if preview.ok else 422,
        kind=kind,
        preview=preview,
        sha256=sha256,
        cooperative=cooperative,
    )


@router.post("/operator/imports/{kind}/confirm")
async def confirm_import(
    request: Request,
    kind: str,
    principal: Principal = allow(Role.OPERATOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    if kind not in ("roster", "bands"):
        return await _page(request, db, status=404)
    now = get_services(request).clock.now()
    try:
        sha256, cooperative, preview = await _staged_preview(
            request, db, principal, kind, confirm=True
        )
        if not preview.ok:  # something changed since the preview: show it again
            return await _page(
                request,
                db,
                status=422,
                kind=kind,
                preview=preview,
                sha256=sha256,
                cooperative=cooperative,
            )
        if kind == "roster":
            count = await imports.do_import_roster(db, principal.require(), preview, now=now)
        else:
            count = await imports.do_import_bands(db, principal.require(), preview, now=now)
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        return await _page(request, db, status=exc.status, kind=kind, **_failed(exc))
    return redirect(f"/operator/imports?done={kind}&count={count}")
