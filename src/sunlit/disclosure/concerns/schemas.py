"""What the concerns API takes (the answers are the views' dataclasses)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from sunlit.core.ids import ID_PATTERN
from sunlit.core.text import CleanText
from sunlit.disclosure.concerns.model import (
    ANSWER_MAX,
    NOTE_MAX,
    SUMMARY_MAX,
    TEXT_MAX,
    AnswerKind,
    Category,
    Step,
    Subject,
)
from sunlit.disclosure.concerns.views import PublicConcern


class ConcernIn(BaseModel):
    """A concern about a session, a product or an order (``ref`` is its id). Without an
    account only a session's, within the public limits, and always anonymous."""

    subject: Subject
    ref: str = Field(pattern=ID_PATTERN)
    #: For a product: the session it was sold on, if it was on the session's plan.
    session: str | None = Field(None, pattern=ID_PATTERN)
    category: Category
    text: CleanText = Field(max_length=TEXT_MAX * 2)
    anonymous: bool = False


class ConcernAnswerIn(BaseModel):
    kind: AnswerKind
    text: CleanText = Field(max_length=ANSWER_MAX * 2)


class ConcernDecisionIn(BaseModel):
    step: Step
    note: CleanText = Field("", max_length=NOTE_MAX * 2)


class ConcernRatingIn(BaseModel):
    stars: int = Field(ge=-1000, le=1000)  # 1–5, checked by the loop with a clear message


class ConcernSummaryIn(BaseModel):
    summary: CleanText = Field(max_length=SUMMARY_MAX * 2)


class MyConcerns(BaseModel):
    to_answer: list[PublicConcern]
    raised: list[PublicConcern]
