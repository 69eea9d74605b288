"""Raising a concern (关切): the form, reached from a session page (anyone, the public through
a rate limit), a product page or an order (signed in); and the public list with the counters
per region, the named party's list and the supervisors' queue."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from sunlit.accounts.access import origin_of
from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.core.errors import InvalidInput, NotFound, SunlitError
from sunlit.core.files.model import Upload
from sunlit.core.i18n import field_errors, translate
from sunlit.core.text import printable
from sunlit.disclosure.concerns import services, subjects, views
from sunlit.disclosure.concerns.model import FIX, TEXT_MAX, TEXT_MIN, Category, Subject, check_text
from sunlit.web.deps import Kit, PathId, settle
from sunlit.web.forms import choice_in, read_form, redirect
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
#: The form posts (multipart, with photos): only these accept bodies up to the upload size.
uploads = APIRouter(include_in_schema=False)


async def _photos(request: Request) -> list[Upload]:
    form = await request.form()
    return [
        Upload(data=await sent.read(), name=printable(sent.filename or ""))
        for sent in form.getlist("photos")
        if isinstance(sent, UploadFile)
    ]


async def _form(
    work: Work[Kit],
    subject: Subject,
    ref: str,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    error: str | None = None,
    code: str | None = None,
) -> Response:
    signed_in = work.principal.account is not None
    return render(
        work.request,
        "concerns/new.html",
        {
            "subject": subject.value,
            "ref": ref,
            "action": f"/{subject.value}s/{ref}/concerns",
            "categories": list(Category),
            "signed_in": signed_in,
            "values": values or {},
            "errors": errors or {},
            "error": error,
            "code": code,
        },
        status=status,
    )


async def _check_exists(work: Work[Kit], subject: Subject, ref: str) -> None:
    """NotFound (the error page) for a subject that does not exist, before any form."""
    actor = work.principal.account
    await subjects.resolve(work.db, actor, subject, ref, None)


@router.get("/sessions/{session_id}/concerns/new")
async def session_form(session_id: PathId, work: Work[Kit] = unit("public")) -> Response:
    await _check_exists(work, Subject.SESSION, session_id)
    return await _form(work, Subject.SESSION, session_id)


@router.get("/products/{product_id}/concerns/new")
async def product_form(product_id: PathId, work: Work[Kit] = unit("signed_in")) -> Response:
    await _check_exists(work, Subject.PRODUCT, product_id)
    return await _form(work, Subject.PRODUCT, product_id)


@router.get("/orders/{order_id}/concerns/new")
async def order_form(order_id: PathId, work: Work[Kit] = unit("signed_in")) -> Response:
    await _check_exists(work, Subject.ORDER, order_id)
    return await _form(work, Subject.ORDER, order_id)


async def _raise(work: Work[Kit], subject: Subject, ref: str) -> Response:
    await _check_exists(work, subject, ref)  # an unknown subject: 404, nothing stored
    fields, errors = await read_form(work.request)
    photos = await _photos(work.request)
    category = choice_in(Category, fields, "category", errors)
    try:  # every field's problem at once, not the category's alone
        check_text(fields.get("text", ""))
    except InvalidInput as exc:
        errors.update(exc.fields or {})

    async def act() -> object:
        if errors:
            raise InvalidInput(FIX, fields=errors, params={"min": TEXT_MIN, "max": TEXT_MAX})
        return await services.do_raise(
            work.db,
            work.services,
            actor=work.principal.account,
            subject=subject,
            ref=ref,
            session=fields.get("session") or None,
            category=category,
            text=fields.get("text", ""),
            anonymous=fields.get("anonymous") == "yes",
            photos=photos,
            ip=origin_of(work.request).ip,
            now=work.now,
        )

    outcome = await settle(work.db, work.principal.account, act)
    if isinstance(outcome, NotFound):
        raise outcome
    if isinstance(outcome, SunlitError):
        return await _form(
            work,
            subject,
            ref,
            status=outcome.status,
            values=fields,
            errors=field_errors(outcome.fields, outcome.params),
            error=translate(outcome.message, outcome.params),
            code=outcome.code,
        )
    assert hasattr(outcome, "id")
    return redirect(f"/concerns/{outcome.id}?done=raised")


@uploads.post("/sessions/{session_id}/concerns")
async def raise_on_session(session_id: PathId, work: Work[Kit] = unit("public")) -> Response:
    return await _raise(work, Subject.SESSION, session_id)


@uploads.post("/products/{product_id}/concerns")
async def raise_on_product(product_id: PathId, work: Work[Kit] = unit("signed_in")) -> Response:
    return await _raise(work, Subject.PRODUCT, product_id)


@uploads.post("/orders/{order_id}/concerns")
async def raise_on_order(order_id: PathId, work: Work[Kit] = unit("signed_in")) -> Response:
    return await _raise(work, Subject.ORDER, order_id)


@router.get("/concerns")
async def public_index(work: Work[Kit] = unit("public")) -> Response:
    return render(
        work.request,
        "concerns/index.html",
        {
            "counters": await views.region_counters(work.db),
            "concerns": await views.recent(work.db, now=work.now),
        },
    )


@router.get("/concerns/mine")
async def mine(work: Work[Kit] = unit("signed_in")) -> Response:
    return render(
        work.request,
        "concerns/mine.html",
        {
            "to_answer": await views.concerns_to_answer(work.db, work.actor, now=work.now),
            "raised": await views.concerns_raised_by(work.db, work.actor, now=work.now),
        },
    )


@router.get("/supervisor/concerns")
async def queue(work: Work[Kit] = unit(Role.SUPERVISOR)) -> Response:
    return render(
        work.request,
        "concerns/queue.html",
        {"concerns": await views.supervisor_queue(work.db, now=work.now)},
    )
