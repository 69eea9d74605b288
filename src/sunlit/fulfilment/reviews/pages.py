"""Review pages: the buyer's review from the order's page (with photos), the producer's reply
(from the order's page or the phone-first list ``/producer/reviews``), and a review's
moderation page for supervisors and operators. No route edits or deletes a review."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from sunlit.accounts.model import Role
from sunlit.accounts.work import Work, unit
from sunlit.catalog.producers import services as producer_service
from sunlit.catalog.products import services as catalog
from sunlit.core.errors import NotFound, SunlitError
from sunlit.core.files.model import Upload
from sunlit.core.i18n import field_errors, translate
from sunlit.core.text import printable
from sunlit.fulfilment.deps import FulfilmentKit, fulfilment_kit
from sunlit.fulfilment.pages import order_page_response
from sunlit.fulfilment.reviews import model, services, views
from sunlit.web.deps import PathId, settle
from sunlit.web.forms import read_form, redirect, whole_in
from sunlit.web.rendering import render

router = APIRouter(include_in_schema=False)
#: The review form posts photos (multipart): only this accepts bodies up to the upload size.
uploads = APIRouter(include_in_schema=False)

signed_in = unit("signed_in", kit=fulfilment_kit)
sellers = unit(Role.FARMER, Role.OPERATOR, kit=fulfilment_kit)
moderators = unit(*services.MODERATORS, kit=fulfilment_kit)
#: The review form's fields on the order's page, which other sections' forms share.
PREFIX = "review_"


async def _photos(request: Request) -> list[Upload]:
    form = await request.form()
    return [
        Upload(data=await sent.read(), name=printable(sent.filename or ""))
        for sent in form.getlist(PREFIX + "photos")
        if isinstance(sent, UploadFile)
    ]


def _on_the_form(exc: SunlitError) -> SunlitError:
    """The error with its fields named as the order page's review form names them."""
    if not exc.fields:
        return exc
    renamed = type(exc)(
        exc.message, fields={PREFIX + k: v for k, v in exc.fields.items()}, params=exc.params
    )
    return renamed


@uploads.post("/orders/{order_id}/review")
async def post_review(order_id: PathId, work: Work[FulfilmentKit] = signed_in) -> Response:
    fields, errors = await read_form(work.request)
    photos = await _photos(work.request)
    marks = {
        name: whole_in(fields, PREFIX + name, errors)
        for name in ("stars", *model.MARKS)
        if fields.get(PREFIX + name, "").strip()
    }
    unread = {k.removeprefix(PREFIX): v for k, v in errors.items()}

    async def act() -> object:
        return await services.do_post_review(
            work.db,
            work.services,
            work.actor,
            order_id,
            stars=marks.get("stars"),
            freshness=marks.get("freshness"),
            packaging=marks.get("packaging"),
            speed=marks.get("speed"),
            text=fields.get(PREFIX + "text", ""),
            photos=photos,
            now=work.now,
            errors=unread,
        )

    outcome = await settle(work.db, work.principal.account, act)
    if isinstance(outcome, NotFound):
        raise outcome
    if isinstance(outcome, SunlitError):
        return await order_page_response(
            work, order_id, status=outcome.status, error=_on_the_form(outcome), values=fields
        )
    return redirect(f"/orders/{order_id}#review")


@router.post("/reviews/{review_id}/reply")
async def reply(review_id: PathId, work: Work[FulfilmentKit] = sellers) -> Response:
    """The producer's public reply, from the order's page or the list of reviews (``from``)."""
    fields, errors = await read_form(work.request)
    review = await services.get_review(work.db, review_id)
    order_id = review.order_id

    async def act() -> object:
        if errors:
            raise services.invalid(errors)
        return await services.do_reply(
            work.db, work.actor, review_id, fields.get("reply", ""), now=work.now
        )

    outcome = await settle(work.db, work.principal.account, act)
    from_list = fields.get("from") == "list"
    if isinstance(outcome, SunlitError):
        if from_list:
            return await _list_page(work, status=outcome.status, error=outcome, values=fields)
        return await order_page_response(
            work, order_id, status=outcome.status, error=outcome, values=fields
        )
    return redirect("/producer/reviews?done=replied" if from_list else f"/orders/{order_id}#review")


@router.post("/reviews/{review_id}/follow-up")
async def follow_up(review_id: PathId, work: Work[FulfilmentKit] = signed_in) -> Response:
    """The buyer adds to their review once, from the order's page."""
    fields, errors = await read_form(work.request)
    review = await services.get_review(work.db, review_id)
    order_id = review.order_id

    async def act() -> object:
        if errors:
            raise services.invalid(errors)
        return await services.do_follow_up(
            work.db, work.actor, review_id, fields.get("follow_up", ""), now=work.now
        )

    outcome = await settle(work.db, work.principal.account, act)
    if isinstance(outcome, SunlitError):
        return await order_page_response(
            work, order_id, status=outcome.status, error=outcome, values=fields
        )
    return redirect(f"/orders/{order_id}#review")


async def _list_page(
    work: Work[FulfilmentKit],
    *,
    status: int = 200,
    error: SunlitError | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    db = work.db
    producers = await producer_service.producer_scope(db, work.actor)
    rows = await views.reviews_of_producers(db, producers)
    return render(
        work.request,
        "fulfilment/producer_reviews.html",
        {
            "reviews": rows,
            "photos": await views.photos_of(db, [row.id for row in rows]),
            "names": await catalog.products_by_id(db, {row.product_id for row in rows}),
            "done": work.request.query_params.get("done"),
            "error": translate(error.message, error.params) if error else None,
            "errors": field_errors(error.fields, error.params) if error else {},
            "values": values or {},
            "reply_max": model.REPLY_MAX,
        },
        status=status,
    )


@router.get("/producer/reviews")
async def producer_reviews(work: Work[FulfilmentKit] = sellers) -> Response:
    """The producer's reviews on a phone: those still without a reply first."""
    return await _list_page(work)


async def _moderation_page(
    work: Work[FulfilmentKit],
    review_id: str,
    *,
    status: int = 200,
    error: SunlitError | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    review = await services.get_review(work.db, review_id)
    return render(
        work.request,
        "fulfilment/review_moderation.html",
        {
            "review": review,
            "photos": (await views.photos_of(work.db, [review.id])).get(review.id, []),
            "product": await catalog.get_product(work.db, review.product_id),
            "reasons": list(model.HideReason),
            "done": work.request.query_params.get("done"),
            "error": translate(error.message, error.params) if error else None,
            "errors": field_errors(error.fields, error.params) if error else {},
            "values": values or {},
            "note_max": model.NOTE_MAX,
        },
        status=status,
    )


@router.get("/reviews/{review_id}/moderation")
async def moderation(review_id: PathId, work: Work[FulfilmentKit] = moderators) -> Response:
    """A review in full (a hidden one's text too), and the hide form: abuse only."""
    return await _moderation_page(work, review_id)


@router.post("/reviews/{review_id}/hide")
async def hide(review_id: PathId, work: Work[FulfilmentKit] = moderators) -> Response:
    fields, errors = await read_form(work.request)

    async def act() -> object:
        if errors:
            raise services.invalid(errors)
        return await services.do_hide(
            work.db,
            work.actor,
            review_id,
            fields.get("reason", ""),
            fields.get("note", ""),
            now=work.now,
        )

    outcome = await settle(work.db, work.principal.account, act)
    if isinstance(outcome, NotFound):
        raise outcome
    if isinstance(outcome, SunlitError):
        return await _moderation_page(
            work, review_id, status=outcome.status, error=outcome, values=fields
        )
    return redirect(f"/reviews/{review_id}/moderation?done=hidden")


@router.post("/reviews/{review_id}/unhide")
async def unhide(review_id: PathId, work: Work[FulfilmentKit] = moderators) -> Response:
    """Show a hidden review again, with a note: for a hide that was a mistake."""
    fields, errors = await read_form(work.request)

    async def act() -> object:
        if errors:
            raise services.invalid(errors)
        return await services.do_unhide(
            work.db, work.actor, review_id, fields.get("note", ""), now=work.now
        )

    outcome = await settle(work.db, work.principal.account, act)
    if isinstance(outcome, NotFound):
        raise outcome
    if isinstance(outcome, SunlitError):
        return await _moderation_page(
            work, review_id, status=outcome.status, error=outcome, values=fields
        )
    return redirect(f"/reviews/{review_id}/moderation?done=shown")
