"""Operator pages for CSV imports: upload, see every row checked, then import all or none."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.imports import services as imports
from sunlit.catalog.imports.model import ImportPreview
from sunlit.catalog.model import ProducerKind
from sunlit.catalog.producers import services as producers
from sunlit.core.errors import SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.web.deps import Kit, undo
from sunlit.web.forms import form_fields, read_upload, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)


async def _page(work: Work[Kit], *, status: int = 200, **extra: Any) -> Response:
    cooperatives = [
        p for p in await producers.list_producers(work.db) if p.kind == ProducerKind.COOPERATIVE
    ]
    query = work.request.query_params
    return render(
        work.request,
        "catalog/imports.html",
        {
            "cooperatives": cooperatives,
            "done": query.get("done"),
            "count": query.get("count"),
            "errors": {},
            **extra,
        },
        status=status,
    )


async def _failed(work: Work[Kit], kind: str, exc: SunlitError) -> Response:
    """Undo the failed step and show the page with what went wrong."""
    await undo(work.db, work.principal.account)
    return await _page(
        work,
        status=exc.status,
        kind=kind,
        error=translate(exc.message, exc.params),
        errors=field_errors(exc.fields, exc.params),
    )


def _kind(kind: str) -> imports.Kind | None:
    return next((known for known in imports.KINDS if known == kind), None)


async def _staged(
    work: Work[Kit], kind: imports.Kind, *, confirm: bool
) -> tuple[str, str, ImportPreview[Any]]:
    """The CSV of the form checked row by row: a new upload, or (to confirm) the staged one."""
    fields = await form_fields(work.request)
    cooperative = fields.get("cooperative", "")
    if confirm:
        sha256 = fields.get("sha256", "")
        text = await imports.staged_text(work.db, work.services.files, sha256)
    else:
        upload = await read_upload(work.request)
        sha256, text = await imports.stage_upload(work.db, work.services, upload, now=work.now)
    checked = await imports.preview(
        work.db, work.actor, kind, text, cooperative=cooperative, now=work.now
    )
    return sha256, cooperative, checked


async def _preview_page(
    work: Work[Kit], kind: str, staged: tuple[str, str, ImportPreview[Any]]
) -> Response:
    sha256, cooperative, checked = staged
    return await _page(
        work,
        status=200 if checked.ok else 422,
        kind=kind,
        preview=checked,
        sha256=sha256,
        cooperative=cooperative,
    )


@router.get("/operator/imports")
async def imports_page(work: Work[Kit] = unit(Role.OPERATOR)) -> Response:
    return await _page(work)


@router.post("/operator/imports/{kind}")
async def preview_import(kind: str, work: Work[Kit] = unit(Role.OPERATOR)) -> Response:
    known = _kind(kind)
    if known is None:
        return await _page(work, status=404)
    try:
        staged = await _staged(work, known, confirm=False)
        await work.commit()
    except SunlitError as exc:
        return await _failed(work, kind, exc)
    return await _preview_page(work, kind, staged)


@router.post("/operator/imports/{kind}/confirm")
async def confirm_import(kind: str, work: Work[Kit] = unit(Role.OPERATOR)) -> Response:
    known = _kind(kind)
    if known is None:
        return await _page(work, status=404)
    try:
        staged = await _staged(work, known, confirm=True)
        checked = staged[2]
        if not checked.ok:  # something changed since the preview: show it again
            return await _preview_page(work, kind, staged)
        count = await imports.do_import(work.db, work.actor, known, checked, now=work.now)
        await work.commit()
    except SunlitError as exc:
        return await _failed(work, kind, exc)
    return redirect(f"/operator/imports?done={kind}&count={count}")
