"""One concern's page (``/concerns/{id}``): the public summary for everyone; the text for its
author, the named party and supervisors; the answer form for the named party; a supervisor's
accept / ask again / escalate and redacted summary; the author's rating."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.core.errors import InvalidInput, NotFound, SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.disclosure.concerns import services, views
from sunlit.disclosure.concerns.model import FIX, AnswerKind, Step
from sunlit.web.deps import Kit, PathId, settle
from sunlit.web.forms import choice_in, read_form, redirect, whole_in
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)


async def _page(
    work: Work[Kit],
    concern_id: str,
    *,
    status: int = 200,
    form: str | None = None,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    code: str | None = None,
) -> Response:
    actor = work.principal.account
    view = await views.concern_view(work.db, concern_id, actor, now=work.now)
    return render(
        work.request,
        "concerns/show.html",
        {
            "c": view.public,
            "private": view.private,
            "is_author": view.is_author,
            "is_party": view.is_party,
            "is_supervisor": actor is not None and actor.role == Role.SUPERVISOR,
            "answer_kinds": list(AnswerKind),
            "done": work.request.query_params.get("done"),
            "form": form,
            "values": values or {},
            "errors": errors or {},
            "error": error,
            "code": code,
        },
        status=status,
    )


@router.get("/concerns/{concern_id}")
async def concern_page(concern_id: PathId, work: Work[Kit] = unit("public")) -> Response:
    return await _page(work, concern_id)


async def _act(
    work: Work[Kit],
    concern_id: str,
    form: str,
    fields: dict[str, str],
    errors: dict[str, str],
    action: Callable[[], Awaitable[object]],
) -> Response:
    async def act() -> object:
        if errors:
            raise InvalidInput(FIX, fields=errors)
        return await action()

    outcome = await settle(work.db, work.principal.account, act)
    if isinstance(outcome, NotFound):
        raise outcome
    if isinstance(outcome, SunlitError):
        return await _page(
            work,
            concern_id,
            status=outcome.status,
            form=form,
            values=fields,
            errors=field_errors(outcome.fields, outcome.params),
            error=translate(outcome.message, outcome.params),
            code=outcome.code,
        )
    return redirect(f"/concerns/{concern_id}?done={form}")


@router.post("/concerns/{concern_id}/answer")
async def answer(
    concern_id: PathId, work: Work[Kit] = unit(Role.OFFICIAL, Role.FARMER)
) -> Response:
    fields, errors = await read_form(work.request)
    kind = choice_in(AnswerKind, fields, "kind", errors)
    return await _act(
        work,
        concern_id,
        "answer",
        fields,
        errors,
        lambda: services.do_answer(
            work.db, work.actor, concern_id, kind=kind, text=fields.get("text", ""), now=work.now
        ),
    )


@router.post("/concerns/{concern_id}/decision")
async def decide(concern_id: PathId, work: Work[Kit] = unit(Role.SUPERVISOR)) -> Response:
    fields, errors = await read_form(work.request)
    step = choice_in(Step, fields, "step", errors)
    return await _act(
        work,
        concern_id,
        "decision",
        fields,
        errors,
        lambda: services.do_judge(
            work.db,
            work.services,
            work.actor,
            concern_id,
            step=step,
            note=fields.get("note", ""),
            now=work.now,
        ),
    )


@router.post("/concerns/{concern_id}/rating")
async def rate(concern_id: PathId, work: Work[Kit] = unit("signed_in")) -> Response:
    fields, errors = await read_form(work.request)
    stars = whole_in(fields, "stars", errors)
    return await _act(
        work,
        concern_id,
        "rating",
        fields,
        errors,
        lambda: services.do_rate(work.db, work.actor, concern_id, stars=stars or 0, now=work.now),
    )


@router.post("/concerns/{concern_id}/summary")
async def publish(concern_id: PathId, work: Work[Kit] = unit(Role.SUPERVISOR)) -> Response:
    fields, errors = await read_form(work.request)
    return await _act(
        work,
        concern_id,
        "summary",
        fields,
        errors,
        lambda: services.do_publish(
            work.db, work.actor, concern_id, summary=fields.get("summary", ""), now=work.now
        ),
    )
