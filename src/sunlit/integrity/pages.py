"""Pages of the integrity engine: the supervisors' alert and case queue (with the upload of a
stream from another platform), one case with its evidence, notes and decision, and the public
list of published findings with each session's verified figures."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from sunlit.accounts.access import Principal, allow
from sunlit.accounts.model import Role
from sunlit.accounts.services import display_names, list_accounts
from sunlit.core.errors import N_, InvalidInput, SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.integrity import services as cases
from sunlit.integrity import views
from sunlit.integrity.cases import (
    RULE_LABELS,
    RULE_MEANING,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    CaseStatus,
    Decision,
)
from sunlit.integrity.figures import figures_key
from sunlit.integrity.ingest import do_import
from sunlit.web.deps import PathId, get_db, get_services, undo
from sunlit.web.forms import form_fields, read_upload, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
#: The routers that take file uploads (the stream import): the upload size applies.
uploads = APIRouter(include_in_schema=False)

FILTERS = ("open", "mine", "confirmed", "dismissed", "published", "withdrawn", "all")
LABELS = {
    "rules": RULE_LABELS,
    "meaning": RULE_MEANING,
    "severity": SEVERITY_LABELS,
    "source": SOURCE_LABELS,
    "status": STATUS_LABELS,
}


async def _queue(
    request: Request, db: AsyncSession, principal: Principal, status: int = 200, **extra: Any
) -> Response:
    shown = request.query_params.get("show", "open")
    shown = shown if shown in FILTERS else "open"
    me = principal.require().id
    mine = await views.list_cases(db, status=CaseStatus.OPEN.value, mine=me)
    if shown == "mine":
        rows = mine
    else:
        rows = await views.list_cases(db, status=None if shown == "all" else shown)
    counts = await views.count_by_status(db)
    counts["mine"] = len(mine)
    counts["all"] = sum(counts[s.value] for s in CaseStatus)
    context = {
        "rows": rows,
        "shown": shown,
        "filters": FILTERS,
        "counts": counts,
        "titles": await views.case_titles(db, rows),
        "names": await display_names(db, {r.assignee_id for r in rows if r.assignee_id}),
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
async def queue(
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    return await _queue(request, db, principal)


@router.get("/supervisor/alerts")
async def alerts(
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR, quiet=True),  # polling keeps no one in
    db: AsyncSession = Depends(get_db),
) -> Response:
    """The open cases' count beside "Cases" in the menu, which every page polls: an alert
    raised live shows wherever the supervisor is."""
    counts = await views.count_by_status(db)
    return render(request, "integrity/_alerts.html", {"open": counts[CaseStatus.OPEN.value]})


@uploads.post("/supervisor/cases/import")
async def import_stream(
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    services = get_services(request)
    try:
        upload = await read_upload(request)
        fields = await form_fields(request)
        if not upload.data:
            raise InvalidInput(
                N_("Please correct the marked fields."),
                fields={"file": N_("Choose the event file (JSON Lines) to import.")},
            )
        done = await do_import(
            db,
            services.files,
            services.zone,
            data=upload.data,
            filename=upload.name,
            actor=principal.require(),
            skip_bad=fields.get("skip_bad") == "on",
            now=services.clock.now(),
        )
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        return await _queue(
            request,
            db,
            principal,
            exc.status,
            error=translate(exc.message, exc.params),
            errors=field_errors(exc.fields, exc.params),
        )
    return await _queue(request, db, principal, imported=done)


async def _case_page(
    request: Request,
    db: AsyncSession,
    case_id: str,
    status: int = 200,
    **extra: Any,
) -> Response:
    row = await views.case_by_id(db, case_id)
    notes = await views.case_notes(db, case_id)
    people = {n.author_id for n in notes} | {
        who for who in (row.assignee_id, row.decided_by, row.published_by) if who
    }
    figures = await views.figures_of(db, {figures_key(row.import_id, row.session)})
    imported = await views.stream_import(db, row.import_id)
    return render(
        request,
        "integrity/case.html",
        {
            "case": row,
            "notes": notes,
            "names": await display_names(db, people),
            "supervisors": sorted(
                await list_accounts(db, role=Role.SUPERVISOR), key=lambda a: a.username
            ),
            "titles": await views.case_titles(db, [row]),
            "figures": figures.get(figures_key(row.import_id, row.session)),
            "imported": imported,
            "labels": LABELS,
            "values": {},
            "errors": {},
            **extra,
        },
        status=status,
    )


@router.get("/supervisor/cases/{case_id}")
async def case_page(
    case_id: PathId,
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    return await _case_page(request, db, case_id)


@router.post("/supervisor/cases/{case_id}")
async def act_on_case(
    case_id: PathId,
    request: Request,
    principal: Principal = allow(Role.SUPERVISOR),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """One form per step: ``action`` is assign, note, confirm, dismiss or publish."""
    services = get_services(request)
    fields = await form_fields(request)
    actor, now = principal.require(), services.clock.now()
    action = fields.get("action", "")
    try:
        if action == "assign":
            await cases.do_assign(
                db, case_id, actor=actor, assignee=fields.get("assignee", ""), now=now
            )
        elif action == "note":
            await cases.do_add_note(db, case_id, actor=actor, text_=fields.get("text", ""), now=now)
        elif action in ("confirm", "dismiss"):
            await cases.do_decide(
                db,
                case_id,
                actor=actor,
                decision=Decision(action),
                reason=fields.get("reason", ""),
                now=now,
                files=services.files,
                zone=services.zone,
            )
        elif action == "publish":
            await cases.do_publish(db, case_id, actor=actor, now=now)
        else:
            raise InvalidInput(N_("Choose what to do with the case."))
        await db.commit()
    except SunlitError as exc:
        await undo(db, principal.account)
        return await _case_page(
            request,
            db,
            case_id,
            exc.status,
            error=translate(exc.message, exc.params),
            errors=field_errors(exc.fields, exc.params),
            values=fields,
        )
    return redirect(f"/supervisor/cases/{case_id}?done={action}")


@router.get("/findings")
async def published(
    request: Request,
    principal: Principal = allow("public"),
    db: AsyncSession = Depends(get_db),
) -> Response:
    """The public portal's findings: what supervisors confirmed and published, with the
    verified figures of each session and the method behind them."""
    rows = await views.published_cases(db)
    figures = await views.figures_of(db, {figures_key(r.import_id, r.session) for r in rows})
    return render(
        request,
        "integrity/findings.html",
        {
            "rows": rows,
            "titles": await views.case_titles(db, rows),
            "figures_of_case": {
                r.id: figures.get(figures_key(r.import_id, r.session)) for r in rows
            },
            "labels": LABELS,
        },
    )
