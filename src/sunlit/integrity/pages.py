"""Pages of the integrity engine: the supervisors' alert and case queue (with the upload of a
stream from another platform), one case with its evidence, notes and decision, and the public
list of published findings with each session's verified figures."""

from __future__ import annotations

from typing import Any, cast

import orjson
from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.core.errors import N_, InvalidInput, NotFound, SunlitError
from sunlit.core.i18n import field_errors, gettext_, translate
from sunlit.integrity import actions, views
from sunlit.integrity.cases import (
    RULE_LABELS,
    RULE_MEANING,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    CaseStatus,
)
from sunlit.integrity.evidence_view import Label, csv_bytes
from sunlit.integrity.naming import session_names
from sunlit.integrity.reading import Reading, read_case, read_published
from sunlit.web.deps import Kit, PathId, undo
from sunlit.web.downloads import csv_download
from sunlit.web.forms import form_fields, read_upload, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
#: The routers that take file uploads (the stream import): the upload size applies.
uploads = APIRouter(include_in_schema=False)

SUPERVISOR = Role.SUPERVISOR
LABELS = {
    "rules": RULE_LABELS,
    "meaning": RULE_MEANING,
    "severity": SEVERITY_LABELS,
    "source": SOURCE_LABELS,
    "status": STATUS_LABELS,
}


async def _failed(work: Work[Kit], exc: SunlitError) -> dict[str, Any]:
    """Roll the failed step back; the reason and the fields' errors, for the page."""
    await undo(work.db, work.principal.account)
    return {
        "error": translate(exc.message, exc.params),
        "errors": field_errors(exc.fields, exc.params),
    }


async def _queue(work: Work[Kit], status: int = 200, **extra: Any) -> Response:
    request = work.request
    queue = await views.case_queue(work.db, request.query_params.get("show", "open"), work.actor.id)
    context = {
        "rows": queue.rows,
        "shown": queue.shown,
        "filters": views.QUEUE_FILTERS,
        "counts": queue.counts,
        "titles": queue.titles,
        "sessions": await session_names(work.db, work.services.files, queue.rows),
        "names": queue.names,
        "labels": LABELS,
        "errors": {},
        **extra,
    }
    template = (
        "integrity/_queue_rows.html"
        if request.headers.get("HX-Request")
        else "integrity/queue.html"
    )
    return render(request, template, context, status=status)


@router.get("/supervisor/cases")
async def queue(work: Work[Kit] = unit(SUPERVISOR)) -> Response:
    return await _queue(work)


@router.get("/supervisor/alerts")
async def alerts(
    work: Work[Kit] = unit(SUPERVISOR, quiet=True),  # polling keeps no one in
) -> Response:
    """The open cases' count beside "Cases" in the menu, which every page polls: an alert
    raised live shows wherever the supervisor is."""
    counts = await views.count_by_status(work.db)
    return render(work.request, "integrity/_alerts.html", {"open": counts[CaseStatus.OPEN.value]})


@uploads.post("/supervisor/cases/import")
async def import_stream(work: Work[Kit] = unit(SUPERVISOR)) -> Response:
    try:
        upload = await read_upload(work.request)
        fields = await form_fields(work.request)
        if not upload.data:
            raise InvalidInput(
                N_("Please correct the marked fields."),
                fields={"file": N_("Choose the event file (JSON Lines) to import.")},
            )
        done = await actions.import_stream(
            work, upload.data, upload.name, fields.get("skip_bad") == "on"
        )
        await work.commit()
    except SunlitError as exc:
        return await _queue(work, exc.status, **await _failed(work, exc))
    return await _queue(work, imported=done)


def meaning_of(rule: str) -> str:
    """What a rule looks for, translated. (Not through the templates' ``_()``, which applies
    ``%`` formatting and fails on the "10%" of hype_gap's meaning.)"""
    meaning = RULE_MEANING.get(rule)
    return gettext_(meaning) if meaning else ""


def _label(work: Work[Kit]) -> Label:
    """The templates' ``label(group, value)``: names of other contexts' values."""
    return cast(Label, work.services.templates.env.globals["label"])


async def _reading(work: Work[Kit], found: views.CaseFile) -> Reading:
    return await read_case(work.db, work.services.files, found.case, found.imported, _label(work))


async def _case_page(work: Work[Kit], case_id: str, status: int = 200, **extra: Any) -> Response:
    found = await views.case_file(work.db, case_id)
    reading = await read_case(
        work.db, work.services.files, found.case, found.imported, _label(work)
    )
    return render(
        work.request,
        "integrity/case.html",
        {
            "case": found.case,
            "notes": found.notes,
            "names": found.names,
            "supervisors": found.supervisors,
            "titles": found.titles,
            "figures": found.figures,
            "imported": found.imported,
            "reading": reading,
            "meaning_of": meaning_of,
            "labels": LABELS,
            "values": {},
            "errors": {},
            **extra,
        },
        status=status,
    )


@router.get("/supervisor/cases/{case_id}")
async def case_page(case_id: PathId, work: Work[Kit] = unit(SUPERVISOR)) -> Response:
    return await _case_page(work, case_id)


@router.post("/supervisor/cases/{case_id}")
async def act_on_case(case_id: PathId, work: Work[Kit] = unit(SUPERVISOR)) -> Response:
    """One form per step: ``action`` is assign, note, confirm, dismiss or publish."""
    fields = await form_fields(work.request)
    action = fields.get("action", "")
    try:
        await actions.take_step(work, case_id, action, fields)
        await work.commit()
    except SunlitError as exc:
        failed = await _failed(work, exc)
        return await _case_page(work, case_id, exc.status, values=fields, **failed)
    return redirect(f"/supervisor/cases/{case_id}?done={action}")


@router.get("/supervisor/cases/{case_id}/evidence.{form}")
async def export_evidence(
    case_id: PathId, form: str, work: Work[Kit] = unit(SUPERVISOR)
) -> Response:
    """The case's evidence to download: CSV (UTF-8 with a BOM, headers in the page's language)
    or JSON (the finding as the engine wrote it, with each key's label and value in words)."""
    if form not in ("csv", "json"):
        raise NotFound(N_("There is no such export."))
    found = await views.case_file(work.db, case_id)
    case = found.case
    reading = await _reading(work, found)
    rows = reading.rows(case.evidence)
    name = f"case-{case.id}-evidence.{form}"
    if form == "csv":
        named = [(kind, item.id) for kind, items in reading.named.items() for item in items]
        return csv_download(csv_bytes(rows, named), name)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    document = {
        "case": case.id,
        "session": case.session,
        "rule": case.rule,
        "severity": case.severity,
        "score": case.score,
        "summary": case.summary,
        "summary_shown": reading.summary,
        "evidence": case.evidence,
        "lines": rows,
        "accounts": case.accounts,
        "orders": case.orders,
        "products": case.products,
    }
    return Response(
        orjson.dumps(document, option=orjson.OPT_INDENT_2),
        media_type="application/json",
        headers=headers,
    )


@router.get("/findings")
async def published(work: Work[Kit] = unit("public")) -> Response:
    """The public portal's findings: what supervisors confirmed and published, with the
    verified figures of each session and the method behind them."""
    rows, figures = await views.published_findings(work.db)
    return render(
        work.request,
        "integrity/findings.html",
        {
            "rows": rows,
            "readings": await read_published(work.db, work.services.files, rows, _label(work)),
            "figures_of_case": figures,
            "meaning_of": meaning_of,
            "labels": LABELS,
        },
    )
