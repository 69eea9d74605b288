"""Anonymous report pages: the form producers and civil servants use, and the supervisors'
list. Both report routes are ``quiet``: the visit does not touch the reporter's session."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.core.errors import N_, InvalidInput, SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.participation import reports
from sunlit.participation.model import REPORT_LABELS, ReportCategory
from sunlit.web.deps import get_db, get_services, undo
from sunlit.web.forms import form_fields
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
REPORTERS = (Role.FARMER, Role.OFFICIAL)


def _form(request: Request, status: int = 200, **extra: object) -> Response:
    return render(
        request,
        "participation/report.html",
        {
            "categories": list(ReportCategory),
            "labels": REPORT_LABELS,
            "values": {},
            "errors": {},
            **extra,
        },
        status=status,
    )


@router.get("/reports/new")
async def report_form(
    request: Request, principal: Principal = allow(*REPORTERS, quiet=True)
) -> Response:
    return _form(request)


@router.post("/reports")
async def file_report(
    request: Request,
    principal: Principal = allow(*REPORTERS, quiet=True),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = get_services(request)
    fields = await form_fields(request)
    try:
        try:
            category = ReportCategory(fields.get("category", ""))
        except ValueError:
            raise InvalidInput(
                N_("Please correct the marked fields."),
                fields={"category": N_("Choose from the list.")},
            ) from None
        await reports.do_file_report(
            db,
            services.attempts,
            actor=principal.require(),
            category=category,
            text=fields.get("text", ""),
            region=fields.get("region", "").strip() or None,
            session_ref=None,
            now=services.clock.now(),
            zone=services.zone,
            secret=services.settings.secret_key,
            per_day=services.settings.anonymous_reports_per_day,
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        return _form(
            request,
            exc.status,
            values=fields,
            error=translate(exc.message, exc.params),
            errors=field_errors(exc.fields, exc.params),
        )
    return _form(request, sent=True)


@router.get("/supervisor/reports")
async def supervisor_reports(
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = get_services(request)
    released = await reports.do_release_reports(db, now=services.clock.now(), zone=services.zone)
    await db.commit()
    return render(
        request,
        "participation/supervisor_reports.html",
        {
            "reports": await reports.list_reports(db),
            "labels": REPORT_LABELS,
            "released": released,
        },
    )
