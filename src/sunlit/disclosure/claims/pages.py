"""The press's form to register a claim about a session (``/sessions/{id}/claims/new``).
The form takes GMV in yuan, as every price input does; the event holds fen."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.work import Work, unit
from sunlit.core.errors import N_, SunlitError
from sunlit.core.i18n import field_errors, translate
from sunlit.core.text import whole_number
from sunlit.disclosure.claims import services as claims
from sunlit.disclosure.claims.model import MAX_SOURCE, NewClaim
from sunlit.web.deps import Kit, PathId, settle
from sunlit.web.forms import form_fields, redirect, whole_in, yuan_in
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)


def _form(work: Work[Kit], plan: tuple[str, str], status: int = 200, **extra: object) -> Response:
    """The form for the session ``plan`` (its id and title: read before the attempt, which a
    refusal rolls back)."""
    context = {
        "plan": {"id": plan[0], "title": plan[1]},
        "max_source": MAX_SOURCE,
        "values": {},
        "errors": {},
        **extra,
    }
    return render(work.request, "disclosure/claim_form.html", context, status=status)


def _count_in(fields: dict[str, str], name: str, errors: dict[str, str]) -> int | None:
    """A count as typed; a negative one is read as such, for the model to say why not."""
    text = fields.get(name, "").strip()
    if text.startswith("-") and (number := whole_number(text[1:])) is not None:
        return -number
    return whole_in(fields, name, errors, optional=True)


@router.get("/sessions/{session_id}/claims/new")
async def claim_form(session_id: PathId, work: Work[Kit] = unit("signed_in")) -> Response:
    plan = await claims.access_claim_form(work.db, work.actor, session_id)
    return _form(work, (plan.id, plan.title))


@router.post("/sessions/{session_id}/claims/new")
async def publish_claim(session_id: PathId, work: Work[Kit] = unit("signed_in")) -> Response:
    found = await claims.access_claim_form(work.db, work.actor, session_id)
    plan = (found.id, found.title)
    fields = await form_fields(work.request)
    errors: dict[str, str] = {}
    new = NewClaim(
        fields.get("source", ""),
        gmv=yuan_in(fields, "gmv", errors, optional=True),
        orders=_count_in(fields, "orders", errors),
        units=_count_in(fields, "units", errors),
        viewers=_count_in(fields, "viewers", errors),
    )
    if errors:
        message = translate(N_("Please correct the marked fields."))
        return _form(work, plan, 422, values=fields, error=message, errors=field_errors(errors))
    outcome = await settle(
        work.db,
        work.principal.account,
        lambda: claims.do_publish_claim(work.db, work.actor, session_id, new, now=work.now),
    )
    if isinstance(outcome, SunlitError):
        return _form(
            work,
            plan,
            outcome.status,
            values=fields,
            error=translate(outcome.message, outcome.params),
            errors=field_errors(outcome.fields, outcome.params),
        )
    return redirect(f"/sessions/{session_id}#claims")
