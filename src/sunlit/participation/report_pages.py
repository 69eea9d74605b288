"""Anonymous report pages: the form producers and civil servants use, and the supervisors'
list. Both report routes are ``quiet``: the visit does not touch the reporter's session."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.core.errors import N_, InvalidInput, SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.participation import reports
from sunlit.participation.model import REPORT_LABELS, ReportCategory
from sunlit.web.deps import Kit, settle
from sunlit.web.forms import choice_in, form_fields
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
REPORTERS = (Role.FARMER, Role.OFFICIAL)


def _form(work: Work[Kit], status: int = 200, **extra: object) -> Response:
    return render(
        work.request,
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
async def report_form(work: Work[Kit] = unit(*REPORTERS, quiet=True)) -> Response:
    return _form(work)


@router.post("/reports")
async def file_report(work: Work[Kit] = unit(*REPORTERS, quiet=True)) -> Response:
    fields = await form_fields(work.request)

    async def file() -> None:
        errors: dict[str, str] = {}
        category = choice_in(ReportCategory, fields, "category", errors)
        if errors:
            raise InvalidInput(N_("Please correct the marked fields."), fields=errors)
        await reports.do_file_report(
            work.db,
            work.services,
            actor=work.actor,
            category=category,
            text=fields.get("text", ""),
            region=fields.get("region", "").strip() or None,
            session_ref=None,
            now=work.now,
        )

    outcome = await settle(work.db, work.principal.account, file)
    if not isinstance(outcome, SunlitError):
        return _form(work, sent=True)
    return _form(
        work,
        outcome.status,
        values=fields,
        error=translate(outcome.message, outcome.params),
        errors=field_errors(outcome.fields, outcome.params),
    )


@router.get("/supervisor/reports")
async def supervisor_reports(work: Work[Kit] = unit(Role.SUPERVISOR)) -> Response:
    released = await reports.do_release_reports(work.db, now=work.now, zone=work.services.zone)
    await work.commit()
    return render(
        work.request,
        "participation/supervisor_reports.html",
        {
            "reports": await reports.list_reports(work.db),
            "labels": REPORT_LABELS,
            "released": released,
        },
    )
