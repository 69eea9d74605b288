"""The producer answers an official's plan that lists its produce (issue 21, item 3): agree
with the stock it commits, or decline with a reason, from its dashboard."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.filing import consent
from sunlit.participation.pages import attempt, form_input
from sunlit.web.deps import Kit, PathId
from sunlit.web.forms import whole_in

router = APIRouter(include_in_schema=False)


@router.post("/producer/consents/{plan_id}/{product_id}")
async def answer(
    plan_id: PathId, product_id: PathId, work: Work[Kit] = unit(Role.FARMER)
) -> Response:
    fields, errors = await form_input(work)
    fields |= {"plan": plan_id, "product": product_id}  # which question the errors are about
    agree = fields.get("answer") == "agree"
    stock = whole_in(fields, "stock", errors) if agree else None
    return await attempt(
        work,
        "consent",
        fields,
        errors,
        lambda: consent.do_answer(
            work.db,
            work.actor,
            plan_id,
            product_id,
            agree=agree,
            stock=stock,
            reason=fields.get("reason", ""),
            now=work.now,
        ),
    )
